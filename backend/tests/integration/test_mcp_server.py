"""SectorLights' MCP server through the SDK's own client: `sectorlights mcp` over stdio and `/mcp` of
a real `sectorlights serve` over streamable HTTP, on one migrated SQLite database holding a finished
simulated analysis, with SECTORLIGHTS_AUTH=required. Every tool is called over both transports and
answers what its API route answers; refusals carry the API's words; the run tool is rate-limited as
`POST /api/analysis`.

The tests that start runs come last: until then the database holds the one analysis both processes
serve, so the tools' answers can be compared with the API's."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx
import httpx2
import pytest
import pytest_asyncio
from mcp import Client, ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp_types import CallToolResult

from sectorlights.api.mcp.callers import StdioCallers
from sectorlights.api.mcp.server import build_server
from sectorlights.domain.explanations import SectorColourReason
from sectorlights.domain.responses import SectorGrid
from sectorlights.engine.container import build_container
from sectorlights.settings import load_settings
from sectorlights.storage.users import UserStore
from tests.conftest import FROZEN
from tests.databases import migrated_sqlite
from tests.servers import run_command, running_process, sectorlights_command

pytestmark = pytest.mark.asyncio(loop_scope="module")

T = TypeVar("T")

# Three runs may start at once (the allowance's burst), then one every two minutes.
ENV = FROZEN | {
    "SECTORLIGHTS_AUTH": "required",
    "SECTORLIGHTS_RUN_ON_START": "false",
    "SECTORLIGHTS_USER_ACTIONS_PER_MINUTE": "0.5",
}
TOOLS = {
    "get_sector_grid",
    "get_sector",
    "explain_sector_colour",
    "get_stock",
    "get_sector_history",
    "get_stock_history",
    "list_runs",
    "get_colour_history",
    "get_latest_analysis",
    "get_analysis_run",
    "request_analysis",
    "get_rotation_graph",
}
TRANSPORTS = ["stdio", "http"]
UNKNOWN_RUN = uuid.UUID(int=1)


@dataclass
class Served:
    """The database's analysis behind both servers, and the HTTP one's address and token."""

    directory: Path
    base_url: str
    token: str
    run_id: str
    symbol: str

    def api(self, path: str) -> httpx.Response:
        return httpx.get(self.base_url + path, headers=self.bearer(self.token), timeout=30)

    def post(self, path: str, headers: dict[str, str], body: object = None) -> httpx.Response:
        return httpx.post(self.base_url + path, json=body, headers=headers, timeout=30)

    @staticmethod
    def bearer(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """Migrated with alice as a user, analysed by `sectorlights analyze`, then served."""
    directory = tmp_path_factory.mktemp("mcp")
    # Where both servers find the embedded database: data/sectorlights.db under their directory.
    with migrated_sqlite(directory / "data" / "sectorlights.db") as engine:
        token = UserStore(engine).add("alice", datetime.now(UTC))
    analysed = run_command(["analyze"], ENV, directory)
    assert analysed.returncode == 0, analysed.stderr
    with running_process(["serve"], ENV, directory, "/livez", 120, "server") as server:
        bare = Served(directory, server.base_url, token, run_id="", symbol="")
        grid = bare.api("/api/sectors").json()
        member = bare.api("/api/universe?limit=1").json()["members"][0]
        yield replace(bare, run_id=grid["run_id"], symbol=member["symbol"])


async def _held(
    context: AbstractAsyncContextManager[T], stop: asyncio.Event, ready: asyncio.Future[T]
) -> None:
    async with context as value:
        ready.set_result(value)
        await stop.wait()


@asynccontextmanager
async def held_open(context: AbstractAsyncContextManager[T]) -> AsyncIterator[T]:
    """`context` entered and left in a task of its own: the SDK's transports are anyio task groups,
    which must be left by the task that entered them, and a module's tests run in tasks of their own."""
    stop = asyncio.Event()
    ready: asyncio.Future[T] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(_held(context, stop, ready))
    await asyncio.wait({task, ready}, timeout=120, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        task.result()  # raises what stopped it
    try:
        yield ready.result()
    finally:
        stop.set()
        await task


@asynccontextmanager
async def stdio_session(served: Served, log: Path) -> AsyncIterator[ClientSession]:
    program, *first_args = sectorlights_command()
    params = StdioServerParameters(
        command=program,
        args=[*first_args, "mcp"],
        env=ENV | {"SECTORLIGHTS_MCP_TOKEN": served.token},
        cwd=served.directory,
    )
    with log.open("w") as errlog:
        async with (
            stdio_client(params, errlog=errlog) as (read, write),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            yield session


@asynccontextmanager
async def http_session(served: Served, token: str) -> AsyncIterator[ClientSession]:
    async with (
        httpx2.AsyncClient(headers=Served.bearer(token), timeout=60) as http,
        streamable_http_client(f"{served.base_url}/mcp", http_client=http) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        yield session


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def stdio(served: Served) -> AsyncIterator[ClientSession]:
    """The one `sectorlights mcp` of the module, acting for alice."""
    async with held_open(stdio_session(served, served.directory / "mcp-stdio.log")) as session:
        yield session


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def http(served: Served) -> AsyncIterator[ClientSession]:
    async with held_open(http_session(served, served.token)) as session:
        yield session


@pytest.fixture(params=TRANSPORTS)
def session(request: pytest.FixtureRequest) -> ClientSession:
    chosen: ClientSession = request.getfixturevalue(request.param)
    return chosen


def structured(result: CallToolResult) -> dict[str, Any]:
    assert not result.is_error, result.content
    assert result.content and result.content[0].type == "text" and result.content[0].text
    body: dict[str, Any] = result.structured_content
    return body


def error_text(result: CallToolResult) -> str:
    assert result.is_error, result.structured_content
    text: str = result.content[0].text  # type: ignore[union-attr]
    return text


async def test_stdio_lists_every_tool_with_its_schemas(stdio: ClientSession, served: Served) -> None:
    tools = {tool.name: tool for tool in (await stdio.list_tools()).tools}
    assert set(tools) == TOOLS
    for tool in tools.values():
        assert tool.description and len(tool.description) > 40, tool.name
        assert tool.input_schema["type"] == "object", tool.name
        assert tool.output_schema is not None and tool.output_schema["type"] == "object", tool.name
        assert tool.annotations is not None
        assert tool.annotations.read_only_hint is (tool.name != "request_analysis"), tool.name
    assert tools["get_sector"].input_schema["required"] == ["sector"]
    assert "dark_green" in str(tools["get_sector_grid"].output_schema)
    # stdout is the protocol: the server's log lines went to stderr.
    assert "MCP server on stdio for user alice" in (served.directory / "mcp-stdio.log").read_text()


async def test_the_grid_tool_answers_the_api_grid(session: ClientSession, served: Served) -> None:
    result = await session.call_tool("get_sector_grid", {})
    grid = structured(result)
    api = served.api("/api/sectors").json()
    assert len(grid["sectors"]) == 8
    assert grid["sectors"] == api["sectors"]
    assert grid == api
    assert result.content[0].text.startswith("8 sectors as of ")  # type: ignore[union-attr]
    SectorGrid.model_validate(grid)


# (tool, arguments, the API route answering the same); {symbol} and {run_id} name the analysis's.
READ_TOOLS = [
    ("get_sector", {"sector": "technology"}, "/api/sectors/technology"),
    ("get_stock", {"symbol": "{lower_symbol}"}, "/api/stocks/{symbol}"),
    ("get_sector_history", {"sector": "energy", "limit": 5}, "/api/sectors/energy/history?limit=5"),
    ("get_stock_history", {"symbol": "{symbol}"}, "/api/stocks/{symbol}/history?limit=50"),
    ("list_runs", {}, "/api/runs?limit=20"),
    ("get_sector_grid", {"run_id": "{run_id}"}, "/api/runs/{run_id}/grid"),
    ("get_colour_history", {}, "/api/colour-history"),
    ("get_latest_analysis", {}, "/api/analysis/latest"),
    ("get_analysis_run", {"run_id": "{run_id}"}, "/api/analysis/{run_id}"),
    ("get_rotation_graph", {}, "/api/rrg"),
    (
        "get_rotation_graph",
        {"interval": "30min", "tail": 12, "run_id": "{run_id}"},
        "/api/rrg?interval=30min&tail=12&run_id={run_id}",
    ),
]


def _filled(text: str, served: Served) -> str:
    return text.format(symbol=served.symbol, lower_symbol=served.symbol.lower(), run_id=served.run_id)


@pytest.mark.parametrize(("tool", "arguments", "route"), READ_TOOLS, ids=[case[0] for case in READ_TOOLS])
async def test_each_read_tool_answers_what_its_route_answers(
    session: ClientSession, served: Served, tool: str, arguments: dict[str, Any], route: str
) -> None:
    filled = {
        name: _filled(value, served) if isinstance(value, str) else value for name, value in arguments.items()
    }
    answer = structured(await session.call_tool(tool, filled))
    api = served.api(_filled(route, served))
    assert api.status_code == 200, api.text
    assert answer == api.json()


async def test_why_a_sector_has_its_colour(session: ClientSession, served: Served) -> None:
    result = await session.call_tool("explain_sector_colour", {"sector": "energy"})
    reason = SectorColourReason.model_validate(structured(result))
    card = served.api("/api/sectors/energy").json()["sector"]
    assert reason.sector.model_dump(mode="json") == card
    assert reason.run_id == served.run_id
    assert sum(reason.timeframe_weights.values()) == pytest.approx(1.0)
    members = {m["symbol"]: m for m in served.api("/api/universe?sector=energy&limit=1000").json()["members"]}
    for timeframe, movers in reason.movers.items():
        assert 0 < len(movers) <= 5
        pulls = [abs(mover.pull_pct) for mover in movers]
        assert pulls == sorted(pulls, reverse=True), timeframe
        for mover in movers:
            assert mover.change_pct == members[mover.symbol][f"change_{timeframe.value}_pct"]
            assert 0.25 <= mover.volume_weight <= 4.0
    text = result.content[0].text  # type: ignore[union-attr]
    assert text.startswith(f"Energy is {card['color']}") and "moved most by" in text


# (tool, arguments, the API route refusing the same, or None, and what the tool's error says).
REFUSALS = [
    ("get_stock", {"symbol": "ZZZZ"}, "/api/stocks/ZZZZ", "ZZZZ is not listed in the latest analysis"),
    ("get_stock_history", {"symbol": "ZZZZ"}, "/api/stocks/ZZZZ/history", "ZZZZ has no stored history"),
    (
        "get_analysis_run",
        {"run_id": str(UNKNOWN_RUN)},
        f"/api/analysis/{UNKNOWN_RUN}",
        "no analysis run",
    ),
    (
        "get_sector_grid",
        {"run_id": str(UNKNOWN_RUN)},
        f"/api/runs/{UNKNOWN_RUN}/grid",
        "no stored successful run",
    ),
    (
        "get_sector_history",
        {"sector": "energy", "since": "2026-11-24T12:00:00Z", "until": "2026-11-23T12:00:00Z"},
        "/api/sectors/energy/history?since=2026-11-24T12:00:00Z&until=2026-11-23T12:00:00Z",
        "since: must not be after until",
    ),
    ("get_sector", {"sector": "crypto"}, None, "sector: Input should be 'technology', 'healthcare'"),
    ("get_stock", {"symbol": "NOT A TICKER"}, None, "symbol: String should have at most 10 characters"),
    ("get_stock", {"symbol": "A$B"}, None, "symbol: String should match pattern"),
    (
        "get_sector_history",
        {"sector": "energy", "limit": 0},
        None,
        "limit: Input should be greater than or equal to 1",
    ),
    ("get_analysis_run", {"run_id": "last"}, None, "run_id: Input should be a valid UUID"),
    (
        "get_rotation_graph",
        {"run_id": str(UNKNOWN_RUN)},
        f"/api/rrg?run_id={UNKNOWN_RUN}",
        f"run_id: no successful run {UNKNOWN_RUN}",
    ),
    ("get_rotation_graph", {"tail": 13}, None, "tail: Input should be less than or equal to 12"),
    ("get_rotation_graph", {"interval": "hour"}, None, "interval: Input should be 'day' or '30min'"),
]


@pytest.mark.parametrize(
    ("tool", "arguments", "route", "words"), REFUSALS, ids=[f"{c[0]}-{c[3][:24]}" for c in REFUSALS]
)
async def test_refusals_are_tool_errors_worded_as_the_api(
    session: ClientSession,
    served: Served,
    tool: str,
    arguments: dict[str, Any],
    route: str | None,
    words: str,
) -> None:
    text = error_text(await session.call_tool(tool, arguments))
    assert words in text
    assert "Traceback" not in text and "Error executing tool" not in text
    if route is not None:
        assert text == served.api(route).json()["detail"]


@pytest.mark.parametrize(
    ("headers", "detail"),
    [
        ({}, "Authorization: missing; send `Authorization: Bearer <token>`"),
        ({"Authorization": "Bearer not-a-token"}, "Authorization: unknown token"),
        ({"Authorization": "Basic YWxpY2U6eA=="}, "Authorization: expected `Bearer <token>`"),
    ],
    ids=["no token", "unknown token", "not bearer"],
)
async def test_http_needs_the_api_token(served: Served, headers: dict[str, str], detail: str) -> None:
    initialize = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "t", "version": "1"},
        },
    }
    accept = {"Accept": "application/json, text/event-stream"}
    refused = served.post("/mcp", accept | headers, initialize)
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"] == "Bearer"
    assert refused.json()["detail"].startswith(detail)
    let_in = served.post("/mcp", accept | served.bearer(served.token), initialize)
    assert let_in.status_code == 200, let_in.text
    assert let_in.json()["result"]["serverInfo"]["name"] == "sectorlights"


