"""The shorting study on hand-computed candidates: flags, next-session outcomes, squeezes, group
figures and their intervals, the comparison with neutral, and the intraday entry on minute bars."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sectorlights.analytics.intervals import wilson_interval
from sectorlights.analytics.shorting import (
    KINDS,
    NEUTRAL,
    NO_COLOUR,
    Candidates,
    candidate_flags,
    group_stats,
    interval_side,
    intraday_short_entries,
    short_outcomes,
    shorting_stats,
)
from sectorlights.domain.vocabulary import COLORS, Color

NAN = math.nan
NEUTRAL_CODE = COLORS.index(Color.BLUE_NEUTRAL)
DARK_GREEN = COLORS.index(Color.DARK_GREEN)


def candidates(
    rows: list[tuple[int, int, tuple[float, float, float, float]]],
    kinds: list[list[bool]] | None = None,
    levels: list[int] | None = None,
) -> Candidates:
    """Rows of (session, colour code, (close, next open, next high, next close)), all in sector 0."""
    prices = np.array([row[2] for row in rows], dtype=np.float64).reshape(-1, 4)
    size = len(rows)
    return Candidates(
        session_index=np.array([row[0] for row in rows], dtype=np.int64),
        sector=np.zeros(size, dtype=np.int64),
        color=np.array([row[1] for row in rows], dtype=np.int64),
        kinds=np.array(kinds if kinds is not None else [[False, False, True, False]] * size, dtype=np.bool_),
        close=prices[:, 0],
        next_open=prices[:, 1],
        next_high=prices[:, 2],
        next_close=prices[:, 3],
        intraday_pct=np.full(size, NAN),
        intraday_excursion_pct=np.full(size, NAN),
        squeeze_level=np.array(levels if levels is not None else [-1] * size, dtype=np.int64),
        volatility_ratio=np.full(size, NAN),
    )


@pytest.mark.parametrize(
    ("previous_close", "open_price", "close", "runner", "gapper"),
    [
        (10.0, 10.5, 11.0, True, True),  # +10 % day, +5 % gap: both, at the thresholds
        (10.0, 10.4, 10.9, False, False),  # +9 % day, +4 % gap
        (10.0, 9.0, 12.0, True, False),  # gapped down, ran +20 %
        (10.0, 11.0, 10.0, False, True),  # gapped +10 %, closed flat
        (NAN, 11.0, 12.0, False, False),  # no previous close: nothing to measure against
        (0.0, 11.0, 12.0, False, False),
    ],
)
def test_candidate_flags(
    previous_close: float, open_price: float, close: float, runner: bool, gapper: bool
) -> None:
    flags = candidate_flags(np.array([previous_close]), np.array([open_price]), np.array([close]))
    assert (bool(flags[0][0]), bool(flags[1][0])) == (runner, gapper)


@pytest.mark.parametrize(
    ("prices", "open_to_close", "close_to_close", "excursion", "squeezed"),
    [
        ((10.0, 11.0, 12.21, 10.45), -5.0, 4.5, 11.0, True),  # gapped up, squeezed 11 %, faded
        ((10.0, 10.0, 10.99, 10.5), 5.0, 5.0, 9.9, False),  # just short of a squeeze
        ((20.0, 16.0, 16.0, 12.0), -25.0, -40.0, 0.0, False),  # high at the open: no adverse move
        ((10.0, 10.0, 20.0, 19.0), 90.0, 90.0, 100.0, True),
    ],
)
def test_short_outcomes(
    prices: tuple[float, float, float, float],
    open_to_close: float,
    close_to_close: float,
    excursion: float,
    squeezed: bool,
) -> None:
    outcome = short_outcomes(candidates([(0, NEUTRAL_CODE, prices)]))
    assert outcome.valid[0]
    assert outcome.open_to_close_pct[0] == pytest.approx(open_to_close)
    assert outcome.close_to_close_pct[0] == pytest.approx(close_to_close)
    assert outcome.adverse_excursion_pct[0] == pytest.approx(excursion)
    assert bool(outcome.squeezed[0]) is squeezed


@pytest.mark.parametrize(
    "prices", [(NAN, 10.0, 11.0, 10.0), (10.0, 0.0, 11.0, 10.0), (10.0, 10.0, NAN, 10.0)]
)
def test_a_missing_price_leaves_the_row_out(prices: tuple[float, float, float, float]) -> None:
    outcome = short_outcomes(candidates([(0, NEUTRAL_CODE, prices)]))
    assert not outcome.valid[0] and not outcome.squeezed[0]
    assert math.isnan(outcome.open_to_close_pct[0])


def test_group_figures_by_hand() -> None:
    rows = candidates(
        [
            (0, NEUTRAL_CODE, (10.0, 10.0, 11.0, 9.0)),  # o->c -10, c->c -10, excursion 10: squeezed
            (0, NEUTRAL_CODE, (10.0, 10.0, 10.5, 10.2)),  # +2, +2, 5: closed up
            (1, NEUTRAL_CODE, (10.0, 12.0, 12.0, 12.6)),  # +5, +26, 0: closed up
            (1, NEUTRAL_CODE, (NAN, 12.0, 12.0, 12.6)),  # no close: left out
        ]
    )
    stats = group_stats(rows, short_outcomes(rows), np.ones(4, dtype=np.bool_), 2, seed=3)
    assert stats.count == 3
    assert stats.open_to_close.mean_pct == pytest.approx((-10 + 2 + 5) / 3)
    assert stats.close_to_close.mean_pct == pytest.approx((-10 + 2 + 26) / 3)
    assert stats.adverse_excursion.mean_pct == pytest.approx(5.0)
    assert (stats.squeezed.hits, stats.squeezed.total) == (1, 3)
    assert (stats.closed_up.hits, stats.closed_up.total) == (2, 3)
    assert stats.squeezed.wilson == wilson_interval(1, 3)
    assert stats.sessions == 2
    # Two sessions resampled whole: session 0's pair (-4 mean, 1 of 2 squeezed) or session 1's row.
    low, high = stats.open_to_close.bootstrap.low, stats.open_to_close.bootstrap.high
    assert low is not None and high is not None
    assert -4.0 - 1e-9 <= low <= high <= 5.0 + 1e-9
    squeeze = stats.squeezed.bootstrap
    assert squeeze.low == pytest.approx(0.0) and squeeze.high == pytest.approx(0.5)


def test_an_empty_group_has_no_figures() -> None:
    rows = candidates([(0, NEUTRAL_CODE, (10.0, 10.0, 11.0, 9.0))])
    stats = group_stats(rows, short_outcomes(rows), np.zeros(1, dtype=np.bool_), 1, seed=3)
    assert stats.count == 0 and stats.squeezed.rate is None and stats.open_to_close.mean_pct is None


@pytest.mark.parametrize(
    ("interval", "reference", "side"),
    [
        ((0.2, 0.3), (0.1, 0.15), 1),
        ((0.0, 0.1), (0.15, 0.2), -1),
        ((0.1, 0.2), (0.15, 0.3), 0),
        ((None, None), (0.1, 0.2), 0),
    ],
)
def test_interval_side(
    interval: tuple[float | None, float | None], reference: tuple[float, float], side: int
) -> None:
    from sectorlights.analytics.intervals import Interval

    assert interval_side(Interval(*interval), Interval(*reference)) == side


def test_a_colour_that_squeezes_every_session_is_measured_above_neutral() -> None:
    rows = []
    for session in range(60):
        rows.append((session, DARK_GREEN, (10.0, 10.0, 12.0, 11.0)))  # squeezed, closed up
        rows.append((session, NEUTRAL_CODE, (10.0, 10.0, 10.2, 9.5)))  # neither
    stats = shorting_stats(candidates(rows), 60, seed=3)
    versus = stats.versus_neutral["runner"]
    assert versus[Color.DARK_GREEN.value] == {"squeeze": "above", "open_to_close": "above"}
    assert versus[Color.LIGHT_RED.value] == {"squeeze": "too_few", "open_to_close": "too_few"}
    # The same split over fewer sessions than the floor is not compared.
    few = shorting_stats(candidates([row for row in rows if row[0] < 49]), 60, seed=3)
    assert few.versus_neutral["runner"][Color.DARK_GREEN.value]["squeeze"] == "too_few"
    assert stats.by_color["top_bearish"][NEUTRAL].count == 0
    assert stats.by_color["runner"][NO_COLOUR].count == 0
    assert stats.by_sector["runner"]["technology"].count == 120
    assert stats.by_color["runner"][NEUTRAL].sessions == 60
    assert stats.intraday_rows == 0


def test_squeeze_risk_groups_by_hand_and_against_normal() -> None:
    """60 sessions: a high-risk candidate squeezed on 30 of them, a normal one on none, a low one on
    6, and an unmeasured one on every session; the high level is measured above normal."""
    rows, levels = [], []
    for session in range(60):
        high_next = 11.5 if session % 2 == 0 else 10.5
        low_next = 11.0 if session % 10 == 0 else 10.2
        for level, price in ((2, high_next), (1, 10.1), (0, low_next), (-1, 12.0)):
            rows.append((session, NEUTRAL_CODE, (10.0, 10.0, price, 10.0)))
            levels.append(level)
    stats = shorting_stats(candidates(rows, levels=levels), 60, seed=5, resamples=400)
    risk = stats.by_squeeze_risk["runner"]
    assert [risk[level].count for level in ("low", "normal", "high", "unmeasured")] == [60, 60, 60, 60]
    assert risk["high"].squeezed.rate == pytest.approx(0.5)
    assert risk["normal"].squeezed.rate == 0.0
    assert risk["low"].squeezed.rate == pytest.approx(0.1)
    assert risk["unmeasured"].squeezed.rate == 1.0
    assert risk["high"].adverse_excursion.mean_pct == pytest.approx((15.0 + 5.0) / 2)
    versus = stats.squeeze_risk_versus_normal["runner"]
    assert versus["high"]["squeeze"] == "above"
    assert "normal" not in versus
    by_colour = stats.by_color_and_squeeze_risk[NEUTRAL]
    assert set(by_colour) == {"low", "normal", "high"}
    assert by_colour["high"].squeezed.hits == 30
    assert stats.by_color_and_squeeze_risk[Color.DARK_RED.value]["high"].count == 0


def test_intraday_entry_after_fifteen_minutes_held_four_hours() -> None:
    # Candidate 0: bars at 09:30 (before the entry), 09:45 (entry at its open, 11), 10:00 (the high,
    # 13), 13:44 (the last bar of the hold: exit at its close, 10) and 13:45 (after 4 hours: out).
    # Candidate 1: only a 09:30 bar, so no entry. Candidate 2: enters at 15:00, the close caps the hold.
    owner = np.array([0, 0, 0, 0, 0, 1, 2, 2], dtype=np.int64)
    minute = np.array([570, 585, 600, 824, 825, 570, 900, 959], dtype=np.int64)
    opens = np.array([10.0, 11.0, 12.0, 10.5, 9.0, 5.0, 20.0, 19.0])
    highs = np.array([30.0, 11.5, 13.0, 10.6, 40.0, 5.0, 21.0, 19.5])
    closes = np.array([10.0, 11.5, 12.5, 10.0, 9.0, 5.0, 20.5, 18.0])
    returns, excursion = intraday_short_entries(owner, minute, opens, highs, closes, 3)
    assert returns[0] == pytest.approx((10.0 / 11.0 - 1) * 100)
    assert excursion[0] == pytest.approx((13.0 / 11.0 - 1) * 100)
    assert math.isnan(returns[1]) and math.isnan(excursion[1])
    assert returns[2] == pytest.approx(-10.0) and excursion[2] == pytest.approx(5.0)
    # An early close at 13:00 (minute 780) ends candidate 0's hold before its 13:44 bar.
    early, _ = intraday_short_entries(owner, minute, opens, highs, closes, 3, session_close_minute=780)
    assert early[0] == pytest.approx((12.5 / 11.0 - 1) * 100)


prices = st.floats(min_value=0.5, max_value=200.0, allow_nan=False)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 4), st.sampled_from([-1, *range(len(COLORS))]), prices, prices, prices, prices
        ),
        min_size=1,
        max_size=30,
    )
)
def test_colour_groups_partition_the_candidates(
    rows: list[tuple[int, int, float, float, float, float]],
) -> None:
    table = candidates(
        [
            (session, color, (close, nopen, max(nopen, high), nclose))
            for session, color, close, nopen, high, nclose in rows
        ],
        kinds=[[True] * len(KINDS)] * len(rows),
    )
    stats = shorting_stats(table, 5, seed=1, resamples=50)
    groups = stats.by_color["any"].values()
    assert sum(group.count for group in groups) == len(rows)
    assert sum(group.squeezed.hits for group in groups) == int(short_outcomes(table).squeezed.sum())
    for group in groups:
        if group.count:
            rate, wilson = group.squeezed.rate, group.squeezed.wilson
            assert rate is not None and wilson.low is not None and wilson.high is not None
            assert wilson.low <= rate <= wilson.high
            assert group.adverse_excursion.mean_pct is not None and group.adverse_excursion.mean_pct >= 0


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(560, 970), prices), min_size=1, max_size=40))
def test_an_intraday_entry_exists_exactly_when_a_bar_starts_in_the_session_after_fifteen_minutes(
    bars: list[tuple[int, float]],
) -> None:
    minute = np.array([bar[0] for bar in bars], dtype=np.int64)
    price = np.array([bar[1] for bar in bars])
    returns, excursion = intraday_short_entries(
        np.zeros(len(bars), dtype=np.int64), minute, price, price, price, 1
    )
    enterable = bool(((minute >= 585) & (minute < 960)).any())
    assert math.isfinite(returns[0]) is enterable
    if enterable:
        assert excursion[0] >= -1e-9
