"""Watches the whole market for significant moves of universe stocks during extended hours.

During 04:00-20:00 ET of every NYSE session the watcher takes one whole-market snapshot every
`poll_interval_secs` (in a worker thread: providers are synchronous), compares each universe
stock's last price with its previous regular close, and hands the first >= 15% move of each stock
in the session, with the stock's sector, to `on_moves` (which recomputes the sector and publishes
the events). Besides the regular interval it wakes `anchor_lag_secs` after 04:00:00 and 09:30:00 ET
exactly, so that overnight gaps and opening gaps are seen within seconds of those instants.

The previous closes come from the provider's grouped daily bars of the session before, through a
`DailyBarsCache` (pass the engine's own, and the bars the analysis already fetched cost no call);
they are kept per session, so a poll is a single snapshot call. Time follows the injected Clock (real
or simulated); waits are turned into real sleeps with `clock_speed` and re-checked at least every
`max_sleep_secs`, like the analysis scheduler.

Replicas share one `Lease` (see `engine.lease`): only its holder polls, and another replica takes over
once a dead holder's lease lapses.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta

import numpy as np
import numpy.typing as npt

from sectorlights.analytics.moves import (
    MoveTracker,
    SignificantMove,
)
from sectorlights.config.live import MOVE_POLL_INTERVAL_SECS, SIGNIFICANT_MOVE_PCT
from sectorlights.core.clock import Clock
from sectorlights.core.executor import BoundedExecutor
from sectorlights.core.state_log import StateLog
from sectorlights.core.tasks import check_clock_pacing, sleep_until, stop_task
from sectorlights.domain.market import IntradaySnapshot, validate_snapshot
from sectorlights.domain.sessions import (
    NEW_YORK,
    is_session,
    next_session,
    previous_sessions,
    session_bounds,
)
from sectorlights.engine.frame_builder import DailyBarsCache, aligned
from sectorlights.engine.lease import Lease
from sectorlights.providers.base import MarketDataProvider

logger = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]
StrArray = npt.NDArray[np.str_]

SectoredMove = tuple[SignificantMove, str]
# symbol -> sector of the latest universe
UniverseCallable = Callable[[], dict[str, str]]
MovesCallable = Callable[[list[SectoredMove]], Awaitable[None]]
SleepCallable = Callable[[float], Awaitable[None]]

DEFAULT_ANCHOR_LAG_SECS = 2.0


class WatchedUniverse:
    """symbol -> sector of the latest run's universe: the stocks the move watcher follows.

    The analysis replaces it from its worker thread; a whole-dict swap is atomic, so readers on the
    event loop always see one run's universe."""

    def __init__(self) -> None:
        self._sectors: dict[str, str] = {}

    def sectors(self) -> dict[str, str]:
        return self._sectors

    def replace(self, sectors: dict[str, str]) -> None:
        self._sectors = sectors

    def seed(self, sectors: dict[str, str]) -> None:
        """The stored universe, until a run of this process has set its own."""
        if not self._sectors:
            self._sectors = sectors


def watch_window(now: datetime) -> tuple[datetime, datetime] | None:
    """The 04:00-20:00 ET extended hours containing `now`, or None outside them (nights, weekends,
    holidays)."""
    if now.tzinfo is None:
        raise ValueError("a timezone-aware datetime is required")
    day = now.astimezone(NEW_YORK).date()
    if not is_session(day):
        return None
    bounds = session_bounds(day)
    if bounds.extended_open <= now < bounds.extended_close:
        return bounds.extended_open, bounds.extended_close
    return None


def next_poll_at(
    now: datetime,
    poll_interval_secs: float = MOVE_POLL_INTERVAL_SECS,
    anchor_lag_secs: float = DEFAULT_ANCHOR_LAG_SECS,
) -> datetime:
    """When to poll after a poll (or a wake-up) at `now`, in UTC.

    Inside extended hours: `poll_interval_secs` later, or earlier at 04:00:00 / 09:30:00 ET plus
    `anchor_lag_secs` when one of those instants comes first. Past 20:00 ET, and outside a session's
    extended hours, the next session's 04:00:00 ET plus the lag (weekends and holidays are skipped).
    """
    if now.tzinfo is None:
        raise ValueError("a timezone-aware datetime is required")
    if poll_interval_secs <= 0:
        raise ValueError("the poll interval must be positive")
    if anchor_lag_secs < 0:
        raise ValueError("the anchor lag cannot be negative")
    # In UTC, so that adding seconds is real elapsed time even across a DST change.
    now = now.astimezone(UTC)
    lag = timedelta(seconds=anchor_lag_secs)
    day = now.astimezone(NEW_YORK).date()
    if is_session(day):
        bounds = session_bounds(day)
        if now < bounds.extended_close:
            anchors = [anchor.astimezone(UTC) + lag for anchor in (bounds.extended_open, bounds.regular_open)]
            upcoming = [anchor for anchor in anchors if anchor > now]
            if now < bounds.extended_open:
                return upcoming[0]
            candidate = min([now + timedelta(seconds=poll_interval_secs), *upcoming])
            if candidate < bounds.extended_close:
                return candidate
    return session_bounds(next_session(day)).extended_open.astimezone(UTC) + lag