async def test_stdio_refuses_to_start_without_a_users_token(served: Served) -> None:
    cases = [
        (ENV, "SECTORLIGHTS_MCP_TOKEN: missing"),
        (ENV | {"SECTORLIGHTS_MCP_TOKEN": "not-a-token"}, "SECTORLIGHTS_MCP_TOKEN: unknown token"),
    ]
    results = await asyncio.gather(
        *(asyncio.to_thread(run_command, ["mcp"], env, served.directory, 60) for env, _words in cases)
    )
    for (_env, words), result in zip(cases, results, strict=True):
        assert result.returncode == 2, result.stderr
        assert result.stdout == ""
        assert f"configuration error: {words}" in result.stderr
        assert "Traceback" not in result.stderr


@pytest.mark.usefixtures("clean_env")
async def test_before_the_first_analysis_every_read_tool_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with migrated_sqlite(tmp_path / "empty.db") as engine:
        for name, value in (FROZEN | {"DATABASE_URL": engine.url.render_as_string()}).items():
            monkeypatch.setenv(name, value)
        container = build_container(load_settings())
        try:
            server = build_server(container, StdioCallers(container.users, False, None))
            async with Client(server) as client:
                answers = {
                    tool: error_text(await client.call_tool(tool, arguments))
                    for tool, arguments in [
                        ("get_sector_grid", {}),
                        ("get_sector", {"sector": "energy"}),
                        ("explain_sector_colour", {"sector": "energy"}),
                        ("get_stock", {"symbol": "SOUN"}),
                        ("get_latest_analysis", {}),
                        ("get_rotation_graph", {}),
                    ]
                }
        finally:
            await container.close()
    no_grid = "No analysis yet: the first run is in progress."
    assert answers == {
        "get_sector_grid": no_grid,
        "get_sector": no_grid,
        "explain_sector_colour": no_grid,
        "get_stock": no_grid,
        # The trader's views (as GET /api/rrg's 409) word it with what to do.
        "get_rotation_graph": f"{no_grid[:-1]}; try again once the grid is published.",
        "get_latest_analysis": "No analysis has run yet: POST /api/analysis to start one.",
    }


