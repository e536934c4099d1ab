"""The member heatmap, read from the latest run's universe and grid (no vendor call)."""

from __future__ import annotations

import asyncio
import math
from typing import Any

from sectorlights.domain.heatmap import Heatmap, HeatmapMember, HeatmapSector, HeatmapSize
from sectorlights.domain.vocabulary import Sector, Timeframe
from sectorlights.engine.lookups import LatestGrid, require_grid
from sectorlights.storage.repository import TIMEFRAME_COLUMNS, Repository

SIZE_COLUMNS = {HeatmapSize.MARKET_CAP: "market_cap", HeatmapSize.FLOAT: "float_shares"}


def _number(value: Any) -> float | None:
    """A finite float, else None: a stored NaN or infinity is as good as unknown."""
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def heatmap_member(row: dict[str, Any], timeframe: Timeframe, size_by: HeatmapSize) -> HeatmapMember:
    size = _number(row[SIZE_COLUMNS[size_by]])
    return HeatmapMember(
        symbol=row["symbol"],
        name=row["name"],
        market_cap=float(row["market_cap"]),
        float_shares=_number(row["float_shares"]),
        size_value=size if size is not None and size > 0 else None,
        change_pct=_number(row[TIMEFRAME_COLUMNS[timeframe]]),
    )


def _largest_first(member: HeatmapMember) -> tuple[bool, float, str]:
    return (member.size_value is None, -(member.size_value or 0.0), member.symbol)


def build_heatmap(
    grid: dict[str, Any], rows: list[dict[str, Any]], timeframe: Timeframe, size_by: HeatmapSize
) -> Heatmap:
    """The heatmap of `rows` (universe members) under the cards of `grid`; a member whose sector has
    no card is left out, since the map is drawn inside its sector's tile."""
    cards = {card["sector"]: card for card in grid["sectors"]}
    grouped: dict[str, list[HeatmapMember]] = {}
    for row in rows:
        if row["sector"] in cards:
            grouped.setdefault(row["sector"], []).append(heatmap_member(row, timeframe, size_by))
    sectors = []
    for key, members in grouped.items():
        card = cards[key]
        result = card["timeframes"].get(timeframe.value) or {}
        members.sort(key=_largest_first)
        sectors.append(
            HeatmapSector(
                sector=Sector(key),
                label=card["label"],
                color=card["color"],
                signal=card["signal"],
                change_pct=_number(result.get("return_pct")),
                missing_reason=result.get("missing_reason"),
                size_total=sum(member.size_value or 0.0 for member in members),
                members=members,
            )
        )
    sectors.sort(key=lambda sector: (-sector.size_total, sector.sector.value))
    members_all = [member for sector in sectors for member in sector.members]
    return Heatmap(
        run_id=grid["run_id"],
        as_of=grid["as_of"],
        timeframe=timeframe,
        size_by=size_by,
        member_count=len(members_all),
        unsized_count=sum(1 for member in members_all if member.size_value is None),
        sectors=sectors,
    )


class MemberHeatmap:
    def __init__(self, repository: Repository, grids: LatestGrid) -> None:
        self._repository = repository
        self._grids = grids

    async def heatmap(self, sector: Sector | None, timeframe: Timeframe, size_by: HeatmapSize) -> Heatmap:
        """NoAnalysisYet before the first analysis."""
        grid = await require_grid(self._grids)
        rows, _total = await asyncio.to_thread(self._repository.universe_members, sector)
        return build_heatmap(grid, rows, timeframe, size_by)
