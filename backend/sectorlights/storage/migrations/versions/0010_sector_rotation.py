"""Each run keeps its Relative Rotation Graph (RS-Ratio and RS-Momentum of the 8 sectors against IWM)
per interval, daily and half-hourly: one row per run and interval with every sector's latest points
as JSON. A plain table on every database (two rows a run); its rows are deleted with their run.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sectorlights.storage.types import UtcDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sector_rotation",
        sa.Column(
            "run_id",
            sa.String(36),
            sa.ForeignKey("analysis_runs.run_id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("interval", sa.String(8), primary_key=True),
        sa.Column("as_of", UtcDateTime, nullable=False),
        sa.Column("benchmark", sa.String(16), nullable=False),
        sa.Column("ratio_period", sa.Integer, nullable=False),
        sa.Column("momentum_period", sa.Integer, nullable=False),
        sa.Column("sectors", sa.JSON, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("sector_rotation")
