"""SectorLights' own MCP server, so an AI assistant can ask about the small-cap sectors: read-only
tools over the grid, a sector, why it has its colour, a stock and the history, and one tool that
requests a fresh analysis. Served over stdio (`sectorlights mcp`) and streamable HTTP (`/mcp` of the
app); the tools call the engine services the API routes call. See docs/mcp.md."""
