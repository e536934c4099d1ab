"""Analysis runs, sector sentiment history and the stock universe.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sectorlights.storage.types import UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "analysis_runs",
        sa.Column("run_id", sa.String(36), primary_key=True),
        sa.Column("trigger", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("stage", sa.String(40), nullable=False),
        sa.Column("progress_pct", sa.Float, nullable=False),
        sa.Column("provider", sa.String(40), nullable=False),
        sa.Column("started_at", UtcDateTime, nullable=False),
        sa.Column("finished_at", UtcDateTime, nullable=True),
        sa.Column("as_of", UtcDateTime, nullable=True),
        sa.Column("universe_size", sa.Integer, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("result", sa.JSON, nullable=True),
    )
    op.create_index("ix_analysis_runs_status_finished", "analysis_runs", ["status", "finished_at"])
    op.create_table(
        "sector_sentiment",
        sa.Column("timestamp", UtcDateTime, primary_key=True),
        sa.Column("sector", sa.String(50), primary_key=True),
        sa.Column("sentiment_score", sa.Numeric(4, 3), nullable=False),
        sa.Column("color_classification", sa.String(20), nullable=False),
        sa.Column("confidence_level", sa.Numeric(3, 2), nullable=False),
        sa.Column("signal", sa.String(40), nullable=False),
        sa.Column("stock_count", sa.Integer, nullable=False),
        sa.Column("run_id", sa.String(36), sa.ForeignKey("analysis_runs.run_id"), nullable=False),
        sa.Column("detail", sa.JSON, nullable=False),
    )
    op.create_index("ix_sector_sentiment_sector_timestamp", "sector_sentiment", ["sector", "timestamp"])
    op.create_table(
        "stock_universe",
        sa.Column("symbol", sa.String(10), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("market_cap", sa.BigInteger, nullable=False),
        sa.Column("avg_daily_volume", sa.BigInteger, nullable=False),
        sa.Column("sector", sa.String(50), nullable=False),
        sa.Column("volatility_multiplier", sa.Numeric(3, 1), nullable=False),
        sa.Column("last_updated", UtcDateTime, nullable=False),
        sa.Column("tier", sa.String(20), nullable=False),
        sa.Column("exchange", sa.String(10), nullable=False),
        sa.Column("float_shares", sa.BigInteger, nullable=True),
        sa.Column("sic_code", sa.Integer, nullable=True),
        sa.Column("confidence", sa.Numeric(3, 2), nullable=False),
        sa.Column("run_id", sa.String(36), nullable=False),
    )
    op.create_index("ix_stock_universe_sector", "stock_universe", ["sector"])

    bind = op.get_bind()
    if bind.dialect.name == "postgresql" and _timescaledb_available(bind):
        op.execute("CREATE EXTENSION IF NOT EXISTS timescaledb")
        op.execute(
            "SELECT create_hypertable('sector_sentiment', 'timestamp', "
            "chunk_time_interval => INTERVAL '1 day', migrate_data => true)"
        )


def _timescaledb_available(bind: sa.engine.Connection) -> bool:
    query = sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'")
    return bind.execute(query).first() is not None


def downgrade() -> None:
    op.drop_table("stock_universe")
    op.drop_table("sector_sentiment")
    op.drop_table("analysis_runs")
