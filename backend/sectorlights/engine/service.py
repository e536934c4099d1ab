"""Analysis runs: one at a time, joined when already in flight, published atomically."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from datetime import UTC, datetime
from typing import Any

from sectorlights.cache.base import (
    SNAPSHOT_KEY,
    UNIVERSE_KEY,
    Cache,
    CacheError,
    sector_sentiment_key,
    sector_top_stocks_key,
)
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
from sectorlights.engine.classification_sources import ClassificationSources
from sectorlights.engine.clock import Clock, SystemClock
from sectorlights.engine.frame_builder import DailyBarsCache, SnapshotMemory, build_frame
from sectorlights.engine.pipeline import AnalysisInputs, analyze_market
from sectorlights.providers.base import MarketDataProvider, MemorySectorReferenceStore, RejectedRow
from sectorlights.settings import AnalysisSettings, CacheSettings, EngineSettings
from sectorlights.storage.repository import Repository

logger = logging.getLogger(__name__)


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
    ) -> None:
        self.provider = provider
        self.repository = repository
        self.cache = cache
        self.clock = clock
        self.engine_settings = engine_settings
        self.cache_settings = cache_settings
        self.analysis_settings = analysis_settings or AnalysisSettings()
        self.classification_sources = classification_sources or ClassificationSources(
            MemorySectorReferenceStore(), overrides_file=self.analysis_settings.classification_overrides
        )
        self.inputs = AnalysisInputs.from_settings(self.analysis_settings, self.classification_sources)
        # Run bookkeeping uses real time even when the market clock is frozen.
        self.wall_clock: Clock = SystemClock()
        self.data_source = data_source_for(provider)
        self._bars_cache = DailyBarsCache()
        self._snapshot_memory = SnapshotMemory()
        self._in_flight: asyncio.Task[AnalysisRun] | None = None
        self._in_flight_run: AnalysisRun | None = None
        self._progress: dict[str, tuple[str, float]] = {}
        self._loop_task: asyncio.Task[None] | None = None
        # The error of this process's latest run when it failed; the grid is then served as stale.
        self.last_failure: str | None = None

    async def start(self) -> None:
        """Mark runs a dead process left behind as failed, then start the refresh loop."""
        abandoned = await asyncio.to_thread(self.repository.fail_abandoned_runs, self.wall_clock.now())
        if abandoned:
            logger.warning("marked %d interrupted run(s) as failed", abandoned)
        self._loop_task = asyncio.create_task(self._refresh_loop(), name="sectorlights-refresh")

    async def stop(self) -> None:
        for task in (self._loop_task, self._in_flight):
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task

    async def _refresh_loop(self) -> None:
        if self.engine_settings.run_on_start:
            await self._run_logged(RunTrigger.STARTUP)
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
        if self._in_flight is not None and not self._in_flight.done() and self._in_flight_run is not None:
            return self._in_flight_run
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
        return run

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

    async def _execute(self, run: AnalysisRun) -> AnalysisRun:
        try:
            snapshot = await asyncio.to_thread(self._compute_and_store, run)
        except Exception as error:
            message = f"{type(error).__name__}: {error}"
            logger.error("analysis %s failed: %s", run.run_id, message)
            await asyncio.to_thread(self.repository.fail_run, run.run_id, message, self.wall_clock.now())
            self.last_failure = message
            self._progress.pop(run.run_id, None)
            raise
        await self._publish(snapshot)
        self.last_failure = None
        self._progress.pop(run.run_id, None)
        logger.info(
            "analysis %s done: %d stocks, as of %s",
            run.run_id,
            snapshot.universe_size,
            snapshot.as_of.isoformat(),
        )
        return run

    def _compute_and_store(self, run: AnalysisRun) -> SectorSnapshot:
        def progress(stage: str, percent: float) -> None:
            self._progress[run.run_id] = (stage, percent)
            self.repository.update_progress(run.run_id, stage, percent)

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
        progress("saving", 90.0)
        self.repository.commit_run(snapshot, result.members, self.wall_clock.now())
        return snapshot

    def cache_ttl_secs(self, now: datetime) -> int:
        """30 minutes during 04:00-20:00 ET on a session, longer outside it."""
        bounds = session_bounds(current_session(now))
        if bounds.extended_open <= now < bounds.extended_close:
            return self.cache_settings.market_hours_ttl_secs
        return self.cache_settings.off_hours_ttl_secs

    async def _publish(self, snapshot: SectorSnapshot) -> None:
        """Write the grid to the cache; a cache failure never loses the stored run."""
        documents: dict[str, Any] = {SNAPSHOT_KEY: snapshot.model_dump(mode="json")}
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

    async def latest_grid(self) -> dict[str, Any] | None:
        """The latest grid as JSON data: the cache first, else the database (refilling the cache)."""
        try:
            cached: dict[str, Any] | None = await self.cache.get_json(SNAPSHOT_KEY)
        except CacheError as error:
            logger.warning("cache read failed, serving from the database: %s", error)
            stored = await asyncio.to_thread(self.repository.latest_snapshot)
            return None if stored is None else stored.model_dump(mode="json")
        if cached is not None:
            return cached
        snapshot = await asyncio.to_thread(self.repository.latest_snapshot)
        if snapshot is None:
            return None
        await self._publish(snapshot)
        return snapshot.model_dump(mode="json")

    async def latest_snapshot(self) -> SectorSnapshot | None:
        grid = await self.latest_grid()
        return None if grid is None else SectorSnapshot.model_validate(grid)
