"""A heartbeat on analysis runs: a `running` run whose heartbeat is stale was left by a dead process,
so a restarting replica fails only those, never a live run of another replica.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sectorlights.storage.types import UtcDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("analysis_runs") as batch:
        batch.add_column(sa.Column("heartbeat_at", UtcDateTime, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("analysis_runs") as batch:
        batch.drop_column("heartbeat_at")
