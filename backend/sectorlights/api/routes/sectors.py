"""The sector grid, one sector with its constituents, and a sector's history."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response

from sectorlights.api.deps import ContainerDep, QueriesDep
from sectorlights.api.errors import VIEW_MEANINGS, error_responses
from sectorlights.api.time_range import SinceQuery, UntilQuery, utc_range
from sectorlights.domain.responses import SectorDetail, SectorGrid, SectorHistory
from sectorlights.domain.trader_views import SectorNews
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


@router.get("/sectors/{sector}/news", responses=error_responses(401, 409, 422, 503, meanings=VIEW_MEANINGS))
async def get_sector_news(
    sector: SectorPath,
    container: ContainerDep,
    limit: Annotated[int, Query(ge=1, le=500, description="at most this many items")] = 50,
) -> SectorNews:
    """The headlines behind the sector's catalyst factor in the latest analysis: articles naming
    its members or its ETF proxies in the news window before the run's market time
    (SECTORLIGHTS_NEWS_LOOKBACK_HOURS), one item per (article, ticker) as the factor counts them,
    newest first, with the card's catalyst factor."""
    return await container.views.news.sector(sector, limit)
