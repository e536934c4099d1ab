"""The stand-in MCP server's tools, in process (mcp's in-memory client), against the fixture replay
server: the `mcp_massive` 0.9 contract for results, pagination, empty answers, every error kind,
argument validation and the endpoint allowlist built from a docs index."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from mcp.client import Client
from mcp_types import TextContent

from sectorlights.simvendor import docs_index
from sectorlights.simvendor.mcp_server import create_server, server_from_environment
from tests.fixture_server import FixtureServer

KEY = "sk-test-0123456789abcdef"

pytestmark = pytest.mark.timeout(60)


async def call(api: Any, tool: str, **arguments: Any) -> str:
    failed, text = await outcome(api, tool, **arguments)
    assert not failed, text
    return text


async def outcome(api: Any, tool: str, **arguments: Any) -> tuple[bool, str]:
    """Whether the call itself failed (is_error), and its text."""
    async with Client(api) as client:
        result = await client.call_tool(tool, arguments)
    return result.is_error, "".join(part.text for part in result.content if isinstance(part, TextContent))


async def test_call_api_answers_csv_and_the_next_page(fixture_server: FixtureServer) -> None:
    api = create_server(KEY, fixture_server.base_url)
    text = await call(api, "call_api", path="/v3/reference/tickers", params={"market": "stocks", "limit": 2})
    lines = text.split("\n")
    assert lines[0] == (
        "ticker,name,market,locale,primary_exchange,type,active,currency_name,cik,composite_figi,"
        "share_class_figi,last_updated_utc"
    )
    assert lines[1].startswith("A,Agilent Technologies Inc.,stocks,us,XNYS,CS,True,usd,0001090872,")
    assert lines[-1].startswith(
        'Next page available. To fetch, call call_api with path="/v3/reference/tickers" '
        'and params={"cursor": '
    )
    assert fixture_server.requests[-1] == "/v3/reference/tickers?market=stocks&limit=2"
    cursor = json.loads(lines[-1].split("params=", 1)[1])["cursor"]
    page_two = await call(api, "call_api", path="/v3/reference/tickers", params={"cursor": cursor})
    assert "AAAU,Goldman Sachs Physical Gold ETF Shares" in page_two
    assert "Next page" not in page_two


async def test_market_status_is_one_flattened_row(fixture_server: FixtureServer) -> None:
    text = await call(create_server(KEY, fixture_server.base_url), "call_api", path="/v1/marketstatus/now")
    assert text == (
        "market,earlyHours,afterHours,serverTime,exchanges_nyse,exchanges_nasdaq,exchanges_otc,"
        "currencies_fx,currencies_crypto\n"
        "extended-hours,False,True,2022-04-28T16:48:08-04:00,extended-hours,extended-hours,"
        "extended-hours,open,open\n"
    )


async def test_empty_results_are_a_warning(fixture_server: FixtureServer) -> None:
    fixture_server.inject(
        "/v2/aggs/grouped", status=None, body='{"queryCount": 0, "resultsCount": 0, "status": "OK"}'
    )
    text = await call(
        create_server(KEY, fixture_server.base_url),
        "call_api",
        path="/v2/aggs/grouped/locale/us/market/stocks/2026-11-26",
    )
    assert text.startswith("Warning [EMPTY]: API returned 0 records.")


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (401, "Error [AUTH]: HTTP 401 — "),
        (403, "Error [AUTH]: HTTP 403 — "),
        (429, "Error [RATE_LIMIT]: HTTP 429 — "),
        (500, "Error [SERVER]: HTTP 500 — "),
        (502, "Error [SERVER]: HTTP 502 — "),
        (404, "Error [HTTP]: HTTP 404 — "),
    ],
)
async def test_http_errors_become_error_text(
    fixture_server: FixtureServer, status: int, expected: str
) -> None:
    fixture_server.inject("/v1/marketstatus", status=status)
    text = await call(create_server(KEY, fixture_server.base_url), "call_api", path="/v1/marketstatus/now")
    assert text.startswith(expected)
    assert f"injected HTTP {status}" in text


@pytest.mark.parametrize(
    ("path", "params", "expected"),
    [
        (
            "/v2/aggs/../../etc/passwd",
            None,
            "Error [INVALID_REQUEST]: Invalid path — path traversal not allowed",
        ),
        (
            "/v2/aggs/ticker/%2e%2e/x",
            None,
            "Error [INVALID_REQUEST]: Invalid path — path traversal not allowed",
        ),
        (
            "/v3/reference/tickers?limit=1",
            None,
            "Error [INVALID_REQUEST]: path must not contain query string",
        ),
        ("/v9/unknown", None, "Error [NOT_FOUND]: Path not in allowlist: /v9/unknown."),
        (
            "/v3/reference/tickers",
            {"bad key!": "x"},
            "Error [INVALID_REQUEST]: Invalid query parameter key: bad key!",
        ),
    ],
)
async def test_bad_requests_never_reach_the_vendor(
    fixture_server: FixtureServer, path: str, params: dict[str, str] | None, expected: str
) -> None:
    before = len(fixture_server.requests)
    text = await call(create_server(KEY, fixture_server.base_url), "call_api", path=path, params=params)
    assert text.startswith(expected)
    assert len(fixture_server.requests) == before


async def test_no_key_is_an_auth_error_and_the_key_goes_in_a_header_only(
    fixture_server: FixtureServer,
) -> None:
    text = await call(
        server_from_environment({"MASSIVE_API_BASE_URL": fixture_server.base_url}),
        "call_api",
        path="/v1/marketstatus/now",
    )
    assert text == "Error [AUTH]: MASSIVE_API_KEY is not set."
    legacy = server_from_environment(
        {"POLYGON_API_KEY": KEY, "MASSIVE_API_BASE_URL": fixture_server.base_url}
    )
    assert (await call(legacy, "call_api", path="/v1/marketstatus/now")).startswith("market,")
    assert all(KEY not in request for request in fixture_server.requests)


async def test_unreachable_vendor_is_a_network_error() -> None:
    text = await call(
        create_server(KEY, "http://127.0.0.1:9", timeout_secs=2), "call_api", path="/v1/marketstatus/now"
    )
    assert text.startswith("Error [NETWORK]: ConnectError")


async def test_search_endpoints_and_query_data(fixture_server: FixtureServer) -> None:
    api = create_server(KEY, fixture_server.base_url)
    found = await call(api, "search_endpoints", query="snapshot")
    assert "GET /v2/snapshot/locale/us/markets/stocks/tickers" in found
    assert "/v3/reference/tickers\n" not in found
    assert (await call(api, "search_endpoints", query="zzzz")).startswith("No matching endpoints")
    assert (await call(api, "query_data", sql="SHOW TABLES")).startswith(
        "Error [INVALID_REQUEST]: query_data"
    )
    async with Client(api) as client:
        tools = {tool.name for tool in (await client.list_tools()).tools}
    assert tools == {"search_endpoints", "call_api", "query_data"}


@pytest.mark.parametrize(
    ("tool", "arguments", "expected"),
    [
        ("call_api", {"path": "/v1/marketstatus/now", "limit": 5}, "limit\n  Extra inputs are not permitted"),
        (
            "call_api",
            {"path": "/v1/marketstatus/now", "store_as": "my table"},
            "store_as\n  String should match",
        ),
        ("call_api", {"params": {}}, "path\n  Field required"),
        ("search_endpoints", {"query": ""}, "query\n  String should have at least 1 character"),
        (
            "search_endpoints",
            {"query": "bars", "max_results": 26},
            "max_results\n  Input should be less than",
        ),
        ("query_data", {"sql": "SHOW TABLES", "table": "x"}, "table\n  Extra inputs are not permitted"),
    ],
)
async def test_arguments_are_validated_like_mcp_massive(
    fixture_server: FixtureServer, tool: str, arguments: dict[str, Any], expected: str
) -> None:
    """mcp_massive forbids undeclared arguments: the call fails instead of ignoring them."""
    failed, text = await outcome(create_server(KEY, fixture_server.base_url), tool, **arguments)
    assert failed and text.startswith(f"Error executing tool {tool}: 1 validation error for {tool}Arguments")
    assert expected in text
    assert fixture_server.requests == []


async def test_the_tools_declare_the_official_arguments_and_nothing_else() -> None:
    async with Client(create_server(KEY)) as client:
        schemas = {tool.name: tool.input_schema for tool in (await client.list_tools()).tools}
    assert {name: list(schema["properties"]) for name, schema in schemas.items()} == {
        "search_endpoints": ["query", "scope", "max_results", "detail", "market"],
        "call_api": ["path", "params", "store_as", "apply", "api_key"],
        "query_data": ["sql", "apply", "max_cell_chars"],
    }
    assert all(schema["additionalProperties"] is False for schema in schemas.values())


async def test_a_valid_store_as_is_refused_and_the_call_api_key_wins(fixture_server: FixtureServer) -> None:
    api = create_server("", fixture_server.base_url)
    stored = await call(api, "call_api", path="/v1/marketstatus/now", store_as="status", api_key=KEY)
    assert stored.startswith("Error [INVALID_REQUEST]: store_as and apply are not supported")
    assert (await call(api, "call_api", path="/v1/marketstatus/now", api_key=KEY)).startswith("market,")


@pytest.fixture
def docs(fixture_server: FixtureServer, tmp_path: Path) -> str:
    """The sim vendor's docs index, served by the fixture server; its URL."""
    index = tmp_path / "llms-full.txt"
    index.write_text(docs_index.render(docs_index.SIM_VENDOR_ENDPOINTS))
    fixture_server.route(docs_index.SIM_VENDOR_PATH, index)
    return fixture_server.base_url + docs_index.SIM_VENDOR_PATH


