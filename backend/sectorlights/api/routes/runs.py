"""Time travel: the stored successful runs, and the grid any one of them published."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query

from sectorlights.api.deps import QueriesDep
from sectorlights.api.errors import error_responses
from sectorlights.api.time_range import utc_param
from sectorlights.domain.responses import SectorGrid, StoredRuns

router = APIRouter(prefix="/api", tags=["runs"])


@router.get("/runs", responses=error_responses(401, 422))
async def list_stored_runs(
    queries: QueriesDep,
    before: Annotated[
        datetime | None,
        Query(description="only runs whose market time is before this (ISO 8601; no offset means UTC)"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="at most this many runs")] = 50,
) -> StoredRuns:
    """Stored successful runs by market time, newest first: what the dashboard's history can open.

    To see a past session that was never analysed, replay it: `POST /api/replays` (or
    `sectorlights replay --date`)."""
    return await queries.stored_runs(limit, utc_param("before", before))


@router.get("/runs/{run_id}/grid", responses=error_responses(401, 404, 422))
async def get_stored_grid(
    run_id: Annotated[uuid.UUID, Path(description="a run id from GET /api/runs")],
    queries: QueriesDep,
) -> SectorGrid:
    """The grid a stored run published, read-only: never live, so always marked stale, with its
    age measured against now."""
    return await queries.stored_grid(str(run_id))
