"""Top-3 ranking: the spec's order check, score parts, counter-trend suppression, significant moves."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sectorlights.analytics.ranking import (
    NOTE_BEARISH_SECTOR,
    NOTE_BULLISH_SECTOR,
    NOTE_NO_QUALIFYING,
    alignment_scores,
    gap_scores,
    rank_scores,
    shortability_scores,
    top_stocks,
    volume_scores,
)

# name: (1d move, relative volume, float shares, average daily volume, price)
SPEC_BEARISH_TECH = {
    "SMCI": (-0.121, 1.2, 200e6, 5e6, 30.0),  # excellent float
    "SOUN": (-0.082, 2.1, 40e6, 2.1e6, 5.2),  # good float
    "BBAI": (-0.061, 3.2, 6e6, 1.5e6, 3.8),  # poor float
    "PATH": (-0.045, 1.8, 40e6, 3e6, 12.0),  # good float
}


def _columns(stocks: dict[str, tuple[float, ...]]) -> tuple[np.ndarray, ...]:
    symbols = np.array(list(stocks), dtype=np.str_)
    values = np.array(list(stocks.values()), dtype=np.float64)
    return (symbols, *values.T)


def test_spec_order_in_a_bearish_sector() -> None:
    symbols, moves, volumes, floats, avg_volumes, prices = _columns(SPEC_BEARISH_TECH)
    bearish = np.full(len(symbols), -1)
    rank = rank_scores(moves, volumes, bearish, floats, avg_volumes, prices)
    ordered = symbols[np.argsort(-rank)].tolist()
    assert ordered == ["SMCI", "SOUN", "BBAI", "PATH"]
    top = top_stocks(rank, moves, np.zeros(4, dtype=np.int64), symbols, np.array([-0.73] + [0.0] * 7))
    assert symbols[top[0].bearish_rows].tolist() == ["SMCI", "SOUN", "BBAI"]
    assert top[0].bullish_rows.size == 0
    assert top[0].bullish_note == NOTE_BEARISH_SECTOR
    assert top[0].bearish_note is None


@pytest.mark.parametrize(
    ("move", "expected"), [(0.15, 1.0), (-0.15, 1.0), (0.075, 0.5), (-0.30, 1.0), (0.0, 0.0), (math.nan, 0.0)]
)
def test_gap_score(move: float, expected: float) -> None:
    assert gap_scores(np.array([move]))[0] == pytest.approx(expected)


@pytest.mark.parametrize(
    ("relative_volume", "expected"), [(3.0, 1.0), (1.5, 0.5), (9.0, 1.0), (0.0, 0.0), (math.nan, 0.0)]
)
def test_volume_score(relative_volume: float, expected: float) -> None:
    assert volume_scores(np.array([relative_volume]))[0] == pytest.approx(expected)


@pytest.mark.parametrize(
    ("move", "direction", "expected"),
    [
        (0.05, 1, 1.0),  # rising in a green sector
        (-0.05, -1, 1.0),  # falling in a red sector
        (-0.05, 1, 0.0),  # against the sector
        (0.05, -1, 0.0),
        (0.05, 0, 0.5),  # neutral sector
        (-0.05, 0, 0.5),
    ],
)
def test_alignment_score(move: float, direction: int, expected: float) -> None:
    assert alignment_scores(np.array([move]), np.array([direction]))[0] == expected


@pytest.mark.parametrize(
    ("float_shares", "avg_volume", "price", "expected"),
    [
        (50e6, 1e6, 20.0, 1.0),
        (25e6, 1e6, 10.0, 0.5),
        (math.nan, 1e6, 20.0, 0.5 * 0.25 + 0.5),  # unknown float lowers shortability
        (100e6, math.nan, 20.0, 0.5),
        (0.0, 0.0, 5.0, 0.0),
    ],
)
def test_shortability_score(float_shares: float, avg_volume: float, price: float, expected: float) -> None:
    score = shortability_scores(np.array([float_shares]), np.array([avg_volume]), np.array([price]))[0]
    assert score == pytest.approx(expected)


def test_full_marks_and_worst_case() -> None:
    best = rank_scores(
        np.array([0.2]), np.array([5.0]), np.array([1]), np.array([1e9]), np.array([1e7]), np.array([50.0])
    )
    assert best[0] == pytest.approx(10.0)
    worst = rank_scores(
        np.array([math.nan]),
        np.array([math.nan]),
        np.array([1]),
        np.array([0.0]),
        np.array([math.nan]),
        np.array([1.0]),
    )
    assert worst[0] == 0.0


def _top(
    moves: list[float], composite: float, ranks: list[float] | None = None, symbols: list[str] | None = None
):
    count = len(moves)
    names = np.array(symbols or [f"S{index}" for index in range(count)], dtype=np.str_)
    rank = np.array(ranks if ranks is not None else [5.0] * count)
    return names, top_stocks(
        rank, np.array(moves), np.zeros(count, dtype=np.int64), names, np.array([composite] + [0.0] * 7)
    )


def test_top_lists_are_ordered_by_rank_then_symbol_and_cut_at_three() -> None:
    names, top = _top(
        [0.05, 0.02, 0.03, 0.04, -0.01, -0.02, 0.0],
        composite=0.1,
        ranks=[6.0, 7.0, 6.0, 2.0, 3.0, 4.0, 9.0],
        symbols=["B", "A", "AA", "Z", "Y", "X", "FLAT"],
    )
    assert names[top[0].bullish_rows].tolist() == ["A", "AA", "B"]
    assert names[top[0].bearish_rows].tolist() == ["X", "Y"]
    assert (top[0].bullish_note, top[0].bearish_note) == (None, None)


@pytest.mark.parametrize(
    ("composite", "bullish", "bearish", "bullish_note", "bearish_note"),
    [
        (0.5, 1, 0, None, NOTE_BULLISH_SECTOR),
        (0.85, 1, 0, None, NOTE_BULLISH_SECTOR),
        (0.49, 1, 1, None, None),
        (-0.49, 1, 1, None, None),
        (-0.5, 0, 1, NOTE_BEARISH_SECTOR, None),
        (-0.73, 0, 1, NOTE_BEARISH_SECTOR, None),
    ],
)
def test_counter_trend_suppression(
    composite: float, bullish: int, bearish: int, bullish_note: str | None, bearish_note: str | None
) -> None:
    _, top = _top([0.05, -0.05], composite)
    assert (top[0].bullish_rows.size, top[0].bearish_rows.size) == (bullish, bearish)
    assert (top[0].bullish_note, top[0].bearish_note) == (bullish_note, bearish_note)


def test_empty_lists_say_no_qualifying_stocks() -> None:
    _, top = _top([0.05, 0.02], composite=0.1)
    assert top[0].bearish_note == NOTE_NO_QUALIFYING
    # A sector without stocks, and a strongly bullish sector without risers.
    assert (top[1].bullish_note, top[1].bearish_note) == (NOTE_NO_QUALIFYING, NOTE_NO_QUALIFYING)
    _, top = _top([-0.05], composite=0.7)
    assert (top[0].bullish_note, top[0].bearish_note) == (NOTE_NO_QUALIFYING, NOTE_BULLISH_SECTOR)


finite_or_nan = st.floats(min_value=-1e12, max_value=1e12) | st.just(math.nan) | st.just(math.inf)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            finite_or_nan,
            finite_or_nan,
            st.sampled_from([-1, 0, 1]),
            finite_or_nan,
            finite_or_nan,
            finite_or_nan,
        ),
        min_size=1,
        max_size=20,
    )
)
def test_rank_scores_stay_within_0_and_10(rows: list[tuple[float, float, int, float, float, float]]) -> None:
    moves, volumes, directions, floats, avg_volumes, prices = (
        np.array(column) for column in zip(*rows, strict=True)
    )
    rank = rank_scores(moves, volumes, directions.astype(np.int64), floats, avg_volumes, prices)
    assert np.all(np.isfinite(rank))
    assert np.all((rank >= 0.0) & (rank <= 10.0))
