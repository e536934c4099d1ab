"""The gap and mover scanner."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from sectorlights.api.deps import ContainerDep
from sectorlights.api.errors import VIEW_MEANINGS, error_responses
from sectorlights.domain.trader_views import ScannerPage, ScannerSort
from sectorlights.domain.vocabulary import Sector
from sectorlights.engine.scanner_table import ScannerQuery

router = APIRouter(prefix="/api", tags=["scanner"])


@router.get("/scanner", responses=error_responses(401, 409, 422, 503, meanings=VIEW_MEANINGS))
async def get_scanner(
    container: ContainerDep,
    min_gap_pct: Annotated[
        float,
        Query(ge=0, le=10_000, description="only stocks whose absolute gap is at least this, in percent"),
    ] = 0.0,
    min_dollar_volume: Annotated[
        float, Query(ge=0, description="only stocks with at least this dollar volume so far today")
    ] = 0.0,
    sector: Annotated[Sector | None, Query(description="only this sector's stocks")] = None,
    sort: Annotated[
        ScannerSort, Query(description="the order; unknown values always last")
    ] = ScannerSort.GAP,
    limit: Annotated[int, Query(ge=1, le=500, description="at most this many rows")] = 100,
) -> ScannerPage:
    """Every stock of the latest universe, moving most since the previous regular close first.

    Figures from a whole-market snapshot no older than the move watcher's poll interval
    (`source: "snapshot"`), or the latest run's stored figures when the provider has no live
    snapshot (`source: "run"`: no prices or volumes). When the vendor fails the last good figures
    are served with `stale: true` and the reason; 503 when none are held. 409 before the first
    analysis."""
    query = ScannerQuery(
        min_gap_pct=min_gap_pct, min_dollar_volume=min_dollar_volume, sector=sector, sort=sort, limit=limit
    )
    return await container.views.scanner.page(query)
