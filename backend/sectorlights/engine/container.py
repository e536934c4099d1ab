"""Wire settings into the running parts: each is built once here and handed to those that use it."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from sqlalchemy import Engine

from sectorlights.cache.base import Cache
from sectorlights.cache.memory import MemoryCache
from sectorlights.cache.redis import RedisCache
from sectorlights.core.clock import Clock, SystemClock, clock_from_settings
from sectorlights.core.executor import BoundedExecutor
from sectorlights.domain.colour_history import ColourHistory
from sectorlights.engine.action_limits import ActionLimiter, create_action_limiter
from sectorlights.engine.background import Background, MoveResponder
from sectorlights.engine.computation import SnapshotComputer
from sectorlights.engine.configured import (
    build_classification_sources,
    build_scheduler,
    load_configured_colour_history,
    replay_sources,
)
from sectorlights.engine.explanations import SectorExplanations
from sectorlights.engine.frame_builder import DailyBarsCache
from sectorlights.engine.grid import GridReader
from sectorlights.engine.health import HealthChecks, ReadinessProbe
from sectorlights.engine.leader import RunLock, create_run_lock
from sectorlights.engine.lease import Lease
from sectorlights.engine.maintenance import HistoryRetention
from sectorlights.engine.move_watcher import MoveWatcher, WatchedUniverse
from sectorlights.engine.pipeline import AnalysisInputs
from sectorlights.engine.publisher import GridPublisher
from sectorlights.engine.queries import MarketQueries
from sectorlights.engine.replays import ReplayRunner
from sectorlights.engine.runs import RunCoordinator
from sectorlights.engine.scheduler import AnalysisScheduler
from sectorlights.engine.snapshot_store import create_snapshot_memory
from sectorlights.engine.trader_views import TraderViews, build_trader_views
from sectorlights.engine.users import UserService
from sectorlights.engine.ws_tickets import WsTickets, create_ws_tickets
from sectorlights.live.bus import EventBus, create_event_bus
from sectorlights.live.delivery import DeliveryTracker
from sectorlights.live.hub import LiveHub
from sectorlights.metrics import Metrics
from sectorlights.providers.base import MarketDataProvider
from sectorlights.providers.registry import build_provider
from sectorlights.providers.shared_budget import budget_factory
from sectorlights.settings import ConfigurationError, Settings
from sectorlights.storage.database import DatabaseError, check_connection, create_database_engine
from sectorlights.storage.repository import Repository
from sectorlights.storage.users import UserStore

logger = logging.getLogger(__name__)

# Replicas poll the market for significant moves one at a time, the holder of this lease.
MOVE_WATCHER_LEASE = "lease:move-watcher"


@dataclass(frozen=True, slots=True)
class Analysis:
    """What the API and the CLI use of the engine: runs to start, join and follow, the latest grid,
    the market schedule (None unless the schedule is "market"), and replays of past sessions."""

    runs: RunCoordinator
    grid: GridReader
    scheduler: AnalysisScheduler | None
    replays: ReplayRunner


@dataclass
class Container:
    settings: Settings
    database: Engine
    repository: Repository
    cache: Cache
    provider: MarketDataProvider
    clock: Clock
    metrics: Metrics
    run_lock: RunLock
    events: EventBus
    analysis: Analysis
    background: Background
    hub: LiveHub
    queries: MarketQueries
    users: UserService
    health: HealthChecks
    colour_history: ColourHistory
    action_limits: ActionLimiter
    vendor_calls: BoundedExecutor
    readiness: ReadinessProbe
    ws_tickets: WsTickets
    views: TraderViews
    explanations: SectorExplanations

    async def start(self) -> None:
        await self.hub.start()
        await self.background.start()

    async def close(self) -> None:
        """Stop everything within SECTORLIGHTS_SHUTDOWN_SECS: a vendor call still running then is
        left behind (its thread ends with the process), and so is a service that does not answer."""
        bound_secs = self.settings.server.shutdown_phase_secs
        try:
            async with asyncio.timeout(bound_secs):
                await self.analysis.replays.stop()
                await self.background.stop()
                await self.vendor_calls.close(bound_secs / 2)
                await self.hub.stop()
                await self.events.close()
                await self.run_lock.close()
                await self.action_limits.close()
                await self.ws_tickets.close()
                await self.cache.close()
        except TimeoutError:
            logger.error("shutdown: still closing after %.1f s; exiting without waiting", bound_secs)
        finally:
            self.database.dispose()


def build_container(
    settings: Settings, provider: MarketDataProvider | None = None, instance: str | None = None
) -> Container:
    """Build every part once; ConfigurationError (one line naming the setting) when one cannot
    start. `provider` replaces the configured market data (tests use a vendor that can fail);
    `instance` names a serving process (ServerSettings.instance_name), None the CLI."""
    colour_history = load_configured_colour_history(settings)
    database = create_database_engine(settings.database.effective_url)
    try:
        check_connection(database)
    except DatabaseError as error:
        database.dispose()
        setting = "DATABASE_URL" if settings.database.url else "SECTORLIGHTS_SQLITE_PATH"
        raise ConfigurationError(f"configuration error: {setting}: {error}") from None
    cache: Cache = MemoryCache() if settings.cache.redis_url is None else RedisCache(settings.cache.redis_url)
    clock = clock_from_settings(
        settings.provider.sim_now, settings.provider.sim_speed, settings.provider.sim_epoch
    )
    metrics = Metrics()
    try:
        if provider is None:
            # With Redis, every replica's vendor requests draw on one budget.
            budgets = budget_factory(settings.cache.redis_url)
            provider = build_provider(settings.provider, clock, database, budgets, observer=metrics)
        sources = build_classification_sources(settings, database, observer=metrics)
        replays_read = replay_sources(settings, clock, database, metrics)
    except ConfigurationError:
        database.dispose()
        raise
    repository = Repository(database)
    run_lock = create_run_lock(database, settings.cache.redis_url, instance)
    events = create_event_bus(settings.cache.redis_url, settings.server.event_history)
    # Run bookkeeping uses real time even when the market clock is frozen.
    wall_clock = SystemClock()
    universe = WatchedUniverse()
    # Shared with the move watcher: its previous closes are the bars the analysis fetched.
    bars_cache = DailyBarsCache()
    vendor_calls = BoundedExecutor("vendor", settings.engine.vendor_workers)
    inputs = AnalysisInputs.from_settings(settings.analysis, sources)
    computer = SnapshotComputer(
        provider,
        repository,
        clock,
        wall_clock,
        inputs,
        settings.engine.history_sessions,
        bars_cache,
        # With Redis every replica serves the same 30m figures.
        create_snapshot_memory(settings.cache.redis_url),
        universe,
    )
    # The run's thread waits for the hub to hand each progress event to this process's clients.
    delivery = DeliveryTracker()
    publisher = GridPublisher(cache, repository, events, clock, settings.cache, delivery)
    grid = GridReader(cache, repository, clock, metrics, publisher)
    retention = HistoryRetention(repository, wall_clock, settings.engine.retention_days)
    runs = RunCoordinator(
        repository, computer, publisher, grid, retention, wall_clock, metrics, vendor_calls, instance
    )
    scheduler = build_scheduler(settings, clock, run_lock, runs)
    views = build_trader_views(settings, provider, clock, repository, grid, bars_cache, vendor_calls)
    move_watcher = None
    if settings.engine.move_watch:
        move_watcher = MoveWatcher(
            provider,
            clock,
            universe.sectors,
            MoveResponder(clock, run_lock, publisher, runs).on_moves,
            settings.engine.move_poll_secs,
            threshold_pct=settings.engine.move_threshold_pct,
            bars_cache=bars_cache,
            clock_speed=settings.provider.sim_speed,
            lease=Lease(run_lock, MOVE_WATCHER_LEASE, settings.engine.move_lease_secs),
            vendor_calls=vendor_calls,
            on_snapshot=views.snapshots.offer,
        )
    background = Background(runs, repository, settings.engine, scheduler, move_watcher, universe, run_lock)
    users = UserService(UserStore(database))
    hub = LiveHub(
        events,
        grid.live_grid,
        clock,
        heartbeat_secs=settings.server.ws_heartbeat_secs,
        client_queue_size=settings.server.ws_client_queue,
        observe_delivery=metrics.ws_delivery.observe,
        delivery=delivery,
        # Each heartbeat closes the sockets of users removed or whose token was rotated.
        current_credentials=users.current,
    )
    metrics.count_ws_clients(lambda: hub.client_count)
    metrics.count_vendor_work(lambda: vendor_calls.pool.busy, lambda: vendor_calls.pool.queued)
    users = UserService(UserStore(database))
    health = HealthChecks(database, cache, provider, users.database_watch)
    analysis = Analysis(
        runs,
        grid,
        scheduler,
        ReplayRunner(replays_read, repository, wall_clock, metrics, vendor_calls, instance),
    )
    queries = MarketQueries(repository, grid, runs, scheduler)
    return Container(
        settings,
        database,
        repository,
        cache,
        provider,
        clock,
        metrics,
        run_lock,
        events,
        analysis,
        background,
        hub,
        queries,
        users,
        health,
        colour_history,
        create_action_limiter(settings.server.user_actions_per_minute, settings.cache.redis_url),
        vendor_calls,
        ReadinessProbe(health),
        create_ws_tickets(settings.cache.redis_url),
        views,
        SectorExplanations(queries, inputs.score_params),
    )
