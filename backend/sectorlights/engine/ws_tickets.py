"""Short-lived, single-use tickets that open a `/ws` socket without a token in its URL.

A browser cannot set headers on a WebSocket, and a long-lived token in a URL ends up in logs and
history. So the page asks `POST /api/ws-ticket` (authenticated by its bearer header) for a random
ticket, valid for `TICKET_SECS` and redeemed once by `/ws?ticket=...`. The ticket stands for the
credential that asked for it (user and token digest), so the socket can be closed when that user is
removed or its token rotated.

In one process the tickets live in memory; with Redis they live there (one key per ticket, named by
the ticket's SHA-256, read and deleted in one transaction), so any replica can redeem a ticket
another issued.
"""

from __future__ import annotations

import hashlib
import json
import math
import secrets
import time
from collections.abc import Callable
from typing import Protocol

from redis.exceptions import RedisError

from sectorlights.cache.redis import redis_client
from sectorlights.domain.credentials import UserCredential

TICKET_SECS = 30.0
TICKET_BYTES = 32
KEY_PREFIX = "sectorlights:ws-ticket:"


class TicketStoreError(RuntimeError):
    """The ticket store (Redis) cannot be reached."""


def _ticket_key(ticket: str) -> str:
    # Only a digest is kept, so what is stored cannot be replayed.
    return hashlib.sha256(ticket.encode("utf-8")).hexdigest()


class WsTickets(Protocol):
    ttl_secs: float

    async def issue(self, credential: UserCredential) -> str:
        """A new ticket for `credential`; TicketStoreError when it cannot be stored."""
        ...

    async def redeem(self, ticket: str) -> UserCredential | None:
        """The credential of a ticket issued and not yet redeemed nor expired (then never again);
        None otherwise. TicketStoreError when the store cannot be reached."""
        ...

    async def close(self) -> None: ...


class MemoryWsTickets:
    """The tickets of one process."""

    def __init__(
        self, ttl_secs: float = TICKET_SECS, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl_secs = ttl_secs
        self._monotonic = monotonic
        self._tickets: dict[str, tuple[float, UserCredential]] = {}

    async def issue(self, credential: UserCredential) -> str:
        now = self._monotonic()
        # Expired tickets are swept when new ones are issued, so the dict holds ~30 s of them.
        for key in [key for key, (expires_at, _) in self._tickets.items() if expires_at <= now]:
            del self._tickets[key]
        ticket = secrets.token_urlsafe(TICKET_BYTES)
        self._tickets[_ticket_key(ticket)] = (now + self.ttl_secs, credential)
        return ticket

    async def redeem(self, ticket: str) -> UserCredential | None:
        entry = self._tickets.pop(_ticket_key(ticket), None)
        if entry is None or entry[0] <= self._monotonic():
            return None
        return entry[1]

    async def close(self) -> None:
        self._tickets.clear()


class RedisWsTickets:
    """The tickets of every replica on one Redis."""

    def __init__(self, url: str, ttl_secs: float = TICKET_SECS, socket_timeout_secs: float = 2.0) -> None:
        self.ttl_secs = ttl_secs
        self._client = redis_client(url, socket_timeout_secs)

    async def issue(self, credential: UserCredential) -> str:
        ticket = secrets.token_urlsafe(TICKET_BYTES)
        value = json.dumps({"user": credential.user, "token_sha256": credential.token_sha256})
        try:
            await self._client.set(
                KEY_PREFIX + _ticket_key(ticket), value, px=math.ceil(self.ttl_secs * 1000)
            )
        except RedisError as error:
            raise TicketStoreError(f"redis SET ticket: {error}") from error
        return ticket

    async def redeem(self, ticket: str) -> UserCredential | None:
        key = KEY_PREFIX + _ticket_key(ticket)
        try:
            # GET and DEL in one transaction: two replicas redeeming the same ticket, one gets it.
            async with self._client.pipeline(transaction=True) as pipe:
                pipe.get(key)
                pipe.delete(key)
                raw, _ = await pipe.execute()
        except RedisError as error:
            raise TicketStoreError(f"redis GET+DEL ticket: {error}") from error
        if raw is None:
            return None
        stored = json.loads(raw)
        return UserCredential(str(stored["user"]), str(stored["token_sha256"]))

    async def close(self) -> None:
        await self._client.aclose()


def create_ws_tickets(redis_url: str | None, ttl_secs: float = TICKET_SECS) -> WsTickets:
    """Redeemable on any replica with Redis, else on this process only."""
    if redis_url is None:
        return MemoryWsTickets(ttl_secs)
    return RedisWsTickets(redis_url, ttl_secs)
