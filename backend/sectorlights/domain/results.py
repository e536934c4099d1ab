"""What an analysis produces: per-sector results, rankings and the universe it ran on."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from sectorlights.domain.vocabulary import Color, Sector, Signal, Tier, Timeframe


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class TimeframeResult(_Frozen):
    """A sector over one timeframe; returns are in percent."""

    return_pct: float | None = Field(description="volume-weighted mean stock return")
    plain_mean_pct: float | None = Field(description="equal-weighted mean stock return")
    adjusted_return_pct: float | None = Field(description="return x the sector's volatility weight")
    alpha_pct: float | None = Field(description="adjusted return minus the IWM return")
    score: float = Field(ge=-1.0, le=1.0)
    color: Color


class RankedStock(_Frozen):
    """One name in a sector's top-3 list."""

    symbol: str
    name: str
    change_pct: float
    relative_volume: float | None
    rank_score: float = Field(ge=0.0, le=10.0)


class SectorResult(_Frozen):
    """One sector card."""

    sector: Sector
    label: str
    etf_proxy: str
    score: float = Field(ge=-1.0, le=1.0)
    color: Color
    signal: Signal
    confidence: float = Field(ge=0.0, le=1.0)
    stock_count: int
    volatility_weight: float
    timeframes: dict[Timeframe, TimeframeResult]
    top_bullish: list[RankedStock]
    top_bearish: list[RankedStock]
    bullish_note: str | None = None
    bearish_note: str | None = None


class FunnelStage(_Frozen):
    """How many listings were left after one universe criterion."""

    stage: str
    remaining: int


class UniverseMember(_Frozen):
    """A stock that passed the universe filter, with its classification."""

    symbol: str
    name: str
    exchange: str
    tier: Tier
    sector: Sector
    market_cap: float
    avg_daily_volume: float
    float_shares: float | None
    sic_code: int | None
    volatility_multiplier: float
    classification_confidence: float = Field(ge=0.0, le=1.0)


class AnalysisResult(_Frozen):
    """The output of one pure analysis over a market frame."""

    as_of: datetime
    current_session: date
    benchmark_symbol: str
    benchmark_returns_pct: dict[Timeframe, float | None]
    sectors: list[SectorResult]
    funnel: list[FunnelStage]
    members: list[UniverseMember]

    @property
    def universe_size(self) -> int:
        return len(self.members)
