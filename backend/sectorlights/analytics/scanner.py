"""The gap and mover scanner: each stock's move since the previous regular close, filtered and ranked.

Arrays in, arrays out: one row per stock, aligned across the inputs. Unknown values are NaN; they
never pass a filter that asks for a minimum above zero, and every order puts them last. Ties keep
the rows' input order (pass the rows sorted by symbol and ties read alphabetically).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sectorlights.domain.frame import FloatArray, IntArray
from sectorlights.domain.trader_views import ScannerSort

BoolArray = npt.NDArray[np.bool_]

# Whether each order ranks its key from high to low.
_DESCENDING: dict[ScannerSort, bool] = {
    ScannerSort.GAP: True,
    ScannerSort.GAP_UP: True,
    ScannerSort.GAP_DOWN: False,
    ScannerSort.DOLLAR_VOLUME: True,
    ScannerSort.RELATIVE_VOLUME: True,
    ScannerSort.VOLUME: True,
}


def gap_pct(price: FloatArray, previous_close: FloatArray) -> FloatArray:
    """(price / previous close - 1) x 100; NaN where either is unknown or not positive."""
    usable = np.isfinite(price) & np.isfinite(previous_close) & (price > 0) & (previous_close > 0)
    out = np.full(price.shape, np.nan)
    np.divide(price, previous_close, out=out, where=usable)
    return np.where(usable, (out - 1.0) * 100.0, np.nan)


def dollar_volume(price: FloatArray, volume: FloatArray) -> FloatArray:
    """price x volume; NaN where either is unknown or negative."""
    usable = np.isfinite(price) & np.isfinite(volume) & (price >= 0) & (volume >= 0)
    return np.where(usable, price * np.where(usable, volume, 0.0), np.nan)


@dataclass(frozen=True, slots=True)
class ScannerColumns:
    """The scanner's figures, one row per stock."""

    gap_pct: FloatArray
    dollar_volume: FloatArray
    relative_volume: FloatArray
    volume: FloatArray
    sector_index: IntArray  # position in SECTORS, -1 unclassified

    def __post_init__(self) -> None:
        size = self.gap_pct.shape
        for name in ("dollar_volume", "relative_volume", "volume", "sector_index"):
            if getattr(self, name).shape != size:
                raise ValueError(f"scanner column {name} does not line up with gap_pct")


@dataclass(frozen=True, slots=True)
class ScanResult:
    rows: IntArray  # positions of the rows shown, in order
    total: int  # rows that pass the filters, before the limit


def sort_key(columns: ScannerColumns, sort: ScannerSort) -> FloatArray:
    """The value `sort` ranks by (absolute gap for `gap`)."""
    if sort in (ScannerSort.GAP_UP, ScannerSort.GAP_DOWN):
        return columns.gap_pct
    if sort == ScannerSort.GAP:
        return np.abs(columns.gap_pct)
    if sort == ScannerSort.DOLLAR_VOLUME:
        return columns.dollar_volume
    if sort == ScannerSort.RELATIVE_VOLUME:
        return columns.relative_volume
    return columns.volume


def admitted(
    columns: ScannerColumns,
    *,
    min_gap_pct: float = 0.0,
    min_dollar_volume: float = 0.0,
    sector_index: int | None = None,
) -> BoolArray:
    """Rows that pass every filter: |gap| >= min_gap_pct, dollar volume >= min_dollar_volume (a
    minimum of 0 also admits unknown values), and the sector when one is given."""
    if min_gap_pct < 0 or min_dollar_volume < 0:
        raise ValueError("scanner minimums cannot be negative")
    keep = np.ones(columns.gap_pct.shape, dtype=bool)
    if min_gap_pct > 0:
        keep &= np.isfinite(columns.gap_pct) & (np.abs(columns.gap_pct) >= min_gap_pct)
    if min_dollar_volume > 0:
        keep &= np.isfinite(columns.dollar_volume) & (columns.dollar_volume >= min_dollar_volume)
    if sector_index is not None:
        keep &= columns.sector_index == sector_index
    return keep


def scan(
    columns: ScannerColumns,
    *,
    sort: ScannerSort = ScannerSort.GAP,
    limit: int,
    min_gap_pct: float = 0.0,
    min_dollar_volume: float = 0.0,
    sector_index: int | None = None,
) -> ScanResult:
    """The rows that pass the filters, ranked by `sort` (unknown values last, ties in input order),
    at most `limit` of them, and how many passed in all."""
    if limit < 0:
        raise ValueError("the limit cannot be negative")
    keep = np.flatnonzero(
        admitted(
            columns, min_gap_pct=min_gap_pct, min_dollar_volume=min_dollar_volume, sector_index=sector_index
        )
    )
    key = sort_key(columns, sort)[keep]
    known = np.isfinite(key)
    ranked = np.where(known, -key if _DESCENDING[sort] else key, 0.0)
    # lexsort's last key is the primary one: known values first, then the value, then input order.
    order = np.lexsort((keep, ranked, ~known))
    return ScanResult(rows=keep[order][:limit].astype(np.int64), total=int(keep.size))
