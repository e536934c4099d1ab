"""The Relative Rotation Graph (analytics/rrg.py) against values worked out by hand, step by step in
plain Python, on real prices (tests/fixtures/real/rrg_daily_closes_2017.csv: IWM, the eight XL*
sector funds and five S&P 600 stocks, 60 sessions to 2017-11-10; see SOURCE.md there); a table of
quadrant cases; and properties of any prices."""

from __future__ import annotations

import csv
import itertools
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sectorlights.analytics.rrg import (
    forward_filled,
    quadrant_indices,
    quadrant_of,
    relative_rotation,
    sector_levels,
)
from sectorlights.domain.rotation import QUADRANTS, Quadrant
from sectorlights.domain.vocabulary import SECTORS, Sector

REAL = Path(__file__).parents[1] / "fixtures" / "real" / "rrg_daily_closes_2017.csv"
RATIO, MOMENTUM = 10, 5


def real_closes() -> dict[str, list[float]]:
    with REAL.open(newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    return {name: [float(row[column]) for row in body] for column, name in enumerate(header) if column > 0}


CLOSES = real_closes()


# --- the arithmetic, by hand ---------------------------------------------------------------------


def mean(values: list[float]) -> float:
    return sum(values) / len(values)


def population_sd(values: list[float]) -> float:
    centre = mean(values)
    return math.sqrt(sum((value - centre) ** 2 for value in values) / len(values))


def z_scores(values: list[float | None], window: int) -> list[float | None]:
    scores: list[float | None] = [None] * len(values)
    for end in range(window - 1, len(values)):
        chunk = values[end - window + 1 : end + 1]
        if any(value is None for value in chunk):
            continue
        known = [value for value in chunk if value is not None]
        current = values[end]
        assert current is not None
        scores[end] = (current - mean(known)) / population_sd(known)
    return scores


def by_hand(sector: list[float], benchmark: list[float]) -> tuple[list[float | None], list[float | None]]:
    """RS, RS-Ratio, its one-bar rate of change and RS-Momentum, one bar at a time."""
    strength: list[float | None] = [
        100.0 * price / reference for price, reference in zip(sector, benchmark, strict=True)
    ]
    ratio = [None if z is None else 100.0 + z for z in z_scores(strength, RATIO)]
    change: list[float | None] = [None]
    for before, now in itertools.pairwise(ratio):
        change.append(None if before is None or now is None else 100.0 * (now / before - 1.0))
    momentum = [None if z is None else 100.0 + z for z in z_scores(change, MOMENTUM)]
    return ratio, momentum


def chained_equal_weight(members: list[list[float]]) -> list[float]:
    """1, then times 1 + the mean of the members' returns over each session."""
    level = [1.0]
    for day in range(1, len(members[0])):
        returns = [prices[day] / prices[day - 1] - 1.0 for prices in members]
        level.append(level[-1] * (1.0 + sum(returns) / len(returns)))
    return level


def chained_median(members: list[list[float]]) -> list[float]:
    level = [1.0]
    for day in range(1, len(members[0])):
        returns = sorted(prices[day] / prices[day - 1] - 1.0 for prices in members)
        level.append(level[-1] * (1.0 + returns[len(returns) // 2]))
    return level


def assert_same(computed: np.ndarray, expected: list[float | None]) -> None:
    assert len(computed) == len(expected)
    for value, wanted in zip(computed.tolist(), expected, strict=True):
        if wanted is None:
            assert math.isnan(value)
        else:
            assert value == pytest.approx(wanted, rel=1e-12, abs=1e-9)


# --- real prices --------------------------------------------------------------------------------


def test_the_real_set_is_what_source_md_describes() -> None:
    assert " ".join(CLOSES) == "IWM XLB XLE XLF XLI XLK XLU XLV XLY AOSL DIOD KLIC CRK SM"
    assert {len(prices) for prices in CLOSES.values()} == {60}
    assert CLOSES["IWM"][-1] == 146.57  # IWM's real close on 2017-11-10


@pytest.mark.parametrize("fund", ["XLK", "XLE", "XLF", "XLU"])
def test_sector_funds_against_iwm_match_the_arithmetic_by_hand(fund: str) -> None:
    rotation = relative_rotation(np.array([CLOSES[fund]]), np.array(CLOSES["IWM"]), RATIO, MOMENTUM)
    ratio, momentum = by_hand(CLOSES[fund], CLOSES["IWM"])
    assert_same(rotation.rs_ratio[0], ratio)
    assert_same(rotation.rs_momentum[0], momentum)
    # The first point needs ratio + momentum bars: 60 sessions give 46.
    assert int(np.isfinite(rotation.rs_momentum[0]).sum()) == 60 - (RATIO + MOMENTUM) + 1


@pytest.mark.parametrize(
    ("fund", "ratio", "momentum", "quadrant"),
    [
        # 2017-11-10, the last session of the set (worked out once by hand as above, kept as figures).
        ("XLK", 101.077, 99.794, Quadrant.WEAKENING),
        ("XLF", 98.579, 100.424, Quadrant.IMPROVING),
        ("XLI", 100.211, 100.131, Quadrant.LEADING),
        ("XLB", 99.783, 99.783, Quadrant.LAGGING),
    ],
)
def test_the_last_session_of_the_real_set(
    fund: str, ratio: float, momentum: float, quadrant: Quadrant
) -> None:
    rotation = relative_rotation(np.array([CLOSES[fund]]), np.array(CLOSES["IWM"]), RATIO, MOMENTUM)
    last_ratio, last_momentum = float(rotation.rs_ratio[0, -1]), float(rotation.rs_momentum[0, -1])
    assert (round(last_ratio, 3), round(last_momentum, 3)) == (ratio, momentum)
    assert quadrant_of(last_ratio, last_momentum) is quadrant


def test_a_sector_of_real_stocks_is_their_chain_linked_equal_weighted_return() -> None:
    tech, energy = ["AOSL", "DIOD", "KLIC"], ["CRK", "SM"]
    prices = np.array([CLOSES[symbol] for symbol in tech + energy])
    index = np.array([SECTORS.index(Sector.TECHNOLOGY)] * 3 + [SECTORS.index(Sector.ENERGY)] * 2)
    levels = sector_levels(prices, index)

    by_sector = {
        Sector.TECHNOLOGY: chained_equal_weight([CLOSES[symbol] for symbol in tech]),
        Sector.ENERGY: chained_equal_weight([CLOSES[symbol] for symbol in energy]),
    }
    for sector, level in by_sector.items():
        assert_same(levels[SECTORS.index(sector)], list(level))
        rotation = relative_rotation(levels[SECTORS.index(sector)], np.array(CLOSES["IWM"]), RATIO, MOMENTUM)
        ratio, momentum = by_hand(level, CLOSES["IWM"])
        assert_same(rotation.rs_ratio[0], ratio)
        assert_same(rotation.rs_momentum[0], momentum)
    # Sectors without members have no level at all.
    assert np.isnan(levels[SECTORS.index(Sector.UTILITIES)]).all()


def test_winsorising_three_members_keeps_the_middle_one_each_session() -> None:
    """Like the card's returns: one stock is always pulled inside the others' range, so with three
    the sector moves with its median member."""
    tech = ["AOSL", "DIOD", "KLIC"]
    prices = np.array([CLOSES[symbol] for symbol in tech])
    levels = sector_levels(prices, np.zeros(3, dtype=np.int64), winsor_share=0.05, winsor_min_clipped=1)
    assert_same(levels[0], list(chained_median([CLOSES[symbol] for symbol in tech])))


def test_a_stock_without_a_price_counts_from_its_first_and_quiet_bars_are_no_move() -> None:
    prices = np.array(
        [
            [10.0, 11.0, np.nan, 11.0, 12.1],
            [np.nan, np.nan, 20.0, 22.0, 22.0],
        ]
    )
    levels = sector_levels(prices, np.zeros(2, dtype=np.int64))
    # Bar 1: only the first moves (+10%); bar 2: carried forward (0%), the second has begun but has
    # no return yet; bar 3: 0% and +10%; bar 4: +10% and 0%.
    assert_same(levels[0], [1.0, 1.1, 1.1, 1.1 * 1.05, 1.1 * 1.05 * 1.05])
    assert_same(forward_filled(prices)[1], [None, None, 20.0, 22.0, 22.0])


def test_a_sector_with_no_return_until_later_starts_there() -> None:
    prices = np.array([[np.nan, np.nan, 5.0, 5.5]])
    assert_same(sector_levels(prices, np.zeros(1, dtype=np.int64))[0], [None, None, 1.0, 1.1])


def test_too_few_bars_give_no_point() -> None:
    rotation = relative_rotation(
        np.array([CLOSES["XLK"][:14]]), np.array(CLOSES["IWM"][:14]), RATIO, MOMENTUM
    )
    assert np.isnan(rotation.rs_momentum).all()
    assert np.isfinite(rotation.rs_ratio[0, RATIO - 1 :]).all()


# --- quadrants -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ratio", "momentum", "quadrant"),
    [
        (101.0, 101.0, Quadrant.LEADING),
        (101.0, 99.0, Quadrant.WEAKENING),
        (99.0, 99.0, Quadrant.LAGGING),
        (99.0, 101.0, Quadrant.IMPROVING),
        (100.0, 100.0, Quadrant.LEADING),  # 100 counts as strong on both axes
        (100.0, 99.9999, Quadrant.WEAKENING),
        (99.9999, 100.0, Quadrant.IMPROVING),
        (99.9999, 99.9999, Quadrant.LAGGING),
        (float("nan"), 101.0, None),
        (101.0, float("nan"), None),
    ],
)
def test_quadrant_cases(ratio: float, momentum: float, quadrant: Quadrant | None) -> None:
    assert quadrant_of(ratio, momentum) is quadrant


# --- properties ----------------------------------------------------------------------------------

# Near 100 (on it too, both sides of it) or unknown.
coordinates = st.one_of(st.floats(min_value=90, max_value=110), st.just(100.0), st.just(float("nan")))
prices = st.lists(st.floats(min_value=1.0, max_value=1000.0), min_size=RATIO + MOMENTUM, max_size=40)
scales = st.floats(min_value=1e-3, max_value=1e3)


@settings(deadline=None)  # no timing here: a busy machine must not fail it
@given(prices, scales)
def test_a_sector_moving_exactly_with_the_benchmark_sits_at_the_centre(
    path: list[float], scale: float
) -> None:
    benchmark = np.array(path)
    rotation = relative_rotation(benchmark[np.newaxis, :] * scale, benchmark, RATIO, MOMENTUM)
    known = np.isfinite(rotation.rs_momentum[0])
    assert known.sum() == len(path) - (RATIO + MOMENTUM) + 1
    assert (rotation.rs_ratio[0, known] == 100.0).all()
    assert (rotation.rs_momentum[0, known] == 100.0).all()


@settings(max_examples=200, deadline=None)
@given(st.data(), scales)
def test_scaling_the_benchmark_or_the_sector_changes_nothing(data: st.DataObject, scale: float) -> None:
    path = data.draw(prices)
    sector = np.array(data.draw(st.lists(st.floats(1.0, 1000.0), min_size=len(path), max_size=len(path))))
    benchmark = np.array(path)
    plain = relative_rotation(sector, benchmark, RATIO, MOMENTUM)
    for scaled in (
        relative_rotation(sector, benchmark * scale, RATIO, MOMENTUM),
        relative_rotation(sector * scale, benchmark, RATIO, MOMENTUM),
    ):
        np.testing.assert_allclose(scaled.rs_ratio, plain.rs_ratio, rtol=0, atol=1e-6)
        np.testing.assert_allclose(scaled.rs_momentum, plain.rs_momentum, rtol=0, atol=1e-6)


@settings(deadline=None)
@given(st.data())
def test_rs_ratio_is_above_100_exactly_when_relative_strength_is_above_its_mean(data: st.DataObject) -> None:
    path = data.draw(prices)
    sector = np.array(data.draw(st.lists(st.floats(1.0, 1000.0), min_size=len(path), max_size=len(path))))
    rotation = relative_rotation(sector, np.array(path), RATIO, MOMENTUM)
    strength = 100.0 * sector / np.array(path)
    for end in range(RATIO - 1, len(path)):
        window = strength[end - RATIO + 1 : end + 1]
        deviation = strength[end] - window.mean()
        if abs(deviation) > 1e-9 * abs(window.mean()) and window.std() > 1e-9 * abs(window.mean()):
            assert (rotation.rs_ratio[0, end] > 100.0) == (deviation > 0)


@given(
    st.lists(coordinates, min_size=1, max_size=30),
    st.data(),
)
def test_the_quadrant_follows_the_signs(ratios: list[float], data: st.DataObject) -> None:
    momenta = data.draw(
        st.lists(
            coordinates,
            min_size=len(ratios),
            max_size=len(ratios),
        )
    )
    indices = quadrant_indices(np.array(ratios), np.array(momenta))
    for ratio, momentum, index in zip(ratios, momenta, indices.tolist(), strict=True):
        if math.isnan(ratio) or math.isnan(momentum):
            assert index == -1
            continue
        expected = {
            (True, True): Quadrant.LEADING,
            (True, False): Quadrant.WEAKENING,
            (False, False): Quadrant.LAGGING,
            (False, True): Quadrant.IMPROVING,
        }[(ratio >= 100.0, momentum >= 100.0)]
        assert QUADRANTS[index] is expected


@given(
    st.lists(st.one_of(st.floats(0.5, 100.0), st.just(float("nan")), st.just(0.0)), min_size=1, max_size=20)
)
def test_forward_filling_keeps_the_last_usable_price(row: list[float]) -> None:
    filled = forward_filled(np.array([row]))[0].tolist()
    last: float | None = None
    for original, value in zip(row, filled, strict=True):
        if math.isfinite(original) and original > 0:
            last = original
        if last is None:
            assert math.isnan(value)
        else:
            assert value == last
