"""A sector's squeeze risk: member volatility, the sector's ratio to the universe, the level."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sectorlights.analytics.squeeze_risk import (
    NO_LEVEL,
    member_volatility_pct,
    sector_volatility_ratio,
    squeeze_risk_levels,
    tercile_bounds,
)
from sectorlights.config.squeeze_risk import SqueezeRiskBounds


def path(returns_pct: list[float], start: float = 100.0) -> list[float]:
    closes = [start]
    for change in returns_pct:
        closes.append(closes[-1] * (1 + change / 100))
    return closes


def test_member_volatility_by_hand() -> None:
    swinging = path([10.0, -10.0] * 10)  # 20 returns of +-10 %: sd = sqrt(20 * 100 / 19)
    flat = [50.0] * 21
    older = path([30.0] * 5 + [1.0, -1.0] * 10)  # the big moves are older than the 20-session window
    short = [float("nan")] * 10 + path([2.0] * 10)  # 10 returns: too few
    gappy = path([4.0, -4.0] * 10)
    gappy[3] = float("nan")  # two returns lost, 18 left
    volatility = member_volatility_pct(np.array([swinging, flat, older[-21:], short, gappy]))
    assert volatility[0] == pytest.approx(math.sqrt(2000 / 19))
    assert volatility[1] == 0.0
    assert volatility[2] == pytest.approx(math.sqrt(20 / 19))
    assert math.isnan(volatility[3])
    kept = [4.0, -4.0] * 10
    del kept[2:4]
    assert volatility[4] == pytest.approx(float(np.std(kept, ddof=1)))


def test_sector_ratio_by_hand() -> None:
    # Sector 0: 1, 2, 3 -> median 2; sector 1: 4, 5, 6, 7 -> 5.5; sector 2: two members (too few);
    # the unclassified member counts for nobody. Median of all classified: 1..7, 8, 9 -> 5.
    volatility = np.array([1, 2, 3, 4, 5, 6, 7, 8, 9, 100, np.nan], dtype=float)
    sectors = np.array([0, 0, 0, 1, 1, 1, 1, 2, 2, -1, 0])
    ratios = sector_volatility_ratio(volatility, sectors, 4)
    assert ratios[:2] == pytest.approx([2 / 5, 5.5 / 5])
    assert np.isnan(ratios[2:]).all()


@pytest.mark.parametrize(
    ("ratio", "level"),
    [(0.5, 0), (0.8, 0), (0.81, 1), (1.2, 1), (1.21, 2), (9.0, 2), (float("nan"), NO_LEVEL)],
)
def test_levels_at_and_around_the_bounds(ratio: float, level: int) -> None:
    bounds = SqueezeRiskBounds(low_max=0.8, normal_max=1.2)
    assert squeeze_risk_levels(np.array([ratio]), bounds).tolist() == [level]


def test_bounds_must_rise() -> None:
    with pytest.raises(ValueError, match="must rise"):
        SqueezeRiskBounds(low_max=1.2, normal_max=0.8)


def test_tercile_bounds_split_a_window_in_three() -> None:
    ratios = np.array([0.5, 0.6, 0.7, 0.9, 1.0, 1.1, 1.3, 1.5, 1.7, np.nan])
    bounds = tercile_bounds(ratios)
    counts = np.bincount(squeeze_risk_levels(ratios[:-1], bounds), minlength=3)
    assert counts.tolist() == [3, 3, 3]
    with pytest.raises(ValueError, match="at least 3"):
        tercile_bounds(np.array([1.0, np.nan]))


closes = arrays(
    np.float64,
    st.tuples(st.integers(1, 6), st.integers(16, 30)),
    elements=st.floats(min_value=1.0, max_value=500.0),
)


@given(closes, st.floats(min_value=0.01, max_value=100.0))
def test_volatility_does_not_depend_on_the_price_level(daily_close: np.ndarray, scale: float) -> None:
    assert member_volatility_pct(daily_close * scale) == pytest.approx(
        member_volatility_pct(daily_close), rel=1e-6
    )


@given(
    arrays(np.float64, st.integers(3, 40), elements=st.floats(min_value=0.1, max_value=50.0)),
    st.floats(min_value=0.1, max_value=10.0),
)
def test_a_market_wide_calm_or_storm_leaves_the_ratios_alone(volatility: np.ndarray, factor: float) -> None:
    sectors = np.arange(volatility.size) % 3
    assert sector_volatility_ratio(volatility * factor, sectors, 3) == pytest.approx(
        sector_volatility_ratio(volatility, sectors, 3), nan_ok=True
    )


@given(st.lists(st.floats(min_value=0.01, max_value=5.0), min_size=2, max_size=30))
def test_a_higher_ratio_never_has_a_lower_level(ratios: list[float]) -> None:
    ordered = np.sort(np.array(ratios))
    levels = squeeze_risk_levels(ordered, SqueezeRiskBounds(low_max=0.9, normal_max=1.15))
    assert (np.diff(levels) >= 0).all()
