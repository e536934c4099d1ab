"""The relative rotation graph (RRG) tool's place, apart from the others.

The RRG (each sector's relative strength against IWM and its momentum, by quadrant) is being built
as its own engine service; its tool is added here once that service is in, calling the same engine
function as its API route, like every other tool. Until then this registers nothing.
"""

from __future__ import annotations

from mcp.server.mcpserver import MCPServer

from sectorlights.engine.container import Container


def register(server: MCPServer, container: Container) -> None:
    """Registers the RRG tool (none yet)."""
