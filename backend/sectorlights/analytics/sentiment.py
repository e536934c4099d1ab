"""Sector sentiment (DESIGN §6): scores in [-1, 1], colors, signals, composite and confidence.

score = clip(tanh(sector return / scale) x volatility weight x volume confirmation x catalyst
density x technical context, -1, 1). Per-sector arrays are (8,) in `SECTORS` order and per-sector
per-timeframe arrays (8, 4) with columns in `TIMEFRAMES` order; NaN marks a timeframe without data.
"""

from __future__ import annotations

import math

import numpy as np

from sectorlights.config.criteria import DARK_THRESHOLD, LIGHT_THRESHOLD, ScoreParams
from sectorlights.domain.frame import FloatArray, IntArray, StrArray
from sectorlights.domain.vocabulary import COLORS, SIGNAL_BY_COLOR, TIMEFRAMES, Color, Signal, Timeframe

DARK_RED_INDEX, LIGHT_RED_INDEX, NEUTRAL_INDEX, LIGHT_GREEN_INDEX, DARK_GREEN_INDEX = range(len(COLORS))
_COLOR_VALUES = np.array([color.value for color in COLORS], dtype=np.str_)

# Confidence = 0.4 breadth + 0.2 stock count + 0.3 timeframe agreement + 0.1 freshness.
BREADTH_WEIGHT = 0.4
STOCK_COUNT_WEIGHT = 0.2
TIMEFRAME_AGREEMENT_WEIGHT = 0.3
FRESHNESS_WEIGHT = 0.1
# A sector with this many stocks gets the full stock-count part of its confidence.
FULL_CONFIDENCE_STOCK_COUNT = 20

# The share of the 20-session range is measured over a month of completed sessions.
TECHNICAL_LOOKBACK_SESSIONS = 20


def color_for_score(score: float) -> Color:
    """Color of a score: < -0.6 dark_red, < -0.2 light_red, <= 0.2 neutral, <= 0.6 light_green."""
    if score < -DARK_THRESHOLD:
        return Color.DARK_RED
    if score < -LIGHT_THRESHOLD:
        return Color.LIGHT_RED
    if score > DARK_THRESHOLD:
        return Color.DARK_GREEN
    if score > LIGHT_THRESHOLD:
        return Color.LIGHT_GREEN
    # NaN also lands here: an unknown score reads as neutral.
    return Color.BLUE_NEUTRAL


def color_indices_for_scores(scores: FloatArray) -> IntArray:
    """Index into `COLORS` per score, with the same boundaries as `color_for_score`."""
    indices = np.full(scores.shape, NEUTRAL_INDEX, dtype=np.int64)
    indices[scores < -DARK_THRESHOLD] = DARK_RED_INDEX
    indices[(scores >= -DARK_THRESHOLD) & (scores < -LIGHT_THRESHOLD)] = LIGHT_RED_INDEX
    indices[(scores > LIGHT_THRESHOLD) & (scores <= DARK_THRESHOLD)] = LIGHT_GREEN_INDEX
    indices[scores > DARK_THRESHOLD] = DARK_GREEN_INDEX
    return indices


def colors_for_scores(scores: FloatArray) -> StrArray:
    """Color value per score ('dark_red', ...); compares equal to the `Color` members."""
    return _COLOR_VALUES[color_indices_for_scores(scores)]


def signal_for_color(color: Color) -> Signal:
    """The trading signal that goes with a color (table order of DESIGN §1)."""
    return SIGNAL_BY_COLOR[color]


def direction_for_color_indices(color_indices: IntArray) -> IntArray:
    """+1 for green, -1 for red, 0 for neutral."""
    return np.sign(color_indices - NEUTRAL_INDEX).astype(np.int64)


def timeframe_scores(
    sector_returns: FloatArray,
    scale: FloatArray | float,
    volatility_weight: FloatArray | float,
    volume_confirmation: FloatArray | float,
    catalyst_density: FloatArray | float,
    technical_context: FloatArray | float,
) -> FloatArray:
    """clip(tanh(return / scale) x multipliers, -1, 1), broadcast over arrays; NaN stays NaN."""
    base = np.tanh(np.asarray(sector_returns, dtype=np.float64) / scale)
    multiplier = np.asarray(volatility_weight) * volume_confirmation * catalyst_density * technical_context
    return np.clip(base * multiplier, -1.0, 1.0)


def timeframe_score(
    sector_return: float,
    scale: float,
    volatility_weight: float,
    volume_confirmation: float = 1.0,
    catalyst_density: float = 1.0,
    technical_context: float = 1.0,
) -> float:
    """One sector's score over one timeframe; `sector_return` is a fraction."""
    base = math.tanh(sector_return / scale)
    product = base * volatility_weight * volume_confirmation * catalyst_density * technical_context
    return min(max(product, -1.0), 1.0)


