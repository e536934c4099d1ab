"""What a soak runs through: the simulated span, its clock, the load and the faults at fixed
simulated times. Pure data and arithmetic; `run.py` carries it out.

The week starts on Tuesday 2026-11-24, so five sessions take in Thanksgiving (Thursday, no session),
the early close of Friday the 27th (13:00, extended hours to 17:00) and a weekend.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from sectorlights.domain.sessions import NEW_YORK, is_session, previous_sessions, session_bounds
from sectorlights.engine.schedule import EXTENDED_HOURS_AFTER_CLOSE, ScheduledRun, fire_times

FIRST_SESSION = date(2026, 11, 24)
# After the last session's 20:00 run, long enough for it to finish and be read.
LEAD_OUT = timedelta(minutes=10)


class FaultKind(StrEnum):
    VENDOR_429 = "vendor_429_burst"
    VENDOR_5XX = "vendor_5xx_burst"
    SLOW_VENDOR = "slow_vendor"
    VENDOR_FIXED = "vendor_fixed"
    REDIS_RESTART = "redis_restart"
    POSTGRES_RESTART = "postgres_restart"
    KILL_RUNNING_REPLICA = "kill_running_replica"
    GAPS_SCENARIO_ON = "overnight_gaps_on"
    GAPS_SCENARIO_OFF = "overnight_gaps_off"


@dataclass(frozen=True, slots=True)
class Fault:
    at: datetime  # simulated, New York
    kind: FaultKind


@dataclass(frozen=True, slots=True)
class Load:
    ws_clients: int = 200
    slow_reader_share: float = 0.1
    reconnect_share: float = 0.1  # clients that leave and come back with `since` now and then
    pollers: int = 10
    poll_every_secs: float = 2.0  # real seconds: a trader's clicks do not speed up with the clock
    run_every_secs: float = 20.0
    preferences_every_secs: float = 10.0
    probe_every_sim_secs: float = 10.0


@dataclass(frozen=True, slots=True)
class SoakPlan:
    start: datetime  # simulated
    end: datetime
    speed: float  # simulated seconds per real second
    sessions: tuple[date, ...]
    faults: tuple[Fault, ...]
    load: Load = field(default_factory=Load)
    listings: int = 1500
    # The sim vendor's scenario from its start (the week switches it with faults instead).
    vendor_scenario: str | None = None

    @property
    def real_secs(self) -> float:
        return (self.end - self.start).total_seconds() / self.speed

    def scheduled(self) -> list[ScheduledRun]:
        return fire_times(self.start, self.end)


def sessions_from(first: date, count: int) -> tuple[date, ...]:
    days: list[date] = []
    day = first
    while len(days) < count:
        if is_session(day):
            days.append(day)
        day += timedelta(days=1)
    return tuple(days)


def at(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, second), NEW_YORK)


def market_hours(day: date) -> tuple[datetime, datetime]:
    """04:00 ET to the end of extended hours (20:00, 17:00 on an early-close day)."""
    return at(day, 4), session_bounds(day).regular_close.astimezone(NEW_YORK) + EXTENDED_HOURS_AFTER_CLOSE


def _day_faults(index: int, day: date) -> list[Fault]:
    """The faults of the `index`-th session: one kind of trouble a day, in the middle of the session,
    away from the 04:00 and 09:30 anchors whose gap detection is measured."""
    match index % 5:
        case 0:
            return [
                Fault(at(day, 10, 40), FaultKind.VENDOR_429),
                Fault(at(day, 13, 10), FaultKind.VENDOR_5XX),
                Fault(at(day, 15, 10), FaultKind.SLOW_VENDOR),
                Fault(at(day, 15, 50), FaultKind.VENDOR_FIXED),
            ]
        case 1:
            return [Fault(at(day, 11, 10), FaultKind.REDIS_RESTART)]
        case 2:
            return [Fault(at(day, 10, 10), FaultKind.POSTGRES_RESTART)]
        case 3:
            return [Fault(at(day, 12, 0, 5), FaultKind.KILL_RUNNING_REPLICA)]
        case _:
            return [Fault(at(day, 14, 10), FaultKind.REDIS_RESTART)]


def week_plan(days: int, speed: float, first: date = FIRST_SESSION) -> SoakPlan:
    """`days` sessions from `first`; the overnight_gaps scenario at the opens of the fourth session
    (the vendor restarted with it at 02:00 and without it at 21:00; nothing runs then)."""
    if days < 1:
        raise ValueError("a soak needs at least one trading day")
    sessions = sessions_from(first, days)
    faults = [fault for index, day in enumerate(sessions) for fault in _day_faults(index, day)]
    if days >= 4:
        gaps = sessions[3]
        faults += [
            Fault(at(gaps, 2), FaultKind.GAPS_SCENARIO_ON),
            Fault(at(gaps, 21), FaultKind.GAPS_SCENARIO_OFF),
        ]
    # From the evening before, so the dashboard has a grid by 04:00 as one that has been running
    # would (a cold start's first run would count against the first morning's uptime).
    evening = previous_sessions(sessions[0], 1)[0]
    return SoakPlan(
        start=at(evening, 19, 45),
        end=market_hours(sessions[-1])[1] + LEAD_OUT,
        speed=speed,
        sessions=sessions,
        faults=tuple(sorted(faults, key=lambda fault: fault.at)),
    )


def short_plan(speed: float) -> SoakPlan:
    """About three simulated hours from 02:50 of an overnight_gaps day (a Tuesday, so the start-up run
    reads Monday's final snapshot, which the vendor keeps until 03:30) with every fault once: the
    04:00 full run and its gap detection, three intraday runs, and the faults between them."""
    day = sessions_from(FIRST_SESSION, 5)[-1]
    return SoakPlan(
        start=at(day, 2, 50),
        end=at(day, 5, 55),
        speed=speed,
        sessions=(day,),
        faults=(
            Fault(at(day, 4, 10), FaultKind.VENDOR_429),
            Fault(at(day, 4, 20), FaultKind.VENDOR_5XX),
            Fault(at(day, 4, 35), FaultKind.SLOW_VENDOR),
            Fault(at(day, 4, 45), FaultKind.VENDOR_FIXED),
            Fault(at(day, 4, 50), FaultKind.REDIS_RESTART),
            Fault(at(day, 5, 0, 5), FaultKind.KILL_RUNNING_REPLICA),
            Fault(at(day, 5, 15), FaultKind.POSTGRES_RESTART),
        ),
        load=Load(ws_clients=40, pollers=4, run_every_secs=15.0, preferences_every_secs=10.0),
        vendor_scenario="overnight_gaps",
    )


@dataclass(frozen=True, slots=True)
class SimClock:
    """The soak's one simulated clock: simulated `start` at real (wall) time `epoch`."""

    start: datetime
    epoch: datetime
    speed: float

    def sim_at(self, real: datetime) -> datetime:
        return self.start + (real - self.epoch) * self.speed

    def real_at(self, simulated: datetime) -> datetime:
        return self.epoch + (simulated - self.start) / self.speed

    def now(self) -> datetime:
        return self.sim_at(datetime.now(UTC))
