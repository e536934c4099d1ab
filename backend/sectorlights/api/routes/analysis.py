"""On-demand analysis runs: start or join one, follow its progress, and the latest run's freshness."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Path, Response

from sectorlights.api.deps import AnalysisDep, QueriesDep, RateLimitDep
from sectorlights.api.errors import error_responses
from sectorlights.domain.responses import AnalysisRunStatus, AnalysisStarted, LatestAnalysis
from sectorlights.domain.snapshot import RunTrigger
from sectorlights.engine.container import Analysis
from sectorlights.engine.queries import MarketQueries

router = APIRouter(prefix="/api", tags=["analysis"])


@router.post("/analysis", status_code=202, responses=error_responses(401, 429))
async def start_analysis(
    response: Response, analysis: AnalysisDep, queries: QueriesDep, limiter: RateLimitDep
) -> AnalysisStarted:
    """Start an on-demand run, or join the one in flight; answers at once with the run id.

    Starting a run counts against the caller's budget (429 with Retry-After); joining is free.
    """
    started = await start_or_join(analysis, queries, admit=lambda: limiter.take("analysis"))
    response.headers["Location"] = f"/api/analysis/{started.run_id}"
    return started


async def start_or_join(
    analysis: Analysis, queries: MarketQueries, admit: Callable[[], Awaitable[None]]
) -> AnalysisStarted:
    """Start an on-demand run if `admit` (the caller's allowance, raising when spent) lets it, or
    join the one in flight; the HTTP route and the MCP tool both start runs here."""
    run, joined = await analysis.runs.request_or_join(RunTrigger.ON_DEMAND, admit=admit)
    status = queries.run_status(run)
    return AnalysisStarted(
        run_id=run.run_id,
        status=status.status,
        stage=status.stage,
        progress_pct=status.progress_pct,
        trigger=status.trigger,
        joined=joined,
    )


@router.get("/analysis/latest", responses=error_responses(401, 404))
async def get_latest_analysis(queries: QueriesDep) -> LatestAnalysis:
    """The latest run, the served grid's freshness (fresh < 2 h, aging 2-4 h, stale > 4 h) and the
    next scheduled runs."""
    return await queries.latest_analysis()


@router.get("/analysis/{run_id}", responses=error_responses(401, 404, 422))
async def get_analysis_run(
    run_id: Annotated[uuid.UUID, Path(description="the run id returned by POST /api/analysis")],
    queries: QueriesDep,
) -> AnalysisRunStatus:
    """One run: status, stage and percent (live while running), timings, and its error if it failed."""
    return await queries.run(str(run_id))
