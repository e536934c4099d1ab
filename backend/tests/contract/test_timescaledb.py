"""What only TimescaleDB has: hypertables and compression policies from the migrations, and no
wall-clock retention policy (the product's own retention, by data time, prunes the hypertables)."""

from __future__ import annotations

from sqlalchemy import Engine, text

from sectorlights.storage.database import database_health
from tests.databases import downgraded

HYPERTABLES = {"sector_sentiment", "minute_bars", "stock_metrics"}


def _policies(engine: Engine, proc_name: str) -> set[str]:
    query = text(
        "SELECT hypertable_name FROM timescaledb_information.jobs "
        "WHERE proc_name = :proc AND hypertable_name IS NOT NULL"
    )
    with engine.connect() as connection:
        return {str(row[0]) for row in connection.execute(query, {"proc": proc_name})}


def test_hypertables_compression_and_no_retention_policy(timescaledb_database: Engine) -> None:
    query = text("SELECT hypertable_name FROM timescaledb_information.hypertables")
    with timescaledb_database.connect() as connection:
        tables = {str(row[0]) for row in connection.execute(query)}
    assert tables == HYPERTABLES
    assert _policies(timescaledb_database, "policy_compression") == {"sector_sentiment", "minute_bars"}
    assert _policies(timescaledb_database, "policy_retention") == set()
    assert database_health(timescaledb_database).timescaledb is True


def test_migration_0007_removes_the_wall_clock_retention_and_its_downgrade_restores_it(
    timescaledb_database: Engine,
) -> None:
    with downgraded(timescaledb_database, "0006"):
        assert _policies(timescaledb_database, "policy_retention") == HYPERTABLES
    assert _policies(timescaledb_database, "policy_retention") == set()
