"""Polygon/Massive over MCP: an MCP client of Polygon's `mcp_massive` server (or our stand-in).

The configured command (default `mcp_massive`; `python -m sectorlights.simvendor.mcp_server` for
the stand-in) is launched over stdio with `MASSIVE_API_KEY`/`POLYGON_API_KEY` and
`MASSIVE_API_BASE_URL` in its environment. Every vendor request is one `call_api(path, params)`
tool call, which fetches exactly one page; paginated endpoints are followed with the path and
params of the reply's next-page hint (see `mcp_transform.py` for the text contract). Each call goes
through the same policy as the REST transport:

    circuit breaker (per endpoint) -> retries with backoff -> rate limiter -> call_api

`Error [RATE_LIMIT]`, `[SERVER]` and `[NETWORK]` replies and timeouts are retried; `Error [AUTH]`
fails at once naming POLYGON_API_KEY; any other error fails naming the endpoint.

`PolygonSource` is synchronous and the MCP client is async: one background thread runs an event
loop that owns one long-lived session (started on first use). A server process that dies is
restarted once and the call re-sent; closing the source stops the server and the thread. This is the
only MCP module that does I/O; CSV to records is `mcp_transform.py`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import logging
import os
import shlex
import shutil
import sys
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from datetime import time as dt_time
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

import anyio
import numpy as np
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.shared.exceptions import MCPError
from mcp_types import CONNECTION_CLOSED, REQUEST_TIMEOUT, TextContent

from sectorlights.domain.market import DailyBars, MinuteBars, NewsItem, TickerReference
from sectorlights.domain.sessions import NEW_YORK
from sectorlights.providers.base import Extracted, MarketDataProvider, ProviderError, RejectedRow
from sectorlights.providers.polygon import mcp_transform, transform
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

NAME = "polygon_mcp"
COMMAND_SETTING = "SECTORLIGHTS_POLYGON_MCP_COMMAND"
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


class McpServerError(ProviderError):
    """The MCP server could not be started, or died and died again after its restart."""


# --- the session: one server process, one event loop thread -----------------------------------------


class _Connection:
    """A running server and its initialized session (lives on the session's event loop)."""

    def __init__(self, session: ClientSession, stop: asyncio.Event, task: asyncio.Task[None]) -> None:
        self.session = session
        self.stop = stop
        self.task = task


class McpSession:
    """A long-lived MCP stdio session used from synchronous code.

    `call_tool` may be called from any thread (several at once: requests are multiplexed on the one
    session). The server is started on first use; when it is found dead the call starts a new one and
    is sent again, once. A server that cannot be started, or dies again right after its restart, is
    left alone for `retry_start_after_secs`: calls fail at once (McpServerError) until then.
    """

    def __init__(
        self,
        command: str,
        env: Mapping[str, str],
        *,
        timeout_secs: float,
        start_timeout_secs: float = 60.0,
        retry_start_after_secs: float = 30.0,
        errlog: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        argv = shlex.split(command)
        if not argv:
            raise ValueError("the MCP server command is empty")
        self.command = command
        self._params = StdioServerParameters(command=argv[0], args=argv[1:], env=dict(env))
        self._timeout = timeout_secs
        self._start_timeout = start_timeout_secs
        self._errlog = errlog
        self._retry_start_after = retry_start_after_secs
        self._clock = clock
        self._down: tuple[float, str] | None = None  # (until, why): no new server before `until`
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._connection: _Connection | None = None
        self._closed = False
        self.starts = 0  # server processes started so far

    # --- public -----------------------------------------------------------------------------------

    def call_tool(self, name: str, arguments: dict[str, Any]) -> str:
        """The tool's text reply. McpCallError when the tool itself failed (is_error), TimeoutError
        when no answer came in time, McpServerError when the server cannot be (re)started."""
        for attempt in (1, 2):
            connection, loop = self._connect()
            future = asyncio.run_coroutine_threadsafe(self._call(connection, name, arguments), loop)
            try:
                return future.result(timeout=self._timeout + 5.0)
            except concurrent.futures.TimeoutError:
                future.cancel()
                raise TimeoutError(f"no answer from the MCP server within {self._timeout:g} s") from None
            except MCPError as error:
                if error.code == REQUEST_TIMEOUT:
                    raise TimeoutError(f"no answer from the MCP server within {self._timeout:g} s") from None
                if error.code != CONNECTION_CLOSED:
                    raise McpCallError("PROTOCOL", f"MCP error {error.code}: {error.message}") from None
                self._discard(connection)
                if attempt == 1:
                    logger.warning("%s: the MCP server (%s) exited; restarting it once", NAME, self.command)
                    continue
                raise self._mark_down(
                    f"{NAME}: the MCP server ({self.command}) exited again after a restart; "
                    f"check {COMMAND_SETTING} and the server's own log"
                ) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        """Stop the server and the event loop thread (idempotent)."""
        with self._lock:
            self._closed = True
            connection, self._connection = self._connection, None
            loop, self._loop = self._loop, None
            thread, self._thread = self._thread, None
        if loop is None:
            return
        if connection is not None:
            self._stop_connection(connection, loop)
        loop.call_soon_threadsafe(loop.stop)
        if thread is not None:
            thread.join(timeout=10)
        if not loop.is_running():
            loop.close()

    @property
    def running(self) -> bool:
        with self._lock:
            return self._connection is not None and not self._connection.task.done()

    # --- lifecycle --------------------------------------------------------------------------------

    def _connect(self) -> tuple[_Connection, asyncio.AbstractEventLoop]:
        with self._lock:
            if self._closed:
                raise McpServerError(f"{NAME}: the MCP session is closed")
            loop = self._ensure_loop()
            if self._connection is not None and not self._connection.task.done():
                return self._connection, loop
            if self._down is not None:
                until, why = self._down
                remaining = until - self._clock()
                if remaining > 0:
                    raise McpServerError(f"{why} (no new attempt for another {remaining:.0f} s)")
            future = asyncio.run_coroutine_threadsafe(self._open(), loop)
            try:
                connection = future.result(timeout=self._start_timeout + 10.0)
            except concurrent.futures.TimeoutError:
                future.cancel()
                raise self._mark_down(
                    self._start_problem(f"no answer within {self._start_timeout:g} s"), locked=True
                ) from None
            except Exception as error:
                raise self._mark_down(self._start_problem(_describe(error)), locked=True) from None
            self._connection = connection
            self._down = None
            self.starts += 1
            return connection, loop

    def _mark_down(self, why: str, *, locked: bool = False) -> McpServerError:
        """Remember that the server is unusable, so that calls in the next `retry_start_after_secs`
        fail at once instead of each launching a process; returns the error to raise."""
        until = self._clock() + self._retry_start_after
        if locked:
            self._down = (until, why)
        else:
            with self._lock:
                self._down = (until, why)
        logger.error("%s", why)
        return McpServerError(why)

    def _start_problem(self, detail: str) -> str:
        return f"{NAME}: could not start the MCP server `{self.command}` ({COMMAND_SETTING}): {detail}"

    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is not None:
            return self._loop
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="polygon-mcp-session", daemon=True)
        thread.start()
        self._loop, self._thread = loop, thread
        return loop

    def _discard(self, connection: _Connection) -> None:
        with self._lock:
            if self._connection is connection:
                self._connection = None
            loop = self._loop
        if loop is not None:
            self._stop_connection(connection, loop)

    def _stop_connection(self, connection: _Connection, loop: asyncio.AbstractEventLoop) -> None:
        loop.call_soon_threadsafe(connection.stop.set)
        waited = asyncio.run_coroutine_threadsafe(_wait(connection.task), loop)
        with contextlib.suppress(Exception):
            waited.result(timeout=15)

    # --- on the event loop ------------------------------------------------------------------------

    async def _open(self) -> _Connection:
        ready: asyncio.Future[ClientSession] = asyncio.get_running_loop().create_future()
        stop = asyncio.Event()
        task = asyncio.create_task(self._serve(ready, stop), name="polygon-mcp-server")
        try:
            session = await ready
        except BaseException:
            stop.set()
            await _wait(task)
            raise
        return _Connection(session, stop, task)

    async def _serve(self, ready: asyncio.Future[ClientSession], stop: asyncio.Event) -> None:
        """Own the server process and the session until `stop` is set (context managers stay in one task)."""
        try:
            async with (
                stdio_client(self._params, errlog=_errlog(self._errlog)) as (read, write),
                ClientSession(read, write, read_timeout_seconds=self._timeout) as session,
            ):
                with anyio.fail_after(self._start_timeout):
                    await session.initialize()
                ready.set_result(session)
                await stop.wait()
        except BaseException as error:
            if not ready.done():
                ready.set_exception(error if isinstance(error, Exception) else RuntimeError(repr(error)))
            elif not isinstance(error, asyncio.CancelledError):
                logger.warning("%s: the MCP session ended: %s", NAME, _describe(error))
            if isinstance(error, asyncio.CancelledError):
                raise

    async def _call(self, connection: _Connection, name: str, arguments: dict[str, Any]) -> str:
        result = await connection.session.call_tool(name, arguments)
        text = "".join(part.text for part in result.content if isinstance(part, TextContent))
        if result.is_error:
            found = mcp_transform.parse_error(text)
            raise found if found is not None else McpCallError("TOOL", text.strip() or "the tool failed")
        return text


async def _wait(task: asyncio.Task[None]) -> None:
    with contextlib.suppress(BaseException):
        await task


def _errlog(errlog: TextIO | None) -> TextIO:
    """Where the server's stderr goes: `errlog`, else our stderr when it is a real file, else /dev/null."""
    if errlog is not None:
        return errlog
    try:
        sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):
        return _devnull()
    return sys.stderr


