"""Significant-move detection (analytics/moves.py): threshold, filters, order, once per session."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sectorlights.analytics.moves import MoveTracker, SignificantMove, detect_moves

MONDAY = date(2026, 11, 23)
TUESDAY = date(2026, 11, 24)
NAN = float("nan")
INF = float("inf")


def one(previous: float, price: float, threshold: float = 15.0) -> list[SignificantMove]:
    return detect_moves(np.array(["AAA"]), np.array([previous]), np.array([price]), set(), threshold)


@pytest.mark.parametrize(
    ("previous", "price", "expected_pct"),
    [
        pytest.param(10.0, 11.5, 15.0, id="exactly +15% counts"),
        pytest.param(100.0, 115.0, 15.0, id="exactly +15% on round numbers"),
        pytest.param(10.0, 8.5, -15.0, id="exactly -15% counts"),
        pytest.param(3.3, 3.795, 15.0, id="exactly +15% with inexact floats"),
        pytest.param(10.0, 11.499, None, id="+14.99% does not"),
        pytest.param(100.0, 114.99, None, id="+14.99% on round numbers does not"),
        pytest.param(10.0, 8.501, None, id="-14.99% does not"),
        pytest.param(10.0, 12.0, 20.0, id="+20%"),
        pytest.param(10.0, 6.0, -40.0, id="down 40%"),
        pytest.param(2.0, 8.0, 300.0, id="quadrupled"),
        pytest.param(10.0, 10.0, None, id="unchanged"),
        pytest.param(NAN, 12.0, None, id="NaN previous close ignored"),
        pytest.param(10.0, NAN, None, id="NaN price ignored"),
        pytest.param(0.0, 12.0, None, id="zero previous close ignored"),
        pytest.param(10.0, 0.0, None, id="zero price ignored (not a -100% move)"),
        pytest.param(-10.0, 12.0, None, id="negative previous close ignored"),
        pytest.param(10.0, -12.0, None, id="negative price ignored"),
        pytest.param(INF, 12.0, None, id="infinite previous close ignored"),
        pytest.param(10.0, INF, None, id="infinite price ignored"),
    ],
)
def test_threshold_table(previous: float, price: float, expected_pct: float | None) -> None:
    moves = one(previous, price)
    if expected_pct is None:
        assert moves == []
        return
    [move] = moves
    assert move.symbol == "AAA"
    assert move.change_pct == pytest.approx(expected_pct)
    assert move.previous_close == previous and move.price == price
    assert move.direction == ("up" if expected_pct > 0 else "down")


def test_custom_threshold() -> None:
    assert one(10.0, 11.0, threshold=10.0)[0].change_pct == pytest.approx(10.0)
    assert one(10.0, 11.0, threshold=10.5) == []


@pytest.mark.parametrize("threshold", [0.0, -5.0, NAN])
def test_threshold_must_be_positive(threshold: float) -> None:
    with pytest.raises(ValueError, match="threshold"):
        one(10.0, 12.0, threshold)
    with pytest.raises(ValueError, match="threshold"):
        MoveTracker(threshold)


def test_sorted_by_size_then_symbol_and_filtered() -> None:
    symbols = np.array(["UP20", "DN30", "FLAT", "UP50", "DN20", "BAD", "SEEN"])
    previous = np.array([10.0, 10.0, 10.0, 10.0, 10.0, 0.0, 10.0])
    price = np.array([12.0, 7.0, 10.5, 15.0, 8.0, 5.0, 20.0])
    moves = detect_moves(symbols, previous, price, {"SEEN", "NOT_LISTED"})
    assert [move.symbol for move in moves] == ["UP50", "DN30", "DN20", "UP20"]
    assert [move.direction for move in moves] == ["up", "down", "down", "up"]


def test_flagged_as_a_mask() -> None:
    symbols = np.array(["A", "B", "C"])
    previous = np.array([10.0, 10.0, 10.0])
    price = np.array([20.0, 20.0, 20.0])
    moves = detect_moves(symbols, previous, price, np.array([True, False, True]))
    assert [move.symbol for move in moves] == ["B"]
    with pytest.raises(ValueError, match="mask"):
        detect_moves(symbols, previous, price, np.array([True, False]))


def test_a_symbol_listed_twice_is_reported_once_with_its_larger_move() -> None:
    moves = detect_moves(np.array(["A", "A", "B"]), np.full(3, 10.0), np.array([12.0, 15.0, 13.0]))
    assert [(move.symbol, round(move.change_pct)) for move in moves] == [("A", 50), ("B", 30)]


def test_misaligned_columns_are_refused() -> None:
    with pytest.raises(ValueError, match="one length"):
        detect_moves(np.array(["A", "B"]), np.array([10.0]), np.array([12.0, 13.0]))


def test_empty_input() -> None:
    assert detect_moves(np.array([], dtype=np.str_), np.array([]), np.array([])) == []


def test_payload() -> None:
    [move] = one(10.0, 12.0)
    assert move.to_payload() == {
        "symbol": "AAA",
        "change_pct": pytest.approx(20.0),
        "previous_close": 10.0,
        "price": 12.0,
        "direction": "up",
    }


# ----- the tracker: once per stock per session ----------------------------------------------------


def test_second_move_of_the_same_stock_in_the_session_is_ignored() -> None:
    tracker = MoveTracker()
    symbols = np.array(["A", "B"])
    previous = np.array([10.0, 10.0])
    first = tracker.observe(TUESDAY, symbols, previous, np.array([12.0, 10.5]))
    assert [move.symbol for move in first] == ["A"]
    # A reverses to -20%, then B crosses: only B is new.
    second = tracker.observe(TUESDAY, symbols, previous, np.array([8.0, 11.6]))
    assert [move.symbol for move in second] == ["B"]
    assert tracker.observe(TUESDAY, symbols, previous, np.array([13.0, 12.0])) == []
    assert tracker.flagged == {"A", "B"}
    assert tracker.session == TUESDAY


def test_a_stock_that_falls_back_and_crosses_again_is_still_ignored() -> None:
    tracker = MoveTracker()
    symbols, previous = np.array(["A"]), np.array([10.0])
    assert len(tracker.observe(TUESDAY, symbols, previous, np.array([12.0]))) == 1
    assert tracker.observe(TUESDAY, symbols, previous, np.array([10.1])) == []
    assert tracker.observe(TUESDAY, symbols, previous, np.array([12.5])) == []


def test_a_new_session_resets_the_flags() -> None:
    tracker = MoveTracker()
    symbols, previous, price = np.array(["A"]), np.array([10.0]), np.array([12.0])
    assert len(tracker.observe(MONDAY, symbols, previous, price)) == 1
    assert tracker.observe(MONDAY, symbols, previous, price) == []
    [again] = tracker.observe(TUESDAY, symbols, previous, price)
    assert again.symbol == "A"
    assert tracker.session == TUESDAY and tracker.flagged == {"A"}
    tracker.reset()
    assert tracker.session is None and tracker.flagged == frozenset()


def test_ignored_rows_are_not_flagged() -> None:
    tracker = MoveTracker()
    symbols, previous = np.array(["A"]), np.array([10.0])
    assert tracker.observe(TUESDAY, symbols, previous, np.array([NAN])) == []
    assert tracker.flagged == frozenset()
    assert len(tracker.observe(TUESDAY, symbols, previous, np.array([12.0]))) == 1


# ----- properties ---------------------------------------------------------------------------------

prices = st.one_of(
    st.floats(min_value=0.01, max_value=1e5, allow_nan=False, allow_infinity=False),
    st.sampled_from([0.0, -1.0, NAN, INF]),
)


@st.composite
def markets(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray, set[str]]:
    size = draw(st.integers(min_value=0, max_value=40))
    symbols = np.array([f"S{index:02d}" for index in range(size)], dtype=np.str_)
    previous = np.array(draw(st.lists(prices, min_size=size, max_size=size)), dtype=np.float64)
    price = np.array(draw(st.lists(prices, min_size=size, max_size=size)), dtype=np.float64)
    flagged = set(draw(st.lists(st.sampled_from(symbols.tolist()), max_size=size))) if size else set()
    return symbols, previous, price, flagged


def valid(value: float) -> bool:
    return math.isfinite(value) and value > 0


@settings(max_examples=200, deadline=None)
@given(market=markets(), threshold=st.floats(min_value=0.5, max_value=200.0))
def test_moves_are_exactly_the_unflagged_valid_rows_past_the_threshold(
    market: tuple[np.ndarray, np.ndarray, np.ndarray, set[str]], threshold: float
) -> None:
    symbols, previous, price, flagged = market
    moves = detect_moves(symbols, previous, price, flagged, threshold)
    expected = set()
    for symbol, close, last in zip(symbols.tolist(), previous.tolist(), price.tolist(), strict=True):
        if symbol in flagged or not valid(close) or not valid(last):
            continue
        change = (last - close) / close * 100.0
        if abs(change) >= threshold - 1e-9:
            expected.add(symbol)
    assert {move.symbol for move in moves} == expected
    sizes = [abs(move.change_pct) for move in moves]
    assert sizes == sorted(sizes, reverse=True)
    for move in moves:
        assert valid(move.previous_close) and valid(move.price)
        assert move.change_pct == pytest.approx((move.price / move.previous_close - 1.0) * 100.0)
        assert move.direction == ("up" if move.price > move.previous_close else "down")


@settings(max_examples=100, deadline=None)
@given(market=markets())
def test_mask_and_set_forms_agree(market: tuple[np.ndarray, np.ndarray, np.ndarray, set[str]]) -> None:
    symbols, previous, price, flagged = market
    mask = np.isin(symbols, list(flagged)) if flagged else np.zeros(symbols.shape, dtype=np.bool_)
    assert detect_moves(symbols, previous, price, flagged) == detect_moves(symbols, previous, price, mask)


@settings(max_examples=100, deadline=None)
@given(
    market=markets(),
    later=st.lists(st.floats(min_value=0.01, max_value=1e5), min_size=40, max_size=40),
)
def test_tracker_reports_each_stock_at_most_once_a_session(
    market: tuple[np.ndarray, np.ndarray, np.ndarray, set[str]], later: list[float]
) -> None:
    symbols, previous, price, _ = market
    tracker = MoveTracker()
    first = tracker.observe(TUESDAY, symbols, previous, price)
    second = tracker.observe(TUESDAY, symbols, previous, np.array(later[: symbols.size]))
    first_symbols = {move.symbol for move in first}
    second_symbols = {move.symbol for move in second}
    assert not first_symbols & second_symbols
    assert tracker.flagged == first_symbols | second_symbols
    # The next session sees the same prices afresh.
    assert tracker.observe(date(2026, 11, 25), symbols, previous, price) == first


@settings(max_examples=100, deadline=None)
@given(
    close=st.floats(min_value=0.01, max_value=1e5),
    factor=st.floats(min_value=0.0, max_value=0.1499),
)
def test_scaling_both_prices_changes_nothing(close: float, factor: float) -> None:
    """The move is relative: the same percentage on any price level gives the same answer."""
    price = close * (1.0 + factor)
    assert one(close, price) == []
    assert one(close * 100.0, price * 100.0) == []
    assert len(one(close, close * 1.2)) == 1
    assert len(one(close * 100.0, close * 120.0)) == 1
