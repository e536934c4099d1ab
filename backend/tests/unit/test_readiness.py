"""`/readyz`'s answer: composed from the database and the cache, checked at most once a second however
many probes ask, and "not ready" when the check itself hangs."""

from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace
from typing import Any

import pytest

from sectorlights.domain.responses import CacheStatus, DatabaseStatus
from sectorlights.engine.health import ReadinessProbe, readiness

DATABASE = DatabaseStatus(
    status="ok", dialect="postgresql", timescaledb=False, revision="0008", head="0008", detail="ok"
)
CACHE = CacheStatus(status="ok", backend="redis", detail="ok")


@pytest.mark.parametrize(
    ("database", "cache", "status", "reason"),
    [
        ({}, {}, "ready", None),
        (
            {"status": "error", "detail": "connection refused"},
            {},
            "not_ready",
            "database: connection refused",
        ),
        (
            {"status": "error", "revision": "0007", "detail": "migrations pending: at 0007, head is 0008"},
            {},
            "not_ready",
            "database: migrations pending: at 0007, head is 0008",
        ),
        # A newer release migrated it (a rolling upgrade): this replica still serves.
        ({"revision": "0009", "detail": "ahead: at 0009"}, {}, "ready", None),
        ({}, {"status": "error", "detail": "redis down"}, "not_ready", "cache: redis down"),
        (
            {"status": "error", "detail": "timeout"},
            {"status": "error", "detail": "redis down"},
            "not_ready",
            "database: timeout; cache: redis down",
        ),
    ],
)
def test_readiness_names_every_part_that_is_not_ready(
    database: dict[str, Any], cache: dict[str, Any], status: str, reason: str | None
) -> None:
    answer = readiness(DATABASE.model_copy(update=database), CACHE.model_copy(update=cache))
    assert (answer.status, answer.reason) == (status, reason)


class CountingChecks:
    """HealthChecks' two parts, counting calls; `hang` makes the database check wait forever."""

    def __init__(self) -> None:
        self.calls = 0
        self.hang = asyncio.Event()
        self.revision = "0008"
        self.database_engine = SimpleNamespace(dialect=SimpleNamespace(name="postgresql"))
        self.cache_store = SimpleNamespace(backend="redis")

    async def database(self) -> DatabaseStatus:
        self.calls += 1
        if self.hang.is_set():
            await asyncio.Event().wait()
        await asyncio.sleep(0.01)
        behind = self.revision != DATABASE.head
        return DATABASE.model_copy(
            update={"revision": self.revision, "status": "error" if behind else "ok", "detail": "pending"}
        )

    async def cache(self) -> CacheStatus:
        return CACHE


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _probe(checks: CountingChecks, clock: Clock) -> ReadinessProbe:
    return ReadinessProbe(checks, max_age_secs=1.0, check_timeout_secs=0.2, monotonic=clock)  # type: ignore[arg-type]


def test_fifty_probes_at_once_cost_one_check_and_get_the_same_body() -> None:
    async def scenario() -> tuple[int, set[bytes]]:
        checks, clock = CountingChecks(), Clock()
        probe = _probe(checks, clock)
        answers = await asyncio.gather(*(probe.current() for _ in range(50)))
        return checks.calls, {body for _ready, body in answers}

    calls, bodies = asyncio.run(scenario())
    assert calls == 1
    [body] = bodies
    assert json.loads(body)["status"] == "ready"


@pytest.mark.parametrize(
    ("elapsed_secs", "checks_expected", "first", "then"),
    [
        # Fresh: reused, no check.
        (0.0, 1, "ready", "ready"),
        (0.99, 1, "ready", "ready"),
        # Due: the probe gets the last answer at once while the check runs; the next one sees it.
        (1.0, 2, "ready", "not_ready"),
        (1.19, 2, "ready", "not_ready"),
        # Too old to stand in for a check that may take its whole timeout: the probe waits for it.
        (1.2, 2, "not_ready", "not_ready"),
        (30.0, 2, "not_ready", "not_ready"),
    ],
)
def test_an_answer_is_reused_for_at_most_its_age(
    elapsed_secs: float, checks_expected: int, first: str, then: str
) -> None:
    async def scenario() -> tuple[int, str, str]:
        checks, clock = CountingChecks(), Clock()
        probe = _probe(checks, clock)
        await probe.current()
        # The database falls behind the code (a rolling upgrade): seen once the answer is old enough.
        checks.revision = "0007"
        clock.now += elapsed_secs
        answered, _body = await probe.current()
        await asyncio.sleep(0.05)  # a check started in the background has finished
        again, _body = await probe.current()
        return checks.calls, answered.status, again.status

    assert asyncio.run(scenario()) == (checks_expected, first, then)


def test_a_check_that_hangs_answers_not_ready_within_its_timeout_and_is_not_repeated() -> None:
    async def scenario() -> tuple[str, str | None, int]:
        checks, clock = CountingChecks(), Clock()
        probe = _probe(checks, clock)
        checks.hang.set()
        first, _ = await probe.current()
        second, _ = await probe.current()
        return second.status, first.reason, checks.calls

    status, reason, calls = asyncio.run(scenario())
    assert status == "not_ready"
    assert reason == "the readiness check did not finish within 0.2 s"
    # The second probe waited on the same check rather than starting another.
    assert calls == 1
