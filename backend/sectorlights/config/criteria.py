"""Thresholds and weights of DESIGN §6, in one place."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from itertools import pairwise

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


# See ScoreParams.relative_volume_floor_minutes.
DEFAULT_RELATIVE_VOLUME_FLOOR_MINUTES = 5.0


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
    # Relative volume is measured over at least this many minutes from the 04:00 start (the minutes
    # still to come at their typical volume), so the first pre-market prints do not read as
    # thousands of times the usual volume.
    relative_volume_floor_minutes: float = DEFAULT_RELATIVE_VOLUME_FLOOR_MINUTES
    volume_confirmation_range: tuple[float, float] = (0.8, 1.2)
    catalyst_density_range: tuple[float, float] = (0.9, 1.1)
    # Net articles per member stock (over the news window) at which catalyst density saturates
    # (docs/catalysts.md: the simulated FDA wave reaches 1.08, an ordinary day stays within 0.02 of 1).
    catalyst_full_articles_per_stock: float = 0.1
    technical_context_range: tuple[float, float] = (0.9, 1.1)
    # Share of the 20-session range within which a stock counts as "at" its high or low.
    technical_edge_share: float = 0.1
    # Sturdier score (issue 14; docs/methodology.md §5, §7, §8). `score_params_for_rules("spec")` turns
    # all three off for the spec's plain formula.
    # Member returns are clipped per sector and timeframe to the order statistics that leave out
    # `winsor_share` of the members at each end, and at least `winsor_min_clipped` (so one stock is
    # always pulled back inside the range of the others); None turns winsorising off.
    winsor_share: float | None = 0.05
    winsor_min_clipped: int = 1
    # A sector with fewer members shows "insufficient data" (neutral, no colour); 0 turns it off.
    min_members: int = 5
    # Confidence shrinks with sqrt(members / 20) and with the volume-weighted vs plain mean gap.
    confidence_penalties: bool = True

    def __post_init__(self) -> None:
        if self.winsor_share is not None and not 0.0 <= self.winsor_share < 0.5:
            raise ValueError(f"winsor_share must lie in [0, 0.5), got {self.winsor_share}")
        if self.winsor_min_clipped < 0 or self.min_members < 0:
            raise ValueError(
                f"winsor_min_clipped and min_members must be >= 0, got "
                f"{self.winsor_min_clipped} and {self.min_members}"
            )


SCORE_RULES = ("sturdy", "spec")


def score_params_for_rules(rules: str, params: ScoreParams | None = None) -> ScoreParams:
    """`params` (default ScoreParams()) under "sturdy" rules, or with the issue-14 safeguards off ("spec")."""
    base = params or ScoreParams()
    if rules == "sturdy":
        return base
    if rules == "spec":
        return replace(base, winsor_share=None, min_members=0, confidence_penalties=False)
    raise ValueError(f"unknown score rules {rules!r}: expected one of {', '.join(SCORE_RULES)}")


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


# Color thresholds (DESIGN §6): S < -0.6 dark_red; -0.6 <= S < -0.2 light_red;
# -0.2 <= S <= 0.2 blue_neutral; 0.2 < S <= 0.6 light_green; S > 0.6 dark_green.
DARK_THRESHOLD = 0.6
LIGHT_THRESHOLD = 0.2


@dataclass(frozen=True, slots=True)
class GapFrequencyThresholds:
    """Upper bounds of the gap-frequency levels very_low, low, moderate and high; above the last is extreme.

    Each bound is a share of sessions (a fraction) whose open gapped >= 5% from the previous close,
    as a sector's members average it; a share equal to a bound belongs to the lower level.

    Calibration (docs/classification.md, "Gap-frequency profile"): on real S&P 600 prices of
    2015-2017 the sector means run from 0.24% of sessions (utilities) to 2.25% (energy), a factor
    of about 10 across the 8 sectors, so the bounds climb geometrically by 10 ** (1 / 5) ~ 1.6
    (the R5 preferred numbers 1, 1.6, 2.5, 4) and spread those sectors over all five levels. Our
    universe is $10M-$2B small and micro caps, which gap more than S&P 600 members: within the
    S&P 600 the liquid names (>= 1M shares a day, our volume floor) gap 1.5x as often as the
    average, names under $10 2.25x, and the gap share grows with daily volatility to about the
    power 1.9. The bounds therefore sit 2.5x above the S&P 600 ladder (0.4%, 0.64%, 1%, 1.6%):
    very_low is at most one >= 5% gap in 100 sessions, extreme more than one in 25 (about one a
    month). `scaled(1 / 2.5)` gives the ladder for S&P 600-like members.
    """

    very_low_max: float = 0.010
    low_max: float = 0.016
    moderate_max: float = 0.025
    high_max: float = 0.040

    def __post_init__(self) -> None:
        bounds = self.upper_bounds
        rising = all(lower < upper for lower, upper in pairwise(bounds))
        if not rising or not all(0.0 <= bound <= 1.0 for bound in bounds):
            raise ValueError(f"gap-frequency bounds must rise strictly within [0, 1], got {bounds}")

    @property
    def upper_bounds(self) -> tuple[float, float, float, float]:
        return (self.very_low_max, self.low_max, self.moderate_max, self.high_max)

    def scaled(self, factor: float) -> GapFrequencyThresholds:
        """The same ladder for members that gap `factor` times as often (all bounds times factor)."""
        return GapFrequencyThresholds(*(bound * factor for bound in self.upper_bounds))
