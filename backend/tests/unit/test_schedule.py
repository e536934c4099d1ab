"""The scheduled-run calendar: trading days only, DST by the time zone, early closes, missed runs."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sectorlights.domain.sessions import NEW_YORK, is_session
from sectorlights.engine.schedule import (
    RunKind,
    ScheduledRun,
    extended_close,
    fire_times,
    is_still_useful,
    missed_run,
    next_fire,
    next_fires,
    previous_fire,
    session_runs,
)


def et(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=NEW_YORK)


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def local_times(runs: tuple[ScheduledRun, ...] | list[ScheduledRun], kind: RunKind) -> list[time]:
    return [run.at.astimezone(NEW_YORK).time() for run in runs if run.kind is kind]


def test_an_ordinary_tuesday_has_three_full_runs_and_thirty_minute_refreshes() -> None:
    runs = session_runs(date(2026, 11, 24))
    assert date(2026, 11, 24).weekday() == 1
    assert local_times(runs, RunKind.FULL) == [time(4, 0), time(8, 0), time(20, 0)]
    intraday = local_times(runs, RunKind.INTRADAY)
    assert intraday[0] == time(4, 30)
    assert intraday[-1] == time(19, 30)
    # 04:00-20:00 is 33 half-hour slots; three of them carry the full runs.
    assert len(runs) == 33
    assert len(intraday) == 30
    assert all(later.at - earlier.at == timedelta(minutes=30) for earlier, later in itertools.pairwise(runs))


@pytest.mark.parametrize(
    ("day", "reason"),
    [
        (date(2026, 11, 26), "Thanksgiving"),
        (date(2026, 11, 28), "Saturday"),
        (date(2026, 11, 29), "Sunday"),
        (date(2027, 1, 1), "New Year's Day"),
        (date(2026, 12, 25), "Christmas"),
        (date(2026, 3, 8), "the Sunday DST starts"),
        (date(2026, 11, 1), "the Sunday DST ends"),
    ],
)
def test_days_without_a_session_have_no_runs(day: date, reason: str) -> None:
    assert not is_session(day), reason
    assert session_runs(day) == ()
    assert (
        fire_times(et(day.year, day.month, day.day), et(day.year, day.month, day.day) + timedelta(days=1))
        == []
    )


@pytest.mark.parametrize(
    ("after", "expected_at", "expected_kind"),
    [
        # Tuesday: within the day, at an instant (strictly after), after 20:00.
        (et(2026, 11, 24, 3, 59), utc(2026, 11, 24, 9, 0), RunKind.FULL),
        (et(2026, 11, 24, 4, 0), utc(2026, 11, 24, 9, 30), RunKind.INTRADAY),
        (et(2026, 11, 24, 7, 45), utc(2026, 11, 24, 13, 0), RunKind.FULL),
        (et(2026, 11, 24, 20, 0), utc(2026, 11, 25, 9, 0), RunKind.FULL),
        # Thanksgiving: Wednesday 20:00 is followed by Friday 04:00.
        (et(2026, 11, 25, 20, 0), utc(2026, 11, 27, 9, 0), RunKind.FULL),
        # The early close on Friday 2026-11-27 (13:00): the last run is at 17:00, then Monday.
        (et(2026, 11, 27, 16, 0), utc(2026, 11, 27, 21, 30), RunKind.INTRADAY),
        (et(2026, 11, 27, 16, 30), utc(2026, 11, 27, 22, 0), RunKind.FULL),
        (et(2026, 11, 27, 17, 0), utc(2026, 11, 30, 9, 0), RunKind.FULL),
        # The weekend.
        (et(2026, 11, 28, 12, 0), utc(2026, 11, 30, 9, 0), RunKind.FULL),
        # New Year: Thursday 2026-12-31 trades a full day, Friday 2027-01-01 is closed.
        (et(2026, 12, 31, 19, 45), utc(2027, 1, 1, 1, 0), RunKind.FULL),
        (et(2026, 12, 31, 20, 0), utc(2027, 1, 4, 9, 0), RunKind.FULL),
        # DST starts Sunday 2026-03-08: Friday 04:00 EST is 09:00 UTC, Monday 04:00 EDT is 08:00 UTC.
        (et(2026, 3, 6, 3, 0), utc(2026, 3, 6, 9, 0), RunKind.FULL),
        (et(2026, 3, 6, 20, 0), utc(2026, 3, 9, 8, 0), RunKind.FULL),
        # DST ends Sunday 2026-11-01: Friday 04:00 EDT is 08:00 UTC, Monday 04:00 EST is 09:00 UTC.
        (et(2026, 10, 30, 3, 0), utc(2026, 10, 30, 8, 0), RunKind.FULL),
        (et(2026, 10, 30, 20, 0), utc(2026, 11, 2, 9, 0), RunKind.FULL),
    ],
)
def test_next_fire(after: datetime, expected_at: datetime, expected_kind: RunKind) -> None:
    fired = next_fire(after)
    assert fired.at == expected_at
    assert fired.kind is expected_kind
    assert fired.at.tzinfo is NEW_YORK


def test_the_dst_changes_move_the_utc_instants_by_an_hour_and_keep_the_et_times() -> None:
    assert date(2026, 3, 8).weekday() == 6 and date(2026, 11, 1).weekday() == 6
    before_spring, after_spring = session_runs(date(2026, 3, 6)), session_runs(date(2026, 3, 9))
    before_autumn, after_autumn = session_runs(date(2026, 10, 30)), session_runs(date(2026, 11, 2))
    assert before_spring[0].at.utcoffset() == timedelta(hours=-5)
    assert after_spring[0].at.utcoffset() == timedelta(hours=-4)
    assert before_autumn[0].at.utcoffset() == timedelta(hours=-4)
    assert after_autumn[0].at.utcoffset() == timedelta(hours=-5)
    for before, after, utc_shift in (
        (before_spring, after_spring, timedelta(hours=-1)),
        (before_autumn, after_autumn, timedelta(hours=1)),
    ):
        assert [run.at.time() for run in before] == [run.at.time() for run in after]
        for earlier, later in zip(before, after, strict=True):
            days_apart = timedelta(days=(later.session - earlier.session).days)
            assert later.at.astimezone(UTC) - earlier.at.astimezone(UTC) == days_apart + utc_shift
    # Friday 20:00 to Monday 04:00 is 56 wall-clock hours: 55 real ones in spring, 57 in autumn.
    # (Subtracting two New York times would give wall-clock hours, hence the UTC.)
    for friday, real_hours in ((before_spring[-1], 55), (before_autumn[-1], 57)):
        monday = next_fire(friday.at)
        assert monday.at.astimezone(UTC) - friday.at.astimezone(UTC) == timedelta(hours=real_hours)


@pytest.mark.parametrize(
    ("session", "close_et"),
    [
        (date(2026, 11, 27), time(17, 0)),  # the day after Thanksgiving closes at 13:00
        (date(2026, 12, 24), time(17, 0)),  # Christmas Eve closes at 13:00
        (date(2026, 11, 24), time(20, 0)),
    ],
)
def test_the_evening_full_run_follows_the_extended_close(session: date, close_et: time) -> None:
    runs = session_runs(session)
    assert extended_close(session).time() == close_et
    assert runs[-1].kind is RunKind.FULL
    assert runs[-1].at.time() == close_et
    assert local_times(runs, RunKind.FULL) == [time(4, 0), time(8, 0), close_et]
    assert all(run.at.time() <= close_et for run in runs)


def test_the_early_close_day_stops_at_1700() -> None:
    runs = session_runs(date(2026, 11, 27))
    assert len(runs) == 27  # 04:00-17:00 in half hours
    assert local_times(runs, RunKind.INTRADAY)[-1] == time(16, 30)


def test_fire_times_is_half_open_and_spans_days() -> None:
    start, end = et(2026, 11, 24, 19, 30), et(2026, 11, 25, 4, 30)
    assert [(run.at, run.kind) for run in fire_times(start, end)] == [
        (et(2026, 11, 24, 19, 30), RunKind.INTRADAY),
        (et(2026, 11, 24, 20, 0), RunKind.FULL),
        (et(2026, 11, 25, 4, 0), RunKind.FULL),
    ]


def test_next_fires_and_previous_fire() -> None:
    upcoming = next_fires(et(2026, 11, 25, 19, 0), 4)
    assert [run.at for run in upcoming] == [
        et(2026, 11, 25, 19, 30),
        et(2026, 11, 25, 20, 0),
        et(2026, 11, 27, 4, 0),
        et(2026, 11, 27, 4, 30),
    ]
    assert next_fires(et(2026, 11, 25, 19, 0), 0) == []
    assert previous_fire(et(2026, 11, 26, 12, 0)) == ScheduledRun(
        et(2026, 11, 25, 20, 0), RunKind.FULL, date(2026, 11, 25)
    )
    assert previous_fire(et(2026, 11, 24, 8, 0)) == ScheduledRun(
        et(2026, 11, 24, 8, 0), RunKind.FULL, date(2026, 11, 24)
    )


def test_the_claim_key_names_the_instant_in_new_york_time() -> None:
    assert next_fire(et(2026, 11, 24, 3, 0)).key == "scheduled:2026-11-24T04:00:00-05:00"
    assert next_fire(et(2026, 7, 14, 3, 0)).key == "scheduled:2026-07-14T04:00:00-04:00"


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError):
        next_fire(datetime(2026, 11, 24, 4, 0))
    with pytest.raises(ValueError):
        fire_times(datetime(2026, 11, 24), et(2026, 11, 25))
    with pytest.raises(ValueError):
        missed_run(None, datetime(2026, 11, 24, 4, 0))


@pytest.mark.parametrize(
    ("last_completed_at", "now", "intraday_useful_secs", "expected"),
    [
        # Down across 04:00: the 04:00 full run is still current until 08:00.
        (et(2026, 11, 24, 3, 0), et(2026, 11, 24, 5, 10), 1800.0, (et(2026, 11, 24, 4, 0), RunKind.FULL)),
        # The 04:00 run happened; the 05:00 refresh is 10 minutes late, still useful.
        (
            et(2026, 11, 24, 4, 0, 5),
            et(2026, 11, 24, 5, 10),
            1800.0,
            (et(2026, 11, 24, 5, 0), RunKind.INTRADAY),
        ),
        # ... unless refreshes are only useful for 5 minutes.
        (et(2026, 11, 24, 4, 0, 5), et(2026, 11, 24, 5, 10), 300.0, None),
        # Nothing scheduled since the last completed run.
        (et(2026, 11, 24, 20, 0, 5), et(2026, 11, 24, 23, 0), 1800.0, None),
        # A missed 20:00 run is still current overnight and over the weekend ...
        (
            et(2026, 11, 24, 19, 30, 5),
            et(2026, 11, 25, 3, 0),
            1800.0,
            (et(2026, 11, 24, 20, 0), RunKind.FULL),
        ),
        (
            et(2026, 11, 20, 19, 30, 5),
            et(2026, 11, 22, 12, 0),
            1800.0,
            (et(2026, 11, 20, 20, 0), RunKind.FULL),
        ),
        # ... and across Thanksgiving, until Friday 04:00.
        (et(2026, 11, 25, 19, 0), et(2026, 11, 26, 12, 0), 1800.0, (et(2026, 11, 25, 20, 0), RunKind.FULL)),
        # After the next full run's instant that one is what is missed.
        (
            et(2026, 11, 24, 19, 30, 5),
            et(2026, 11, 25, 4, 10),
            1800.0,
            (et(2026, 11, 25, 4, 0), RunKind.FULL),
        ),
        # The early close: Friday's 17:00 run is current over the weekend.
        (et(2026, 11, 27, 16, 0), et(2026, 11, 28, 9, 0), 1800.0, (et(2026, 11, 27, 17, 0), RunKind.FULL)),
        # Never ran: the latest instant.
        (None, et(2026, 11, 29, 9, 0), 1800.0, (et(2026, 11, 27, 17, 0), RunKind.FULL)),
        # An instant exactly at now counts as missed.
        (et(2026, 11, 24, 7, 59), et(2026, 11, 24, 8, 0), 1800.0, (et(2026, 11, 24, 8, 0), RunKind.FULL)),
    ],
)
def test_missed_run(
    last_completed_at: datetime | None,
    now: datetime,
    intraday_useful_secs: float,
    expected: tuple[datetime, RunKind] | None,
) -> None:
    missed = missed_run(last_completed_at, now, intraday_useful_secs)
    assert (None if missed is None else (missed.at, missed.kind)) == expected


def test_a_run_is_not_useful_before_its_instant() -> None:
    run = next_fire(et(2026, 11, 24, 3, 0))
    assert not is_still_useful(run, run.at - timedelta(seconds=1), 1800.0)
    assert is_still_useful(run, run.at, 1800.0)


# New York moments include the repeated hour at the end of DST (`fold`), where naive comparisons lie.
moments = st.datetimes(
    min_value=datetime(2025, 1, 1),
    max_value=datetime(2027, 12, 1),
    timezones=st.sampled_from([UTC, NEW_YORK]),
)


@settings(max_examples=60, deadline=None)
@given(start=moments, span_hours=st.integers(min_value=1, max_value=24 * 12))
def test_fire_times_properties(start: datetime, span_hours: int) -> None:
    end = start + timedelta(hours=span_hours)
    runs = fire_times(start, end)
    instants = [run.at for run in runs]
    assert instants == sorted(set(instants))  # strictly increasing, so no duplicates
    for run in runs:
        local = run.at.astimezone(NEW_YORK)
        assert start <= run.at < end
        assert is_session(run.session) and local.date() == run.session
        assert time(4, 0) <= local.time() <= time(20, 0)
        assert local.minute in (0, 30) and local.second == 0
        is_full = local.time() in (time(4, 0), time(8, 0), extended_close(run.session).time())
        assert (run.kind is RunKind.FULL) == is_full


@settings(max_examples=60, deadline=None)
@given(after=moments)
def test_next_fire_is_the_first_instant_strictly_after(after: datetime) -> None:
    fired = next_fire(after)
    assert fired.at > after
    assert fire_times(after + timedelta(microseconds=1), fired.at) == []
    previous = previous_fire(after)
    assert previous is not None and previous.at <= after
    assert next_fire(previous.at) == fired