def volume_confirmations(
    median_relative_volume: FloatArray, confirmation_range: tuple[float, float] = (0.8, 1.2)
) -> FloatArray:
    """clip(1 + 0.2 log2(median relative volume), 0.8, 1.2); 1.0 when unknown.

    Twice the usual volume confirms a move by +20%, half of it discounts the move by 20%.
    """
    low, high = confirmation_range
    known = np.isfinite(median_relative_volume) & (median_relative_volume >= 0)
    positive = known & (median_relative_volume > 0)
    log_volume = np.full(median_relative_volume.shape, -np.inf)
    np.log2(median_relative_volume, out=log_volume, where=positive)
    confirmation = np.clip(1.0 + 0.2 * log_volume, low, high)
    return np.where(known, confirmation, 1.0)


def volume_confirmation(
    median_relative_volume: float | None, confirmation_range: tuple[float, float] = (0.8, 1.2)
) -> float:
    """Scalar `volume_confirmations`."""
    value = np.nan if median_relative_volume is None else median_relative_volume
    return float(volume_confirmations(np.array([value], dtype=np.float64), confirmation_range)[0])


def range_positions(
    last_price: FloatArray,
    daily_high: FloatArray,
    daily_low: FloatArray,
    sessions: int = TECHNICAL_LOOKBACK_SESSIONS,
) -> FloatArray:
    """Where the last price sits in the range of the last `sessions` completed sessions.

    0 = at the low, 1 = at the high, > 1 above the high (breakout), < 0 below the low; NaN when the
    range is unknown or empty.
    """
    session_count = daily_high.shape[1]
    first = session_count - min(max(sessions, 0), session_count)
    highs = daily_high[:, first:]
    lows = daily_low[:, first:]
    range_high = np.where(np.isfinite(highs), highs, -np.inf).max(axis=1, initial=-np.inf)
    range_low = np.where(np.isfinite(lows), lows, np.inf).min(axis=1, initial=np.inf)
    span = range_high - range_low
    usable = np.isfinite(span) & (span > 0) & np.isfinite(last_price)
    position = np.full(last_price.shape, np.nan)
    np.divide(last_price - range_low, span, out=position, where=usable)
    return position


def technical_contexts(
    median_range_position: FloatArray, sector_direction: FloatArray, params: ScoreParams
) -> FloatArray:
    """Technical multiplier per sector and timeframe from the sector's median range position.

    Moving up: above the range (breakout) 1.1, within `technical_edge_share` of the high
    (approaching resistance) 0.9; mirrored for moves down; 1.0 otherwise, when flat or unknown.
    `median_range_position` is (8,); `sector_direction` is (8, 4) with the sign of each move.
    """
    damped, boosted = params.technical_context_range
    edge = params.technical_edge_share
    position = np.broadcast_to(median_range_position[:, np.newaxis], sector_direction.shape)
    up = sector_direction > 0
    down = sector_direction < 0
    context = np.ones(sector_direction.shape)
    context[up & (position >= 1.0 - edge)] = damped
    context[up & (position > 1.0)] = boosted
    context[down & (position <= edge)] = damped
    context[down & (position < 0.0)] = boosted
    return context


def technical_context(median_range_position: float, sector_return: float, params: ScoreParams) -> float:
    """Scalar `technical_contexts` for one sector and one timeframe."""
    direction = np.array([[np.sign(sector_return)]], dtype=np.float64)
    return float(technical_contexts(np.array([median_range_position]), direction, params)[0, 0])


def timeframe_weight_array(params: ScoreParams) -> FloatArray:
    """(4,) composite weights in `TIMEFRAMES` order."""
    return np.array([params.timeframe_weights[timeframe] for timeframe in TIMEFRAMES], dtype=np.float64)


def timeframe_scale_array(params: ScoreParams) -> FloatArray:
    """(4,) tanh scales in `TIMEFRAMES` order."""
    return np.array([params.scale_by_timeframe[timeframe] for timeframe in TIMEFRAMES], dtype=np.float64)


# Completed sessions each daily timeframe looks back, for its missing-data reason.
_SESSIONS_BACK = {Timeframe.DAY_1: 1, Timeframe.DAY_3: 3, Timeframe.WEEK_1: 5}


def missing_timeframe_reason(timeframe: Timeframe, members: int) -> str:
    """Why a sector's timeframe has no return (so no score): said instead of a misleading 0.0."""
    if members == 0:
        return "no member stocks in this sector"
    if timeframe == Timeframe.MIN_30:
        return "no price from 30 minutes earlier yet (first run, early pre-market, or day bars only)"
    sessions = _SESSIONS_BACK[timeframe]
    return f"no member has a close {sessions} session{'s' if sessions > 1 else ''} back (too little history)"


