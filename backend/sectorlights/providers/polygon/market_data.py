"""Polygon/Massive as a `MarketDataProvider`, on any `PolygonSource` transport (REST or MCP).

What a refresh costs once reference data is warm: one full-market snapshot, one grouped-daily call
per session not seen before, and nothing per ticker. Per-ticker reference data (market cap, shares,
SIC) lives in the `ReferenceStore` and is fetched only for common stocks that can plausibly pass the
universe filter and whose stored copy is missing or older than `reference_refresh_days`; the ticker
and float lists are fetched once a day.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as dt_time
from typing import Generic, Protocol, TypeVar, runtime_checkable

import numpy as np

from sectorlights.config.criteria import UniverseCriteria
from sectorlights.config.sectors import BENCHMARK_SYMBOL
from sectorlights.core.clock import Clock
from sectorlights.core.executor import DaemonThreadPool
from sectorlights.domain.market import (
    DailyBars,
    IntradaySnapshot,
    Listing,
    MinuteBars,
    NewsItem,
    TickerReference,
)
from sectorlights.domain.sessions import NEW_YORK, current_session, previous_sessions, session_bounds
from sectorlights.providers.base import (
    EndpointCheck,
    Extracted,
    ProviderCapabilities,
    ProviderError,
    ProviderHealth,
    ProviderUnsupportedError,
    ReferenceStore,
    RejectedRow,
)
from sectorlights.providers.polygon import transform
from sectorlights.providers.polygon.source import PolygonSource, TickerRow
from sectorlights.providers.resilience import BreakerState, CircuitOpenError

logger = logging.getLogger(__name__)

T = TypeVar("T")
V = TypeVar("V")

# The vendor clears its snapshot at 03:30 ET and fills it again from 04:00 ET (DESIGN §5).
SNAPSHOT_CLEARED_AT = dt_time(3, 30)
SNAPSHOT_REFILLED_AT = dt_time(4, 0)
LIST_TTL = timedelta(days=1)
FLOAT_RETRY_AFTER = timedelta(hours=1)
DETAIL_RETRY_AFTER_ERROR = timedelta(hours=1)
DETAIL_RETRY_AFTER_UNUSABLE = timedelta(days=1)
DETAIL_CHUNK = 50
MAX_KEPT_REJECTIONS = 10_000
# How far a run's "now" may be from the vendor's when its snapshot is fetched: the run's own latency.
SNAPSHOT_TOLERANCE = timedelta(minutes=5)


def snapshot_tolerance(clock_speed: float) -> timedelta:
    """The tolerance on a clock running `clock_speed` times real time (SECTORLIGHTS_SIM_SPEED): a run's
    latency is real time, so at 300x the 5 real minutes it may take are 25 simulated hours long; a
    fixed 5 simulated minutes would fail every run slower than one real second."""
    return SNAPSHOT_TOLERANCE * max(1.0, clock_speed)


# Plausibility prefilter for fetching reference data (generous margins around the universe criteria).
PRICE_MARGIN_LOW = 0.5
PRICE_MARGIN_HIGH = 1.5
VOLUME_SHARE = 0.2


@runtime_checkable
class SupportsTickersFirstPage(Protocol):
    """Optional for a source: the ticker list's first page only (one request), for `check()`."""

    def tickers_first_page(self, limit: int = 10) -> Extracted[list[TickerRow]]: ...


@runtime_checkable
class SupportsFloatsFirstPage(Protocol):
    """Optional for a source: the float list's first page only (one request), for `check()`."""

    def floats_first_page(self, limit: int = 10) -> Extracted[dict[str, float]]: ...


@dataclass(frozen=True, slots=True)
class _Timed(Generic[V]):
    fetched_at: datetime
    value: V


