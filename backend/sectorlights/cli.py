"""The `sectorlights` command: serve, migrate, analyze, universe, classify, users, data."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sectorlights.settings import ConfigurationError, Settings, load_settings
from sectorlights.storage.database import (
    DatabaseError,
    check_connection,
    create_database_engine,
    current_revision,
    describe_url,
    head_revision,
    migrate,
)

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from sectorlights.domain.snapshot import AnalysisRun
    from sectorlights.engine.runs import RunCoordinator

EXIT_CONFIGURATION = 2


def _configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


def _migrate(settings: Settings) -> int:
    url = settings.database.effective_url
    engine = create_database_engine(url)
    try:
        check_connection(engine)
        revision = migrate(engine)
    except DatabaseError as error:
        setting = "DATABASE_URL" if settings.database.url else "SECTORLIGHTS_SQLITE_PATH"
        raise ConfigurationError(f"configuration error: {setting}: {error}") from None
    finally:
        engine.dispose()
    print(f"database {describe_url(url)} is at revision {revision}")
    return 0


def _require_migrated(settings: Settings, engine: Engine) -> None:
    """ConfigurationError naming the database when it is not at the head revision."""
    revision = current_revision(engine)
    if revision != head_revision():
        raise ConfigurationError(
            f"configuration error: database {describe_url(settings.database.effective_url)} is at "
            f"revision {revision or 'none'}, expected {head_revision()}: run `sectorlights migrate`"
        )


def _serve(settings: Settings, host: str | None, port: int | None) -> int:
    import uvicorn

    from sectorlights.api.app import create_app
    from sectorlights.engine.container import build_container

    container = build_container(settings)
    try:
        _require_migrated(settings, container.database)
    except ConfigurationError:
        container.database.dispose()
        raise
    app = create_app(settings, container)
    uvicorn.run(
        app,
        host=host or settings.server.host,
        port=port or settings.server.port,
        log_level=settings.server.log_level,
        access_log=False,
        # Live updates are small JSON messages fanned out to every client: compressing each one
        # per connection cost more than sending it (and the sans-I/O protocol is the lighter one).
        ws="websockets-sansio",
        ws_per_message_deflate=False,
    )
    return 0


def _with_overrides(settings: Settings, arguments: argparse.Namespace) -> Settings:
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


async def _with_progress(runs: RunCoordinator, run_id: str) -> AnalysisRun:
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


def _analyze(settings: Settings, as_json: bool) -> int:
    from sectorlights.domain.snapshot import RunStatus, RunTrigger
    from sectorlights.engine.container import build_container

    async def run() -> int:
        container = build_container(settings)
        try:
            _require_migrated(settings, container.database)
            runs = container.analysis.runs
            started = await runs.request_run(RunTrigger.CLI)
            finished = await _with_progress(runs, started.run_id)
            if finished.status != RunStatus.SUCCEEDED:
                print(f"analysis failed: {finished.error}", file=sys.stderr)
                return 1
            snapshot = await container.analysis.grid.latest_snapshot()
            if snapshot is None:
                print("analysis finished but no grid was stored", file=sys.stderr)
                return 1
            if as_json:
                print(json.dumps(snapshot.model_dump(mode="json"), indent=2))
                return 0
            source = snapshot.data_source.label
            print(f"as of {snapshot.as_of.isoformat()}  {source}  universe {snapshot.universe_size}")
            print(f"{'sector':24} {'score':>6} {'color':13} {'30m%':>6} {'1d%':>6} {'3d%':>6} {'1w%':>6}")
            for sector in snapshot.sectors:
                cells = [sector.timeframes[tf].return_pct for tf in sector.timeframes]
                shown = " ".join("   n/a" if cell is None else f"{cell:+6.2f}" for cell in cells)
                print(f"{sector.sector.value:24} {sector.score:+6.2f} {sector.color.value:13} {shown}")
            return 0
        finally:
            await container.close()

    return asyncio.run(run())


def _data_check(settings: Settings) -> int:
    from sectorlights.core.clock import clock_from_settings
    from sectorlights.providers.registry import build_provider

    clock = clock_from_settings(settings.provider.sim_now, settings.provider.sim_speed)
    database = create_database_engine(settings.database.effective_url)
    try:
        provider = build_provider(settings.provider, clock, database)
        checks = provider.check()
    finally:
        database.dispose()
    print(f"provider {provider.name}")
    width = max((len(check.endpoint) for check in checks), default=8)
    for check in checks:
        status = "ok" if check.ok else "FAILED"
        need = "" if check.required else " (optional)"
        print(
            f"{check.endpoint:{width}}  {status:6}  {check.latency_ms:8.1f} ms  {check.rows:7d} rows  "
            f"{check.detail}{need}"
        )
    failed = [check.endpoint for check in checks if check.required and not check.ok]
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def _import_flatfiles(settings: Settings, paths: list[Path]) -> int:
    from sectorlights.storage.bars import BarsRepository
    from sectorlights.storage.ingestion import FlatFileError, import_flatfiles

    engine = create_database_engine(settings.database.effective_url)
    try:
        _require_migrated(settings, engine)

        def progress(path: str, rows: int) -> None:
            print(f"\r{path}: {rows:,} rows", end="", file=sys.stderr, flush=True)

        try:
            report = import_flatfiles(paths, BarsRepository(engine), progress)
        except FlatFileError as error:
            print(file=sys.stderr)
            print(f"import failed: {error}", file=sys.stderr)
            return 1
        print(file=sys.stderr)
        print("\n".join(report.describe()))
        return 0
    finally:
        engine.dispose()


def _sim_vendor(settings: Settings, host: str, port: int, fault_options: list[str]) -> int:
    from sectorlights.simvendor.vendor import FaultConfig, serve_vendor

    try:
        faults = FaultConfig.from_options(fault_options)
    except ValueError as error:
        raise ConfigurationError(f"configuration error: --fault: {error}") from None
    serve_vendor(settings.provider, host, port, faults)
    return 0


def _universe(settings: Settings, as_json: bool, explain_symbol: str | None) -> int:
    from sectorlights.engine.inspect import (
        build_current_frame,
        classify_row_for_report,
        explain,
        select_universe_report,
    )

    market = build_current_frame(settings)
    frame, provider_name = market.frame, market.provider_name
    report = select_universe_report(frame, overrides=market.overrides, fmp_sectors=market.fmp_sectors)
    if explain_symbol is not None:
        row = report.row_of(explain_symbol)
        if row is None:
            print(f"unknown symbol: {explain_symbol}", file=sys.stderr)
            return 1
        print("\n".join(explain(classify_row_for_report(report, row), row)))
        return 0
    if as_json:
        print(json.dumps(report.as_json(), indent=2))
        return 0
    print(f"as of {frame.as_of.isoformat()}  provider {provider_name}")
    print(f"{'stage':18} {'remaining':>9} {'removed':>8}")
    for stage in report.funnel():
        print(f"{stage['stage']:18} {stage['remaining']:9,} {stage['removed']:8,}")
    tiers = "  ".join(f"{tier} {count:,}" for tier, count in report.tier_counts().items())
    print(f"tiers: {tiers}")
    print("sectors: " + "  ".join(f"{sector} {count:,}" for sector, count in report.sector_counts().items()))
    print(f"universe size {report.selection.size:,}")
    return 0


def _classify(settings: Settings, path: Path) -> int:
    import csv

    from sectorlights.config.sectors import (
        CLASSIFICATION_OVERRIDES_FILE,
        OverridesFileError,
        load_classification_overrides,
    )
    from sectorlights.engine.inspect import ClassificationFileError, classify_input, read_classify_csv

    try:
        rows = read_classify_csv(path)
    except ClassificationFileError as error:
        raise ConfigurationError(f"configuration error: --file {error}") from None
    try:
        overrides = load_classification_overrides(
            settings.analysis.classification_overrides or CLASSIFICATION_OVERRIDES_FILE
        )
    except OverridesFileError as error:
        raise ConfigurationError(
            f"configuration error: SECTORLIGHTS_CLASSIFICATION_OVERRIDES: {error}"
        ) from None
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["symbol", "sector", "confidence", "source"])
    writer.writerows(classify_input(rows, {symbol: sector.value for symbol, sector in overrides.items()}))
    return 0


def _users(settings: Settings, action: str, name: str | None) -> int:
    from datetime import UTC

    from sectorlights.storage.users import UserError, UserStore

    engine = create_database_engine(settings.database.effective_url)
    try:
        _require_migrated(settings, engine)
        store = UserStore(engine)
        if action == "list":
            for user in store.names():
                print(user)
            return 0
        assert name is not None  # argparse requires it for add
        try:
            token = store.add(name, datetime.now(UTC))
        except UserError as error:
            raise ConfigurationError(f"users add: {error}") from None
        print(token)
        print(
            f"user {name} added; the token is shown only now (send it as Authorization: Bearer)",
            file=sys.stderr,
        )
        return 0
    finally:
        engine.dispose()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sectorlights", description="Small-cap traffic-light sector dashboard"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the API and the dashboard")
    serve.add_argument("--host", default=None, help="bind address (default SECTORLIGHTS_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, default=None, help="port (default SECTORLIGHTS_PORT or 8000)")
    commands.add_parser("migrate", help="apply database migrations")
    analyze = commands.add_parser("analyze", help="run one analysis now and print the grid")
    analyze.add_argument("--json", action="store_true", help="print the grid as JSON")
    analyze.add_argument(
        "--provider",
        choices=["simulated", "polygon", "polygon_mcp", "flatfiles"],
        help="override SECTORLIGHTS_PROVIDER",
    )
    analyze.add_argument(
        "--as-of", help="analyse as of this ISO time with zone (a past session for flatfiles)"
    )
    analyze.add_argument("--listings", type=Path, help="reference-data CSV for the flatfiles provider")
    flatfiles = commands.add_parser(
        "import-flatfiles", help="load day_aggs_v1 / minute_aggs_v1 .csv.gz files (or folders of them)"
    )
    flatfiles.add_argument("paths", nargs="+", type=Path, help="files or folders")
    vendor = commands.add_parser(
        "sim-vendor", help="serve the simulated market in the Polygon/Massive and FMP API shapes"
    )
    vendor.add_argument("--host", default="127.0.0.1")
    vendor.add_argument("--port", type=int, default=9100)
    vendor.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="ENDPOINT:OPTION=VALUE[,OPTION=VALUE]",
        help="inject a fault, e.g. snapshot:status_500_count=3 or '*:delay_ms=200' (repeatable)",
    )
    universe = commands.add_parser(
        "universe", help="select the universe now from the configured provider and print the funnel"
    )
    universe.add_argument("--json", action="store_true", help="print funnel, members and exclusions as JSON")
    universe.add_argument("--explain", metavar="SYMBOL", help="show every criterion for one symbol")
    classify = commands.add_parser(
        "classify",
        help="classify a CSV of symbol,name,sic[,fmp_sector] into sectors (CSV on stdout); overrides apply",
    )
    classify.add_argument("--file", type=Path, required=True, help="CSV with columns symbol,name,sic")
    users = commands.add_parser("users", help="API users (for SECTORLIGHTS_AUTH=required)")
    user_commands = users.add_subparsers(dest="users_command", required=True)
    add_user = user_commands.add_parser("add", help="add a user and print its API token")
    add_user.add_argument("name", help="1-64 letters, digits, '_', '.' or '-'")
    user_commands.add_parser("list", help="list the users")
    data = commands.add_parser("data", help="market-data tools")
    data_commands = data.add_subparsers(dest="data_command", required=True)
    data_commands.add_parser("check", help="call each endpoint of the configured provider once")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        _configure_logging(settings.server.log_level)
        if arguments.command == "migrate":
            return _migrate(settings)
        if arguments.command == "serve":
            return _serve(settings, arguments.host, arguments.port)
        if arguments.command == "sim-vendor":
            return _sim_vendor(settings, arguments.host, arguments.port, arguments.fault)
        if arguments.command == "import-flatfiles":
            return _import_flatfiles(settings, arguments.paths)
        if arguments.command == "universe":
            return _universe(settings, arguments.json, arguments.explain)
        if arguments.command == "classify":
            return _classify(settings, arguments.file)
        if arguments.command == "users":
            return _users(settings, arguments.users_command, getattr(arguments, "name", None))
        if arguments.command == "data":
            return _data_check(settings)
        return _analyze(_with_overrides(settings, arguments), arguments.json)
    except ConfigurationError as error:
        print(str(error), file=sys.stderr)
        return EXIT_CONFIGURATION


if __name__ == "__main__":
    sys.exit(main())
