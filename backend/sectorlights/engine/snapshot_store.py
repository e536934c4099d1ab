"""The snapshot memory behind the 30-minute column, shared by every replica when Redis is configured.

A vendor that only answers "now" gives the 30m window (and the rotation graph's half-hour bars)
nothing to look back at, so each run remembers its whole-market snapshot
(`frame_builder.SnapshotMemory`). In one process that memory is the process's own, and two replicas
would serve different 30m figures (each remembers only the snapshots of its own runs).
`RedisSnapshotMemory` keeps them in Redis instead, with the same rules: snapshots up to `keep_secs`
older than the newest are kept, and `closest` answers the one of the session nearest the target
within `tolerance_secs`.

Layout: one sorted set `sectorlights:snapshots` (member `<session>|<epoch ms>`, score the instant in
epoch seconds) and one key per snapshot holding its columns as an uncompressed `.npz` (no pickles).
If Redis cannot be reached the process's own memory answers (it always remembers too), logged once.
"""

from __future__ import annotations

import io
import logging
from datetime import UTC, date, datetime
from typing import Any, cast

import numpy as np
import redis
from redis.exceptions import RedisError

from sectorlights.core.state_log import StateLog
from sectorlights.domain.market import IntradaySnapshot
from sectorlights.engine.frame_builder import SNAPSHOT_KEEP_SECS, RecentSnapshots, SnapshotMemory

logger = logging.getLogger(__name__)

INDEX_KEY = "sectorlights:snapshots"
BLOB_PREFIX = "sectorlights:snapshot:"


def encode_snapshot(snapshot: IntradaySnapshot) -> bytes:
    buffer = io.BytesIO()
    np.savez(
        buffer,
        symbols=np.asarray(snapshot.symbols, dtype=np.str_),
        last_price=np.asarray(snapshot.last_price, dtype=np.float64),
        session_volume=np.asarray(snapshot.session_volume, dtype=np.float64),
    )
    return buffer.getvalue()


def decode_snapshot(raw: bytes, at: datetime, session: date) -> IntradaySnapshot:
    with np.load(io.BytesIO(raw), allow_pickle=False) as columns:
        return IntradaySnapshot(
            at=at,
            session=session,
            symbols=columns["symbols"],
            last_price=columns["last_price"],
            session_volume=columns["session_volume"],
        )


def _member(snapshot: IntradaySnapshot) -> tuple[str, float]:
    at_secs = snapshot.at.timestamp()
    return f"{snapshot.session.isoformat()}|{round(at_secs * 1000)}", at_secs


class RedisSnapshotMemory:
    def __init__(
        self,
        client: redis.Redis,
        keep_secs: float = SNAPSHOT_KEEP_SECS,
        tolerance_secs: float = 10 * 60,
    ) -> None:
        self._client = client
        self._keep_secs = keep_secs
        self._tolerance_secs = tolerance_secs
        self._local = SnapshotMemory(keep_secs, tolerance_secs)
        self._redis_log = StateLog(logger)

    def remember(self, snapshot: IntradaySnapshot) -> None:
        self._local.remember(snapshot)
        member, at_secs = _member(snapshot)
        try:
            newest = _scored(self._client.zrange(INDEX_KEY, -1, -1, withscores=True))
            cutoff = max([at_secs, *(score for _, score in newest)]) - self._keep_secs
            stale = [
                _text(name)
                for name in cast(list[Any], self._client.zrangebyscore(INDEX_KEY, "-inf", f"({cutoff}"))
            ]
            with self._client.pipeline(transaction=True) as pipe:
                # Wall-clock expiry only sweeps up after a replica that stopped remembering.
                pipe.set(BLOB_PREFIX + member, encode_snapshot(snapshot), ex=int(2 * self._keep_secs) + 60)
                pipe.zadd(INDEX_KEY, {member: at_secs})
                if stale:
                    pipe.zrem(INDEX_KEY, *stale)
                    pipe.delete(*(BLOB_PREFIX + name for name in stale))
                pipe.expire(INDEX_KEY, int(2 * self._keep_secs) + 60)
                pipe.execute()
        except RedisError as error:
            self._note(error)
            return
        self._note(None)

    def closest(self, target: datetime, session: date) -> IntradaySnapshot | None:
        target_secs = target.timestamp()
        try:
            found = _scored(
                self._client.zrangebyscore(
                    INDEX_KEY,
                    target_secs - self._tolerance_secs,
                    target_secs + self._tolerance_secs,
                    withscores=True,
                )
            )
            prefix = session.isoformat() + "|"
            ours = [(name, score) for name, score in found if name.startswith(prefix)]
            if not ours:
                self._note(None)
                return None
            name, at_secs = min(ours, key=lambda item: abs(item[1] - target_secs))
            raw = self._client.get(BLOB_PREFIX + name)
        except RedisError as error:
            self._note(error)
            return self._local.closest(target, session)
        self._note(None)
        if not isinstance(raw, bytes):
            return None  # swept up between the two reads
        return decode_snapshot(raw, datetime.fromtimestamp(at_secs, UTC), session)

    def _note(self, error: RedisError | None) -> None:
        if error is not None:
            self._redis_log.failed("snapshot memory: redis unreachable (%s); using this process's own", error)
        else:
            self._redis_log.recovered("snapshot memory: redis is back; the 30m snapshots are shared again")


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _scored(rows: object) -> list[tuple[str, float]]:
    """(member, score) pairs of a WITHSCORES answer (the client's types do not say which it is)."""
    return [(_text(name), float(score)) for name, score in cast(list[tuple[Any, Any]], rows)]


def create_snapshot_memory(redis_url: str | None, socket_timeout_secs: float = 2.0) -> RecentSnapshots:
    """Shared by the replicas with Redis, else this process's own."""
    if redis_url is None:
        return SnapshotMemory()
    client = redis.Redis.from_url(
        redis_url, socket_timeout=socket_timeout_secs, socket_connect_timeout=socket_timeout_secs
    )
    return RedisSnapshotMemory(client)
