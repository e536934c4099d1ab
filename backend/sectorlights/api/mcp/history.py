"""The history tools: a sector's colours run by run, a stock's metrics run by run, the stored runs,
and what each colour has been followed by on real history; each reads what its API route reads."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from mcp.server.mcpserver import MCPServer
from mcp_types import CallToolResult
from pydantic import Field

from sectorlights.api.mcp.answers import READ_ONLY, answer, signed_pct
from sectorlights.api.mcp.market import SectorArgument, SymbolArgument
from sectorlights.api.time_range import utc_param, utc_range
from sectorlights.domain.colour_history import ColourHistory
from sectorlights.domain.responses import SectorHistory, StockHistory, StoredRuns
from sectorlights.domain.vocabulary import Timeframe
from sectorlights.engine.container import Container

SinceArgument = Annotated[
    datetime | None, Field(description="earliest timestamp (ISO 8601; no offset means UTC)")
]
UntilArgument = Annotated[
    datetime | None, Field(description="latest timestamp (ISO 8601; no offset means UTC)")
]


def sector_history_summary(history: SectorHistory) -> str:
    if not history.history:
        return f"No stored history for {history.sector.value} in that range."
    colours = ", ".join(entry.color.value for entry in history.history[:10])
    newest, oldest = history.history[0].timestamp, history.history[-1].timestamp
    return (
        f"{history.count} runs of {history.sector.value} from {oldest.isoformat()} to {newest.isoformat()}; "
        f"colours newest first: {colours}{', ...' if history.count > 10 else ''}."
    )


def stock_history_summary(history: StockHistory) -> str:
    if not history.points:
        return f"No stored runs of {history.symbol} in that range."
    newest = history.points[0]
    return (
        f"{history.count} stored runs of {history.symbol}; newest {newest.timestamp.isoformat()} in "
        f"{newest.sector.value}: 1d {signed_pct(newest.returns_pct.get(Timeframe.DAY_1))}."
    )


def runs_summary(runs: StoredRuns) -> str:
    if not runs.runs:
        return "No stored runs in that range."
    return (
        f"{runs.count} stored runs, newest {runs.runs[0].as_of.isoformat()} "
        f"({runs.runs[0].data_source.label}), oldest {runs.runs[-1].as_of.isoformat()}."
    )


def colour_history_summary(history: ColourHistory) -> str:
    verdicts = "; ".join(f"{record.color.value}: edge {record.edge}" for record in history.colors)
    return (
        f"{history.label}, {history.first_session} to {history.last_session}. After each colour, an edge "
        f"in the next session? {verdicts}."
    )


def register(server: MCPServer, container: Container) -> None:
    queries = container.queries

    @server.tool(title="Sector colour history", annotations=READ_ONLY)
    async def get_sector_history(
        sector: SectorArgument,
        since: SinceArgument = None,
        until: UntilArgument = None,
        limit: Annotated[int, Field(ge=1, le=1000, description="at most this many runs")] = 20,
    ) -> Annotated[CallToolResult, SectorHistory]:
        """A sector's stored results run by run, newest first: score, colour, signal, confidence and
        the per-timeframe detail of each run (as GET /api/sectors/{sector}/history)."""
        since, until = utc_range(since, until)
        history = await queries.sector_history(sector, limit, since, until)
        return answer(history, sector_history_summary(history))

    @server.tool(title="Stock history", annotations=READ_ONLY)
    async def get_stock_history(
        symbol: SymbolArgument,
        since: SinceArgument = None,
        until: UntilArgument = None,
        limit: Annotated[int, Field(ge=1, le=5000, description="at most this many points")] = 50,
    ) -> Annotated[CallToolResult, StockHistory]:
        """A stock's stored metrics run by run, newest first: sector, tier, returns per timeframe,
        relative volume and rank (as GET /api/stocks/{symbol}/history)."""
        since, until = utc_range(since, until)
        history = await queries.stock_history(symbol.upper(), limit, since, until)
        return answer(history, stock_history_summary(history))

    @server.tool(title="Stored runs", annotations=READ_ONLY)
    async def list_runs(
        before: Annotated[
            datetime | None,
            Field(description="only runs whose market time is before this (ISO 8601; no offset means UTC)"),
        ] = None,
        limit: Annotated[int, Field(ge=1, le=500, description="at most this many runs")] = 20,
    ) -> Annotated[CallToolResult, StoredRuns]:
        """Stored successful analysis runs by market time, newest first (as GET /api/runs); open
        one's grid with get_sector_grid(run_id)."""
        runs = await queries.stored_runs(limit, utc_param("before", before))
        return answer(runs, runs_summary(runs))

    @server.tool(title="What each colour has been followed by", annotations=READ_ONLY)
    async def get_colour_history() -> Annotated[CallToolResult, ColourHistory]:
        """After each colour, on a named set of real history: the share of next sessions the sector
        went down and up, its mean next-session return, with intervals and an edge verdict by the
        stated rule (as GET /api/colour-history). Say this when a colour is read as a prediction."""
        history = container.colour_history
        return answer(history, colour_history_summary(history))
