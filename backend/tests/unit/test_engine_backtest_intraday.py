"""Which (session, time) the intraday backtest can score: its own minute bars and prior day bars,
inside the regular session, the minute bars covering the instant and the window; no next session."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from sectorlights.domain.sessions import previous_sessions
from sectorlights.engine.backtest_intraday import sessions_between, skip_reason, time_label

NY = ZoneInfo("America/New_York")
FRIDAY = date(2017, 11, 10)  # the last imported session: no next session is needed
BLACK_FRIDAY = date(2017, 11, 24)  # closes at 13:00
HISTORY = 3


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), NY)


def span(
    day: date, first: tuple[int, int] = (4, 1), last: tuple[int, int] = (20, 0)
) -> tuple[datetime, datetime]:
    return at(day, *first), at(day, *last)


def imported_before(day: date) -> set[date]:
    return set(previous_sessions(day, HISTORY))


@pytest.mark.parametrize(
    ("session", "start", "end", "imported", "minutes", "reason"),
    [
        # Scored: minute bars from 04:01 to 20:00, history imported, no next session anywhere.
        (FRIDAY, at(FRIDAY, 10), at(FRIDAY, 14), imported_before(FRIDAY), span(FRIDAY), None),
        (FRIDAY, at(FRIDAY, 15, 59), at(FRIDAY, 16), imported_before(FRIDAY), span(FRIDAY), None),
        (
            FRIDAY,
            at(FRIDAY, 10),
            at(FRIDAY, 14),
            imported_before(FRIDAY),
            None,
            "no minute bars imported: import minute_aggs_v1/2017/11/2017-11-10.csv.gz",
        ),
        (
            BLACK_FRIDAY,
            at(BLACK_FRIDAY, 14),
            at(BLACK_FRIDAY, 13),
            imported_before(BLACK_FRIDAY),
            span(BLACK_FRIDAY),
            "early close at 13:00: 14:00 is not in that session's regular hours",
        ),
        (
            BLACK_FRIDAY,
            at(BLACK_FRIDAY, 10),
            at(BLACK_FRIDAY, 13),
            imported_before(BLACK_FRIDAY),
            span(BLACK_FRIDAY, last=(13, 0)),
            None,
        ),
        (
            FRIDAY,
            at(FRIDAY, 10),
            at(FRIDAY, 14),
            set(previous_sessions(FRIDAY, HISTORY)[1:]),
            span(FRIDAY),
            "1 of the 3 prior sessions' day bars not imported",
        ),
        (
            FRIDAY,
            at(FRIDAY, 10),
            at(FRIDAY, 14),
            imported_before(FRIDAY),
            span(FRIDAY, first=(10, 31)),
            "the first minute bar (IWM's) ends at 10:31, after 10:00",
        ),
        (
            FRIDAY,
            at(FRIDAY, 12),
            at(FRIDAY, 16),
            imported_before(FRIDAY),
            span(FRIDAY, last=(15, 0)),
            "the last minute bar (IWM's) ends at 15:00, before the window ends at 16:00",
        ),
    ],
)
def test_skip_reason(
    session: date,
    start: datetime,
    end: datetime,
    imported: set[date],
    minutes: tuple[datetime, datetime] | None,
    reason: str | None,
) -> None:
    assert skip_reason(session, start, end, imported, minutes, HISTORY) == reason


def test_skip_reason_reads_instants_in_new_york_whatever_their_zone() -> None:
    utc = ZoneInfo("UTC")
    minutes = (at(FRIDAY, 10, 31).astimezone(utc), at(FRIDAY, 20).astimezone(utc))
    reason = skip_reason(FRIDAY, at(FRIDAY, 10), at(FRIDAY, 14), imported_before(FRIDAY), minutes, HISTORY)
    assert reason == "the first minute bar (IWM's) ends at 10:31, after 10:00"


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        (
            date(2017, 11, 9),
            date(2017, 11, 14),
            [date(2017, 11, 9), date(2017, 11, 10), date(2017, 11, 13), date(2017, 11, 14)],
        ),
        (date(2017, 11, 11), date(2017, 11, 12), []),  # a weekend
        (date(2017, 11, 22), date(2017, 11, 24), [date(2017, 11, 22), BLACK_FRIDAY]),  # Thanksgiving
    ],
)
def test_sessions_between(first: date, last: date, expected: list[date]) -> None:
    assert sessions_between(first, last) == expected


def test_time_label() -> None:
    assert time_label((datetime(2017, 1, 1, 9, 30) + timedelta(minutes=5)).time()) == "09:35"
