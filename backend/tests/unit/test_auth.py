"""Bearer-token parsing and the per-user action budget."""

from __future__ import annotations

import pytest
from fastapi import HTTPException

from sectorlights.api.auth import UserRateLimiter, bearer_token


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
    limiter = UserRateLimiter(per_minute=6.0, burst=2.0)
    limiter.take("alice", now_secs=0.0)
    limiter.take("alice", now_secs=0.0)
    with pytest.raises(HTTPException) as raised:
        limiter.take("alice", now_secs=1.0)
    assert raised.value.status_code == 429
    assert raised.value.headers == {"Retry-After": "9"}  # one action per 10 s, 1 s already refilled
    limiter.take("bob", now_secs=1.0)  # another user is unaffected
    limiter.take("alice", now_secs=10.5)  # refilled
    with pytest.raises(HTTPException):
        limiter.take("alice", now_secs=10.6)
