"""Background asyncio tasks of the engine's loops."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from sectorlights.core.clock import elapsed_secs


async def stop_task(
    task: asyncio.Task[Any] | None, suppress: tuple[type[BaseException], ...] = (asyncio.CancelledError,)
) -> None:
    """Cancel `task` (if it is still running) and wait until it has stopped, ignoring `suppress`."""
    if task is None or task.done():
        return
    task.cancel()
    with contextlib.suppress(*suppress):
        await task


def check_clock_pacing(clock_speed: float, max_sleep_secs: float) -> None:
    """The pacing of `sleep_until`, checked once where a loop is configured."""
    if clock_speed <= 0:
        raise ValueError("clock_speed must be positive")
    if max_sleep_secs <= 0:
        raise ValueError("max_sleep_secs must be positive")


async def sleep_until(
    at: datetime,
    now: Callable[[], datetime],
    clock_speed: float,
    max_sleep_secs: float,
    sleep: Callable[[float], Awaitable[None]],
) -> None:
    """Sleep until the engine clock (`now`) reaches `at`: clock seconds turn into real ones by
    `clock_speed`, re-checked at least every `max_sleep_secs` (a simulated clock may be moved)."""
    while True:
        remaining_clock_secs = elapsed_secs(now(), at)
        if remaining_clock_secs <= 0:
            return
        await sleep(min(remaining_clock_secs / clock_speed, max_sleep_secs))
