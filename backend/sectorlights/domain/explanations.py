"""Why a sector shows its colour: its card (score, timeframes, multipliers) and the members that
moved its return most, per timeframe."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from sectorlights.domain.results import SectorCard
from sectorlights.domain.snapshot import DataSource
from sectorlights.domain.vocabulary import Timeframe


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class SectorMover(_Frozen):
    """One member and how much of its sector's volume-weighted return it accounts for."""

    symbol: str
    name: str
    change_pct: float = Field(description="the member's own return over the timeframe, percent")
    relative_volume: float | None
    volume_weight: float = Field(
        description="its weight in the sector's mean: relative volume clipped to [0.25, 4], 1 when unknown"
    )
    pull_pct: float = Field(
        description="percentage points of the sector's volume-weighted return this member accounts "
        "for (its return winsorised like the score's); a timeframe's pulls over all members sum to "
        "the card's return_pct"
    )


class SectorColourReason(_Frozen):
    """Why a sector has its colour in the latest analysis.

    The colour follows the composite score: each timeframe's score is tanh(the sector's volume-weighted
    return / the timeframe's scale) x its volatility weight x the multipliers in `sector.factors`
    (volume confirmation, catalyst density, technical context), clipped to [-1, 1], and the
    composite weighs the timeframes by `timeframe_weights`. `movers` names, per timeframe, the
    members that moved the sector's return most, largest pull either way first."""

    run_id: str
    as_of: datetime
    data_source: DataSource
    sector: SectorCard
    timeframe_weights: dict[Timeframe, float] = Field(description="each timeframe's share of the composite")
    movers: dict[Timeframe, list[SectorMover]]
