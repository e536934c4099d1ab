"""Picking one session's short candidates from a grid and three days of bars, by hand."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from sectorlights.analytics.shorting import KINDS
from sectorlights.domain.market import DailyBars
from sectorlights.domain.results import AnalysisResult, TopStock
from sectorlights.domain.vocabulary import COLORS, SECTORS, Color
from sectorlights.engine.backtest_shorting import session_candidates
from tests.samples import AS_OF, members, sector_results


def bars(session: date, rows: dict[str, tuple[float, float, float]]) -> DailyBars:
    """(open, high, close) per symbol; low and volume do not matter here."""
    symbols = sorted(rows)
    values = np.array([rows[symbol] for symbol in symbols], dtype=np.float64).reshape(-1, 3)
    return DailyBars(
        session=session,
        symbols=np.array(symbols, dtype=np.str_),
        open=values[:, 0],
        high=values[:, 1],
        low=values[:, 0] * 0.9,
        close=values[:, 2],
        volume=np.full(len(symbols), 1e6),
    )


def test_the_grids_names_runners_and_gappers_are_the_candidates() -> None:
    template = members()[0]
    universe = [
        template.model_copy(update={"symbol": symbol, "sector": SECTORS[sector]})
        for symbol, sector in (("SOUN", 0), ("RUN", 1), ("GAP", 1), ("FLAT", 2), ("BEAR", 2))
    ]
    cards = sector_results()  # every card dark green, SOUN its top bullish name
    bear = TopStock(symbol="BEAR", name="Bear Co", change_pct=-6.0, relative_volume=1.0, rank_score=1.0)
    cards[2] = cards[2].model_copy(update={"top_bullish": [], "top_bearish": [bear]})
    result = AnalysisResult(
        as_of=AS_OF,
        current_session=date(2026, 11, 24),
        benchmark_symbol="IWM",
        benchmark_returns_pct={},
        sectors=cards,
        funnel=[],
        members=universe,
    )
    before = bars(
        date(2026, 11, 23), dict.fromkeys(("SOUN", "RUN", "GAP", "FLAT", "BEAR"), (10.0, 10.0, 10.0))
    )
    day = bars(
        date(2026, 11, 24),
        {
            "SOUN": (10.0, 10.5, 10.2),
            "RUN": (10.2, 11.5, 11.0),  # closed +10 %: a runner, at the threshold
            "GAP": (10.5, 10.6, 10.0),  # opened +5 %, closed flat: a gapper
            "FLAT": (10.4, 10.9, 10.9),  # +4 % open, +9 % close: neither
            "BEAR": (9.5, 9.6, 9.4),
        },
    )
    after = bars(
        date(2026, 11, 25),
        {
            "SOUN": (10.0, 11.0, 9.5),  # high +10 % over the open: squeezed
            "RUN": (11.0, 11.2, 10.45),
            "GAP": (10.0, 10.1, 10.0),
            "FLAT": (11.0, 11.0, 11.0),
            "BEAR": (9.4, 9.5, 9.0),
        },
    )
    colors = np.full(len(SECTORS), COLORS.index(Color.DARK_GREEN), dtype=np.int64)
    shown = np.ones(len(SECTORS), dtype=np.bool_)
    shown[2] = False  # "Insufficient data": no colour shown for BEAR's sector
    levels = np.array([2, 0, -1, 1, 1, 1, 1, 1], dtype=np.int64)  # BEAR's sector unmeasured
    ratios = np.array([1.4, 0.8, np.nan, 1.0, 1.0, 1.0, 1.0, 1.0])
    candidates, symbols = session_candidates(result, 7, (before, day, after), colors, shown, (levels, ratios))

    assert symbols.tolist() == ["BEAR", "GAP", "RUN", "SOUN"]
    kinds = {
        str(symbol): dict(zip(KINDS, row.tolist(), strict=True))
        for symbol, row in zip(symbols, candidates.kinds, strict=True)
    }
    assert [k for k, on in kinds["SOUN"].items() if on] == ["top_bullish"]
    assert [k for k, on in kinds["BEAR"].items() if on] == ["top_bearish"]
    assert [k for k, on in kinds["RUN"].items() if on] == ["runner"]
    assert [k for k, on in kinds["GAP"].items() if on] == ["gapper"]
    assert candidates.session_index.tolist() == [7] * 4
    assert candidates.sector.tolist() == [2, 1, 1, 0]
    dark_green = COLORS.index(Color.DARK_GREEN)
    assert candidates.color.tolist() == [-1, dark_green, dark_green, dark_green]
    assert candidates.close.tolist() == [9.4, 10.0, 11.0, 10.2]
    assert candidates.next_open.tolist() == [9.4, 10.0, 11.0, 10.0]
    assert candidates.next_high.tolist() == [9.5, 10.1, 11.2, 11.0]
    assert candidates.next_close.tolist() == [9.0, 10.0, 10.45, 9.5]
    assert candidates.squeeze_level.tolist() == [-1, 0, 0, 2]
    assert candidates.volatility_ratio[1:].tolist() == pytest.approx([0.8, 0.8, 1.4])
    assert np.isnan(candidates.intraday_pct).all()
