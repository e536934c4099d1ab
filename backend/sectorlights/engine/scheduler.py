"""Fires scheduled analyses (see `engine.schedule`) on the engine's Clock, once across replicas.

Why a small asyncio loop rather than APScheduler's AsyncIOScheduler: APScheduler 3 reads the real
time itself and sleeps in real seconds, so it cannot follow the engine's simulated clock
(SECTORLIGHTS_SIM_NOW / SIM_SPEED), and its cron triggers know nothing of NYSE holidays and early
closes, which would need a custom trigger over `engine.schedule` anyway. One loop over
`schedule.next_fire` on the injected Clock serves real and simulated time alike, so the path the
tests drive with a controllable clock is the path production runs. What APScheduler would add is
covered here: misfires coalesce into the latest still-useful instant (`schedule.missed_run`),
including the instant missed while the process was down, and the loop re-reads the clock at least
every `max_sleep_secs` so a suspended host or a clock step does not oversleep.

Each instant is claimed through a `RunLock` before it runs, so with several replicas exactly one
runs it; a lock that cannot be reached is tried again after each retry delay while the instant is
still the one due (a Redis restart across an instant would otherwise lose it on every replica). A
failed run is retried after each of `retry_delays_secs` (real seconds), unless the next instant is
already due, then given up with the error logged; the run callable records every attempt in
`analysis_runs`.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sectorlights.core.clock import Clock, elapsed_secs
from sectorlights.core.tasks import check_clock_pacing, sleep_until, stop_task
from sectorlights.domain.snapshot import RunStatus, RunTrigger
from sectorlights.engine.leader import DEFAULT_CLAIM_TTL_SECS, RunLock, RunLockError
from sectorlights.engine.schedule import (
    DEFAULT_INTRADAY_USEFUL_SECS,
    ScheduledRun,
    fire_times,
    missed_run,
    next_fire,
    next_fires,
)

logger = logging.getLogger(__name__)

# Runs one analysis; raising, or returning a record whose `status` is failed, counts as a failure.
RunCallable = Callable[[RunTrigger, datetime], Awaitable[object]]
# When the latest successful analysis ran, in the engine clock's time (its `as_of`), or None.
LastCompletedCallable = Callable[[], Awaitable[datetime | None]]
SleepCallable = Callable[[float], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class SchedulerSettings:
    # Real seconds to wait before each retry; (30, 60) means three attempts in all.
    retry_delays_secs: tuple[float, ...] = (30.0, 60.0, 120.0)
    claim_ttl_secs: float = DEFAULT_CLAIM_TTL_SECS
    intraday_useful_secs: float = DEFAULT_INTRADAY_USEFUL_SECS
    run_missed_on_start: bool = True
    # Engine-clock seconds per real second (SECTORLIGHTS_SIM_SPEED), to turn waits into real sleeps.
    clock_speed: float = 1.0
    max_sleep_secs: float = 60.0
    # Engine-clock seconds after its instant that a run still counts as on time rather than late.
    on_time_within_secs: float = 60.0

    def __post_init__(self) -> None:
        check_clock_pacing(self.clock_speed, self.max_sleep_secs)
        if any(delay < 0 for delay in self.retry_delays_secs):
            raise ValueError("retry delays cannot be negative")


class FireStatus(StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CLAIMED_ELSEWHERE = "claimed_elsewhere"
    LOCK_UNAVAILABLE = "lock_unavailable"
    TOO_LATE = "too_late"


@dataclass(frozen=True, slots=True)
class FireOutcome:
    """What happened to one scheduled instant in this process."""

    scheduled: ScheduledRun
    status: FireStatus
    attempts: int
    started_at: datetime
    finished_at: datetime
    late: bool = False
    error: str | None = None


class AnalysisScheduler:
    def __init__(
        self,
        run: RunCallable,
        clock: Clock,
        lock: RunLock,
        settings: SchedulerSettings | None = None,
        last_completed_at: LastCompletedCallable | None = None,
        sleep: SleepCallable = asyncio.sleep,
        history_size: int = 200,
    ) -> None:
        self._run = run
        self._clock = clock
        self._lock = lock
        self.settings = settings or SchedulerSettings()
        self._last_completed_at = last_completed_at
        self._sleep = sleep
        self._task: asyncio.Task[None] | None = None
        self.outcomes: deque[FireOutcome] = deque(maxlen=history_size)

    def _now(self) -> datetime:
        # In UTC, so differences with New York instants are real seconds even across a DST change.
        return self._clock.now().astimezone(UTC)

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def next_runs(self, count: int) -> list[ScheduledRun]:
        """The next `count` scheduled instants after the clock's now, for the API and UI."""
        return next_fires(self._now(), count)

    async def start(self) -> None:
        """Start the loop; a missed instant that is still useful runs first, in the background."""
        if self.running:
            return
        self._task = asyncio.create_task(self._loop(), name="sectorlights-scheduler")

    async def stop(self) -> None:
        """Stop the loop, cancelling a run it is waiting on. The lock belongs to the caller."""
        task, self._task = self._task, None
        await stop_task(task)

    async def _loop(self) -> None:
        cursor = self._now()
        if self.settings.run_missed_on_start:
            await self._guarded(self._run_missed(cursor), "the missed-run check")
        while True:
            upcoming = next_fire(cursor)
            await self._sleep_until(upcoming.at)
            now = self._now()
            # Every instant in (cursor, now] is due; after a slow sleep or a long run there may be several.
            due = [run for run in fire_times(cursor, now + timedelta(microseconds=1)) if run.at > cursor]
            chosen = missed_run(cursor, now, self.settings.intraday_useful_secs)
            for passed in due:
                if passed != chosen:
                    logger.warning(
                        "skipping the %s run scheduled for %s: %s",
                        passed.kind.value,
                        passed.at.isoformat(),
                        "too late to be useful"
                        if chosen is None
                        else f"the run scheduled for {chosen.at.isoformat()} stands for it",
                    )
                    self._record(passed, FireStatus.TOO_LATE, 0, now, late=True)
            cursor = now
            if chosen is not None:
                late = elapsed_secs(chosen.at, now) > self.settings.on_time_within_secs
                await self._guarded(
                    self._fire(chosen, late), f"the run scheduled for {chosen.at.isoformat()}"
                )

    async def _guarded(self, step: Awaitable[None], what: str) -> None:
        """Run one step; an unexpected error is logged and the loop goes on to the next instant."""
        try:
            await step
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("%s failed unexpectedly", what)

    async def _run_missed(self, now: datetime) -> None:
        last_completed = None if self._last_completed_at is None else await self._last_completed_at()
        missed = missed_run(last_completed, now, self.settings.intraday_useful_secs)
        if missed is None:
            return
        logger.info(
            "running the %s run scheduled for %s, missed while stopped (last completed: %s)",
            missed.kind.value,
            missed.at.isoformat(),
            "never" if last_completed is None else last_completed.isoformat(),
        )
        await self._fire(missed, late=True)

    async def _sleep_until(self, at: datetime) -> None:
        await sleep_until(at, self._now, self.settings.clock_speed, self.settings.max_sleep_secs, self._sleep)

    async def _claim(self, scheduled: ScheduledRun, started_at: datetime, late: bool) -> bool | None:
        """Claim the instant; an unreachable lock (Redis restarting) is tried again after each retry
        delay while the instant is still the one due, then the instant is skipped (None): running
        without the lock could run it twice. On-demand runs work meanwhile."""
        delays = self.settings.retry_delays_secs
        for attempt in range(1, len(delays) + 2):
            try:
                return await self._lock.claim(scheduled.key, self.settings.claim_ttl_secs)
            except RunLockError as lock_error:
                error = lock_error
            if attempt > len(delays) or next_fire(started_at).at <= self._now():
                break
            logger.warning(
                "the lock for the run scheduled for %s cannot be reached (attempt %d of %d): %s; "
                "trying again in %.1f s",
                scheduled.at.isoformat(),
                attempt,
                len(delays) + 1,
                error,
                delays[attempt - 1],
            )
            await self._sleep(delays[attempt - 1])
        logger.error("skipping the run scheduled for %s: %s", scheduled.at.isoformat(), error)
        self._record(scheduled, FireStatus.LOCK_UNAVAILABLE, attempt, started_at, late=late, error=str(error))
        return None

    async def _fire(self, scheduled: ScheduledRun, late: bool) -> None:
        started_at = self._now()
        claimed = await self._claim(scheduled, started_at, late)
        if claimed is None:
            return
        if not claimed:
            logger.info("the run scheduled for %s is claimed by another instance", scheduled.at.isoformat())
            self._record(scheduled, FireStatus.CLAIMED_ELSEWHERE, 0, started_at, late=late)
            return
        delays = self.settings.retry_delays_secs
        error = ""
        for attempt in range(1, len(delays) + 2):
            try:
                error = _failure_of(await self._run(RunTrigger.SCHEDULED, scheduled.at)) or ""
            except asyncio.CancelledError:
                raise
            except Exception as exception:
                error = f"{type(exception).__name__}: {exception}"
            if not error:
                self._record(scheduled, FireStatus.SUCCEEDED, attempt, started_at, late=late)
                return
            if attempt > len(delays):
                break
            # Measured from when this fire began, so a missed run being caught up is still retried.
            if next_fire(started_at).at <= self._now():
                logger.warning(
                    "not retrying the run scheduled for %s: the next scheduled run is due",
                    scheduled.at.isoformat(),
                )
                break
            delay_secs = delays[attempt - 1]
            logger.warning(
                "the run scheduled for %s failed (attempt %d of %d): %s; retrying in %.1f s",
                scheduled.at.isoformat(),
                attempt,
                len(delays) + 1,
                error,
                delay_secs,
            )
            await self._sleep(delay_secs)
        logger.error(
            "giving up on the run scheduled for %s after %d attempt(s): %s",
            scheduled.at.isoformat(),
            attempt,
            error,
        )
        self._record(scheduled, FireStatus.FAILED, attempt, started_at, late=late, error=error)

    def _record(
        self,
        scheduled: ScheduledRun,
        status: FireStatus,
        attempts: int,
        started_at: datetime,
        late: bool,
        error: str | None = None,
    ) -> None:
        self.outcomes.append(
            FireOutcome(scheduled, status, attempts, started_at, self._now(), late=late, error=error)
        )


def _failure_of(result: object) -> str | None:
    """The error of a returned run record that failed (RunCoordinator.wait_for returns those)."""
    if getattr(result, "status", None) == RunStatus.FAILED:
        return str(getattr(result, "error", None) or "the run failed")
    return None
