"""Pure, vectorised calculations of DESIGN §6: no I/O, no clock, no logging side effects.

universe -> classification -> performance (timeframe returns) -> catalysts (news) -> sentiment
(scores, colors) -> ranking (top 3), with validation (ETF correlation, gap profile) alongside,
chained by `analyze`.
"""

from sectorlights.analytics.analysis import analyze, select_members
from sectorlights.analytics.catalysts import NewsCounts, catalyst_densities, lexicon_sentiments, news_counts
from sectorlights.analytics.classification import Classification, classify, classify_symbols
from sectorlights.analytics.performance import (
    SectorReturns,
    measured_volatility_weights,
    relative_volume,
    sector_returns,
    stock_returns,
)
from sectorlights.analytics.ranking import rank_scores, top_stocks
from sectorlights.analytics.sentiment import (
    color_for_score,
    colors_for_scores,
    signal_for_color,
    timeframe_score,
    volume_confirmation,
)
from sectorlights.analytics.universe import UniverseSelection, select_universe
from sectorlights.analytics.validation import (
    EtfValidation,
    gap_frequency_levels,
    sector_gap_profile,
    validate_with_etfs,
)

__all__ = [
    "Classification",
    "EtfValidation",
    "NewsCounts",
    "SectorReturns",
    "UniverseSelection",
    "analyze",
    "catalyst_densities",
    "classify",
    "classify_symbols",
    "color_for_score",
    "colors_for_scores",
    "gap_frequency_levels",
    "lexicon_sentiments",
    "measured_volatility_weights",
    "news_counts",
    "rank_scores",
    "relative_volume",
    "sector_gap_profile",
    "sector_returns",
    "select_members",
    "select_universe",
    "signal_for_color",
    "stock_returns",
    "timeframe_score",
    "top_stocks",
    "validate_with_etfs",
    "volume_confirmation",
]
