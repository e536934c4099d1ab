"""Migrated databases for tests: a SQLite file of a test's own, or a shared PostgreSQL emptied."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from sqlalchemy import Engine, text

from sectorlights.storage.database import _alembic_config, create_database_engine, current_revision, migrate
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


@contextmanager
def downgraded(engine: Engine, revision: str) -> Iterator[Engine]:
    """`engine` migrated down to `revision` for the block, then back to head whatever happens."""
    config = _alembic_config(engine)
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, revision)
        assert current_revision(engine) == revision
        yield engine
    finally:
        migrate(engine)
