"""A lease one replica holds at a time, for work that must have a single doer (the move watcher).

Unlike the per-instant claims of scheduled runs, a lease is kept: its holder renews it every third of
its TTL from a task of its own (so a long poll queued behind the vendor budget does not lose it) and
gives it back on a clean stop. If the holder dies its renewals stop and the lease lapses after
`ttl_secs`; the next replica to call `hold()` then takes it, so failover takes at most the TTL plus
one of the callers' intervals. A holder whose renewal fails finds it lost and stops; only when two
renewals straddle a lapse can the old and the new holder overlap, for at most the work already under
way. Without a reachable lock nobody holds it: the work is skipped rather than done twice.
"""

from __future__ import annotations

import asyncio
import logging

from sectorlights.core.state_log import StateLog
from sectorlights.core.tasks import stop_task
from sectorlights.engine.leader import RunLock, RunLockError

logger = logging.getLogger(__name__)


class Lease:
    def __init__(self, lock: RunLock, key: str, ttl_secs: float) -> None:
        if ttl_secs <= 0:
            raise ValueError("the lease TTL must be positive")
        self._lock = lock
        self.key = key
        self.ttl_secs = ttl_secs
        self.held = False
        self._keepalive: asyncio.Task[None] | None = None
        self._lock_log = StateLog(logger, logging.ERROR)

    async def hold(self) -> bool:
        """Whether this replica holds the lease now: renewed if it did, claimed if it has lapsed."""
        was_held = self.held
        try:
            if self.held:
                self.held = await self._lock.renew(self.key, self.ttl_secs)
            if not self.held:
                self.held = await self._lock.claim(self.key, self.ttl_secs)
        except RunLockError as error:
            self._lock_log.failed(
                "lease %s: the lock cannot be reached (%s); not holding it", self.key, error
            )
            self.held = False
        else:
            self._lock_log.recovered("lease %s: the lock is reachable again", self.key)
        if self.held != was_held:
            logger.info("lease %s %s", self.key, "taken" if self.held else "lost to another replica")
        if self.held and (self._keepalive is None or self._keepalive.done()):
            self._keepalive = asyncio.create_task(self._renew_loop(), name=f"sectorlights-lease-{self.key}")
        return self.held

    async def release(self) -> None:
        """Stop renewing and give the lease back, so another replica can take it at once."""
        task, self._keepalive = self._keepalive, None
        await stop_task(task)
        if not self.held:
            return
        self.held = False
        try:
            await self._lock.release(self.key)
        except RunLockError as error:
            logger.warning("lease %s: not given back (%s); it lapses after its TTL", self.key, error)

    async def _renew_loop(self) -> None:
        while self.held:
            await asyncio.sleep(self.ttl_secs / 3)
            await self.hold()
