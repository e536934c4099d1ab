"""One long-lived MCP stdio session with Polygon's MCP server (`mcp_massive`, or our stand-in), used
from synchronous code; the only module of the MCP provider that runs processes.

One background thread runs an event loop that owns the server process and its session (started on
first use). The server is restarted, and the call sent again, in two cases:

* it died (the call sees the connection close): restarted once; if the new one dies too, it is left
  alone for `retry_start_after_secs`;
* its endpoint index is empty: `mcp_massive` builds its path allowlist once, from the API docs at
  `MASSIVE_LLMS_TXT_URL`, and when that fetch fails it keeps an empty index for its whole life and
  answers every `call_api` with `Error [NOT_FOUND]: Path not in allowlist`. A server that has
  refused every path it was asked for is restarted (so it fetches the docs again), at once the first
  time and then no more often than a backoff that doubles from `index_retry_secs` up to
  INDEX_RETRY_MAX_SECS; until then calls fail with an McpServerError saying the index is empty. A
  server that has served some path and refuses another only lacks that one: the refusal is passed on.

The server's stderr (two INFO lines per call from `mcp_massive`) goes to the DEBUG logger
`sectorlights.providers.polygon.mcp.server`, not to ours; its last lines are quoted in errors.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import os
import shlex
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any, TextIO

import anyio
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.shared.exceptions import MCPError
from mcp_types import CONNECTION_CLOSED, REQUEST_TIMEOUT, TextContent

from sectorlights.core.state_log import StateLog
from sectorlights.providers.base import ProviderError
from sectorlights.providers.polygon import mcp_transform
from sectorlights.providers.polygon.mcp_transform import McpCallError

logger = logging.getLogger(__name__)
SERVER_LOG = logging.getLogger("sectorlights.providers.polygon.mcp.server")

NAME = "polygon_mcp"
COMMAND_SETTING = "SECTORLIGHTS_POLYGON_MCP_COMMAND"
DOCS_URL_VARIABLE = "MASSIVE_LLMS_TXT_URL"
OFFICIAL_DOCS_URL = "https://massive.com/docs/rest/llms-full.txt"  # mcp_massive's default
INDEX_RETRY_SECS = 15.0
INDEX_RETRY_MAX_SECS = 300.0
_KEY_VARIABLES = ("MASSIVE_API_KEY", "POLYGON_API_KEY")
_MAX_SENDS = 4  # one call's sends: a restart, and servers replaced by other calls meanwhile


class McpServerError(ProviderError):
    """The MCP server could not be started, died again after its restart, or cannot serve any path."""


class _Connection:
    """A running server and its initialized session (lives on the session's event loop)."""

    def __init__(self, session: ClientSession, stop: asyncio.Event, task: asyncio.Task[None]) -> None:
        self.session = session
        self.stop = stop
        self.task = task
        self.served = False  # some call_api path was not refused: the endpoint index is loaded
        self.retired = False  # stopped by us to be replaced (its index was empty), not crashed


class _ServerLog:
    """A pipe every server we start writes its stderr to: each line goes to SERVER_LOG at DEBUG and
    the last few are kept for error messages."""

    def __init__(self, keep: int = 20) -> None:
        read_fd, write_fd = os.pipe()
        self.stream: TextIO = os.fdopen(write_fd, "w")
        self._recent: deque[str] = deque(maxlen=keep)
        self._lock = threading.Lock()
        self._thread = threading.Thread(
            target=self._pump, args=(read_fd,), name="polygon-mcp-stderr", daemon=True
        )
        self._thread.start()

    def _pump(self, read_fd: int) -> None:
        with os.fdopen(read_fd, encoding="utf-8", errors="replace") as lines:
            for line in lines:
                text = line.rstrip()
                if text:
                    with self._lock:
                        self._recent.append(text)
                    SERVER_LOG.debug("%s", text)

    def last(self, containing: str = "") -> str | None:
        """The most recent line (containing `containing`), if any."""
        with self._lock:
            recent = list(self._recent)
        return next((line for line in reversed(recent) if containing in line), None)

    def close(self) -> None:
        """Close our end; the reader stops once every server holding the pipe has exited."""
        self.stream.close()
        self._thread.join(timeout=2)


class McpSession:
    """A long-lived MCP stdio session used from synchronous code.

    `call_tool` may be called from any thread (several at once: requests are multiplexed on the one
    session). See the module docstring for when the server is restarted.
    """

    def __init__(
        self,
        command: str,
        env: Mapping[str, str],
        *,
        timeout_secs: float,
        start_timeout_secs: float = 60.0,
        retry_start_after_secs: float = 30.0,
        index_retry_secs: float = INDEX_RETRY_SECS,
        errlog: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        argv = shlex.split(command)
        if not argv:
            raise ValueError("the MCP server command is empty")
        self.command = command
        self._params = StdioServerParameters(command=argv[0], args=argv[1:], env=dict(env))
        self._docs_url = env.get(DOCS_URL_VARIABLE) or OFFICIAL_DOCS_URL
        self._timeout = timeout_secs
        self._start_timeout = start_timeout_secs
        self._errlog = errlog
        self._server_log: _ServerLog | None = None
        self._retry_start_after = retry_start_after_secs
        self._index_retry = index_retry_secs
        self._index_backoff = index_retry_secs
        self._index_restart_at = float("-inf")  # no restart for an empty index before this time
        self._index_restarts = 0  # restarts for an empty index since a server last served a path
        self._index_log = StateLog(logger, logging.ERROR)  # logged when it turns empty and when it loads
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
        when no answer came in time, McpServerError when the server cannot be (re)started or cannot
        serve any path."""
        restarted = False  # each call restarts the server at most once (it died, or its index is empty)
        for _ in range(_MAX_SENDS):
            connection, loop = self._connect()
            text = self._send(connection, loop, name, arguments)
            if text is None:  # the connection closed under the call
                if connection.retired:
                    continue  # another call replaced this server: send again to the new one
                self._discard(connection)
                if restarted:
                    raise self._mark_down(
                        f"{NAME}: the MCP server ({self.command}) exited again after a restart; "
                        f"check {COMMAND_SETTING} and the server's own log{self._last_words()}"
                    )
                logger.warning("%s: the MCP server (%s) exited; restarting it once", NAME, self.command)
                restarted = True
                continue
            if name != "call_api":
                return text
            if not mcp_transform.refuses_path(text):
                self._served(connection)
                return text
            if connection.served:
                return text  # the index lists other paths: only this one is missing from it
            if not restarted and self._may_restart_for_index():
                logger.warning(
                    "%s: the MCP server (%s) refuses every path, its endpoint index is empty; "
                    "restarting it to fetch the API docs again (%s)",
                    NAME,
                    self.command,
                    self._docs_url,
                )
                connection.retired = True
                self._discard(connection)
                restarted = True
                continue
            raise self._index_empty(str(arguments.get("path", "")))
        raise McpServerError(f"{NAME}: the MCP server ({self.command}) was replaced under every attempt")

    def close(self) -> None:
        """Stop the server and the event loop thread (idempotent)."""
        with self._lock:
            self._closed = True
            connection, self._connection = self._connection, None
            loop, self._loop = self._loop, None
            thread, self._thread = self._thread, None
            server_log, self._server_log = self._server_log, None
        if loop is not None:
            if connection is not None:
                self._stop_connection(connection, loop)
            loop.call_soon_threadsafe(loop.stop)
            if thread is not None:
                thread.join(timeout=10)
            if not loop.is_running():
                loop.close()
        if server_log is not None:
            server_log.close()

    @property
    def secrets(self) -> tuple[str, ...]:
        """The API key values the server was given: never to appear in a message."""
        env = self._params.env or {}
        return tuple(value for key, value in env.items() if key in _KEY_VARIABLES and value)

    @property
    def running(self) -> bool:
        with self._lock:
            return self._connection is not None and not self._connection.task.done()

    # --- calls ------------------------------------------------------------------------------------

    def _send(
        self, connection: _Connection, loop: asyncio.AbstractEventLoop, name: str, arguments: dict[str, Any]
    ) -> str | None:
        """The reply, or None when the connection closed before it came (the server died or was
        stopped)."""
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
        return None

    def _served(self, connection: _Connection) -> None:
        if connection.served:
            return
        with self._lock:
            connection.served = True
            self._index_backoff = self._index_retry
            self._index_restart_at = float("-inf")
            self._index_restarts = 0
        self._index_log.recovered("%s: the MCP server's endpoint index is loaded", NAME)

    def _may_restart_for_index(self) -> bool:
        """Whether a server with an empty index may be replaced now (then the next one not before
        the backoff has passed, and the backoff doubles)."""
        with self._lock:
            now = self._clock()
            if now < self._index_restart_at:
                return False
            self._index_restart_at = now + self._index_backoff
            self._index_backoff = min(self._index_backoff * 2, INDEX_RETRY_MAX_SECS)
            self._index_restarts += 1
            return True

    def _index_empty(self, path: str) -> McpServerError:
        with self._lock:
            wait_secs = max(0.0, self._index_restart_at - self._clock())
            restarts = self._index_restarts
        fetch = self._server_log.last("Error fetching") if self._server_log is not None else None
        why = (
            f"{NAME}: the MCP server's endpoint index is empty: it refused every path it was asked for "
            f"(the last, {path}: Path not in allowlist). It builds the index from the API docs at "
            f"{DOCS_URL_VARIABLE} ({self._docs_url}) and keeps it empty when that fetch fails"
            f"{f' (its log: {fetch})' if fetch else ''}; restarted {restarts} time(s), "
            f"next restart in {wait_secs:.0f} s"
        )
        self._index_log.failed("%s", why)
        return McpServerError(why)

    def _last_words(self) -> str:
        line = self._server_log.last() if self._server_log is not None else None
        return f" (its last stderr line: {line})" if line else ""

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
        return (
            f"{NAME}: could not start the MCP server `{self.command}` ({COMMAND_SETTING}): "
            f"{detail}{self._last_words()}"
        )

    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is not None:
            return self._loop
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="polygon-mcp-session", daemon=True)
        thread.start()
        self._loop, self._thread = loop, thread
        if self._errlog is None:
            self._server_log = _ServerLog()
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
        errlog = self._errlog or (self._server_log.stream if self._server_log is not None else None)
        if errlog is None:  # pragma: no cover - the log exists from the loop's start until close()
            raise McpServerError(f"{NAME}: the MCP session is closed")
        try:
            async with (
                stdio_client(self._params, errlog=errlog) as (read, write),
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


def _describe(error: BaseException) -> str:
    if isinstance(error, BaseExceptionGroup):
        return "; ".join(_describe(inner) for inner in error.exceptions)
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
