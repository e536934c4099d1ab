"""`sectorlights replay`: analyse one past instant of real data, store it as a replay and print the grid."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime, time

from sectorlights.cli import analyze
from sectorlights.cli.common import Commands, add_command, add_json_flag, migrated_database
from sectorlights.settings import ConfigurationError, Settings


def register(commands: Commands) -> None:
    parser = add_command(
        commands,
        "replay",
        "analyse a past session (imported flat files) and print the grid",
        "Run one analysis as of a past instant (New York time; default the session's regular close) "
        "with the configured provider (normally flatfiles, over bars loaded by `import-flatfiles`), "
        "store it as a run labelled 'Replay of <date>' and print the grid like `analyze`. An "
        "intraday time needs that day's minute bars. The database must be migrated first.",
        run,
    )
    parser.add_argument("--date", required=True, help="the session to replay, YYYY-MM-DD")
    parser.add_argument("--time", help="New York time HH:MM (default: the session's regular close)")
    add_json_flag(parser, "the grid")
    analyze.add_source_options(parser)


def replay_instant(day_text: str, time_text: str | None, wall_now: datetime) -> datetime:
    """The instant to analyse; ConfigurationError naming the bad flag otherwise."""
    from sectorlights.domain.sessions import NEW_YORK, is_session, session_bounds
    from sectorlights.engine.computation import REPLAY_LAG

    try:
        day = date.fromisoformat(day_text)
    except ValueError:
        raise ConfigurationError(
            f"configuration error: --date: not a date (YYYY-MM-DD): {day_text!r}"
        ) from None
    if day > wall_now.astimezone(NEW_YORK).date():
        raise ConfigurationError(
            f"configuration error: --date: {day.isoformat()} is in the future: a replay analyses the past"
        )
    if not is_session(day):
        raise ConfigurationError(
            f"configuration error: --date: {day.isoformat()} is not a NYSE session (weekend, holiday "
            "or outside the calendar)"
        )
    if time_text is None:
        instant = session_bounds(day).regular_close
    else:
        try:
            clock_time = time.fromisoformat(time_text)
        except ValueError:
            clock_time = None
        if clock_time is None or len(time_text) != 5:
            raise ConfigurationError(f"configuration error: --time: not a time (HH:MM): {time_text!r}")
        instant = datetime.combine(day, clock_time, NEW_YORK)
    if wall_now - instant <= REPLAY_LAG:
        raise ConfigurationError(
            f"configuration error: --date/--time: {instant.isoformat()} is not in the past (at least "
            f"{REPLAY_LAG} ago): `sectorlights analyze` analyses the market now"
        )
    return instant


def missing_bars(settings: Settings, day: date) -> str | None:
    """For the flatfiles provider: what to import when `day` has no day bars; None when it has."""
    from sectorlights.storage.bars import BarsRepository

    if settings.provider.name != "flatfiles":
        return None
    with migrated_database(settings) as engine:
        if day in BarsRepository(engine).sessions():
            return None
    return (
        f"no imported day bars for {day.isoformat()}: import "
        f"day_aggs_v1/{day:%Y}/{day:%m}/{day.isoformat()}.csv.gz (and the sessions before it) "
        "with `sectorlights import-flatfiles`"
    )


def run(settings: Settings, arguments: argparse.Namespace) -> int:
    instant = replay_instant(arguments.date, arguments.time, datetime.now(UTC))
    arguments.as_of = instant.isoformat()
    # The provider the run will use (flags over environment), to check its bars first.
    problem = missing_bars(analyze.with_overrides(settings, arguments), instant.date())
    if problem is not None:
        print(problem, file=sys.stderr)
        return 1
    return analyze.run(settings, arguments)
