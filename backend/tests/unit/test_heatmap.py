"""The member heatmap built from stored universe rows and a grid: sizes, changes, order, omissions."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sectorlights.domain.heatmap import HeatmapSize
from sectorlights.domain.vocabulary import Timeframe
from sectorlights.engine.heatmap import build_heatmap


def card(sector: str, return_1d: float | None, reason: str | None = None) -> dict[str, Any]:
    result = {"return_pct": return_1d, "missing_reason": reason}
    return {
        "sector": sector,
        "label": sector.title(),
        "color": "light_red",
        "signal": "GOOD_SHORTING_ENVIRONMENT",
        "timeframes": {"1d": result, "30m": {"return_pct": None, "missing_reason": "market closed"}},
    }


GRID = {
    "run_id": "r1",
    "as_of": "2026-11-24T11:37:00+00:00",
    "sectors": [card("energy", -1.5), card("technology", 2.0)],
}


def row(
    symbol: str, sector: str, cap: float, float_shares: float | None, change_1d: float | None
) -> dict[str, Any]:
    return {
        "symbol": symbol,
        "name": f"{symbol} Inc",
        "sector": sector,
        "market_cap": cap,
        "float_shares": float_shares,
        "change_30m_pct": None,
        "change_1d_pct": change_1d,
        "change_3d_pct": 4.0,
        "change_1w_pct": -3.0,
    }


ROWS = [
    row("AAA", "energy", 100e6, 50e6, 3.0),
    row("BBB", "energy", 900e6, None, -2.0),
    row("CCC", "technology", 500e6, 80e6, float("nan")),
    row("DDD", "technology", 200e6, 0.0, 1.0),
    row("ZZZ", "crypto", 5e9, 1e9, 9.0),
]


@pytest.mark.parametrize(
    ("size_by", "timeframe", "expected"),
    [
        # (sector, [(symbol, size, change)]) largest total first, members largest first, unknown last
        (
            HeatmapSize.MARKET_CAP,
            Timeframe.DAY_1,
            [
                ("energy", [("BBB", 900e6, -2.0), ("AAA", 100e6, 3.0)]),
                ("technology", [("CCC", 500e6, None), ("DDD", 200e6, 1.0)]),
            ],
        ),
        (
            HeatmapSize.FLOAT,
            Timeframe.DAY_1,
            # A zero float is as unknown as a missing one: it cannot be drawn.
            [
                ("technology", [("CCC", 80e6, None), ("DDD", None, 1.0)]),
                ("energy", [("AAA", 50e6, 3.0), ("BBB", None, -2.0)]),
            ],
        ),
        (
            HeatmapSize.MARKET_CAP,
            Timeframe.WEEK_1,
            [
                ("energy", [("BBB", 900e6, -3.0), ("AAA", 100e6, -3.0)]),
                ("technology", [("CCC", 500e6, -3.0), ("DDD", 200e6, -3.0)]),
            ],
        ),
    ],
)
def test_members_are_sized_coloured_and_ordered(
    size_by: HeatmapSize,
    timeframe: Timeframe,
    expected: list[tuple[str, list[tuple[str, float | None, float | None]]]],
) -> None:
    heatmap = build_heatmap(GRID, ROWS, timeframe, size_by)
    got = [
        (s.sector.value, [(m.symbol, m.size_value, m.change_pct) for m in s.members]) for s in heatmap.sectors
    ]
    assert got == expected
    # The member of a sector the grid has no card for is not drawn.
    assert heatmap.member_count == 4
    assert heatmap.unsized_count == sum(1 for _s, members in expected for m in members if m[1] is None)


def test_a_sector_carries_its_cards_figures_and_reason() -> None:
    day = build_heatmap(GRID, ROWS, Timeframe.DAY_1, HeatmapSize.MARKET_CAP)
    energy = next(s for s in day.sectors if s.sector.value == "energy")
    assert (energy.change_pct, energy.color, energy.size_total) == (-1.5, "light_red", 1e9)
    half_hour = build_heatmap(GRID, ROWS, Timeframe.MIN_30, HeatmapSize.MARKET_CAP)
    assert all(s.change_pct is None and s.missing_reason == "market closed" for s in half_hour.sectors)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["energy", "technology"]),
            st.floats(min_value=1e7, max_value=2e9),
            st.one_of(st.none(), st.floats(min_value=0, max_value=1e9)),
        ),
        max_size=30,
    )
)
def test_totals_add_up_and_every_member_is_drawn_once(members: list[tuple[str, float, float | None]]) -> None:
    rows = [row(f"S{i}", sector, cap, free, 1.0) for i, (sector, cap, free) in enumerate(members)]
    heatmap = build_heatmap(GRID, rows, Timeframe.DAY_1, HeatmapSize.FLOAT)
    drawn = sorted(m.symbol for s in heatmap.sectors for m in s.members)
    assert drawn == sorted(r["symbol"] for r in rows)
    for sector in heatmap.sectors:
        assert math.isclose(sector.size_total, sum(m.size_value or 0 for m in sector.members))
        assert all(m.size_value is None or m.size_value > 0 for m in sector.members)
