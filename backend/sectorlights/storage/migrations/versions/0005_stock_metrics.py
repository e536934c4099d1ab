"""Every run's per-stock metrics (timeframe returns, relative volume, rank), keyed by the run's
as-of instant and symbol; `stock_universe` keeps only the latest run's.

On TimescaleDB `stock_metrics` becomes a hypertable on `timestamp` with the 90-day retention policy
(DESIGN §9); plain PostgreSQL and SQLite get the table only, pruned by the retention job.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sectorlights.storage.types import UtcDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_METRICS = (
    "change_30m_pct",
    "change_1d_pct",
    "change_3d_pct",
    "change_1w_pct",
    "relative_volume",
    "rank_score",
)


def upgrade() -> None:
    op.create_table(
        "stock_metrics",
        sa.Column("timestamp", UtcDateTime, primary_key=True),
        sa.Column("symbol", sa.String(16), primary_key=True),
        sa.Column("run_id", sa.String(36), nullable=False),
        sa.Column("sector", sa.String(50), nullable=False),
        sa.Column("tier", sa.String(20), nullable=False),
        sa.Column("market_cap", sa.BigInteger, nullable=False),
        sa.Column("volatility_multiplier", sa.Float, nullable=False),
        sa.Column("classification_source", sa.String(10), nullable=True),
        *(sa.Column(name, sa.Float, nullable=True) for name in _METRICS),
    )
    op.create_index("ix_stock_metrics_symbol_timestamp", "stock_metrics", ["symbol", "timestamp"])

    bind = op.get_bind()
    if bind.dialect.name == "postgresql" and _timescaledb_available(bind):
        op.execute("CREATE EXTENSION IF NOT EXISTS timescaledb")
        op.execute(
            "SELECT create_hypertable('stock_metrics', 'timestamp', "
            "chunk_time_interval => INTERVAL '1 day', migrate_data => true)"
        )
        op.execute("SELECT add_retention_policy('stock_metrics', INTERVAL '90 days', if_not_exists => true)")


def _timescaledb_available(bind: sa.engine.Connection) -> bool:
    query = sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'")
    return bind.execute(query).first() is not None


def downgrade() -> None:
    # A hypertable takes its chunks and retention policy with it when it is dropped.
    op.drop_index("ix_stock_metrics_symbol_timestamp", table_name="stock_metrics")
    op.drop_table("stock_metrics")
