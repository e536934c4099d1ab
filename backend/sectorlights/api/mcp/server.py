"""The MCP server: its tools, each answering with the API's model as structured content and a short
text summary, and refusals as tool errors worded as the API words them."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp_types import CallToolResult, InputRequiredResult, TextContent
from pydantic import ValidationError

from sectorlights import __version__
from sectorlights.api.errors import refusal, validation_detail
from sectorlights.api.mcp import analysis, history, market, rrg
from sectorlights.api.mcp.callers import Callers
from sectorlights.engine.action_limits import ActionLimitError
from sectorlights.engine.container import Container
from sectorlights.engine.outages import DATABASE_UNAVAILABLE_ERRORS

INSTRUCTIONS = (
    "SectorLights scores 8 small-cap US sectors ($10M-$2B stocks) against the Russell 2000 (IWM) over "
    "30 minutes, 1 day, 3 days and 1 week: a score in [-1, +1], one of five colours (dark_red, "
    "light_red, blue_neutral, light_green, dark_green) and a shorting signal, with the top 3 bullish "
    "and bearish names per sector. A colour describes how the sector moved; it is not a forecast "
    "(get_colour_history gives what each colour has been followed by). Start with get_sector_grid; "
    "the grid's freshness says how old the analysis is, and request_analysis starts a fresh one."
)


class SectorLightsServer(MCPServer):
    """Checks the caller before every tool call, and answers an engine refusal as a tool error with
    the API's detail (no prefix, no traceback in the log)."""

    def __init__(self, container: Container, callers: Callers) -> None:
        super().__init__(
            name="sectorlights",
            title="SectorLights",
            description="Small-cap sector traffic lights",
            instructions=INSTRUCTIONS,
            version=__version__,
        )
        self.container = container
        self.callers = callers

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[Any, Any] | None = None
    ) -> CallToolResult | InputRequiredResult:
        if context is not None:
            await self.callers.caller(context)
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as error:
            detail = self._refusal_detail(error.__cause__)
            if detail is None:
                raise
            return CallToolResult(content=[TextContent(type="text", text=detail)], is_error=True)

    def _refusal_detail(self, error: BaseException | None) -> str | None:
        """The API's one-line detail for what the tool or its arguments met, None for a fault."""
        if isinstance(error, UnexpectedToolError | ToolError):
            return None
        if isinstance(error, ValidationError):
            return validation_detail(error.errors())
        if isinstance(error, HTTPException):
            return str(error.detail)
        if isinstance(error, ActionLimitError):
            return str(error)
        if isinstance(error, DATABASE_UNAVAILABLE_ERRORS):
            # As the API's handler: the watch logs the outage once when it starts and once when it ends.
            self.container.users.database_watch.failed(error)
        answered = refusal(error) if error is not None else None
        return None if answered is None else answered.detail


def build_server(container: Container, callers: Callers) -> SectorLightsServer:
    server = SectorLightsServer(container, callers)
    market.register(server, container)
    history.register(server, container)
    analysis.register(server, container, callers)
    rrg.register(server, container)
    return server
