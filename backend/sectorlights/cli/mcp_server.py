"""`sectorlights mcp`: SectorLights' MCP server over stdio, for an AI assistant that launches it."""

from __future__ import annotations

import argparse
import asyncio
import logging

from sectorlights.cli.common import Commands, add_command, require_migrated
from sectorlights.settings import ConfigurationError, Settings

logger = logging.getLogger(__name__)

# The in-process cache of a stdio server is its own, not the dashboard's: it keeps the grid this
# briefly, so a run the dashboard (or anyone) stores is read from the database at the next call.
STDIO_GRID_TTL_SECS = 5


def register(commands: Commands) -> None:
    add_command(
        commands,
        "mcp",
        "serve the MCP tools over stdio, for an AI assistant",
        "Serve SectorLights' MCP server on stdin/stdout for an AI assistant that launches it (an "
        "`mcpServers` entry): read-only tools over the latest analysis in the configured database "
        "and one that requests a fresh analysis (docs/mcp.md). stdout carries the protocol only; logs "
        "go to stderr. The database must be migrated. With SECTORLIGHTS_AUTH=required, "
        "SECTORLIGHTS_MCP_TOKEN must hold a user's token (`sectorlights users add`).",
        run,
    )


def own_grid_cache(settings: Settings) -> Settings:
    """With the in-process cache, keep the grid only briefly (see STDIO_GRID_TTL_SECS)."""
    if settings.cache.redis_url is not None:
        return settings
    cache = settings.cache.model_copy(
        update={"market_hours_ttl_secs": STDIO_GRID_TTL_SECS, "off_hours_ttl_secs": STDIO_GRID_TTL_SECS}
    )
    return settings.model_copy(update={"cache": cache})


def run(settings: Settings, _arguments: argparse.Namespace) -> int:
    from mcp.server.mcpserver.exceptions import ToolError

    from sectorlights.api.mcp.callers import StdioCallers
    from sectorlights.api.mcp.server import build_server
    from sectorlights.engine.container import build_container

    settings = own_grid_cache(settings)
    token = settings.server.mcp_token

    async def serve() -> int:
        container = build_container(settings)
        try:
            require_migrated(settings, container.database)
            callers = StdioCallers(
                container.users,
                settings.server.auth == "required",
                None if token is None else token.get_secret_value(),
            )
            try:
                user = await callers.user()
            except ToolError as refused:
                raise ConfigurationError(f"configuration error: {refused}") from None
            logger.info("MCP server on stdio for user %s", user)
            # No schedule, no run at start: the dashboard's `serve` runs those. A run requested here
            # runs in this process, and stops with it.
            await build_server(container, callers).run_stdio_async()
            return 0
        finally:
            await container.close()

    return asyncio.run(serve())