class MoveWatcher:
    def __init__(
        self,
        provider: MarketDataProvider,
        clock: Clock,
        universe: UniverseCallable,
        on_moves: MovesCallable,
        poll_interval_secs: float = MOVE_POLL_INTERVAL_SECS,
        *,
        threshold_pct: float = SIGNIFICANT_MOVE_PCT,
        bars_cache: DailyBarsCache | None = None,
        anchor_lag_secs: float = DEFAULT_ANCHOR_LAG_SECS,
        clock_speed: float = 1.0,
        max_sleep_secs: float = 60.0,
        sleep: SleepCallable = asyncio.sleep,
        lease: Lease | None = None,
        vendor_calls: BoundedExecutor,
        on_snapshot: Callable[[IntradaySnapshot], None] | None = None,
    ) -> None:
        if poll_interval_secs <= 0:
            raise ValueError("the poll interval must be positive")
        if anchor_lag_secs < 0:
            raise ValueError("the anchor lag cannot be negative")
        check_clock_pacing(clock_speed, max_sleep_secs)
        self._provider = provider
        self._clock = clock
        self._universe = universe
        self._on_moves = on_moves
        self.poll_interval_secs = poll_interval_secs
        self.anchor_lag_secs = anchor_lag_secs
        self.clock_speed = clock_speed
        self.max_sleep_secs = max_sleep_secs
        self._sleep = sleep
        self._bars_cache = bars_cache if bars_cache is not None else DailyBarsCache(max_sessions=4)
        self._tracker = MoveTracker(threshold_pct)
        # The full-market previous closes of one session: (session, symbols, closes).
        self._previous_close: tuple[date, StrArray, FloatArray] | None = None
        self._task: asyncio.Task[None] | None = None
        # None: this process is the only watcher.
        self._lease = lease
        self._vendor_calls = vendor_calls
        # Each snapshot polled is handed on (the scanner reuses it rather than asking again).
        self._on_snapshot = on_snapshot
        self.polls = 0
        self.failures = 0
        # A vendor outage fails every poll: its traceback is logged once, then its end.
        self._poll_log = StateLog(logger, logging.ERROR)

    def _now(self) -> datetime:
        return self._clock.now().astimezone(UTC)

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def tracker(self) -> MoveTracker:
        return self._tracker

    async def start(self) -> None:
        if self.running:
            return
        self._task = asyncio.create_task(self._loop(), name="sectorlights-move-watcher")

    async def stop(self) -> None:
        task, self._task = self._task, None
        await stop_task(task)
        if self._lease is not None:
            await self._lease.release()

    def next_poll_at(self, now: datetime) -> datetime:
        return next_poll_at(now, self.poll_interval_secs, self.anchor_lag_secs)

    async def poll_once(self, now: datetime) -> list[SectoredMove]:
        """One poll at `now`: the new significant moves of universe stocks, with their sectors, also
        handed to `on_moves` when there are any. Nothing (and no provider call) outside extended hours."""
        if watch_window(now) is None:
            return []
        snapshot = await self._vendor_calls.run(self._provider.intraday_snapshot, now)
        validate_snapshot(snapshot)
        if self._on_snapshot is not None:
            self._on_snapshot(snapshot)
        expected = now.astimezone(NEW_YORK).date()
        if snapshot.session != expected:
            logger.info(
                "move watcher: the snapshot at %s is of session %s, not %s yet; skipped",
                now.isoformat(),
                snapshot.session.isoformat(),
                expected.isoformat(),
            )
            return []
        universe = self._universe()
        if not universe:
            return []
        symbols = np.array(sorted(universe), dtype=np.str_)
        close_symbols, closes = await self._previous_closes(snapshot)
        moves = self._tracker.observe(
            snapshot.session,
            symbols,
            aligned(symbols, close_symbols, closes),
            aligned(symbols, snapshot.symbols, snapshot.last_price),
        )
        found = [(move, universe[move.symbol]) for move in moves]
        if found:
            logger.info(
                "move watcher: %d significant move(s) at %s: %s",
                len(found),
                now.isoformat(),
                ", ".join(f"{move.symbol} {move.change_pct:+.1f}%" for move, _ in found),
            )
            await self._on_moves(found)
        return found

    async def _previous_closes(self, snapshot: IntradaySnapshot) -> tuple[StrArray, FloatArray]:
        """The whole market's regular closes of the session before the snapshot's (fetched once a session)."""
        cached = self._previous_close
        if cached is not None and cached[0] == snapshot.session:
            return cached[1], cached[2]
        earlier = previous_sessions(snapshot.session, 1)
        if not earlier:
            raise ValueError(f"no session before {snapshot.session.isoformat()}")
        bar_sets = await self._vendor_calls.run(self._bars_cache.fetch, self._provider, earlier)
        if not bar_sets:
            raise ValueError(f"the provider has no daily bars for {earlier[0].isoformat()}")
        bars = bar_sets[0]
        symbols, closes = bars.symbols, np.asarray(bars.close, dtype=np.float64)
        self._previous_close = (snapshot.session, symbols, closes)
        return symbols, closes

    async def _loop(self) -> None:
        while True:
            started = self._now()
            if watch_window(started) is not None and (self._lease is None or await self._lease.hold()):
                await self._guarded_poll(started)
            await self._sleep_until(self.next_poll_at(started))

    async def _guarded_poll(self, now: datetime) -> None:
        """One poll; a failure is logged and the next interval tries again."""
        self.polls += 1
        try:
            await self.poll_once(now)
        except asyncio.CancelledError:
            raise
        except Exception:
            self.failures += 1
            self._poll_log.failed(
                "move watcher: the poll at %s failed; retrying next interval", now.isoformat(), exc_info=True
            )
        else:
            self._poll_log.recovered("move watcher: polls succeed again")

    async def _sleep_until(self, at: datetime) -> None:
        await sleep_until(at, self._now, self.clock_speed, self.max_sleep_secs, self._sleep)
