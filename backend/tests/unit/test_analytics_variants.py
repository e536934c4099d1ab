"""The variant predictors: hand-computed cases, and properties tying momentum to reversal."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sectorlights.analytics.backtest import BacktestInputs
from sectorlights.analytics.variants import (
    WINDOW,
    SessionVariants,
    VariantInputs,
    excess_inputs,
    predictors,
    score_variants,
    sector_mean,
    session_variants,
    stack_sessions,
    window_returns_pct,
)

NAN = math.nan
MONTH_AGO, WEEK_AGO, DAY_AGO, SESSION, NEXT = range(len(WINDOW))


@pytest.mark.parametrize(
    ("closes", "start", "end", "expected"),
    [
        ([[100.0, 110.0]], 0, 1, [10.0]),
        ([[50.0, 40.0]], 0, 1, [-20.0]),
        # A missing or non-positive start, or a missing end, gives no return.
        ([[0.0, 10.0], [NAN, 10.0], [10.0, NAN], [-5.0, 10.0]], 0, 1, [NAN, NAN, NAN, NAN]),
        ([[100.0, 120.0, 90.0]], 2, 1, [100.0 / 3]),
    ],
)
def test_window_returns_pct(closes: list[list[float]], start: int, end: int, expected: list[float]) -> None:
    np.testing.assert_allclose(window_returns_pct(np.array(closes), start, end), expected)


@pytest.mark.parametrize(
    ("sectors", "values", "expected"),
    [
        ([0, 0, 2], [1.0, 3.0, -4.0], [2.0, NAN, -4.0]),
        # NaN values are left out; a sector with only NaN has no mean.
        ([0, 1, 1], [NAN, 5.0, NAN], [NAN, 5.0, NAN]),
        ([], [], [NAN, NAN, NAN]),
    ],
)
def test_sector_mean(sectors: list[int], values: list[float], expected: list[float]) -> None:
    got = sector_mean(np.array(sectors, dtype=np.int64), np.array(values, dtype=np.float64), 3)
    np.testing.assert_allclose(got, expected)


def closes_row(month: float, week: float, day: float, session: float, following: float) -> list[float]:
    row = [0.0] * len(WINDOW)
    row[MONTH_AGO], row[WEEK_AGO], row[DAY_AGO], row[SESSION], row[NEXT] = (
        month,
        week,
        day,
        session,
        following,
    )
    return row


def test_session_variants_hand_computed() -> None:
    # Sector 0: A +10 % on the day, B -10 %, C flat; sector 2: D +5 %; sector 1 has no member.
    members = np.array(
        [
            closes_row(80.0, 100.0, 100.0, 110.0, 111.0),
            closes_row(100.0, 100.0, 100.0, 90.0, 90.0),
            closes_row(100.0, 50.0, 100.0, 100.0, 100.0),
            closes_row(NAN, 200.0, 200.0, 210.0, 220.0),
        ]
    )
    sectors = np.array([0, 0, 0, 2], dtype=np.int64)
    # IWM: +2 % on the day, +4 % over the week, +1 % the next session.
    benchmark = np.array(closes_row(100.0, 100.0, 102.0, 104.04, 105.0804))
    got = session_variants(sectors, members, benchmark, 3)
    # Breadth counts members up: A only of three; D of one.
    np.testing.assert_allclose(got.breadth_share, [1 / 3, NAN, 1.0])
    # Week: A +10, B -10, C +100 -> 33.33; D +5.
    np.testing.assert_allclose(got.momentum_1w_pct, [100.0 / 3, NAN, 5.0])
    # Month: A +37.5, B -10, C 0 -> 9.1667; D has no close 21 sessions back.
    np.testing.assert_allclose(got.momentum_1m_pct, [27.5 / 3, NAN, NAN])
    # Day: sector 0 mean 0 minus IWM's 2; sector 2 +5 - 2.
    np.testing.assert_allclose(got.relative_strength_1d_pct, [-2.0, NAN, 3.0])
    np.testing.assert_allclose(got.relative_strength_1w_pct, [100.0 / 3 - 4.04, NAN, 5.0 - 4.04])
    assert got.benchmark_next_pct == pytest.approx(1.0)


def test_session_variants_without_a_benchmark_row() -> None:
    members = np.array([closes_row(1.0, 1.0, 1.0, 2.0, 2.0)])
    got = session_variants(np.array([0], dtype=np.int64), members, np.full(len(WINDOW), NAN), 2)
    assert math.isnan(got.benchmark_next_pct)
    assert math.isnan(got.relative_strength_1d_pct[0])
    assert got.momentum_1w_pct[0] == pytest.approx(100.0)


def session(value: float) -> SessionVariants:
    row = np.array([value, -value])
    return SessionVariants(row, row, row, row, row, value)


def test_stack_sessions_fills_a_missing_session_with_nan() -> None:
    stacked = stack_sessions([session(1.0), None, session(2.0)], 2)
    assert stacked.momentum_1w_pct.shape == (3, 2)
    assert np.isnan(stacked.momentum_1w_pct[1]).all()
    np.testing.assert_allclose(stacked.benchmark_next_pct, [1.0, NAN, 2.0])
    np.testing.assert_allclose(stacked.breadth_share[2], [2.0, -2.0])


def test_predictors_sign_conventions() -> None:
    grid = np.array([[0.6, 0.5, 0.4]])
    momentum = np.array([[1.0, -2.0, NAN]])
    got = predictors(VariantInputs(grid, momentum, 2 * momentum, momentum, momentum, np.zeros(1)))
    assert list(got) == [
        "breadth",
        "momentum_1w",
        "momentum_1m",
        "reversal_1w",
        "reversal_1m",
        "relative_strength_1d",
        "relative_strength_1w",
    ]
    # Breadth calls by the side of one half; exactly half is no call.
    np.testing.assert_allclose(np.sign(got["breadth"]), [[1.0, 0.0, -1.0]])
    np.testing.assert_allclose(got["reversal_1w"], -momentum)
    np.testing.assert_allclose(got["reversal_1m"], -2 * momentum)


def test_excess_inputs_subtract_the_benchmark_per_session() -> None:
    inputs = BacktestInputs(
        scores=np.ones((2, 2)),
        colors=np.zeros((2, 2), dtype=np.int64),
        timeframe_scores=np.ones((2, 2, 1)),
        same_day_return_pct=np.zeros((2, 2)),
        next_return_pct=np.array([[1.0, -1.0], [0.5, 3.0]]),
        benchmark_same_day_pct=np.zeros(2),
    )
    got = excess_inputs(inputs, np.array([0.5, NAN]))
    np.testing.assert_allclose(got.next_return_pct, [[0.5, -1.5], [NAN, NAN]])
    assert got.scores is inputs.scores


def test_score_variants_hand_computed() -> None:
    # 2 sessions x 2 sectors; 1W momentum calls up, down / up, (none).
    week = np.array([[1.0, -1.0], [2.0, NAN]])
    variants = VariantInputs(np.full((2, 2), 0.75), week, week, week, week, np.zeros(2))
    outcome = np.array([[0.5, 0.5], [-1.0, 2.0]])
    # The composite calls only the first sector.
    composite = np.array([[0.3, 0.0], [0.2, NAN]])
    got = score_variants(variants, composite, outcome, seed=3, resamples=100)
    momentum = got["momentum_1w"]
    # (0,0) up/up hit, (0,1) down/up miss, (1,0) up/down miss.
    assert (momentum.hit_rate.hits, momentum.hit_rate.total) == (1, 3)
    assert (momentum.on_composite_cells.hits, momentum.on_composite_cells.total) == (1, 2)
    assert (got["reversal_1w"].hit_rate.hits, got["reversal_1w"].hit_rate.total) == (2, 3)
    # Breadth 0.75 everywhere calls up on all four cells: 3 of 4 outcomes are up.
    assert (got["breadth"].hit_rate.hits, got["breadth"].hit_rate.total) == (3, 4)
    assert momentum.mean_next_when_up.count == 2
    assert momentum.mean_next_when_up.mean_pct == pytest.approx(-0.25)
    assert momentum.mean_next_when_down.mean_pct == pytest.approx(0.5)


finite = st.floats(min_value=-50.0, max_value=50.0, allow_nan=False).filter(lambda value: value != 0.0)


@given(
    st.integers(1, 12).flatmap(lambda sessions: arrays(np.float64, (sessions, 4), elements=finite)),
    st.data(),
    st.integers(0, 2**32 - 1),
)
def test_momentum_and_reversal_hits_add_up_to_the_valid_cells(
    momentum: np.ndarray, data: st.DataObject, seed: int
) -> None:
    outcome = data.draw(arrays(np.float64, momentum.shape, elements=st.floats(-5.0, 5.0, allow_nan=False)))
    composite = data.draw(arrays(np.float64, momentum.shape, elements=st.floats(-1.0, 1.0, allow_nan=False)))
    variants = VariantInputs(momentum, momentum, momentum, momentum, momentum, np.zeros(momentum.shape[0]))
    got = score_variants(variants, composite, outcome, seed=seed, resamples=50)
    forward, backward = got["momentum_1w"], got["reversal_1w"]
    with_outcome = int((outcome != 0).sum())
    assert forward.hit_rate.total == backward.hit_rate.total == with_outcome
    assert forward.hit_rate.hits + backward.hit_rate.hits == with_outcome
    paired = forward.on_composite_cells.hits + backward.on_composite_cells.hits
    assert paired == forward.on_composite_cells.total == int(((outcome != 0) & (composite != 0)).sum())
    if forward.hit_rate.rate is not None and backward.hit_rate.rate is not None:
        assert forward.hit_rate.rate + backward.hit_rate.rate == pytest.approx(1.0)
