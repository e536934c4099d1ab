"""A stock's price bars for its chart: one session's minute bars, or its recent daily bars.

Minute bars are the provider's `minute_bars(symbol, session)` (Polygon's per-ticker aggregates, one
call), cut at the clock's now (a simulated market knows its whole day in advance), kept for
`minute_cache_secs` (real seconds) while the session is still trading and for good once it has
ended (at most `MINUTE_CACHE_SIZE` symbol-sessions).

Daily bars: the vendor's daily endpoint is the grouped one, one whole-market call per session, so
120 sessions would be 120 calls per cold chart (24 minutes of Polygon's free budget). The chart
shows instead the sessions the engine already holds in its `DailyBarsCache`: the analysis's
`history_sessions` (25 by default) before the current session, which cost no call once a run has
fetched them. The current session has no daily bar until it has closed.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, date, datetime

import numpy as np

from sectorlights.core.clock import Clock
from sectorlights.core.executor import BoundedExecutor
from sectorlights.domain.market import DailyBars, MinuteBars
from sectorlights.domain.sessions import current_session, is_session, previous_sessions, session_bounds
from sectorlights.domain.trader_views import BarInterval, PriceBar, StockBars
from sectorlights.engine.frame_builder import DailyBarsCache
from sectorlights.engine.lookups import InvalidParameter, LatestGrid, VendorUnavailable, require_listed
from sectorlights.providers.base import MarketDataProvider
from sectorlights.storage.repository import Repository

MINUTE_CACHE_SECS = 15.0
MINUTE_CACHE_SIZE = 64
NANOS_PER_SEC = 1_000_000_000


class StockCharts:
    def __init__(
        self,
        provider: MarketDataProvider,
        clock: Clock,
        repository: Repository,
        grids: LatestGrid,
        bars_cache: DailyBarsCache,
        vendor_calls: BoundedExecutor,
        history_sessions: int,
        *,
        minute_cache_secs: float = MINUTE_CACHE_SECS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._provider = provider
        self._clock = clock
        self._repository = repository
        self._grids = grids
        self._bars_cache = bars_cache
        self._vendor_calls = vendor_calls
        self.history_sessions = history_sessions
        self.minute_cache_secs = minute_cache_secs
        self._monotonic = monotonic
        self._minutes: OrderedDict[tuple[str, date], tuple[float, MinuteBars]] = OrderedDict()

    async def bars(self, symbol: str, interval: BarInterval, session: date | None) -> StockBars:
        """NotFound for a symbol the latest analysis did not list; InvalidParameter for a session
        that is not a NYSE session or has not begun; VendorUnavailable naming the vendor's error."""
        await require_listed(self._repository, self._grids, symbol)
        now = self._clock.now()
        latest = current_session(now)
        if session is not None and not is_session(session):
            raise InvalidParameter("session", f"{session.isoformat()} is not a NYSE trading session")
        if session is not None and session > latest:
            raise InvalidParameter("session", f"{session.isoformat()} has not begun yet")
        if interval == "day":
            bars = await self._daily(symbol, session or latest)
            return StockBars(symbol=symbol, interval="day", session=None, count=len(bars), bars=bars)
        chosen = session or latest
        minutes = await self._minute_bars(symbol, chosen, now)
        cut = minutes.window_start_ns < int(now.timestamp() * NANOS_PER_SEC)
        bars = [
            PriceBar(time=start // NANOS_PER_SEC, open=o, high=h, low=lo, close=c, volume=v)
            for start, o, h, lo, c, v in zip(
                minutes.window_start_ns[cut].tolist(),
                minutes.open[cut].tolist(),
                minutes.high[cut].tolist(),
                minutes.low[cut].tolist(),
                minutes.close[cut].tolist(),
                minutes.volume[cut].tolist(),
                strict=True,
            )
        ]
        return StockBars(symbol=symbol, interval="minute", session=chosen, count=len(bars), bars=bars)

    async def _minute_bars(self, symbol: str, session: date, now: datetime) -> MinuteBars:
        key = (symbol, session)
        held = self._minutes.get(key)
        ended = now >= session_bounds(session).extended_close
        if held is not None and (ended or self._monotonic() - held[0] < self.minute_cache_secs):
            self._minutes.move_to_end(key)
            return held[1]
        try:
            minutes = await self._vendor_calls.run(self._provider.minute_bars, symbol, session)
        except Exception as error:  # any vendor failure is one 503 naming it
            raise VendorUnavailable(f"minute bars for {symbol} on {session.isoformat()}: {error}") from error
        self._minutes[key] = (self._monotonic(), minutes)
        while len(self._minutes) > MINUTE_CACHE_SIZE:
            self._minutes.popitem(last=False)
        return minutes

    async def _daily(self, symbol: str, session: date) -> list[PriceBar]:
        """The symbol's bars of the `history_sessions` sessions before `session`, oldest first;
        sessions without a bar for it are left out."""
        sessions = previous_sessions(session, self.history_sessions)
        try:
            bar_sets = await self._vendor_calls.run(self._bars_cache.fetch, self._provider, sessions)
        except Exception as error:  # any vendor failure is one 503 naming it
            raise VendorUnavailable(f"daily bars: {error}") from error
        return [bar for bars in bar_sets if (bar := _day_bar(bars, symbol)) is not None]


def _day_bar(bars: DailyBars, symbol: str) -> PriceBar | None:
    rows = np.flatnonzero(bars.symbols == symbol)
    if rows.size == 0:
        return None
    row = int(rows[0])
    values = [float(getattr(bars, name)[row]) for name in ("open", "high", "low", "close", "volume")]
    if not all(np.isfinite(value) for value in values):
        return None
    start = datetime(bars.session.year, bars.session.month, bars.session.day, tzinfo=UTC)
    return PriceBar(
        time=int(start.timestamp()),
        open=values[0],
        high=values[1],
        low=values[2],
        close=values[3],
        volume=values[4],
    )
