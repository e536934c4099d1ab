"""One vendor request budget for every replica: a token bucket kept in Redis.

`RedisRateLimiter` behaves like `resilience.RateLimiter` (same `RequestBudget` interface, same
reservation semantics: a request takes a token at once and a negative balance is the queue ahead of
it, so the caller sleeps its turn), but the bucket lives in one Redis hash that a Lua script updates
atomically, on Redis's own clock, so replicas with skewed clocks still share one budget. With the
default burst of one, requests are spaced (60 + `margin_secs`) / budget seconds apart across all
replicas together: the vendor counts a request when it arrives, and a request held up on its way
(a busy thread, a slow connection) by less than the margin (a second by default, 1.7 % of the
budget at most) cannot make a vendor-side minute hold one request too many.

If Redis cannot be reached the limiter falls back to a bucket of its own process (logged once when
Redis goes away and once when it is back): vendor calls go on at the full budget per replica rather
than stop, so during a Redis outage N replicas may send up to N times the budget (the vendor's 429s
are then retried as usual, honouring Retry-After).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import redis
from redis.exceptions import RedisError

from sectorlights.cache.token_bucket import QUEUE, TAKE_TOKEN_SCRIPT
from sectorlights.core.state_log import StateLog
from sectorlights.providers.resilience import BudgetFactory, RateLimiter, RequestBudget, local_budget

logger = logging.getLogger(__name__)

KEY_PREFIX = "sectorlights:budget:"
DEFAULT_MARGIN_SECS = 1.0


class RedisRateLimiter:
    """A token bucket in Redis under `sectorlights:budget:<name>`, shared by every process using it."""

    def __init__(
        self,
        client: redis.Redis,
        name: str,
        requests_per_minute: float | None,
        *,
        burst: float = 1.0,
        margin_secs: float = DEFAULT_MARGIN_SECS,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if requests_per_minute is not None and requests_per_minute <= 0:
            raise ValueError("requests_per_minute must be positive (or None for no limit)")
        if burst < 1:
            raise ValueError("burst must be at least one request")
        if margin_secs < 0:
            raise ValueError("margin_secs cannot be negative")
        self.requests_per_minute = requests_per_minute
        self.margin_secs = margin_secs
        self.key = KEY_PREFIX + name
        self._client = client
        self._burst = burst
        self._sleep = sleep
        self._script = client.register_script(TAKE_TOKEN_SCRIPT)
        self._fallback = RateLimiter(requests_per_minute, sleep=sleep, burst=burst)
        self._redis_log = StateLog(logger)
        self._lock = threading.Lock()
        self.waited_secs = 0.0

    def acquire(self) -> float:
        """Take one token of the shared bucket, waiting if needed; returns the seconds waited."""
        if self.requests_per_minute is None:
            return 0.0
        try:
            rate_per_sec = self.requests_per_minute / (60.0 + self.margin_secs)
            answer = self._script(keys=[self.key], args=[rate_per_sec, self._burst, QUEUE])
        except RedisError as error:
            self._note_state(degraded=True, error=error)
            return self._fallback.acquire()
        self._note_state(degraded=False)
        wait = float(answer.decode() if isinstance(answer, bytes) else answer)
        with self._lock:
            self.waited_secs += wait
        if wait > 0:
            self._sleep(wait)
        return wait

    def _note_state(self, *, degraded: bool, error: Exception | None = None) -> None:
        if degraded:
            self._redis_log.failed(
                "request budget %s: redis unreachable (%s); using this process's own", self.key, error
            )
        else:
            self._redis_log.recovered(
                "request budget %s: redis is back; the budget is shared again", self.key
            )


def redis_budgets(url: str, socket_timeout_secs: float = 2.0) -> BudgetFactory:
    """Budgets on the Redis at `url`: clients of one vendor account (the same name) share one."""
    client = redis.Redis.from_url(
        url, socket_timeout=socket_timeout_secs, socket_connect_timeout=socket_timeout_secs
    )

    def budget(name: str, requests_per_minute: float | None) -> RequestBudget:
        return RedisRateLimiter(client, name, requests_per_minute)

    return budget


def budget_factory(redis_url: str | None) -> BudgetFactory:
    """Shared budgets when Redis is configured, else each client's own."""
    return local_budget if redis_url is None else redis_budgets(redis_url)
