"""NYSE sessions in New York time: current session, history, early closes, DST, volume profile."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sectorlights.domain.sessions import (
    NEW_YORK,
    clamp_to_session,
    current_session,
    expected_volume_fraction,
    is_session,
    next_session,
    previous_sessions,
    session_bounds,
    session_of_today,
)
from sectorlights.domain.volume_profile import volume_fraction_after_minutes


def ny(*args: int) -> datetime:
    return datetime(*args, tzinfo=NEW_YORK)


@pytest.mark.parametrize(
    ("moment", "session"),
    [
        (ny(2026, 11, 24, 6, 37), date(2026, 11, 24)),  # pre-market
        (ny(2026, 11, 24, 3, 59), date(2026, 11, 23)),  # before 04:00 belongs to the last session
        (ny(2026, 11, 24, 4, 0), date(2026, 11, 24)),
        (ny(2026, 11, 24, 21, 0), date(2026, 11, 24)),  # after hours are over, still today's data
        (ny(2026, 11, 26, 12, 0), date(2026, 11, 25)),  # Thanksgiving: no session
        (ny(2026, 11, 28, 12, 0), date(2026, 11, 27)),  # Saturday
        (ny(2026, 11, 30, 3, 0), date(2026, 11, 27)),  # Monday before 04:00
        (datetime(2026, 11, 24, 11, 37, tzinfo=UTC), date(2026, 11, 24)),
    ],
)
def test_current_session(moment: datetime, session: date) -> None:
    assert current_session(moment) == session


@pytest.mark.parametrize(
    ("moment", "session"),
    [
        (ny(2026, 11, 30, 2, 0), date(2026, 11, 30)),  # Monday's night: Monday, not Friday
        (ny(2026, 11, 24, 3, 59), date(2026, 11, 24)),
        (ny(2026, 11, 24, 21, 0), date(2026, 11, 24)),
        (ny(2026, 11, 26, 2, 0), date(2026, 11, 25)),  # Thanksgiving: the session before
        (ny(2026, 11, 28, 12, 0), date(2026, 11, 27)),  # Saturday
        (datetime(2026, 11, 30, 7, 0, tzinfo=UTC), date(2026, 11, 30)),  # 02:00 ET
    ],
)
def test_session_of_today(moment: datetime, session: date) -> None:
    assert session_of_today(moment) == session


@given(st.datetimes(min_value=datetime(2016, 1, 1), max_value=datetime(2028, 12, 1), timezones=st.just(UTC)))
def test_session_of_today_is_current_or_the_next_one(moment: datetime) -> None:
    today = session_of_today(moment)
    current = current_session(moment)
    leading_up = today == next_session(current) and moment.astimezone(NEW_YORK).date() == today
    assert today == current or leading_up


def test_previous_sessions_skip_weekends_and_holidays() -> None:
    assert previous_sessions(date(2026, 11, 30), 3) == [
        date(2026, 11, 24),
        date(2026, 11, 25),
        date(2026, 11, 27),
    ]
    assert next_session(date(2026, 11, 25)) == date(2026, 11, 27)
    assert not is_session(date(2026, 11, 26))
    assert is_session(date(2026, 11, 27))


def test_early_close_and_dst() -> None:
    early = session_bounds(date(2026, 11, 27))
    assert early.regular_close.astimezone(NEW_YORK).time() == time(13, 0)
    assert early.extended_close.time() == time(20, 0)
    summer = session_bounds(date(2026, 7, 1))
    winter = session_bounds(date(2026, 12, 1))
    assert summer.regular_open.astimezone(UTC).hour == 13  # 09:30 EDT
    assert winter.regular_open.astimezone(UTC).hour == 14  # 09:30 EST


def test_clamp_to_session() -> None:
    assert clamp_to_session(ny(2026, 11, 24, 6, 37)) == ny(2026, 11, 24, 6, 37)
    assert clamp_to_session(ny(2026, 11, 24, 23, 0)) == ny(2026, 11, 24, 20, 0)
    assert clamp_to_session(ny(2026, 11, 28, 9, 0)) == ny(2026, 11, 27, 20, 0)


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        current_session(datetime(2026, 11, 24, 6, 37))


@pytest.mark.parametrize(
    ("clock", "low", "high"),
    [
        (time(4, 0), 0.0, 1e-9),
        (time(9, 30), 0.049, 0.051),  # pre-market is thin: 5% of a day
        (time(16, 0), 0.969, 0.971),
        (time(20, 0), 0.999999, 1.000001),
    ],
)
def test_volume_profile_landmarks(clock: time, low: float, high: float) -> None:
    fraction = expected_volume_fraction(datetime.combine(date(2026, 11, 24), clock, NEW_YORK))
    assert low <= fraction <= high


@given(st.integers(min_value=0, max_value=16 * 60 - 1))
def test_volume_profile_is_monotonic(minute: int) -> None:
    start = ny(2026, 11, 24, 4, 0)
    earlier = expected_volume_fraction(start.replace(hour=4 + minute // 60, minute=minute % 60))
    later_minute = minute + 1
    later = (
        expected_volume_fraction(start.replace(hour=4 + later_minute // 60, minute=later_minute % 60))
        if later_minute < 960
        else 1.0
    )
    assert 0.0 <= earlier <= later <= 1.0


def test_the_open_is_busier_than_midday() -> None:
    def minute_share(hour: int, minute: int) -> float:
        at = ny(2026, 11, 24, hour, minute)
        return expected_volume_fraction(at.replace(minute=minute + 1)) - expected_volume_fraction(at)

    assert minute_share(9, 30) > 3 * minute_share(12, 45)
    assert minute_share(15, 58) > 3 * minute_share(12, 45)
    assert minute_share(12, 45) > minute_share(5, 0)


@given(st.integers(min_value=0, max_value=16 * 60 * 60))
def test_volume_fraction_after_minutes_is_the_session_profile(seconds: int) -> None:
    at = ny(2026, 11, 24, 4, 0) + timedelta(seconds=seconds)
    assert volume_fraction_after_minutes(seconds / 60.0) == expected_volume_fraction(at)


@pytest.mark.parametrize(("minutes", "expected"), [(0.0, 0.0), (5.0, 0.05 * 5 / 330), (330.0, 0.05)])
def test_volume_fraction_after_minutes(minutes: float, expected: float) -> None:
    assert volume_fraction_after_minutes(minutes) == pytest.approx(expected, abs=1e-12)
