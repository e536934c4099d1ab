"""Sector volatility weights: the spec's static table, weights measured against IWM, and their blend."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sectorlights.analytics.performance import measured_volatility_weights, volatility_weight_array
from sectorlights.config.volatility_weights import (
    STATIC_VOLATILITY_WEIGHTS,
    VolatilityWeightConfig,
    get_weight_for_sector,
)
from sectorlights.domain.vocabulary import SECTORS, Sector

SESSIONS = 21
TECH = SECTORS.index(Sector.TECHNOLOGY)
UTILITIES = SECTORS.index(Sector.UTILITIES)


def benchmark_path(seed: int = 3, sigma: float = 0.01) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return 100.0 * np.cumprod(1.0 + rng.normal(0.0, sigma, SESSIONS))


def scaled_path(benchmark: np.ndarray, factor: float) -> np.ndarray:
    """A path whose daily returns are `factor` x the benchmark's (so its volatility ratio is `factor`)."""
    returns = benchmark[1:] / benchmark[:-1] - 1.0
    return 10.0 * np.concatenate(([1.0], np.cumprod(1.0 + factor * returns)))


def closes_for(
    benchmark: np.ndarray, factors: dict[int, float], stocks_per_sector: int = 6
) -> tuple[np.ndarray, np.ndarray]:
    rows, sectors = [], []
    for sector, factor in factors.items():
        for _ in range(stocks_per_sector):
            rows.append(scaled_path(benchmark, factor))
            sectors.append(sector)
    return np.array(rows), np.array(sectors, dtype=np.int64)


@pytest.mark.parametrize(
    ("source", "measured", "expected"),
    [
        ("static", {Sector.TECHNOLOGY: 2.0}, 1.3),
        ("dynamic", {Sector.TECHNOLOGY: 2.0}, 2.0),
        ("hybrid", {Sector.TECHNOLOGY: 2.0}, 1.65),
        ("dynamic", {}, 1.3),  # not measured: the static weight stands in
        ("hybrid", None, 1.3),
    ],
)
def test_weight_by_source(source: str, measured: dict[Sector, float] | None, expected: float) -> None:
    config = VolatilityWeightConfig(weights_source=source)  # type: ignore[arg-type]
    assert config.get_weight_for_sector(Sector.TECHNOLOGY, measured) == pytest.approx(expected)


def test_the_spec_accessor_and_unknown_sectors() -> None:
    assert get_weight_for_sector("healthcare") == 1.5
    assert get_weight_for_sector("crypto") == 1.0
    assert [STATIC_VOLATILITY_WEIGHTS[sector] for sector in SECTORS] == [
        1.3,
        1.5,
        1.2,
        1.1,
        1.2,
        1.0,
        0.9,
        0.7,
    ]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"weights_source": "ml"}, "weights_source"),
        ({"hybrid_blend": 1.5}, "hybrid_blend"),
        ({"dynamic_bounds": (0.0, 2.0)}, "dynamic_bounds"),
        ({"dynamic_bounds": (2.0, 1.0)}, "dynamic_bounds"),
    ],
)
def test_bad_configuration_is_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        VolatilityWeightConfig(**changes)  # type: ignore[arg-type]


def test_measured_weights_are_the_volatility_ratio_to_the_benchmark() -> None:
    benchmark = benchmark_path()
    closes, sectors = closes_for(benchmark, {TECH: 1.6, UTILITIES: 0.7, 0: 1.6})
    weights = measured_volatility_weights(
        closes, sectors, benchmark, VolatilityWeightConfig(weights_source="dynamic")
    )
    assert weights[TECH] == pytest.approx(1.6, rel=1e-9)
    assert weights[UTILITIES] == pytest.approx(0.7, rel=1e-9)
    assert np.isnan(np.delete(weights, [TECH, UTILITIES])).all()


def test_measured_weights_are_clipped_to_the_bounds() -> None:
    benchmark = benchmark_path()
    closes, sectors = closes_for(benchmark, {TECH: 5.0, UTILITIES: 0.1})
    weights = measured_volatility_weights(closes, sectors, benchmark, VolatilityWeightConfig())
    assert (weights[TECH], weights[UTILITIES]) == (2.0, 0.5)


