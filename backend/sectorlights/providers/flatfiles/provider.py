"""Market data from imported flat files: a `MarketDataProvider` over the bars tables.

Nothing here talks to a vendor. Bars come from `sectorlights import-flatfiles` (see storage/ingestion.py);
reference data comes from the listings CSV (see listings.py) or, without one, from the reference
store, else every imported symbol is listed as a common stock of unknown size.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError

from sectorlights.domain.market import DailyBars, IntradaySnapshot, Listing, MinuteBars, NewsItem
from sectorlights.domain.sessions import current_session, next_session, session_bounds
from sectorlights.providers.base import (
    EndpointCheck,
    NoIntradayDataError,
    ProviderCapabilities,
    ProviderError,
    ProviderHealth,
    ProviderUnsupportedError,
    ReferenceStore,
    RejectedRow,
)
from sectorlights.providers.flatfiles.listings import (
    LISTINGS_HEADER,
    ListingRow,
    ListingsFileError,
    read_listings_csv,
)
from sectorlights.settings import ConfigurationError, ProviderSettings
from sectorlights.storage.bars import BarsRepository

if TYPE_CHECKING:
    from sectorlights.providers.registry import ProviderContext

logger = logging.getLogger(__name__)

LISTINGS_SETTING = "SECTORLIGHTS_FLATFILES_LISTINGS"
UNKNOWN_EXCHANGE = "UNKNOWN"
# Without a listings CSV these are typed ETF (on NYSE Arca): the benchmark and the sector ETFs.
_ETF_PATTERN = re.compile(r"^(IWM|XL[A-Z]{1,2})$")
# The most sessions `check()` walks when it looks for minute coverage.
_MAX_COVERAGE_SESSIONS = 400


def _capabilities(has_minutes: bool) -> ProviderCapabilities:
    return ProviderCapabilities(
        listings=True,
        daily_bars=True,
        intraday_snapshot=True,
        historical_snapshots=has_minutes,
        minute_bars=has_minutes,
        news=False,
        simulated=False,
    )


class FlatFilesProvider:
    """Listings, daily bars and intraday state from bars imported into the database.

    `capabilities` follows the data: historical snapshots and minute bars are offered once any minute
    bars are imported (re-checked on each `listings` and `intraday_snapshot` call).
    """

    name = "flatfiles"

    def __init__(
        self,
        bars: BarsRepository,
        listings_csv: Path | None,
        *,
        reference_store: ReferenceStore | None = None,
    ) -> None:
        """ListingsFileError when `listings_csv` is given but missing or malformed."""
        self.bars = bars
        self.listings_csv = listings_csv
        self.reference_store = reference_store
        self._listing_rows: list[ListingRow] | None = (
            None if listings_csv is None else read_listings_csv(listings_csv)
        )
        self._warned = False
        # (date, each symbol's latest close on or before it), kept only once the bars are static.
        self._static_bars = False
        self._closes_memo: tuple[date, dict[str, float]] | None = None
        self.capabilities = _capabilities(False)
        try:
            self._refresh_capabilities()
        except SQLAlchemyError as error:
            # An unmigrated database: the commands that build this refuse it with their own message
            # (run `sectorlights migrate`); the capabilities follow the data from the first listing.
            logger.debug("flat files: minute coverage not read yet: %s", error)

    def _refresh_capabilities(self) -> None:
        has_minutes = self.bars.minute_range() is not None
        if has_minutes != self.capabilities.historical_snapshots:
            self.capabilities = _capabilities(has_minutes)

    def assume_static_bars(self) -> None:
        """Promise that no bars are imported or changed while this provider is used (a backtest
        over a finished import). `listings` then carries each symbol's latest close forward from its
        previous call by the sessions in between, instead of searching every bar again: the search
        grows with the import (about a second per call over ten years of 1,700 stocks), the step
        reads only the new sessions."""
        self._static_bars = True

    # ----- listings -----

    def listings(self, as_of: datetime) -> list[Listing]:
        """Every row of the listings CSV (or every imported symbol), market caps as of `as_of`."""
        _require_aware(as_of)
        self._refresh_capabilities()
        closes = self._latest_closes(_last_closed_date(as_of))
        if self._listing_rows is not None:
            return [_listing_from_row(row, closes.get(row.symbol)) for row in self._listing_rows]
        return self._listings_without_csv(closes)

    def _latest_closes(self, day: date) -> dict[str, float]:
        memo = self._closes_memo
        if not self._static_bars:
            return self.bars.latest_closes(day)
        if memo is None or day < memo[0]:
            closes = self.bars.latest_closes(day)
        else:
            closes = {**memo[1], **self.bars.closes_between(memo[0], day)}
        self._closes_memo = (day, closes)
        return closes

    def _listings_without_csv(self, closes: dict[str, float]) -> list[Listing]:
        symbols = self.bars.symbols()
        references = self.reference_store.get_many(symbols) if self.reference_store is not None else {}
        listings: list[Listing] = []
        for symbol in symbols:
            reference = references.get(symbol)
            close = closes.get(symbol)
            if reference is not None:
                market_cap = reference.market_cap
                if market_cap is None:
                    market_cap = _times(reference.shares_outstanding, close)
                listings.append(
                    Listing(
                        symbol=symbol,
                        name=reference.name,
                        security_type=reference.security_type,
                        primary_exchange=reference.primary_exchange,
                        market_cap=market_cap,
                        shares_outstanding=reference.shares_outstanding,
                        float_shares=None,
                        sic_code=reference.sic_code,
                        sic_description=reference.sic_description,
                    )
                )
            elif _ETF_PATTERN.match(symbol):
                listings.append(Listing(symbol, symbol, "ETF", "ARCX", None, None, None, None, None))
            else:
                listings.append(Listing(symbol, symbol, "CS", UNKNOWN_EXCHANGE, None, None, None, None, None))
        if not self._warned:
            self._warned = True
            sized = sum(listing.market_cap is not None for listing in listings)
            logger.warning(
                "flat files without a listings CSV: %d imported symbols listed, %d with a market cap "
                "(from stored reference data); the rest are common stock on an unknown exchange with an "
                "unknown market cap and stay out of the universe. Set %s to a listings CSV (%s).",
                len(listings),
                sized,
                LISTINGS_SETTING,
                LISTINGS_HEADER,
            )
        return listings

    # ----- bars -----

    def daily_bars(self, sessions: Sequence[date]) -> list[DailyBars]:
        """Imported bars of each session, in the order asked; ProviderError names a missing session."""
        result: list[DailyBars] = []
        for session in sessions:
            bars = self.bars.daily_bars(session)
            if bars.symbols.size == 0:
                raise ProviderError(
                    f"flat files: no daily bars imported for {session.isoformat()}: import "
                    f"us_stocks_sip/day_aggs_v1/{session:%Y/%m/%Y-%m-%d}.csv.gz"
                )
            result.append(bars)
        return result

    def intraday_snapshot(self, at: datetime) -> IntradaySnapshot:
        """From minute bars when the session's were imported, else from its day bar after the close."""
        _require_aware(at)
        self._refresh_capabilities()
        session = current_session(at)
        if self.bars.has_minutes(session):
            return self.bars.minute_snapshot(at)
        bounds = session_bounds(session)
        if at < bounds.regular_close:
            raise NoIntradayDataError(
                f"flat files: no minute bars imported for {session.isoformat()}: "
                "import minute_aggs_v1 files to analyse intraday"
            )
        bars = self.bars.daily_bars(session)
        if bars.symbols.size == 0:
            raise ProviderError(
                f"flat files: no bars imported for {session.isoformat()}: import its day_aggs_v1 "
                "(or minute_aggs_v1) file"
            )
        return IntradaySnapshot(
            at=at,
            session=session,
            symbols=bars.symbols,
            last_price=bars.close,
            session_volume=bars.volume,
        )

    def minute_bars(self, symbol: str, session: date) -> MinuteBars:
        """One symbol's imported minute bars (empty when it has none that session)."""
        self._refresh_capabilities()
        if not self.capabilities.minute_bars:
            raise ProviderUnsupportedError(
                "flat files: no minute bars imported; import minute_aggs_v1 files first"
            )
        return self.bars.minute_bars(symbol, session)

    def news(self, since: datetime, until: datetime, limit: int = 1000) -> list[NewsItem]:
        """Flat files carry no news."""
        return []

    # ----- health -----

    def health(self) -> ProviderHealth:
        try:
            sessions = self.bars.sessions()
        except Exception as error:  # health never raises
            return ProviderHealth(ok=False, detail=f"flat files: cannot read imported bars: {error}")
        if not sessions:
            return ProviderHealth(
                ok=False, detail="flat files: no daily bars imported; run `sectorlights import-flatfiles`"
            )
        return ProviderHealth(
            ok=True,
            detail=f"flat files: {len(sessions)} sessions imported, {sessions[0]} to {sessions[-1]}",
        )

    def check(self) -> list[EndpointCheck]:
        """Imported sessions and symbols, minute coverage and listings; never raises."""
        return [
            _timed("daily_bars", True, self._check_daily),
            _timed("minute_bars", False, self._check_minutes),
            _timed("listings", True, self._check_listings),
            EndpointCheck("news", True, 0.0, 0, "flat files carry no news", required=False),
        ]

    def _check_daily(self) -> tuple[bool, int, str]:
        sessions = self.bars.sessions()
        if not sessions:
            return False, 0, "no daily bars imported; import day_aggs_v1 files"
        symbols = len(self.bars.symbols())
        latest = self.bars.daily_bars(sessions[-1]).symbols.size
        detail = (
            f"{len(sessions)} sessions imported ({sessions[0]} to {sessions[-1]}), {symbols} symbols; "
            f"{latest} bars on {sessions[-1]}"
        )
        return True, len(sessions), detail

    def _check_minutes(self) -> tuple[bool, int, str]:
        span = self.bars.minute_range()
        if span is None:
            return True, 0, "no minute bars imported: intraday analysis only after the close of a session"
        covered = self.bars.minute_sessions(_sessions_between(current_session(span[0]), span[1].date()))
        imported = set(self.bars.sessions())
        with_days = len(imported.intersection(covered))
        shown = ", ".join(str(session) for session in covered[-3:])
        detail = (
            f"minute bars for {len(covered)} sessions (latest {shown}); "
            f"{with_days} of {len(imported)} sessions with daily bars have minutes"
        )
        return True, len(covered), detail

    def _check_listings(self) -> tuple[bool, int, str]:
        if self._listing_rows is None:
            count = len(self.bars.symbols())
            return (
                count > 0,
                count,
                f"no listings CSV ({LISTINGS_SETTING}): {count} imported symbols listed with "
                "unknown market cap unless stored reference data has shares",
            )
        sized = sum(
            row.market_cap is not None or row.shares_outstanding is not None for row in self._listing_rows
        )
        return (
            True,
            len(self._listing_rows),
            f"{len(self._listing_rows)} listings from {self.listings_csv} "
            f"({sized} with market cap or shares)",
        )

    def drain_rejections(self) -> list[RejectedRow]:
        """Bad rows are skipped and counted at import time, not here."""
        return []


