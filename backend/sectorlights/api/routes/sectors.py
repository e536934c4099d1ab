"""The sector grid, one sector with its constituents, and a sector's history."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response

from sectorlights.api.deps import QueriesDep
from sectorlights.api.errors import error_responses
from sectorlights.api.time_range import SinceQuery, UntilQuery, utc_range
from sectorlights.domain.responses import SectorDetail, SectorGrid, SectorHistory
from sectorlights.domain.vocabulary import Sector

router = APIRouter(prefix="/api", tags=["sectors"])

SectorPath = Annotated[Sector, Path(description="one of the 8 sectors of the fixed vocabulary")]


GRID_RESPONSES: dict[int | str, dict[str, Any]] = {200: {"model": SectorGrid, "description": "The grid"}}


@router.get("/sectors", response_class=Response, responses=GRID_RESPONSES | error_responses(401, 503))
async def list_sectors(queries: QueriesDep) -> Response:
    """Every sector with score, color, signal, timeframes, alpha and top lists, plus freshness."""
    # Sent as the cached bytes, never through the model: this is the dashboard's hot read.
    return Response(await queries.grid_document(), media_type="application/json")


@router.get("/sectors/{sector}", responses=error_responses(401, 404, 422, 503))
async def get_sector(sector: SectorPath, queries: QueriesDep) -> SectorDetail:
    """One sector's card from the latest grid with every constituent of the latest universe."""
    return await queries.sector(sector)


@router.get("/sectors/{sector}/history", responses=error_responses(401, 422))
async def get_sector_history(
    sector: SectorPath,
    queries: QueriesDep,
    since: SinceQuery = None,
    until: UntilQuery = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="at most this many entries")] = 100,
) -> SectorHistory:
    """A sector's stored results, newest first, with the per-timeframe detail of each run."""
    since, until = utc_range(since, until)
    return await queries.sector_history(sector, limit, since, until)
