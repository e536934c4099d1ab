"""One request-budget contract, run against the in-process token bucket and the Redis one.

A "handle" is what one client holds; two handles of one name stand for two clients of one vendor
account. The in-process budget is shared by the clients of one process (one instance), the Redis
budget by every process on that Redis (a new client connection per handle, like a replica).

Sleeps are recorded, never slept: a request's turn is when it asked plus the wait it was given, and
the property is that turns are spaced by at least 60 / budget seconds. The slack allowed is the real
time the calls themselves took (measured), so no assertion depends on the machine's speed.
"""

from __future__ import annotations

import itertools
import logging
import math
import threading
import time
import uuid
from collections.abc import Callable, Iterator

import pytest
import redis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sectorlights.providers.resilience import RateLimiter, RequestBudget
from sectorlights.providers.shared_budget import RedisRateLimiter, budget_factory, redis_budgets
from tests.services import free_port

Handle = Callable[[str, float | None], RequestBudget]


class Sleeps:
    """A `sleep` that records instead of sleeping."""

    def __init__(self) -> None:
        self.calls: list[float] = []
        self._lock = threading.Lock()

    def __call__(self, secs: float) -> None:
        with self._lock:
            self.calls.append(secs)


@pytest.fixture(params=["memory", "redis"])
def handles(request: pytest.FixtureRequest) -> Iterator[tuple[Handle, Sleeps]]:
    """`handle(name, per_minute)` for the implementation under test, and the sleeps they asked for."""
    sleeps = Sleeps()
    if request.param == "memory":
        shared: dict[str, RateLimiter] = {}

        def memory(name: str, per_minute: float | None) -> RequestBudget:
            return shared.setdefault(name, RateLimiter(per_minute, sleep=sleeps))

        yield memory, sleeps
        return
    url = request.getfixturevalue("redis_url")
    redis.Redis.from_url(url).flushdb()
    clients: list[redis.Redis] = []

    def replica(name: str, per_minute: float | None) -> RequestBudget:
        client = redis.Redis.from_url(url)
        clients.append(client)
        return RedisRateLimiter(client, name, per_minute, sleep=sleeps)

    yield replica, sleeps
    for client in clients:
        client.close()


def turns(budget: RequestBudget, count: int) -> tuple[list[float], float]:
    """`count` acquisitions: each one's turn (asked at + wait), and the real time they all took."""
    started = time.monotonic()
    found = []
    for _ in range(count):
        asked = time.monotonic()
        found.append(asked + budget.acquire())
    return found, time.monotonic() - started


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.mark.parametrize("per_minute", [6.0, 30.0, 600.0])
def test_requests_are_spaced_by_the_budget(handles: tuple[Handle, Sleeps], per_minute: float) -> None:
    handle, sleeps = handles
    spacing = 60.0 / per_minute
    found, took = turns(handle(unique("spaced"), per_minute), 6)
    gaps = [later - earlier for earlier, later in itertools.pairwise(found)]
    assert all(gap >= spacing - took for gap in gaps), (gaps, spacing, took)
    # The first request goes at once; each later one waits its turn behind the earlier ones, at the
    # budget's pace (the Redis budget keeps a margin of under 2 %, see the test below).
    assert sleeps.calls and len(sleeps.calls) == 5
    assert 5 * spacing - took - 1e-3 <= sleeps.calls[-1] <= 5 * spacing * 1.02 + 1e-3


def test_no_budget_never_waits(handles: tuple[Handle, Sleeps]) -> None:
    handle, sleeps = handles
    budget = handle(unique("free"), None)
    assert [budget.acquire() for _ in range(50)] == [0.0] * 50
    assert sleeps.calls == []


def test_clients_of_one_name_share_the_budget(handles: tuple[Handle, Sleeps]) -> None:
    """Two clients of one account, taking turns: together they are spaced as one client would be."""
    handle, _ = handles
    name = unique("shared")
    one, other = handle(name, 30.0), handle(name, 30.0)
    started = time.monotonic()
    found = []
    for budget in [one, other] * 4:
        asked = time.monotonic()
        found.append(asked + budget.acquire())
    took = time.monotonic() - started
    gaps = [later - earlier for earlier, later in itertools.pairwise(found)]
    assert all(gap >= 2.0 - took for gap in gaps), (gaps, took)


def test_other_names_have_budgets_of_their_own(handles: tuple[Handle, Sleeps]) -> None:
    handle, _ = handles
    first, took = turns(handle(unique("a"), 6.0), 1)
    second, _ = turns(handle(unique("b"), 6.0), 1)
    assert second[0] - first[0] < 10.0 - took


