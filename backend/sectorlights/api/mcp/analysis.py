"""The analysis tools: the latest run and its freshness, one run's progress, and the one tool that
changes something, requesting a fresh analysis, limited per caller exactly as `POST /api/analysis`."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from mcp.server.mcpserver import Context, MCPServer
from mcp_types import CallToolResult, ToolAnnotations
from pydantic import Field

from sectorlights.api.mcp.answers import READ_ONLY, answer
from sectorlights.api.mcp.callers import Callers
from sectorlights.api.routes.analysis import start_or_join
from sectorlights.domain.responses import AnalysisRunStatus, AnalysisStarted, LatestAnalysis
from sectorlights.engine.container import Container

# Starts a run (market data from the vendor), or joins the one in flight: not read-only, not
# destructive, not idempotent (a later request may start another run).
STARTS_A_RUN = ToolAnnotations(
    read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=True
)


def run_summary(run: AnalysisRunStatus) -> str:
    text = f"Run {run.run_id} ({run.trigger.value}): {run.status.value}, {run.stage} {run.progress_pct:.0f}%"
    return text + (f"; error: {run.error}" if run.error else "") + "."


def register(server: MCPServer, container: Container, callers: Callers) -> None:
    queries = container.queries

    @server.tool(title="Latest analysis", annotations=READ_ONLY)
    async def get_latest_analysis() -> Annotated[CallToolResult, LatestAnalysis]:
        """The latest analysis run, the served grid's freshness (fresh < 2 h, aging 2-4 h, stale
        > 4 h) with what to do about it, the latest error if any, and the next scheduled runs (as GET
        /api/analysis/latest)."""
        latest = await queries.latest_analysis()
        return answer(latest, f"{run_summary(latest.run)} {latest.recommendation}")

    @server.tool(title="One analysis run", annotations=READ_ONLY)
    async def get_analysis_run(
        run_id: Annotated[uuid.UUID, Field(description="a run id from request_analysis or list_runs")],
    ) -> Annotated[CallToolResult, AnalysisRunStatus]:
        """One run: status, stage and percent (live while it runs in this server), timings, and its
        error if it failed (as GET /api/analysis/{run_id}). Poll it after request_analysis."""
        run = await queries.run(str(run_id))
        return answer(run, run_summary(run))

    @server.tool(title="Request a fresh analysis", annotations=STARTS_A_RUN)
    async def request_analysis(ctx: Context[Any, Any]) -> Annotated[CallToolResult, AnalysisStarted]:
        """Start a fresh analysis now, or join the one already running, as the dashboard's "Run
        fresh analysis" (POST /api/analysis); answers at once with the run id: follow it with
        get_analysis_run, then read get_sector_grid. Starting a run counts against the caller's
        allowance (SECTORLIGHTS_USER_ACTIONS_PER_MINUTE); joining is free. A run takes seconds to
        minutes, depending on the market-data provider."""
        caller = await callers.caller(ctx)
        started = await start_or_join(
            container.analysis,
            queries,
            admit=lambda: container.action_limits.take("analysis", caller.subject),
        )
        verb = "Joined the run in flight" if started.joined else "Started run"
        return answer(
            started,
            f"{verb} {started.run_id}: {started.status.value}, {started.stage} {started.progress_pct:.0f}%. "
            "Follow it with get_analysis_run.",
        )
