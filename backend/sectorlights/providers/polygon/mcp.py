"""Polygon/Massive over MCP: an MCP client of Polygon's `mcp_massive` server (or our stand-in).

The configured command (default `mcp_massive`; `python -m sectorlights.simvendor.mcp_server` for
the stand-in) is launched over stdio with `MASSIVE_API_KEY`/`POLYGON_API_KEY`,
`MASSIVE_API_BASE_URL` and, when set, `MASSIVE_LLMS_TXT_URL` (the API docs index its endpoint
allowlist is built from), `MASSIVE_MAX_TABLES` and `MASSIVE_MAX_ROWS` in its environment. Every
vendor request is one `call_api(path, params)` tool call, which fetches exactly one page; paginated
endpoints are followed with the path and params of the reply's next-page hint (see
`mcp_transform.py` for the text contract). Each call goes through the same policy as the REST
transport:

    circuit breaker (per endpoint) -> retries with backoff -> rate limiter -> call_api

`Error [RATE_LIMIT]`, `[SERVER]` and `[NETWORK]` replies and timeouts are retried; `Error [AUTH]`
fails at once naming POLYGON_API_KEY; any other error fails naming the endpoint.

The factory hands the source its `McpSession` (mcp_session.py: the server process, restarted when
it dies or when its endpoint index is empty, its stderr in our DEBUG log); CSV to records is
`mcp_transform.py`. Closing the source stops the server.
"""

from __future__ import annotations

import logging
import os
import shlex
import shutil
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from datetime import time as dt_time
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import numpy as np

from sectorlights.domain.market import DailyBars, MinuteBars, NewsItem, TickerReference
from sectorlights.domain.sessions import NEW_YORK
from sectorlights.providers.base import Extracted, MarketDataProvider, ProviderError, RejectedRow
from sectorlights.providers.polygon import mcp_transform, transform
from sectorlights.providers.polygon.mcp_session import (
    COMMAND_SETTING,
    DOCS_URL_VARIABLE,
    NAME,
    McpServerError,
    McpSession,
)
from sectorlights.providers.polygon.mcp_transform import CallApiReply, McpCallError
from sectorlights.providers.polygon.source import NEWS_PAGE_LIMIT, PagedLists, SnapshotRows, TickerRow
from sectorlights.providers.resilience import (
    GuardedCalls,
    MeteredCalls,
    RetryPolicy,
    VendorError,
    redact,
)
from sectorlights.settings import ConfigurationError, ProviderSettings

if TYPE_CHECKING:
    from sectorlights.providers.registry import ProviderContext

logger = logging.getLogger(__name__)

T = TypeVar("T")

__all__ = ["McpServerError", "McpSession", "PolygonMcpSource", "create_polygon_mcp_provider"]

STAND_IN_COMMAND = "python -m sectorlights.simvendor.mcp_server"
MINUTE_BARS_LIMIT = 50_000
MAX_PAGES = 200  # a cursor loop is a vendor bug, not a reason to spin forever

SNAPSHOT_PATH = "/v2/snapshot/locale/us/markets/stocks/tickers"
# The column a non-empty reply of each endpoint must have (any one of them).
_KEY_COLUMNS: dict[str, tuple[str, ...]] = {
    transform.MARKET_STATUS: ("market",),
    transform.SNAPSHOT: ("tickers", "ticker"),
    transform.GROUPED_DAILY: ("T",),
    transform.TICKERS: ("ticker",),
    transform.TICKER_DETAILS: ("ticker", "name"),
    transform.FLOAT: ("ticker",),
    transform.MINUTE_BARS: ("t",),
    transform.NEWS: ("id",),
}
# Worth another try: the vendor's 429 and 5xx, network trouble, and replies that are not the
# endpoint's data (a truncated or HTML body passed through), as malformed bodies are over REST.
_RETRYABLE_KINDS = frozenset({"RATE_LIMIT", "SERVER", "NETWORK", "INVALID_RESPONSE"})


# --- the source -------------------------------------------------------------------------------------


class ToolSession(Protocol):
    """What the source needs of its MCP session (`McpSession`; a scripted one in tests)."""

    command: str
    starts: int

    @property
    def secrets(self) -> tuple[str, ...]: ...

    def call_tool(self, name: str, arguments: dict[str, Any]) -> str: ...

    def close(self) -> None: ...


