"""Backtest statistics: hand-computed cases plus properties of the intervals and hit rates."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sectorlights.analytics.backtest import (
    NEUTRAL_CODE,
    BacktestInputs,
    backtest_stats,
    bootstrap_ratio,
    directional_hits,
    hit_rate,
    rank,
    rolling_rate,
    spearman,
    wilson_interval,
)

NAN = math.nan


@pytest.mark.parametrize(
    ("hits", "total", "low", "high"),
    [
        # Hand-computed with z = 1.96: centre (p + z²/2n)/(1 + z²/n),
        # half-width z√(p(1-p)/n + z²/4n²)/(1 + z²/n).
        (5, 10, 0.2366, 0.7634),
        (0, 10, 0.0, 0.2775),
        (10, 10, 0.7225, 1.0),
        (54, 100, 0.4427, 0.6344),
    ],
)
def test_wilson_interval_matches_hand_computation(hits: int, total: int, low: float, high: float) -> None:
    interval = wilson_interval(hits, total)
    assert interval.low == pytest.approx(low, abs=1e-4)
    assert interval.high == pytest.approx(high, abs=1e-4)


def test_wilson_interval_without_trials_is_empty() -> None:
    interval = wilson_interval(0, 0)
    assert (interval.low, interval.high) == (None, None)


@given(st.integers(min_value=1, max_value=10_000), st.data())
def test_wilson_interval_contains_the_rate_and_lies_in_unit_range(total: int, data: st.DataObject) -> None:
    hits = data.draw(st.integers(min_value=0, max_value=total))
    interval = wilson_interval(hits, total)
    assert interval.low is not None and interval.high is not None
    assert 0.0 <= interval.low <= hits / total <= interval.high <= 1.0


@pytest.mark.parametrize(
    ("predictor", "outcome", "hits", "valid"),
    [
        ([0.5, -0.2, 0.1, -0.3], [1.0, -1.0, -2.0, 3.0], [True, True, False, False], [True] * 4),
        # A zero or missing call, or a flat or missing outcome, is not counted.
        ([0.0, NAN, 0.4, 0.4], [1.0, 1.0, 0.0, NAN], [False] * 4, [False] * 4),
    ],
)
def test_directional_hits(
    predictor: list[float], outcome: list[float], hits: list[bool], valid: list[bool]
) -> None:
    got_hits, got_valid = directional_hits(np.array(predictor), np.array(outcome))
    assert got_hits.tolist() == hits
    assert got_valid.tolist() == valid


@pytest.mark.parametrize(
    ("values", "ranks"),
    [
        ([3.0, 1.0, 2.0], [3.0, 1.0, 2.0]),
        ([1.0, 2.0, 2.0, 5.0], [1.0, 2.5, 2.5, 4.0]),
    ],
)
def test_rank_averages_ties(values: list[float], ranks: list[float]) -> None:
    assert rank(np.array(values)).tolist() == ranks


@pytest.mark.parametrize(
    ("x", "y", "expected"),
    [
        ([1.0, 2.0, 3.0, 4.0], [10.0, 20.0, 30.0, 40.0], 1.0),
        ([1.0, 2.0, 3.0, 4.0], [4.0, 3.0, 2.0, 1.0], -1.0),
        # Ranks (1,2,3,4) and (2,1,4,3): d² = 4, rho = 1 - 6·4/(4·15) = 0.6.
        ([1.0, 2.0, 3.0, 4.0], [2.0, 1.0, 4.0, 3.0], 0.6),
        ([1.0, 2.0, NAN, 4.0], [1.0, 2.0, 3.0, 4.0], 1.0),
    ],
)
def test_spearman_cases(x: list[float], y: list[float], expected: float) -> None:
    assert spearman(np.array(x), np.array(y)) == pytest.approx(expected)


def test_spearman_undefined_for_constant_or_short_samples() -> None:
    assert spearman(np.array([1.0, 1.0, 1.0]), np.array([1.0, 2.0, 3.0])) is None
    assert spearman(np.array([1.0, 2.0]), np.array([1.0, 2.0])) is None


@given(
    st.integers(1, 60),
    st.integers(1, 8),
    st.data(),
    st.integers(0, 2**32 - 1),
)
def test_bootstrap_of_identical_sessions_is_degenerate(
    sessions: int, per_session: int, data: st.DataObject, seed: int
) -> None:
    hits = data.draw(st.integers(0, per_session))
    interval = bootstrap_ratio(
        np.full(sessions, float(hits)), np.full(sessions, float(per_session)), seed, 200
    )
    assert interval.low == pytest.approx(hits / per_session)
    assert interval.high == pytest.approx(hits / per_session)


@given(
    st.lists(st.tuples(st.integers(0, 8), st.integers(0, 8)), min_size=1, max_size=40),
    st.integers(0, 2**32 - 1),
)
def test_bootstrap_interval_is_ordered_and_seeded(pairs: list[tuple[int, int]], seed: int) -> None:
    hits = np.array([min(a, b) for a, b in pairs], dtype=np.float64)
    valid = np.array([max(a, b) for a, b in pairs], dtype=np.float64)
    first = bootstrap_ratio(hits, valid, seed, resamples=200)
    assert first == bootstrap_ratio(hits, valid, seed, resamples=200)
    if valid.sum() == 0:
        assert (first.low, first.high) == (None, None)
    else:
        assert first.low is not None and first.high is not None
        assert 0.0 <= first.low <= first.high <= 1.0


def test_hit_rate_counts_and_intervals() -> None:
    hits = np.array([[True, False], [True, True]])
    valid = np.array([[True, True], [True, False]])
    rate = hit_rate(hits, valid, seed=3)
    assert (rate.hits, rate.total) == (2, 3)
    assert rate.rate == pytest.approx(2 / 3)
    assert rate.bootstrap.low is not None and rate.bootstrap.high is not None
    assert 0.5 <= rate.bootstrap.low <= rate.bootstrap.high <= 1.0


def test_rolling_rate_over_a_window() -> None:
    hits = np.array([[True], [False], [True], [True]])
    valid = np.ones((4, 1), dtype=np.bool_)
    assert rolling_rate(hits, valid, window=2) == [None, 0.5, 0.5, 1.0]


def inputs_for(
    scores: np.ndarray, next_returns: np.ndarray, colors: np.ndarray | None = None
) -> BacktestInputs:
    sessions, sectors = scores.shape
    return BacktestInputs(
        scores=scores,
        colors=np.full((sessions, sectors), 3, dtype=np.int64) if colors is None else colors,
        timeframe_scores=np.stack([scores, -scores], axis=2),
        same_day_return_pct=-next_returns,
        next_return_pct=next_returns,
        benchmark_same_day_pct=np.ones(sessions),
    )


@given(
    st.integers(3, 30),
    st.integers(1, 8),
    st.integers(0, 2**32 - 1),
)
def test_a_perfect_predictor_scores_one(sessions: int, sectors: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    returns = rng.normal(0.0, 1.0, size=(sessions, sectors))
    stats = backtest_stats(inputs_for(returns / 10.0, returns), seed=seed, resamples=100)
    assert stats.overall.rate == 1.0
    assert stats.overall.bootstrap.low == 1.0
    # The second timeframe is the opposite call, the yesterday baseline the opposite sign.
    assert stats.by_timeframe[0].rate == 1.0
    assert stats.by_timeframe[1].rate == 0.0
    assert stats.baselines["yesterday_sign"].rate == 0.0
    assert stats.rank_correlation.pooled == pytest.approx(1.0)
    assert all(rate.rate in (None, 1.0) for rate in stats.by_sector)


def test_backtest_stats_hand_computed_grid() -> None:
    # 3 sessions x 2 sectors. Calls: up, down / up, up / down, (none). Next returns below.
    scores = np.array([[0.3, -0.4], [0.2, 0.1], [-0.5, NAN]])
    returns = np.array([[1.0, 2.0], [0.5, -1.0], [-2.0, 3.0]])
    colors = np.array([[3, 1], [NEUTRAL_CODE, NEUTRAL_CODE], [0, -1]], dtype=np.int64)
    stats = backtest_stats(inputs_for(scores, returns, colors), seed=5, resamples=200)
    # Hits: (0,0) yes, (0,1) no, (1,0) yes, (1,1) no, (2,0) yes: 3 of 5.
    assert (stats.overall.hits, stats.overall.total) == (3, 5)
    # Non-neutral excludes session 1: (0,0) yes, (0,1) no, (2,0) yes.
    assert (stats.non_neutral.hits, stats.non_neutral.total) == (2, 3)
    assert (stats.by_color["dark_red"].hits, stats.by_color["dark_red"].total) == (1, 1)
    assert (stats.by_sector[1].hits, stats.by_sector[1].total) == (0, 2)
    # Always up: 4 of the 6 next returns are positive.
    assert (stats.baselines["always_up"].hits, stats.baselines["always_up"].total) == (4, 6)
    # IWM was up every session, the same call as always up.
    assert stats.baselines["iwm_sign"].hits == 4
    assert stats.mean_next_return_by_color["blue_neutral"].mean_pct == pytest.approx(-0.25)
    assert stats.mean_next_return_by_color["dark_red"].mean_pct == pytest.approx(-2.0)
    assert stats.mean_next_return_by_color["dark_green"].count == 0
    assert stats.mean_next_return_by_color["dark_green"].mean_pct is None