@functools.cache
def _devnull() -> TextIO:
    return Path(os.devnull).open("w")  # one handle, kept for every server we start


def _describe(error: BaseException) -> str:
    if isinstance(error, BaseExceptionGroup):
        return "; ".join(_describe(inner) for inner in error.exceptions)
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


# --- the source -------------------------------------------------------------------------------------


class PolygonMcpSource(MeteredCalls, PagedLists):
    """`PolygonSource` over an MCP server's `call_api` tool (see source.py for each method's records)."""

    transport = "mcp"

    def __init__(
        self,
        command: str,
        env: Mapping[str, str],
        timeout_secs: float,
        calls: GuardedCalls,
        *,
        start_timeout_secs: float = 60.0,
        retry_start_after_secs: float = 30.0,
        errlog: TextIO | None = None,
    ) -> None:
        self._session = McpSession(
            command,
            env,
            timeout_secs=timeout_secs,
            start_timeout_secs=start_timeout_secs,
            retry_start_after_secs=retry_start_after_secs,
            errlog=errlog,
        )
        self._calls = calls
        self._secrets = tuple(
            value for key, value in env.items() if key in ("MASSIVE_API_KEY", "POLYGON_API_KEY") and value
        )

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
        carry the endpoint's identifying column."""
        label = f"{NAME} {endpoint}"

        def send() -> CallApiReply:
            try:
                text = self._session.call_tool("call_api", {"path": path, "params": params})
                reply = mcp_transform.parse_call_api(text, endpoint)
                mcp_transform.require_columns(reply.table, endpoint, _KEY_COLUMNS.get(endpoint, ()))
                return reply
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
    """What the MCP server is told: the key under both names, the base URL, and the variables of
    PASSED_THROUGH that are set in `environ` (default: ours)."""
    if settings.polygon_api_key is None or not settings.polygon_api_key.get_secret_value():
        raise ConfigurationError(
            "configuration error: POLYGON_API_KEY: the polygon_mcp provider needs a Polygon/Massive "
            "API key (set POLYGON_API_KEY or MASSIVE_API_KEY)"
        )
    key = settings.polygon_api_key.get_secret_value()
    source = os.environ if environ is None else environ
    env = {name: source[name] for name in PASSED_THROUGH if source.get(name)}
    env.update(MASSIVE_API_KEY=key, POLYGON_API_KEY=key, MASSIVE_API_BASE_URL=settings.polygon_base_url)
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
    from sectorlights.providers.polygon.factory import BUDGET_NAME
    from sectorlights.providers.polygon.market_data import PolygonMarketData

    env = server_environment(settings)
    check_command(settings.polygon_mcp_command)
    source = PolygonMcpSource(
        settings.polygon_mcp_command,
        env,
        settings.polygon_timeout_secs,
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
    )
