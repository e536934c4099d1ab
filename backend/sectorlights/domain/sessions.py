"""NYSE trading sessions (exchange-calendars XNYS) in America/New_York, 04:00-20:00 extended hours."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import exchange_calendars as xcals
import numpy as np
import pandas as pd

from sectorlights.domain import volume_profile

NEW_YORK = ZoneInfo("America/New_York")
EXTENDED_OPEN = time(4, 0)
REGULAR_OPEN = time(9, 30)
EXTENDED_CLOSE = time(20, 0)
MINUTES_PER_SESSION = volume_profile.MINUTES_PER_SESSION


@dataclass(frozen=True, slots=True)
class SessionBounds:
    session: date
    extended_open: datetime
    regular_open: datetime
    regular_close: datetime
    extended_close: datetime


@functools.cache
def _calendar() -> xcals.ExchangeCalendar:
    return xcals.get_calendar("XNYS", start="2000-01-03", end=_calendar_end())


def _calendar_end() -> str:
    return f"{datetime.now(NEW_YORK).year + 2}-12-31"


@functools.cache
def _session_array() -> np.ndarray:
    sessions = _calendar().sessions
    return np.array([d.date() for d in sessions], dtype="datetime64[D]")


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None:
        raise ValueError("a timezone-aware datetime is required")


def is_session(day: date) -> bool:
    """True when NYSE trades on `day`."""
    sessions = _session_array()
    position = int(np.searchsorted(sessions, np.datetime64(day, "D")))
    return position < sessions.size and sessions[position] == np.datetime64(day, "D")


def session_bounds(session: date) -> SessionBounds:
    """Extended and regular hours of one session; the regular close follows early-close days."""
    close_utc = _calendar().session_close(pd.Timestamp(session))
    regular_close = close_utc.to_pydatetime().astimezone(NEW_YORK)
    return SessionBounds(
        session=session,
        extended_open=datetime.combine(session, EXTENDED_OPEN, NEW_YORK),
        regular_open=datetime.combine(session, REGULAR_OPEN, NEW_YORK),
        regular_close=regular_close,
        extended_close=datetime.combine(session, EXTENDED_CLOSE, NEW_YORK),
    )


def current_session(now: datetime) -> date:
    """The latest session whose 04:00 ET start is at or before `now`."""
    _require_aware(now)
    local = now.astimezone(NEW_YORK)
    day = local.date() if local.time() >= EXTENDED_OPEN else local.date() - timedelta(days=1)
    sessions = _session_array()
    position = int(np.searchsorted(sessions, np.datetime64(day, "D"), side="right")) - 1
    if position < 0:
        raise ValueError(f"{now} is before the first known session")
    return sessions[position].astype(date)  # type: ignore[no-any-return]


def session_of_today(now: datetime) -> date:
    """The session of `now`'s New York day when NYSE trades that day, even before its 04:00 ET start
    (the session the night is leading up to); otherwise the current session (after a weekend's or a
    holiday's start, the one before it)."""
    _require_aware(now)
    today = now.astimezone(NEW_YORK).date()
    return today if is_session(today) else current_session(now)


def previous_sessions(session: date, count: int) -> list[date]:
    """The `count` sessions strictly before `session`, oldest first."""
    sessions = _session_array()
    end = int(np.searchsorted(sessions, np.datetime64(session, "D"), side="left"))
    start = max(0, end - count)
    return [d.astype(date) for d in sessions[start:end]]


def next_session(session: date) -> date:
    """The first session strictly after `session`."""
    sessions = _session_array()
    position = int(np.searchsorted(sessions, np.datetime64(session, "D"), side="right"))
    return sessions[position].astype(date)  # type: ignore[no-any-return]


def clamp_to_session(now: datetime) -> datetime:
    """`now` if it falls inside its session's extended hours, else that session's 20:00 close."""
    bounds = session_bounds(current_session(now))
    return min(now, bounds.extended_close)


def expected_volume_fraction(at: datetime) -> float:
    """Share of a typical day's volume traded by `at` in its session (1.0 after 20:00)."""
    _require_aware(at)
    bounds = session_bounds(current_session(at))
    elapsed_minutes = (min(at, bounds.extended_close) - bounds.extended_open).total_seconds() / 60.0
    return volume_profile.volume_fraction_after_minutes(elapsed_minutes)
