"""Analysis runs record the serving process that started them (SECTORLIGHTS_INSTANCE), so a replica
restarting fails its own runs left `running` at once: they cannot be alive, the process just started.
Other instances' runs keep the heartbeat rule (0006). Runs from before, and the CLI's, have none.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("analysis_runs") as batch:
        batch.add_column(sa.Column("instance", sa.String(200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("analysis_runs") as batch:
        batch.drop_column("instance")
