"""TimescaleDB's retention policies are removed: they drop chunks by the wall clock, so a replay of a
past session lost the rows it had just stored and the imported minute bars it reads. The product's
own daily retention, measured against the data's time, now prunes the hypertables too. Compression
policies stay.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

HYPERTABLES = ("sector_sentiment", "minute_bars", "stock_metrics")
RETENTION = "INTERVAL '90 days'"


def _hypertables(bind: sa.engine.Connection) -> list[str]:
    """The product's hypertables on this database; none without TimescaleDB."""
    if bind.dialect.name != "postgresql":
        return []
    installed = sa.text("SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'")
    if bind.execute(installed).first() is None:
        return []
    query = sa.text("SELECT hypertable_name FROM timescaledb_information.hypertables")
    present = {str(row[0]) for row in bind.execute(query)}
    return [table for table in HYPERTABLES if table in present]


def upgrade() -> None:
    for table in _hypertables(op.get_bind()):
        op.execute(f"SELECT remove_retention_policy('{table}', if_exists => true)")


def downgrade() -> None:
    for table in _hypertables(op.get_bind()):
        op.execute(f"SELECT add_retention_policy('{table}', {RETENTION}, if_not_exists => true)")
