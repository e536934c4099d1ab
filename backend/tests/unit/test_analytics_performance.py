"""Timeframe returns, relative volume and sector aggregation (the spec's technology example)."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sectorlights.analytics.performance import (
    TIMEFRAME_COLUMN,
    benchmark_returns,
    frame_returns,
    member_pulls,
    price_return,
    relative_volume,
    sector_medians,
    sector_returns,
    volatility_weight_array,
)
from sectorlights.config.criteria import ScoreParams, score_params_for_rules
from sectorlights.config.volatility_weights import VolatilityWeightConfig
from sectorlights.domain.vocabulary import SECTORS, Sector, Timeframe
from sectorlights.domain.volume_profile import volume_fraction_after_minutes
from tests.unit.frames import Stock, benchmark, build_frame

TECH = SECTORS.index(Sector.TECHNOLOGY)
HEALTH = SECTORS.index(Sector.HEALTHCARE)
DAY = TIMEFRAME_COLUMN[Timeframe.DAY_1]
WEIGHTS = volatility_weight_array(VolatilityWeightConfig())


def _one_day(returns_pct: list[float], relative_volumes: list[float], benchmark_pct: float | None = None):
    returns = np.full((len(returns_pct), 4), np.nan)
    returns[:, DAY] = np.array(returns_pct) / 100.0
    bench = None
    if benchmark_pct is not None:
        bench = np.full(4, np.nan)
        bench[DAY] = benchmark_pct / 100.0
    return sector_returns(
        returns,
        np.full(len(returns_pct), TECH),
        np.array(relative_volumes, dtype=float),
        WEIGHTS,
        bench,
        # The spec's plain means, unwinsorised (test_sturdy_score.py covers winsorising).
        score_params_for_rules("spec"),
    )


def test_stock_returns_per_timeframe() -> None:
    frame = build_frame(
        [Stock("SOUN", price=5.20, change_30m=0.01, change_1d=0.082, change_3d=-0.05, change_1w=0.20)]
    )
    returns = frame_returns(frame)[0]
    assert returns[TIMEFRAME_COLUMN[Timeframe.MIN_30]] == pytest.approx(0.01)
    assert returns[DAY] == pytest.approx(0.082)
    assert returns[TIMEFRAME_COLUMN[Timeframe.DAY_3]] == pytest.approx(-0.05)
    assert returns[TIMEFRAME_COLUMN[Timeframe.WEEK_1]] == pytest.approx(0.20)


def test_daily_returns_use_the_closes_1_3_and_5_sessions_back() -> None:
    closes = np.array([[1.0, 8.0, 2.0, 5.0, 3.0, 4.0]])
    frame = replace(build_frame([Stock("X", price=10.0)], sessions=6), daily_close=closes)
    returns = frame_returns(frame)[0]
    assert returns[DAY] == pytest.approx(10 / 4 - 1)
    assert returns[TIMEFRAME_COLUMN[Timeframe.DAY_3]] == pytest.approx(10 / 5 - 1)
    assert returns[TIMEFRAME_COLUMN[Timeframe.WEEK_1]] == pytest.approx(10 / 8 - 1)


def test_short_history_leaves_long_timeframes_unknown() -> None:
    returns = frame_returns(build_frame([Stock("NEW", change_1d=0.1)], sessions=2))[0]
    assert returns[DAY] == pytest.approx(0.1)
    assert math.isnan(returns[TIMEFRAME_COLUMN[Timeframe.DAY_3]])
    assert math.isnan(returns[TIMEFRAME_COLUMN[Timeframe.WEEK_1]])


@pytest.mark.parametrize(
    ("now", "before"),
    [(math.nan, 1.0), (1.0, math.nan), (0.0, 1.0), (1.0, 0.0), (-1.0, 1.0), (1.0, -2.0), (math.inf, 1.0)],
)
def test_missing_or_non_positive_prices_give_nan(now: float, before: float) -> None:
    assert math.isnan(price_return(np.array([now]), np.array([before]))[0])


@pytest.mark.parametrize(
    ("session_volume", "avg_volume", "fraction", "expected"),
    [
        (2_100_000.0, 2_000_000.0, 0.5, 2.1),
        (0.0, 2_000_000.0, 0.5, 0.0),
        (1e6, 2e6, 0.0, math.nan),
        (1e6, math.nan, 0.5, math.nan),
        (math.nan, 2e6, 0.5, math.nan),
        (-5.0, 2e6, 0.5, math.nan),
        (1e6, 0.0, 0.5, math.nan),
    ],
)
def test_relative_volume(session_volume: float, avg_volume: float, fraction: float, expected: float) -> None:
    result = relative_volume(
        np.array([session_volume]), np.array([avg_volume]), fraction, volume_fraction_floor=0.0
    )[0]
    assert result == pytest.approx(expected, nan_ok=True)


# The typical volume of the first 5 minutes from 04:00 (ScoreParams' default floor).
FIVE_MINUTES = volume_fraction_after_minutes(5.0)
AT_0400_15 = volume_fraction_after_minutes(0.25)


@pytest.mark.parametrize(
    ("session_volume", "avg_volume", "fraction", "floor", "expected"),
    [
        # 04:00:15, a gapper has traded 2% of its average day: 528x the expectation without a
        # floor; with one, those 40,000 shares plus the typical 1,439 of the rest of the first five
        # minutes, against their typical 1,515: 27x.
        (40_000.0, 2e6, AT_0400_15, 0.0, 40_000 / (2e6 * AT_0400_15)),
        (
            40_000.0,
            2e6,
            AT_0400_15,
            FIVE_MINUTES,
            (40_000 + 2e6 * (FIVE_MINUTES - AT_0400_15)) / (2e6 * FIVE_MINUTES),
        ),
        (0.0, 2e6, 0.0, FIVE_MINUTES, 1.0),  # 04:00:00: nothing known yet reads as usual, not unknown
        (0.0, 2e6, volume_fraction_after_minutes(2.5), FIVE_MINUTES, 0.5),  # idle half the window
        (0.0, 2e6, FIVE_MINUTES, FIVE_MINUTES, 0.0),
        (1_500.0, 2e6, 0.0, FIVE_MINUTES, 1.0 + 1_500 / (2e6 * FIVE_MINUTES)),
        # Once the day's expected share passes the floor, the floor no longer matters.
        (2_100_000.0, 2e6, 0.5, FIVE_MINUTES, 2.1),
        (2_100_000.0, 2e6, 0.5, 0.4, 2.1),
        (2_100_000.0, 2e6, 0.5, 0.6, (2_100_000 + 2e6 * 0.1) / (2e6 * 0.6)),
        (1e6, math.nan, 0.0, FIVE_MINUTES, math.nan),
        (1e6, 0.0, 0.0, FIVE_MINUTES, math.nan),
        (math.nan, 2e6, 0.0, FIVE_MINUTES, math.nan),
        (-1.0, 2e6, 0.0, FIVE_MINUTES, math.nan),
    ],
)
def test_relative_volume_has_a_floor(
    session_volume: float, avg_volume: float, fraction: float, floor: float, expected: float
) -> None:
    result = relative_volume(
        np.array([session_volume]), np.array([avg_volume]), fraction, volume_fraction_floor=floor
    )[0]
    assert result == pytest.approx(expected, nan_ok=True)


def test_default_floor_is_five_minutes() -> None:
    assert ScoreParams().relative_volume_floor_minutes == 5.0


SESSION_MOMENTS = st.tuples(
    st.integers(min_value=0, max_value=16 * 60), st.integers(min_value=0, max_value=59)
)


def _elapsed_minutes(moment: tuple[int, int]) -> float:
    minute, seconds = moment
    return min(minute + seconds / 60.0, 16.0 * 60.0)


@settings(max_examples=200, deadline=None)
@given(
    moment=SESSION_MOMENTS,
    floor_minutes=st.floats(min_value=0.5, max_value=60.0),
    volumes=st.lists(
        st.tuples(
            st.floats(min_value=0.0, max_value=1e10, allow_nan=False),
            st.floats(min_value=1.0, max_value=1e9, allow_nan=False),
        ),
        min_size=1,
        max_size=20,
    ),
)
def test_relative_volume_is_finite_and_bounded_by_the_floor_all_session(
    moment: tuple[int, int], floor_minutes: float, volumes: list[tuple[float, float]]
) -> None:
    session_volume = np.array([volume for volume, _ in volumes])
    avg_volume = np.array([average for _, average in volumes])
    elapsed = _elapsed_minutes(moment)
    fraction = volume_fraction_after_minutes(elapsed)
    floor = volume_fraction_after_minutes(floor_minutes)
    result = relative_volume(session_volume, avg_volume, fraction, volume_fraction_floor=floor)
    assert np.all(np.isfinite(result)) and np.all(result >= 0.0)
    assert np.all(result <= (session_volume / (avg_volume * floor) + 1.0) * (1 + 1e-12))
    if elapsed >= floor_minutes:  # past the floor: plain volume / (average x expected share)
        np.testing.assert_allclose(result, session_volume / (avg_volume * fraction), rtol=1e-12)


@settings(max_examples=200, deadline=None)
@given(
    moment=SESSION_MOMENTS,
    floor_minutes=st.floats(min_value=0.0, max_value=60.0),
    avg_volume=st.floats(min_value=1.0, max_value=1e9, allow_nan=False),
)
def test_a_stock_trading_at_its_usual_pace_reads_1_at_every_minute(
    moment: tuple[int, int], floor_minutes: float, avg_volume: float
) -> None:
    fraction = volume_fraction_after_minutes(_elapsed_minutes(moment))
    floor = volume_fraction_after_minutes(floor_minutes)
    assume(max(fraction, floor) > 0.0)  # 04:00:00 without a floor: nothing expected, ratio unknown
    usual = np.array([avg_volume * fraction])
    result = relative_volume(usual, np.array([avg_volume]), fraction, volume_fraction_floor=floor)
    assert result[0] == pytest.approx(1.0, rel=1e-9)


def test_spec_technology_plain_mean_is_3_6_percent() -> None:
    # SOUN +8.2%, BBAI -4.1%, PATH +12.5%, SMCI -2.3%.
    result = _one_day([8.2, -4.1, 12.5, -2.3], [2.1, 1.9, 2.5, 1.1])
    assert round(result.plain[TECH, DAY] * 100, 1) == 3.6
    assert result.stock_counts[TECH, DAY] == 4


def test_spec_volatility_multiplier_and_alpha() -> None:
    # The spec multiplies its rounded +3.6% by 1.3 (= +4.7%) and subtracts IWM's +1.2% (= +3.5%).
    result = _one_day([3.6, 3.6, 3.6, 3.6], [2.1, 1.9, 2.5, 1.1], benchmark_pct=1.2)
    assert round(result.adjusted[TECH, DAY] * 100, 1) == 4.7
    assert round(result.alpha[TECH, DAY] * 100, 1) == 3.5


def test_volume_weighting_emphasises_high_volume_moves() -> None:
    spec = _one_day([8.2, -4.1, 12.5, -2.3], [2.1, 1.9, 2.5, 1.1])
    # PATH's +12.5% came on the most volume, SMCI's -2.3% on the least: the weighted mean is higher.
    expected = (8.2 * 2.1 - 4.1 * 1.9 + 12.5 * 2.5 - 2.3 * 1.1) / (2.1 + 1.9 + 2.5 + 1.1)
    assert spec.weighted[TECH, DAY] * 100 == pytest.approx(expected)
    assert spec.weighted[TECH, DAY] > spec.plain[TECH, DAY]
    heavy_drop = _one_day([5.0, -5.0], [1.0, 4.0])
    assert heavy_drop.weighted[TECH, DAY] * 100 == pytest.approx((5.0 - 20.0) / 5.0)


@pytest.mark.parametrize(
    ("relative_volumes", "expected_weights"),
    [
        ([100.0, 1.0], [4.0, 1.0]),  # clipped at 4
        ([0.01, 1.0], [0.25, 1.0]),  # clipped at 0.25
        ([math.nan, 2.0], [1.0, 2.0]),  # unknown counts as an ordinary day
    ],
)
def test_relative_volume_weights_are_clipped(
    relative_volumes: list[float], expected_weights: list[float]
) -> None:
    result = _one_day([10.0, 0.0], relative_volumes)
    expected = 10.0 * expected_weights[0] / sum(expected_weights)
    assert result.weighted[TECH, DAY] * 100 == pytest.approx(expected)


def test_missing_returns_and_sectors_are_skipped() -> None:
    returns = np.full((4, 4), np.nan)
    returns[:, DAY] = [0.10, np.nan, 0.02, 0.50]
    result = sector_returns(returns, np.array([TECH, TECH, HEALTH, -1]), np.ones(4), WEIGHTS)
    assert result.plain[TECH, DAY] == pytest.approx(0.10)
    assert result.plain[HEALTH, DAY] == pytest.approx(0.02)
    assert result.stock_counts[:, DAY].tolist() == [1, 1, 0, 0, 0, 0, 0, 0]
    assert np.isnan(result.weighted[2:, DAY]).all()
    assert np.isnan(result.weighted[:, TIMEFRAME_COLUMN[Timeframe.MIN_30]]).all()
    # No benchmark: alpha is unknown.
    assert np.isnan(result.alpha).all()


def test_benchmark_row_is_measured_like_a_stock() -> None:
    frame = build_frame([Stock("SOUN", change_1d=0.05), benchmark(change_1d=0.012, change_1w=-0.02)])
    bench = benchmark_returns(frame)
    assert bench[DAY] == pytest.approx(0.012)
    assert bench[TIMEFRAME_COLUMN[Timeframe.WEEK_1]] == pytest.approx(-0.02)
    assert np.isnan(benchmark_returns(build_frame([Stock("SOUN")]))).all()


def test_sector_medians() -> None:
    values = np.array([1.0, 3.0, 2.0, np.nan, 10.0, 20.0, 7.0])
    sectors = np.array([TECH, TECH, TECH, TECH, HEALTH, HEALTH, -1])
    medians = sector_medians(values, sectors)
    assert medians[TECH] == 2.0
    assert medians[HEALTH] == 15.0
    assert np.isnan(medians[2:]).all()


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(min_value=-1, max_value=7),
            st.floats(min_value=-1e6, max_value=1e6) | st.just(math.nan),
        ),
        max_size=40,
    )
)
def test_sector_medians_match_numpy(rows: list[tuple[int, float]]) -> None:
    sectors = np.array([sector for sector, _ in rows], dtype=np.int64)
    values = np.array([value for _, value in rows], dtype=np.float64)
    medians = sector_medians(values, sectors)
    for sector in range(len(SECTORS)):
        chosen = values[(sectors == sector) & np.isfinite(values)]
        expected = float(np.median(chosen)) if chosen.size else math.nan
        assert medians[sector] == pytest.approx(expected, nan_ok=True)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(min_value=-0.9, max_value=5.0),
            st.floats(min_value=0.0, max_value=50.0) | st.just(math.nan),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_weighted_mean_lies_between_the_extremes(rows: list[tuple[float, float]]) -> None:
    result = _one_day([move * 100 for move, _ in rows], [volume for _, volume in rows])
    moves = [move for move, _ in rows]
    assert min(moves) - 1e-12 <= result.weighted[TECH, DAY] <= max(moves) + 1e-12
    assert min(moves) - 1e-12 <= result.plain[TECH, DAY] <= max(moves) + 1e-12


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(st.floats(min_value=-0.9, max_value=5.0) | st.just(math.nan), min_size=4, max_size=4),
            st.floats(min_value=0.0, max_value=50.0) | st.just(math.nan),
        ),
        min_size=1,
        max_size=30,
    ),
    st.sampled_from(["sturdy", "spec"]),
)
def test_member_pulls_sum_to_the_sector_return(rows: list[tuple[list[float], float]], rules: str) -> None:
    """What the "why this colour" answer names as the stocks that moved a sector adds up to the
    sector's volume-weighted return, under either score rules (winsorised or not)."""
    returns = np.array([moves for moves, _ in rows])
    volumes = np.array([volume for _, volume in rows])
    params = score_params_for_rules(rules)
    pulls = member_pulls(returns, volumes, params)
    sector = sector_returns(returns, np.full(len(rows), TECH), volumes, WEIGHTS, None, params)
    assert np.array_equal(np.isnan(pulls), np.isnan(returns))
    for column in range(4):
        expected = sector.weighted[TECH, column]
        total = np.nansum(pulls[:, column]) if np.isfinite(pulls[:, column]).any() else math.nan
        assert total == pytest.approx(expected, abs=1e-9, nan_ok=True)


def test_a_heavier_volume_pulls_harder() -> None:
    """Two members with the same move: the one trading at 4x its usual volume moves the sector 4x as
    much as the one at 1x (the spec's clip [0.25, 4])."""
    returns = np.full((2, 4), np.nan)
    returns[:, DAY] = 0.10
    pulls = member_pulls(returns, np.array([4.0, 1.0]), score_params_for_rules("spec"))
    assert pulls[:, DAY] == pytest.approx([0.08, 0.02])
