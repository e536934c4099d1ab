"""Engine creation, migrations and database health."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class DatabaseError(RuntimeError):
    """The database is unreachable or unusable; the message says which and why."""


# What a database that went away raises (stopped, restarting, unreachable, out of connections), as
# opposed to a query that is wrong: a caller may answer "try again shortly" instead of failing.
UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (
    OperationalError,
    InterfaceError,
    PoolTimeoutError,
    DatabaseError,
)


def unavailable_reason(error: BaseException) -> str:
    """The driver's one-line reason for `error` (no traceback, no SQL), for a log line."""
    original = getattr(error, "orig", None)
    return " ".join(str(original if original is not None else error).split())[:300]


def create_database_engine(url: str) -> Engine:
    """An engine for `url`; creates the SQLite file's folder, enables WAL and foreign keys there."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(
        url, pool_pre_ping=True, pool_size=5, max_overflow=10, connect_args={"connect_timeout": 5}
    )


def _sqlite_pragmas(connection: object, _record: object) -> None:
    cursor = connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def describe_url(url: str) -> str:
    """The URL with any password hidden, for messages."""
    return make_url(url).render_as_string(hide_password=True)


def check_connection(engine: Engine) -> None:
    """Raise DatabaseError with a one-line reason when the database cannot be reached."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        raise _unreachable(engine, error) from None


def _unreachable(engine: Engine, error: SQLAlchemyError) -> DatabaseError:
    original = getattr(error, "orig", None)
    reason = " ".join(str(original if original is not None else error).split())
    return DatabaseError(f"cannot connect to {describe_url(str(engine.url))}: {reason}")


def _alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def migrate(engine: Engine) -> str:
    """Apply every pending migration; returns the revision the database is at."""
    config = _alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return current_revision(engine) or ""


@functools.cache
def head_revision() -> str:
    """The newest migration shipped (read once: reading it imports every migration script)."""
    script = ScriptDirectory(str(MIGRATIONS_DIR))
    head = script.get_current_head()
    if head is None:
        raise DatabaseError("no migrations found")
    return head


@functools.cache
def known_revisions() -> frozenset[str]:
    """Every migration this version ships (read once, like the head)."""
    return frozenset(script.revision for script in ScriptDirectory(str(MIGRATIONS_DIR)).walk_revisions())


MigrationState = Literal["current", "pending", "ahead"]


def migration_state(revision: str | None) -> MigrationState:
    """Where a database at `revision` stands for this version: at its head; behind it (or never
    migrated), so `sectorlights migrate` is due; or ahead of it, at a migration this version does not
    know, which a newer release applied. Migrations stay backward compatible for one release
    (docs/deployment.md), so this version still runs on a database that is ahead: that is what keeps
    the old replicas serving in a rolling upgrade, between the new release's migrate and their
    replacement."""
    if revision == head_revision():
        return "current"
    if revision is None or revision in known_revisions():
        return "pending"
    return "ahead"


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


@dataclass(frozen=True, slots=True)
class DatabaseHealth:
    ok: bool
    dialect: str
    revision: str | None
    head: str
    timescaledb: bool
    detail: str
    # False when no connection could be made at all (as opposed to one at the wrong migration).
    reachable: bool = True


def timescaledb_in_use(engine: Engine) -> bool:
    """Whether the database is PostgreSQL with the TimescaleDB extension installed."""
    if engine.dialect.name != "postgresql":
        return False
    with engine.connect() as connection:
        query = text("SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'")
        return connection.execute(query).first() is not None


def database_health(engine: Engine) -> DatabaseHealth:
    """Reachability, migration state and whether TimescaleDB is in use, over one connection
    (health is polled; alembic's own revision lookup reflects the schema on every call)."""
    head = head_revision()
    dialect = engine.dialect.name
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            timescaledb = dialect == "postgresql" and (
                connection.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'")).first()
                is not None
            )
            revision: str | None
            try:
                revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
            except SQLAlchemyError:  # no version table: never migrated
                revision = None
    except SQLAlchemyError as error:
        return DatabaseHealth(
            False, dialect, None, head, False, str(_unreachable(engine, error)), reachable=False
        )
    state = migration_state(revision)
    if state == "pending":
        detail = f"migrations pending: at {revision or 'none'}, head is {head}; run `sectorlights migrate`"
        return DatabaseHealth(False, dialect, revision, head, timescaledb, detail)
    if state == "ahead":
        detail = f"ahead: at {revision}, a newer release's migration (this version's head is {head})"
        return DatabaseHealth(True, dialect, revision, head, timescaledb, detail)
    return DatabaseHealth(True, dialect, revision, head, timescaledb, "ok")
