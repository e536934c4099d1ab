"""A run's rotation graph: each sector's RS-Ratio and RS-Momentum against IWM over daily and half-hour
bars (analytics/rrg.py), kept with the run and summed up on its cards as a quadrant."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sectorlights.analytics.performance import sector_means
from sectorlights.analytics.rrg import (
    quadrant_of,
    relative_rotation,
    sector_levels,
    too_little_data_reason,
)
from sectorlights.config.criteria import ScoreParams
from sectorlights.config.rotation import INTRADAY_BARS, MAX_TAIL, ROTATION_PARAMS
from sectorlights.config.sectors import BENCHMARK_SYMBOL, SECTOR_MAPPING
from sectorlights.domain.frame import IntArray, MarketFrame
from sectorlights.domain.results import AnalysisResult, SectorCard
from sectorlights.domain.rotation import (
    CardRotation,
    Quadrant,
    RotationInterval,
    RotationPoint,
    RunRotation,
    SectorRotation,
)
from sectorlights.domain.vocabulary import SECTORS, Sector
from sectorlights.engine.frame_builder import RecentSnapshots
from sectorlights.engine.rotation_bars import Bars, daily_bars, half_hour_bars
from sectorlights.providers.base import MarketDataProvider

DECIMALS = 4
BAR_WORDS = {RotationInterval.DAY: "sessions", RotationInterval.MIN_30: "half hours"}
# Said with an intraday shortfall when the half hours come from this service's own snapshots.
REMEMBERED_NOTE = (
    " (this vendor answers only for now: the half hours are the snapshots this service took at its "
    "own runs, so they fill in as it keeps running)"
)
NO_MEMBERS = "No members in this run's universe"


@dataclass(frozen=True, slots=True)
class RotationSources:
    """What the intraday bars come from besides the provider, and how member returns are clipped."""

    snapshot_memory: RecentSnapshots | None
    score_params: ScoreParams


def _rows(frame: MarketFrame, symbols: list[str]) -> IntArray:
    """Frame rows of `symbols` (the frame's symbols are sorted and unique); -1 where absent."""
    wanted = np.array(symbols, dtype=np.str_)
    positions = np.clip(np.searchsorted(frame.symbols, wanted), 0, max(frame.size - 1, 0))
    found = frame.symbols[positions] == wanted if frame.size else np.zeros(wanted.shape, dtype=bool)
    return np.where(found, positions, -1).astype(np.int64)


def _sector_rotation(
    sector: int,
    members: int,
    bars: Bars,
    rotation: tuple[np.ndarray, np.ndarray],
    known_bars: int,
    interval: RotationInterval,
    note: str,
) -> SectorRotation:
    ratio, momentum = rotation
    info = SECTOR_MAPPING[SECTORS[sector]]
    shown = np.flatnonzero(np.isfinite(ratio) & np.isfinite(momentum))[-MAX_TAIL:]
    points = [
        RotationPoint(
            time=bars.times[column],
            rs_ratio=round(float(ratio[column]), DECIMALS) + 0.0,
            rs_momentum=round(float(momentum[column]), DECIMALS) + 0.0,
        )
        for column in shown.tolist()
    ]
    reason = None
    if members == 0:
        reason = NO_MEMBERS
    elif not points:
        needed = ROTATION_PARAMS[interval].bars_needed
        reason = too_little_data_reason(known_bars, needed, BAR_WORDS[interval]) + note
    # The quadrant follows the rounded figures, so the one shown and its position agree.
    last = points[-1] if points else None
    return SectorRotation(
        sector=SECTORS[sector],
        label=info.label,
        quadrant=None if last is None else quadrant_of(last.rs_ratio, last.rs_momentum),
        points=points,
        reason=reason,
    )


def rotation_graph(
    bars: Bars, sector_index: IntArray, interval: RotationInterval, params: ScoreParams, note: str = ""
) -> RunRotation:
    """The graph of one interval from the members' bars (rows 0..m-1) and the benchmark's (row m)."""
    rotation_params = ROTATION_PARAMS[interval]
    members, benchmark = bars.prices[:-1], bars.prices[-1]
    levels = sector_levels(members, sector_index, params.winsor_share, params.winsor_min_clipped)
    rotation = relative_rotation(
        levels, benchmark, rotation_params.ratio_period, rotation_params.momentum_period
    )
    # Bars where some member and IWM have a price.
    priced = np.isfinite(sector_means(np.where(np.isfinite(members), 1.0, np.nan), sector_index))
    known = (priced & np.isfinite(benchmark)[np.newaxis, :]).sum(axis=1)
    counts = np.bincount(sector_index[sector_index >= 0], minlength=len(SECTORS))
    return graph_of(
        interval,
        [
            _sector_rotation(
                sector,
                int(counts[sector]),
                bars,
                (rotation.rs_ratio[sector], rotation.rs_momentum[sector]),
                int(known[sector]),
                interval,
                note,
            )
            for sector in range(len(SECTORS))
        ],
    )


def graph_of(interval: RotationInterval, sectors: list[SectorRotation]) -> RunRotation:
    """The graph of `interval` against IWM with its configured periods."""
    params = ROTATION_PARAMS[interval]
    return RunRotation(
        interval=interval,
        benchmark=BENCHMARK_SYMBOL,
        ratio_period=params.ratio_period,
        momentum_period=params.momentum_period,
        sectors=sectors,
    )


def measure_rotation(
    provider: MarketDataProvider, frame: MarketFrame, result: AnalysisResult, sources: RotationSources
) -> dict[RotationInterval, RunRotation]:
    """Both intervals' graphs of a run, from its members' bars and IWM's."""
    symbols = [member.symbol for member in result.members]
    sector_index = np.array([SECTORS.index(member.sector) for member in result.members], dtype=np.int64)
    rows = _rows(frame, [*symbols, BENCHMARK_SYMBOL])
    # A symbol the frame lacks (never for members, maybe for IWM) reads as a row of unknown prices.
    present = rows >= 0
    safe_rows = np.where(present, rows, 0)

    def unknown_where_absent(bars: Bars) -> Bars:
        return Bars(bars.times, np.where(present[:, np.newaxis], bars.prices, np.nan))

    day = unknown_where_absent(daily_bars(frame, safe_rows))
    intraday = unknown_where_absent(
        half_hour_bars(provider, frame, safe_rows, sources.snapshot_memory, INTRADAY_BARS)
    )
    note = "" if provider.capabilities.historical_snapshots else REMEMBERED_NOTE
    return {
        RotationInterval.DAY: rotation_graph(day, sector_index, RotationInterval.DAY, sources.score_params),
        RotationInterval.MIN_30: rotation_graph(
            intraday, sector_index, RotationInterval.MIN_30, sources.score_params, note
        ),
    }


def with_rotation(cards: list[SectorCard], graphs: dict[RotationInterval, RunRotation]) -> list[SectorCard]:
    """The cards, each with its sector's latest quadrant per interval."""

    def quadrants(interval: RotationInterval) -> dict[Sector, Quadrant | None]:
        return {entry.sector: entry.quadrant for entry in graphs[interval].sectors}

    day, intraday = quadrants(RotationInterval.DAY), quadrants(RotationInterval.MIN_30)
    return [
        card.model_copy(
            update={"rotation": CardRotation(day=day.get(card.sector), intraday=intraday.get(card.sector))}
        )
        for card in cards
    ]
