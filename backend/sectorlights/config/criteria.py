"""Thresholds and weights of DESIGN §6, in one place."""

from __future__ import annotations

from dataclasses import dataclass, field

from sectorlights.domain.vocabulary import Timeframe

ALLOWED_EXCHANGES: tuple[str, ...] = ("XNAS", "XNYS", "XASE", "ARCX")


@dataclass(frozen=True, slots=True)
class UniverseCriteria:
    """The spec's selection matrix; caps are inclusive at both ends."""

    security_type: str = "CS"
    exchanges: tuple[str, ...] = ALLOWED_EXCHANGES
    min_market_cap: float = 10_000_000.0
    micro_small_boundary: float = 300_000_000.0
    max_market_cap: float = 2_000_000_000.0
    min_avg_daily_volume: float = 1_000_000.0
    avg_volume_sessions: int = 20
    min_price: float = 2.0
    max_price: float = 100.0
    min_float_micro: float = 5_000_000.0
    min_float_small: float = 10_000_000.0
    gap_threshold: float = 0.05
    max_size: int = 1_500


@dataclass(frozen=True, slots=True)
class ScoreParams:
    """Sentiment scoring.

    scale_by_timeframe: the sector return (a fraction) that maps to tanh(1) = 0.76 before the
    multipliers. Calibrated as 2.5 sigma / atanh(0.6) = 3.6 sigma of an equal-weighted small-cap
    sector's return over the timeframe (sigma ~ 0.45% / 1.2% / 2.1% / 2.7% for 30m / 1d / 3d / 1w,
    from S&P 600 sector returns 2015-2017), so a 1 sigma move is light, 2.5 sigma reaches dark
    after a neutral chain of multipliers.
    """

    timeframe_weights: dict[Timeframe, float] = field(
        default_factory=lambda: {
            Timeframe.MIN_30: 0.25,
            Timeframe.DAY_1: 0.30,
            Timeframe.DAY_3: 0.25,
            Timeframe.WEEK_1: 0.20,
        }
    )
    scale_by_timeframe: dict[Timeframe, float] = field(
        default_factory=lambda: {
            Timeframe.MIN_30: 0.016,
            Timeframe.DAY_1: 0.043,
            Timeframe.DAY_3: 0.076,
            Timeframe.WEEK_1: 0.097,
        }
    )
    relative_volume_clip: tuple[float, float] = (0.25, 4.0)
    volume_confirmation_range: tuple[float, float] = (0.8, 1.2)
    catalyst_density_range: tuple[float, float] = (0.9, 1.1)
    technical_context_range: tuple[float, float] = (0.9, 1.1)
    # Share of the 20-session range within which a stock counts as "at" its high or low.
    technical_edge_share: float = 0.1


@dataclass(frozen=True, slots=True)
class RankingParams:
    """Top-3 ranking, 0-10."""

    gap_weight: float = 0.40
    volume_weight: float = 0.30
    alignment_weight: float = 0.20
    shortability_weight: float = 0.10
    full_gap: float = 0.15
    full_relative_volume: float = 3.0
    full_float_shares: float = 50_000_000.0
    full_dollar_volume: float = 20_000_000.0
    unknown_float_score: float = 0.25
    top_n: int = 3
    suppress_counter_trend_at: float = 0.5
    significant_move: float = 0.15


# Color thresholds (DESIGN §6): S < -0.6 dark_red; -0.6 <= S < -0.2 light_red;
# -0.2 <= S <= 0.2 blue_neutral; 0.2 < S <= 0.6 light_green; S > 0.6 dark_green.
DARK_THRESHOLD = 0.6
LIGHT_THRESHOLD = 0.2
