"""What an analysis produces: per-sector results, rankings and the universe it ran on."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from sectorlights.domain.rotation import CardRotation
from sectorlights.domain.vocabulary import Color, Sector, Signal, Tier, Timeframe


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class TimeframeResult(_Frozen):
    """A sector over one timeframe; returns are in percent."""

    return_pct: float | None = Field(description="volume-weighted mean stock return")
    plain_mean_pct: float | None = Field(description="equal-weighted mean stock return")
    adjusted_return_pct: float | None = Field(description="return x the sector's volatility weight")
    alpha_pct: float | None = Field(description="adjusted return minus the IWM return")
    score: float | None = Field(ge=-1.0, le=1.0, description="None when the timeframe has no data")
    color: Color | None = Field(description="None when the timeframe has no data")
    missing_reason: str | None = Field(
        default=None, description="why the timeframe has no score (no data is never a 0.0 score)"
    )


class TopStock(_Frozen):
    """One name in a sector's top-3 list."""

    symbol: str
    name: str
    change_pct: float
    relative_volume: float | None
    rank_score: float = Field(ge=0.0, le=10.0)


class GapProfile(_Frozen):
    """How often the sector's members gap at the open, measured against the configured label."""

    configured: str = Field(description="gap_frequency of SECTOR_MAPPING")
    measured: str | None = Field(description="level measured from the members' last 20 sessions")
    gap_share_pct: float | None = Field(description="mean share of sessions opening >= 5% from the close")
    stocks_measured: int
    level_difference: int = Field(description="measured level minus configured level; 0 = they agree")


class SectorSqueezeRisk(_Frozen):
    """How volatile the sector's members have been against the whole universe: the shorting study's
    measure of how wide the next session is likely to be (docs/methodology.md, "Squeeze risk")."""

    level: Literal["low", "normal", "high"] | None = Field(
        default=None, description="by the volatility ratio against bounds fixed on 2008-2012; null unmeasured"
    )
    volatility_ratio: float | None = Field(
        default=None,
        description="median member volatility (sd of the last 20 daily returns) over the universe's median",
    )
    squeezed_pct: float | None = Field(
        default=None,
        description="held out (2013-2017): % of short candidates at this level that squeezed >= 10 % the "
        "next session; null where the level did not separate from normal in both study windows",
    )
    normal_squeezed_pct: float | None = Field(default=None, description="the same share at the normal level")


class EtfCheck(_Frozen):
    """Whether the sector's members move with the sector's own ETF proxies (XL*, PSC*)."""

    proxies: list[str]
    agreement: float | None = Field(description="share of measured members best correlated with them")
    stocks_measured: int


class SectorFactors(_Frozen):
    """The multipliers of the score chain, per timeframe where they differ."""

    median_relative_volume: float | None
    volume_confirmation: float
    catalyst_density: dict[Timeframe, float]
    technical_context: dict[Timeframe, float]
    news_articles: int
    news_net_sentiment: float | None = Field(description="(positive - negative) / articles, in [-1, 1]")


class SectorCard(_Frozen):
    """One sector card."""

    sector: Sector
    label: str
    etf_proxy: str
    score: float = Field(ge=-1.0, le=1.0)
    color: Color
    signal: Signal
    confidence: float = Field(ge=0.0, le=1.0)
    stock_count: int
    # Fewer members than the minimum: score 0, blue_neutral, confidence 0, shown as "Insufficient data".
    insufficient_data: bool = False
    insufficient_reason: str | None = None
    volatility_weight: float
    timeframes: dict[Timeframe, TimeframeResult]
    top_bullish: list[TopStock]
    top_bearish: list[TopStock]
    bullish_note: str | None = None
    bearish_note: str | None = None
    # Absent from runs stored before these were measured.
    volatility_weight_source: str = "static"
    factors: SectorFactors | None = None
    gap_profile: GapProfile | None = None
    etf_check: EtfCheck | None = None
    # The rotation graph's quadrant of the sector (docs/methodology.md, "Sector rotation").
    rotation: CardRotation = Field(default_factory=CardRotation)
    # Absent (level null) from runs stored before it was measured.
    squeeze_risk: SectorSqueezeRisk = Field(default_factory=SectorSqueezeRisk)


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
    classification_source: str | None = Field(default=None, description="override, fmp, sic or keyword")
    etf_agrees: bool | None = Field(
        default=None, description="returns correlate best with the own sector's ETF proxy; None unmeasured"
    )
    gap_share: float | None = Field(default=None, description="share of the last 20 sessions with a gap")
    returns_pct: dict[Timeframe, float | None] | None = Field(default=None, description="per timeframe")
    relative_volume: float | None = None
    rank_score: float | None = Field(default=None, ge=0.0, le=10.0)


class AnalysisResult(_Frozen):
    """The output of one pure analysis over a market frame."""

    as_of: datetime
    current_session: date
    benchmark_symbol: str
    benchmark_returns_pct: dict[Timeframe, float | None]
    sectors: list[SectorCard]
    funnel: list[FunnelStage]
    members: list[UniverseMember]
    # Symbol -> the first criterion it failed, for every listing left out of the universe.
    exclusions: dict[str, str] = Field(default_factory=dict)

    @property
    def universe_size(self) -> int:
        return len(self.members)
