"""What keeps a `/ws` credential safe: single-use tickets (in memory and on Redis), users removed or
rotated in the store, sockets closed at the heartbeat after their credential stops being current,
and log lines with the secret values redacted."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Set
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine

from sectorlights.core.clock import FrozenClock
from sectorlights.core.log_format import SecretRedactor, log_formatter, redact_secrets
from sectorlights.domain.credentials import UserCredential
from sectorlights.engine.users import UserService
from sectorlights.engine.ws_tickets import MemoryWsTickets, RedisWsTickets, WsTickets
from sectorlights.live.bus import MemoryEventBus
from sectorlights.live.hub import CredentialRevokedError, LiveHub
from sectorlights.storage.users import UserError, UserStore
from tests.conftest import SIM_NOW

ALICE = UserCredential("alice", "a" * 64)
BOB = UserCredential("bob", "b" * 64)


class Clock:
    def __init__(self) -> None:
        self.now_secs = 100.0

    def __call__(self) -> float:
        return self.now_secs


async def test_a_memory_ticket_opens_once_and_expires() -> None:
    clock = Clock()
    tickets = MemoryWsTickets(ttl_secs=30.0, monotonic=clock)
    first, second, late = await tickets.issue(ALICE), await tickets.issue(BOB), await tickets.issue(ALICE)
    assert len({first, second, late}) == 3 and min(len(first), len(second)) >= 40
    assert await tickets.redeem(first) == ALICE
    assert await tickets.redeem(first) is None  # used
    assert await tickets.redeem("made-up") is None
    clock.now_secs += 29.9
    assert await tickets.redeem(second) == BOB
    clock.now_secs += 0.2
    assert await tickets.redeem(late) is None  # expired


async def test_redis_tickets_are_redeemed_once_by_any_replica(redis_url: str) -> None:
    issuer, other = RedisWsTickets(redis_url), RedisWsTickets(redis_url)
    try:
        ticket = await issuer.issue(ALICE)
        # Two replicas racing for the same ticket: exactly one gets it.
        answers = await asyncio.gather(other.redeem(ticket), issuer.redeem(ticket))
        assert sorted(answers, key=lambda answer: answer is None) == [ALICE, None]
        assert await other.redeem(ticket) is None
        keys = await other._client.keys("sectorlights:ws-ticket:*")
        assert ticket not in " ".join(keys)  # stored by digest only
    finally:
        await issuer.close()
        await other.close()


async def test_a_redis_ticket_expires(redis_url: str) -> None:
    tickets: WsTickets = RedisWsTickets(redis_url, ttl_secs=0.05)
    try:
        ticket = await tickets.issue(BOB)
        await asyncio.sleep(0.2)
        assert await tickets.redeem(ticket) is None
    finally:
        await tickets.close()


async def test_removed_and_rotated_users_are_no_longer_current(sqlite_database: Engine) -> None:
    store = UserStore(sqlite_database)
    service = UserService(store)
    tokens = {name: store.add(name, datetime.now(UTC)) for name in ("alice", "bob", "carol")}
    held = {await service.credential(token) for token in tokens.values()}
    assert None not in held and len(held) == 3
    credentials: set[UserCredential] = {item for item in held if item is not None}
    assert await service.current(credentials) == credentials

    store.remove("alice")
    new_bob = store.rotate("bob")
    assert new_bob != tokens["bob"]
    assert store.authenticate(tokens["alice"]) is None
    assert store.authenticate(tokens["bob"]) is None
    assert store.authenticate(new_bob) == "bob"
    assert {item.user for item in await service.current(credentials)} == {"carol"}
    assert store.names() == ["bob", "carol"]
    for change in (store.remove, store.rotate):
        with pytest.raises(UserError, match="no user 'alice'"):
            change("alice")


class Connection:
    def __init__(self) -> None:
        self.messages: list[str] = []

    async def send_text(self, data: str) -> None:
        self.messages.append(data)


async def _until(predicate: Callable[[], bool], within_secs: float = 5.0) -> None:
    deadline = time.monotonic() + within_secs
    while not predicate():
        assert time.monotonic() < deadline, "condition not met"
        await asyncio.sleep(0.005)


@pytest.mark.parametrize(
    ("current", "revoked"),
    [
        # (what the check answers, the users whose sockets are closed)
        (lambda held: held, set()),
        (lambda held: {item for item in held if item.user != "bob"}, {"bob"}),
        (lambda held: set(), {"alice", "bob"}),
    ],
    ids=["all current", "bob removed", "both rotated"],
)
async def test_sockets_of_credentials_no_longer_current_are_closed_at_the_heartbeat(
    current: Callable[[Set[UserCredential]], Set[UserCredential]], revoked: set[str]
) -> None:
    asked: list[Set[UserCredential]] = []

    async def check(held: Set[UserCredential]) -> Set[UserCredential]:
        asked.append(held)
        return current(held)

    async def grid() -> dict[str, Any] | None:
        return {"sectors": []}

    bus = MemoryEventBus()
    hub = LiveHub(bus, grid, FrozenClock(SIM_NOW), heartbeat_secs=0.02, current_credentials=check)
    await hub.start()
    sockets = {"alice": Connection(), "bob": Connection(), "open": Connection()}
    tasks = {
        "alice": asyncio.create_task(hub.serve(sockets["alice"], None, credential=ALICE)),
        "bob": asyncio.create_task(hub.serve(sockets["bob"], None, credential=BOB)),
        # Auth off: no credential, never checked.
        "open": asyncio.create_task(hub.serve(sockets["open"], None)),
    }
    try:
        await _until(lambda: len(asked) >= 1)
        assert {ALICE, BOB} in asked and all(held <= {ALICE, BOB} for held in asked)
        await _until(lambda: all(tasks[user].done() for user in revoked))
        # The others keep getting heartbeats.
        kept = [socket for user, socket in sockets.items() if user not in revoked]
        counts = [len(socket.messages) for socket in kept]
        await _until(lambda: all(len(s.messages) >= n + 3 for s, n in zip(kept, counts, strict=True)))
        for user in revoked:
            with pytest.raises(CredentialRevokedError, match=f"user {user}: removed or token rotated"):
                tasks[user].result()
        assert {user for user, task in tasks.items() if task.done()} == revoked
    finally:
        for task in tasks.values():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, CredentialRevokedError):
                await task
        await hub.stop()


async def test_sockets_are_kept_while_the_check_fails(caplog: pytest.LogCaptureFixture) -> None:
    async def down(held: Set[UserCredential]) -> Set[UserCredential]:
        raise RuntimeError("database unreachable")

    async def grid() -> dict[str, Any] | None:
        return None

    hub = LiveHub(MemoryEventBus(), grid, FrozenClock(SIM_NOW), heartbeat_secs=0.01, current_credentials=down)
    await hub.start()
    socket = Connection()
    task = asyncio.create_task(hub.serve(socket, None, credential=ALICE))
    try:
        with caplog.at_level(logging.WARNING, logger="sectorlights.live.hub"):
            await _until(lambda: len(socket.messages) >= 6)
        assert not task.done()
        assert [record.getMessage() for record in caplog.records].count(
            "live updates: users not re-checked (database unreachable); sockets kept"
        ) == 1
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await hub.stop()


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            '127.0.0.1:5 - "WebSocket /ws?ticket=AbC-_12x" [accepted]',
            '127.0.0.1:5 - "WebSocket /ws?ticket=[redacted]" [accepted]',
        ),
        ('"WebSocket /ws?since=4&ticket=zz9" 403', '"WebSocket /ws?since=4&ticket=[redacted]" 403'),
        ('"WebSocket /ws?token=s3cr3t&since=1" 403', '"WebSocket /ws?token=[redacted]&since=1" 403'),
        ("GET /x?access_token=q&TOKEN=r", "GET /x?access_token=[redacted]&TOKEN=[redacted]"),
        ("Authorization: Bearer abc.DEF-123", "Authorization: Bearer [redacted]"),
        ('"WebSocket /ws?since=12" [accepted]', '"WebSocket /ws?since=12" [accepted]'),
        ("send `Authorization: Bearer <token>`", "send `Authorization: Bearer <token>`"),
    ],
)
def test_secrets_are_redacted(line: str, expected: str) -> None:
    assert redact_secrets(line) == expected


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_the_redactor_rewrites_records_before_any_formatter(log_format: str) -> None:
    arguments = ("127.0.0.1:9", "/ws?ticket=SECRET")
    record = logging.LogRecord(
        "uvicorn.error", logging.INFO, __file__, 1, '%s - "WebSocket %s" [accepted]', arguments, None
    )
    assert SecretRedactor().filter(record)
    line = log_formatter(log_format).format(record)
    assert "SECRET" not in line and "/ws?ticket=[redacted]" in line
