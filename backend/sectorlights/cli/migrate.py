"""`sectorlights migrate`: bring the configured database to the newest schema."""

from __future__ import annotations

import argparse

from sectorlights.cli.common import Commands, add_command, add_json_flag, print_json
from sectorlights.settings import ConfigurationError, Settings
from sectorlights.storage.database import (
    DatabaseError,
    check_connection,
    create_database_engine,
    describe_url,
    migrate,
)


def register(commands: Commands) -> None:
    parser = add_command(
        commands,
        "migrate",
        "apply database migrations",
        "Apply the Alembic migrations to the configured database (DATABASE_URL, else the SQLite file "
        "at SECTORLIGHTS_SQLITE_PATH), creating it when needed, and print the revision it is at. "
        "Running it again changes nothing.",
        run,
    )
    add_json_flag(parser, "the database and its revision")


def run(settings: Settings, arguments: argparse.Namespace) -> int:
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
    if arguments.json:
        print_json({"database": describe_url(url), "revision": revision})
    else:
        print(f"database {describe_url(url)} is at revision {revision}")
    return 0
