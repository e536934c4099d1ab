"""The scheduler on a controllable clock: order, one claim per instant, retries, missed runs."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from sectorlights.domain.sessions import NEW_YORK
from sectorlights.domain.snapshot import AnalysisRun, RunStatus, RunTrigger
from sectorlights.engine.leader import MemoryRunLock, RunLockError
from sectorlights.engine.schedule import RunKind, fire_times
from sectorlights.engine.scheduler import AnalysisScheduler, FireStatus, SchedulerSettings


def et(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=NEW_YORK)


class SimulatedTime:
    """A clock that only moves when the test says so, and a sleep that waits for it (virtual time)."""

    def __init__(self, start: datetime, speed: float = 1.0) -> None:
        self.at_utc = start.astimezone(UTC)
        # Clock seconds per real second slept, as with an accelerated engine clock.
        self.speed = speed
        self._sleepers: list[tuple[datetime, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self.sleeps_secs: list[float] = []

    @property
    def at(self) -> datetime:
        return self.at_utc.astimezone(NEW_YORK)

    def now(self) -> datetime:
        # New York time on purpose: wall-clock subtraction bugs in the scheduler then show across DST.
        return self.at

    async def sleep(self, secs: float) -> None:
        self.sleeps_secs.append(secs)
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        wake_at = self.at_utc + timedelta(seconds=secs * self.speed)
        heapq.heappush(self._sleepers, (wake_at, next(self._order), future))
        await future

    async def advance_to(self, target: datetime) -> None:
        """Move time forward, waking each sleeper at its instant and letting everyone settle."""
        await settle()
        while self._sleepers and self._sleepers[0][0] <= target:
            wake_at, _, future = heapq.heappop(self._sleepers)
            self.at_utc = max(self.at_utc, wake_at)
            if not future.done():
                future.set_result(None)
            await settle()
        self.at_utc = max(self.at_utc, target.astimezone(UTC))
        await settle()


async def settle() -> None:
    # Everything here awaits only virtual sleeps and in-memory work, so a few turns of the loop suffice.
    for _ in range(20):
        await asyncio.sleep(0)


class FakeRuns:
    """Records each call; the first `failures` calls fail."""

    def __init__(self, time_source: SimulatedTime, failures: int = 0, returns_failed_record: bool = False):
        self.time_source = time_source
        self.failures = failures
        self.returns_failed_record = returns_failed_record
        self.calls: list[tuple[RunTrigger, datetime, datetime]] = []

    async def __call__(self, trigger: RunTrigger, scheduled_for: datetime) -> AnalysisRun:
        self.calls.append((trigger, scheduled_for, self.time_source.now()))
        failed = len(self.calls) <= self.failures
        if failed and not self.returns_failed_record:
            raise RuntimeError(f"provider down (call {len(self.calls)})")
        return AnalysisRun(
            run_id=f"run-{len(self.calls)}",
            trigger=trigger,
            status=RunStatus.FAILED if failed else RunStatus.SUCCEEDED,
            stage="done",
            progress_pct=100.0,
            provider="simulated",
            started_at=self.time_source.now(),
            error="provider down" if failed else None,
        )

    @property
    def instants(self) -> list[datetime]:
        return [instant for _, instant, _ in self.calls]


def make_scheduler(
    time_source: SimulatedTime,
    runs: FakeRuns,
    lock: MemoryRunLock | None = None,
    last_completed_at: datetime | None = None,
    run_missed_on_start: bool = False,
    retry_delays_secs: tuple[float, ...] = (30.0, 60.0),
    max_sleep_secs: float = 3600.0,
) -> AnalysisScheduler:
    async def last_completed() -> datetime | None:
        return last_completed_at

    return AnalysisScheduler(
        runs,
        time_source,
        lock or MemoryRunLock(),
        SchedulerSettings(
            retry_delays_secs=retry_delays_secs,
            run_missed_on_start=run_missed_on_start,
            max_sleep_secs=max_sleep_secs,
        ),
        last_completed_at=last_completed,
        sleep=time_source.sleep,
    )


@pytest.mark.parametrize(
    ("start", "end", "label"),
    [
        (et(2026, 11, 24, 3, 50), et(2026, 11, 25, 9, 0), "an ordinary Tuesday into Wednesday"),
        (et(2026, 11, 25, 19, 0), et(2026, 11, 30, 5, 0), "Thanksgiving, the early close and a weekend"),
        (et(2026, 3, 6, 19, 0), et(2026, 3, 9, 5, 0), "the weekend DST starts"),
        (et(2026, 10, 30, 19, 0), et(2026, 11, 2, 5, 0), "the weekend DST ends"),
        (et(2026, 12, 31, 19, 0), et(2027, 1, 4, 5, 0), "New Year"),
    ],
)
async def test_fires_every_instant_in_order_on_time(start: datetime, end: datetime, label: str) -> None:
    time_source = SimulatedTime(start)
    runs = FakeRuns(time_source)
    scheduler = make_scheduler(time_source, runs)
    await scheduler.start()
    await time_source.advance_to(end)
    await scheduler.stop()
    # The instants strictly after the start, up to and including the end.
    expected = [run.at for run in fire_times(start, end + timedelta(seconds=1)) if run.at > start]
    assert runs.instants == expected, label
    for trigger, scheduled_for, ran_at in runs.calls:
        assert trigger is RunTrigger.SCHEDULED
        # The virtual clock wakes the loop exactly at the instant, in real (UTC) terms.
        assert ran_at.astimezone(UTC) == scheduled_for.astimezone(UTC)
    assert all(outcome.status is FireStatus.SUCCEEDED and not outcome.late for outcome in scheduler.outcomes)


async def test_the_thanksgiving_week_fires_nothing_on_the_holiday_and_stops_at_1700_on_friday() -> None:
    time_source = SimulatedTime(et(2026, 11, 25, 19, 45))
    runs = FakeRuns(time_source)
    scheduler = make_scheduler(time_source, runs)
    await scheduler.start()
    await time_source.advance_to(et(2026, 11, 30, 4, 10))
    await scheduler.stop()
    local_days = {instant.astimezone(NEW_YORK).date().isoformat() for instant in runs.instants}
    assert local_days == {"2026-11-25", "2026-11-27", "2026-11-30"}
    friday = [instant for instant in runs.instants if instant.date().isoformat() == "2026-11-27"]
    assert friday[-1] == et(2026, 11, 27, 17, 0)
    assert runs.instants[0] == et(2026, 11, 25, 20, 0)
    assert runs.instants[-1] == et(2026, 11, 30, 4, 0)


async def test_small_sleep_steps_and_an_accelerated_clock_still_fire_on_the_instant() -> None:
    time_source = SimulatedTime(et(2026, 11, 24, 7, 0), speed=60.0)
    runs = FakeRuns(time_source)
    scheduler = AnalysisScheduler(
        runs,
        time_source,
        MemoryRunLock(),
        SchedulerSettings(run_missed_on_start=False, max_sleep_secs=5.0, clock_speed=60.0),
        sleep=time_source.sleep,
    )
    await scheduler.start()
    await time_source.advance_to(et(2026, 11, 24, 8, 1))
    await scheduler.stop()
    assert runs.instants == [et(2026, 11, 24, 7, 30), et(2026, 11, 24, 8, 0)]
    # At 60x a real sleep of 5 s covers 5 clock minutes, so 30 minutes take 6 sleeps, none longer.
    assert max(time_source.sleeps_secs) == pytest.approx(5.0)


async def test_two_schedulers_sharing_a_lock_run_each_instant_once() -> None:
    time_source = SimulatedTime(et(2026, 11, 24, 3, 50))
    runs = FakeRuns(time_source)
    lock = MemoryRunLock()
    first, second = make_scheduler(time_source, runs, lock), make_scheduler(time_source, runs, lock)
    await first.start()
    await second.start()
    await time_source.advance_to(et(2026, 11, 24, 12, 0))
    await first.stop()
    await second.stop()
    expected = [run.at for run in fire_times(et(2026, 11, 24, 3, 50), et(2026, 11, 24, 12, 1))]
    assert sorted(runs.instants) == expected
    assert max(Counter(runs.instants).values()) == 1
    skipped = [
        outcome.scheduled.at
        for scheduler in (first, second)
        for outcome in scheduler.outcomes
        if outcome.status is FireStatus.CLAIMED_ELSEWHERE
    ]
    assert sorted(skipped) == expected


async def test_a_failed_run_is_retried_with_backoff_then_succeeds() -> None:
    time_source = SimulatedTime(et(2026, 11, 24, 7, 50))
    runs = FakeRuns(time_source, failures=2)
    scheduler = make_scheduler(time_source, runs, retry_delays_secs=(30.0, 60.0))
    await scheduler.start()
    await time_source.advance_to(et(2026, 11, 24, 8, 5))
    await scheduler.stop()
    attempts_at = [ran_at for _, _, ran_at in runs.calls]
    assert attempts_at == [
        et(2026, 11, 24, 8, 0),
        et(2026, 11, 24, 8, 0) + timedelta(seconds=30),
        et(2026, 11, 24, 8, 1) + timedelta(seconds=30),
    ]
    assert [outcome.status for outcome in scheduler.outcomes] == [FireStatus.SUCCEEDED]
    assert scheduler.outcomes[0].attempts == 3


@pytest.mark.parametrize("returns_failed_record", [False, True])
async def test_a_run_that_keeps_failing_is_given_up_with_its_error(
    returns_failed_record: bool, caplog: pytest.LogCaptureFixture
) -> None:
    time_source = SimulatedTime(et(2026, 11, 24, 7, 50))
    runs = FakeRuns(time_source, failures=99, returns_failed_record=returns_failed_record)
    scheduler = make_scheduler(time_source, runs, retry_delays_secs=(30.0, 60.0))
    await scheduler.start()
    await time_source.advance_to(et(2026, 11, 24, 8, 10))
    await scheduler.stop()
    assert len(runs.calls) == 3
    (outcome,) = scheduler.outcomes
    assert outcome.status is FireStatus.FAILED
    assert outcome.attempts == 3
    assert outcome.error is not None and "provider down" in outcome.error
    assert "retrying in 30.0 s" in caplog.text
    assert "giving up" in caplog.text


async def test_retries_stop_when_the_next_instant_is_due() -> None:
    time_source = SimulatedTime(et(2026, 11, 24, 7, 50))
    runs = FakeRuns(time_source, failures=2)
    # The 40-minute back-off overruns the 08:30 refresh, which then supersedes further retries.
    scheduler = make_scheduler(time_source, runs, retry_delays_secs=(2400.0, 60.0))
    await scheduler.start()
    await time_source.advance_to(et(2026, 11, 24, 8, 45))
    await scheduler.stop()
    # 08:00 fails, fails again at 08:40 and is given up; 08:30 passed meanwhile and runs at once.
    assert runs.instants == [et(2026, 11, 24, 8, 0), et(2026, 11, 24, 8, 0), et(2026, 11, 24, 8, 30)]
    assert [ran_at for _, _, ran_at in runs.calls] == [
        et(2026, 11, 24, 8, 0),
        et(2026, 11, 24, 8, 40),
        et(2026, 11, 24, 8, 40),
    ]
    failed, succeeded = scheduler.outcomes
    assert (failed.status, failed.attempts) == (FireStatus.FAILED, 2)
    assert succeeded.status is FireStatus.SUCCEEDED and succeeded.late


async def test_a_missed_full_run_runs_on_start_up() -> None:
    # Down from 03:00 to 05:10: the 04:00 full run is still current, so it runs at once, late.
    time_source = SimulatedTime(et(2026, 11, 24, 5, 10))
    runs = FakeRuns(time_source)
    scheduler = make_scheduler(
        time_source, runs, last_completed_at=et(2026, 11, 24, 3, 0), run_missed_on_start=True
    )
    await scheduler.start()
    await time_source.advance_to(et(2026, 11, 24, 5, 31))
    await scheduler.stop()
    assert runs.instants == [et(2026, 11, 24, 4, 0), et(2026, 11, 24, 5, 30)]
    assert runs.calls[0][2] == et(2026, 11, 24, 5, 10)
    assert scheduler.outcomes[0].late and not scheduler.outcomes[1].late


async def test_no_missed_run_when_the_latest_instant_already_ran() -> None:
    time_source = SimulatedTime(et(2026, 11, 24, 5, 10))
    runs = FakeRuns(time_source)
    scheduler = make_scheduler(
        time_source,
        runs,
        last_completed_at=et(2026, 11, 24, 5, 0) + timedelta(seconds=3),
        run_missed_on_start=True,
    )
    await scheduler.start()
    await time_source.advance_to(et(2026, 11, 24, 5, 20))
    await scheduler.stop()
    assert runs.calls == []


async def test_a_missed_run_claimed_elsewhere_is_not_run_twice() -> None:
    time_source = SimulatedTime(et(2026, 11, 28, 9, 0))  # Saturday, after Friday's 17:00 early close
    runs = FakeRuns(time_source)
    lock = MemoryRunLock()
    replicas = [
        make_scheduler(
            time_source, runs, lock, last_completed_at=et(2026, 11, 27, 16, 30), run_missed_on_start=True
        )
        for _ in range(3)
    ]
    for replica in replicas:
        await replica.start()
    await time_source.advance_to(et(2026, 11, 28, 10, 0))
    for replica in replicas:
        await replica.stop()
    assert runs.instants == [et(2026, 11, 27, 17, 0)]


async def test_after_a_long_stall_only_the_latest_useful_instant_runs() -> None:
    time_source = SimulatedTime(et(2026, 11, 24, 9, 50))
    runs = FakeRuns(time_source)
    scheduler = make_scheduler(time_source, runs)
    await scheduler.start()
    await settle()
    # The host was suspended for two hours: the loop wakes late, once.
    time_source.at_utc = et(2026, 11, 24, 12, 10).astimezone(UTC)
    await time_source.advance_to(et(2026, 11, 24, 12, 10))
    await scheduler.stop()
    assert runs.instants == [et(2026, 11, 24, 12, 0)]
    too_late = [
        outcome.scheduled.at for outcome in scheduler.outcomes if outcome.status is FireStatus.TOO_LATE
    ]
    assert too_late == [run.at for run in fire_times(et(2026, 11, 24, 10, 0), et(2026, 11, 24, 12, 0))]


async def test_an_unreachable_lock_skips_the_instant_rather_than_risk_running_it_twice() -> None:
    class BrokenLock(MemoryRunLock):
        async def claim(self, key: str, ttl_secs: float) -> bool:
            raise RunLockError("redis unreachable")

    time_source = SimulatedTime(et(2026, 11, 24, 7, 50))
    runs = FakeRuns(time_source)
    scheduler = make_scheduler(time_source, runs, BrokenLock())
    await scheduler.start()
    await time_source.advance_to(et(2026, 11, 24, 8, 5))
    await scheduler.stop()
    assert runs.calls == []
    assert [outcome.status for outcome in scheduler.outcomes] == [FireStatus.LOCK_UNAVAILABLE]
    # The claim was tried again after each retry delay before the instant was given up.
    assert scheduler.outcomes[0].attempts == 3


async def test_a_lock_back_within_the_retry_delays_still_runs_the_instant_once() -> None:
    """Redis restarting across an instant (a few seconds): the claim is tried again after each retry
    delay, and once Redis answers the instant runs, rather than being skipped by every replica."""

    class RestartingLock(MemoryRunLock):
        claims = 0

        async def claim(self, key: str, ttl_secs: float) -> bool:
            RestartingLock.claims += 1
            if RestartingLock.claims <= 2:
                raise RunLockError("redis claim: Error 111 connecting")
            return await super().claim(key, ttl_secs)

    time_source = SimulatedTime(et(2026, 11, 24, 7, 50))
    runs = FakeRuns(time_source)
    scheduler = make_scheduler(time_source, runs, RestartingLock(), retry_delays_secs=(30.0, 60.0))
    await scheduler.start()
    await time_source.advance_to(et(2026, 11, 24, 8, 5))
    await scheduler.stop()
    assert runs.instants == [et(2026, 11, 24, 8, 0)]
    # Claimed at the third try, 30 + 60 s after the instant.
    assert [ran_at for _, _, ran_at in runs.calls] == [et(2026, 11, 24, 8, 0) + timedelta(seconds=90)]
    assert [outcome.status for outcome in scheduler.outcomes] == [FireStatus.SUCCEEDED]


def test_next_runs_lists_the_upcoming_instants_from_the_clock() -> None:
    time_source = SimulatedTime(et(2026, 11, 27, 16, 10))
    scheduler = make_scheduler(time_source, FakeRuns(time_source))
    upcoming = scheduler.next_runs(3)
    assert [(run.at, run.kind) for run in upcoming] == [
        (et(2026, 11, 27, 16, 30), RunKind.INTRADAY),
        (et(2026, 11, 27, 17, 0), RunKind.FULL),
        (et(2026, 11, 30, 4, 0), RunKind.FULL),
    ]


def test_settings_are_validated() -> None:
    with pytest.raises(ValueError):
        SchedulerSettings(clock_speed=0)
    with pytest.raises(ValueError):
        SchedulerSettings(retry_delays_secs=(-1.0,))


async def test_an_unexpected_error_is_logged_and_the_loop_goes_on(caplog: pytest.LogCaptureFixture) -> None:
    class FlakyLock(MemoryRunLock):
        calls = 0

        async def claim(self, key: str, ttl_secs: float) -> bool:
            FlakyLock.calls += 1
            if FlakyLock.calls == 1:
                raise ValueError("a bug in a lock")
            return await super().claim(key, ttl_secs)

    async def broken_last_completed() -> datetime | None:
        raise ConnectionError("database down")

    time_source = SimulatedTime(et(2026, 11, 24, 7, 50))
    runs = FakeRuns(time_source)
    scheduler = AnalysisScheduler(
        runs,
        time_source,
        FlakyLock(),
        SchedulerSettings(run_missed_on_start=True, max_sleep_secs=3600.0),
        last_completed_at=broken_last_completed,
        sleep=time_source.sleep,
    )
    await scheduler.start()
    await time_source.advance_to(et(2026, 11, 24, 8, 35))
    assert scheduler.running
    await scheduler.stop()
    assert runs.instants == [et(2026, 11, 24, 8, 30)]
    assert "the missed-run check failed unexpectedly" in caplog.text
    assert "ValueError: a bug in a lock" in caplog.text


async def test_a_late_missed_run_is_still_retried() -> None:
    time_source = SimulatedTime(et(2026, 11, 24, 5, 10))
    runs = FakeRuns(time_source, failures=1)
    scheduler = make_scheduler(
        time_source, runs, last_completed_at=et(2026, 11, 24, 3, 0), run_missed_on_start=True
    )
    await scheduler.start()
    await time_source.advance_to(et(2026, 11, 24, 5, 15))
    await scheduler.stop()
    assert runs.instants == [et(2026, 11, 24, 4, 0), et(2026, 11, 24, 4, 0)]
    assert [ran_at for _, _, ran_at in runs.calls] == [
        et(2026, 11, 24, 5, 10),
        et(2026, 11, 24, 5, 10) + timedelta(seconds=30),
    ]
    assert scheduler.outcomes[0].status is FireStatus.SUCCEEDED
