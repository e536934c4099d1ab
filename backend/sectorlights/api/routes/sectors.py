"""The sector grid."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException

from sectorlights.api.deps import AnalysisDep
from sectorlights.domain.vocabulary import Freshness
from sectorlights.engine.freshness import classify_freshness, recommendation

router = APIRouter(prefix="/api", tags=["sectors"])


@router.get("/sectors")
async def list_sectors(analysis: AnalysisDep) -> dict[str, Any]:
    """Every sector with score, color, signal, timeframes, alpha and top lists, plus freshness."""
    grid = await analysis.latest_grid()
    if grid is None:
        raise HTTPException(status_code=503, detail="No analysis yet: the first run is in progress.")
    as_of = datetime.fromisoformat(grid["as_of"])
    age_secs = max(0.0, (analysis.clock.now() - as_of).total_seconds())
    freshness = classify_freshness(age_secs)
    last_error = analysis.last_failure
    return grid | {
        "age_secs": round(age_secs, 1),
        "freshness": freshness.value,
        "recommendation": recommendation(freshness),
        "stale": freshness == Freshness.STALE or last_error is not None,
        "last_error": last_error,
    }
