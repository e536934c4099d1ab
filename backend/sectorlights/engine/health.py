"""Health of each part the service depends on: the database, the cache and the market-data vendor."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from sqlalchemy import Engine

from sectorlights.cache.base import Cache, CacheError
from sectorlights.domain.responses import (
    CacheStatus,
    DatabaseStatus,
    Health,
    HealthComponents,
    MarketDataStatus,
    Readiness,
)
from sectorlights.engine.outages import DatabaseWatch
from sectorlights.providers.base import MarketDataProvider
from sectorlights.storage.database import DatabaseError, database_health


class HealthChecks:
    def __init__(
        self,
        database: Engine,
        cache: Cache,
        provider: MarketDataProvider,
        database_watch: DatabaseWatch | None = None,
    ) -> None:
        """`database_watch`: told what each check finds, so that a probe notices the end (or the
        start) of an outage even when no request uses the database."""
        self.database_engine = database
        self.cache_store = cache
        self.provider = provider
        self.database_watch = database_watch

    async def database(self) -> DatabaseStatus:
        health = await asyncio.to_thread(database_health, self.database_engine)
        if self.database_watch is not None:
            if health.reachable:
                self.database_watch.answered()
            else:
                self.database_watch.failed(DatabaseError(health.detail))
        return DatabaseStatus(
            status="ok" if health.ok else "error",
            dialect=health.dialect,
            timescaledb=health.timescaledb,
            revision=health.revision,
            head=health.head,
            detail=health.detail,
        )

    async def cache(self) -> CacheStatus:
        backend = self.cache_store.backend
        try:
            await self.cache_store.ping()
        except CacheError as error:
            return CacheStatus(status="error", backend=backend, detail=str(error))
        detail = "in-process cache (embedded default)" if backend == "memory" else "ok"
        return CacheStatus(status="ok", backend=backend, detail=detail)

    async def market_data(self) -> MarketDataStatus:
        provider = self.provider
        health = await asyncio.to_thread(provider.health)
        if provider.capabilities.simulated:
            return MarketDataStatus(
                status="not_configured",
                provider=provider.name,
                detail=f"no POLYGON_API_KEY: serving the {health.detail}",
            )
        return MarketDataStatus(
            status="ok" if health.ok else "error", provider=provider.name, detail=health.detail
        )

    async def overall(self) -> Health:
        """Error when the database is down, degraded when the cache or the vendor is."""
        database, cache, polygon = await asyncio.gather(self.database(), self.cache(), self.market_data())
        if database.status == "error":
            status = "error"
        elif cache.status == "error" or polygon.status == "error":
            status = "degraded"
        else:
            status = "ok"
        return Health(
            status=status, components=HealthComponents(database=database, redis=cache, polygon=polygon)
        )


def readiness(database: DatabaseStatus, cache: CacheStatus) -> Readiness:
    """Ready when the database answers at the migration head and the cache answers. The vendor is
    left out on purpose: a vendor outage must not take every replica out of the proxy."""
    reasons = []
    # A database ahead of this version's head (a newer release migrated it) is ready: see
    # `migration_state`. One behind it says so in its detail.
    if database.status == "error":
        reasons.append(f"database: {database.detail}")
    if cache.status == "error":
        reasons.append(f"cache: {cache.detail}")
    return Readiness(
        status="not_ready" if reasons else "ready",
        reason="; ".join(reasons) or None,
        database=database,
        cache=cache,
    )


# How old a readiness answer may be before the next probe checks again; and how long probes wait
# for that check before answering not ready (a database that hangs is not a ready one).
READINESS_MAX_AGE_SECS = 1.0
READINESS_CHECK_TIMEOUT_SECS = 2.0


class ReadinessProbe:
    """`/readyz`'s answer, checked at most once per `max_age_secs` however many probes ask: fifty
    probes a second cost one database round trip a second, not fifty. A probe never waits for a
    check while the previous answer is younger than `max_age_secs + check_timeout_secs`; past that,
    probes wait for the one check in flight, and get "not ready" if it does not finish in time."""

    def __init__(
        self,
        checks: HealthChecks,
        max_age_secs: float = READINESS_MAX_AGE_SECS,
        check_timeout_secs: float = READINESS_CHECK_TIMEOUT_SECS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._checks = checks
        self._max_age_secs = max_age_secs
        self._check_timeout_secs = check_timeout_secs
        self._monotonic = monotonic
        self._answer: tuple[float, Readiness, bytes] | None = None
        self._check: asyncio.Task[tuple[float, Readiness, bytes]] | None = None

    async def current(self) -> tuple[Readiness, bytes]:
        """The answer and its JSON body."""
        answer = self._answer
        age_secs = float("inf") if answer is None else self._monotonic() - answer[0]
        if answer is not None and age_secs < self._max_age_secs:
            return answer[1], answer[2]
        if self._check is None or self._check.done():
            self._check = asyncio.create_task(self._run_check(), name="sectorlights-readiness")
        # While the next check runs, the last answer stands for as long as that check may take;
        # older than that, a probe waits for the check (a database that hangs is not ready).
        if answer is not None and age_secs < self._max_age_secs + self._check_timeout_secs:
            return answer[1], answer[2]
        try:
            async with asyncio.timeout(self._check_timeout_secs):
                _at, ready, body = await asyncio.shield(self._check)
        except TimeoutError:
            late = Readiness(
                status="not_ready",
                reason=f"the readiness check did not finish within {self._check_timeout_secs:g} s",
                database=self._unchecked_database(),
                cache=CacheStatus(
                    status="error", backend=self._checks.cache_store.backend, detail="not checked"
                ),
            )
            return late, late.model_dump_json().encode()
        return ready, body

    def _unchecked_database(self) -> DatabaseStatus:
        return DatabaseStatus(
            status="error",
            dialect=self._checks.database_engine.dialect.name,
            timescaledb=False,
            revision=None,
            head="unknown",
            detail="not checked",
        )

    async def _run_check(self) -> tuple[float, Readiness, bytes]:
        database, cache = await asyncio.gather(self._checks.database(), self._checks.cache())
        ready = readiness(database, cache)
        self._answer = (self._monotonic(), ready, ready.model_dump_json().encode())
        return self._answer
