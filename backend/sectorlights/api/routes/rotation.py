"""The Relative Rotation Graph of the 8 sectors against IWM."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from sectorlights.api.deps import ContainerDep
from sectorlights.api.errors import VIEW_MEANINGS, error_responses
from sectorlights.config.rotation import DEFAULT_TAIL, MAX_TAIL
from sectorlights.domain.rotation import RotationGraph, RotationInterval

router = APIRouter(prefix="/api", tags=["rotation"])


@router.get("/rrg", responses=error_responses(401, 404, 409, 422, meanings=VIEW_MEANINGS))
async def get_rotation(
    container: ContainerDep,
    interval: Annotated[
        RotationInterval, Query(description="daily closes, or half-hour closes over 04:00-20:00 ET")
    ] = RotationInterval.DAY,
    tail: Annotated[
        int, Query(ge=1, le=MAX_TAIL, description="points per sector, the latest last")
    ] = DEFAULT_TAIL,
    run_id: Annotated[
        uuid.UUID | None, Query(description="a stored run (GET /api/runs); the latest analysis by default")
    ] = None,
) -> RotationGraph:
    """Each sector's RS-Ratio and RS-Momentum against IWM (JdK's method as publicly approximated:
    z-scores of relative strength and of its rate of change; docs/methodology.md, "Sector
    rotation") over its last `tail` bars, oldest first, and the quadrant of the latest: leading,
    weakening, lagging or improving. A sector with fewer points says why (`reason`). 409 before the
    first analysis; 404 for a run that is not stored or did not succeed."""
    return await container.views.rotation.graph(interval, tail, None if run_id is None else str(run_id))
