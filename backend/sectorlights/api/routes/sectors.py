"""The sector grid."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException

from sectorlights.api.deps import AnalysisDep
from sectorlights.domain.snapshot import RunStatus
from sectorlights.domain.vocabulary import Freshness
from sectorlights.engine.freshness import classify_freshness, recommendation

router = APIRouter(prefix="/api", tags=["sectors"])


@router.get("/sectors")
async def list_sectors(analysis: AnalysisDep) -> dict[str, Any]:
    """Every sector with score, color, signal, timeframes, alpha and top lists, plus freshness."""
    snapshot = await analysis.latest_snapshot()
    if snapshot is None:
        raise HTTPException(status_code=503, detail="No analysis yet: the first run is in progress.")
    age_secs = max(0.0, (analysis.clock.now() - snapshot.as_of).total_seconds())
    freshness = classify_freshness(age_secs)
    last_run = await analysis.last_run()
    last_error = last_run.error if last_run is not None and last_run.status == RunStatus.FAILED else None
    body = snapshot.model_dump(mode="json")
    body.update(
        age_secs=round(age_secs, 1),
        freshness=freshness.value,
        recommendation=recommendation(freshness),
        stale=freshness == Freshness.STALE or last_error is not None,
        last_error=last_error,
    )
    return body
