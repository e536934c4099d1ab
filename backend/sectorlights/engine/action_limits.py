"""How many actions (analyses started, replays, preference saves) a caller may take a minute.

A token bucket per action and caller (a user, or a client address when auth is off): `per_minute`
actions on average, bursts of up to `burst`; saving preferences does not spend the allowance of
analyses. `take` spends one action or refuses with `ActionLimitError` (the seconds until one is
free). In one process the buckets live in memory; with Redis they live there (one hash per bucket,
updated by one Lua script on Redis's clock), so a caller has one allowance across all replicas
rather than one per replica. If
Redis cannot be reached the action is allowed (logged once per outage): a limit that fails closed
would turn a cache outage into refusing every user.
"""

from __future__ import annotations

import logging
import math
import time
from typing import Literal, Protocol

from redis.exceptions import RedisError

from sectorlights.cache.redis import redis_client
from sectorlights.cache.token_bucket import REFUSE, TAKE_TOKEN_SCRIPT
from sectorlights.core.state_log import StateLog

logger = logging.getLogger(__name__)

KEY_PREFIX = "sectorlights:actions:"
DEFAULT_BURST = 3.0
# Past this many buckets in memory, the full ones are forgotten (they are the same as no bucket).
MAX_MEMORY_BUCKETS = 10_000

Action = Literal["analysis", "preferences", "replay"]
# How a refusal names the action.
ACTION_NAMES: dict[Action, str] = {
    "analysis": "analyses started",
    "preferences": "preference saves",
    "replay": "replays started",
}


class ActionLimitError(Exception):
    """The caller has no such action left; one is free again in `retry_after_secs` (whole seconds)."""

    def __init__(self, action: Action, subject: str, per_minute: float, retry_after_secs: int) -> None:
        super().__init__(
            f"too many {ACTION_NAMES[action]} for {subject}: at most {per_minute:g} a minute; "
            f"retry in {retry_after_secs} s"
        )
        self.retry_after_secs = retry_after_secs


class ActionLimiter(Protocol):
    per_minute: float

    async def take(self, action: Action, subject: str) -> None:
        """Spend one of `subject`'s `action`s; ActionLimitError when none is left."""
        ...

    async def close(self) -> None: ...


def _refuse(action: Action, subject: str, per_minute: float, wait_secs: float) -> ActionLimitError:
    return ActionLimitError(action, subject, per_minute, max(1, math.ceil(wait_secs)))


def bucket_key(action: Action, subject: str) -> str:
    return f"{action}:{subject}"


class MemoryActionLimiter:
    """The buckets of one process."""

    def __init__(self, per_minute: float, burst: float = DEFAULT_BURST) -> None:
        if per_minute <= 0:
            raise ValueError("per_minute must be positive")
        self.per_minute = per_minute
        self.burst = burst
        self._buckets: dict[str, tuple[float, float]] = {}

    async def take(self, action: Action, subject: str) -> None:
        self.take_at(action, subject, time.monotonic())

    def take_at(self, action: Action, subject: str, now_secs: float) -> None:
        """`take` at `now_secs` on a monotonic clock (tests pass their own)."""
        rate = self.per_minute / 60.0
        key = bucket_key(action, subject)
        tokens, last = self._buckets.get(key, (self.burst, now_secs))
        tokens = min(self.burst, tokens + (now_secs - last) * rate)
        if tokens < 1.0:
            self._buckets[key] = (tokens, now_secs)
            raise _refuse(action, subject, self.per_minute, (1.0 - tokens) / rate)
        self._buckets[key] = (tokens - 1.0, now_secs)
        if len(self._buckets) > MAX_MEMORY_BUCKETS:
            self._forget_full(now_secs)

    def _forget_full(self, now_secs: float) -> None:
        """Drop the buckets that have refilled: keyed by client address, callers come and go."""
        rate = self.per_minute / 60.0
        self._buckets = {
            key: (tokens, last)
            for key, (tokens, last) in self._buckets.items()
            if tokens + (now_secs - last) * rate < self.burst
        }

    async def close(self) -> None:
        return None


class RedisActionLimiter:
    """The buckets of every replica on one Redis."""

    def __init__(
        self, url: str, per_minute: float, burst: float = DEFAULT_BURST, socket_timeout_secs: float = 2.0
    ) -> None:
        if per_minute <= 0:
            raise ValueError("per_minute must be positive")
        self.per_minute = per_minute
        self.burst = burst
        self._client = redis_client(url, socket_timeout_secs)
        self._script = self._client.register_script(TAKE_TOKEN_SCRIPT)
        self._redis_log = StateLog(logger)

    async def take(self, action: Action, subject: str) -> None:
        try:
            answer = await self._script(
                keys=[KEY_PREFIX + bucket_key(action, subject)],
                args=[self.per_minute / 60.0, self.burst, REFUSE],
            )
        except RedisError as error:
            self._redis_log.failed("action limits: redis unreachable (%s); actions are not limited", error)
            return
        self._redis_log.recovered("action limits: redis is back; actions are limited again")
        wait_secs = float(answer)
        if wait_secs > 0:
            raise _refuse(action, subject, self.per_minute, wait_secs)

    async def close(self) -> None:
        await self._client.aclose()


def create_action_limiter(per_minute: float, redis_url: str | None) -> ActionLimiter:
    """Shared across replicas with Redis, else this process's own."""
    if redis_url is None:
        return MemoryActionLimiter(per_minute)
    return RedisActionLimiter(redis_url, per_minute)
