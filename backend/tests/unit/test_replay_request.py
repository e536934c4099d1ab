"""The one check of a replay request (`sectorlights replay` and `POST /api/replays` share it): which
dates and New York times can be replayed, and which imported bars the analysis needs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sectorlights.domain.sessions import NEW_YORK, is_session, previous_sessions, session_bounds
from sectorlights.engine.computation import REPLAY_LAG
from sectorlights.engine.replay_request import ReplayInstant, ReplayRequestError, missing_bars, replay_instant

# A Friday morning in New York, the wall clock of every case.
WALL_NOW = datetime(2026, 12, 4, 9, 0, tzinfo=NEW_YORK)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), NEW_YORK)


@pytest.mark.parametrize(
    ("day", "clock", "at"),
    [
        ("2017-11-09", None, _at(date(2017, 11, 9), 16)),  # the regular close by default
        ("2017-11-24", None, _at(date(2017, 11, 24), 13)),  # the day after Thanksgiving closes early
        ("2017-11-09", "12:30", _at(date(2017, 11, 9), 12, 30)),
        ("2017-11-09", "04:00", _at(date(2017, 11, 9), 4)),  # the session's extended hours, both ends
        ("2017-11-09", "20:00", _at(date(2017, 11, 9), 20)),
        ("2026-12-03", "19:30", _at(date(2026, 12, 3), 19, 30)),  # yesterday evening
        ("2026-12-04", "07:59", _at(date(2026, 12, 4), 7, 59)),  # today, just over the lag ago
    ],
)
def test_the_instant_a_request_replays(day: str, clock: str | None, at: datetime) -> None:
    replay = replay_instant(day, clock, WALL_NOW)
    assert replay == ReplayInstant(date.fromisoformat(day), at)


@pytest.mark.parametrize(
    ("day", "clock", "fields", "words"),
    [
        ("2017-13-01", None, ("date",), "not a date (YYYY-MM-DD): '2017-13-01'"),
        ("09/11/2017", None, ("date",), "not a date (YYYY-MM-DD)"),
        ("20171109", None, ("date",), "not a date (YYYY-MM-DD): '20171109'"),
        ("2017-W45-4", None, ("date",), "not a date (YYYY-MM-DD)"),
        (" 2017-11-09", None, ("date",), "not a date (YYYY-MM-DD)"),
        ("", None, ("date",), "not a date"),
        ("2017-11-11", None, ("date",), "2017-11-11 is not a NYSE session"),  # a Saturday
        ("2017-11-23", None, ("date",), "2017-11-23 is not a NYSE session"),  # Thanksgiving
        ("1999-06-01", None, ("date",), "outside the calendar"),
        ("2026-12-07", None, ("date",), "2026-12-07 is in the future"),
        ("2099-06-24", "12:00", ("date",), "is in the future"),
        ("2017-11-09", "25:00", ("time",), "not a time (HH:MM): '25:00'"),
        ("2017-11-09", "9", ("time",), "not a time (HH:MM): '9'"),
        ("2017-11-09", "12:30:15", ("time",), "not a time (HH:MM)"),
        ("2017-11-09", "1230Z", ("time",), "not a time (HH:MM): '1230Z'"),
        ("2017-11-09", "12:60", ("time",), "not a time (HH:MM)"),
        ("2017-11-09", "03:59", ("time",), "03:59 is outside the session's hours: choose 04:00 to 20:00"),
        ("2017-11-09", "20:01", ("time",), "outside the session's hours"),
        ("2026-12-04", None, ("date", "time"), "is not in the past (at least 1:00:00 ago)"),  # 16:00 today
        ("2026-12-04", "08:30", ("date", "time"), "is not in the past"),
        ("2026-12-04", "08:00", ("date", "time"), "is not in the past"),  # exactly the lag
    ],
)
def test_a_request_that_cannot_be_replayed_names_its_field(
    day: str, clock: str | None, fields: tuple[str, ...], words: str
) -> None:
    with pytest.raises(ReplayRequestError) as refused:
        replay_instant(day, clock, WALL_NOW)
    assert refused.value.fields == fields
    assert words in refused.value.problem
    assert refused.value.missing_data is False
    assert refused.value.named().startswith("/".join(fields) + ": ")
    assert refused.value.named("--").startswith("/".join(f"--{field}" for field in fields) + ": ")


@settings(max_examples=300, deadline=None)
@given(
    day=st.dates(min_value=date(1995, 1, 1), max_value=date(2030, 12, 31)),
    minutes=st.none() | st.integers(min_value=0, max_value=24 * 60 - 1),
    lag_secs=st.integers(min_value=0, max_value=400 * 86_400),
)
def test_an_accepted_request_is_a_past_session_within_its_hours(
    day: date, minutes: int | None, lag_secs: int
) -> None:
    """Whatever is asked: either the instant is on that session, within 04:00-20:00 and more than
    the lag before the wall clock, or the refusal names the date or the time."""
    wall_now = datetime.combine(day, time(12), NEW_YORK) + timedelta(seconds=lag_secs)
    clock = None if minutes is None else f"{minutes // 60:02d}:{minutes % 60:02d}"
    try:
        replay = replay_instant(day.isoformat(), clock, wall_now)
    except ReplayRequestError as refused:
        assert set(refused.fields) <= {"date", "time"} and refused.fields
        return
    assert is_session(day) and replay.session == day
    bounds = session_bounds(day)
    assert bounds.extended_open <= replay.at <= bounds.extended_close
    assert replay.at.astimezone(NEW_YORK).date() == day
    assert wall_now - replay.at > REPLAY_LAG
    if clock is None:
        assert replay.at == bounds.regular_close


class ImportedBars:
    """The three questions `missing_bars` asks of the imported bars, answered from sets."""

    def __init__(self, days: Sequence[date], minute_days: Sequence[date] = ()) -> None:
        self.days = set(days)
        self.minute_days = set(minute_days)

    def count_daily(self, sessions: Sequence[date]) -> int:
        return sum(session in self.days for session in sessions)

    def imported_sessions(self, candidates: Sequence[date]) -> set[date]:
        return self.days.intersection(candidates)

    def has_minutes(self, session: date) -> bool:
        return session in self.minute_days


DAY = date(2017, 11, 10)
HISTORY = previous_sessions(DAY, 25)


@pytest.mark.parametrize(
    ("imported", "at", "field", "words"),
    [
        (ImportedBars([*HISTORY, DAY], [DAY]), _at(DAY, 12), None, None),
        (ImportedBars([*HISTORY, DAY]), _at(DAY, 16), None, None),  # at the close day bars do
        (ImportedBars([*HISTORY, DAY]), _at(DAY, 20), None, None),
        (
            ImportedBars(HISTORY),
            _at(DAY, 16),
            "date",
            "no imported day bars for 2017-11-10: import day_aggs_v1/2017/11/2017-11-10.csv.gz",
        ),
        (
            ImportedBars([*HISTORY[3:], DAY]),
            _at(DAY, 16),
            "date",
            "needs the 25 sessions before it: no imported day bars for 3 of them, 2017-10-06 to "
            "2017-10-10: import day_aggs_v1/2017/10/2017-10-06.csv.gz to "
            "day_aggs_v1/2017/10/2017-10-10.csv.gz",
        ),
        (
            ImportedBars([*HISTORY, DAY], [DAY - timedelta(days=1)]),
            _at(DAY, 15, 59),
            "time",
            "no minute bars imported for 2017-11-10: an intraday time needs "
            "minute_aggs_v1/2017/11/2017-11-10.csv.gz",
        ),
    ],
)
def test_what_to_import_before_a_replay(
    imported: ImportedBars, at: datetime, field: str | None, words: str | None
) -> None:
    refused = missing_bars(imported, ReplayInstant(DAY, at), 25)  # type: ignore[arg-type]
    if field is None:
        assert refused is None
        return
    assert refused is not None and refused.missing_data
    assert refused.fields == (field,)
    assert words is not None and words in refused.problem
    assert "sectorlights import-flatfiles" in refused.problem or field == "time"


def test_the_instant_is_timezone_aware_and_in_utc_terms_the_same() -> None:
    replay = replay_instant("2017-11-09", None, WALL_NOW.astimezone(UTC))
    assert replay.at.utcoffset() is not None
    assert replay.at.astimezone(UTC) == datetime(2017, 11, 9, 21, 0, tzinfo=UTC)
