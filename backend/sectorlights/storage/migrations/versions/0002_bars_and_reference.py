"""Daily and minute bars (imported flat files) and per-ticker reference data.

On TimescaleDB `minute_bars` becomes a hypertable on `window_start`, and both `minute_bars` and
`sector_sentiment` get compression after 7 days and a 90-day retention policy (DESIGN §9). Plain
PostgreSQL and SQLite get the tables only.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sectorlights.storage.types import UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# (table, time column, segment-by column) of the hypertables that get compression and retention.
_POLICY_TABLES = (("minute_bars", "window_start", "symbol"), ("sector_sentiment", "timestamp", "sector"))


def upgrade() -> None:
    op.create_table(
        "daily_bars",
        sa.Column("symbol", sa.String(16), primary_key=True),
        sa.Column("session", sa.Date, primary_key=True),
        sa.Column("open", sa.Float, nullable=False),
        sa.Column("high", sa.Float, nullable=False),
        sa.Column("low", sa.Float, nullable=False),
        sa.Column("close", sa.Float, nullable=False),
        sa.Column("volume", sa.Float, nullable=False),
        sa.Column("transactions", sa.Integer, nullable=True),
    )
    op.create_index("ix_daily_bars_session", "daily_bars", ["session"])
    op.create_table(
        "minute_bars",
        sa.Column("symbol", sa.String(16), primary_key=True),
        sa.Column("window_start", UtcDateTime, primary_key=True),
        sa.Column("open", sa.Float, nullable=False),
        sa.Column("high", sa.Float, nullable=False),
        sa.Column("low", sa.Float, nullable=False),
        sa.Column("close", sa.Float, nullable=False),
        sa.Column("volume", sa.Float, nullable=False),
        sa.Column("transactions", sa.Integer, nullable=True),
    )
    op.create_index("ix_minute_bars_window_start", "minute_bars", ["window_start"])
    op.create_table(
        "ticker_reference",
        sa.Column("symbol", sa.String(16), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("security_type", sa.String(16), nullable=False),
        sa.Column("primary_exchange", sa.String(16), nullable=False),
        sa.Column("market_cap", sa.Float, nullable=True),
        sa.Column("shares_outstanding", sa.Float, nullable=True),
        sa.Column("sic_code", sa.String(8), nullable=True),
        sa.Column("sic_description", sa.String(200), nullable=True),
        sa.Column("fetched_at", UtcDateTime, nullable=False),
    )

    bind = op.get_bind()
    if bind.dialect.name == "postgresql" and _timescaledb_available(bind):
        op.execute("CREATE EXTENSION IF NOT EXISTS timescaledb")
        op.execute(
            "SELECT create_hypertable('minute_bars', 'window_start', "
            "chunk_time_interval => INTERVAL '1 day', migrate_data => true)"
        )
        for table, time_column, segment_column in _POLICY_TABLES:
            if not _is_hypertable(bind, table):
                continue  # sector_sentiment predates TimescaleDB in this database
            op.execute(
                f"ALTER TABLE {table} SET (timescaledb.compress, "
                f"timescaledb.compress_segmentby = '{segment_column}', "
                f"timescaledb.compress_orderby = '{time_column} DESC')"
            )
            op.execute(f"SELECT add_compression_policy('{table}', INTERVAL '7 days', if_not_exists => true)")
            op.execute(f"SELECT add_retention_policy('{table}', INTERVAL '90 days', if_not_exists => true)")


def _timescaledb_available(bind: sa.engine.Connection) -> bool:
    query = sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'")
    return bind.execute(query).first() is not None


def _is_hypertable(bind: sa.engine.Connection, table: str) -> bool:
    query = sa.text("SELECT 1 FROM timescaledb_information.hypertables WHERE hypertable_name = :name")
    return bind.execute(query, {"name": table}).first() is not None


def _timescaledb_installed(bind: sa.engine.Connection) -> bool:
    query = sa.text("SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'")
    return bind.execute(query).first() is not None


def downgrade() -> None:
    bind = op.get_bind()
    table = "sector_sentiment"  # minute_bars takes its policies with it when it is dropped
    if bind.dialect.name == "postgresql" and _timescaledb_installed(bind) and _is_hypertable(bind, table):
        op.execute(f"SELECT remove_retention_policy('{table}', if_exists => true)")
        op.execute(f"SELECT remove_compression_policy('{table}', if_exists => true)")
        # Compressed chunks must be decompressed before compression can be switched off.
        op.execute(
            f"SELECT decompress_chunk(chunk, if_compressed => true) FROM show_chunks('{table}') AS chunk"
        )
        op.execute(f"ALTER TABLE {table} SET (timescaledb.compress = false)")
    op.drop_table("ticker_reference")
    op.drop_index("ix_minute_bars_window_start", table_name="minute_bars")
    op.drop_table("minute_bars")
    op.drop_index("ix_daily_bars_session", table_name="daily_bars")
    op.drop_table("daily_bars")
