"""On-demand analysis runs: start or join one, follow its progress, and the latest run's freshness."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Response

from sectorlights.api.deps import AnalysisDep, RateLimitDep, RepositoryDep, UserDep
from sectorlights.domain.snapshot import AnalysisRun, RunStatus, RunTrigger
from sectorlights.engine.container import Analysis

router = APIRouter(prefix="/api", tags=["analysis"])


def _describe(run: AnalysisRun, analysis: Analysis) -> dict[str, Any]:
    """The run record, with the live stage and percent while it is running in this process."""
    body = run.model_dump(mode="json")
    live = analysis.runs.progress(run.run_id) if run.status == RunStatus.RUNNING else None
    if live is not None:
        body["stage"], body["progress_pct"] = live[0], round(live[1], 1)
    return body


@router.post("/analysis", status_code=202)
async def start_analysis(
    response: Response, analysis: AnalysisDep, user: UserDep, limiter: RateLimitDep
) -> dict[str, Any]:
    """Start an on-demand run, or join the one in flight; answers at once with the run id.

    Starting a run counts against the caller's budget (429 with Retry-After); joining is free.
    """
    run, joined = await analysis.runs.request_or_join(RunTrigger.ON_DEMAND, admit=lambda: limiter.take(user))
    described = _describe(run, analysis)
    response.headers["Location"] = f"/api/analysis/{run.run_id}"
    return {
        "run_id": run.run_id,
        "status": described["status"],
        "stage": described["stage"],
        "progress_pct": described["progress_pct"],
        "trigger": described["trigger"],
        "joined": joined,
    }


@router.get("/analysis/latest")
async def latest_analysis(analysis: AnalysisDep, repository: RepositoryDep) -> dict[str, Any]:
    """The latest run, the served grid's freshness (fresh < 2 h, aging 2-4 h, stale > 4 h) and the
    next scheduled runs."""
    latest = await asyncio.to_thread(repository.latest_run)
    if latest is None:
        raise HTTPException(
            status_code=404, detail="No analysis has run yet: POST /api/analysis to start one."
        )
    grid = await analysis.grid.latest_grid()
    scheduled = [] if analysis.scheduler is None else analysis.scheduler.next_runs(3)
    body: dict[str, Any] = {
        "run": _describe(latest, analysis),
        "last_error": analysis.grid.last_failure,
        "next_scheduled": [{"at": item.at.isoformat(), "kind": item.kind.value} for item in scheduled],
    }
    if grid is None:
        message = (
            "No completed analysis yet; the first run is in progress."
            if latest.status == RunStatus.RUNNING
            else "No completed analysis yet; run a fresh analysis."
        )
        return body | {
            "grid_run_id": None,
            "as_of": None,
            "age_secs": None,
            "freshness": None,
            "recommendation": message,
        }
    fields = analysis.grid.freshness_fields(datetime.fromisoformat(grid["as_of"]))
    return body | {
        "grid_run_id": grid["run_id"],
        "as_of": grid["as_of"],
        **{key: fields[key] for key in ("age_secs", "freshness", "recommendation")},
    }


@router.get("/analysis/{run_id}")
async def analysis_run(
    run_id: Annotated[uuid.UUID, Path(description="the run id returned by POST /api/analysis")],
    analysis: AnalysisDep,
    repository: RepositoryDep,
) -> dict[str, Any]:
    """One run: status, stage and percent (live while running), timings, and its error if it failed."""
    run = await asyncio.to_thread(repository.get_run, str(run_id))
    if run is None:
        raise HTTPException(status_code=404, detail=f"run_id: no analysis run {run_id}")
    return _describe(run, analysis)
