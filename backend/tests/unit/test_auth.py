"""Bearer-token parsing and the action budgets per caller."""

from __future__ import annotations

import pytest
from fastapi import HTTPException

from sectorlights.api.auth import CallerRateLimiter, bearer_token
from sectorlights.engine.action_limits import ActionLimitError, MemoryActionLimiter


@pytest.mark.parametrize(
    ("header", "token"),
    [("Bearer abc", "abc"), ("bearer  abc ", "abc"), ("BEARER x-y_z", "x-y_z")],
)
def test_bearer_tokens(header: str, token: str) -> None:
    assert bearer_token(header) == token


@pytest.mark.parametrize(
    ("header", "message"),
    [(None, "missing"), ("", "missing"), ("Basic abc", "expected `Bearer"), ("Bearer ", "expected `Bearer")],
)
def test_bad_authorization_headers_are_401_naming_the_problem(header: str | None, message: str) -> None:
    with pytest.raises(HTTPException) as raised:
        bearer_token(header)
    assert raised.value.status_code == 401
    assert message in str(raised.value.detail)
    assert raised.value.headers == {"WWW-Authenticate": "Bearer"}


def test_each_user_has_a_bucket_that_refills() -> None:
    limiter = MemoryActionLimiter(per_minute=6.0, burst=2.0)
    limiter.take_at("analysis", "alice", 0.0)
    limiter.take_at("analysis", "alice", 0.0)
    with pytest.raises(ActionLimitError) as raised:
        limiter.take_at("analysis", "alice", 1.0)
    assert raised.value.retry_after_secs == 9  # one action per 10 s, 1 s already refilled
    assert "at most 6 a minute; retry in 9 s" in str(raised.value)
    limiter.take_at("analysis", "bob", 1.0)  # another user is unaffected
    limiter.take_at("preferences", "alice", 1.0)  # and so is another action
    limiter.take_at("analysis", "alice", 10.5)  # refilled
    with pytest.raises(ActionLimitError):
        limiter.take_at("analysis", "alice", 10.6)


def test_full_buckets_are_forgotten_past_the_memory_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sectorlights.engine.action_limits.MAX_MEMORY_BUCKETS", 3)
    limiter = MemoryActionLimiter(per_minute=6.0, burst=1.0)
    for index in range(3):
        limiter.take_at("analysis", f"client 10.0.0.{index}", 0.0)
    limiter.take_at("analysis", "client 10.0.0.9", 100.0)
    # The three older ones have refilled (10 s per action): only the newest bucket is kept.
    assert list(limiter._buckets) == ["analysis:client 10.0.0.9"]
    with pytest.raises(ActionLimitError):
        limiter.take_at("analysis", "client 10.0.0.9", 100.0)


async def test_a_refused_action_is_a_429_with_retry_after() -> None:
    limiter = CallerRateLimiter(MemoryActionLimiter(per_minute=6.0, burst=1.0), "user alice")
    await limiter.take("analysis")
    with pytest.raises(HTTPException) as raised:
        await limiter.take("analysis")
    assert raised.value.status_code == 429
    assert raised.value.headers == {"Retry-After": "10"}
    assert "too many analyses started for user alice" in str(raised.value.detail)
