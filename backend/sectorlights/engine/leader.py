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
* `PostgresRunLock` (engine/leader_postgres.py): no table of its own (the schema is owned by the
  migrations), so a claim is a session-level `pg_try_advisory_lock` on a 64-bit hash of the key,
  taken on one dedicated connection and held for at least the TTL: the holder unlocks expired
  claims on its next call, which the scheduler makes at every instant, so only a few locks are
  ever held. If that
  connection drops, PostgreSQL releases its claims at once; an instant whose run had already
  finished may then be claimed again only by a replica that has not reached it yet, which needs a
  skewed clock. Replicas started after the instant do not claim it at all unless `missed_run` says
  the last completed run predates it.

A serving process's claims carry its instance name (SECTORLIGHTS_INSTANCE, unique among live
replicas): a process restarted under the same name takes back the claims its former self held when it
died, so the scheduled run it was killed in can run again instead of staying claimed by nobody alive
for the TTL. (PostgreSQL gives a dead session's advisory locks back by itself.)

A lock that cannot be reached raises `RunLockError`; the scheduler tries again after its retry
delays, then skips the instant rather than risk running it twice (on-demand runs keep working).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from typing import Protocol

from redis.exceptions import RedisError
from sqlalchemy import Engine

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
# Claims a key when free, or when held by a former process of the same instance (ARGV[3], the owner's
# prefix up to "|"), which is dead because this one now answers to its name.
_CLAIM_OR_TAKE_BACK = """
local held = redis.call('get', KEYS[1])
if not held or (ARGV[3] ~= '' and held ~= ARGV[1] and string.sub(held, 1, #ARGV[3]) == ARGV[3]) then
    redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2])
    return 1
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


def owner_id(instance: str | None) -> tuple[str, str]:
    """This process's owner id and the prefix its restarted self would recognise ("" without an
    instance name: the CLI, tests)."""
    prefix = f"{instance}|" if instance else ""
    return prefix + uuid.uuid4().hex, prefix


class MemoryClaimStore:
    """The claims of one process: key -> (owner, monotonic expiry)."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.monotonic = monotonic
        self.claims: dict[str, tuple[str, float]] = {}


class MemoryRunLock:
    """Claims within one process. Locks made on one `MemoryClaimStore` behave like replicas."""

    backend = "memory"

    def __init__(self, store: MemoryClaimStore | None = None, instance: str | None = None) -> None:
        self._store = store or MemoryClaimStore()
        self._owner, self._prefix = owner_id(instance)

    async def claim(self, key: str, ttl_secs: float) -> bool:
        now = self._store.monotonic()
        claims = self._store.claims
        held = claims.get(key)
        taken_back = (
            held is not None
            and bool(self._prefix)
            and held[0] != self._owner
            and held[0].startswith(self._prefix)
        )
        if held is not None and held[1] > now and not taken_back:
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

    def __init__(self, url: str, socket_timeout_secs: float = 2.0, instance: str | None = None) -> None:
        self._client = redis_client(url, socket_timeout_secs)
        # Identifies this process's claims so release never deletes another replica's.
        self._owner, self._prefix = owner_id(instance)

    async def claim(self, key: str, ttl_secs: float) -> bool:
        try:
            won = await self._client.eval(
                _CLAIM_OR_TAKE_BACK,
                1,
                _REDIS_PREFIX + key,
                self._owner,
                max(1, int(ttl_secs * 1000)),
                self._prefix,
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


def create_run_lock(
    database_engine: Engine | None, redis_url: str | None, instance: str | None = None
) -> RunLock:
    """Redis when configured, else PostgreSQL advisory locks when the database is PostgreSQL, else
    memory; `instance` names a serving process (see the module's note on restarts)."""
    if redis_url:
        return RedisRunLock(redis_url, instance=instance)
    if database_engine is not None and database_engine.dialect.name == "postgresql":
        from sectorlights.engine.leader_postgres import PostgresRunLock

        return PostgresRunLock(database_engine)
    return MemoryRunLock(instance=instance)
