"""The `sectorlights` command: serve, migrate, analyze."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Sequence

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


def _serve(settings: Settings, host: str | None, port: int | None) -> int:
    import uvicorn

    from sectorlights.api.app import create_app
    from sectorlights.engine.container import build_container

    container = build_container(settings)
    revision = current_revision(container.database)
    if revision != head_revision():
        container.database.dispose()
        raise ConfigurationError(
            f"configuration error: database {describe_url(settings.database.effective_url)} is at "
            f"revision {revision or 'none'}, expected {head_revision()}: run `sectorlights migrate`"
        )
    app = create_app(settings, container)
    uvicorn.run(
        app,
        host=host or settings.server.host,
        port=port or settings.server.port,
        log_level=settings.server.log_level,
        access_log=False,
    )
    return 0


def _analyze(settings: Settings, as_json: bool) -> int:
    from sectorlights.domain.snapshot import RunStatus, RunTrigger
    from sectorlights.engine.container import build_container

    async def run() -> int:
        container = build_container(settings)
        try:
            service = container.analysis
            started = await service.request_run(RunTrigger.CLI)
            finished = await service.wait_for(started.run_id)
            if finished.status != RunStatus.SUCCEEDED:
                print(f"analysis failed: {finished.error}", file=sys.stderr)
                return 1
            snapshot = await service.latest_snapshot()
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
        return _analyze(settings, arguments.json)
    except ConfigurationError as error:
        print(str(error), file=sys.stderr)
        return EXIT_CONFIGURATION


if __name__ == "__main__":
    sys.exit(main())
