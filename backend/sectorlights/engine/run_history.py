"""Time travel: the stored successful runs and the grid any one of them published, read-only.

A stored grid is never live: its freshness is measured against now, and it is always marked stale
so a client cannot mistake it for the current market.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any, Protocol

from sectorlights.domain.responses import SectorGrid, StoredRun, StoredRuns
from sectorlights.storage.repository import Repository


class UnknownRunError(LookupError):
    """No stored successful run has this id."""


class Freshness(Protocol):
    def freshness_fields(self, as_of: datetime) -> dict[str, Any]: ...


async def stored_runs(repository: Repository, limit: int, before: datetime | None) -> StoredRuns:
    rows = await asyncio.to_thread(repository.stored_runs, limit, before)
    runs = [StoredRun.model_validate(row) for row in rows]
    return StoredRuns(limit=limit, before=before, count=len(runs), runs=runs)


async def stored_grid(repository: Repository, freshness: Freshness, run_id: str) -> SectorGrid:
    """The grid `run_id` published, with its age against now; UnknownRunError when it is not stored."""
    snapshot = await asyncio.to_thread(repository.snapshot, run_id)
    if snapshot is None:
        raise UnknownRunError(run_id)
    fields = freshness.freshness_fields(snapshot.as_of)
    when = snapshot.as_of.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    # The process's own last failure says nothing about a past run's grid.
    fields |= {
        "stale": True,
        "last_error": None,
        "recommendation": f"Stored run as of {when}: not live",
    }
    return SectorGrid.model_validate(snapshot.model_dump() | fields)