async def test_the_allowlist_is_the_docs_index_read_once(fixture_server: FixtureServer, docs: str) -> None:
    api = create_server(KEY, fixture_server.base_url, docs_url=docs)
    assert fixture_server.hits(docs_index.SIM_VENDOR_PATH) == 0  # fetched on the first call, not before
    assert (await call(api, "call_api", path="/v3/reference/tickers/AAPL")).startswith("ticker,name,")
    # Listed paths allow what starts with them up to their first placeholder; others are refused.
    refused = await call(api, "call_api", path="/v1/marketstatus/upcoming")
    assert refused.startswith("Error [NOT_FOUND]: Path not in allowlist: /v1/marketstatus/upcoming.")
    found = await call(api, "search_endpoints", query="snapshot", market="Stocks")
    assert found.startswith(
        "1. Full Market Snapshot [Stocks]\n   GET /v2/snapshot/locale/us/markets/stocks/tickers"
    )
    assert fixture_server.hits(docs_index.SIM_VENDOR_PATH) == 1


async def test_a_docs_index_that_cannot_be_fetched_leaves_every_path_refused_for_good(
    fixture_server: FixtureServer, docs: str
) -> None:
    """mcp_massive's failure mode, reproduced: the index stays empty once its one fetch failed."""
    fixture_server.inject(docs_index.SIM_VENDOR_PATH, status=503)
    api = create_server(KEY, fixture_server.base_url, docs_url=docs)
    for path in ("/v1/marketstatus/now", "/v2/snapshot/locale/us/markets/stocks/tickers"):
        text = await call(api, "call_api", path=path)
        hint = "Use search_endpoints to find the correct path."
        assert text == f"Error [NOT_FOUND]: Path not in allowlist: {path}. {hint}"
    assert (await call(api, "search_endpoints", query="snapshot")).startswith("No matching endpoints")
    assert fixture_server.hits(docs_index.SIM_VENDOR_PATH) == 1  # the docs are back, but never asked again
    assert fixture_server.hits("/v1") == 0