class PolygonMcpSource(MeteredCalls, PagedLists):
    """`PolygonSource` over an MCP server's `call_api` tool (see source.py for each method's records)."""

    transport = "mcp"

    def __init__(self, session: ToolSession, calls: GuardedCalls) -> None:
        self._session = session
        self._calls = calls
        self._secrets = session.secrets

    def __repr__(self) -> str:
        return f"PolygonMcpSource(command={self._session.command!r})"

    @property
    def command(self) -> str:
        return self._session.command

    @property
    def server_starts(self) -> int:
        """MCP server processes started so far (1 after first use; more after restarts)."""
        return self._session.starts

    def close(self) -> None:
        self._session.close()

    # --- PolygonSource ----------------------------------------------------------------------------

    def market_status(self) -> Extracted[str]:
        reply = self._call(transform.MARKET_STATUS, "/v1/marketstatus/now", {})
        return mcp_transform.market_status(reply.table)

    def snapshot(self) -> Extracted[SnapshotRows]:
        reply = self._call(transform.SNAPSHOT, SNAPSHOT_PATH, {"include_otc": "false"})
        return _with(reply.rejected, mcp_transform.snapshot_rows(reply.table))

    def grouped_daily(self, session: date) -> Extracted[DailyBars]:
        path = f"/v2/aggs/grouped/locale/us/market/stocks/{session.isoformat()}"
        reply = self._call(transform.GROUPED_DAILY, path, {"adjusted": "true"})
        return _with(reply.rejected, mcp_transform.grouped_daily_bars(session, reply.table))

    def _tickers(self, limit: int | None, page: int) -> Extracted[list[TickerRow]]:
        params = {"market": "stocks", "active": "true", "limit": str(page)}
        replies = self._pages(transform.TICKERS, "/v3/reference/tickers", params, limit)
        result = mcp_transform.ticker_rows(_concatenated(replies, limit))
        return _with(_rejected(replies), result)

    def ticker_details(self, symbol: str, fetched_at: datetime) -> Extracted[TickerReference | None]:
        try:
            reply = self._call(transform.TICKER_DETAILS, f"/v3/reference/tickers/{symbol}", {})
        except VendorError as error:
            if error.status == 404:
                reason = f"not found (HTTP 404: {error.vendor_message})"
                return Extracted(None, [RejectedRow(transform.TICKER_DETAILS, symbol, reason)])
            raise
        return _with(reply.rejected, mcp_transform.ticker_reference(symbol, reply.table, fetched_at))

    def _floats(self, limit: int | None, page: int) -> Extracted[dict[str, float]]:
        replies = self._pages(transform.FLOAT, "/stocks/vX/float", {"limit": str(page)}, limit)
        return _with(_rejected(replies), mcp_transform.float_shares(_concatenated(replies, limit)))

    def minute_bars(self, symbol: str, session: date) -> Extracted[MinuteBars]:
        day = session.isoformat()
        path = f"/v2/aggs/ticker/{symbol}/range/1/minute/{day}/{day}"
        params = {"adjusted": "true", "sort": "asc", "limit": str(MINUTE_BARS_LIMIT)}
        replies = self._pages(transform.MINUTE_BARS, path, params, None)
        table = _concatenated(replies, None)
        result = mcp_transform.minute_bars(symbol, session, table, _day_window_ns(session))
        return _with(_rejected(replies), result)

    def news(self, since: datetime, until: datetime, limit: int) -> Extracted[list[NewsItem]]:
        if limit <= 0:
            return Extracted([])
        params = {
            "published_utc.gte": _iso_utc(since),
            "published_utc.lt": _iso_utc(until),
            "sort": "published_utc",
            "order": "desc",
            "limit": str(min(limit, NEWS_PAGE_LIMIT)),
        }
        replies = self._pages(transform.NEWS, "/v2/reference/news", params, limit)
        result = mcp_transform.news_items(_concatenated(replies, limit), since, until)
        return _with(_rejected(replies), result)

    # --- calls ------------------------------------------------------------------------------------

    def _pages(
        self, endpoint: str, path: str, params: dict[str, Any], limit: int | None
    ) -> list[CallApiReply]:
        """The first page and, following next-page hints, the rest (until `limit` rows are in)."""
        replies = [self._call(endpoint, path, params)]
        rows = replies[0].table.size
        seen = {(path, repr(sorted(params.items())))}
        while (following := replies[-1].next_page) is not None and (limit is None or rows < limit):
            key = (following.path, repr(sorted(following.params.items())))
            if key in seen or len(replies) >= MAX_PAGES:
                raise ProviderError(
                    f"{NAME} {endpoint}: pagination does not end "
                    f"(page {len(replies) + 1} of {following.path})"
                )
            seen.add(key)
            replies.append(self._call(endpoint, following.path, dict(following.params)))
            rows += replies[-1].table.size
        return replies

    def _call(self, endpoint: str, path: str, params: dict[str, Any]) -> CallApiReply:
        """One `call_api` through breaker, retries and rate limiter; the reply parsed and checked to
        carry the endpoint's identifying column (an aggregates envelope without rows is empty)."""
        label = f"{NAME} {endpoint}"

        def send() -> CallApiReply:
            try:
                text = self._session.call_tool("call_api", {"path": path, "params": params})
                reply = mcp_transform.parse_call_api(text, endpoint)
                table = mcp_transform.checked_table(reply.table, endpoint, _KEY_COLUMNS.get(endpoint, ()))
                return reply if table is reply.table else CallApiReply(table, reply.next_page, reply.rejected)
            except McpCallError as error:
                raise self._vendor_error(error) from None

        return self._calls.call(endpoint, label, f"{label} (call_api {path})", send)

    def _vendor_error(self, error: McpCallError) -> VendorError:
        """An `Error [KIND]: ...` reply as the VendorError the retry policy understands."""
        message = redact(error.message, self._secrets)
        kind = error.kind or "UNKNOWN"
        status = error.http_status
        if kind == "AUTH":
            detail = (
                f"the vendor refused the API key (POLYGON_API_KEY or MASSIVE_API_KEY, passed to the "
                f"MCP server as MASSIVE_API_KEY): [AUTH] {message}"
            )
            return VendorError(detail, status=status, vendor_message=detail, retryable=False)
        detail = f"[{kind}] {message}"
        if kind == "RATE_LIMIT":
            return VendorError(detail, status=status or 429, vendor_message=detail, retryable=True)
        if kind in _RETRYABLE_KINDS:
            return VendorError(detail, status=status, vendor_message=detail, retryable=True)
        return VendorError(detail, status=status, vendor_message=detail, retryable=False)