def test_threads_never_share_a_turn(handles: tuple[Handle, Sleeps]) -> None:
    """Eight threads on their own clients: 24 turns, all spaced (the reservation is atomic)."""
    handle, _ = handles
    name = unique("threads")
    found: list[float] = []
    lock = threading.Lock()

    def work() -> None:
        budget = handle(name, 60.0)
        for _ in range(3):
            asked = time.monotonic()
            turn = asked + budget.acquire()
            with lock:
                found.append(turn)

    started = time.monotonic()
    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    took = time.monotonic() - started
    found.sort()
    gaps = [later - earlier for earlier, later in itertools.pairwise(found)]
    assert len(found) == 24
    assert all(gap >= 1.0 - took for gap in gaps), (gaps, took)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    per_minute=st.floats(min_value=1.0, max_value=120.0),
    clients=st.lists(st.integers(min_value=0, max_value=2), min_size=2, max_size=12),
)
def test_any_interleaving_stays_within_the_budget(
    handles: tuple[Handle, Sleeps], per_minute: float, clients: list[int]
) -> None:
    """However up to three clients interleave, no minute holds more than the budget (burst one)."""
    handle, _ = handles
    name = unique("any")
    budgets = [handle(name, per_minute) for _ in range(3)]
    started = time.monotonic()
    found = []
    for index in clients:
        asked = time.monotonic()
        found.append(asked + budgets[index].acquire())
    took = time.monotonic() - started
    found.sort()
    for position, turn in enumerate(found):
        window = [other for other in found[position:] if other < turn + 60.0 - took]
        assert len(window) <= math.ceil(per_minute), (per_minute, len(window))


@pytest.mark.parametrize("per_minute", [0.0, -5.0])
def test_a_non_positive_budget_is_refused(per_minute: float) -> None:
    with pytest.raises(ValueError, match="requests_per_minute must be positive"):
        RateLimiter(per_minute)
    with pytest.raises(ValueError, match="requests_per_minute must be positive"):
        RedisRateLimiter(redis.Redis(), "x", per_minute)


def test_without_redis_each_client_keeps_its_own() -> None:
    budget = budget_factory(None)("polygon", 30.0)
    assert isinstance(budget, RateLimiter) and budget.requests_per_minute == 30.0
    assert budget_factory(None)("polygon", 30.0) is not budget


def test_redis_is_chosen_when_configured(redis_url: str) -> None:
    budget = budget_factory(redis_url)("polygon", 30.0)
    assert isinstance(budget, RedisRateLimiter) and budget.key == "sectorlights:budget:polygon"


def test_redis_going_away_falls_back_to_the_process_budget(caplog: pytest.LogCaptureFixture) -> None:
    """Requests keep their spacing on the process's own bucket, and the outage is logged once."""
    sleeps = Sleeps()
    dead = redis.Redis(port=free_port(), socket_connect_timeout=0.5, socket_timeout=0.5)
    budget = RedisRateLimiter(dead, unique("dead"), 30.0, sleep=sleeps)
    with caplog.at_level(logging.WARNING, logger="sectorlights.providers.shared_budget"):
        found, took = turns(budget, 4)
    gaps = [later - earlier for earlier, later in itertools.pairwise(found)]
    assert all(gap >= 2.0 - took for gap in gaps), (gaps, took)
    assert len([r for r in caplog.records if "redis unreachable" in r.message]) == 1


def test_the_factory_shares_one_bucket_per_name(redis_url: str) -> None:
    budgets = redis_budgets(redis_url)
    name = unique("factory")
    first, second = budgets(name, 30.0), budgets(name, 30.0)
    assert isinstance(first, RedisRateLimiter) and isinstance(second, RedisRateLimiter)
    assert first.key == second.key


@pytest.mark.parametrize(("margin_secs", "expected_spacing_secs"), [(0.0, 2.0), (1.0, 61.0 / 30), (3.0, 2.1)])
def test_the_redis_budget_spaces_requests_by_the_minute_and_its_margin(
    redis_url: str, margin_secs: float, expected_spacing_secs: float
) -> None:
    sleeps = Sleeps()
    client = redis.Redis.from_url(redis_url)
    budget = RedisRateLimiter(client, unique("margin"), 30.0, margin_secs=margin_secs, sleep=sleeps)
    started = time.monotonic()
    for _ in range(4):
        budget.acquire()
    took = time.monotonic() - started
    client.close()
    assert sleeps.calls[-1] == pytest.approx(3 * expected_spacing_secs, abs=took + 1e-3)


def test_a_negative_margin_is_refused() -> None:
    with pytest.raises(ValueError, match="margin_secs cannot be negative"):
        RedisRateLimiter(redis.Redis(), "x", 30.0, margin_secs=-1.0)
