"""Health of each part the service depends on: the database, the cache and the market-data vendor."""

from __future__ import annotations

import asyncio

from sqlalchemy import Engine

from sectorlights.cache.base import Cache, CacheError
from sectorlights.domain.responses import (
    CacheStatus,
    DatabaseStatus,
    Health,
    HealthComponents,
    MarketDataStatus,
)
from sectorlights.providers.base import MarketDataProvider
from sectorlights.storage.database import database_health


class HealthChecks:
    def __init__(self, database: Engine, cache: Cache, provider: MarketDataProvider) -> None:
        self.database_engine = database
        self.cache_store = cache
        self.provider = provider

    async def database(self) -> DatabaseStatus:
        health = await asyncio.to_thread(database_health, self.database_engine)
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
