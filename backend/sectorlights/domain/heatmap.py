"""The member heatmap: the latest universe's members, sized by market cap or float and coloured by
one timeframe's change."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from sectorlights.domain.vocabulary import Color, Sector, Signal, Timeframe


class HeatmapSize(StrEnum):
    """What a member's tile area stands for."""

    MARKET_CAP = "market_cap"
    FLOAT = "float"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class HeatmapMember(_Frozen):
    symbol: str
    name: str
    market_cap: float = Field(description="dollars, from the latest run")
    float_shares: float | None = Field(description="shares; null when no source knows the float")
    size_value: float | None = Field(
        description="the tile's area in the chosen measure; null when it is unknown (no float), "
        "so the member is listed beside the map, not drawn"
    )
    change_pct: float | None = Field(
        description="the member's change over the timeframe, in percent; null when it has none"
    )


class HeatmapSector(_Frozen):
    sector: Sector
    label: str
    color: Color = Field(description="the sector's colour in the latest grid")
    signal: Signal
    change_pct: float | None = Field(description="the sector's volume-weighted return over the timeframe")
    missing_reason: str | None = Field(description="why the sector has no figure for the timeframe")
    size_total: float = Field(description="the sum of its members' known sizes")
    members: list[HeatmapMember] = Field(description="largest first; members of unknown size last")


class Heatmap(_Frozen):
    """`GET /api/heatmap`: one sector's or every sector's members for a treemap."""

    run_id: str
    as_of: datetime = Field(description="the latest analysis's market time")
    timeframe: Timeframe
    size_by: HeatmapSize
    member_count: int
    unsized_count: int = Field(description="members whose size is unknown in the chosen measure")
    sectors: list[HeatmapSector] = Field(description="largest total size first")
