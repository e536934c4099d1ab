"""Intraday backtest maths: the forward window, returns between minute closes, window volumes and
intraday momentum, by hand-computed cases and properties."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sectorlights.analytics.intraday import (
    BAR_LENGTH_NS,
    bar_span_ns,
    forward_window_end,
    half_hour_returns_pct,
    momentum_stats,
    momentum_window,
    returns_pct,
    window_volume,
)

NAN = math.nan
NY = ZoneInfo("America/New_York")
FOUR_HOURS = timedelta(hours=4)


def ny(hour: int, minute: int = 0, day: int = 10) -> datetime:
    return datetime(2017, 11, day, hour, minute, tzinfo=NY)


@pytest.mark.parametrize(
    ("at", "close", "end"),
    [
        (ny(10), ny(16), ny(14)),  # the whole 4 hours fit
        (ny(12), ny(16), ny(16)),  # ends exactly at the close
        (ny(13, 30), ny(16), ny(16)),  # cut at the close: 2.5 hours
        (ny(10, 0, day=24), ny(13, 0, day=24), ny(13, 0, day=24)),  # early close (day after Thanksgiving)
    ],
)
def test_forward_window_end_is_capped_at_the_close(at: datetime, close: datetime, end: datetime) -> None:
    assert forward_window_end(at, close, FOUR_HOURS) == end


@given(
    st.integers(min_value=0, max_value=389),
    st.sampled_from([ny(16), ny(13, 0, day=24)]),
    st.integers(min_value=1, max_value=8 * 60),
)
def test_forward_window_never_passes_the_close_nor_the_horizon(
    minutes_after_open: int, close: datetime, horizon_minutes: int
) -> None:
    at = close.replace(hour=9, minute=30) + timedelta(minutes=minutes_after_open)
    horizon = timedelta(minutes=horizon_minutes)
    end = forward_window_end(at, close, horizon)
    assert end <= close
    assert end - at <= horizon
    # It is one of the two bounds: the horizon, or the close when the horizon reaches past it.
    assert end == (close if at + horizon >= close else at + horizon)


@pytest.mark.parametrize(
    ("close", "first_end", "last_start"),
    [(ny(16), ny(10), ny(15, 30)), (ny(13, 0, day=24), ny(10, 0, day=24), ny(12, 30, day=24))],
)
def test_momentum_window(close: datetime, first_end: datetime, last_start: datetime) -> None:
    window = momentum_window(close.replace(hour=9, minute=30), close)
    assert (window.first_end, window.last_start, window.close) == (first_end, last_start, close)


@pytest.mark.parametrize(
    ("starts", "span"),
    [
        ([], None),
        ([0], (BAR_LENGTH_NS, BAR_LENGTH_NS)),
        # A bar prices the instant it ends: the first here ends at 2 minutes, the last at 11.
        ([600 * 10**9, 60 * 10**9, 300 * 10**9], (2 * BAR_LENGTH_NS, 11 * BAR_LENGTH_NS)),
    ],
)
def test_bar_span(starts: list[int], span: tuple[int, int] | None) -> None:
    assert bar_span_ns(np.array(starts, dtype=np.int64)) == span


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ([100.0, 50.0], [101.0, 45.0], [1.0, -10.0]),
        ([NAN, 10.0, 0.0], [10.0, NAN, 10.0], [NAN, NAN, NAN]),  # missing or non-positive: no return
    ],
)
def test_returns_pct(start: list[float], end: list[float], expected: list[float]) -> None:
    got = returns_pct(np.array(start), np.array(end))
    np.testing.assert_allclose(got, expected, equal_nan=True)


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        ([1000.0, 0.0], [1500.0, 200.0], [500.0, 200.0]),
        ([NAN], [300.0], [300.0]),  # had not traded by the start: everything since counts
        ([300.0], [NAN], [NAN]),  # gone by the end: unknown
        ([300.0], [250.0], [0.0]),  # cumulative volume never falls; a lower figure is no negative trade
    ],
)
def test_window_volume(before: list[float], after: list[float], expected: list[float]) -> None:
    got = window_volume(np.array(before), np.array(after))
    np.testing.assert_allclose(got, expected, equal_nan=True)


def test_half_hour_returns() -> None:
    first, last = half_hour_returns_pct(
        np.array([100.0, 20.0]), np.array([102.0, 19.0]), np.array([104.0, 19.5]), np.array([103.48, 19.89])
    )
    np.testing.assert_allclose(first, [2.0, -5.0])
    np.testing.assert_allclose(last, [-0.5, 2.0])


def test_momentum_stats_by_hand() -> None:
    # 3 sessions x 2 sectors. Calls (first's sign) against outcomes (last's sign):
    # (+,+) hit, (-,+) miss | (+,-) miss, (-,-) hit | (0: no call), (+,+) hit -> 3 of 5.
    first = np.array([[0.5, -0.2], [0.1, -0.3], [0.0, 0.4]])
    last = np.array([[0.1, 0.2], [-0.1, -0.2], [0.3, 0.5]])
    stats = momentum_stats(first, last, seed=1, resamples=200)
    assert (stats.first_half_hour_sign.hits, stats.first_half_hour_sign.total) == (3, 5)
    # Always up: last > 0 in 4 of the 6 cells.
    assert (stats.always_up.hits, stats.always_up.total) == (4, 6)
    # After a rising first half hour (0.5, 0.1, 0.4): last 0.1, -0.1, 0.5.
    assert stats.mean_last_after_up.count == 3
    assert stats.mean_last_after_up.mean_pct == pytest.approx(0.5 / 3)
    assert stats.mean_last_after_down.mean_pct == pytest.approx(0.0)
    wilson = stats.first_half_hour_sign.wilson
    assert wilson.low is not None and wilson.high is not None
    assert wilson.low <= 0.6 <= wilson.high


@given(
    st.lists(
        st.tuples(
            st.floats(min_value=-5, max_value=5, allow_nan=False),
            st.floats(min_value=-5, max_value=5, allow_nan=False),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_momentum_hits_and_contrarian_hits_add_up_to_the_calls(pairs: list[tuple[float, float]]) -> None:
    first = np.array([[pair[0]] for pair in pairs])
    last = np.array([[pair[1]] for pair in pairs])
    follow = momentum_stats(first, last, seed=3, resamples=50).first_half_hour_sign
    against = momentum_stats(-first, last, seed=3, resamples=50).first_half_hour_sign
    # Every cell with a call and an outcome is a hit of exactly one of the two.
    assert follow.total == against.total == int(((first != 0) & (last != 0)).sum())
    assert follow.hits + against.hits == follow.total
