"""Replays get their own trigger, `replay`, so the live grid is never a replay's: the runs that
`sectorlights replay` stored before it (trigger `cli`, a grid labelled "Replay of <date>") are
retagged.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_runs = sa.table(
    "analysis_runs",
    sa.column("trigger", sa.String(20)),
    sa.column("result", sa.JSON),
)


def _retag(before: str, after: str) -> None:
    replay_of = _runs.c.result[("data_source", "replay_of")].as_string()
    op.execute(
        _runs.update().where(_runs.c.trigger == before, replay_of.is_not(None)).values(trigger=after)
    )


def upgrade() -> None:
    _retag("cli", "replay")


def downgrade() -> None:
    _retag("replay", "cli")
