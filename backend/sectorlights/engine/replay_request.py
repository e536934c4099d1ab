"""What a replay request must be, checked in one place for `sectorlights replay` and `POST /api/replays`:
a past NYSE session and a New York time within its extended hours, at least REPLAY_LAG ago, with the
imported bars its analysis will read."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time

from sectorlights.domain.sessions import NEW_YORK, is_session, previous_sessions, session_bounds
from sectorlights.engine.computation import REPLAY_LAG
from sectorlights.storage.bars import BarsRepository

IMPORT_COMMAND = "`sectorlights import-flatfiles`"


class ReplayRequestError(ValueError):
    """A replay that cannot run, naming the request fields at fault ("date", "time") and why.

    `missing_data` tells a request that is well-formed but whose bars were never imported (the CLI
    exits 1 for it, 2 for a malformed request) from a malformed one.
    """

    def __init__(self, fields: tuple[str, ...], problem: str, *, missing_data: bool = False) -> None:
        super().__init__(problem)
        self.fields = fields
        self.problem = problem
        self.missing_data = missing_data

    def named(self, prefix: str = "") -> str:
        """`date: <problem>` (or `--date: ...` with prefix "--"), the fields joined by '/'."""
        return f"{'/'.join(prefix + field for field in self.fields)}: {self.problem}"


@dataclass(frozen=True, slots=True)
class ReplayInstant:
    """A checked request: the session and the instant (New York time) to analyse it at."""

    session: date
    at: datetime


# Only these spellings: fromisoformat also reads 20171109, 2017-W45-4 or 1230Z.
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME = re.compile(r"\d{2}:\d{2}")


def _day(day_text: str) -> date:
    try:
        if _DATE.fullmatch(day_text):
            return date.fromisoformat(day_text)
    except ValueError:
        pass
    raise ReplayRequestError(("date",), f"not a date (YYYY-MM-DD): {day_text!r}")


def _clock_time(time_text: str) -> time:
    try:
        if _TIME.fullmatch(time_text):
            return time.fromisoformat(time_text)
    except ValueError:
        pass
    raise ReplayRequestError(("time",), f"not a time (HH:MM): {time_text!r}")


def replay_instant(day_text: str, time_text: str | None, wall_now: datetime) -> ReplayInstant:
    """The instant to analyse (default: the session's regular close, 16:00 or 13:00 on early-close
    days); ReplayRequestError naming the field otherwise."""
    day = _day(day_text)
    if day > wall_now.astimezone(NEW_YORK).date():
        raise ReplayRequestError(("date",), f"{day.isoformat()} is in the future: a replay analyses the past")
    if not is_session(day):
        raise ReplayRequestError(
            ("date",),
            f"{day.isoformat()} is not a NYSE session (weekend, holiday or outside the calendar)",
        )
    bounds = session_bounds(day)
    if time_text is None:
        instant = bounds.regular_close
    else:
        instant = datetime.combine(day, _clock_time(time_text), NEW_YORK)
        # Before 04:00 the analysis would describe the session before; after 20:00 it is the 20:00 one.
        if not bounds.extended_open <= instant <= bounds.extended_close:
            raise ReplayRequestError(
                ("time",),
                f"{time_text} is outside the session's hours: choose 04:00 to 20:00 New York time",
            )
    if wall_now - instant <= REPLAY_LAG:
        raise ReplayRequestError(
            ("date", "time"),
            f"{instant.isoformat()} is not in the past (at least {REPLAY_LAG} ago): a replay "
            "analyses the past, the live analysis covers now",
        )
    return ReplayInstant(day, instant)


def _day_file(day: date) -> str:
    return f"day_aggs_v1/{day:%Y}/{day:%m}/{day.isoformat()}.csv.gz"


def missing_bars(
    bars: BarsRepository, instant: ReplayInstant, history_sessions: int
) -> ReplayRequestError | None:
    """What the analysis of `instant` needs and was never imported, as a refusal saying which files
    to import; None when the session's day bars, the `history_sessions` before it and (before the
    regular close) the session's minute bars are all there."""
    day = instant.session
    if bars.count_daily([day]) == 0:
        return ReplayRequestError(
            ("date",),
            f"no imported day bars for {day.isoformat()}: import {_day_file(day)} (and the "
            f"{history_sessions} sessions before it) with {IMPORT_COMMAND}",
            missing_data=True,
        )
    needed = previous_sessions(day, history_sessions)
    imported = bars.imported_sessions(needed)
    absent = [session for session in needed if session not in imported]
    if absent:
        return ReplayRequestError(
            ("date",),
            f"the analysis of {day.isoformat()} needs the {history_sessions} sessions before it: no "
            f"imported day bars for {len(absent)} of them, {absent[0].isoformat()} to "
            f"{absent[-1].isoformat()}: import {_day_file(absent[0])} to {_day_file(absent[-1])} "
            f"with {IMPORT_COMMAND}",
            missing_data=True,
        )
    if instant.at < session_bounds(day).regular_close and not bars.has_minutes(day):
        return ReplayRequestError(
            ("time",),
            f"no minute bars imported for {day.isoformat()}: an intraday time needs "
            f"minute_aggs_v1/{day:%Y}/{day:%m}/{day.isoformat()}.csv.gz (or replay at the close)",
            missing_data=True,
        )
    return None
