"""A bounded pool of daemon threads for blocking work that may hang (vendor calls, analysis runs).

Why not `asyncio.to_thread`: its default executor is shared with every database read an API request
makes, so a slow vendor holding its threads would queue those reads behind it; and its threads are
joined when the process exits, so one request stuck on a vendor would hold up shutdown for as long as
the vendor takes. These threads are their own, at most `max_workers` of them, and daemon threads, so
`close` can give up on a call still running after a bound and let the process exit.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import itertools
import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any, TypeVar

T = TypeVar("T")

logger = logging.getLogger(__name__)

_ids = itertools.count(1)


class ExecutorClosedError(RuntimeError):
    """Work was offered to an executor that is shutting down."""


class DaemonThreadPool(Executor):
    """A `concurrent.futures.Executor` of at most `max_workers` daemon threads, started as work
    arrives. Usable wherever a ThreadPoolExecutor is (`submit`, `map`, `with`), and by
    `loop.run_in_executor`."""

    def __init__(self, max_workers: int, thread_name_prefix: str = "worker") -> None:
        if max_workers < 1:
            raise ValueError("max_workers must be at least 1")
        self.max_workers = max_workers
        self._prefix = f"{thread_name_prefix}-{next(_ids)}"
        self._work: queue.SimpleQueue[tuple[Future[Any], Callable[[], Any]] | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._idle = 0
        self._busy = 0
        self._queued = 0
        self._closed = False

    @property
    def busy(self) -> int:
        """Calls running now."""
        return self._busy

    @property
    def queued(self) -> int:
        """Calls waiting for a free thread."""
        return self._queued

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        with self._lock:
            if self._closed:
                raise ExecutorClosedError(f"{self._prefix}: shutting down, no new work is taken")
            future: Future[T] = Future()
            self._queued += 1
            self._work.put((future, functools.partial(fn, *args, **kwargs)))
            if self._idle == 0 and len(self._threads) < self.max_workers:
                thread = threading.Thread(
                    target=self._worker, name=f"{self._prefix}-{len(self._threads)}", daemon=True
                )
                self._threads.append(thread)
                thread.start()
            else:
                self._idle = max(self._idle - 1, 0)
            return future

    def _worker(self) -> None:
        while True:
            item = self._work.get()
            if item is None:
                return
            future, call = item
            with self._lock:
                self._queued -= 1
            if not future.set_running_or_notify_cancel():
                self._mark_idle()
                continue
            with self._lock:
                self._busy += 1
            failure: BaseException | None = None
            result: Any = None
            try:
                result = call()
            except BaseException as error:  # handed to whoever awaits the future
                failure = error
            # Not busy before the future resolves: whoever it wakes may count what is still running.
            with self._lock:
                self._busy -= 1
            if failure is None:
                future.set_result(result)
            else:
                future.set_exception(failure)
            del item, future, call, failure, result
            self._mark_idle()

    def _mark_idle(self) -> None:
        with self._lock:
            self._idle += 1

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Take no more work; cancel the queued calls when `cancel_futures`; with `wait`, wait for
        the running ones (without a bound: `BoundedExecutor.close` is the bounded one)."""
        with self._lock:
            self._closed = True
            threads = list(self._threads)
        if cancel_futures:
            self._cancel_queued()
        for _ in threads:
            self._work.put(None)
        if wait:
            for thread in threads:
                thread.join()

    def _cancel_queued(self) -> None:
        pending: list[tuple[Future[Any], Callable[[], Any]] | None] = []
        while True:
            try:
                pending.append(self._work.get_nowait())
            except queue.Empty:
                break
        for item in pending:
            if item is None:
                continue
            with self._lock:
                self._queued -= 1
            item[0].cancel()


class BoundedExecutor:
    """The engine's pool for vendor calls and runs: `await run(fn, *args)` like `asyncio.to_thread`
    (context variables included), on at most `max_workers` threads; `close` waits at most a bound."""

    def __init__(self, name: str, max_workers: int) -> None:
        self.name = name
        self.pool = DaemonThreadPool(max_workers, thread_name_prefix=name)
        self._running: set[asyncio.Future[Any]] = set()

    @property
    def max_workers(self) -> int:
        return self.pool.max_workers

    async def run(self, fn: Callable[..., T], /, *args: Any) -> T:
        """`fn(*args)` on one of the pool's threads; ExecutorClosedError once closing has begun."""
        loop = asyncio.get_running_loop()
        context = contextvars.copy_context()
        future = loop.run_in_executor(self.pool, functools.partial(context.run, fn, *args))
        self._running.add(future)
        future.add_done_callback(self._running.discard)
        return await future

    async def close(self, timeout_secs: float) -> int:
        """Take no more work, cancel what has not started, and wait up to `timeout_secs` for what
        has; returns how many calls were still running when the wait gave up (their threads are
        left to end with the process)."""
        self.pool.shutdown(wait=False, cancel_futures=True)
        running = {future for future in self._running if not future.done()}
        if running:
            _done, pending = await asyncio.wait(running, timeout=timeout_secs)
            for future in pending:
                # Nobody will await it now; keep asyncio from reporting its eventual error.
                future.add_done_callback(_consume)
        left = self.pool.busy
        if left:
            logger.warning(
                "%s: %d call(s) still running after %.1f s; not waiting for them",
                self.name,
                left,
                timeout_secs,
            )
        return left


def _consume(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()
