"""Replays of past sessions from imported flat files, started from the dashboard."""

from __future__ import annotations

from fastapi import APIRouter, Response

from sectorlights.api.deps import AnalysisDep, RateLimitDep
from sectorlights.api.errors import error_responses
from sectorlights.domain.replays import ReplayRequest, ReplayStarted

router = APIRouter(prefix="/api", tags=["runs"])


@router.post("/replays", status_code=202, responses=error_responses(401, 409, 422, 429))
async def start_replay(
    request: ReplayRequest, response: Response, analysis: AnalysisDep, limiter: RateLimitDep
) -> ReplayStarted:
    """Replay a past session at a New York time over the flat files imported into the server's
    database (whatever provider the live grid uses); answers at once with the run id.

    Follow the run at `GET /api/analysis/{run_id}` and open its grid at `GET /api/runs/{run_id}/grid`
    once it has succeeded; it never becomes the live grid. One replay runs at a time (409 while one
    does); starting one counts against the caller's budget (429). A date or time that cannot be
    replayed, or whose bars were never imported, is a 422 naming the field and what to import.
    """
    run, instant = await analysis.replays.start(
        request.date, request.time, admit=lambda: limiter.take("replay")
    )
    response.headers["Location"] = f"/api/analysis/{run.run_id}"
    return ReplayStarted(
        run_id=run.run_id,
        status=run.status,
        stage=run.stage,
        progress_pct=run.progress_pct,
        trigger=run.trigger,
        session=instant.session,
        as_of=instant.at,
    )
