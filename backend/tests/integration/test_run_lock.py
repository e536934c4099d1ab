"""One run per scheduled instant across replicas sharing one PostgreSQL database or one Redis."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

import pytest
import redis
from sqlalchemy import text

from sectorlights.core.clock import AcceleratedClock
from sectorlights.domain.sessions import NEW_YORK
from sectorlights.domain.snapshot import RunTrigger
from sectorlights.engine.leader import (
    MemoryClaimStore,
    MemoryRunLock,
    RedisRunLock,
    RunLock,
    create_run_lock,
)
from sectorlights.engine.leader_postgres import PostgresRunLock, advisory_lock_id
from sectorlights.engine.schedule import fire_times
from sectorlights.engine.scheduler import AnalysisScheduler, FireStatus, SchedulerSettings
from sectorlights.storage.database import create_database_engine


class LockFactory(Protocol):
    def __call__(self, instance: str | None = None) -> RunLock: ...


@pytest.fixture(params=["memory", "redis", "postgresql"])
async def lock_factory(request: pytest.FixtureRequest) -> AsyncIterator[LockFactory]:
    """Makes one lock per replica; all of them share one backend (memory: one shared instance)."""
    async with AsyncExitStack() as stack:
        if request.param == "memory":
            store = MemoryClaimStore()
            yield lambda instance=None: MemoryRunLock(store, instance=instance)
            return
        if request.param == "redis":
            url = request.getfixturevalue("redis_url")
            redis.Redis.from_url(url).flushdb()

            def redis_lock(instance: str | None = None) -> RunLock:
                lock = RedisRunLock(url, instance=instance)
                stack.push_async_callback(lock.close)
                return lock

            yield redis_lock
            return
        url = request.getfixturevalue("postgres_url")

        def postgres_lock(instance: str | None = None) -> RunLock:
            # A separate engine per replica, as separate processes would have.
            engine = create_database_engine(url)
            stack.callback(engine.dispose)
            lock = PostgresRunLock(engine)
            stack.push_async_callback(lock.close)
            return lock

        yield postgres_lock


async def test_a_claim_is_won_once(lock_factory: LockFactory) -> None:
    first, second = lock_factory(), lock_factory()
    key = "scheduled:2026-11-24T04:00:00-05:00"
    results = await asyncio.gather(*(lock.claim(key, 30.0) for lock in (first, second, first, second)))
    assert results.count(True) == 1
    # A different instant is independent.
    assert await second.claim("scheduled:2026-11-24T04:30:00-05:00", 30.0)


async def test_a_restarted_instance_takes_back_the_claims_of_its_dead_self(
    lock_factory: LockFactory, request: pytest.FixtureRequest
) -> None:
    """Killed mid-run, a replica leaves its claim on the instant behind; started again under the
    same instance name it can claim it (and run it) again, while the other replica still cannot."""
    key = "scheduled:2026-11-30T12:00:00-05:00"
    killed, other = lock_factory(instance="vm:8001"), lock_factory(instance="vm:8002")
    assert await killed.claim(key, 3600.0)
    if request.node.callspec.params["lock_factory"] == "postgresql":
        await killed.close()  # a dead process's session ends, and its advisory locks with it
    restarted = lock_factory(instance="vm:8001")
    assert await restarted.claim(key, 3600.0)
    assert not await other.claim(key, 3600.0)
    assert not await restarted.claim(key, 3600.0)  # won once by this process
    assert not await lock_factory().claim(key, 3600.0)  # no instance name (the CLI): no take-back


async def test_a_claim_can_be_won_again_after_release(lock_factory: LockFactory) -> None:
    first, second = lock_factory(), lock_factory()
    key = "scheduled:2026-11-25T08:00:00-05:00"
    assert await first.claim(key, 30.0)
    assert not await second.claim(key, 30.0)
    await second.release(key)  # not the holder: no effect
    assert not await second.claim(key, 30.0)
    await first.release(key)
    assert await second.claim(key, 30.0)


async def test_a_claim_expires_after_its_ttl(lock_factory: LockFactory) -> None:
    first, second = lock_factory(), lock_factory()
    key = "scheduled:2026-11-27T17:00:00-05:00"
    assert await first.claim(key, 0.2)
    assert not await second.claim(key, 0.2)
    await asyncio.sleep(0.3)
    # PostgreSQL claims are given back by their holder's next call once the TTL has passed.
    await first.claim("scheduled:2026-11-30T04:00:00-05:00", 30.0)
    assert await second.claim(key, 30.0)


async def test_only_the_holder_renews_and_a_renewed_claim_outlives_its_first_ttl(
    lock_factory: LockFactory,
) -> None:
    holder, other = lock_factory(), lock_factory()
    key = "lease:move-watcher"
    assert not await holder.renew(key, 30.0)  # nothing to renew yet
    assert await holder.claim(key, 0.3)
    assert not await other.renew(key, 30.0)
    assert await holder.renew(key, 30.0)
    await asyncio.sleep(0.4)
    await holder.claim("scheduled:2026-12-01T04:00:00-05:00", 30.0)  # PostgreSQL: expire old claims
    assert not await other.claim(key, 30.0)
    assert await holder.renew(key, 30.0)


async def test_a_lapsed_claim_taken_by_another_cannot_be_renewed(lock_factory: LockFactory) -> None:
    holder, other = lock_factory(), lock_factory()
    key = "lease:move-watcher"
    assert await holder.claim(key, 0.2)
    await asyncio.sleep(0.3)
    assert not await holder.renew(key, 30.0)
    await holder.claim("scheduled:2026-12-02T04:00:00-05:00", 30.0)  # PostgreSQL: expire old claims
    assert await other.claim(key, 30.0)
    assert not await holder.renew(key, 30.0)
    assert await other.renew(key, 30.0)


@pytest.mark.parametrize("skew_secs", [0.0, 300.0])
async def test_racing_schedulers_run_each_instant_exactly_once(
    lock_factory: LockFactory, skew_secs: float
) -> None:
    """Two replicas on accelerated clocks; the second is `skew_secs` behind, so it reaches each
    instant after the first has finished running it, which the claim must still refuse."""
    speed = 6000.0  # an instant comes every 0.3 real seconds
    start = datetime(2026, 11, 24, 3, 55, tzinfo=NEW_YORK)  # 50 ms of real time before 04:00
    calls: list[tuple[str, datetime]] = []
    # Load the calendar's days first: a first-time look-up could delay a wake-up past an instant.
    fire_times(start - timedelta(days=1), start + timedelta(days=2))

    def runner(name: str) -> Callable[[RunTrigger, datetime], Awaitable[None]]:
        async def run(trigger: RunTrigger, scheduled_for: datetime) -> None:
            assert trigger is RunTrigger.SCHEDULED
            calls.append((name, scheduled_for))
            await asyncio.sleep(0.02)  # two market minutes at this speed

        return run

    settings = SchedulerSettings(
        retry_delays_secs=(0.01,),
        claim_ttl_secs=60.0,
        clock_speed=speed,
        max_sleep_secs=0.02,
        run_missed_on_start=False,
    )
    replicas = [
        AnalysisScheduler(
            runner(name), AcceleratedClock(start - timedelta(seconds=skew), speed), lock_factory(), settings
        )
        for name, skew in (("first", 0.0), ("second", skew_secs))
    ]
    observer = AcceleratedClock(start, speed)
    for replica in replicas:
        await replica.start()
    await asyncio.sleep(2.0)
    end = observer.now()
    for replica in replicas:
        await replica.stop()

    counts = Counter(instant for _, instant in calls)
    assert counts and max(counts.values()) == 1, counts
    # Every instant both replicas have certainly passed (and finished) was run by one of them.
    settled = [run.at for run in fire_times(start, end - timedelta(seconds=skew_secs + 600))]
    assert len(settled) >= 5
    assert set(settled) <= set(counts)
    skipped = Counter(
        outcome.scheduled.at
        for replica in replicas
        for outcome in replica.outcomes
        if outcome.status is FireStatus.CLAIMED_ELSEWHERE
    )
    assert all(skipped[instant] == 1 for instant in settled)


async def test_postgres_claims_are_session_advisory_locks(postgres_url: str) -> None:
    engine = create_database_engine(postgres_url)
    lock = PostgresRunLock(engine)
    key = "scheduled:2026-12-24T17:00:00-05:00"
    try:
        assert await lock.claim(key, 30.0)
        # Advisory locks are re-entrant within a session, so the holder itself must be refused too.
        assert not await lock.claim(key, 30.0)
        with engine.connect() as other_session:
            won = other_session.execute(
                text("SELECT pg_try_advisory_lock(:lock_id)"), {"lock_id": advisory_lock_id(key)}
            ).scalar_one()
            assert won is False
        await lock.close()
        # Closing the lock's session gives its claims back.
        with engine.connect() as other_session:
            won = other_session.execute(
                text("SELECT pg_try_advisory_lock(:lock_id)"), {"lock_id": advisory_lock_id(key)}
            ).scalar_one()
            assert won is True
            other_session.execute(text("SELECT pg_advisory_unlock_all()"))
    finally:
        await lock.close()
        engine.dispose()


def test_create_run_lock_prefers_redis_then_postgresql_then_memory(tmp_path: Path) -> None:
    postgres = create_database_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    sqlite = create_database_engine(f"sqlite:///{tmp_path / 'test.db'}")
    try:
        assert isinstance(create_run_lock(postgres, "redis://127.0.0.1:1/0"), RedisRunLock)
        assert isinstance(create_run_lock(postgres, None), PostgresRunLock)
        assert isinstance(create_run_lock(sqlite, None), MemoryRunLock)
        assert isinstance(create_run_lock(None, ""), MemoryRunLock)
    finally:
        postgres.dispose()
        sqlite.dispose()
