"""Analysis runs: one at a time, joined when already in flight, published atomically."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sectorlights.analytics.changes import grid_changes
from sectorlights.cache.base import (
    SNAPSHOT_KEY,
    UNIVERSE_KEY,
    Cache,
    CacheError,
    encode_document,
    sector_sentiment_key,
    sector_top_stocks_key,
)
from sectorlights.core.clock import Clock, SystemClock
from sectorlights.core.tasks import stop_task
from sectorlights.domain.events import EventType
from sectorlights.domain.sessions import current_session, session_bounds
from sectorlights.domain.snapshot import (
    AnalysisRun,
    Benchmark,
    DataQuality,
    DataSource,
    RunStatus,
    RunTrigger,
    SectorSnapshot,
)
from sectorlights.domain.vocabulary import Freshness
from sectorlights.engine.classification_sources import ClassificationSources
from sectorlights.engine.frame_builder import DailyBarsCache, SnapshotMemory, build_frame
from sectorlights.engine.freshness import classify_freshness, recommendation
from sectorlights.engine.leader import MemoryRunLock, RunLock
from sectorlights.engine.move_watcher import MoveWatcher, SectoredMove
from sectorlights.engine.pipeline import AnalysisInputs, analyze_market
from sectorlights.engine.scheduler import AnalysisScheduler, SchedulerSettings
from sectorlights.live.bus import EventBus
from sectorlights.metrics import Metrics
from sectorlights.providers.base import MarketDataProvider, MemorySectorReferenceStore, RejectedRow
from sectorlights.settings import AnalysisSettings, CacheSettings, EngineSettings
from sectorlights.storage.repository import INTERRUPTED_ERROR, Repository
from sectorlights.storage.retention import prune_history

logger = logging.getLogger(__name__)

PRUNE_INTERVAL = timedelta(days=1)
# A stock's significant move is claimed for a day: one replica reports it per session.
MOVE_CLAIM_TTL_SECS = 24 * 3600.0
# `analysis_progress` events go out on every stage change and at least this many percent apart.
PROGRESS_EVENT_STEP_PCT = 5.0
# A run in flight refreshes its heartbeat this often (and on every progress step); the repository
# counts a run as abandoned once its heartbeat is older than RUN_STALE_AFTER (30 s).
HEARTBEAT_INTERVAL_SECS = 10.0
# How often the service looks for runs a dead process left `running` (besides once at start), so one
# killed with its process is failed within RUN_STALE_AFTER plus this of the next replica's start.
ABANDONED_SWEEP_INTERVAL_SECS = 15.0


def data_source_for(provider: MarketDataProvider) -> DataSource:
    if provider.capabilities.simulated:
        return DataSource(provider=provider.name, simulated=True, label="Simulated data")
    return DataSource(provider=provider.name, simulated=False, label=f"Live data ({provider.name})")


def data_quality(rejections: list[RejectedRow], examples: int = 10) -> DataQuality:
    """Summarise rejected vendor rows; each is also logged once."""
    by_endpoint: dict[str, int] = {}
    for row in rejections:
        by_endpoint[row.endpoint] = by_endpoint.get(row.endpoint, 0) + 1
    if rejections:
        logger.warning("left out %d vendor row(s): %s", len(rejections), by_endpoint)
    shown = [f"{row.endpoint} {row.symbol}: {row.reason}" for row in rejections[:examples]]
    return DataQuality(rejected_rows=len(rejections), by_endpoint=by_endpoint, examples=shown)


class AnalysisService:
    """Runs analyses and serves the latest grid from the cache, falling back to the database."""

    def __init__(
        self,
        provider: MarketDataProvider,
        repository: Repository,
        cache: Cache,
        clock: Clock,
        engine_settings: EngineSettings,
        cache_settings: CacheSettings,
        analysis_settings: AnalysisSettings | None = None,
        classification_sources: ClassificationSources | None = None,
        metrics: Metrics | None = None,
        run_lock: RunLock | None = None,
        clock_speed: float = 1.0,
    ) -> None:
        self.provider = provider
        self.repository = repository
        self.cache = cache
        self.clock = clock
        self.engine_settings = engine_settings
        self.cache_settings = cache_settings
        self.analysis_settings = analysis_settings or AnalysisSettings()
        self.metrics = metrics or Metrics()
        self.run_lock: RunLock = run_lock or MemoryRunLock()
        self.scheduler: AnalysisScheduler | None = None
        if engine_settings.schedule == "market":
            self.scheduler = AnalysisScheduler(
                self._scheduled_run,
                clock,
                self.run_lock,
                SchedulerSettings(
                    retry_delays_secs=engine_settings.schedule_retry_delays_secs, clock_speed=clock_speed
                ),
                self._last_completed_at,
            )
        # Shared with the move watcher: its previous closes are the bars the analysis fetched.
        self._bars_cache = DailyBarsCache()
        self.move_watcher: MoveWatcher | None = None
        if engine_settings.move_watch:
            self.move_watcher = MoveWatcher(
                provider,
                clock,
                lambda: self._universe_sectors,
                self._on_moves,
                engine_settings.move_poll_secs,
                threshold_pct=engine_settings.move_threshold_pct,
                bars_cache=self._bars_cache,
                clock_speed=clock_speed,
            )
        # symbol -> sector of the latest run's universe: the stocks the move watcher follows.
        self._universe_sectors: dict[str, str] = {}
        self.classification_sources = classification_sources or ClassificationSources(
            MemorySectorReferenceStore(), overrides_file=self.analysis_settings.classification_overrides
        )
        self.inputs = AnalysisInputs.from_settings(self.analysis_settings, self.classification_sources)
        # Run bookkeeping uses real time even when the market clock is frozen.
        self.wall_clock: Clock = SystemClock()
        self.data_source = data_source_for(provider)
        self._snapshot_memory = SnapshotMemory()
        self._in_flight: asyncio.Task[AnalysisRun] | None = None
        self._in_flight_run: AnalysisRun | None = None
        self._progress: dict[str, tuple[str, float]] = {}
        self._loop_task: asyncio.Task[None] | None = None
        self._sweep_task: asyncio.Task[None] | None = None
        self._last_prune: datetime | None = None
        self._request_lock = asyncio.Lock()
        # The error of this process's latest run when it failed; the grid is then served as stale.
        self.last_failure: str | None = None
        self._grid_as_of: tuple[bytes, datetime] | None = None
        self._rebuild_lock = asyncio.Lock()
        # Where live updates go (the container sets it); None: no live updates.
        self.events: EventBus | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def start(self) -> None:
        """Mark runs a dead process left behind as failed (now and every few seconds after), then
        start the refresh loop."""
        await self._fail_abandoned_runs()
        self._sweep_task = asyncio.create_task(self._sweep_loop(), name="sectorlights-abandoned-runs")
        if self.engine_settings.run_on_start:
            # Started before the scheduler, so a missed scheduled run finds it in flight and joins it.
            await self.request_run(RunTrigger.STARTUP)
        if self.move_watcher is not None:
            members, _total = await asyncio.to_thread(self.repository.universe_members)
            self._universe_sectors = self._universe_sectors or {m["symbol"]: m["sector"] for m in members}
            await self.move_watcher.start()
        if self.scheduler is not None:
            await self.scheduler.start()
        elif self.engine_settings.schedule == "interval":
            self._loop_task = asyncio.create_task(self._refresh_loop(), name="sectorlights-refresh")

    async def stop(self) -> None:
        if self.move_watcher is not None:
            await self.move_watcher.stop()
        if self.scheduler is not None:
            await self.scheduler.stop()
        for task in (self._loop_task, self._sweep_task, self._in_flight):
            # A run failing as it is cancelled has already been recorded as failed.
            await stop_task(task, suppress=(asyncio.CancelledError, Exception))

    async def _fail_abandoned_runs(self) -> None:
        """Fail the `running` runs whose heartbeat went stale: their process died (a live run of
        another replica sharing the database keeps its heartbeat fresh and is left alone)."""
        abandoned = await asyncio.to_thread(self.repository.fail_abandoned_runs, self.wall_clock.now())
        if abandoned:
            logger.warning("marked %d interrupted run(s) as failed", abandoned)

    async def _sweep_loop(self) -> None:
        while True:
            await asyncio.sleep(ABANDONED_SWEEP_INTERVAL_SECS)
            try:
                await self._fail_abandoned_runs()
            except Exception as error:  # a database hiccup: the next sweep tries again
                logger.warning("could not check for interrupted runs: %s", error)

    async def _heartbeat(self, run_id: str) -> None:
        """Keep a run's heartbeat fresh while it is in flight, even through a long silent stage."""
        while True:
            await asyncio.sleep(HEARTBEAT_INTERVAL_SECS)
            try:
                await asyncio.to_thread(self.repository.heartbeat, run_id, self.wall_clock.now())
            except Exception as error:
                logger.warning("analysis %s: heartbeat not recorded: %s", run_id, error)

    async def _scheduled_run(self, trigger: RunTrigger, scheduled_for: datetime) -> AnalysisRun:
        run = await self.request_run(trigger)
        logger.info("scheduled analysis for %s: run %s", scheduled_for.isoformat(), run.run_id)
        return await self.wait_for(run.run_id)

    async def _last_completed_at(self) -> datetime | None:
        """When (on the market clock) the latest successful run's data is from."""
        run = await asyncio.to_thread(self.repository.latest_run, RunStatus.SUCCEEDED)
        return None if run is None else run.as_of

    async def _refresh_loop(self) -> None:
        while True:
            await asyncio.sleep(self.engine_settings.refresh_interval_secs)
            await self._run_logged(RunTrigger.INTERVAL)

    async def _run_logged(self, trigger: RunTrigger) -> None:
        try:
            run = await self.request_run(trigger)
            await self.wait_for(run.run_id)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("%s analysis failed", trigger.value)

    async def request_run(self, trigger: RunTrigger) -> AnalysisRun:
        """Start a run, or return the one already in flight."""
        run, _joined = await self.request_or_join(trigger)
        return run

    async def request_or_join(
        self, trigger: RunTrigger, admit: Callable[[], None] | None = None
    ) -> tuple[AnalysisRun, bool]:
        """Start a run, or join the one already in flight (whoever asked for it: the schedule, the
        refresh loop or a trader); True when joined. `admit` is called only when a new run would
        start (a rate limit): if it raises, nothing starts."""
        # The lock spans the check and the insert: callers arriving during the insert join this run.
        async with self._request_lock:
            if self._in_flight is not None and not self._in_flight.done() and self._in_flight_run is not None:
                return self._in_flight_run, True
            if admit is not None:
                admit()
            run = AnalysisRun(
                run_id=str(uuid.uuid4()),
                trigger=trigger,
                status=RunStatus.RUNNING,
                stage="queued",
                progress_pct=0.0,
                provider=self.provider.name,
                started_at=self.wall_clock.now(),
            )
            await asyncio.to_thread(self.repository.create_run, run)
            self._in_flight_run = run
            self._in_flight = asyncio.create_task(self._execute(run), name=f"analysis-{run.run_id}")
            return run, False

    async def wait_for(self, run_id: str) -> AnalysisRun:
        """Wait for the in-flight run `run_id` (if it is the one running) and return its record."""
        task = self._in_flight
        if task is not None and self._in_flight_run is not None and self._in_flight_run.run_id == run_id:
            with contextlib.suppress(Exception):
                await asyncio.shield(task)
        run = await asyncio.to_thread(self.repository.get_run, run_id)
        if run is None:
            raise KeyError(run_id)
        return run

    def progress(self, run_id: str) -> tuple[str, float] | None:
        return self._progress.get(run_id)

    def _count_run(self, run: AnalysisRun, status: RunStatus, started: float) -> None:
        self.metrics.analysis_runs.labels(run.trigger.value, status.value).inc()
        self.metrics.analysis_run_duration.labels(status.value).observe(time.perf_counter() - started)

    async def _execute(self, run: AnalysisRun) -> AnalysisRun:
        started = time.perf_counter()
        heartbeat = asyncio.create_task(self._heartbeat(run.run_id), name=f"heartbeat-{run.run_id}")
        self._loop = asyncio.get_running_loop()
        previous = await self._grid_before_run()
        try:
            snapshot = await asyncio.to_thread(self._compute_and_store, run)
        except asyncio.CancelledError:
            # Stopping mid-run: record it now rather than leave it to another process's sweep.
            with contextlib.suppress(Exception):
                await asyncio.to_thread(
                    self.repository.fail_run, run.run_id, INTERRUPTED_ERROR, self.wall_clock.now()
                )
            raise
        except Exception as error:
            message = f"{type(error).__name__}: {error}"
            logger.error("analysis %s failed: %s", run.run_id, message)
            await asyncio.to_thread(self.repository.fail_run, run.run_id, message, self.wall_clock.now())
            await self.emit(
                EventType.ANALYSIS_PROGRESS,
                {"run_id": run.run_id, "trigger": run.trigger.value, "stage": "failed", "percent": 100.0}
                | {"error": message},
            )
            self.last_failure = message
            self._progress.pop(run.run_id, None)
            self._count_run(run, RunStatus.FAILED, started)
            raise
        finally:
            heartbeat.cancel()
        self._count_run(run, RunStatus.SUCCEEDED, started)
        for endpoint, rows in snapshot.data_quality.by_endpoint.items():
            self.metrics.vendor_rejected_rows.labels(endpoint).inc(rows)
        grid = await self._publish(snapshot)
        self.last_failure = None
        await self.emit(
            EventType.ANALYSIS_PROGRESS,
            {"run_id": run.run_id, "trigger": run.trigger.value, "stage": "done", "percent": 100.0},
        )
        await self._broadcast_changes(previous, grid)
        self._progress.pop(run.run_id, None)
        await self._prune_if_due()
        logger.info(
            "analysis %s done: %d stocks, as of %s",
            run.run_id,
            snapshot.universe_size,
            snapshot.as_of.isoformat(),
        )
        return run

    async def _prune_if_due(self) -> None:
        """Apply the history retention once a day; a failure is logged and retried next run."""
        now = self.wall_clock.now()
        if self._last_prune is not None and now - self._last_prune < PRUNE_INTERVAL:
            return
        try:
            report = await asyncio.to_thread(
                prune_history, self.repository.engine, now, self.engine_settings.retention_days
            )
        except Exception as error:  # retention never fails a run that is already published
            logger.warning("history retention failed: %s", error)
            return
        self._last_prune = now
        if report.sector_sentiment or report.minute_bars or report.analysis_runs or report.stock_metrics:
            logger.info(
                "retention removed %d history rows, %d stock metric rows, %d minute bars, %d runs",
                report.sector_sentiment,
                report.stock_metrics,
                report.minute_bars,
                report.analysis_runs,
            )

    def _compute_and_store(self, run: AnalysisRun) -> SectorSnapshot:
        def progress(stage: str, percent: float) -> None:
            previous = self._progress.get(run.run_id)
            self._progress[run.run_id] = (stage, percent)
            if previous is None or previous[0] != stage or percent - previous[1] >= PROGRESS_EVENT_STEP_PCT:
                self._emit_threadsafe(
                    EventType.ANALYSIS_PROGRESS,
                    {"run_id": run.run_id, "trigger": run.trigger.value, "stage": stage, "percent": percent},
                )
            self.repository.update_progress(run.run_id, stage, percent, self.wall_clock.now())

        now = self.clock.now().astimezone(UTC)
        frame = build_frame(
            self.provider,
            now,
            self.engine_settings.history_sessions,
            self._bars_cache,
            progress,
            self._snapshot_memory,
        )
        result = analyze_market(self.provider, frame, self.inputs, progress, self.wall_clock.now())
        quality = data_quality(
            self.provider.drain_rejections() + self.classification_sources.drain_rejections()
        )
        snapshot = SectorSnapshot(
            run_id=run.run_id,
            as_of=now,
            generated_at=self.wall_clock.now(),
            current_session=result.current_session,
            data_source=self.data_source,
            benchmark=Benchmark(symbol=result.benchmark_symbol, returns_pct=result.benchmark_returns_pct),
            universe_size=result.universe_size,
            funnel=result.funnel,
            sectors=result.sectors,
            data_quality=quality,
        )
        self._universe_sectors = {member.symbol: member.sector.value for member in result.members}
        progress("saving", 90.0)
        self.repository.commit_run(snapshot, result.members, self.wall_clock.now(), result.exclusions)
        return snapshot

    async def _grid_before_run(self) -> dict[str, Any] | None:
        """The grid a run replaces, to broadcast only what the run changed."""
        if self.events is None:
            return None
        try:
            return await self.latest_grid()
        except Exception as error:  # no previous grid: every sector is broadcast
            logger.warning("previous grid unavailable, broadcasting every sector: %s", error)
            return None

    async def emit(self, event_type: EventType, payload: dict[str, Any]) -> None:
        """Publish a live update; a bus failure is logged, never fails the caller."""
        if self.events is None:
            return
        try:
            await self.events.publish(event_type, payload, self.clock.now())
        except Exception as error:
            logger.warning("live update %s not published: %s", event_type.value, error)

    def _emit_threadsafe(self, event_type: EventType, payload: dict[str, Any]) -> None:
        """`emit` from the analysis thread, without waiting for it."""
        if self.events is not None and self._loop is not None:
            asyncio.run_coroutine_threadsafe(self.emit(event_type, payload), self._loop)

    async def _on_moves(self, moves: list[SectoredMove]) -> None:
        """A universe stock's first big move of the session: tell the clients, then re-analyse (the
        run's changes follow as `sector_update` and `top_stocks_change`)."""
        session = current_session(self.clock.now())
        # Every replica watches; the one that claims a stock's move for the session reports it.
        claimed = [
            (move, sector)
            for move, sector in moves
            if await self.run_lock.claim(f"move:{session.isoformat()}:{move.symbol}", MOVE_CLAIM_TTL_SECS)
        ]
        if not claimed:
            return
        for move, sector in claimed:
            await self.emit(EventType.SIGNIFICANT_MOVE, move.to_payload() | {"sector": sector})
        logger.info(
            "significant moves: %s; re-analysing",
            ", ".join(f"{move.symbol} {move.change_pct:+.1f}%" for move, _ in claimed[:10]),
        )
        await self.request_run(RunTrigger.SIGNIFICANT_MOVE)

    async def _broadcast_changes(self, previous: dict[str, Any] | None, current: dict[str, Any]) -> None:
        """One `sector_update` with every changed sector and one `top_stocks_change` with every
        changed list (nothing when nothing changed): a run's changes reach a client together."""
        changes: dict[EventType, list[dict[str, Any]]] = {}
        for event_type, payload in grid_changes(previous, current):
            changes.setdefault(event_type, []).append(payload)
        for event_type, key in (
            (EventType.SECTOR_UPDATE, "sectors"),
            (EventType.TOP_STOCKS_CHANGE, "changes"),
        ):
            if event_type in changes:
                await self.emit(
                    event_type,
                    {"run_id": current["run_id"], "as_of": current["as_of"], key: changes[event_type]},
                )

    def cache_ttl_secs(self, now: datetime) -> int:
        """30 minutes during 04:00-20:00 ET on a session, longer outside it."""
        bounds = session_bounds(current_session(now))
        if bounds.extended_open <= now < bounds.extended_close:
            return self.cache_settings.market_hours_ttl_secs
        return self.cache_settings.off_hours_ttl_secs

    async def _publish(self, snapshot: SectorSnapshot) -> dict[str, Any]:
        """Write the grid to the cache and return it as JSON data; a cache failure never loses the
        stored run."""
        grid: dict[str, Any] = snapshot.model_dump(mode="json")
        documents: dict[str, Any] = {SNAPSHOT_KEY: grid}
        for sector in snapshot.sectors:
            sentiment = sector.model_dump(
                mode="json", exclude={"top_bullish", "top_bearish", "bullish_note", "bearish_note"}
            )
            sentiment |= {"as_of": snapshot.as_of.isoformat(), "run_id": snapshot.run_id}
            documents[sector_sentiment_key(sector.sector.value)] = sentiment
            documents[sector_top_stocks_key(sector.sector.value)] = sector.model_dump(
                mode="json", include={"top_bullish", "top_bearish", "bullish_note", "bearish_note"}
            ) | {"as_of": snapshot.as_of.isoformat()}
        symbols = set(await asyncio.to_thread(self.repository.universe_symbols))
        try:
            await self.cache.put_many(
                documents, {UNIVERSE_KEY: symbols}, self.cache_ttl_secs(self.clock.now())
            )
        except CacheError as error:
            logger.warning("cache not updated (the database has the run): %s", error)
        return grid

    async def latest_grid_raw(self) -> bytes | None:
        """The latest grid as its cached JSON: the cache first, else the database (refilling the
        cache); None before the first run."""
        try:
            cached = await self.cache.get_raw(SNAPSHOT_KEY)
        except CacheError as error:
            logger.warning("cache read failed, serving from the database: %s", error)
            self.metrics.grid_cache_reads.labels("error").inc()
            stored = await asyncio.to_thread(self.repository.latest_snapshot)
            return None if stored is None else encode_document(stored.model_dump(mode="json"))
        if cached is not None:
            self.metrics.grid_cache_reads.labels("hit").inc()
            return cached
        # One rebuild at a time: readers that missed together wait for it and read what it wrote.
        async with self._rebuild_lock:
            with contextlib.suppress(CacheError):
                cached = await self.cache.get_raw(SNAPSHOT_KEY)
            if cached is not None:
                self.metrics.grid_cache_reads.labels("hit").inc()
                return cached
            self.metrics.grid_cache_reads.labels("miss").inc()
            snapshot = await asyncio.to_thread(self.repository.latest_snapshot)
            if snapshot is None:
                return None
            return encode_document(await self._publish(snapshot))

    async def latest_grid(self) -> dict[str, Any] | None:
        """The latest grid as JSON data (see `latest_grid_raw`)."""
        raw = await self.latest_grid_raw()
        if raw is None:
            return None
        grid: dict[str, Any] = json.loads(raw)
        return grid

    def freshness_fields(self, as_of: datetime) -> dict[str, Any]:
        """What the grid says about itself: age, freshness class, recommendation, staleness."""
        age_secs = max(0.0, (self.clock.now() - as_of).total_seconds())
        freshness = classify_freshness(age_secs)
        return {
            "age_secs": round(age_secs, 1),
            "freshness": freshness.value,
            "recommendation": recommendation(freshness),
            "stale": freshness == Freshness.STALE or self.last_failure is not None,
            "last_error": self.last_failure,
        }

    async def live_grid(self) -> dict[str, Any] | None:
        """The latest grid with its freshness fields, as `GET /api/sectors` serves it."""
        grid = await self.latest_grid()
        if grid is None:
            return None
        return grid | self.freshness_fields(datetime.fromisoformat(grid["as_of"]))

    async def latest_grid_as_of(self) -> tuple[bytes, datetime] | None:
        """The latest grid's JSON and the market time it is from; the time is read once per
        distinct grid, since every read between two runs gets the same bytes."""
        raw = await self.latest_grid_raw()
        if raw is None:
            return None
        memo = self._grid_as_of
        if memo is None or memo[0] != raw:
            memo = (raw, datetime.fromisoformat(json.loads(raw)["as_of"]))
            self._grid_as_of = memo
        return memo

    async def latest_snapshot(self) -> SectorSnapshot | None:
        grid = await self.latest_grid()
        return None if grid is None else SectorSnapshot.model_validate(grid)
