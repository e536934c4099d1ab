"""A database that stops answering, as the API sees it: which errors mean "unavailable" (answered
with 503 and Retry-After, never 500), and one log line when an outage starts and one when it ends
however many requests meet it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TypeVar

from sectorlights.core.state_log import StateLog
from sectorlights.storage.database import UNAVAILABLE_ERRORS, unavailable_reason

T = TypeVar("T")

logger = logging.getLogger("sectorlights.database")

# The errors of a database that went away, named here for the API's error handlers (the API reaches
# storage only through the engine).
DATABASE_UNAVAILABLE_ERRORS = UNAVAILABLE_ERRORS
# How long a client is asked to wait before trying again: a restarting PostgreSQL is usually back
# within seconds, and pollers that come back at once only add to the load of a recovering one.
RETRY_AFTER_SECS = 5
UNAVAILABLE_DETAIL = "The database is not answering; try again shortly (see Retry-After)."


class DatabaseUnavailable(RuntimeError):  # noqa: N818 - named for the answer it becomes
    """A database call failed because the database is unavailable; already logged by the watch."""


class DatabaseWatch:
    """Whether the database answers, as the requests that use it find out: the first failure is
    logged (a warning, with the driver's reason, no traceback), the ones after it only counted,
    and the first success after them once."""

    def __init__(self, log: logging.Logger = logger) -> None:
        self._state = StateLog(log)

    @property
    def failing(self) -> bool:
        return self._state.failing

    def failed(self, error: BaseException) -> None:
        self._state.failed(
            "database unavailable, answering 503 until it is back: %s", unavailable_reason(error)
        )

    def answered(self) -> None:
        self._state.recovered("database answers again")

    async def call(self, fn: Callable[..., T], *args: object) -> T:
        """`fn(*args)` in a worker thread; DatabaseUnavailable when the database is unavailable."""
        try:
            result = await asyncio.to_thread(fn, *args)
        except DATABASE_UNAVAILABLE_ERRORS as error:
            self.failed(error)
            raise DatabaseUnavailable(unavailable_reason(error)) from error
        self.answered()
        return result
