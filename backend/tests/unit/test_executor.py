"""The engine's bounded pool of daemon threads: never more than its workers at once, results and
errors handed back, API-side threads never queued behind it, and a close that gives up on a hung call."""

from __future__ import annotations

import asyncio
import contextvars
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sectorlights.core.executor import BoundedExecutor, DaemonThreadPool, ExecutorClosedError

REQUEST = contextvars.ContextVar("REQUEST", default="none")


class Gate:
    """Calls that block until released, counting how many run at once."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.running = 0
        self.most = 0
        self.entered = threading.Semaphore(0)

    def call(self, value: int) -> int:
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
        self.entered.release()
        try:
            assert self.release.wait(30)
            return value * 2
        finally:
            with self.lock:
                self.running -= 1


@settings(max_examples=25, deadline=None)
@given(workers=st.integers(1, 4), calls=st.integers(0, 12))
def test_never_more_than_its_workers_at_once_and_every_result_comes_back(workers: int, calls: int) -> None:
    async def scenario() -> tuple[list[int], int, int]:
        executor = BoundedExecutor("vendor", workers)
        gate = Gate()
        futures = [asyncio.ensure_future(executor.run(gate.call, value)) for value in range(calls)]
        for _ in range(min(workers, calls)):
            await asyncio.to_thread(gate.entered.acquire, True, 30)
        await asyncio.sleep(0.01)
        running_while_blocked = gate.running
        gate.release.set()
        results = list(await asyncio.gather(*futures))
        await executor.close(1.0)
        return results, running_while_blocked, gate.most

    results, running, most = asyncio.run(scenario())
    assert results == [value * 2 for value in range(calls)]
    assert running == min(workers, calls)
    assert most <= workers


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda: 7, 7),
        (REQUEST.get, "trader-1"),
        (lambda: threading.current_thread().daemon, True),
        (lambda: threading.current_thread().name.startswith("vendor-"), True),
    ],
    ids=["result", "context variables", "daemon thread", "named thread"],
)
def test_a_call_runs_like_to_thread_on_a_named_daemon_thread(call: object, expected: object) -> None:
    async def scenario() -> object:
        executor = BoundedExecutor("vendor", 1)
        REQUEST.set("trader-1")
        try:
            return await executor.run(call)  # type: ignore[arg-type]
        finally:
            await executor.close(1.0)

    assert asyncio.run(scenario()) == expected


def test_an_error_in_the_call_is_raised_to_whoever_awaits_it() -> None:
    def fail() -> None:
        raise LookupError("vendor said no")

    async def scenario() -> None:
        executor = BoundedExecutor("vendor", 1)
        with pytest.raises(LookupError, match="vendor said no"):
            await executor.run(fail)
        # The thread survives its call's error.
        assert await executor.run(lambda: 3) == 3
        await executor.close(1.0)

    asyncio.run(scenario())


def test_blocked_vendor_calls_never_queue_the_default_threads() -> None:
    """Every vendor thread hung: `asyncio.to_thread` (the database reads of API requests) still runs."""

    async def scenario() -> str:
        executor = BoundedExecutor("vendor", 2)
        gate = Gate()
        hung = [asyncio.ensure_future(executor.run(gate.call, n)) for n in range(6)]
        for _ in range(2):
            await asyncio.to_thread(gate.entered.acquire, True, 30)
        answer = await asyncio.wait_for(asyncio.to_thread(lambda: "served"), timeout=10)
        gate.release.set()
        await asyncio.gather(*hung)
        await executor.close(1.0)
        return answer

    assert asyncio.run(scenario()) == "served"


def test_close_gives_up_on_a_hung_call_cancels_the_queued_and_refuses_new_work() -> None:
    async def scenario() -> None:
        executor = BoundedExecutor("vendor", 1)
        gate = Gate()
        running = asyncio.ensure_future(executor.run(gate.call, 1))
        queued = asyncio.ensure_future(executor.run(gate.call, 2))
        await asyncio.to_thread(gate.entered.acquire, True, 30)
        # Returns with the call still hung (it is released only below).
        assert await executor.close(0.2) == 1
        with pytest.raises(asyncio.CancelledError):
            await queued
        with pytest.raises(ExecutorClosedError, match="shutting down"):
            await executor.run(lambda: 0)
        gate.release.set()
        assert await running == 2

    asyncio.run(scenario())


def test_close_with_nothing_running_waits_for_nothing() -> None:
    async def scenario() -> int:
        executor = BoundedExecutor("vendor", 3)
        assert await executor.run(lambda: 1) == 1
        return await executor.close(5.0)

    assert asyncio.run(scenario()) == 0


def test_the_pool_is_a_drop_in_for_a_thread_pool_executor() -> None:
    with DaemonThreadPool(max_workers=3, thread_name_prefix="details") as pool:
        assert list(pool.map(lambda value: value + 1, range(10))) == list(range(1, 11))
    with pytest.raises(ExecutorClosedError):
        pool.submit(lambda: 0)


@pytest.mark.parametrize("workers", [0, -1])
def test_a_pool_needs_a_worker(workers: int) -> None:
    with pytest.raises(ValueError, match="max_workers"):
        DaemonThreadPool(workers)
