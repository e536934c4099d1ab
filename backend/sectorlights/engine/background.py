"""What runs on its own while the process is up: the start-up run, the market schedule or the
refresh interval, and the move watcher with what a significant move sets off."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sectorlights.core.clock import Clock
from sectorlights.core.tasks import stop_task
from sectorlights.domain.events import EventType
from sectorlights.domain.sessions import current_session
from sectorlights.domain.snapshot import RunTrigger
from sectorlights.engine.leader import RunLock, RunLockError
from sectorlights.engine.move_watcher import MoveWatcher, SectoredMove, WatchedUniverse
from sectorlights.engine.publisher import GridPublisher
from sectorlights.engine.runs import RunCoordinator
from sectorlights.engine.scheduler import AnalysisScheduler
from sectorlights.settings import EngineSettings
from sectorlights.storage.repository import Repository

logger = logging.getLogger(__name__)

# A stock's significant move is claimed for a day: one replica reports it per session.
MOVE_CLAIM_TTL_SECS = 24 * 3600.0
STARTUP_CLAIM_KEY = "startup"
# Replicas started together (a deployment, a scale-up) share one start-up run; a replica restarted
# later than this runs its own.
STARTUP_CLAIM_TTL_SECS = 60.0


def interval_claim_key(wall_secs: float, interval_secs: float) -> str:
    """The refresh interval `wall_secs` (Unix time) falls in: replicas run each one once."""
    return f"interval:{interval_secs:g}:{int(wall_secs // interval_secs)}"


@dataclass(eq=False)
class MoveResponder:
    """The move watcher's `on_moves`: a universe stock's first big move of the session is told to
    the clients, then the market is re-analysed (the run's changes follow as `sector_update` and
    `top_stocks_change`)."""

    clock: Clock
    run_lock: RunLock
    publisher: GridPublisher
    runs: RunCoordinator

    async def on_moves(self, moves: list[SectoredMove]) -> None:
        session = current_session(self.clock.now())
        # Every replica watches; the one that claims a stock's move for the session reports it.
        claimed = [
            (move, sector)
            for move, sector in moves
            if await self.run_lock.claim(f"move:{session.isoformat()}:{move.symbol}", MOVE_CLAIM_TTL_SECS)
        ]
        if not claimed:
            return
        for move, sector in claimed:
            await self.publisher.emit(EventType.SIGNIFICANT_MOVE, move.to_payload() | {"sector": sector})
        logger.info(
            "significant moves: %s; re-analysing",
            ", ".join(f"{move.symbol} {move.change_pct:+.1f}%" for move, _ in claimed[:10]),
        )
        await self.runs.request_run(RunTrigger.SIGNIFICANT_MOVE)


@dataclass(eq=False)
class Background:
    """Starts and stops the engine's background work in order."""

    runs: RunCoordinator
    repository: Repository
    settings: EngineSettings
    # Present when the schedule is "market".
    scheduler: AnalysisScheduler | None
    # Present when moves are watched.
    move_watcher: MoveWatcher | None
    universe: WatchedUniverse
    # Shared with the other replicas: the start-up run and each refresh interval run once among them.
    run_lock: RunLock | None = None
    wall_secs: Callable[[], float] = time.time
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    _loop_task: asyncio.Task[None] | None = field(default=None, init=False, repr=False)

    async def start(self) -> None:
        """Fail the runs a dead process left behind, then start the runs that come on their own."""
        await self.runs.start()
        # The grid is shared, so one start-up run serves every replica started with it.
        if self.settings.run_on_start and await self._claim(
            STARTUP_CLAIM_KEY, STARTUP_CLAIM_TTL_SECS, RunTrigger.STARTUP
        ):
            # Started before the scheduler, so a missed scheduled run finds it in flight and joins it.
            await self.runs.request_run(RunTrigger.STARTUP)
        if self.move_watcher is not None:
            members, _total = await asyncio.to_thread(self.repository.universe_members)
            self.universe.seed({m["symbol"]: m["sector"] for m in members})
            await self.move_watcher.start()
        if self.scheduler is not None:
            await self.scheduler.start()
        elif self.settings.schedule == "interval":
            self._loop_task = asyncio.create_task(self._refresh_loop(), name="sectorlights-refresh")

    async def stop(self) -> None:
        if self.move_watcher is not None:
            await self.move_watcher.stop()
        if self.scheduler is not None:
            await self.scheduler.stop()
        await stop_task(self._loop_task, suppress=(asyncio.CancelledError, Exception))
        await self.runs.stop()

    async def _refresh_loop(self) -> None:
        while True:
            interval_secs = self.settings.refresh_interval_secs
            await self.sleep(interval_secs)
            key = interval_claim_key(self.wall_secs(), interval_secs)
            if await self._claim(key, 2 * interval_secs, RunTrigger.INTERVAL):
                await self._run_logged(RunTrigger.INTERVAL)

    async def _claim(self, key: str, ttl_secs: float, trigger: RunTrigger) -> bool:
        """Whether this replica runs `key`; a lock that cannot be reached skips it, like a scheduled
        instant (on-demand runs keep working)."""
        if self.run_lock is None:
            return True
        try:
            claimed = await self.run_lock.claim(key, ttl_secs)
        except RunLockError as error:
            logger.error("skipping the %s analysis: %s", trigger.value, error)
            return False
        if not claimed:
            logger.info("%s analysis %s claimed by another replica; skipped", trigger.value, key)
        return claimed

    async def _run_logged(self, trigger: RunTrigger) -> None:
        try:
            run = await self.runs.request_run(trigger)
            await self.runs.wait_for(run.run_id)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("%s analysis failed", trigger.value)
