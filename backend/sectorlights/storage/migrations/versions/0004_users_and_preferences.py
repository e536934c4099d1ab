"""Users with hashed API tokens, each user's preferences, and per-stock results of the latest run
(timeframe returns, relative volume and rank of members; the exclusion reason of the others).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sectorlights.storage.types import UtcDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


_MEMBER_METRICS = ("change_30m_pct", "change_1d_pct", "change_3d_pct", "change_1w_pct", "relative_volume", "rank_score")


def upgrade() -> None:
    with op.batch_alter_table("stock_universe") as batch:
        for name in _MEMBER_METRICS:
            batch.add_column(sa.Column(name, sa.Float, nullable=True))
    op.create_table(
        "stock_exclusions",
        sa.Column("symbol", sa.String(16), primary_key=True),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("run_id", sa.String(36), nullable=False),
    )
    op.create_table(
        "users",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("token_sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", UtcDateTime, nullable=False),
    )
    op.create_table(
        "user_preferences",
        sa.Column("user_name", sa.String(64), primary_key=True),
        sa.Column("preferences", sa.JSON, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("user_preferences")
    op.drop_table("users")
    op.drop_table("stock_exclusions")
    with op.batch_alter_table("stock_universe") as batch:
        for name in _MEMBER_METRICS:
            batch.drop_column(name)
