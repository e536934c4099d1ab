"""The backtest runner's pieces: which sessions can be scored, and the sectors' forward returns."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest

from sectorlights.domain.market import DailyBars
from sectorlights.domain.sessions import next_session, previous_sessions
from sectorlights.engine.backtest import eligible_sessions, member_returns_pct, sector_means


def bars(session: date, closes: dict[str, float], volumes: dict[str, float] | None = None) -> DailyBars:
    symbols = sorted(closes)
    close = np.array([closes[symbol] for symbol in symbols])
    volume = np.array([(volumes or {}).get(symbol, 1.0) for symbol in symbols])
    return DailyBars(session, np.array(symbols, dtype=np.str_), close, close, close, close, volume)


def test_eligible_sessions_need_history_and_the_next_session() -> None:
    last = date(2017, 11, 10)
    imported = [*previous_sessions(last, 6), last]
    chosen, skipped = eligible_sessions(imported, date(2017, 1, 1), date(2017, 12, 31), history_sessions=3)
    # The 4th, 5th and 6th imported sessions have 3 prior sessions; the last has no next session.
    assert chosen == imported[3:6]
    assert skipped[last.isoformat()] == f"next session {next_session(last).isoformat()} not imported"
    assert skipped[imported[0].isoformat()] == "3 of the 3 prior sessions not imported"
    assert len(skipped) == 4


def test_member_returns_follow_the_members_order_and_miss_as_nan() -> None:
    before = bars(date(2017, 11, 9), {"AAA": 10.0, "BBB": 20.0, "CCC": 5.0})
    after = bars(date(2017, 11, 10), {"AAA": 11.0, "BBB": 19.0}, {"AAA": 300.0, "BBB": 100.0})
    change, volume = member_returns_pct(["BBB", "AAA", "CCC"], before, after)
    assert change[:2].tolist() == pytest.approx([-5.0, 10.0])
    assert math.isnan(change[2])
    assert volume[:2].tolist() == [100.0, 300.0]


@pytest.mark.parametrize(
    ("sectors", "change", "volume", "equal", "weighted"),
    [
        # Sector 0: +10 (volume 300) and -5 (volume 100): equal 2.5, weighted (3000 - 500) / 400.
        ([0, 0], [10.0, -5.0], [300.0, 100.0], 2.5, 6.25),
        # A member without a return is left out of both means.
        ([0, 0], [4.0, math.nan], [1.0, 1.0], 4.0, 4.0),
    ],
)
def test_sector_means(
    sectors: list[int], change: list[float], volume: list[float], equal: float, weighted: float
) -> None:
    got_equal, got_weighted = sector_means(sectors, np.array(change), np.array(volume))
    assert got_equal[0] == pytest.approx(equal)
    assert got_weighted[0] == pytest.approx(weighted)
    assert np.isnan(got_equal[1:]).all()
