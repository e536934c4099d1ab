"""Scores, colors, signals, multipliers, composite and confidence."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sectorlights.analytics.sentiment import (
    color_for_score,
    colors_for_scores,
    composite_scores,
    range_positions,
    sector_confidences,
    signal_for_color,
    technical_context,
    timeframe_score,
    timeframe_scores,
    volume_confirmation,
)
from sectorlights.config.criteria import ScoreParams
from sectorlights.domain.vocabulary import Color, Signal

PARAMS = ScoreParams()
WEIGHTS = np.array([0.25, 0.30, 0.25, 0.20])

multipliers = st.tuples(
    st.floats(min_value=0.5, max_value=2.0),  # volatility weight
    st.floats(min_value=0.8, max_value=1.2),  # volume confirmation
    st.floats(min_value=0.9, max_value=1.1),  # catalyst density
    st.floats(min_value=0.9, max_value=1.1),  # technical context
)
sector_return = st.floats(min_value=-2.0, max_value=10.0)
score_value = st.floats(min_value=-1.0, max_value=1.0)


@pytest.mark.parametrize(
    ("score", "color"),
    [
        (-1.0, Color.DARK_RED),
        (-0.6000001, Color.DARK_RED),
        (-0.6, Color.LIGHT_RED),
        (-0.2000001, Color.LIGHT_RED),
        (-0.2, Color.BLUE_NEUTRAL),
        (0.0, Color.BLUE_NEUTRAL),
        (0.2, Color.BLUE_NEUTRAL),
        (0.2000001, Color.LIGHT_GREEN),
        (0.6, Color.LIGHT_GREEN),
        (0.6000001, Color.DARK_GREEN),
        (1.0, Color.DARK_GREEN),
    ],
)
def test_color_boundaries(score: float, color: Color) -> None:
    assert color_for_score(score) == color
    assert colors_for_scores(np.array([score]))[0] == color


@pytest.mark.parametrize(
    ("color", "signal"),
    [
        (Color.DARK_RED, Signal.PRIME_SHORTING_ENVIRONMENT),
        (Color.LIGHT_RED, Signal.GOOD_SHORTING_ENVIRONMENT),
        (Color.BLUE_NEUTRAL, Signal.NEUTRAL_CAUTIOUS),
        (Color.LIGHT_GREEN, Signal.AVOID_SHORTS),
        (Color.DARK_GREEN, Signal.DO_NOT_SHORT),
    ],
)
def test_signal_follows_color(color: Color, signal: Signal) -> None:
    assert signal_for_color(color) == signal


def test_spec_score_chain_reaches_dark_green() -> None:
    # Base +0.4 x 1.3 (tech) x 1.2 (volume) x 1.1 (catalysts) x 0.9 (resistance) = +0.62.
    scale = PARAMS.scale_by_timeframe["1d"]
    score = timeframe_score(scale * math.atanh(0.4), scale, 1.3, 1.2, 1.1, 0.9)
    assert score == pytest.approx(0.4 * 1.3 * 1.2 * 1.1 * 0.9)
    assert round(score, 2) == 0.62
    assert color_for_score(score) == Color.DARK_GREEN


def test_scores_are_clipped() -> None:
    assert timeframe_score(1.0, 0.01, 1.5, 1.2, 1.1, 1.1) == 1.0
    assert timeframe_score(-1.0, 0.01, 1.5, 1.2, 1.1, 1.1) == -1.0


@pytest.mark.parametrize(
    ("median_relative_volume", "expected"),
    [
        (1.0, 1.0),
        (2.0, 1.2),
        (0.5, 0.8),
        (math.sqrt(2.0), 1.1),
        (10.0, 1.2),
        (0.1, 0.8),
        (0.0, 0.8),
        (math.nan, 1.0),
        (None, 1.0),
    ],
)
def test_volume_confirmation(median_relative_volume: float | None, expected: float) -> None:
    assert volume_confirmation(median_relative_volume) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("median_position", "sector_return", "expected"),
    [
        (1.05, 0.02, 1.1),  # breakout on an up move
        (0.95, 0.02, 0.9),  # approaching resistance
        (0.90, 0.02, 0.9),  # at the edge share
        (0.5, 0.02, 1.0),
        (0.02, 0.02, 1.0),  # near the low does not matter on an up move
        (-0.05, -0.02, 1.1),  # breakdown on a down move
        (0.05, -0.02, 0.9),  # approaching support
        (0.10, -0.02, 0.9),
        (0.5, -0.02, 1.0),
        (1.05, 0.0, 1.0),  # flat
        (math.nan, 0.02, 1.0),  # unknown range
    ],
)
def test_technical_context(median_position: float, sector_return: float, expected: float) -> None:
    assert technical_context(median_position, sector_return, PARAMS) == pytest.approx(expected)


def test_range_positions_over_the_last_20_sessions() -> None:
    highs = np.array([[100.0] + [12.0] * 20, [10.0] * 21, [np.nan] * 21])
    lows = np.array([[1.0] + [8.0] * 20, [10.0] * 21, [np.nan] * 21])
    positions = range_positions(np.array([11.0, 10.0, 10.0]), highs, lows)
    # The first session (100 / 1) is older than 20 sessions.
    assert positions[0] == pytest.approx(0.75)
    assert math.isnan(positions[1])  # empty range
    assert math.isnan(positions[2])


def test_composite_renormalises_over_available_timeframes() -> None:
    scores = np.array(
        [
            [0.4, 0.4, 0.4, 0.4],
            [1.0, np.nan, -1.0, np.nan],
            [np.nan, np.nan, np.nan, np.nan],
            [0.2, -0.3, 0.5, 0.1],
        ]
    )
    composite = composite_scores(scores, WEIGHTS)
    assert composite[0] == pytest.approx(0.4)
    assert composite[1] == pytest.approx(0.0)
    assert composite[2] == 0.0
    assert composite[3] == pytest.approx(0.25 * 0.2 - 0.30 * 0.3 + 0.25 * 0.5 + 0.20 * 0.1)


def test_confidence_parts() -> None:
    composite = np.array([0.5, -0.3, 0.0])
    scores = np.array([[0.5, 0.5, 0.5, -0.1], [-0.3, -0.3, np.nan, np.nan], [np.nan] * 4])
    # Sector 0: 3 of 4 stocks rising; sector 1: 1 of 2 falling (one unknown); sector 2: empty.
    returns = np.array([0.01, 0.02, 0.03, -0.01, -0.05, 0.02, np.nan])
    sectors = np.array([0, 0, 0, 0, 1, 1, 1])
    confidence = sector_confidences(composite, scores, returns, sectors, freshness=0.5)
    assert confidence[0] == pytest.approx(0.4 * 0.75 + 0.2 * 4 / 20 + 0.3 * 0.75 + 0.1 * 0.5)
    assert confidence[1] == pytest.approx(0.4 * 0.5 + 0.2 * 3 / 20 + 0.3 * 1.0 + 0.1 * 0.5)
    assert confidence[2] == 0.0


def test_confidence_saturates_at_20_stocks() -> None:
    returns = np.full(40, 0.01)
    confidence = sector_confidences(
        np.array([0.5]), np.array([[0.5, 0.5, 0.5, 0.5]]), returns, np.zeros(40, dtype=np.int64)
    )
    assert confidence[0] == pytest.approx(1.0)


@settings(max_examples=200, deadline=None)
@given(sector_return, sector_return, multipliers)
def test_score_is_bounded_and_monotonic_in_the_sector_return(
    first: float, second: float, factors: tuple[float, float, float, float]
) -> None:
    low, high = sorted((first, second))
    scale = PARAMS.scale_by_timeframe["1d"]
    low_score = timeframe_score(low, scale, *factors)
    high_score = timeframe_score(high, scale, *factors)
    assert -1.0 <= low_score <= high_score <= 1.0


@settings(max_examples=100, deadline=None)
@given(st.lists(sector_return, min_size=1, max_size=16), multipliers)
def test_vectorised_scores_match_the_scalar_score(returns: list[float], factors: tuple[float, ...]) -> None:
    scale = PARAMS.scale_by_timeframe["3d"]
    vectorised = timeframe_scores(np.array(returns), scale, *factors)
    assert vectorised.tolist() == pytest.approx(
        [timeframe_score(value, scale, *factors) for value in returns]
    )


@settings(max_examples=300, deadline=None)
@given(st.lists(score_value | st.sampled_from([-0.6, -0.2, 0.2, 0.6]), min_size=1, max_size=20))
def test_colors_are_consistent_with_scores(scores: list[float]) -> None:
    colors = colors_for_scores(np.array(scores))
    order = list(Color)
    for score, color in zip(scores, colors.tolist(), strict=True):
        assert color == color_for_score(score)
    ranks = [order.index(Color(color)) for color in colors.tolist()]
    # Higher scores never get a more bearish color.
    by_score = [rank for _, rank in sorted(zip(scores, ranks, strict=True))]
    assert by_score == sorted(by_score)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(score_value | st.just(math.nan), min_size=4, max_size=4), min_size=1, max_size=8))
def test_composite_stays_within_the_timeframe_scores(rows: list[list[float]]) -> None:
    scores = np.array(rows)
    composite = composite_scores(scores, WEIGHTS)
    for row, value in zip(scores, composite.tolist(), strict=True):
        known = row[np.isfinite(row)]
        if known.size:
            assert known.min() - 1e-12 <= value <= known.max() + 1e-12
        else:
            assert value == 0.0