def _timed(endpoint: str, required: bool, probe: Callable[[], tuple[bool, int, str]]) -> EndpointCheck:
    started = time.perf_counter()
    try:
        ok, rows, detail = probe()
    except Exception as error:  # a check reports, never raises
        ok, rows, detail = False, 0, f"{type(error).__name__}: {error}"
    latency_ms = (time.perf_counter() - started) * 1000.0
    return EndpointCheck(endpoint, ok, latency_ms, rows, detail, required=required)


def _sessions_between(first: date, last: date) -> list[date]:
    """Trading sessions from `first` to `last` inclusive (at most _MAX_COVERAGE_SESSIONS, the latest)."""
    sessions: list[date] = []
    session = first
    while session <= last:
        sessions.append(session)
        session = next_session(session)
    return sessions[-_MAX_COVERAGE_SESSIONS:]


def _last_closed_date(as_of: datetime) -> date:
    """The latest date whose regular close is at or before `as_of` (a bound for 'the last close')."""
    session = current_session(as_of)
    if as_of >= session_bounds(session).regular_close:
        return session
    return session - timedelta(days=1)


def _times(shares: float | None, price: float | None) -> float | None:
    return None if shares is None or price is None else shares * price


def _listing_from_row(row: ListingRow, close: float | None) -> Listing:
    market_cap = row.market_cap if row.market_cap is not None else _times(row.shares_outstanding, close)
    return Listing(
        symbol=row.symbol,
        name=row.name,
        security_type=row.security_type,
        primary_exchange=row.exchange,
        market_cap=market_cap,
        shares_outstanding=row.shares_outstanding,
        float_shares=row.float_shares,
        sic_code=row.sic_code,
        sic_description=row.sic_description,
    )


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a timezone-aware datetime is required")


def create_flatfiles_provider(settings: ProviderSettings, context: ProviderContext) -> FlatFilesProvider:
    """The registry's factory: bars from `context.database`, listings from SECTORLIGHTS_FLATFILES_LISTINGS."""
    if context.database is None:
        raise ConfigurationError(
            "configuration error: SECTORLIGHTS_PROVIDER: the flatfiles provider reads bars imported "
            "into the database, but no database was given"
        )
    path = settings.flatfiles_listings
    if path is not None and not path.is_file():
        raise ConfigurationError(
            f"configuration error: {LISTINGS_SETTING}: {path} does not exist or is not a file "
            f"(expected a CSV with the header {LISTINGS_HEADER})"
        )
    try:
        return FlatFilesProvider(
            BarsRepository(context.database), path, reference_store=context.reference_store
        )
    except ListingsFileError as error:
        raise ConfigurationError(f"configuration error: {LISTINGS_SETTING}: {error}") from None
