"""The relative rotation graph (RRG) tool: each sector's relative strength against IWM and its
momentum, by quadrant, as GET /api/rrg serves it."""

from __future__ import annotations

import uuid
from typing import Annotated

from mcp.server.mcpserver import MCPServer
from mcp_types import CallToolResult
from pydantic import Field

from sectorlights.api.mcp.answers import READ_ONLY, answer
from sectorlights.config.rotation import DEFAULT_TAIL, MAX_TAIL
from sectorlights.domain.rotation import RotationGraph, RotationInterval
from sectorlights.engine.container import Container


def rotation_summary(graph: RotationGraph) -> str:
    """`leading: energy, utilities; weakening: ...`, the quadrants of the latest points."""
    by_quadrant: dict[str, list[str]] = {}
    for entry in graph.sectors:
        quadrant = entry.quadrant.value if entry.quadrant is not None else "no position"
        by_quadrant.setdefault(quadrant, []).append(entry.sector.value)
    quadrants = "; ".join(f"{quadrant}: {', '.join(sectors)}" for quadrant, sectors in by_quadrant.items())
    return (
        f"Rotation against {graph.benchmark} on {graph.interval.value} bars as of {graph.as_of.isoformat()} "
        f"(RS-Ratio over {graph.ratio_period}, RS-Momentum over {graph.momentum_period} bars): {quadrants}."
    )


def register(server: MCPServer, container: Container) -> None:
    rotation = container.views.rotation

    @server.tool(title="Sector rotation (RRG)", annotations=READ_ONLY)
    async def get_rotation_graph(
        interval: Annotated[
            RotationInterval, Field(description="day: daily closes; 30min: half-hour closes, 04:00-20:00 ET")
        ] = RotationInterval.DAY,
        tail: Annotated[
            int, Field(ge=1, le=MAX_TAIL, description=f"points per sector, oldest first (1-{MAX_TAIL})")
        ] = DEFAULT_TAIL,
        run_id: Annotated[
            uuid.UUID | None, Field(description="a stored run from list_runs; omit for the latest analysis")
        ] = None,
    ) -> Annotated[CallToolResult, RotationGraph]:
        """The Relative Rotation Graph of the 8 small-cap sectors against IWM, as GET /api/rrg serves
        it: per sector its last `tail` points (RS-Ratio x, RS-Momentum y; 100 is the benchmark's
        pace) and the quadrant of the latest one: leading (stronger and strengthening), weakening
        (stronger, fading), lagging (weaker and weakening) or improving (weaker, recovering). JdK's
        method as publicly approximated; it describes rotation, it is not a forecast."""
        graph = await rotation.graph(interval, tail, None if run_id is None else str(run_id))
        return answer(graph, rotation_summary(graph))