def insufficient_data_reason(members: int, min_members: int) -> str:
    """Why a sector shows no colour: too few members for one stock not to decide it."""
    return f"{members} member{'' if members == 1 else 's'}, at least {min_members} needed for a colour"


def composite_scores(scores: FloatArray, timeframe_weights: FloatArray) -> FloatArray:
    """(8,) weighted sum of the timeframe scores, re-weighted over the timeframes that have one.

    A sector without any timeframe score gets 0.
    """
    available = np.isfinite(scores)
    weights = np.where(available, timeframe_weights[np.newaxis, :], 0.0)
    weight_total = weights.sum(axis=1)
    weighted_sum = (weights * np.where(available, scores, 0.0)).sum(axis=1)
    composite = np.zeros(scores.shape[0])
    np.divide(weighted_sum, weight_total, out=composite, where=weight_total > 0)
    return np.clip(composite, -1.0, 1.0)


def _unit_interval(value: float) -> float:
    return min(max(value, 0.0), 1.0) if math.isfinite(value) else 0.0


def mean_disagreements(
    weighted: FloatArray, plain: FloatArray, scale: FloatArray, timeframe_weights: FloatArray
) -> FloatArray:
    """(8,) how far the volume-weighted and plain sector means disagree, in [0, 1].

    Per timeframe |tanh(weighted / scale) - tanh(plain / scale)| / 2 (0 = the same reading, 1 = one
    at +1 and the other at -1 on the score's own scale), averaged with the composite's timeframe
    weights over the timeframes where both are known; 0 where none is.
    """
    gap = np.abs(np.tanh(weighted / scale) - np.tanh(plain / scale)) / 2.0
    known = np.isfinite(gap)
    weights = np.where(known, timeframe_weights[np.newaxis, :], 0.0)
    total = weights.sum(axis=1)
    disagreement = np.zeros(weighted.shape[0])
    np.divide((weights * np.where(known, gap, 0.0)).sum(axis=1), total, out=disagreement, where=total > 0)
    return np.clip(disagreement, 0.0, 1.0)


def sector_confidences(
    composite: FloatArray,
    scores: FloatArray,
    one_day_returns: FloatArray,
    sector_index: IntArray,
    freshness: float = 1.0,
    disagreement: FloatArray | None = None,
) -> FloatArray:
    """(8,) confidence in [0, 1] of each sector's composite score.

    0.4 x breadth (share of the sector's stocks with a 1d return whose sign matches the composite)
    + 0.2 x min(stock count / 20, 1) + 0.3 x share of timeframe scores with the composite's sign
    + 0.1 x freshness; 0 for a sector without stocks. With `disagreement` ((8,), from
    `mean_disagreements`) the sum is further multiplied by sqrt(min(stock count / 20, 1)), the
    shrinking of a mean's standard error with its sample, and by (1 - disagreement).
    """
    sector_count = composite.shape[0]
    composite_sign = np.sign(composite)
    classified = sector_index >= 0
    stock_counts = np.bincount(sector_index[classified], minlength=sector_count)

    with_return = classified & np.isfinite(one_day_returns)
    agreeing = with_return.copy()
    agreeing[with_return] = np.sign(one_day_returns[with_return]) == composite_sign[sector_index[with_return]]
    voters = np.bincount(sector_index[with_return], minlength=sector_count)
    agreeing_voters = np.bincount(sector_index[agreeing], minlength=sector_count)
    breadth = np.zeros(sector_count)
    np.divide(agreeing_voters, voters, out=breadth, where=voters > 0)

    available = np.isfinite(scores)
    agreeing_scores = (available & (np.sign(scores) == composite_sign[:, np.newaxis])).sum(axis=1)
    scored = available.sum(axis=1)
    timeframe_agreement = np.zeros(sector_count)
    np.divide(agreeing_scores, scored, out=timeframe_agreement, where=scored > 0)

    confidence = (
        BREADTH_WEIGHT * breadth
        + STOCK_COUNT_WEIGHT * np.minimum(stock_counts / FULL_CONFIDENCE_STOCK_COUNT, 1.0)
        + TIMEFRAME_AGREEMENT_WEIGHT * timeframe_agreement
        + FRESHNESS_WEIGHT * _unit_interval(freshness)
    )
    if disagreement is not None:
        member_share = np.minimum(stock_counts / FULL_CONFIDENCE_STOCK_COUNT, 1.0)
        confidence = confidence * np.sqrt(member_share) * (1.0 - disagreement)
    return np.where(stock_counts > 0, np.clip(confidence, 0.0, 1.0), 0.0)
