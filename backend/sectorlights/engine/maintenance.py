"""History retention: old rows pruned once a day, after a run has published, measured against the
data's own time (the newest analysed instant), so replaying a past session deletes nothing it needs."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from sectorlights.core.clock import Clock
from sectorlights.storage.repository import Repository
from sectorlights.storage.retention import KeptRun, PruneReport, newest_data_time, prune_history

logger = logging.getLogger(__name__)

PRUNE_INTERVAL = timedelta(days=1)


class HistoryRetention:
    def __init__(self, repository: Repository, wall_clock: Clock, retention_days: float) -> None:
        self.repository = repository
        self.wall_clock = wall_clock
        self.retention_days = retention_days
        self._last_prune: datetime | None = None

    async def prune_if_due(self, published: KeptRun) -> None:
        """Apply the history retention once a day (of real time) after `published` was stored; the
        window ends at the newest analysed instant (at most the wall clock). A failure is logged
        and retried next run."""
        now = self.wall_clock.now()
        if self._last_prune is not None and now - self._last_prune < PRUNE_INTERVAL:
            return
        try:
            report = await asyncio.to_thread(self._prune, published, now)
        except Exception as error:  # retention never fails a run that is already published
            logger.warning("history retention failed: %s", error)
            return
        self._last_prune = now
        if report.sector_sentiment or report.minute_bars or report.analysis_runs or report.stock_metrics:
            logger.info(
                "retention removed %d history rows, %d stock metric rows, %d minute bars, %d runs",
                report.sector_sentiment,
                report.stock_metrics,
                report.minute_bars,
                report.analysis_runs,
            )

    def _prune(self, published: KeptRun, wall_now: datetime) -> PruneReport:
        engine = self.repository.engine
        newest = newest_data_time(engine)
        data_now = published.as_of if newest is None else max(newest, published.as_of)
        # A simulated clock set ahead of today must not age real history faster than time passes.
        data_now = min(data_now, wall_now)
        return prune_history(engine, data_now, self.retention_days, keep=published)
