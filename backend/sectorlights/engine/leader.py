"""One leader per scheduled instant across replicas: the first to claim `scheduled:<instant>` runs it.

A claim is per fire instant rather than a long-lived leader lease, so "each scheduled analysis runs
once" holds exactly even when replicas start, stop or fail over between instants: every replica
computes the same instants and keys (see `engine.schedule.ScheduledRun.key`), one claim succeeds and
the others skip. Claims are never given back after a run, only expired after `ttl_secs`, so a replica
whose clock is a little late cannot claim an instant another replica has already run. The TTL must
therefore exceed the clock skew between replicas plus a run's duration; an hour is plenty.

Implementations:

* `MemoryRunLock`: one process (SQLite deployments, tests).
* `RedisRunLock`: `SET key owner NX PX ttl`; Redis expires the claim.
* `PostgresRunLock`: no table of its own (the schema is owned by the migrations), so a claim is a
  session-level `pg_try_advisory_lock` on a 64-bit hash of the key, taken on one dedicated
  connection and held for at least the TTL: the holder unlocks expired claims on its next call,
  which the scheduler makes at every instant, so only a few locks are ever held. If that
  connection drops, PostgreSQL releases its claims at once; an instant whose run had already
  finished may then be claimed again only by a replica that has not reached it yet, which needs a
  skewed clock. Replicas started after the instant do not claim it at all unless `missed_run` says
  the last completed run predates it.

A lock that cannot be reached raises `RunLockError`; the scheduler then skips the instant rather
than risk running it twice (on-demand runs keep working).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Protocol

from redis.exceptions import RedisError
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from sectorlights.cache.redis import redis_client

logger = logging.getLogger(__name__)

DEFAULT_CLAIM_TTL_SECS = 3600.0
_REDIS_PREFIX = "sectorlights:claim:"
# Deletes a claim only when this owner still holds it, so an expired-and-retaken claim survives.
_RELEASE_IF_OWNER = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""
# Extends a claim only when this owner still holds it.
_RENEW_IF_OWNER = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""


class RunLockError(Exception):
    """The shared lock could not be reached; the caller decides whether to skip or run."""


class RunLock(Protocol):
    backend: str

    async def claim(self, key: str, ttl_secs: float) -> bool:
        """True for the one caller, across all replicas, that gets `key` until `ttl_secs` pass."""
        ...

    async def renew(self, key: str, ttl_secs: float) -> bool:
        """Extend a claim this instance still holds to `ttl_secs` from now; False when it lapsed or
        another instance holds it (a lease's holder keeps it this way, see `engine.lease`)."""
        ...

    async def release(self, key: str) -> None:
        """Give up a claim this instance holds (no effect otherwise)."""
        ...

    async def close(self) -> None: ...


def advisory_lock_id(key: str) -> int:
    """A stable signed 64-bit id for `key`, the argument type of PostgreSQL advisory locks."""
    digest = hashlib.blake2b(f"sectorlights:{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class MemoryClaimStore:
    """The claims of one process: key -> (owner, monotonic expiry)."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.monotonic = monotonic
        self.claims: dict[str, tuple[str, float]] = {}


class MemoryRunLock:
    """Claims within one process. Locks made on one `MemoryClaimStore` behave like replicas."""

    backend = "memory"

    def __init__(self, store: MemoryClaimStore | None = None) -> None:
        self._store = store or MemoryClaimStore()
        self._owner = uuid.uuid4().hex

    async def claim(self, key: str, ttl_secs: float) -> bool:
        now = self._store.monotonic()
        claims = self._store.claims
        held = claims.get(key)
        if held is not None and held[1] > now:
            return False
        for name in [name for name, (_, until) in claims.items() if until <= now]:
            del claims[name]
        claims[key] = (self._owner, now + ttl_secs)
        return True

    async def renew(self, key: str, ttl_secs: float) -> bool:
        now = self._store.monotonic()
        held = self._store.claims.get(key)
        if held is None or held[0] != self._owner or held[1] <= now:
            return False
        self._store.claims[key] = (self._owner, now + ttl_secs)
        return True

    async def release(self, key: str) -> None:
        held = self._store.claims.get(key)
        if held is not None and held[0] == self._owner:
            del self._store.claims[key]

    async def close(self) -> None:
        for key in [key for key, (owner, _) in self._store.claims.items() if owner == self._owner]:
            del self._store.claims[key]


class RedisRunLock:
    backend = "redis"

    def __init__(self, url: str, socket_timeout_secs: float = 2.0) -> None:
        self._client = redis_client(url, socket_timeout_secs)
        # Identifies this instance's claims so release never deletes another replica's.
        self._owner = uuid.uuid4().hex

    async def claim(self, key: str, ttl_secs: float) -> bool:
        try:
            won = await self._client.set(
                _REDIS_PREFIX + key, self._owner, nx=True, px=max(1, int(ttl_secs * 1000))
            )
        except RedisError as error:
            raise RunLockError(f"redis claim {key}: {error}") from error
        return bool(won)

    async def renew(self, key: str, ttl_secs: float) -> bool:
        try:
            renewed = await self._client.eval(
                _RENEW_IF_OWNER, 1, _REDIS_PREFIX + key, self._owner, max(1, int(ttl_secs * 1000))
            )
        except RedisError as error:
            raise RunLockError(f"redis renew {key}: {error}") from error
        return bool(renewed)

    async def release(self, key: str) -> None:
        try:
            await self._client.eval(_RELEASE_IF_OWNER, 1, _REDIS_PREFIX + key, self._owner)
        except RedisError as error:
            raise RunLockError(f"redis release {key}: {error}") from error

    async def close(self) -> None:
        await self._client.aclose()


class PostgresRunLock:
    """Advisory locks on one dedicated connection, each held until its TTL passes."""

    backend = "postgresql"

    def __init__(self, engine: Engine, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._engine = engine
        self._monotonic = monotonic
        self._connection: Connection | None = None
        self._expiry_by_key: dict[str, float] = {}
        # The connection is used from worker threads; a session's locks must not interleave.
        self._mutex = threading.Lock()

    async def claim(self, key: str, ttl_secs: float) -> bool:
        return await asyncio.to_thread(self._claim, key, ttl_secs)

    async def renew(self, key: str, ttl_secs: float) -> bool:
        return await asyncio.to_thread(self._renew, key, ttl_secs)

    async def release(self, key: str) -> None:
        await asyncio.to_thread(self._release, key)

    async def close(self) -> None:
        await asyncio.to_thread(self._close)

    def _connect(self) -> Connection:
        if self._connection is None or self._connection.closed or self._connection.invalidated:
            # Locks die with their session, so a new connection starts with no claims.
            self._expiry_by_key.clear()
            self._connection = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        return self._connection

    def _claim(self, key: str, ttl_secs: float) -> bool:
        with self._mutex:
            try:
                connection = self._connect()
                self._release_expired(connection)
                if key in self._expiry_by_key:
                    # Session advisory locks are re-entrant, so our own claim must be refused here.
                    return False
                won = connection.execute(
                    text("SELECT pg_try_advisory_lock(:lock_id)"), {"lock_id": advisory_lock_id(key)}
                ).scalar_one()
            except DBAPIError as error:
                self._drop_connection()
                raise RunLockError(f"postgresql claim {key}: {error}") from error
            if won:
                self._expiry_by_key[key] = self._monotonic() + ttl_secs
            return bool(won)

    def _renew(self, key: str, ttl_secs: float) -> bool:
        with self._mutex:
            if key not in self._expiry_by_key or self._expiry_by_key[key] <= self._monotonic():
                return False
            try:
                # The lock lives as long as the session: a live session still holds it.
                self._connect().execute(text("SELECT 1"))
            except DBAPIError as error:
                self._drop_connection()
                raise RunLockError(f"postgresql renew {key}: {error}") from error
            if key not in self._expiry_by_key:
                return False  # the session was replaced, and its locks went with it
            self._expiry_by_key[key] = self._monotonic() + ttl_secs
            return True

    def _release(self, key: str) -> None:
        with self._mutex:
            if key not in self._expiry_by_key or self._connection is None:
                return
            try:
                self._unlock(self._connection, key)
            except DBAPIError as error:
                self._drop_connection()
                raise RunLockError(f"postgresql release {key}: {error}") from error

    def _release_expired(self, connection: Connection) -> None:
        now = self._monotonic()
        for key in [name for name, until in self._expiry_by_key.items() if until <= now]:
            self._unlock(connection, key)

    def _unlock(self, connection: Connection, key: str) -> None:
        connection.execute(text("SELECT pg_advisory_unlock(:lock_id)"), {"lock_id": advisory_lock_id(key)})
        self._expiry_by_key.pop(key, None)

    def _drop_connection(self) -> None:
        if self._connection is not None:
            try:
                self._connection.invalidate()
                self._connection.close()
            except DBAPIError:
                logger.debug("closing a broken lock connection failed", exc_info=True)
        self._connection = None
        self._expiry_by_key.clear()

    def _close(self) -> None:
        with self._mutex:
            if self._connection is not None:
                # The server ends a dropped session a moment after the socket closes; unlocking
                # first gives the claims back before close() returns, not some time after.
                try:
                    self._connection.execute(text("SELECT pg_advisory_unlock_all()"))
                except DBAPIError:
                    logger.debug("unlocking before close failed; closing releases them", exc_info=True)
                self._connection.invalidate()
                self._connection.close()
            self._connection = None
            self._expiry_by_key.clear()


def create_run_lock(database_engine: Engine | None, redis_url: str | None) -> RunLock:
    """Redis when configured, else PostgreSQL advisory locks when the database is PostgreSQL, else memory."""
    if redis_url:
        return RedisRunLock(redis_url)
    if database_engine is not None and database_engine.dialect.name == "postgresql":
        return PostgresRunLock(database_engine)
    return MemoryRunLock()
