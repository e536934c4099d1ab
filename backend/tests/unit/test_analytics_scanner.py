"""The gap and mover scanner's ranking and filters (analytics/scanner.py): tables of cases and
properties over random tables."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sectorlights.analytics.scanner import ScannerColumns, admitted, dollar_volume, gap_pct, scan, sort_key
from sectorlights.domain.trader_views import ScannerSort

NAN = float("nan")
INF = float("inf")


@pytest.mark.parametrize(
    ("price", "close", "expected"),
    [
        pytest.param(13.82, 10.0, 38.2, id="up 38.2%"),
        pytest.param(8.0, 10.0, -20.0, id="down 20%"),
        pytest.param(10.0, 10.0, 0.0, id="unchanged"),
        pytest.param(NAN, 10.0, None, id="no price"),
        pytest.param(10.0, NAN, None, id="no previous close"),
        pytest.param(10.0, 0.0, None, id="zero previous close"),
        pytest.param(0.0, 10.0, None, id="zero price is no -100% gap"),
        pytest.param(-1.0, 10.0, None, id="negative price"),
        pytest.param(INF, 10.0, None, id="infinite price"),
    ],
)
def test_gap_pct_table(price: float, close: float, expected: float | None) -> None:
    [gap] = gap_pct(np.array([price]), np.array([close])).tolist()
    if expected is None:
        assert math.isnan(gap)
    else:
        assert gap == pytest.approx(expected)


@pytest.mark.parametrize(
    ("price", "volume", "expected"),
    [(12.5, 1000.0, 12_500.0), (12.5, 0.0, 0.0), (NAN, 1000.0, None), (12.5, NAN, None), (12.5, -1.0, None)],
)
def test_dollar_volume_table(price: float, volume: float, expected: float | None) -> None:
    [value] = dollar_volume(np.array([price]), np.array([volume])).tolist()
    assert (math.isnan(value) and expected is None) or value == expected


# Five stocks: A +40 %, B -35 %, C +5 %, D unknown gap, E -5 %.
TABLE = ScannerColumns(
    gap_pct=np.array([40.0, -35.0, 5.0, NAN, -5.0]),
    dollar_volume=np.array([2e6, 5e6, NAN, 1e6, 3e5]),
    relative_volume=np.array([50.0, NAN, 1.2, 0.8, 3.0]),
    volume=np.array([1e5, 4e5, NAN, 2e5, 6e4]),
    sector_index=np.array([0, 1, 0, 0, 1], dtype=np.int64),
)
NAMES = "ABCDE"


def shown(**kwargs: object) -> str:
    result = scan(TABLE, limit=kwargs.pop("limit", 10), **kwargs)  # type: ignore[arg-type]
    return "".join(NAMES[row] for row in result.rows.tolist())


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        pytest.param({}, "ABCED", id="largest absolute gap first, unknown last"),
        pytest.param({"sort": ScannerSort.GAP_UP}, "ACEBD", id="gap up"),
        pytest.param({"sort": ScannerSort.GAP_DOWN}, "BECAD", id="gap down"),
        pytest.param({"sort": ScannerSort.DOLLAR_VOLUME}, "BADEC", id="dollar volume"),
        pytest.param({"sort": ScannerSort.RELATIVE_VOLUME}, "AECDB", id="relative volume"),
        pytest.param({"sort": ScannerSort.VOLUME}, "BDAEC", id="volume"),
        pytest.param({"min_gap_pct": 5.0}, "ABCE", id="min gap is absolute and inclusive"),
        pytest.param({"min_gap_pct": 35.0}, "AB", id="min gap 35"),
        pytest.param({"min_dollar_volume": 1e6}, "ABD", id="min dollar volume drops unknown"),
        pytest.param({"sector_index": 1}, "BE", id="one sector"),
        pytest.param({"sector_index": 5}, "", id="an empty sector"),
        pytest.param({"limit": 2}, "AB", id="limit"),
        pytest.param({"limit": 0}, "", id="limit 0"),
    ],
)
def test_scan_table(kwargs: dict[str, object], expected: str) -> None:
    assert shown(**kwargs) == expected


def test_total_counts_before_the_limit() -> None:
    result = scan(TABLE, limit=1, min_gap_pct=5.0)
    assert result.total == 4 and result.rows.tolist() == [0]


def test_ties_keep_the_input_order() -> None:
    columns = ScannerColumns(
        gap_pct=np.array([10.0, -10.0, 10.0]),
        dollar_volume=np.zeros(3),
        relative_volume=np.zeros(3),
        volume=np.zeros(3),
        sector_index=np.zeros(3, dtype=np.int64),
    )
    assert scan(columns, limit=3).rows.tolist() == [0, 1, 2]


@pytest.mark.parametrize("kwargs", [{"min_gap_pct": -1.0}, {"min_dollar_volume": -0.01}])
def test_negative_minimums_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="negative"):
        scan(TABLE, limit=5, **kwargs)  # type: ignore[arg-type]


def test_misaligned_columns_are_refused() -> None:
    with pytest.raises(ValueError, match="line up"):
        ScannerColumns(
            gap_pct=np.zeros(3),
            dollar_volume=np.zeros(2),
            relative_volume=np.zeros(3),
            volume=np.zeros(3),
            sector_index=np.zeros(3, dtype=np.int64),
        )


# ----- properties -----------------------------------------------------------------------------------

values = st.one_of(st.just(NAN), st.floats(-100.0, 1000.0, allow_nan=False))
non_negative = st.one_of(st.just(NAN), st.floats(0.0, 1e9, allow_nan=False))


@st.composite
def tables(draw: st.DrawFn) -> ScannerColumns:
    size = draw(st.integers(0, 40))
    return ScannerColumns(
        gap_pct=draw(arrays(np.float64, size, elements=values)),
        dollar_volume=draw(arrays(np.float64, size, elements=non_negative)),
        relative_volume=draw(arrays(np.float64, size, elements=non_negative)),
        volume=draw(arrays(np.float64, size, elements=non_negative)),
        sector_index=draw(arrays(np.int64, size, elements=st.integers(-1, 7))),
    )


@settings(max_examples=300, deadline=None)
@given(
    columns=tables(),
    sort=st.sampled_from(list(ScannerSort)),
    limit=st.integers(0, 50),
    min_gap=st.sampled_from([0.0, 1.0, 15.0, 50.0]),
    min_dollars=st.sampled_from([0.0, 1.0, 1e6]),
    sector=st.one_of(st.none(), st.integers(0, 7)),
)
def test_scan_properties(
    columns: ScannerColumns,
    sort: ScannerSort,
    limit: int,
    min_gap: float,
    min_dollars: float,
    sector: int | None,
) -> None:
    result = scan(
        columns,
        sort=sort,
        limit=limit,
        min_gap_pct=min_gap,
        min_dollar_volume=min_dollars,
        sector_index=sector,
    )
    rows = result.rows.tolist()
    # Never more than asked, never more than matched, each row once.
    assert result.total >= len(rows) == min(limit, result.total)
    assert len(set(rows)) == len(rows)
    # The filters never admit a row failing them.
    for row in rows:
        gap, dollars = columns.gap_pct[row], columns.dollar_volume[row]
        if min_gap > 0:
            assert abs(gap) >= min_gap
        if min_dollars > 0:
            assert dollars >= min_dollars
        if sector is not None:
            assert columns.sector_index[row] == sector
    # ...and the total is exactly the rows that pass them.
    keep = admitted(columns, min_gap_pct=min_gap, min_dollar_volume=min_dollars, sector_index=sector)
    assert result.total == int(keep.sum())
    # Sorted: known values in order, unknown ones after them, ties in input order.
    key = sort_key(columns, sort)[rows]
    known = np.isfinite(key)
    assert not np.any(np.diff(known.astype(int)) > 0), "an unknown value came before a known one"
    ranked = key[known] if sort == ScannerSort.GAP_DOWN else -key[known]
    assert np.all(np.diff(ranked) >= 0)
    for first, second in itertools.pairwise(rows):
        a, b = sort_key(columns, sort)[[first, second]]
        if (a == b) or (np.isnan(a) and np.isnan(b)):
            assert first < second
