"""Top-3 stock ranking (DESIGN §6): a 0-10 score from gap, volume, sector alignment, shortability.

rank = 10 x (0.40 gap + 0.30 volume + 0.20 alignment + 0.10 shortability), each part in [0, 1].
Moves are fractions (0.15 = 15%).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sectorlights.config.criteria import RankingParams
from sectorlights.domain.frame import FloatArray, IntArray, StrArray
from sectorlights.domain.vocabulary import SECTORS

BoolArray = npt.NDArray[np.bool_]

DEFAULT_RANKING = RankingParams()

NOTE_NO_QUALIFYING = "No qualifying stocks"
NOTE_BULLISH_SECTOR = "None in bullish sector — avoid shorts"
NOTE_BEARISH_SECTOR = "None in bearish sector — wait for sector reversal"

# A move of exactly the threshold (11.50 after a 10.00 close) must count even though
# 11.5 / 10.0 - 1 is a hair under 0.15 in binary floating point.


def gap_scores(one_day_moves: FloatArray, params: RankingParams = DEFAULT_RANKING) -> FloatArray:
    """min(|1d move| / 15%, 1); 0 when the move is unknown."""
    score = np.minimum(np.abs(one_day_moves) / params.full_gap, 1.0)
    return np.where(np.isfinite(score), score, 0.0)


def volume_scores(relative_volumes: FloatArray, params: RankingParams = DEFAULT_RANKING) -> FloatArray:
    """min(relative volume / 3, 1); 0 when unknown."""
    score = np.clip(relative_volumes / params.full_relative_volume, 0.0, 1.0)
    return np.where(np.isfinite(score), score, 0.0)


def alignment_scores(one_day_moves: FloatArray, sector_direction: IntArray) -> FloatArray:
    """1 when a stock moves the way its sector leans (+1 green, -1 red), 0.5 in a neutral sector, else 0."""
    with_sector = np.sign(one_day_moves) == sector_direction
    return np.where(sector_direction == 0, 0.5, np.where(with_sector, 1.0, 0.0))


def shortability_scores(
    float_shares: FloatArray,
    avg_daily_volume_shares: FloatArray,
    price_usd: FloatArray,
    params: RankingParams = DEFAULT_RANKING,
) -> FloatArray:
    """0.5 x float score + 0.5 x dollar-volume score, in [0, 1].

    float score = min(float / 50M shares, 1), 0.25 when the float is unknown;
    dollar-volume score = min(average daily volume x price / $20M, 1), 0 when unknown.
    """
    float_score = np.clip(float_shares / params.full_float_shares, 0.0, 1.0)
    float_score = np.where(np.isfinite(float_score), float_score, params.unknown_float_score)
    dollar_volume_usd = np.zeros(price_usd.shape)
    known = np.isfinite(avg_daily_volume_shares) & np.isfinite(price_usd)
    np.multiply(avg_daily_volume_shares, price_usd, out=dollar_volume_usd, where=known)
    dollar_volume_score = np.clip(dollar_volume_usd / params.full_dollar_volume, 0.0, 1.0)
    return 0.5 * float_score + 0.5 * dollar_volume_score


def rank_scores(
    one_day_moves: FloatArray,
    relative_volumes: FloatArray,
    sector_direction: IntArray,
    float_shares: FloatArray,
    avg_daily_volume_shares: FloatArray,
    price_usd: FloatArray,
    params: RankingParams = DEFAULT_RANKING,
) -> FloatArray:
    """Rank score in [0, 10] per stock; `sector_direction` is its sector's lean (+1, 0, -1)."""
    weighted = (
        params.gap_weight * gap_scores(one_day_moves, params)
        + params.volume_weight * volume_scores(relative_volumes, params)
        + params.alignment_weight * alignment_scores(one_day_moves, sector_direction)
        + params.shortability_weight
        * shortability_scores(float_shares, avg_daily_volume_shares, price_usd, params)
    )
    return np.clip(10.0 * weighted, 0.0, 10.0)


@dataclass(frozen=True, slots=True)
class SectorTopStocks:
    """Rows of a sector's top bullish and bearish names, best first, and why a list is empty."""

    bullish_rows: IntArray
    bearish_rows: IntArray
    bullish_note: str | None
    bearish_note: str | None


def top_stocks(
    rank: FloatArray,
    one_day_moves: FloatArray,
    sector_index: IntArray,
    symbols: StrArray,
    composite: FloatArray,
    params: RankingParams = DEFAULT_RANKING,
) -> list[SectorTopStocks]:
    """Top `top_n` rising and falling stocks per sector (rank desc, then symbol), in `SECTORS` order.

    A sector leaning hard one way (|composite| >= 0.5) gets no counter-trend list: traders should not
    short a strongly bullish sector or buy a strongly bearish one.
    """
    candidates = np.flatnonzero((sector_index >= 0) & np.isfinite(one_day_moves))
    # One sort by (sector, -rank, symbol) orders every sector's candidates at once.
    order = candidates[np.lexsort((symbols[candidates], -rank[candidates], sector_index[candidates]))]
    rising = order[one_day_moves[order] > 0]
    falling = order[one_day_moves[order] < 0]
    sector_edges = np.arange(len(SECTORS) + 1)
    rising_bounds = np.searchsorted(sector_index[rising], sector_edges)
    falling_bounds = np.searchsorted(sector_index[falling], sector_edges)

    results = []
    for sector in range(len(SECTORS)):
        bullish = rising[rising_bounds[sector] : rising_bounds[sector + 1]][: params.top_n]
        bearish = falling[falling_bounds[sector] : falling_bounds[sector + 1]][: params.top_n]
        bullish_note = NOTE_NO_QUALIFYING if bullish.size == 0 else None
        bearish_note = NOTE_NO_QUALIFYING if bearish.size == 0 else None
        if composite[sector] >= params.suppress_counter_trend_at:
            bearish, bearish_note = bearish[:0], NOTE_BULLISH_SECTOR
        elif composite[sector] <= -params.suppress_counter_trend_at:
            bullish, bullish_note = bullish[:0], NOTE_BEARISH_SECTOR
        results.append(SectorTopStocks(bullish, bearish, bullish_note, bearish_note))
    return results
