"""Wire settings into the running parts: database, cache, provider, analysis service."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from sectorlights.cache.base import Cache
from sectorlights.cache.memory import MemoryCache
from sectorlights.cache.redis import RedisCache
from sectorlights.config.sectors import OverridesFileError
from sectorlights.core.clock import Clock, clock_from_settings
from sectorlights.engine.classification_sources import ClassificationSources
from sectorlights.engine.leader import create_run_lock
from sectorlights.engine.service import AnalysisService
from sectorlights.live.bus import EventBus, create_event_bus
from sectorlights.live.hub import LiveHub
from sectorlights.providers.base import MarketDataProvider, SectorReferenceStore
from sectorlights.providers.registry import build_provider
from sectorlights.settings import ConfigurationError, Settings
from sectorlights.storage.database import DatabaseError, check_connection, create_database_engine
from sectorlights.storage.reference_store import SqlSectorReferenceStore
from sectorlights.storage.repository import Repository


@dataclass
class Container:
    settings: Settings
    database: Engine
    repository: Repository
    cache: Cache
    provider: MarketDataProvider
    clock: Clock
    analysis: AnalysisService
    events: EventBus
    hub: LiveHub

    async def start(self) -> None:
        await self.hub.start()
        await self.analysis.start()

    async def close(self) -> None:
        await self.analysis.stop()
        await self.hub.stop()
        await self.events.close()
        await self.analysis.run_lock.close()
        await self.cache.close()
        self.database.dispose()


def build_classification_sources(
    settings: Settings, database: Engine, store: SectorReferenceStore | None = None
) -> ClassificationSources:
    """Overrides (the configured file) and FMP sectors (stored; looked up when FMP_API_KEY is set)."""
    from sectorlights.providers.fmp.client import create_fmp_reference

    try:
        return ClassificationSources(
            store or SqlSectorReferenceStore(database),
            create_fmp_reference(settings.provider),
            settings.analysis.classification_overrides,
            settings.analysis.fmp_lookups_per_run,
            settings.analysis.sector_refresh_days,
        )
    except OverridesFileError as error:
        raise ConfigurationError(
            f"configuration error: SECTORLIGHTS_CLASSIFICATION_OVERRIDES: {error}"
        ) from None


def build_container(settings: Settings) -> Container:
    """Build every part; ConfigurationError (one line naming the setting) when one cannot start."""
    database = create_database_engine(settings.database.effective_url)
    try:
        check_connection(database)
    except DatabaseError as error:
        database.dispose()
        setting = "DATABASE_URL" if settings.database.url else "SECTORLIGHTS_SQLITE_PATH"
        raise ConfigurationError(f"configuration error: {setting}: {error}") from None
    cache: Cache = MemoryCache() if settings.cache.redis_url is None else RedisCache(settings.cache.redis_url)
    clock = clock_from_settings(settings.provider.sim_now, settings.provider.sim_speed)
    try:
        provider = build_provider(settings.provider, clock, database)
    except ConfigurationError:
        database.dispose()
        raise
    try:
        sources = build_classification_sources(settings, database)
    except ConfigurationError:
        database.dispose()
        raise
    repository = Repository(database)
    run_lock = create_run_lock(database, settings.cache.redis_url)
    analysis = AnalysisService(
        provider,
        repository,
        cache,
        clock,
        settings.engine,
        settings.cache,
        settings.analysis,
        sources,
        run_lock=run_lock,
        clock_speed=settings.provider.sim_speed,
    )
    events = create_event_bus(settings.cache.redis_url, settings.server.event_history)
    analysis.events = events
    hub = LiveHub(
        events,
        analysis.live_grid,
        clock,
        heartbeat_secs=settings.server.ws_heartbeat_secs,
        client_queue_size=settings.server.ws_client_queue,
        observe_delivery=analysis.metrics.ws_delivery.observe,
    )
    analysis.metrics.count_ws_clients(lambda: hub.client_count)
    return Container(settings, database, repository, cache, provider, clock, analysis, events, hub)
