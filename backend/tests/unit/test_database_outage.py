"""A database that stops answering: tokens it confirmed shortly before are still accepted, anything
else is a JSON 503 with Retry-After (never a 500), and the outage is logged once each way."""

from __future__ import annotations

import asyncio
import logging
from types import SimpleNamespace
from typing import cast

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from sectorlights.api.errors import install_error_handlers
from sectorlights.engine.outages import DatabaseUnavailable, DatabaseWatch
from sectorlights.engine.users import UserService
from sectorlights.storage.database import DatabaseError
from sectorlights.storage.users import UserStore

TOKENS = {"alice-token": "alice"}
DOWN = OperationalError("SELECT", {}, Exception("connection refused"))


class FakeStore:
    """The user store of a database that can be switched off."""

    def __init__(self) -> None:
        self.down = False
        self.lookups = 0

    def authenticate(self, token: str) -> str | None:
        self.lookups += 1
        if self.down:
            raise DOWN
        return TOKENS.get(token)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def service() -> tuple[UserService, FakeStore, Clock]:
    store, clock = FakeStore(), Clock()
    return UserService(cast(UserStore, store), token_cache_secs=60.0, monotonic=clock), store, clock


@pytest.mark.parametrize(
    ("seen_before", "secs_since_seen", "token", "answer"),
    [
        # Confirmed shortly before the outage: still accepted.
        (True, 0.0, "alice-token", "alice"),
        (True, 59.0, "alice-token", "alice"),
        # Confirmed too long ago, or never: the database must say, and cannot.
        (True, 61.0, "alice-token", DatabaseUnavailable),
        (False, 0.0, "alice-token", DatabaseUnavailable),
        # An unknown token is never remembered.
        (True, 0.0, "wrong-token", DatabaseUnavailable),
    ],
)
def test_tokens_during_a_database_outage(
    seen_before: bool, secs_since_seen: float, token: str, answer: str | type[Exception]
) -> None:
    users, store, clock = service()
    if seen_before:
        assert asyncio.run(users.authenticate(token)) == TOKENS.get(token)
    store.down = True
    clock.now += secs_since_seen
    if isinstance(answer, str):
        assert asyncio.run(users.authenticate(token)) == answer
    else:
        with pytest.raises(answer):
            asyncio.run(users.authenticate(token))


def test_while_the_database_answers_it_is_asked_every_time() -> None:
    """A token is never accepted from memory while the database can say it was removed."""
    users, store, _clock = service()
    assert asyncio.run(users.authenticate("alice-token")) == "alice"
    TOKENS.pop("alice-token")
    try:
        assert asyncio.run(users.authenticate("alice-token")) is None
    finally:
        TOKENS["alice-token"] = "alice"
    assert store.lookups == 2


def test_once_the_outage_is_known_confirmed_tokens_skip_the_database() -> None:
    users, store, _clock = service()
    asyncio.run(users.authenticate("alice-token"))
    store.down = True
    for _ in range(5):
        assert asyncio.run(users.authenticate("alice-token")) == "alice"
    # The first attempt found the outage; the others did not wait for a connection to fail.
    assert store.lookups == 2
    store.down = False
    users.database_watch.answered()
    assert asyncio.run(users.authenticate("alice-token")) == "alice"
    assert store.lookups == 3


def test_the_outage_is_logged_once_when_it_starts_and_once_when_it_ends(
    caplog: pytest.LogCaptureFixture,
) -> None:
    watch = DatabaseWatch()
    caplog.set_level(logging.INFO, logger="sectorlights.database")
    for _ in range(50):
        watch.failed(DOWN)
    for _ in range(50):
        watch.answered()
    assert [(record.levelname, record.getMessage()) for record in caplog.records] == [
        ("WARNING", "database unavailable, answering 503 until it is back: connection refused"),
        ("INFO", "database answers again (after 50 failures)"),
    ]
    assert not any(record.exc_info for record in caplog.records)


@pytest.mark.parametrize(
    "error",
    [
        DOWN,
        InterfaceError("SELECT", {}, Exception("connection already closed")),
        PoolTimeoutError("QueuePool limit of size 5 overflow 10 reached"),
        DatabaseError("cannot connect to postgresql://db/sectorlights: refused"),
        DatabaseUnavailable("connection refused"),
    ],
)
def test_a_database_error_reaching_a_route_is_a_json_503_with_retry_after(error: Exception) -> None:
    app = FastAPI()
    install_error_handlers(app)
    users, _store, _clock = service()
    app.state.container = SimpleNamespace(users=users)

    @app.get("/api/thing")
    async def _thing() -> None:
        raise error

    with TestClient(app, raise_server_exceptions=False) as client:
        answer = client.get("/api/thing")
    assert answer.status_code == 503, answer.text
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["retry-after"] == "5"
    assert answer.json() == {"detail": "The database is not answering; try again shortly (see Retry-After)."}
    # No connection details in the answer.
    assert "postgresql" not in answer.text and "refused" not in answer.text
