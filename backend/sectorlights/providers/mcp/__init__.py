"""A stand-in for Polygon's official MCP server, speaking the same `call_api` CSV contract.

`sim_server` is the stdio server (`python -m sectorlights.providers.mcp.sim_server`); `formatting`
holds the official server's JSON-to-CSV rules. The MCP client lives in `providers/polygon/mcp.py`.
"""
