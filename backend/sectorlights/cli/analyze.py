"""`sectorlights analyze`: run one analysis now, show its progress on stderr and print the grid."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from sectorlights.cli.common import Commands, add_command, add_json_flag, print_json, require_migrated
from sectorlights.settings import ConfigurationError, Settings

if TYPE_CHECKING:
    from sectorlights.domain.snapshot import AnalysisRun, SectorSnapshot


class FollowedRuns(Protocol):
    """What `follow` reads of whoever runs the analysis: the live runs or the replays."""

    async def wait_for(self, run_id: str) -> AnalysisRun: ...

    def progress(self, run_id: str) -> tuple[str, float] | None: ...


def register(commands: Commands) -> None:
    parser = add_command(
        commands,
        "analyze",
        "run one analysis now and print the grid",
        "Run one analysis now with the configured provider (or the one given), store it like a "
        "scheduled run and print the eight sectors' scores, colors and returns per timeframe. "
        "Progress goes to stderr. The database must be migrated first.",
        run,
    )
    add_json_flag(parser, "the grid")
    add_source_options(parser)
    parser.add_argument(
        "--as-of", help="analyse as of this ISO time with zone (a past session for flatfiles)"
    )


def add_source_options(parser: argparse.ArgumentParser) -> None:
    """The provider flags `analyze` and `replay` share."""
    parser.add_argument(
        "--provider",
        choices=["simulated", "polygon", "polygon_mcp", "flatfiles"],
        help="override SECTORLIGHTS_PROVIDER",
    )
    parser.add_argument("--listings", type=Path, help="reference-data CSV for the flatfiles provider")


def with_overrides(settings: Settings, arguments: argparse.Namespace) -> Settings:
    """`analyze` flags take precedence over the environment."""
    update: dict[str, object] = {}
    if arguments.provider:
        update["name"] = arguments.provider
    if arguments.listings:
        update["flatfiles_listings"] = arguments.listings
    if arguments.as_of:
        try:
            as_of = datetime.fromisoformat(arguments.as_of)
        except ValueError:
            raise ConfigurationError(
                f"configuration error: --as-of: not an ISO time: {arguments.as_of!r}"
            ) from None
        if as_of.tzinfo is None:
            raise ConfigurationError(
                "configuration error: --as-of: needs a time zone, e.g. 2017-11-10T20:00:00-05:00"
            )
        update["sim_now"] = as_of
    if not update:
        return settings
    return settings.model_copy(update={"provider": settings.provider.model_copy(update=update)})


def progress_line(stage: str, percent: float, width: int = 30) -> str:
    """`analysis       [#########.....................]  30.0%`."""
    filled = round(width * min(max(percent, 0.0), 100.0) / 100.0)
    return f"{stage:14} [{'#' * filled}{'.' * (width - filled)}] {percent:5.1f}%"


async def follow(runs: FollowedRuns, run_id: str) -> AnalysisRun:
    """Wait for the run, drawing its stage and percent on stderr (stdout keeps the grid or JSON).

    On a terminal the bar redraws in place; otherwise each new stage is one line.
    """
    from sectorlights.domain.snapshot import RunStatus

    waiter = asyncio.ensure_future(runs.wait_for(run_id))
    interactive = sys.stderr.isatty()
    shown: tuple[str, float] | None = None
    while not waiter.done():
        current = runs.progress(run_id)
        if (
            current is not None
            and current != shown
            and (interactive or shown is None or current[0] != shown[0])
        ):
            line = progress_line(*current)
            print(
                f"\r{line}" if interactive else line,
                end="" if interactive else "\n",
                file=sys.stderr,
                flush=True,
            )
            shown = current
        await asyncio.wait({waiter}, timeout=0.1)
    finished = waiter.result()
    if finished.status == RunStatus.SUCCEEDED:
        done = progress_line("done", 100.0)
        print(f"\r{done}" if interactive else done, file=sys.stderr, flush=True)
    elif interactive and shown is not None:
        print(file=sys.stderr)
    return finished


def run(settings: Settings, arguments: argparse.Namespace) -> int:
    from sectorlights.domain.snapshot import RunStatus, RunTrigger
    from sectorlights.engine.container import build_container

    settings = with_overrides(settings, arguments)

    async def analyze() -> int:
        container = build_container(settings)
        try:
            require_migrated(settings, container.database)
            runs = container.analysis.runs
            started = await runs.request_run(RunTrigger.CLI)
            finished = await follow(runs, started.run_id)
            if finished.status != RunStatus.SUCCEEDED:
                print(f"analysis failed: {finished.error}", file=sys.stderr)
                return 1
            snapshot = await container.analysis.grid.latest_snapshot()
            if snapshot is None:
                print("analysis finished but no grid was stored", file=sys.stderr)
                return 1
            print_grid(snapshot, json_output=arguments.json)
            return 0
        finally:
            await container.close()

    return asyncio.run(analyze())


def print_grid(snapshot: SectorSnapshot, *, json_output: bool) -> None:
    """The grid as JSON, or one line per sector with its score, colour and returns."""
    if json_output:
        print_json(snapshot.model_dump(mode="json"))
        return
    source = snapshot.data_source.label
    print(f"as of {snapshot.as_of.isoformat()}  {source}  universe {snapshot.universe_size}")
    print(f"{'sector':24} {'score':>6} {'color':13} {'30m%':>6} {'1d%':>6} {'3d%':>6} {'1w%':>6}")
    for sector in snapshot.sectors:
        cells = [sector.timeframes[tf].return_pct for tf in sector.timeframes]
        shown = " ".join("   n/a" if cell is None else f"{cell:+6.2f}" for cell in cells)
        # A sector with too few members has no colour to print (docs/methodology.md §8).
        color = "insufficient" if sector.insufficient_data else sector.color.value
        print(f"{sector.sector.value:24} {sector.score:+6.2f} {color:13} {shown}")
