"""The backtest runner's pieces: which sessions can be scored, and the sectors' forward returns."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import cast

import numpy as np
import pytest

from sectorlights.analytics.variants import WINDOW
from sectorlights.domain.market import DailyBars
from sectorlights.domain.results import AnalysisResult
from sectorlights.domain.sessions import next_session, previous_sessions
from sectorlights.domain.vocabulary import Sector
from sectorlights.engine.backtest import eligible_sessions, member_returns_pct, sector_means
from sectorlights.engine.backtest_variants import (
    LONGEST_LOOKBACK_SESSIONS,
    lookback_bars,
    variants_for_session,
    window_closes,
)
from sectorlights.engine.frame_builder import DailyBarsCache
from sectorlights.providers.base import MarketDataProvider
from sectorlights.settings import EngineSettings
from tests.samples import members as sample_members


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


class CountingBars:
    """A provider's daily bars only, counting the sessions it is asked for."""

    name = "counting"

    def __init__(self) -> None:
        self.asked: list[date] = []

    def daily_bars(self, sessions: Sequence[date]) -> list[DailyBars]:
        self.asked.extend(sessions)
        return [bars(session, {"AAA": float(session.day)}) for session in sessions]


def test_the_engine_history_always_reaches_the_variants_lookback() -> None:
    lowest = min(
        meta.ge for meta in EngineSettings.model_fields["history_sessions"].metadata if hasattr(meta, "ge")
    )
    assert lowest >= LONGEST_LOOKBACK_SESSIONS == -min(WINDOW)
    assert EngineSettings().history_sessions >= LONGEST_LOOKBACK_SESSIONS


def test_lookback_bars_come_from_the_cache_21_and_5_sessions_back() -> None:
    session = date(2017, 11, 9)
    provider = CountingBars()
    cache = DailyBarsCache(max_sessions=40)
    history = previous_sessions(session, 25)
    cache.fetch(cast(MarketDataProvider, provider), history)
    got = lookback_bars(cast(MarketDataProvider, provider), cache, session)
    assert [day.session for day in got] == [date(2017, 10, 11), date(2017, 11, 2)]
    assert [day.session for day in got] == [history[-21], history[-5]]
    # Both were already read with the history: nothing new is asked for.
    assert provider.asked == history


def result_with(members: dict[str, Sector]) -> AnalysisResult:
    template = sample_members()[0]
    return AnalysisResult(
        as_of=datetime(2017, 11, 9, 20, tzinfo=UTC),
        current_session=date(2017, 11, 9),
        benchmark_symbol="IWM",
        benchmark_returns_pct={},
        sectors=[],
        funnel=[],
        members=[
            template.model_copy(update={"symbol": symbol, "sector": sector})
            for symbol, sector in members.items()
        ],
    )


def test_window_closes_follow_the_symbols_order_with_nan_for_missing_rows() -> None:
    days = [bars(date(2017, 11, 8), {"AAA": 1.0, "BBB": 2.0}), bars(date(2017, 11, 9), {"BBB": 3.0})]
    got = window_closes(["BBB", "AAA", "ZZZ"], days)
    np.testing.assert_allclose(got, [[2.0, 3.0], [1.0, math.nan], [math.nan, math.nan]])
    assert window_closes([], days).shape == (0, 2)


def test_variants_for_session_reads_the_members_and_iwm() -> None:
    result = result_with({"AAA": Sector.ENERGY, "BBB": Sector.ENERGY, "CCC": Sector.UTILITIES})
    # Closes 21 and 5 sessions back, the day before, the session, the next session.
    closes = {
        "AAA": [50.0, 80.0, 100.0, 110.0, 99.0],
        "BBB": [100.0, 100.0, 100.0, 100.0, 100.0],
        "IWM": [100.0, 100.0, 100.0, 100.0, 102.0],
    }
    days = [
        bars(datetime(2017, 11, 1 + index, tzinfo=UTC).date(), {k: v[index] for k, v in closes.items()})
        for index in range(len(WINDOW))
    ]
    got = variants_for_session(result, days)
    assert got is not None
    energy, utilities = 2, 7
    assert got.breadth_share[energy] == pytest.approx(0.5)
    assert got.momentum_1w_pct[energy] == pytest.approx((37.5 + 0.0) / 2)
    assert got.momentum_1m_pct[energy] == pytest.approx((120.0 + 0.0) / 2)
    assert got.relative_strength_1d_pct[energy] == pytest.approx(5.0)
    assert got.benchmark_next_pct == pytest.approx(2.0)
    # CCC has no bars: utilities has no predictor.
    assert math.isnan(got.momentum_1w_pct[utilities])
    assert variants_for_session(result, days[1:]) is None
