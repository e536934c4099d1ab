"""Pure, vectorised calculations of DESIGN §6: no I/O, no clock, no logging side effects.

universe -> classification -> performance (timeframe returns) -> sentiment (scores, colors)
-> ranking (top 3), chained by `analyze`.
"""

from sectorlights.analytics.analysis import analyze
from sectorlights.analytics.classification import Classification, classify, classify_symbols
from sectorlights.analytics.performance import SectorReturns, relative_volume, sector_returns, stock_returns
from sectorlights.analytics.ranking import rank_scores, significant_moves, top_stocks
from sectorlights.analytics.sentiment import (
    color_for_score,
    colors_for_scores,
    signal_for_color,
    timeframe_score,
    volume_confirmation,
)
from sectorlights.analytics.universe import UniverseSelection, select_universe

__all__ = [
    "Classification",
    "SectorReturns",
    "UniverseSelection",
    "analyze",
    "classify",
    "classify_symbols",
    "color_for_score",
    "colors_for_scores",
    "rank_scores",
    "relative_volume",
    "sector_returns",
    "select_universe",
    "signal_for_color",
    "significant_moves",
    "stock_returns",
    "timeframe_score",
    "top_stocks",
    "volume_confirmation",
]
