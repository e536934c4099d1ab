"""The member heatmap."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from sectorlights.api.deps import ContainerDep
from sectorlights.api.errors import VIEW_MEANINGS, error_responses
from sectorlights.domain.heatmap import Heatmap, HeatmapSize
from sectorlights.domain.vocabulary import Sector, Timeframe

router = APIRouter(prefix="/api", tags=["heatmap"])


@router.get("/heatmap", responses=error_responses(401, 409, 422, 503, meanings=VIEW_MEANINGS))
async def get_heatmap(
    container: ContainerDep,
    sector: Annotated[Sector | None, Query(description="only this sector's members; all when absent")] = None,
    timeframe: Annotated[Timeframe, Query(description="the change that colours the tiles")] = Timeframe.DAY_1,
    size_by: Annotated[
        HeatmapSize, Query(description="what a tile's area stands for")
    ] = HeatmapSize.MARKET_CAP,
) -> Heatmap:
    """The latest universe's members for a treemap: sized by market cap or float, coloured by the
    timeframe's change, grouped by sector with the sector's colour and return. Members of unknown
    size (no float known) come last with `size_value: null`. 409 before the first analysis."""
    return await container.views.heatmap.heatmap(sector, timeframe, size_by)