class PolygonMarketData:
    """The MarketDataProvider contract over a `PolygonSource` (see the module docstring for costs)."""

    capabilities = ProviderCapabilities(
        historical_snapshots=False, minute_bars=True, news=True, simulated=False
    )

    def __init__(
        self,
        source: PolygonSource,
        *,
        name: str,
        reference_store: ReferenceStore,
        clock: Clock,
        reference_refresh_days: float,
        criteria: UniverseCriteria = UniverseCriteria(),  # noqa: B008 - frozen dataclass
        snapshot_tolerance: timedelta = SNAPSHOT_TOLERANCE,
        details_budget: int | None = None,
        detail_workers: int = 1,
        benchmark_symbol: str = BENCHMARK_SYMBOL,
        max_cached_sessions: int = 64,
    ) -> None:
        if reference_refresh_days <= 0:
            raise ValueError("reference_refresh_days must be positive")
        self.name = name
        self.source = source
        self.criteria = criteria
        self._store = reference_store
        self._clock = clock
        self._refresh_age = timedelta(days=reference_refresh_days)
        self._snapshot_tolerance = snapshot_tolerance
        self._details_budget = details_budget
        self._detail_workers = max(1, detail_workers)
        self._benchmark = benchmark_symbol
        self._max_cached_sessions = max_cached_sessions
        self._bars: OrderedDict[date, DailyBars] = OrderedDict()
        self._tickers: _Timed[list[TickerRow]] | None = None
        self._floats: _Timed[dict[str, float]] | None = None
        self._floats_retry_at: datetime | None = None
        self._detail_retry_at: dict[str, datetime] = {}
        self._rejections: deque[RejectedRow] = deque(maxlen=MAX_KEPT_REJECTIONS)
        self._lock = threading.RLock()

    # --- counters ---------------------------------------------------------------------------------

    @property
    def request_count(self) -> int:
        """Requests the source has sent so far (every page and retry), all endpoints."""
        count = getattr(self.source, "request_count", 0)
        return count if isinstance(count, int) else 0

    # --- MarketDataProvider -----------------------------------------------------------------------

    def daily_bars(self, sessions: Sequence[date]) -> list[DailyBars]:
        """One grouped-daily call per session not already cached (completed sessions never change)."""
        return [self._session_bars(session) for session in sessions]

    def intraday_snapshot(self, at: datetime) -> IntradaySnapshot:
        """The vendor's full-market snapshot (one call); it only knows "now", so `at` must be now.

        Also accepted: `at` at a session's 20:00 close (where the engine clamps off-hours runs)
        while the vendor still shows that session, i.e. until it clears the snapshot at 03:30 ET.
        """
        _require_aware(at)
        now = self._clock.now()
        self._check_snapshot_time(at, now)
        rows = self._keep(self.source.snapshot())
        return IntradaySnapshot(
            at=at,
            session=current_session(at),
            symbols=rows.symbols,
            last_price=rows.last_price,
            session_volume=rows.session_volume,
        )

    def listings(self, as_of: datetime) -> list[Listing]:
        """Every ticker of the day's list, with reference data for the plausible universe only."""
        _require_aware(as_of)
        now = self._clock.now()
        tickers = self._ticker_rows(now)
        floats = self._float_map(now)
        bars = self._last_completed_bars(as_of)
        closes: dict[str, float] = {}
        references: dict[str, TickerReference] = {}
        candidates = [
            row
            for row in tickers
            if row.security_type == self.criteria.security_type
            and row.primary_exchange in self.criteria.exchanges
        ]
        if bars is not None:
            plausible, closes, dollar_volume = self._plausible(candidates, bars)
            references = self._store.get_many(plausible)
            due = self._due_for_refresh(plausible, references, dollar_volume, now)
            references.update(self._fetch_details(due, now))
        else:
            # Without last session's bars nothing can be prefiltered: use what is stored, fetch nothing.
            references = self._store.get_many([row.symbol for row in candidates])
        return [self._listing(row, references.get(row.symbol), closes, floats) for row in tickers]

    def minute_bars(self, symbol: str, session: date) -> MinuteBars:
        return self._keep(self.source.minute_bars(symbol, session))

    def news(self, since: datetime, until: datetime, limit: int = 1000) -> list[NewsItem]:
        _require_aware(since)
        _require_aware(until)
        return self._keep(self.source.news(since, until, limit))

    def health(self) -> ProviderHealth:
        """From the circuit breaker and the requests sent so far, never from a call: a probe that
        called the vendor would spend the request budget and hang on a slow vendor. Never raises."""
        where = f"{self.name} ({self.source.transport})"
        try:
            circuits = self.source.circuits
            sent = self.source.request_count
        except Exception as error:  # health reports, it does not fail
            return ProviderHealth(ok=False, detail=f"{where}: {error}")
        tripped = [circuit for circuit in circuits if circuit.state is not BreakerState.CLOSED]
        if tripped:
            return ProviderHealth(
                ok=False,
                detail=f"{where}: "
                + "; ".join(
                    f"{circuit.endpoint} circuit {circuit.state.value} after {circuit.failures} "
                    f"failures: {circuit.last_error}"
                    for circuit in tripped
                ),
            )
        if sent == 0:
            return ProviderHealth(ok=True, detail=f"{where}: no vendor request yet")
        # An endpoint whose latest calls failed (its circuit still closed, short of the threshold)
        # is not healthy either: a run that failed on every snapshot call would otherwise leave the
        # vendor "ok" until the circuit opened.
        # So is one whose latest call the vendor refused (a key it does not accept).
        failing = [
            f"{circuit.endpoint} failed {circuit.failures} in a row: {circuit.last_error}"
            if circuit.failures
            else f"{circuit.endpoint} refused: {circuit.refused}"
            for circuit in circuits
            if circuit.failures or circuit.refused
        ]
        if failing:
            return ProviderHealth(ok=False, detail=f"{where}: " + "; ".join(failing))
        return ProviderHealth(ok=True, detail=f"{where}: {sent:,} requests sent, every circuit closed")

    def check(self) -> list[EndpointCheck]:
        """One light, timed call per endpoint the pipeline uses; failures are reported, never raised."""
        now = self._clock.now()
        last_session = previous_sessions(current_session(now), 1)[-1]
        source = self.source

        def grouped() -> int:
            bars = self._keep(source.grouped_daily(last_session))
            self._cache_bars(bars, now)
            return int(bars.symbols.size)

        def tickers() -> int:
            if isinstance(source, SupportsTickersFirstPage):
                return len(self._keep(source.tickers_first_page(10)))
            result = source.tickers()
            return len(self._keep(result))

        def floats() -> int:
            if isinstance(source, SupportsFloatsFirstPage):
                return len(self._keep(source.floats_first_page(10)))
            result = source.floats()
            return len(self._keep(result))

        def details() -> int:
            return 0 if self._keep(source.ticker_details(self._benchmark, now)) is None else 1

        def news() -> int:
            return len(self._keep(source.news(now - timedelta(days=7), now, 1)))

        probes: list[tuple[str, bool, Callable[[], int | str]]] = [
            (transform.MARKET_STATUS, False, lambda: self._keep(source.market_status())),
            (transform.SNAPSHOT, True, lambda: int(self._keep(source.snapshot()).symbols.size)),
            (transform.GROUPED_DAILY, True, grouped),
            (transform.TICKERS, True, tickers),
            (transform.TICKER_DETAILS, True, details),
            (transform.FLOAT, False, floats),
            (
                transform.MINUTE_BARS,
                False,
                lambda: int(self._keep(source.minute_bars(self._benchmark, last_session)).close.size),
            ),
            (transform.NEWS, False, news),
        ]
        return [_probe(endpoint, required, fn) for endpoint, required, fn in probes]

    def drain_rejections(self) -> list[RejectedRow]:
        with self._lock:
            rejected = list(self._rejections)
            self._rejections.clear()
        return rejected

    def close(self) -> None:
        closer = getattr(self.source, "close", None)
        if callable(closer):
            closer()

    # --- daily bars -------------------------------------------------------------------------------

    def _session_bars(self, session: date) -> DailyBars:
        with self._lock:
            cached = self._bars.get(session)
            if cached is not None:
                self._bars.move_to_end(session)
                return cached
        bars = self._keep(self.source.grouped_daily(session))
        if bars.symbols.size == 0:
            logger.warning("%s: grouped daily for %s has no rows (not cached)", self.name, session)
        self._cache_bars(bars, self._clock.now())
        return bars

    def _cache_bars(self, bars: DailyBars, now: datetime) -> None:
        """Keep a completed session's non-empty bars (a session in progress may still change)."""
        if bars.symbols.size == 0 or bars.session >= current_session(now):
            return
        with self._lock:
            self._bars[bars.session] = bars
            self._bars.move_to_end(bars.session)
            while len(self._bars) > self._max_cached_sessions:
                self._bars.popitem(last=False)

    def _last_completed_bars(self, as_of: datetime) -> DailyBars | None:
        session = previous_sessions(current_session(as_of), 1)[-1]
        try:
            bars = self._session_bars(session)
        except ProviderError as error:
            logger.warning(
                "%s: no grouped daily for %s, reference data not refreshed: %s", self.name, session, error
            )
            return None
        return bars if bars.symbols.size else None

    # --- intraday ---------------------------------------------------------------------------------

    def _check_snapshot_time(self, at: datetime, now: datetime) -> None:
        tolerance = self._snapshot_tolerance
        close = session_bounds(current_session(at)).extended_close
        cleared = datetime.combine(
            close.astimezone(NEW_YORK).date() + timedelta(days=1), SNAPSHOT_CLEARED_AT, NEW_YORK
        )
        is_now = abs(at - now) <= tolerance
        is_final_state = abs(at - close) <= tolerance and close - tolerance <= now < cleared
        if not (is_now or is_final_state):
            raise ProviderUnsupportedError(
                f"{self.name}: historical snapshots are not available from this vendor "
                f"(asked for {at.isoformat()}, it is now {now.isoformat()})"
            )
        local = now.astimezone(NEW_YORK).time()
        if SNAPSHOT_CLEARED_AT <= local < SNAPSHOT_REFILLED_AT:
            raise ProviderError(
                f"{self.name}: the vendor clears its snapshot from 03:30 to 04:00 ET; "
                "try again after 04:00 ET"
            )

    # --- listings ---------------------------------------------------------------------------------

    def _ticker_rows(self, now: datetime) -> list[TickerRow]:
        with self._lock:
            cached = self._tickers
        if cached is not None and _fresh(cached.fetched_at, now):
            return cached.value
        try:
            rows = self._keep(self.source.tickers())
        except ProviderError as error:
            if cached is None:
                raise
            logger.warning(
                "%s: ticker list refresh failed, keeping the one from %s: %s",
                self.name,
                cached.fetched_at,
                error,
            )
            return cached.value
        with self._lock:
            self._tickers = _Timed(now, rows)
        return rows

    def _float_map(self, now: datetime) -> dict[str, float]:
        with self._lock:
            cached = self._floats
            retry_at = self._floats_retry_at
        if cached is not None and _fresh(cached.fetched_at, now):
            return cached.value
        if retry_at is not None and now < retry_at:
            return cached.value if cached is not None else {}
        try:
            floats = self._keep(self.source.floats())
        except ProviderError as error:
            logger.warning("%s: float list unavailable (floats stay unknown): %s", self.name, error)
            with self._lock:
                self._floats_retry_at = now + FLOAT_RETRY_AFTER
            return cached.value if cached is not None else {}
        with self._lock:
            self._floats = _Timed(now, floats)
            self._floats_retry_at = None
        return floats

    def _plausible(
        self, candidates: Sequence[TickerRow], bars: DailyBars
    ) -> tuple[list[str], dict[str, float], dict[str, float]]:
        """Candidates whose last close and volume could pass the universe, with closes and dollar volumes."""
        order = np.argsort(bars.symbols)
        sorted_symbols = bars.symbols[order]
        symbols = np.array([row.symbol for row in candidates], dtype=np.str_)
        close = np.full(symbols.size, np.nan)
        volume = np.full(symbols.size, np.nan)
        if symbols.size and sorted_symbols.size:
            position = np.clip(np.searchsorted(sorted_symbols, symbols), 0, sorted_symbols.size - 1)
            hit = sorted_symbols[position] == symbols
            close[hit] = bars.close[order[position[hit]]]
            volume[hit] = bars.volume[order[position[hit]]]
        low = self.criteria.min_price * PRICE_MARGIN_LOW
        high = self.criteria.max_price * PRICE_MARGIN_HIGH
        keep = (
            (close >= low) & (close <= high) & (volume >= VOLUME_SHARE * self.criteria.min_avg_daily_volume)
        )
        kept = symbols[keep].tolist()
        closes = dict(zip(kept, close[keep].tolist(), strict=True))
        dollar_volume = dict(zip(kept, (close[keep] * volume[keep]).tolist(), strict=True))
        return kept, closes, dollar_volume

    def _due_for_refresh(
        self,
        symbols: Sequence[str],
        stored: dict[str, TickerReference],
        dollar_volume: dict[str, float],
        now: datetime,
    ) -> list[str]:
        """Symbols whose reference is missing or old, missing first, then oldest, then most traded."""
        with self._lock:
            retry_at = dict(self._detail_retry_at)
        due: list[tuple[int, float, float, str]] = []
        for symbol in symbols:
            if symbol in retry_at and now < retry_at[symbol]:
                continue
            reference = stored.get(symbol)
            if reference is None:
                due.append((0, 0.0, -dollar_volume.get(symbol, 0.0), symbol))
            elif now - reference.fetched_at >= self._refresh_age:
                due.append((1, reference.fetched_at.timestamp(), -dollar_volume.get(symbol, 0.0), symbol))
        due.sort()
        chosen = [symbol for *_, symbol in due]
        if self._details_budget is not None and len(chosen) > self._details_budget:
            logger.info(
                "%s: %d references due, fetching %d this refresh",
                self.name,
                len(chosen),
                self._details_budget,
            )
            chosen = chosen[: self._details_budget]
        return chosen

    def _fetch_details(self, symbols: Sequence[str], now: datetime) -> dict[str, TickerReference]:
        """Ticker details for `symbols`, stored as they arrive; one ticker's failure skips only it."""
        fetched: dict[str, TickerReference] = {}
        if not symbols:
            return fetched
        started = time.monotonic()
        failures = 0
        # Daemon threads: a vendor that hangs cannot keep the process from exiting.
        with DaemonThreadPool(max_workers=self._detail_workers, thread_name_prefix="polygon-details") as pool:
            for start in range(0, len(symbols), DETAIL_CHUNK):
                chunk = symbols[start : start + DETAIL_CHUNK]
                outcomes = list(pool.map(lambda symbol: self._one_detail(symbol, now), chunk))
                references = [reference for reference in outcomes if isinstance(reference, TickerReference)]
                if references:
                    self._store.put_many(references)
                    fetched.update((reference.symbol, reference) for reference in references)
                failures += sum(1 for outcome in outcomes if not isinstance(outcome, TickerReference))
                circuit = next((o for o in outcomes if isinstance(o, CircuitOpenError)), None)
                if circuit is not None:
                    logger.warning(
                        "%s: stopped fetching reference data after %d of %d: %s",
                        self.name,
                        start + len(chunk),
                        len(symbols),
                        circuit,
                    )
                    break
        logger.info(
            "%s: fetched %d references (%d failed) in %.1f s",
            self.name,
            len(fetched),
            failures,
            time.monotonic() - started,
        )
        return fetched

    def _one_detail(self, symbol: str, now: datetime) -> TickerReference | Exception | None:
        try:
            reference = self._keep(self.source.ticker_details(symbol, now))
        except CircuitOpenError as error:
            return error
        except ProviderError as error:
            self._reject(RejectedRow(transform.TICKER_DETAILS, symbol, str(error)))
            self._retry_detail_later(symbol, now + DETAIL_RETRY_AFTER_ERROR)
            return error
        if reference is None:
            self._retry_detail_later(symbol, now + DETAIL_RETRY_AFTER_UNUSABLE)
        return reference

    def _retry_detail_later(self, symbol: str, when: datetime) -> None:
        with self._lock:
            self._detail_retry_at[symbol] = when

    def _listing(
        self,
        row: TickerRow,
        reference: TickerReference | None,
        closes: dict[str, float],
        floats: dict[str, float],
    ) -> Listing:
        shares = reference.shares_outstanding if reference is not None else None
        market_cap = reference.market_cap if reference is not None else None
        close = closes.get(row.symbol, math.nan)
        if shares is not None and math.isfinite(close) and close > 0:
            market_cap = shares * close
        return Listing(
            symbol=row.symbol,
            name=row.name or (reference.name if reference is not None else ""),
            security_type=row.security_type,
            primary_exchange=row.primary_exchange,
            market_cap=market_cap,
            shares_outstanding=shares,
            float_shares=floats.get(row.symbol),
            sic_code=reference.sic_code if reference is not None else None,
            sic_description=reference.sic_description if reference is not None else None,
        )

    # --- rejections -------------------------------------------------------------------------------

    def _keep(self, extracted: Extracted[T]) -> T:
        """The value of a source call; its rejected rows are kept for `drain_rejections`."""
        if extracted.rejected:
            with self._lock:
                self._rejections.extend(extracted.rejected)
        return extracted.value

    def _reject(self, row: RejectedRow) -> None:
        with self._lock:
            self._rejections.append(row)


def _probe(endpoint: str, required: bool, fn: Callable[[], int | str]) -> EndpointCheck:
    started = time.perf_counter()
    try:
        outcome = fn()
    except Exception as error:  # a check reports, it never raises
        elapsed = (time.perf_counter() - started) * 1000.0
        return EndpointCheck(endpoint, False, elapsed, 0, str(error) or type(error).__name__, required)
    elapsed = (time.perf_counter() - started) * 1000.0
    if isinstance(outcome, str):
        return EndpointCheck(endpoint, True, elapsed, 1, outcome, required)
    ok = outcome > 0 or endpoint == transform.NEWS
    detail = f"{outcome} rows" if ok else "answered, but with no usable rows"
    return EndpointCheck(endpoint, ok, elapsed, outcome, detail, required)


def _fresh(fetched_at: datetime, now: datetime) -> bool:
    """Fetched less than a day ago, in the same session."""
    return now - fetched_at < LIST_TTL and current_session(fetched_at) == current_session(now)


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a timezone-aware datetime is required")
