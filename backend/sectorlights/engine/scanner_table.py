"""The scanner's table of one build (every universe row before filters) and its rows on the wire."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np

from sectorlights.analytics.scanner import ScannerColumns
from sectorlights.domain.frame import FloatArray
from sectorlights.domain.trader_views import ScannerRow, ScannerSort, ScannerSource
from sectorlights.domain.vocabulary import Sector


@dataclass(frozen=True, slots=True)
class ScannerQuery:
    min_gap_pct: float = 0.0
    min_dollar_volume: float = 0.0
    sector: Sector | None = None
    sort: ScannerSort = ScannerSort.GAP
    limit: int = 100


@dataclass(frozen=True, slots=True)
class ScannerTable:
    """Every universe row of one build, before filters; per-row static fields in `members`."""

    as_of: datetime
    session: date
    source: ScannerSource
    run_id: str
    news_since: datetime
    members: list[dict[str, Any]]
    colors: dict[str, tuple[str, str]]  # sector -> (color, signal) of the grid
    price: FloatArray
    previous_close: FloatArray
    session_volume: FloatArray
    premarket_volume: FloatArray
    columns: ScannerColumns
    headlines: dict[str, tuple[str, datetime]]
    news_counts: dict[str, int]
    stale_reason: str | None = None
    news_error: str | None = None


def number_or_nan(value: object) -> float:
    return float(value) if isinstance(value, int | float) else np.nan


def _optional(value: float) -> float | None:
    return value if np.isfinite(value) else None


def scanner_row(table: ScannerTable, index: int) -> ScannerRow:
    member = table.members[index]
    color, signal = table.colors.get(member["sector"], (None, None))
    headline = table.headlines.get(member["symbol"])
    columns = table.columns
    return ScannerRow(
        symbol=member["symbol"],
        name=member["name"],
        exchange=member["exchange"],
        sector=member["sector"],
        sector_color=color,
        sector_signal=signal,
        price=_optional(float(table.price[index])),
        previous_close=_optional(float(table.previous_close[index])),
        gap_pct=_optional(float(columns.gap_pct[index])),
        session_volume=_optional(float(table.session_volume[index])),
        premarket_volume=_optional(float(table.premarket_volume[index])),
        dollar_volume=_optional(float(columns.dollar_volume[index])),
        relative_volume=_optional(float(columns.relative_volume[index])),
        float_shares=member["float_shares"],
        market_cap=member["market_cap"],
        headline=None if headline is None else headline[0],
        headline_published_at=None if headline is None else headline[1],
        news_count=table.news_counts.get(member["symbol"], 0),
    )
