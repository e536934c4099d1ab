"""Work with one doer across replicas: the move watcher's lease, and the start-up and interval runs
claimed once among replicas. Replicas are locks on one shared in-process claim store whose clock the
test moves."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest

from sectorlights.domain.snapshot import RunTrigger
from sectorlights.engine.background import STARTUP_CLAIM_KEY, Background, interval_claim_key
from sectorlights.engine.leader import MemoryClaimStore, MemoryRunLock, RunLockError
from sectorlights.engine.lease import Lease
from sectorlights.engine.move_watcher import WatchedUniverse
from sectorlights.settings import EngineSettings

KEY = "lease:move-watcher"
# Long enough that the keep-alive task never renews during a test: the test's clock decides.
TTL_SECS = 600.0


class Clock:
    def __init__(self) -> None:
        self.secs = 1000.0

    def __call__(self) -> float:
        return self.secs


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(clock: Clock) -> MemoryClaimStore:
    return MemoryClaimStore(monotonic=clock)


class UnreachableLock(MemoryRunLock):
    async def claim(self, key: str, ttl_secs: float) -> bool:
        raise RunLockError("redis claim: connection refused")

    async def renew(self, key: str, ttl_secs: float) -> bool:
        raise RunLockError("redis renew: connection refused")


async def test_one_replica_holds_the_lease_and_keeps_it(store: MemoryClaimStore, clock: Clock) -> None:
    one, other = Lease(MemoryRunLock(store), KEY, TTL_SECS), Lease(MemoryRunLock(store), KEY, TTL_SECS)
    try:
        assert [await one.hold(), await other.hold()] == [True, False]
        # Renewed by each hold: it outlives its first TTL as long as its holder lives.
        for _ in range(5):
            clock.secs += TTL_SECS * 0.9
            assert [await one.hold(), await other.hold()] == [True, False]
    finally:
        await one.release()
        await other.release()


async def test_a_dead_holder_is_replaced_once_its_lease_lapses(store: MemoryClaimStore, clock: Clock) -> None:
    dead, survivor = Lease(MemoryRunLock(store), KEY, TTL_SECS), Lease(MemoryRunLock(store), KEY, TTL_SECS)
    assert await dead.hold()
    dead_keepalive = dead._keepalive
    assert dead_keepalive is not None
    dead_keepalive.cancel()  # it stops renewing, as a killed process would
    try:
        clock.secs += TTL_SECS - 1
        assert not await survivor.hold()
        clock.secs += 2
        assert await survivor.hold()
        # Should the old holder come back, it finds the lease taken and stands by.
        assert not await dead.hold()
        assert await survivor.hold()
    finally:
        await survivor.release()
        await dead.release()


async def test_a_clean_stop_hands_the_lease_over_at_once(store: MemoryClaimStore) -> None:
    one, other = Lease(MemoryRunLock(store), KEY, TTL_SECS), Lease(MemoryRunLock(store), KEY, TTL_SECS)
    assert await one.hold()
    await one.release()
    assert not one.held
    try:
        assert await other.hold()
    finally:
        await other.release()


async def test_an_unreachable_lock_holds_nothing_and_says_so_once(caplog: pytest.LogCaptureFixture) -> None:
    lease = Lease(UnreachableLock(), KEY, TTL_SECS)
    with caplog.at_level(logging.ERROR, logger="sectorlights.engine.lease"):
        assert [await lease.hold() for _ in range(3)] == [False, False, False]
    assert len([r for r in caplog.records if "cannot be reached" in r.message]) == 1


@pytest.mark.parametrize("ttl_secs", [0.0, -1.0])
def test_a_lease_needs_a_positive_ttl(ttl_secs: float) -> None:
    with pytest.raises(ValueError, match="TTL must be positive"):
        Lease(MemoryRunLock(), KEY, ttl_secs)


# ----- start-up and interval runs -------------------------------------------------------------------


@dataclass
class FakeRuns:
    triggers: list[RunTrigger] = field(default_factory=list)

    async def wait_for(self, run_id: str) -> None:
        return None

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def request_run(self, trigger: RunTrigger) -> SimpleNamespace:
        self.triggers.append(trigger)
        return SimpleNamespace(run_id=f"run-{len(self.triggers)}")


def background(runs: FakeRuns, lock: MemoryRunLock | None) -> Background:
    settings = EngineSettings(schedule="off", run_on_start=True, move_watch=False)
    return Background(runs, None, settings, None, None, WatchedUniverse(), lock)  # type: ignore[arg-type]


async def test_replicas_started_together_share_one_startup_run(store: MemoryClaimStore) -> None:
    replicas = [FakeRuns() for _ in range(3)]
    for runs in replicas:
        await background(runs, MemoryRunLock(store)).start()
    assert sorted(len(runs.triggers) for runs in replicas) == [0, 0, 1]
    assert STARTUP_CLAIM_KEY in store.claims


async def test_without_a_shared_lock_every_process_runs_at_start_up() -> None:
    replicas = [FakeRuns() for _ in range(2)]
    for runs in replicas:
        await background(runs, None).start()
    assert [runs.triggers for runs in replicas] == [[RunTrigger.STARTUP], [RunTrigger.STARTUP]]


async def test_an_unreachable_lock_skips_the_startup_run() -> None:
    runs = FakeRuns()
    await background(runs, UnreachableLock()).start()
    assert runs.triggers == []


@pytest.mark.parametrize(
    ("wall_secs", "interval_secs", "expected"),
    [
        (0.0, 300.0, "interval:300:0"),
        (299.9, 300.0, "interval:300:0"),
        (300.0, 300.0, "interval:300:1"),
        (1_764_842_410.0, 300.0, "interval:300:5882808"),
        (1_764_842_410.0, 60.0, "interval:60:29414040"),
    ],
)
def test_interval_claim_keys_name_the_interval(wall_secs: float, interval_secs: float, expected: str) -> None:
    assert interval_claim_key(wall_secs, interval_secs) == expected


async def test_replicas_run_each_refresh_interval_once(store: MemoryClaimStore) -> None:
    """Three replicas on the interval schedule, started at different moments of one interval: their
    loops wake in the same four intervals, and each interval runs once among them."""
    settings = EngineSettings(
        schedule="interval", refresh_interval_secs=60, run_on_start=False, move_watch=False
    )
    replicas = [FakeRuns() for _ in range(3)]
    for runs, offset_secs in zip(replicas, (0.0, 17.0, 41.0), strict=True):
        wall = {"secs": 1_000_020.0 + offset_secs}  # 1,000,020 s is the start of an interval
        wakes = {"count": 0}

        async def sleep(secs: float, wall: dict[str, float] = wall, wakes: dict[str, int] = wakes) -> None:
            if wakes["count"] == 4:
                raise asyncio.CancelledError
            wakes["count"] += 1
            wall["secs"] += secs

        part = Background(runs, None, settings, None, None, WatchedUniverse(), MemoryRunLock(store))  # type: ignore[arg-type]
        part.wall_secs = lambda wall=wall: wall["secs"]
        part.sleep = sleep
        with pytest.raises(asyncio.CancelledError):
            await part._refresh_loop()
    assert [len(runs.triggers) for runs in replicas] == [4, 0, 0]
    assert all(trigger == RunTrigger.INTERVAL for trigger in replicas[0].triggers)