# --- from here on, runs are started ------------------------------------------------------------------


async def _until_settled(session: ClientSession, run_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    while True:
        run = structured(await session.call_tool("get_analysis_run", {"run_id": run_id}))
        if run["status"] != "running":
            return run
        assert time.monotonic() < deadline, f"run {run_id} still running"
        await asyncio.sleep(0.2)


async def test_stdio_request_analysis_runs_and_the_grid_follows(stdio: ClientSession) -> None:
    started = structured(await stdio.call_tool("request_analysis", {}))
    assert started["joined"] is False and started["trigger"] == "on_demand"
    assert (await _until_settled(stdio, started["run_id"]))["status"] == "succeeded"
    grid = structured(await stdio.call_tool("get_sector_grid", {}))
    assert grid["run_id"] == started["run_id"]


async def test_request_analysis_spends_the_callers_api_allowance(http: ClientSession, served: Served) -> None:
    """Three runs start (the burst), the fourth request is refused as `POST /api/analysis` refuses it,
    and the API then refuses alice too: one allowance per user, whichever door she uses."""
    started: list[str] = []
    refused = ""
    for _ in range(5):
        result = await http.call_tool("request_analysis", {})
        if result.is_error:
            refused = error_text(result)
            break
        run = structured(result)
        assert run["joined"] is False
        started.append(run["run_id"])
        assert (await _until_settled(http, run["run_id"]))["status"] == "succeeded"
    assert len(started) == 3
    assert re.fullmatch(
        r"too many analyses started for user alice: at most 0\.5 a minute; retry in \d+ s", refused
    )
    api = served.post("/api/analysis", served.bearer(served.token))
    assert api.status_code == 429
    assert api.json()["detail"].startswith("too many analyses started for user alice")


async def test_the_stdio_grid_follows_the_runs_the_dashboard_stores(
    stdio: ClientSession, served: Served
) -> None:
    """The stdio server keeps the grid only briefly (its cache is not the dashboard's), so the runs
    `serve` stored above reach it from the database."""
    latest = served.api("/api/analysis/latest").json()["grid_run_id"]
    deadline = time.monotonic() + 60
    while structured(await stdio.call_tool("get_sector_grid", {}))["run_id"] != latest:
        assert time.monotonic() < deadline, "the stdio server still serves an older grid"
        await asyncio.sleep(0.5)


async def test_a_rotated_token_stops_the_stdio_server_at_the_next_call(
    stdio: ClientSession, served: Served
) -> None:
    """Last: alice's token changes, so neither server lets the old one in any more."""
    rotated = await asyncio.to_thread(run_command, ["users", "rotate", "alice"], ENV, served.directory)
    assert rotated.returncode == 0, rotated.stderr
    text = error_text(await stdio.call_tool("get_sector_grid", {}))
    assert text.startswith("SECTORLIGHTS_MCP_TOKEN: unknown token")
