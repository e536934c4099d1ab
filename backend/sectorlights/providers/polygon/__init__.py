"""Polygon/Massive market data, over REST (the official `massive` client) or over MCP."""
