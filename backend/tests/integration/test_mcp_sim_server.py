"""The real thing end to end: PolygonMcpSource launches the stand-in MCP server
(`python -m sectorlights.simvendor.mcp_server`) over stdio, which calls a local HTTP server
replaying the recorded Polygon fixtures. Records must equal what the REST transforms make of the
same files; auth errors, rate limits and a dying server are handled."""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from sectorlights.providers.polygon import transform
from sectorlights.providers.polygon.mcp import McpServerError, McpSession, PolygonMcpSource
from sectorlights.providers.resilience import RetryPolicy, VendorError
from sectorlights.simvendor import docs_index
from sectorlights.simvendor.mcp_server import EXIT_AFTER_ENV
from tests.fixture_server import POLYGON_DOCS, POLYGON_MOCKS, FixtureServer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "polygon"
SERVER_MODULE = "sectorlights.simvendor.mcp_server"
COMMAND = f"{sys.executable} -m {SERVER_MODULE}"
KEY = "sk-test-0123456789abcdef"
NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
NEWS_SINCE = datetime(2024, 6, 1, tzinfo=UTC)
NEWS_UNTIL = datetime(2024, 7, 1, tzinfo=UTC)

pytestmark = pytest.mark.timeout(60)


def load(path: Path) -> Any:
    return json.loads(path.read_text())


@pytest.fixture(scope="module")
def fixture_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The client-python mocks plus docs samples at the paths the source asks for, and a second news page."""
    root = tmp_path_factory.mktemp("polygon") / "mocks"
    shutil.copytree(POLYGON_MOCKS, root)
    (root / "stocks/vX").mkdir(parents=True)
    shutil.copy(POLYGON_DOCS / "float.json", root / "stocks/vX/float.json")
    minute = root / "v2/aggs/ticker/AAPL/range/1/minute/2005-04-01"
    minute.mkdir(parents=True)
    shutil.copy(
        root / "v2/aggs/ticker/AAPL/range/1/day/2005-04-01/2005-04-04.json", minute / "2005-04-01.json"
    )
    news = load(POLYGON_DOCS / "news.json")
    (root / "v2/reference/news.json").write_text(json.dumps(news))
    cursor = news["next_url"].split("cursor=")[1]
    second = {**news, "results": [{**news["results"][0], "id": "second-page-article"}]}
    del second["next_url"]
    (root / f"v2/reference/news&cursor={cursor}.json").write_text(json.dumps(second))
    return root


def open_source(
    fixture_server: FixtureServer,
    sleeps: list[float] | None = None,
    env: dict[str, str] | None = None,
    **options: Any,
) -> PolygonMcpSource:
    server_env = {
        "MASSIVE_API_KEY": KEY,
        "POLYGON_API_KEY": KEY,
        "MASSIVE_API_BASE_URL": fixture_server.base_url,
        **(env or {}),
    }
    return PolygonMcpSource(
        McpSession(COMMAND, server_env, timeout_secs=10.0, **options),
        RetryPolicy().guarded_calls(sleeps.append if sleeps is not None else lambda _: None),
    )


@pytest.fixture(scope="module")
def fixture_server(fixture_root: Path) -> Iterator[FixtureServer]:
    """conftest's, for the whole module: `source` keeps one MCP server process talking to it."""
    with FixtureServer(fixture_root) as server:
        yield server


@pytest.fixture(scope="module")
def source(fixture_server: FixtureServer) -> Iterator[PolygonMcpSource]:
    opened = open_source(fixture_server)
    yield opened
    opened.close()


def same(mcp: Any, rest: Any) -> None:
    assert mcp.rejected == rest.rejected
    value, expected = mcp.value, rest.value
    for name in getattr(expected, "__slots__", ()):
        got, want = getattr(value, name), getattr(expected, name)
        if hasattr(want, "tolist"):
            assert got.tolist() == want.tolist(), name
        else:
            assert got == want, name
    if not hasattr(expected, "__slots__"):
        assert value == expected


def test_whole_market_endpoints(source: PolygonMcpSource) -> None:
    assert source.market_status().value == "extended-hours"
    snapshot = source.snapshot()
    same(
        snapshot,
        transform.snapshot_rows(
            load(POLYGON_MOCKS / "v2/snapshot/locale/us/markets/stocks/tickers/index.json")
        ),
    )
    assert snapshot.value.symbols.tolist() == ["BCAT"]
    assert snapshot.value.last_price.tolist() == [20.506]
    assert snapshot.value.updated_ns.tolist() == [1605192894630916600]
    session = date(2005, 4, 4)
    bars = source.grouped_daily(session)
    grouped = load(POLYGON_MOCKS / "v2/aggs/grouped/locale/us/market/stocks/2005-04-04&adjusted=true.json")
    same(bars, transform.grouped_daily_bars(session, grouped))
    assert (bars.value.symbols.tolist(), bars.value.close.tolist(), bars.value.volume.tolist()) == (
        ["GIK"],
        [10.02],
        [895345.0],
    )


