"""The work of one analysis run, in a worker thread: frame, analysis, snapshot, stored."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC

from sectorlights.core.clock import Clock
from sectorlights.domain.snapshot import AnalysisRun, Benchmark, DataQuality, DataSource, SectorSnapshot
from sectorlights.engine.frame_builder import DailyBarsCache, ProgressCallback, SnapshotMemory, build_frame
from sectorlights.engine.move_watcher import WatchedUniverse
from sectorlights.engine.pipeline import AnalysisInputs, analyze_market
from sectorlights.providers.base import MarketDataProvider, RejectedRow
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


@dataclass(eq=False)
class SnapshotComputer:
    """Builds the frame, analyses it and commits the run's snapshot; synchronous (providers are)."""

    provider: MarketDataProvider
    repository: Repository
    # The market's clock.
    clock: Clock
    # Real time, which run bookkeeping uses even when the market clock is frozen.
    wall_clock: Clock
    inputs: AnalysisInputs
    history_sessions: int
    bars_cache: DailyBarsCache
    snapshot_memory: SnapshotMemory
    # Receives each run's members for the move watcher.
    universe: WatchedUniverse
    data_source: DataSource = field(init=False)

    def __post_init__(self) -> None:
        self.data_source = data_source_for(self.provider)

    def compute_and_store(self, run: AnalysisRun, progress: ProgressCallback) -> SectorSnapshot:
        now = self.clock.now().astimezone(UTC)
        frame = build_frame(
            self.provider,
            now,
            self.history_sessions,
            self.bars_cache,
            progress,
            self.snapshot_memory,
        )
        result = analyze_market(self.provider, frame, self.inputs, progress, self.wall_clock.now())
        quality = data_quality(self.provider.drain_rejections() + self.inputs.sources.drain_rejections())
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
        self.universe.replace({member.symbol: member.sector.value for member in result.members})
        progress("saving", 90.0)
        self.repository.commit_run(snapshot, result.members, self.wall_clock.now(), result.exclusions)
        return snapshot
