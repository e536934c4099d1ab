"""Market-data commands: `data check` calls each endpoint of the configured provider once,
`import-flatfiles` loads Polygon flat files for the `flatfiles` provider."""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sectorlights.cli.common import (
    Commands,
    add_command,
    add_group,
    add_json_flag,
    migrated_database,
    print_json,
)
from sectorlights.settings import Settings
from sectorlights.storage.database import create_database_engine

if TYPE_CHECKING:
    from sectorlights.storage.ingestion import FileReport, ImportReport


def register(commands: Commands) -> None:
    flatfiles = add_command(
        commands,
        "import-flatfiles",
        "load day_aggs_v1 / minute_aggs_v1 .csv.gz files (or folders of them)",
        "Load Polygon/Massive flat files (day_aggs_v1 or minute_aggs_v1 .csv.gz, or folders of them) "
        "into the database for the flatfiles provider; importing a file again adds nothing. The "
        "database must be migrated first.",
        run_import_flatfiles,
    )
    flatfiles.add_argument("paths", nargs="+", type=Path, help="files or folders")
    add_json_flag(flatfiles, "what was imported, file by file")
    data_commands = add_group(
        commands,
        "data",
        "market-data tools",
        "Market-data tools for the configured provider (SECTORLIGHTS_PROVIDER).",
    )
    check = add_command(
        data_commands,
        "check",
        "call each endpoint of the configured provider once",
        "Call each endpoint of the configured provider once and print its status, latency and row "
        "count. Exits 1 when a required endpoint fails.",
        run_check,
    )
    add_json_flag(check, "the provider and each endpoint's result")


def run_check(settings: Settings, arguments: argparse.Namespace) -> int:
    from sectorlights.core.clock import clock_from_settings
    from sectorlights.providers.registry import build_provider

    clock = clock_from_settings(
        settings.provider.sim_now, settings.provider.sim_speed, settings.provider.sim_epoch
    )
    database = create_database_engine(settings.database.effective_url)
    try:
        provider = build_provider(settings.provider, clock, database)
        checks = provider.check()
    finally:
        database.dispose()
    failed = [check.endpoint for check in checks if check.required and not check.ok]
    if arguments.json:
        print_json(
            {"provider": provider.name, "checks": [asdict(check) for check in checks], "failed": failed}
        )
    else:
        print(f"provider {provider.name}")
        width = max((len(check.endpoint) for check in checks), default=8)
        for check in checks:
            status = "ok" if check.ok else "FAILED"
            need = "" if check.required else " (optional)"
            print(
                f"{check.endpoint:{width}}  {status:6}  {check.latency_ms:8.1f} ms  {check.rows:7d} rows  "
                f"{check.detail}{need}"
            )
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def run_import_flatfiles(settings: Settings, arguments: argparse.Namespace) -> int:
    from sectorlights.storage.bars import BarsRepository
    from sectorlights.storage.ingestion import FlatFileError, import_flatfiles

    with migrated_database(settings) as engine:

        def progress(path: str, rows: int) -> None:
            print(f"\r{path}: {rows:,} rows", end="", file=sys.stderr, flush=True)

        try:
            report = import_flatfiles(arguments.paths, BarsRepository(engine), progress)
        except FlatFileError as error:
            print(file=sys.stderr)
            print(f"import failed: {error}", file=sys.stderr)
            return 1
        print(file=sys.stderr)
        if arguments.json:
            print_json(_import_json(report))
        else:
            print("\n".join(report.describe()))
        return 0


def _import_json(report: ImportReport) -> dict[str, Any]:
    return {
        "files": [_file_json(file) for file in report.files],
        "total": {
            "files": len(report.files),
            "rows_read": report.rows_read,
            "imported": report.imported,
            "new_rows": report.new_rows,
            "skipped": report.skipped,
            "seconds": round(report.seconds, 3),
        },
    }


def _file_json(file: FileReport) -> dict[str, Any]:
    return {
        "path": str(file.path),
        "kind": file.kind,
        "rows_read": file.rows_read,
        "imported": file.imported,
        "new_rows": file.new_rows,
        "skipped": dict(file.skipped),
        "seconds": round(file.seconds, 3),
        "dates": [day.isoformat() for day in file.dates],
    }
