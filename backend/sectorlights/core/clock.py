"""Where "now" comes from: the system clock, or a frozen instant for demos and tests."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("a frozen clock needs a timezone-aware time")
        self._at = at

    def now(self) -> datetime:
        return self._at


class AcceleratedClock:
    """Starts at `start` and runs `speed` times faster than real time (for demos and soak tests).

    Without `epoch` the simulated time starts at `start` when the clock is made. With `epoch` (the
    real time at which the simulated clock read `start`) it is read off the wall clock, so processes
    given the same epoch share one simulated time, and a process restarted mid-soak resumes it
    instead of going back to `start`."""

    def __init__(
        self,
        start: datetime,
        speed: float,
        monotonic: Callable[[], float] = time.monotonic,
        epoch: datetime | None = None,
        wall: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        if start.tzinfo is None:
            raise ValueError("an accelerated clock needs a timezone-aware start")
        if epoch is not None and epoch.tzinfo is None:
            raise ValueError("the simulated clock's epoch needs a timezone")
        if speed <= 0:
            raise ValueError("clock speed must be positive")
        self._start = start
        self._speed = speed
        self._monotonic = monotonic
        self._origin = monotonic()
        self._epoch = epoch
        self._wall = wall

    def now(self) -> datetime:
        if self._epoch is not None:
            return self._start + (self._wall() - self._epoch) * self._speed
        return self._start + timedelta(seconds=(self._monotonic() - self._origin) * self._speed)


def clock_from_settings(frozen_at: datetime | None, speed: float, epoch: datetime | None = None) -> Clock:
    """SIM_NOW alone freezes the clock; SIM_SPEED runs it faster, from SIM_NOW or from now; with
    SIM_EPOCH every process shares the simulated time that read SIM_NOW at that real instant."""
    if speed != 1.0 or epoch is not None:
        return AcceleratedClock(frozen_at or datetime.now(UTC), speed, epoch=epoch)
    if frozen_at is not None:
        return FrozenClock(frozen_at)
    return SystemClock()


def elapsed_secs(earlier: datetime, later: datetime) -> float:
    """Real seconds from `earlier` to `later`.

    Python subtracts two datetimes sharing a tzinfo by wall clock, which is an hour off across a DST
    change, so both are taken to UTC first.
    """
    return (later.astimezone(UTC) - earlier.astimezone(UTC)).total_seconds()
