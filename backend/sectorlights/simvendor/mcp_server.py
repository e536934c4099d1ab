"""A stand-in for Polygon's official MCP server (`mcp_massive` 0.9), for tests and demos.

`mcp_massive` needs Python >= 3.12 and is not on PyPI, so this module speaks its tool contract over
stdio with the `mcp` SDK instead: `call_api(path, params)` fetches ONE page of a Polygon-shaped REST
API at `MASSIVE_API_BASE_URL` with `MASSIVE_API_KEY` (or `POLYGON_API_KEY`, or the call's `api_key`)
sent as a bearer token, and answers CSV text exactly as the official server formats it (see
`mcp_format.py`); `search_endpoints(query)` lists the endpoints it knows; `query_data(sql)`, `store_as`
and `apply` answer that stored tables and functions are not supported. The tools take the official
arguments with the official constraints, and refuse any other argument (`Error executing tool ...`).

Its path allowlist works as the official one (`docs_index.py`): with `MASSIVE_LLMS_TXT_URL` set, it is
built on the first tool call from the docs index there, and when that fetch fails it stays EMPTY
for the life of the process, so every path is refused with `Error [NOT_FOUND]: Path not in
allowlist` (the official server's failure mode, reproduced for tests). Without the variable the
stand-in uses its built-in stock endpoints instead of fetching massive.com. It writes the official
startup line and its errors to stderr. Run it with `python -m sectorlights.simvendor.mcp_server`.

Fault injection for tests: with `SECTORLIGHTS_SIM_MCP_EXIT_AFTER=N` the process exits abruptly while
handling call_api number N+1 (a crash the client must survive).
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import sys
from collections.abc import Mapping
from typing import Annotated, Any, Literal
from urllib.parse import unquote

import httpx
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.tools import Tool
from pydantic import BaseModel, ConfigDict, Field

from sectorlights.simvendor import docs_index
from sectorlights.simvendor.docs_index import DocumentedEndpoint
from sectorlights.simvendor.mcp_format import format_http_error, format_response

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.massive.com"
EXIT_AFTER_ENV = "SECTORLIGHTS_SIM_MCP_EXIT_AFTER"
DOCS_URL_ENV = "MASSIVE_LLMS_TXT_URL"

_PARAM_KEY = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_.]*$")
_Market = Literal[
    "Stocks", "Options", "Crypto", "Forex", "Futures", "Indices", "Economy", "Alternative", "Reference"
]


def _check_path(path: str, endpoints: tuple[DocumentedEndpoint, ...]) -> str | None:
    """The error text for an unusable path, else None (the official checks, in its order)."""
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
    if not docs_index.allows(endpoints, path):
        return (
            f"Error [NOT_FOUND]: Path not in allowlist: {path}. "
            "Use search_endpoints to find the correct path."
        )
    return None


class _EndpointIndex:
    """The endpoints the server may call: the built-in list, or the docs index fetched once (and kept
    empty when that fetch fails, as `mcp_massive` keeps it)."""

    def __init__(self, docs_url: str | None, timeout_secs: float) -> None:
        self._docs_url = docs_url
        self._timeout = timeout_secs
        self._endpoints: tuple[DocumentedEndpoint, ...] | None = (
            None if docs_url else docs_index.KNOWN_ENDPOINTS
        )
        self._lock = asyncio.Lock()

    async def endpoints(self) -> tuple[DocumentedEndpoint, ...]:
        if self._endpoints is not None:
            return self._endpoints
        async with self._lock:
            if self._endpoints is None:
                self._endpoints = await self._fetch()
        return self._endpoints

    async def _fetch(self) -> tuple[DocumentedEndpoint, ...]:
        url = str(self._docs_url)
        try:
            async with httpx.AsyncClient(timeout=self._timeout) as client:
                response = await client.get(url, follow_redirects=True)
                response.raise_for_status()
        except Exception as error:  # the official server swallows every failure the same way
            logger.error("Error fetching %s: %s", url, error)
            return ()
        return tuple(docs_index.parse(response.text))


def _strict(tool: Tool) -> Tool:
    """The tool refusing arguments it does not declare (mcp_massive sets `extra="forbid"`)."""
    loose = tool.fn_metadata.arg_model
    config = ConfigDict(**{**loose.model_config, "extra": "forbid"})
    strict: type[BaseModel] = type(loose.__name__, (loose,), {"model_config": config, "__module__": __name__})
    tool.fn_metadata.arg_model = strict  # type: ignore[assignment]
    tool.parameters = strict.model_json_schema(by_alias=True)
    return tool


def create_server(
    api_key: str,
    base_url: str = DEFAULT_BASE_URL,
    timeout_secs: float = 30.0,
    exit_after: int | None = None,
    docs_url: str | None = None,
) -> MCPServer[Any]:
    """The stand-in server: three tools, one HTTP client, no stored tables."""
    base = base_url.rstrip("/")
    default_key = api_key  # a call's own `api_key` argument overrides it
    index = _EndpointIndex(docs_url, timeout_secs)
    calls = 0
    # One client for the server's life: building one per call costs more than the call (TLS setup).
    clients: list[httpx.AsyncClient] = []

    async def search_endpoints(
        query: Annotated[
            str, Field(description="Natural language search query for API endpoints", min_length=1)
        ],
        scope: Annotated[
            Literal["all", "endpoints", "functions"] | None,
            Field(description='"endpoints", "functions" or "all" (the default)'),
        ] = None,
        max_results: Annotated[
            int | None, Field(description="At most this many results", ge=1, le=25)
        ] = None,
        detail: Annotated[
            Literal["default", "more", "verbose"] | None, Field(description="Level of detail per result")
        ] = None,
        market: Annotated[_Market | None, Field(description="Only endpoints of this market")] = None,
    ) -> str:
        """Search the market data API endpoints this server can call, by keywords."""
        del detail  # the stand-in has no parameter documentation to add
        words = [word for word in re.split(r"\W+", query.lower()) if word]
        matches = [
            endpoint
            for endpoint in await index.endpoints()
            if scope != "functions"
            and (market is None or endpoint.market == market)
            and any(word in f"{endpoint.title} {endpoint.path}".lower() for word in words)
        ][: max_results or 7]
        lines = [
            f"{number}. {found.title} [{found.market}]\n   GET {found.path}\n   {found.description}"
            for number, found in enumerate(matches, start=1)
        ]
        return "\n\n".join(lines) if lines else "No matching endpoints found. Try different search terms."

    async def call_api(
        path: Annotated[str, Field(description="API endpoint path (e.g., /v1/marketstatus/now)")],
        params: Annotated[
            dict[str, Any] | None, Field(description="Query parameters as key-value pairs")
        ] = None,
        store_as: Annotated[
            str | None,
            Field(description="Table name to store results as", pattern=r"^[a-zA-Z_][a-zA-Z0-9_]{0,62}$"),
        ] = None,
        apply: Annotated[
            list[dict[str, Any]] | None,
            Field(description="Function steps to post-process results", max_length=20),
        ] = None,
        api_key: Annotated[str | None, Field(description="API key for this request")] = None,
    ) -> str:
        """Fetch one page of a Massive.com REST API endpoint as CSV; paginated responses end with a
        next-page hint giving the path and params of the follow-up call."""
        nonlocal calls
        calls += 1
        if exit_after is not None and calls > exit_after:
            os._exit(70)  # fault injection: die mid-request, as a crashing server would
        problem = _check_path(path, await index.endpoints())
        if problem is not None:
            return problem
        for key in params or {}:
            if not _PARAM_KEY.match(key):
                return f"Error [INVALID_REQUEST]: Invalid query parameter key: {key}"
        key = api_key or default_key
        if not key:
            return "Error [AUTH]: MASSIVE_API_KEY is not set."
        if store_as is not None or apply:
            return (
                "Error [INVALID_REQUEST]: store_as and apply are not supported by this stand-in "
                "(no stored tables)."
            )
        headers = {"Authorization": f"Bearer {key}", "User-Agent": "MCP-Massive/sectorlights-stand-in"}
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

    async def query_data(
        sql: Annotated[
            str, Field(description="SQL query or SHOW TABLES / DESCRIBE / DROP TABLE", min_length=1)
        ],
        apply: Annotated[
            list[dict[str, Any]] | None,
            Field(description="Function steps to post-process results", max_length=20),
        ] = None,
        max_cell_chars: Annotated[
            int | None, Field(description="Truncate longer cells", ge=0, le=1_000_000)
        ] = 2000,
    ) -> str:
        """Run SQL on stored tables (not supported by this stand-in)."""
        del sql, apply, max_cell_chars
        return "Error [INVALID_REQUEST]: query_data is not supported by this stand-in (no stored tables)."

    tools = [_strict(Tool.from_function(function)) for function in (search_endpoints, call_api, query_data)]
    return MCPServer("Massive (SectorLights stand-in)", log_level="WARNING", tools=tools)


def server_from_environment(environ: Mapping[str, str]) -> MCPServer[Any]:
    """The server configured the way `mcp_massive` reads its environment."""
    api_key = environ.get("MASSIVE_API_KEY", "") or environ.get("POLYGON_API_KEY", "")
    base_url = environ.get("MASSIVE_API_BASE_URL", "") or DEFAULT_BASE_URL
    raw_exit_after = environ.get(EXIT_AFTER_ENV, "").strip()
    exit_after = int(raw_exit_after) if raw_exit_after else None
    docs_url = environ.get(DOCS_URL_ENV, "").strip() or None
    return create_server(api_key, base_url, exit_after=exit_after, docs_url=docs_url)


def main() -> None:
    # As mcp_massive: a startup line and the server's own errors on stderr (stdout is the protocol).
    logging.basicConfig(level=logging.WARNING, format="%(message)s", stream=sys.stderr)
    if os.environ.get("MASSIVE_API_KEY") or os.environ.get("POLYGON_API_KEY"):
        print("Starting Massive MCP server with API key configured.", file=sys.stderr)
    else:
        print("Warning: MASSIVE_API_KEY environment variable not set.", file=sys.stderr)
    server_from_environment(os.environ).run("stdio")


if __name__ == "__main__":
    main()
