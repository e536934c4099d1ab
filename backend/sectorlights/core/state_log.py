"""Log a dependency's health when it changes, not on every call.

A Redis that is down, a vendor endpoint that keeps failing or a cache that cannot be read would
otherwise write the same warning for every request that meets it. A `StateLog` watches one such
condition: the first failure is logged at the failure level (a warning by default) with its error,
the failures after it only at debug (counted), and the first success after them once at info, with
how many failures there were in between. Successes while healthy log nothing.

Thread-safe: vendor calls and Redis budgets report from worker threads.
"""

from __future__ import annotations

import logging
import threading


class StateLog:
    """One condition's ok -> failing -> ok transitions, logged once each on `logger`."""

    def __init__(self, logger: logging.Logger, failure_level: int = logging.WARNING) -> None:
        self._logger = logger
        self._failure_level = failure_level
        self._failures = 0
        self._lock = threading.Lock()

    @property
    def failing(self) -> bool:
        with self._lock:
            return self._failures > 0

    @property
    def failures(self) -> int:
        """Failures reported since the last success (0 while healthy)."""
        with self._lock:
            return self._failures

    def failed(self, message: str, *args: object, exc_info: bool = False) -> bool:
        """Report a failure; True when it is the one that turned the condition to failing (and was
        logged at the failure level), False when it was only counted (and logged at debug)."""
        with self._lock:
            self._failures += 1
            failures = self._failures
        if failures == 1:
            self._logger.log(self._failure_level, message, *args, exc_info=exc_info)
            return True
        if self._logger.isEnabledFor(logging.DEBUG):
            self._logger.debug(message + " (failure %d in a row)", *args, failures)
        return False

    def recovered(self, message: str, *args: object) -> bool:
        """Report a success; True when it ended a failing spell (logged at info with its count)."""
        with self._lock:
            failures, self._failures = self._failures, 0
        if failures == 0:
            return False
        self._logger.info(message + " (after %d failure%s)", *args, failures, "" if failures == 1 else "s")
        return True
