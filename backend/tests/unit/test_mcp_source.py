"""PolygonMcpSource without a server process: scripted `call_api` replies drive retries, the breaker,
pagination and the records; and the provider factory's configuration errors."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from sectorlights.core.clock import FrozenClock
from sectorlights.providers.base import ProviderError, RejectedRow
from sectorlights.providers.polygon.mcp import (
    McpServerError,
    McpSession,
    PolygonMcpSource,
    create_polygon_mcp_provider,
    server_environment,
)
from sectorlights.providers.registry import ProviderContext
from sectorlights.providers.resilience import CircuitOpenError, RetryPolicy, VendorError
from sectorlights.settings import ConfigurationError, ProviderSettings
from sectorlights.simvendor.mcp_format import format_http_error, format_response
from tests.fixture_server import POLYGON_DOCS, POLYGON_MOCKS

KEY = "sk-test-0123456789abcdef"
NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)

Reply = str | BaseException


class ScriptedSession:
    """Stands in for McpSession: answers each call_tool with the next scripted reply."""

    def __init__(self, replies: list[Reply] | Callable[[str, dict[str, Any]], Reply]) -> None:
        self.replies = replies
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.command = "scripted"
        self.starts = 0
        self.secrets = (KEY,)

    def call_tool(self, name: str, arguments: dict[str, Any]) -> str:
        self.calls.append((name, arguments))
        reply = self.replies(name, arguments) if callable(self.replies) else self.replies.pop(0)
        if isinstance(reply, BaseException):
            raise reply
        return reply

    def close(self) -> None:
        pass


def make(
    replies: list[Reply] | Callable[[str, dict[str, Any]], Reply],
    policy: RetryPolicy | None = None,
) -> tuple[PolygonMcpSource, ScriptedSession, list[float]]:
    sleeps: list[float] = []
    session = ScriptedSession(replies)
    source = PolygonMcpSource(session, (policy or RetryPolicy()).guarded_calls(sleeps.append))
    return source, session, sleeps


def reply(path: Path) -> str:
    return format_response(path.read_text())


SNAPSHOT = POLYGON_MOCKS / "v2/snapshot/locale/us/markets/stocks/tickers/index.json"


def test_rate_limit_is_retried_with_backoff() -> None:
    limited = format_http_error(429, '{"status": "ERROR", "error": "limit"}')
    source, session, sleeps = make([limited, limited, reply(SNAPSHOT)])
    result = source.snapshot()
    assert result.value.symbols.tolist() == ["BCAT"]
    assert len(session.calls) == 3 and len(sleeps) == 2
    assert 0.25 <= sleeps[0] <= 0.5 and 0.5 <= sleeps[1] <= 1.0  # exponential, with jitter
    assert source.request_count == 3
    assert session.calls[0] == (
        "call_api",
        {"path": "/v2/snapshot/locale/us/markets/stocks/tickers", "params": {"include_otc": "false"}},
    )


def test_server_errors_network_errors_and_timeouts_are_retried_then_given_up() -> None:
    replies: list[Reply] = [
        format_http_error(503, "busy"),
        "Error [NETWORK]: ConnectError: refused",
        TimeoutError("no answer from the MCP server within 5 s"),
        format_http_error(500, "down"),
    ]
    source, session, sleeps = make(replies)
    with pytest.raises(VendorError) as caught:
        source.market_status()
    assert len(session.calls) == 4 and len(sleeps) == 3
    assert "polygon_mcp marketstatus" in str(caught.value)
    assert "gave up after 4 attempts" in str(caught.value)


def test_replies_that_are_not_the_endpoints_data_are_retried() -> None:
    html = "<html>\n<body>Bad gateway</body>\n</html>\n"
    truncated = '{"status": "OK", "tickers": [{"day": {"c": 20.5'  # mcp_massive passes it through
    source, session, sleeps = make([html, truncated, "oops\n", reply(SNAPSHOT)])
    assert source.snapshot().value.symbols.tolist() == ["BCAT"]
    assert len(session.calls) == 4 and len(sleeps) == 3
    source, session, _ = make([html] * 4)
    with pytest.raises(
        VendorError, match=r"\[INVALID_RESPONSE\] snapshot: the CSV has no tickers or ticker column"
    ):
        source.snapshot()
    assert len(session.calls) == 4


# What mcp_massive answers for an aggregates response without `results` (a holiday, a session still
# in progress, an unknown ticker): the envelope left after the metadata is stripped, as one row.
@pytest.mark.parametrize(
    ("no_results", "fetch"),
    [
        ("adjusted\nTrue\n", lambda source: source.grouped_daily(date(2026, 11, 26))),
        ("ticker,adjusted\nZZZZ,True\n", lambda source: source.minute_bars("ZZZZ", date(2026, 11, 24))),
    ],
    ids=["grouped_daily", "minute_bars"],
)
def test_an_aggregates_answer_without_results_is_empty_not_invalid(
    no_results: str, fetch: Callable[[PolygonMcpSource], Any]
) -> None:
    source, session, sleeps = make([no_results] * 4)
    result = fetch(source)
    assert result.value.close.size == 0
    assert result.rejected == []
    assert len(session.calls) == 1 and sleeps == []


def test_auth_fails_at_once_naming_the_key_setting() -> None:
    source, session, sleeps = make([format_http_error(401, f'{{"error": "bad key {KEY}"}}')])
    with pytest.raises(VendorError) as caught:
        source.snapshot()
    message = str(caught.value)
    assert "POLYGON_API_KEY" in message and "polygon_mcp snapshot" in message
    assert KEY not in message
    assert len(session.calls) == 1 and sleeps == []


def test_other_errors_fail_at_once_naming_the_endpoint() -> None:
    source, session, _ = make(["Error [NOT_FOUND]: Path not in allowlist: /v2/aggs/grouped/x."])
    with pytest.raises(
        VendorError, match=r"polygon_mcp grouped_daily \(call_api /v2/aggs/grouped/locale/us/"
    ):
        source.grouped_daily(date(2005, 4, 4))
    assert len(session.calls) == 1


def test_a_server_that_cannot_be_restarted_is_not_retried() -> None:
    source, session, _ = make([McpServerError("polygon_mcp: the MCP server exited again after a restart")])
    with pytest.raises(McpServerError):
        source.snapshot()
    assert len(session.calls) == 1


def test_a_failing_endpoint_opens_its_circuit() -> None:
    policy = RetryPolicy(failure_threshold=2, reset_after_secs=60, attempts=1)
    source, session, _ = make(lambda name, args: format_http_error(500, "down"), policy)
    for _ in range(2):
        with pytest.raises(VendorError):
            source.snapshot()
    with pytest.raises(CircuitOpenError):
        source.snapshot()
    assert len(session.calls) == 2
    source._session = ScriptedSession([reply(POLYGON_MOCKS / "v1/marketstatus/now.json")])
    assert source.market_status().value == "extended-hours"  # other endpoints are unaffected


def test_ticker_details_not_found_is_a_rejection() -> None:
    source, _, _ = make([format_http_error(404, '{"status": "NOT_FOUND", "message": "Ticker not found."}')])
    result = source.ticker_details("NOPE", NOW)
    assert result.value is None
    assert [(row.endpoint, row.symbol) for row in result.rejected] == [("ticker_details", "NOPE")]
    assert "HTTP 404" in result.rejected[0].reason


def test_tickers_follow_the_next_page_hint() -> None:
    page_one = reply(POLYGON_MOCKS / "v3/reference/tickers.json")
    cursor = json.loads((POLYGON_MOCKS / "v3/reference/tickers.json").read_text())["next_url"].split(
        "cursor="
    )[1]
    page_two = next(POLYGON_MOCKS.glob("v3/reference/tickers&cursor=*.json"))
    source, session, _ = make([page_one, reply(page_two)])
    result = source.tickers()
    assert [row.symbol for row in result.value] == ["A", "AA", "AAA", "AAAU"]
    assert [args for _, args in session.calls] == [
        {"path": "/v3/reference/tickers", "params": {"market": "stocks", "active": "true", "limit": "1000"}},
        {"path": "/v3/reference/tickers", "params": {"cursor": cursor}},
    ]


def test_first_pages_for_checks_do_not_paginate() -> None:
    source, session, _ = make([reply(POLYGON_MOCKS / "v3/reference/tickers.json")])
    assert [row.symbol for row in source.tickers_first_page(2).value] == ["A", "AA"]
    assert session.calls[0][1]["params"]["limit"] == "2"
    assert len(session.calls) == 1


def test_pages_that_never_end_fail() -> None:
    looping = reply(POLYGON_MOCKS / "v3/reference/tickers.json")
    source, session, _ = make(lambda name, args: looping)
    with pytest.raises(ProviderError, match="pagination does not end"):
        source.tickers()
    assert len(session.calls) == 2  # the cursor page points at itself: caught before a third call


def test_news_pages_stop_at_the_limit_and_duplicates_across_pages_are_rejected() -> None:
    article = json.loads((POLYGON_DOCS / "news.json").read_text())
    source, session, _ = make(lambda name, args: format_response(json.dumps(article)))
    since, until = datetime(2024, 6, 1, tzinfo=UTC), datetime(2024, 7, 1, tzinfo=UTC)
    one = source.news(since, until, 1)
    assert [item.news_id for item in one.value] == [article["results"][0]["id"]]
    assert len(session.calls) == 1
    params = session.calls[0][1]["params"]
    assert params == {
        "published_utc.gte": "2024-06-01T00:00:00Z",
        "published_utc.lt": "2024-07-01T00:00:00Z",
        "sort": "published_utc",
        "order": "desc",
        "limit": "1",
    }
    two = source.news(since, until, 2)  # the second page repeats the article: a rejection, as over REST
    assert len(two.value) == 1
    assert two.rejected == [
        RejectedRow(
            "news", "UBS", f"article {article['results'][0]['id']}: duplicate article id (kept the first row)"
        )
    ]
    assert source.news(since, until, 0).value == []


def test_floats_and_minute_bars() -> None:
    source, session, _ = make(
        [
            reply(POLYGON_DOCS / "float.json"),
            reply(POLYGON_MOCKS / "v2/aggs/ticker/AAPL/range/1/day/2005-04-01/2005-04-04.json"),
        ]
    )
    assert source.floats().value == {"AAPL": 15_000_000_000.0}
    bars = source.minute_bars("AAPL", date(2005, 4, 1)).value
    assert bars.window_start_ns.tolist() == [1_112_331_600_000 * 1_000_000]  # the 04-04 bar is another day
    assert bars.close.tolist() == [1.4604]
    assert session.calls[1][1] == {
        "path": "/v2/aggs/ticker/AAPL/range/1/minute/2005-04-01/2005-04-01",
        "params": {"adjusted": "true", "sort": "asc", "limit": "50000"},
    }


def test_a_server_that_cannot_start_is_left_alone_for_a_while() -> None:
    now = [100.0]
    session = McpSession(
        "/nonexistent/mcp-server --flag",
        {},
        timeout_secs=5.0,
        retry_start_after_secs=30.0,
        clock=lambda: now[0],
    )
    try:
        with pytest.raises(
            McpServerError,
            match=r"could not start the MCP server `/nonexistent/mcp-server --flag` "
            r"\(SECTORLIGHTS_POLYGON_MCP_COMMAND\): FileNotFoundError",
        ):
            session.call_tool("call_api", {"path": "/v1/marketstatus/now"})
        now[0] += 29.0
        with pytest.raises(McpServerError, match=r"no new attempt for another 1 s"):
            session.call_tool("call_api", {"path": "/v1/marketstatus/now"})
        now[0] += 2.0
        with pytest.raises(McpServerError, match="FileNotFoundError"):  # tried again
            session.call_tool("call_api", {"path": "/v1/marketstatus/now"})
        assert session.starts == 0
    finally:
        session.close()
    with pytest.raises(McpServerError, match="closed"):
        session.call_tool("call_api", {"path": "/v1/marketstatus/now"})


# --- the factory ----------------------------------------------------------------------------------


def context() -> ProviderContext:
    return ProviderContext(clock=FrozenClock(NOW))


@pytest.mark.usefixtures("clean_env")
def test_factory_needs_a_key() -> None:
    with pytest.raises(ConfigurationError, match=r"^configuration error: POLYGON_API_KEY: "):
        create_polygon_mcp_provider(ProviderSettings(), context())


@pytest.mark.usefixtures("clean_env")
@pytest.mark.parametrize("command", ["surely-not-an-mcp-server-on-path", "", "'unbalanced"])
def test_factory_names_the_command_setting(command: str) -> None:
    settings = ProviderSettings(POLYGON_API_KEY=KEY, SECTORLIGHTS_POLYGON_MCP_COMMAND=command)
    with pytest.raises(
        ConfigurationError, match=r"^configuration error: SECTORLIGHTS_POLYGON_MCP_COMMAND: "
    ) as caught:
        create_polygon_mcp_provider(settings, context())
    assert KEY not in str(caught.value)


@pytest.mark.usefixtures("clean_env")
def test_factory_builds_the_provider_without_starting_the_server() -> None:
    settings = ProviderSettings(
        POLYGON_API_KEY=KEY,
        POLYGON_BASE_URL="http://127.0.0.1:9",
        SECTORLIGHTS_POLYGON_MCP_COMMAND=f"{sys.executable} -m sectorlights.simvendor.mcp_server",
    )
    provider = create_polygon_mcp_provider(settings, context())
    assert provider.name == "polygon_mcp"
    source = provider.source  # type: ignore[attr-defined]
    assert isinstance(source, PolygonMcpSource)
    assert source.transport == "mcp" and source.server_starts == 0
    session = source._session
    assert isinstance(session, McpSession) and session.secrets == (KEY, KEY)
    env = session._params.env
    assert env is not None
    assert {name: env[name] for name in ("MASSIVE_API_KEY", "POLYGON_API_KEY", "MASSIVE_API_BASE_URL")} == {
        "MASSIVE_API_KEY": KEY,
        "POLYGON_API_KEY": KEY,
        "MASSIVE_API_BASE_URL": "http://127.0.0.1:9",
    }
    provider.close()  # type: ignore[attr-defined]


@pytest.mark.usefixtures("clean_env")
def test_the_server_environment_passes_proxies_on_and_nothing_else() -> None:
    settings = ProviderSettings(POLYGON_API_KEY=KEY)
    environ = {
        "HTTPS_PROXY": "http://proxy:3128",
        "SSL_CERT_FILE": "ca.pem",
        "DATABASE_URL": "x",
        "FMP_API_KEY": "y",
    }
    assert server_environment(settings, environ) == {
        "HTTPS_PROXY": "http://proxy:3128",
        "SSL_CERT_FILE": "ca.pem",
        "MASSIVE_API_KEY": KEY,
        "POLYGON_API_KEY": KEY,
        "MASSIVE_API_BASE_URL": "https://api.massive.com",
    }


@pytest.mark.usefixtures("clean_env")
def test_the_server_environment_passes_the_docs_index_and_table_limits() -> None:
    """mcp_massive builds its path allowlist from MASSIVE_LLMS_TXT_URL: without it a server that
    cannot reach massive.com refuses every path."""
    settings = ProviderSettings(
        POLYGON_API_KEY=KEY,
        MASSIVE_LLMS_TXT_URL="http://vendor:9100/docs/rest/llms-full.txt",
        MASSIVE_MAX_TABLES="8",
        MASSIVE_MAX_ROWS="250000",
    )
    env = server_environment(settings, {})
    assert {
        name: env.get(name) for name in ("MASSIVE_LLMS_TXT_URL", "MASSIVE_MAX_TABLES", "MASSIVE_MAX_ROWS")
    } == {
        "MASSIVE_LLMS_TXT_URL": "http://vendor:9100/docs/rest/llms-full.txt",
        "MASSIVE_MAX_TABLES": "8",
        "MASSIVE_MAX_ROWS": "250000",
    }
