"""`sectorlights replay`: analyse one past instant of imported flat files, store it as a replay and
print the grid. The checks and the run are the engine's, shared with `POST /api/replays`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from sectorlights.cli import analyze
from sectorlights.cli.common import Commands, add_command, add_json_flag, require_migrated
from sectorlights.settings import ConfigurationError, Settings


def register(commands: Commands) -> None:
    parser = add_command(
        commands,
        "replay",
        "analyse a past session (imported flat files) and print the grid",
        "Run one analysis as of a past instant (New York time; default the session's regular close) "
        "over the flat files loaded into the database by `import-flatfiles`, whatever "
        "SECTORLIGHTS_PROVIDER says, store it as a run labelled 'Replay of <date>' that the "
        "dashboard's History opens (never the live grid) and print the grid like `analyze`. An "
        "intraday time needs that day's minute bars. The database must be migrated first.",
        run,
    )
    parser.add_argument("--date", required=True, help="the session to replay, YYYY-MM-DD")
    parser.add_argument(
        "--time", help="New York time HH:MM, 04:00-20:00 (default: the session's regular close)"
    )
    add_json_flag(parser, "the grid")
    parser.add_argument(
        "--listings",
        type=Path,
        help="reference-data CSV for the flat files (overrides SECTORLIGHTS_FLATFILES_LISTINGS)",
    )


def with_listings(settings: Settings, listings: Path | None) -> Settings:
    if listings is None:
        return settings
    provider = settings.provider.model_copy(update={"flatfiles_listings": listings})
    return settings.model_copy(update={"provider": provider})


def run(settings: Settings, arguments: argparse.Namespace) -> int:
    from sectorlights.domain.snapshot import RunStatus
    from sectorlights.engine.container import build_container
    from sectorlights.engine.replay_request import ReplayRequestError

    settings = with_listings(settings, arguments.listings)

    async def replay() -> int:
        container = build_container(settings)
        try:
            require_migrated(settings, container.database)
            replays = container.analysis.replays
            try:
                started, _instant = await replays.start(arguments.date, arguments.time)
            except ReplayRequestError as refused:
                if refused.missing_data:
                    print(refused.problem, file=sys.stderr)
                    return 1
                raise ConfigurationError(f"configuration error: {refused.named('--')}") from None
            finished = await analyze.follow(replays, started.run_id)
            snapshot = container.repository.snapshot(started.run_id)
            if finished.status != RunStatus.SUCCEEDED or snapshot is None:
                print(f"replay failed: {finished.error}", file=sys.stderr)
                return 1
            analyze.print_grid(snapshot, json_output=arguments.json)
            return 0
        finally:
            await container.close()

    return asyncio.run(replay())
