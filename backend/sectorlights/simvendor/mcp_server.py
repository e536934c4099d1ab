"""A stand-in for Polygon's official MCP server (`mcp_massive`), for tests and demos.

`mcp_massive` needs Python >= 3.12 and is not on PyPI, so this module speaks its tool contract over
stdio with the `mcp` SDK instead: `call_api(path, params)` fetches ONE page of a Polygon-shaped REST
API at `MASSIVE_API_BASE_URL` with `MASSIVE_API_KEY` (or `POLYGON_API_KEY`) sent as a bearer token,
and answers CSV text exactly as the official server formats it (see `mcp_format.py`);
`search_endpoints(query)` lists the endpoints it knows; `query_data(sql)` answers that stored tables
are not supported. Run it with `python -m sectorlights.simvendor.mcp_server`.

Fault injection for tests: with `SECTORLIGHTS_SIM_MCP_EXIT_AFTER=N` the process exits abruptly while
handling call_api number N+1 (a crash the client must survive).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

import httpx
from mcp.server.mcpserver import MCPServer

from sectorlights.simvendor.mcp_format import format_http_error, format_response

DEFAULT_BASE_URL = "https://api.massive.com"
EXIT_AFTER_ENV = "SECTORLIGHTS_SIM_MCP_EXIT_AFTER"

# (path pattern, title): what search_endpoints can find and call_api accepts.
KNOWN_ENDPOINTS: tuple[tuple[str, str], ...] = (
    ("/v1/marketstatus/now", "Market Status"),
    ("/v1/marketstatus/upcoming", "Market Holidays"),
    ("/v1/open-close/{stocksTicker}/{date}", "Daily Ticker Summary (OHLC)"),
    ("/v2/aggs/grouped/locale/us/market/stocks/{date}", "Daily Market Summary (OHLC)"),
    ("/v2/aggs/ticker/{stocksTicker}/prev", "Previous Day Bar (OHLC)"),
    ("/v2/aggs/ticker/{stocksTicker}/range/{multiplier}/{timespan}/{from}/{to}", "Custom Bars (OHLC)"),
    ("/v2/last/trade/{stocksTicker}", "Last Trade"),
    ("/v2/reference/news", "News"),
    ("/v2/snapshot/locale/us/markets/stocks/tickers", "Full Market Snapshot"),
    ("/v2/snapshot/locale/us/markets/stocks/tickers/{stocksTicker}", "Single Ticker Snapshot"),
    ("/v2/snapshot/locale/us/markets/stocks/{direction}", "Top Market Movers"),
    ("/v3/reference/tickers", "All Tickers"),
    ("/v3/reference/tickers/types", "Ticker Types"),
    ("/v3/reference/tickers/{ticker}", "Ticker Overview"),
    ("/v3/reference/exchanges", "Exchanges"),
    ("/v3/reference/conditions", "Condition Codes"),
    ("/v3/snapshot", "Unified Snapshot"),
    ("/stocks/vX/float", "Float"),
    ("/stocks/v1/short-interest", "Short Interest"),
)

_SEGMENT = r"[^/]+"
_PATTERNS = [
    re.compile("^" + re.sub(r"\\\{[^}]+\\\}", _SEGMENT, re.escape(pattern)) + "$")
    for pattern, _ in KNOWN_ENDPOINTS
]
_PARAM_KEY = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_.]*$")


def path_allowed(path: str) -> bool:
    return any(pattern.match(path) for pattern in _PATTERNS)


def _check_path(path: str) -> str | None:
    """The error text for an unusable path, else None."""
    previous, decoded = path, unquote(path)
    while decoded != previous:
        previous, decoded = decoded, unquote(decoded)
    if ".." in decoded or "\\" in decoded:
        return "Error [INVALID_REQUEST]: Invalid path — path traversal not allowed"
    if "?" in decoded or "#" in decoded:
        return (
            "Error [INVALID_REQUEST]: path must not contain query string or fragment — "
            "pass parameters via params"
        )
    if not path_allowed(path):
        return (
            f"Error [NOT_FOUND]: Path not in allowlist: {path}. "
            "Use search_endpoints to find the correct path."
        )
    return None


def create_server(
    api_key: str, base_url: str = DEFAULT_BASE_URL, timeout_secs: float = 30.0, exit_after: int | None = None
) -> MCPServer[Any]:
    """The stand-in server: three tools, one HTTP client, nothing stored between calls."""
    server: MCPServer[Any] = MCPServer("Massive (SectorLights stand-in)", log_level="WARNING")
    base = base_url.rstrip("/")
    calls = 0
    # One client for the server's life: building one per call costs more than the call (TLS setup).
    clients: list[httpx.AsyncClient] = []

    @server.tool()
    async def search_endpoints(query: str) -> str:
        """Search the market data API endpoints this server can call, by keywords."""
        words = [word for word in re.split(r"\W+", query.lower()) if word]
        lines = [
            f"{number}. {title}\n   GET {pattern}"
            for number, (pattern, title) in enumerate(
                (
                    (pattern, title)
                    for pattern, title in KNOWN_ENDPOINTS
                    if not words or any(word in f"{title} {pattern}".lower() for word in words)
                ),
                start=1,
            )
        ]
        return "\n\n".join(lines) if lines else "No matching endpoints found. Try different search terms."

    @server.tool()
    async def call_api(path: str, params: dict[str, Any] | None = None) -> str:
        """Fetch one page of a Massive.com REST API endpoint as CSV; paginated responses end with a
        next-page hint giving the path and params of the follow-up call."""
        nonlocal calls
        calls += 1
        if exit_after is not None and calls > exit_after:
            os._exit(70)  # fault injection: die mid-request, as a crashing server would
        problem = _check_path(path)
        if problem is not None:
            return problem
        for key in params or {}:
            if not _PARAM_KEY.match(key):
                return f"Error [INVALID_REQUEST]: Invalid query parameter key: {key}"
        if not api_key:
            return "Error [AUTH]: MASSIVE_API_KEY is not set."
        headers = {"Authorization": f"Bearer {api_key}", "User-Agent": "MCP-Massive/sectorlights-stand-in"}
        if not clients:
            clients.append(httpx.AsyncClient(timeout=timeout_secs))
        try:
            response = await clients[0].get(f"{base}{path}", params=params, headers=headers)
            response.raise_for_status()
        except httpx.HTTPStatusError as error:
            return format_http_error(error.response.status_code, error.response.text)
        except Exception as error:  # the official server reports every other failure the same way
            return f"Error [NETWORK]: {type(error).__name__}: {error}"
        content_type = response.headers.get("content-type")
        if content_type and "json" not in content_type.lower() and "text" not in content_type.lower():
            return f"Error [INVALID_RESPONSE]: Unexpected Content-Type: {content_type[:120]}"
        return format_response(response.text)

    @server.tool()
    async def query_data(sql: str) -> str:
        """Run SQL on stored tables (not supported by this stand-in)."""
        return "Error [INVALID_REQUEST]: query_data is not supported by this stand-in (no stored tables)."

    return server


def server_from_environment(environ: Mapping[str, str]) -> MCPServer[Any]:
    """The server configured the way `mcp_massive` reads its environment."""
    api_key = environ.get("MASSIVE_API_KEY", "") or environ.get("POLYGON_API_KEY", "")
    base_url = environ.get("MASSIVE_API_BASE_URL", "") or DEFAULT_BASE_URL
    raw_exit_after = environ.get(EXIT_AFTER_ENV, "").strip()
    exit_after = int(raw_exit_after) if raw_exit_after else None
    return create_server(api_key, base_url, exit_after=exit_after)


def main() -> None:
    server_from_environment(os.environ).run("stdio")


if __name__ == "__main__":
    main()
