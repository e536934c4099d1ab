"""One action-limit contract (a bucket per action and caller), run against the in-process buckets
and the Redis ones.

A "replica" is a limiter: on Redis each replica has its own client on the shared server, in memory
the replicas of one process are one limiter. Either way a user's allowance is one, not one per replica.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Callable

import pytest
import redis

from sectorlights.engine.action_limits import (
    ActionLimiter,
    ActionLimitError,
    MemoryActionLimiter,
    RedisActionLimiter,
    create_action_limiter,
)
from tests.services import free_port

Replica = Callable[[float, float], ActionLimiter]


@pytest.fixture(params=["memory", "redis"])
async def replica(request: pytest.FixtureRequest) -> AsyncIterator[Replica]:
    made: list[ActionLimiter] = []
    if request.param == "memory":
        shared: dict[tuple[float, float], ActionLimiter] = {}

        def memory(per_minute: float, burst: float) -> ActionLimiter:
            return shared.setdefault((per_minute, burst), MemoryActionLimiter(per_minute, burst))

        yield memory
        return
    url = request.getfixturevalue("redis_url")
    redis.Redis.from_url(url).flushdb()

    def on_redis(per_minute: float, burst: float) -> ActionLimiter:
        limiter = RedisActionLimiter(url, per_minute, burst)
        made.append(limiter)
        return limiter

    yield on_redis
    for limiter in made:
        await limiter.close()


def user() -> str:
    return f"user-{uuid.uuid4().hex[:8]}"


@pytest.mark.parametrize(("per_minute", "burst"), [(6.0, 1.0), (6.0, 3.0), (1.0, 2.0)])
async def test_a_burst_then_a_refusal_with_the_wait(
    replica: Replica, per_minute: float, burst: float
) -> None:
    limiter, alice = replica(per_minute, burst), user()
    for _ in range(int(burst)):
        await limiter.take("analysis", alice)
    with pytest.raises(ActionLimitError) as refused:
        await limiter.take("analysis", alice)
    spacing_secs = 60.0 / per_minute
    assert 1 <= refused.value.retry_after_secs <= spacing_secs
    assert f"at most {per_minute:g} a minute" in str(refused.value)
    await limiter.take("analysis", user())  # another user has an allowance of their own


async def test_replicas_share_one_allowance(replica: Replica) -> None:
    one, other, alice = replica(6.0, 3.0), replica(6.0, 3.0), user()
    await one.take("analysis", alice)
    await other.take("analysis", alice)
    await one.take("analysis", alice)
    for limiter in (one, other):
        with pytest.raises(ActionLimitError):
            await limiter.take("analysis", alice)


async def test_a_refusal_costs_nothing_and_the_bucket_refills(replica: Replica) -> None:
    limiter, alice = replica(600.0, 1.0), user()  # one action every 0.1 s
    await limiter.take("analysis", alice)
    for _ in range(5):
        with pytest.raises(ActionLimitError):
            await limiter.take("analysis", alice)
    await asyncio.sleep(0.25)
    await limiter.take("analysis", alice)


async def test_an_unreachable_redis_allows_actions_and_says_so_once(caplog: pytest.LogCaptureFixture) -> None:
    limiter = RedisActionLimiter(f"redis://127.0.0.1:{free_port()}/0", 6.0, 1.0, socket_timeout_secs=0.5)
    try:
        with caplog.at_level(logging.WARNING, logger="sectorlights.engine.action_limits"):
            for _ in range(4):
                await limiter.take("analysis", "alice")
    finally:
        await limiter.close()
    assert len([r for r in caplog.records if "redis unreachable" in r.message]) == 1


@pytest.mark.parametrize("per_minute", [0.0, -1.0])
def test_a_non_positive_limit_is_refused(per_minute: float) -> None:
    with pytest.raises(ValueError, match="per_minute must be positive"):
        MemoryActionLimiter(per_minute)
    with pytest.raises(ValueError, match="per_minute must be positive"):
        RedisActionLimiter("redis://127.0.0.1:6379/0", per_minute)


async def test_redis_is_chosen_when_configured(redis_url: str) -> None:
    assert isinstance(create_action_limiter(6.0, None), MemoryActionLimiter)
    shared = create_action_limiter(6.0, redis_url)
    assert isinstance(shared, RedisActionLimiter)
    await shared.close()


async def test_each_action_has_its_own_bucket(replica: Replica) -> None:
    limiter, alice = replica(6.0, 1.0), user()
    await limiter.take("preferences", alice)
    with pytest.raises(ActionLimitError, match="too many preference saves"):
        await limiter.take("preferences", alice)
    # Saving preferences spent nothing of the analyses' or the replays' allowance.
    await limiter.take("analysis", alice)
    await limiter.take("replay", alice)
    with pytest.raises(ActionLimitError, match="too many analyses started"):
        await limiter.take("analysis", alice)