def test_tickers_follow_pagination(source: PolygonMcpSource, fixture_server: FixtureServer) -> None:
    before = fixture_server.hits("/v3/reference/tickers")
    tickers = source.tickers()
    assert [(row.symbol, row.security_type, row.primary_exchange) for row in tickers.value] == [
        ("A", "CS", "XNYS"),
        ("AA", "CS", "XNYS"),
        ("AAA", "ETF", "ARCX"),
        ("AAAU", "ETF", "BATS"),
    ]
    assert tickers.rejected == []
    requests = [r for r in fixture_server.requests if r.startswith("/v3/reference/tickers?")][-2:]
    assert fixture_server.hits("/v3/reference/tickers") - before == 2
    assert requests[0] == "/v3/reference/tickers?market=stocks&active=true&limit=1000"
    assert requests[1].startswith("/v3/reference/tickers?cursor=YWN0aXZlPXRydWUmZGF0ZT0yMDIyLTA0LTI3")


def test_details_float_minute_bars_and_news(source: PolygonMcpSource) -> None:
    details = source.ticker_details("AAPL", NOW)
    same(
        details,
        transform.ticker_reference("AAPL", load(POLYGON_MOCKS / "v3/reference/tickers/AAPL.json"), NOW),
    )
    assert details.value is not None
    assert (details.value.market_cap, details.value.shares_outstanding, details.value.sic_code) == (
        2488795282370.0,
        16185181000.0,
        "3571",
    )
    missing = source.ticker_details("ZZZZ", NOW)
    assert missing.value is None and "HTTP 404" in missing.rejected[0].reason

    assert source.floats().value == {"AAPL": 15_000_000_000.0}
    bars = source.minute_bars("AAPL", date(2005, 4, 1)).value
    assert (bars.window_start_ns.tolist(), bars.close.tolist()) == ([1_112_331_600_000_000_000], [1.4604])

    news = source.news(NEWS_SINCE, NEWS_UNTIL, 10)
    assert news.rejected == []
    assert [item.news_id for item in news.value] == [
        load(POLYGON_DOCS / "news.json")["results"][0]["id"],
        "second-page-article",
    ]
    first = news.value[0]
    assert (first.publisher, first.tickers, first.published_at) == (
        "Investing.com",
        ("UBS",),
        datetime(2024, 6, 24, 18, 33, 53, tzinfo=UTC),
    )
    assert [(i.ticker, i.sentiment.value) for i in first.insights] == [("UBS", "positive")]


def test_auth_errors_name_the_key_and_are_not_retried(
    source: PolygonMcpSource, fixture_server: FixtureServer
) -> None:
    fixture_server.inject("/v2/snapshot", status=401, body='{"status": "ERROR", "error": "Unknown API Key"}')
    before = fixture_server.hits("/v2/snapshot")
    with pytest.raises(VendorError) as caught:
        source.snapshot()
    assert "POLYGON_API_KEY" in str(caught.value) and "Unknown API Key" in str(caught.value)
    assert caught.value.status == 401
    assert fixture_server.hits("/v2/snapshot") - before == 1


def test_a_missing_key_is_an_auth_error(fixture_server: FixtureServer) -> None:
    session = McpSession(COMMAND, {"MASSIVE_API_BASE_URL": fixture_server.base_url}, timeout_secs=10.0)
    keyless = PolygonMcpSource(session, RetryPolicy().guarded_calls())
    try:
        with pytest.raises(VendorError, match=r"POLYGON_API_KEY.*\[AUTH\] MASSIVE_API_KEY is not set"):
            keyless.market_status()
    finally:
        keyless.close()


def test_rate_limits_are_retried(fixture_server: FixtureServer) -> None:
    sleeps: list[float] = []
    limited = open_source(fixture_server, sleeps)
    try:
        fixture_server.inject("/v1/marketstatus", status=429, count=2, retry_after=0)
        before = fixture_server.hits("/v1/marketstatus")
        assert limited.market_status().value == "extended-hours"
        assert fixture_server.hits("/v1/marketstatus") - before == 3
        # The error text carries no Retry-After (mcp_massive passes only status and body): own backoff.
        assert len(sleeps) == 2 and 0.25 <= sleeps[0] <= 0.5 and 0.5 <= sleeps[1] <= 1.0
    finally:
        limited.close()


def test_a_server_that_dies_is_restarted_once(fixture_server: FixtureServer) -> None:
    crashing = open_source(fixture_server, env={EXIT_AFTER_ENV: "1"})  # each process dies on its second call
    try:
        assert crashing.market_status().value == "extended-hours"
        assert crashing.snapshot().value.symbols.tolist() == [
            "BCAT"
        ]  # killed the first, served by the second
        assert crashing.server_starts == 2
    finally:
        crashing.close()


