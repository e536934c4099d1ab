"""`PostgresRunLock`: the run lock on PostgreSQL advisory locks, for deployments without Redis (see
`engine.leader` for what a claim is and how the scheduler uses it)."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
import time
from collections.abc import Callable

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from sectorlights.engine.leader import RunLockError

logger = logging.getLogger(__name__)


def advisory_lock_id(key: str) -> int:
    """A stable signed 64-bit id for `key`, the argument type of PostgreSQL advisory locks."""
    digest = hashlib.blake2b(f"sectorlights:{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


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
