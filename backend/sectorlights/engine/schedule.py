"""When scheduled analyses fire: pure computation over the NYSE calendar, no I/O and no clock.

Decisions:

* Only trading days (exchange-calendars XNYS via `domain.sessions`) have runs. Weekends and holidays
  such as Thanksgiving have none, so the 20:00 run of the session before a holiday is followed by
  04:00 of the next session.
* `full` runs fire at 04:00 and 08:00 ET and when the session's extended hours end. That end is the
  calendar's regular close + 4 h: 20:00 on an ordinary day, 17:00 on an early-close day (13:00
  close), because the spec's "8 PM" run exists to analyse the day once after-hours trading is over,
  and on an early-close day after-hours trading is over at 17:00.
* `intraday` runs fire every 30 minutes from 04:00 to the extended close, skipping the instants that
  already carry a `full` run (04:00, 08:00 and the close).
* Instants are built as New York wall-clock times with zoneinfo, never as fixed offsets, so the UTC
  instants move by an hour across a DST change. US DST changes happen on Sundays at 02:00, when no
  session is open, so a session's slots are always 30 real minutes apart.
* A missed instant is worth running late (`missed_run`) while it is still current: a `full` run
  until the next `full` instant (a missed 20:00 run still gives the morning its overnight
  analysis), an `intraday` run for `intraday_useful_secs` (30 minutes by default: after that the
  next refresh is due anyway).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from sectorlights.core.clock import elapsed_secs
from sectorlights.domain.sessions import NEW_YORK, is_session, session_bounds

FULL_RUN_TIMES = (time(4, 0), time(8, 0))
INTRADAY_INTERVAL = timedelta(minutes=30)
EXTENDED_HOURS_AFTER_CLOSE = timedelta(hours=4)
DEFAULT_INTRADAY_USEFUL_SECS = 30 * 60.0
# No gap between sessions is longer than this (the longest NYSE closures were a few days).
_MAX_SEARCH_DAYS = 15


class RunKind(StrEnum):
    FULL = "full"
    INTRADAY = "intraday"


@dataclass(frozen=True, slots=True, order=True)
class ScheduledRun:
    """One scheduled fire instant; `at` is in America/New_York."""

    at: datetime
    kind: RunKind
    session: date

    @property
    def key(self) -> str:
        """The name replicas claim so each instant runs once, e.g. `scheduled:2026-11-24T04:00:00-05:00`."""
        return f"scheduled:{self.at.isoformat()}"


def _as_utc(moment: datetime) -> datetime:
    """`moment` in UTC. Comparing two New York times ignores `fold` inside the repeated hour of a DST
    change; comparing a UTC time with a New York one is exact."""
    if moment.tzinfo is None:
        raise ValueError("a timezone-aware datetime is required")
    return moment.astimezone(UTC)


def extended_close(session: date) -> datetime:
    """When after-hours trading ends: the regular close + 4 h (17:00 ET on early-close days)."""
    return session_bounds(session).regular_close + EXTENDED_HOURS_AFTER_CLOSE


@functools.lru_cache(maxsize=4096)
def session_runs(session: date) -> tuple[ScheduledRun, ...]:
    """All fire instants of one session in order; empty when NYSE does not trade that day."""
    # Cached: the scheduler asks for the same few days on every wake-up and the calendar is fixed.
    if not is_session(session):
        return ()
    close = extended_close(session)
    full_instants = {datetime.combine(session, moment, NEW_YORK) for moment in FULL_RUN_TIMES}
    full_instants.add(close)
    runs: list[ScheduledRun] = []
    # Wall-clock slots, so every slot keeps its ET time label whatever the UTC offset is.
    slot = datetime.combine(session, time(4, 0), NEW_YORK)
    while slot <= close:
        kind = RunKind.FULL if slot in full_instants else RunKind.INTRADAY
        runs.append(ScheduledRun(slot, kind, session))
        slot = slot + INTRADAY_INTERVAL
    if close not in {run.at for run in runs}:
        # An extended close off the 30-minute grid still gets its full run.
        runs.append(ScheduledRun(close, RunKind.FULL, session))
    return tuple(runs)


def _runs_from(day: date, days: int = _MAX_SEARCH_DAYS) -> Iterator[ScheduledRun]:
    """Fire instants of `day` and the `days` days after it, in order."""
    for offset in range(days + 1):
        yield from session_runs(day + timedelta(days=offset))


def fire_times(start: datetime, end: datetime) -> list[ScheduledRun]:
    """Scheduled instants with `start <= at < end`, in order."""
    start, end = _as_utc(start), _as_utc(end)
    runs: list[ScheduledRun] = []
    day = start.astimezone(NEW_YORK).date()
    last_day = end.astimezone(NEW_YORK).date()
    while day <= last_day:
        runs.extend(run for run in session_runs(day) if start <= run.at < end)
        day = day + timedelta(days=1)
    return runs


def next_fire(after: datetime) -> ScheduledRun:
    """The first scheduled instant strictly after `after`."""
    return next_fires(after, 1)[0]


def next_fires(after: datetime, count: int) -> list[ScheduledRun]:
    """The first `count` scheduled instants strictly after `after`."""
    after = _as_utc(after)
    found: list[ScheduledRun] = []
    if count <= 0:
        return found
    day = after.astimezone(NEW_YORK).date()
    # Every session has over 20 instants, so this window holds `count` of them with room to spare.
    for run in _runs_from(day, _MAX_SEARCH_DAYS + count):
        if run.at > after:
            found.append(run)
            if len(found) == count:
                return found
    raise LookupError(f"no scheduled run found after {after.isoformat()}")


def previous_fire(at_or_before: datetime) -> ScheduledRun | None:
    """The latest scheduled instant at or before `at_or_before`, looking back at most a few weeks."""
    at_or_before = _as_utc(at_or_before)
    local_day = at_or_before.astimezone(NEW_YORK).date()
    for days_back in range(_MAX_SEARCH_DAYS + 1):
        runs = [run for run in session_runs(local_day - timedelta(days=days_back)) if run.at <= at_or_before]
        if runs:
            return runs[-1]
    return None


def is_still_useful(run: ScheduledRun, now: datetime, intraday_useful_secs: float) -> bool:
    """Whether `run`, missed, is still worth running at `now` (see the module docstring)."""
    now = _as_utc(now)
    if now < run.at:
        return False
    if run.kind is RunKind.INTRADAY:
        return elapsed_secs(run.at, now) <= intraday_useful_secs
    following_full = next(
        (later for later in _runs_from(run.session) if later.at > run.at and later.kind is RunKind.FULL),
        None,
    )
    return following_full is None or now < following_full.at


def missed_run(
    last_completed_at: datetime | None,
    now: datetime,
    intraday_useful_secs: float = DEFAULT_INTRADAY_USEFUL_SECS,
) -> ScheduledRun | None:
    """The scheduled instant after `last_completed_at` (and at or before `now`) to run late, if any.

    The latest missed `full` run wins while it is still useful, since it is the analysis users plan
    around; otherwise the latest missed `intraday` run while it is still useful. `last_completed_at`
    None (nothing ever ran) looks back over the last few weeks.
    """
    now = _as_utc(now)
    if last_completed_at is not None:
        last_completed_at = _as_utc(last_completed_at)
    latest = previous_fire(now)
    if latest is None or (last_completed_at is not None and latest.at <= last_completed_at):
        return None
    if latest.kind is RunKind.FULL:
        return latest if is_still_useful(latest, now, intraday_useful_secs) else None
    # The latest instant is intraday; a full run since the last completed one may still be current.
    latest_full = _latest_full_at_or_before(latest.at)
    if (
        latest_full is not None
        and (last_completed_at is None or latest_full.at > last_completed_at)
        and is_still_useful(latest_full, now, intraday_useful_secs)
    ):
        return latest_full
    return latest if is_still_useful(latest, now, intraday_useful_secs) else None


def _latest_full_at_or_before(moment: datetime) -> ScheduledRun | None:
    local_day = moment.astimezone(NEW_YORK).date()
    for days_back in range(_MAX_SEARCH_DAYS + 1):
        fulls = [
            run
            for run in session_runs(local_day - timedelta(days=days_back))
            if run.kind is RunKind.FULL and run.at <= moment
        ]
        if fulls:
            return fulls[-1]
    return None
