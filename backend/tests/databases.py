"""Migrated databases for tests: a SQLite file of a test's own, or a shared PostgreSQL emptied."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text

from sectorlights.storage.database import create_database_engine, migrate
from sectorlights.storage.tables import metadata


@contextmanager
def migrated_sqlite(path: Path) -> Iterator[Engine]:
    """A SQLite database file at `path` at the head revision; disposed afterwards."""
    engine = create_database_engine(f"sqlite:///{path}")
    migrate(engine)
    try:
        yield engine
    finally:
        engine.dispose()


def emptied(engine: Engine) -> Engine:
    """`engine` (PostgreSQL) with every table truncated, so a test sees no earlier test's rows."""
    with engine.begin() as connection:
        names = ", ".join(table.name for table in reversed(metadata.sorted_tables))
        connection.execute(text(f"TRUNCATE {names}"))
    return engine