def test_too_few_stocks_or_sessions_or_no_benchmark_leave_sectors_unmeasured() -> None:
    benchmark = benchmark_path()
    closes, sectors = closes_for(benchmark, {TECH: 1.5}, stocks_per_sector=4)
    config = VolatilityWeightConfig()
    assert np.isnan(measured_volatility_weights(closes, sectors, benchmark, config)).all()
    closes, sectors = closes_for(benchmark, {TECH: 1.5})
    assert np.isnan(measured_volatility_weights(closes, sectors, None, config)).all()
    short = closes[:, -8:]
    assert np.isnan(measured_volatility_weights(short, sectors, benchmark[-8:], config)).all()
    flat = np.full(SESSIONS, 50.0)
    assert np.isnan(measured_volatility_weights(closes, sectors, flat, config)).all()


def test_missing_closes_are_skipped() -> None:
    benchmark = benchmark_path()
    closes, sectors = closes_for(benchmark, {TECH: 1.4})
    closes[0, 5] = np.nan
    closes[1, :3] = np.nan
    weights = measured_volatility_weights(closes, sectors, benchmark, VolatilityWeightConfig())
    assert weights[TECH] == pytest.approx(1.4, rel=1e-9)


def test_weight_array_uses_measured_where_finite() -> None:
    measured = np.full(len(SECTORS), np.nan)
    measured[TECH] = 1.9
    hybrid = volatility_weight_array(
        VolatilityWeightConfig(weights_source="hybrid", hybrid_blend=0.25), measured
    )
    assert hybrid[TECH] == pytest.approx(0.75 * 1.3 + 0.25 * 1.9)
    assert hybrid[UTILITIES] == 0.7
    assert volatility_weight_array(VolatilityWeightConfig(), measured)[TECH] == 1.3


@settings(max_examples=60, deadline=None)
@given(
    factors=st.lists(st.floats(0.05, 6.0), min_size=8, max_size=8),
    seed=st.integers(0, 10_000),
    order_seed=st.integers(0, 10_000),
)
def test_measured_weights_stay_in_bounds_and_ignore_row_order(
    factors: list[float], seed: int, order_seed: int
) -> None:
    benchmark = benchmark_path(seed)
    closes, sectors = closes_for(benchmark, dict(enumerate(factors)))
    config = VolatilityWeightConfig(weights_source="dynamic")
    weights = measured_volatility_weights(closes, sectors, benchmark, config)
    assert np.all((weights >= 0.5) & (weights <= 2.0))
    order = np.random.default_rng(order_seed).permutation(sectors.shape[0])
    shuffled = measured_volatility_weights(closes[order], sectors[order], benchmark, config)
    np.testing.assert_allclose(shuffled, weights, rtol=1e-12)
    for sector, factor in enumerate(factors):
        assert weights[sector] == pytest.approx(min(max(factor, 0.5), 2.0), rel=1e-9), math.nan


# Median measured weight over the 36 windows of 20 sessions in the real S&P 600 prices of
# 2015-2017 (tests/fixtures/real), bounds lifted so that the clip does not hide the measurement.
REAL_MEDIAN_WEIGHTS = {
    Sector.TECHNOLOGY: 1.14,
    Sector.HEALTHCARE: 1.34,
    Sector.ENERGY: 2.48,
    Sector.FINANCIAL: 0.99,
    Sector.CONSUMER_DISCRETIONARY: 1.04,
    Sector.INDUSTRIALS: 1.11,
    Sector.MATERIALS: 1.23,
    Sector.UTILITIES: 1.12,
}


def test_measured_weights_on_real_prices() -> None:
    from tests.unit.test_analytics_validation import real_prices

    data = real_prices()
    closes = data.closes[data.stock_rows]
    benchmark = data.closes[data.benchmark_row]
    config = VolatilityWeightConfig(weights_source="dynamic", dynamic_bounds=(0.01, 100.0))
    windows = np.array(
        [
            measured_volatility_weights(
                closes[:, end - 21 : end], data.stock_sectors, benchmark[end - 21 : end], config
            )
            for end in range(21, closes.shape[1] + 1, 20)
        ]
    )
    assert windows.shape == (36, len(SECTORS))
    medians = dict(zip(SECTORS, np.nanmedian(windows, axis=0).tolist(), strict=True))
    for sector, expected in REAL_MEDIAN_WEIGHTS.items():
        assert medians[sector] == pytest.approx(expected, abs=0.005), sector
    # Energy (2015-16 oil crash) dwarfs the rest; the equal-weighted financials move like IWM.
    assert max(medians, key=medians.__getitem__) == Sector.ENERGY
    assert min(medians, key=medians.__getitem__) == Sector.FINANCIAL
