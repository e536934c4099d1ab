"""StateLog: a condition's changes are logged once each, the repeats in between only counted."""

from __future__ import annotations

import logging

import pytest

from sectorlights.core.state_log import StateLog

LOGGER = "tests.state_log"
FAIL, OK = "fail", "ok"


@pytest.mark.parametrize(
    ("events", "logged", "still_failing"),
    [
        # Healthy calls say nothing.
        ([OK, OK, OK], [], False),
        # The first failure is the state change: one warning with its error.
        ([FAIL], [(logging.WARNING, "redis down: boom 1")], True),
        # Failures after it only at debug, counted.
        (
            [FAIL, FAIL, FAIL],
            [
                (logging.WARNING, "redis down: boom 1"),
                (logging.DEBUG, "redis down: boom 2 (failure 2 in a row)"),
                (logging.DEBUG, "redis down: boom 3 (failure 3 in a row)"),
            ],
            True,
        ),
        # The recovery is one info line with the count; healthy calls after it say nothing again.
        (
            [OK, FAIL, FAIL, OK, OK],
            [
                (logging.WARNING, "redis down: boom 1"),
                (logging.DEBUG, "redis down: boom 2 (failure 2 in a row)"),
                (logging.INFO, "redis back (after 2 failures)"),
            ],
            False,
        ),
        (
            [FAIL, OK],
            [(logging.WARNING, "redis down: boom 1"), (logging.INFO, "redis back (after 1 failure)")],
            False,
        ),
        # A second outage is a state change again: warned about afresh, counted from one.
        (
            [FAIL, OK, FAIL, FAIL],
            [
                (logging.WARNING, "redis down: boom 1"),
                (logging.INFO, "redis back (after 1 failure)"),
                (logging.WARNING, "redis down: boom 2"),
                (logging.DEBUG, "redis down: boom 3 (failure 2 in a row)"),
            ],
            True,
        ),
    ],
)
def test_each_state_change_is_logged_once(
    caplog: pytest.LogCaptureFixture,
    events: list[str],
    logged: list[tuple[int, str]],
    still_failing: bool,
) -> None:
    state = StateLog(logging.getLogger(LOGGER))
    failures = 0
    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        for event in events:
            if event == FAIL:
                failures += 1
                state.failed("redis down: %s", f"boom {failures}")
            else:
                state.recovered("redis back")
    assert [(r.levelno, r.getMessage()) for r in caplog.records if r.name == LOGGER] == logged
    assert state.failing is still_failing


@pytest.mark.parametrize(
    ("events", "changes"),
    [
        ([FAIL, FAIL, OK, OK, FAIL], [True, False, True, False, True]),
        ([OK, FAIL, OK], [False, True, True]),
    ],
)
def test_the_calls_say_whether_they_changed_the_state(events: list[str], changes: list[bool]) -> None:
    state = StateLog(logging.getLogger(LOGGER))
    answers = [state.failed("down") if event == FAIL else state.recovered("back") for event in events]
    assert answers == changes


def test_the_failure_level_and_traceback_are_the_callers(caplog: pytest.LogCaptureFixture) -> None:
    state = StateLog(logging.getLogger(LOGGER), logging.ERROR)
    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        for _ in range(2):
            try:
                raise RuntimeError("poll failed")
            except RuntimeError:
                state.failed("move watcher: the poll failed", exc_info=True)
    first, second = (r for r in caplog.records if r.name == LOGGER)
    assert first.levelno == logging.ERROR and first.exc_info is not None
    # The repeats carry no traceback: the first one said it all.
    assert second.levelno == logging.DEBUG and not second.exc_info
    assert state.failures == 2


def test_with_debug_off_the_repeats_cost_no_record(caplog: pytest.LogCaptureFixture) -> None:
    state = StateLog(logging.getLogger(LOGGER))
    with caplog.at_level(logging.INFO, logger=LOGGER):
        for _ in range(100):
            state.failed("down")
        state.recovered("back")
    assert [r.getMessage() for r in caplog.records if r.name == LOGGER] == [
        "down",
        "back (after 100 failures)",
    ]
