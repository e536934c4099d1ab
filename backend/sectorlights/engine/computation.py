"""The work of one analysis run, in a worker thread: frame, analysis, snapshot, stored."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from sectorlights.core.clock import Clock
from sectorlights.domain.results import AnalysisResult
from sectorlights.domain.rotation import RotationInterval, RunRotation
from sectorlights.domain.sessions import NEW_YORK
from sectorlights.domain.snapshot import AnalysisRun, Benchmark, DataQuality, DataSource, SectorSnapshot
from sectorlights.engine.frame_builder import DailyBarsCache, ProgressCallback, RecentSnapshots, build_frame
from sectorlights.engine.move_watcher import WatchedUniverse
from sectorlights.engine.pipeline import AnalysisInputs, analyze_market
from sectorlights.engine.rotation_measure import RotationSources, measure_rotation, with_rotation
from sectorlights.providers.base import MarketDataProvider, RejectedRow
from sectorlights.storage.repository import Repository

logger = logging.getLogger(__name__)


# A run whose analysed instant is further behind the wall clock than this is a replay of the past
# (flat files over old sessions, a past SIM_NOW over a real provider); a live run analyses "now",
# within the second or so between reading both clocks.
REPLAY_LAG = timedelta(hours=1)


def data_source_for(provider: MarketDataProvider, as_of: datetime, wall_now: datetime) -> DataSource:
    """Where a run's data comes from, as the dashboard labels it.

    The simulated market is always "Simulated data": its clock is its own fiction, not a replay of
    real history. Real data analysed at a past instant is "Replay of <New York date>", never "Live".
    """
    if provider.capabilities.simulated:
        return DataSource(provider=provider.name, simulated=True, label="Simulated data")
    if wall_now - as_of > REPLAY_LAG:
        session = as_of.astimezone(NEW_YORK).date()
        return DataSource(
            provider=provider.name,
            simulated=False,
            label=f"Replay of {session.isoformat()}",
            replay_of=session,
        )
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
    snapshot_memory: RecentSnapshots
    # Receives each run's members for the move watcher.
    universe: WatchedUniverse

    def compute_and_store(self, run: AnalysisRun, progress: ProgressCallback) -> SectorSnapshot:
        snapshot, result, rotation = compute_snapshot(
            self.provider,
            self.inputs,
            AnalysisMoment(run, self.clock.now(), self.wall_clock),
            FrameSources(self.history_sessions, self.bars_cache, self.snapshot_memory),
            progress,
        )
        self.universe.replace({member.symbol: member.sector.value for member in result.members})
        progress("saving", 90.0)
        self.repository.commit_run(
            snapshot, result.members, self.wall_clock.now(), result.exclusions, rotation.values()
        )
        return snapshot


@dataclass(frozen=True, slots=True)
class AnalysisMoment:
    """Which run analyses which market instant, and the real clock its bookkeeping reads."""

    run: AnalysisRun
    at: datetime
    wall_clock: Clock


@dataclass(frozen=True, slots=True)
class FrameSources:
    """Where a frame's history comes from besides the provider."""

    history_sessions: int
    bars_cache: DailyBarsCache
    snapshot_memory: RecentSnapshots | None


class ComputedRun(NamedTuple):
    snapshot: SectorSnapshot
    result: AnalysisResult
    rotation: dict[RotationInterval, RunRotation]


def compute_snapshot(
    provider: MarketDataProvider,
    inputs: AnalysisInputs,
    moment: AnalysisMoment,
    sources: FrameSources,
    progress: ProgressCallback,
) -> ComputedRun:
    """Frame, analysis, rotation graph and the run's snapshot as of `moment.at`; nothing is stored."""
    now = moment.at.astimezone(UTC)
    wall_clock = moment.wall_clock
    source = data_source_for(provider, now, wall_clock.now())
    frame = build_frame(
        provider, now, sources.history_sessions, sources.bars_cache, progress, sources.snapshot_memory
    )
    result = analyze_market(provider, frame, inputs, progress, wall_clock.now())
    progress("rotation", 85.0)
    rotation = measure_rotation(
        provider, frame, result, RotationSources(sources.snapshot_memory, inputs.score_params)
    )
    quality = data_quality(provider.drain_rejections() + inputs.sources.drain_rejections())
    snapshot = SectorSnapshot(
        run_id=moment.run.run_id,
        as_of=now,
        generated_at=wall_clock.now(),
        current_session=result.current_session,
        data_source=source,
        benchmark=Benchmark(symbol=result.benchmark_symbol, returns_pct=result.benchmark_returns_pct),
        universe_size=result.universe_size,
        funnel=result.funnel,
        sectors=with_rotation(result.sectors, rotation),
        data_quality=quality,
    )
    return ComputedRun(snapshot, result, rotation)