def test_a_server_that_dies_again_after_its_restart_fails_the_call(fixture_server: FixtureServer) -> None:
    doomed = open_source(fixture_server, env={EXIT_AFTER_ENV: "0"})
    try:
        with pytest.raises(McpServerError, match="exited again after a restart"):
            doomed.market_status()
        assert doomed.server_starts == 2
        with pytest.raises(McpServerError, match="no new attempt for another"):
            doomed.snapshot()  # fails at once: no third process within the cool-down
        assert doomed.server_starts == 2
    finally:
        doomed.close()


def test_an_empty_endpoint_index_restarts_the_server_until_the_docs_load(
    fixture_server: FixtureServer,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    """mcp_massive keeps an empty endpoint allowlist when it cannot fetch its docs index, and then
    refuses every path (NOT_FOUND, never retried). Such a server is restarted at once, then no more
    often than the backoff, until the docs load. Its stderr goes to our DEBUG log, not our stderr."""
    index = tmp_path / "llms-full.txt"
    index.write_text(docs_index.render(docs_index.SIM_VENDOR_ENDPOINTS))
    fixture_server.route(docs_index.SIM_VENDOR_PATH, index)
    fixture_server.inject(docs_index.SIM_VENDOR_PATH, status=503, count=2)  # two servers in a row fail
    url = fixture_server.base_url + docs_index.SIM_VENDOR_PATH
    caplog.set_level(logging.DEBUG, logger="sectorlights.providers.polygon.mcp.server")
    now = [1000.0]
    source = open_source(
        fixture_server, env={"MASSIVE_LLMS_TXT_URL": url}, index_retry_secs=60, clock=lambda: now[0]
    )
    try:
        with pytest.raises(McpServerError) as caught:
            source.market_status()  # refused by the first server, then by its replacement
        assert str(caught.value).startswith(
            "polygon_mcp: the MCP server's endpoint index is empty: it refused every path it was asked "
            "for (the last, /v1/marketstatus/now: Path not in allowlist). It builds the index from the "
            f"API docs at MASSIVE_LLMS_TXT_URL ({url}) and keeps it empty when that fetch fails "
            f"(its log: Error fetching {url}: Server error '503 Service Unavailable'"
        )
        assert str(caught.value).endswith("restarted 1 time(s), next restart in 60 s")
        assert source.server_starts == 2
        with pytest.raises(McpServerError, match=r"next restart in 60 s$"):
            source.snapshot()  # within the backoff: no new process
        assert source.server_starts == 2 and fixture_server.hits(docs_index.SIM_VENDOR_PATH) == 2
        now[0] += 60.0
        assert source.market_status().value == "extended-hours"  # the third server loaded the docs
        assert source.server_starts == 3 and fixture_server.hits(docs_index.SIM_VENDOR_PATH) == 3
        # A server that serves some paths only lacks the one it refuses: no restart for that.
        unlisted = source._session.call_tool("call_api", {"path": "/v1/marketstatus/upcoming"})
        assert unlisted.startswith("Error [NOT_FOUND]: Path not in allowlist: /v1/marketstatus/upcoming.")
        assert source.server_starts == 3
    finally:
        source.close()
    server_lines = [record for record in caplog.records if record.name.endswith("polygon.mcp.server")]
    assert {record.levelno for record in server_lines} == {logging.DEBUG}
    assert sum("Starting Massive MCP server" in record.getMessage() for record in server_lines) == 3
    assert "Error fetching" in caplog.text
    assert "Massive MCP server" not in capfd.readouterr().err


def _children(name: str) -> list[int]:
    """Our child processes whose command line mentions `name` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == os.getpid() and name in cmdline:
            found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_a_server_killed_between_calls_is_restarted_and_close_stops_it(fixture_server: FixtureServer) -> None:
    before = set(_children(SERVER_MODULE))
    killed = open_source(fixture_server)
    try:
        assert killed.market_status().value == "extended-hours"
        mine = [pid for pid in _children(SERVER_MODULE) if pid not in before]
        assert len(mine) == 1
        os.kill(mine[0], signal.SIGKILL)
        time.sleep(0.2)
        assert killed.market_status().value == "extended-hours"
        assert killed.server_starts == 2
        alive = [pid for pid in _children(SERVER_MODULE) if pid not in before]
        assert len(alive) == 1 and alive != mine
    finally:
        killed.close()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and [pid for pid in _children(SERVER_MODULE) if pid not in before]:
        time.sleep(0.05)
    assert [pid for pid in _children(SERVER_MODULE) if pid not in before] == []
