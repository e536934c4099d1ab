"""The Relative Rotation Graph as the API (and any other reader) serves it: a stored run's graph of one
interval with each sector's last `tail` points. Measured with each run (rotation_measure.py)."""

from __future__ import annotations

import asyncio

from sectorlights.config.rotation import DEFAULT_TAIL, MAX_TAIL, ROTATION_PARAMS
from sectorlights.config.sectors import SECTOR_MAPPING
from sectorlights.domain.rotation import RotationGraph, RotationInterval, RunRotation, SectorRotation
from sectorlights.domain.vocabulary import SECTORS
from sectorlights.engine.lookups import InvalidParameter, LatestGrid, require_grid
from sectorlights.engine.queries import NotFound
from sectorlights.engine.rotation_measure import graph_of
from sectorlights.storage.repository import Repository

NOT_MEASURED = "Not measured: this run was stored before the rotation graph was"


def _shortfall(kept: int, tail: int, interval: RotationInterval) -> str:
    needed = ROTATION_PARAMS[interval].bars_needed
    return (
        f"Only {kept} of {tail} points: the first point needs {needed} bars and {kept + needed - 1} are held"
    )


def tailed(entry: SectorRotation, tail: int, interval: RotationInterval) -> SectorRotation:
    """The sector's last `tail` points, saying why when it has fewer."""
    points = entry.points[-tail:]
    reason = entry.reason
    if reason is None and 0 < len(points) < tail:
        reason = _shortfall(len(points), tail, interval)
    return entry.model_copy(update={"points": points, "reason": reason})


def _not_measured(interval: RotationInterval) -> RunRotation:
    return graph_of(
        interval,
        [
            SectorRotation(
                sector=sector,
                label=SECTOR_MAPPING[sector].label,
                quadrant=None,
                points=[],
                reason=NOT_MEASURED,
            )
            for sector in SECTORS
        ],
    )


class RotationViews:
    """Reads the rotation graph of the latest analysis, or of any stored run."""

    def __init__(self, repository: Repository, grids: LatestGrid) -> None:
        self._repository = repository
        self._grids = grids

    async def graph(
        self, interval: RotationInterval, tail: int = DEFAULT_TAIL, run_id: str | None = None
    ) -> RotationGraph:
        """The graph of `interval` in run `run_id` (the served grid's run when None), each sector's
        last `tail` points oldest first. NoAnalysisYet before the first analysis, NotFound for a run
        that is not stored or did not succeed, InvalidParameter for a tail outside 1..MAX_TAIL."""
        if not 1 <= tail <= MAX_TAIL:
            raise InvalidParameter("tail", f"must be from 1 to {MAX_TAIL} (got {tail})")
        if run_id is None:
            grid = await require_grid(self._grids)
            run_id = str(grid["run_id"])
        stored = await asyncio.to_thread(self._repository.rotation, run_id, interval)
        if stored is None:
            snapshot = await asyncio.to_thread(self._repository.snapshot, run_id)
            if snapshot is None:
                raise NotFound(f"run_id: no successful run {run_id}")
            as_of, graph = snapshot.as_of, _not_measured(interval)
        else:
            as_of, graph = stored
        return RotationGraph(
            interval=interval,
            benchmark=graph.benchmark,
            run_id=run_id,
            as_of=as_of,
            ratio_period=graph.ratio_period,
            momentum_period=graph.momentum_period,
            tail=tail,
            sectors=[tailed(entry, tail, interval) for entry in graph.sectors],
        )