def _with(rejected: list[RejectedRow], result: Extracted[T]) -> Extracted[T]:
    """`result` with the rows the CSV layer set aside put first."""
    if rejected:
        result.rejected[:0] = rejected
    return result


def _rejected(replies: list[CallApiReply]) -> list[RejectedRow]:
    return [row for reply in replies for row in reply.rejected]


def _concatenated(replies: list[CallApiReply], limit: int | None) -> mcp_transform.CsvTable:
    """The pages of one endpoint as one table (at most `limit` rows; a column missing from a page
    reads as empty cells there), as the REST client hands all pages' rows to one transform."""
    tables = [reply.table for reply in replies if reply.table.columns]
    columns: list[str] = []
    for table in tables:
        columns.extend(column for column in table.columns if column not in columns)
    size = sum(table.size for table in tables)
    keep = size if limit is None else min(size, limit)
    cells = {
        column: np.concatenate([table.text(column) for table in tables])[:keep]
        if tables
        else np.array([], dtype=np.str_)
        for column in columns
    }
    malformed = tuple(symbol for table in tables for symbol in table.malformed)
    return mcp_transform.CsvTable(tuple(columns), cells, keep, malformed)


def _iso_utc(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("a timezone-aware datetime is required")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _day_window_ns(session: date) -> tuple[int, int]:
    """[00:00, 24:00) New York time of `session`, in nanoseconds since the epoch (as the REST source)."""
    start = datetime.combine(session, dt_time(0, 0), NEW_YORK)
    end = datetime.combine(session + timedelta(days=1), dt_time(0, 0), NEW_YORK)
    return int(start.timestamp()) * 1_000_000_000, int(end.timestamp()) * 1_000_000_000


# --- the provider factory -----------------------------------------------------------------------------


# Passed on to the server when set here (the MCP SDK itself passes only HOME, PATH, USER and the
# like): proxies and CA bundles for reaching the vendor, PYTHONPATH for a stand-in run from source.
PASSED_THROUGH = (
    "HTTPS_PROXY",
    "HTTP_PROXY",
    "NO_PROXY",
    "https_proxy",
    "http_proxy",
    "no_proxy",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "REQUESTS_CA_BUNDLE",
    "PYTHONPATH",
    "LANG",
    "LC_ALL",
)


def server_environment(
    settings: ProviderSettings, environ: Mapping[str, str] | None = None
) -> dict[str, str]:
    """What the MCP server is told: the key under both names, the base URL, the docs index and table
    limits when set (settings, so a .env file works too), and the variables of PASSED_THROUGH that
    are set in `environ` (default: ours)."""
    if settings.polygon_api_key is None or not settings.polygon_api_key.get_secret_value():
        raise ConfigurationError(
            "configuration error: POLYGON_API_KEY: the polygon_mcp provider needs a Polygon/Massive "
            "API key (set POLYGON_API_KEY or MASSIVE_API_KEY)"
        )
    key = settings.polygon_api_key.get_secret_value()
    source = os.environ if environ is None else environ
    env = {name: source[name] for name in PASSED_THROUGH if source.get(name)}
    env.update(MASSIVE_API_KEY=key, POLYGON_API_KEY=key, MASSIVE_API_BASE_URL=settings.polygon_base_url)
    # Without a reachable docs index the server refuses every path (see mcp_session.py).
    if settings.polygon_mcp_docs_url is not None:
        env[DOCS_URL_VARIABLE] = settings.polygon_mcp_docs_url
    if settings.polygon_mcp_max_tables is not None:
        env["MASSIVE_MAX_TABLES"] = str(settings.polygon_mcp_max_tables)
    if settings.polygon_mcp_max_rows is not None:
        env["MASSIVE_MAX_ROWS"] = str(settings.polygon_mcp_max_rows)
    return env


def check_command(command: str) -> list[str]:
    """The command split like a shell would; ConfigurationError when it is empty or not on PATH."""
    try:
        argv = shlex.split(command)
    except ValueError as error:
        raise ConfigurationError(
            f"configuration error: {COMMAND_SETTING}: {error} (got {command!r})"
        ) from None
    if not argv:
        raise ConfigurationError(f"configuration error: {COMMAND_SETTING}: the MCP server command is empty")
    if shutil.which(argv[0]) is None:
        raise ConfigurationError(
            f"configuration error: {COMMAND_SETTING}: `{argv[0]}` was not found on PATH (got {command!r}; "
            f"install Polygon's MCP server `mcp_massive` (Python >= 3.12), or use the stand-in: "
            f"{STAND_IN_COMMAND!r})"
        )
    return argv


def create_polygon_mcp_provider(settings: ProviderSettings, context: ProviderContext) -> MarketDataProvider:
    """Polygon over MCP as a MarketDataProvider named `polygon_mcp`."""
    from sectorlights.providers.polygon.factory import BUDGET_NAME, DETAIL_WORKERS
    from sectorlights.providers.polygon.market_data import PolygonMarketData, snapshot_tolerance

    env = server_environment(settings)
    check_command(settings.polygon_mcp_command)
    source = PolygonMcpSource(
        McpSession(settings.polygon_mcp_command, env, timeout_secs=settings.polygon_timeout_secs),
        RetryPolicy.from_settings(settings).guarded_calls(
            budget=context.budgets(BUDGET_NAME, settings.polygon_requests_per_minute),
            vendor=NAME,
            observer=context.observer,
        ),
    )
    return PolygonMarketData(
        source,
        name=NAME,
        reference_store=context.reference_store,
        clock=context.clock,
        reference_refresh_days=settings.reference_refresh_days,
        detail_workers=DETAIL_WORKERS,
        snapshot_tolerance=snapshot_tolerance(settings.sim_speed),
    )
