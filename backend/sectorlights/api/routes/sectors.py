"""The sector grid, one sector with its constituents, and a sector's history."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Response

from sectorlights.api.deps import NO_GRID_YET, AnalysisDep, RepositoryDep, require_grid
from sectorlights.api.time_range import SinceQuery, UntilQuery, utc_range
from sectorlights.cache.base import encode_document
from sectorlights.domain.vocabulary import Sector

router = APIRouter(prefix="/api", tags=["sectors"])

SectorPath = Annotated[Sector, Path(description="one of the 8 sectors of the fixed vocabulary")]


GRID_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"description": "The grid", "content": {"application/json": {"schema": {"type": "object"}}}}
}


@router.get("/sectors", response_class=Response, responses=GRID_RESPONSE)
async def list_sectors(analysis: AnalysisDep) -> Response:
    """Every sector with score, color, signal, timeframes, alpha and top lists, plus freshness."""
    latest = await analysis.grid.latest_grid_as_of()
    if latest is None:
        raise HTTPException(status_code=503, detail=NO_GRID_YET)
    raw, as_of = latest
    status = analysis.grid.freshness_fields(as_of)
    # The cached grid is sent as it is stored, with the freshness fields spliced into its object:
    # this is the dashboard's hot read, and decoding and re-encoding it would dominate its cost.
    return Response(raw[:-1] + b"," + encode_document(status)[1:], media_type="application/json")


@router.get("/sectors/{sector}")
async def sector_detail(
    sector: SectorPath, analysis: AnalysisDep, repository: RepositoryDep
) -> dict[str, Any]:
    """One sector's card from the latest grid with every constituent of the latest universe."""
    grid = await require_grid(analysis)
    card = next((card for card in grid["sectors"] if card["sector"] == sector.value), None)
    if card is None:
        raise HTTPException(status_code=404, detail=f"sector: {sector.value} is not in the latest analysis")
    members, total = await asyncio.to_thread(repository.universe_members, sector)
    return {
        "run_id": grid["run_id"],
        "as_of": grid["as_of"],
        "data_source": grid["data_source"],
        "sector": card,
        "constituent_count": total,
        "constituents": members,
    }


def _history_entry(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "timestamp": row["timestamp"],
        "run_id": row["run_id"],
        "score": float(row["sentiment_score"]),
        "color": row["color_classification"],
        "signal": row["signal"],
        "confidence": float(row["confidence_level"]),
        "stock_count": row["stock_count"],
        "detail": row["detail"],
    }


@router.get("/sectors/{sector}/history")
async def sector_history(
    sector: SectorPath,
    repository: RepositoryDep,
    since: SinceQuery = None,
    until: UntilQuery = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="at most this many entries")] = 100,
) -> dict[str, Any]:
    """A sector's stored results, newest first, with the per-timeframe detail of each run."""
    since, until = utc_range(since, until)
    rows = await asyncio.to_thread(repository.sector_history, sector, limit, since, until)
    return {
        "sector": sector.value,
        "since": since,
        "until": until,
        "limit": limit,
        "count": len(rows),
        "history": [_history_entry(row) for row in rows],
    }
