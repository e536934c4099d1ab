"""The simulated market as a `MarketDataProvider`: the embedded default when no vendor is configured."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from datetime import time as time_of_day

from sectorlights.domain.market import DailyBars, IntradaySnapshot, Listing, MinuteBars, NewsItem
from sectorlights.domain.sessions import NEW_YORK, current_session, is_session, previous_sessions
from sectorlights.providers.base import (
    EndpointCheck,
    ProviderCapabilities,
    ProviderError,
    ProviderHealth,
    RejectedRow,
)
from sectorlights.providers.simulated.market import SimulatedMarket
from sectorlights.providers.simulated.minutes import build_minute_bars
from sectorlights.providers.simulated.news import NewsDesk

CHECK_SYMBOL = "SOUN"


class SimulatedProvider:
    """A deterministic whole market (listings, daily bars, intraday snapshots, minute bars, news).

    Every answer is a pure function of (seed, listing_count, scenario, the instant or session asked
    for), so the past can be replayed and two processes agree to the last bit. A scenario
    (scenarios.py) shapes every session from `scenario_session` on; None means an ordinary market.
    """

    name = "simulated"
    capabilities = ProviderCapabilities(
        historical_snapshots=True, minute_bars=True, news=True, simulated=True
    )

    def __init__(
        self,
        seed: int = 7,
        listing_count: int = 8_500,
        scenario: str | None = None,
        scenario_session: date | None = None,
    ) -> None:
        self.seed = seed
        self.listing_count = listing_count
        self.scenario = scenario
        self.scenario_session = scenario_session
        self.market = SimulatedMarket(
            seed=seed, listing_count=listing_count, scenario=scenario, scenario_session=scenario_session
        )
        self.news_desk = NewsDesk(self.market)
        self._rows: dict[str, int] = {
            symbol: row for row, symbol in enumerate(self.market.universe.symbols.tolist())
        }

    def row_of(self, symbol: str) -> int | None:
        """The listing's row in the market's arrays, None when it is not listed."""
        return self._rows.get(symbol)

    def listings(self, as_of: datetime) -> list[Listing]:
        """All listings; the market cap follows the last regular close at or before `as_of`."""
        _require_aware(as_of)
        universe = self.market.universe
        try:
            close = self.market.last_close(as_of)
        except (ValueError, KeyError) as error:
            raise ProviderError(f"simulated listings as of {as_of.isoformat()}: {error}") from error
        market_cap = (universe.shares_outstanding * close).tolist()
        float_shares = [None if math.isnan(value) else value for value in universe.float_shares.tolist()]
        columns = zip(
            universe.symbols.tolist(),
            universe.names,
            universe.security_types.tolist(),
            universe.exchanges.tolist(),
            market_cap,
            universe.shares_outstanding.tolist(),
            float_shares,
            universe.sic_codes,
            universe.sic_descriptions,
            strict=True,
        )
        # The columns are in Listing's field order.
        return [Listing(*row) for row in columns]

    def daily_bars(self, sessions: Sequence[date]) -> list[DailyBars]:
        """One whole-market bar set per session, in the order asked; ProviderError for a non-session."""
        symbols = self.market.universe.symbols
        bars: list[DailyBars] = []
        for session in sessions:
            try:
                trading = is_session(session)
            except (ValueError, KeyError) as error:
                raise ProviderError(f"simulated daily bars for {session}: {error}") from error
            if not trading:
                raise ProviderError(
                    f"simulated daily bars for {session.isoformat()}: not an NYSE trading session"
                )
            path = self.market.session_path(session)
            # Copies, so that a caller editing its arrays cannot corrupt the cached session.
            bars.append(
                DailyBars(
                    session=session,
                    symbols=symbols.copy(),
                    open=path.open.copy(),
                    high=path.high.copy(),
                    low=path.low.copy(),
                    close=path.close.copy(),
                    volume=path.volume.copy(),
                )
            )
        return bars

    def intraday_snapshot(self, at: datetime) -> IntradaySnapshot:
        """The whole market at `at`; outside 04:00-20:00 ET, the last session's 20:00 state."""
        _require_aware(at)
        try:
            session, last_price, session_volume = self.market.state_at(at)
        except (ValueError, KeyError) as error:
            raise ProviderError(f"simulated snapshot at {at.isoformat()}: {error}") from error
        return IntradaySnapshot(
            at=at,
            session=session,
            symbols=self.market.universe.symbols.copy(),
            last_price=last_price,
            session_volume=session_volume,
        )

    def minute_bars(self, symbol: str, session: date) -> MinuteBars:
        """One listing's minute bars, 04:00-20:00 ET, minutes without trades left out."""
        row = self._rows.get(symbol)
        if row is None:
            raise ProviderError(f"simulated minute bars for {symbol!r}: unknown symbol")
        try:
            trading = is_session(session)
        except (ValueError, KeyError) as error:
            raise ProviderError(f"simulated minute bars for {session}: {error}") from error
        if not trading:
            raise ProviderError(
                f"simulated minute bars for {session.isoformat()}: not an NYSE trading session"
            )
        return build_minute_bars(self.market, symbol, row, session)

    def news(self, since: datetime, until: datetime, limit: int = 1000) -> list[NewsItem]:
        """Articles published in [since, until), newest first, at most `limit`."""
        _require_aware(since)
        _require_aware(until)
        return [article.to_news_item() for article in self.news_desk.articles(since, until, limit)]

    def health(self) -> ProviderHealth:
        detail = f"simulated market (seed {self.seed})"
        if self.scenario is not None:
            start = self.scenario_session.isoformat() if self.scenario_session else "the first session"
            detail = f"simulated market (seed {self.seed}, scenario {self.scenario} from {start})"
        return ProviderHealth(ok=True, detail=detail)

    def check(self) -> list[EndpointCheck]:
        """One light call per capability, timed; a failure is reported, never raised."""
        try:
            session = self.scenario_session or current_session(datetime.now(UTC))
        except ValueError:
            session = date(2026, 11, 20)
        symbol = CHECK_SYMBOL if CHECK_SYMBOL in self._rows else str(self.market.universe.symbols[0])

        def at(hour: int, minute: int = 0) -> datetime:
            return datetime.combine(session, time_of_day(hour, minute), NEW_YORK)

        def previous() -> date:
            earlier = previous_sessions(session, 1)
            if not earlier:
                raise ProviderError(f"no session before {session.isoformat()}")
            return earlier[0]

        calls: list[tuple[str, bool, Callable[[], int]]] = [
            ("listings", True, lambda: len(self.listings(at(20)))),
            ("daily_bars", True, lambda: int(self.daily_bars([previous()])[0].symbols.size)),
            ("intraday_snapshot", True, lambda: int(self.intraday_snapshot(at(10)).symbols.size)),
            (
                "historical_snapshots",
                False,
                lambda: int(self.intraday_snapshot(at(9, 30)).symbols.size),
            ),
            ("minute_bars", False, lambda: int(self.minute_bars(symbol, session).open.size)),
            ("news", False, lambda: len(self.news(at(4) - timedelta(days=1), at(20), limit=100))),
        ]
        return [_timed(endpoint, required, call) for endpoint, required, call in calls]

    def drain_rejections(self) -> list[RejectedRow]:
        """The simulated market never produces bad rows."""
        return []


def _timed(endpoint: str, required: bool, call: Callable[[], int]) -> EndpointCheck:
    started = time.perf_counter()
    try:
        rows = call()
    except Exception as error:  # a check reports every failure instead of raising it
        latency = (time.perf_counter() - started) * 1000.0
        return EndpointCheck(endpoint, False, latency, 0, f"{type(error).__name__}: {error}", required)
    latency = (time.perf_counter() - started) * 1000.0
    return EndpointCheck(endpoint, True, latency, rows, "simulated", required)


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a timezone-aware datetime is required")
