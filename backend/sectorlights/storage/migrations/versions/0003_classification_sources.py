"""Classification sources: outside sectors kept between runs, and each member's deciding source.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sectorlights.storage.types import UtcDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sector_reference",
        sa.Column("symbol", sa.String(16), primary_key=True),
        sa.Column("source", sa.String(10), primary_key=True),
        sa.Column("sector", sa.String(50), nullable=True),
        sa.Column("fetched_at", UtcDateTime, nullable=False),
    )
    with op.batch_alter_table("stock_universe") as batch:
        batch.add_column(sa.Column("classification_source", sa.String(10), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("stock_universe") as batch:
        batch.drop_column("classification_source")
    op.drop_table("sector_reference")
