"""Serving the latest grid: from the cache, else rebuilt once from the database, with its freshness."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sectorlights.cache.base import SNAPSHOT_KEY, Cache, CacheError, encode_document
from sectorlights.core.clock import Clock
from sectorlights.core.state_log import StateLog
from sectorlights.domain.snapshot import SectorSnapshot
from sectorlights.engine.freshness import grid_freshness
from sectorlights.engine.publisher import GridPublisher
from sectorlights.metrics import Metrics
from sectorlights.storage.repository import Repository

logger = logging.getLogger(__name__)


@dataclass(eq=False)
class GridReader:
    """The latest grid as the API and the live snapshot serve it, and whether the latest run failed."""

    cache: Cache
    repository: Repository
    clock: Clock
    metrics: Metrics
    # Refills the cache when the grid had to be read from the database.
    publisher: GridPublisher
    # The error of this process's latest run when it failed; the grid is then served as stale.
    last_failure: str | None = field(default=None, init=False)
    _grid_as_of: tuple[bytes, datetime] | None = field(default=None, init=False, repr=False)
    _rebuild_lock: asyncio.Lock = field(default_factory=asyncio.Lock, init=False, repr=False)
    # Every grid read meets a cache that is down: say so once, and once when it is back.
    _cache_log: StateLog = field(default_factory=lambda: StateLog(logger), init=False, repr=False)

    def run_failed(self, message: str) -> None:
        self.last_failure = message

    def run_succeeded(self) -> None:
        self.last_failure = None

    async def latest_grid_raw(self) -> bytes | None:
        """The latest grid as its cached JSON: the cache first, else the database (refilling the
        cache); None before the first run."""
        try:
            cached = await self.cache.get_raw(SNAPSHOT_KEY)
        except CacheError as error:
            self._cache_log.failed("cache read failed, serving from the database: %s", error)
            self.metrics.grid_cache_reads.labels("error").inc()
            stored = await asyncio.to_thread(self.repository.latest_snapshot)
            return None if stored is None else encode_document(stored.model_dump(mode="json"))
        self._cache_log.recovered("cache reads work again")
        if cached is not None:
            self.metrics.grid_cache_reads.labels("hit").inc()
            return cached
        # One rebuild at a time: readers that missed together wait for it and read what it wrote.
        async with self._rebuild_lock:
            with contextlib.suppress(CacheError):
                cached = await self.cache.get_raw(SNAPSHOT_KEY)
            if cached is not None:
                self.metrics.grid_cache_reads.labels("hit").inc()
                return cached
            self.metrics.grid_cache_reads.labels("miss").inc()
            snapshot = await asyncio.to_thread(self.repository.latest_snapshot)
            if snapshot is None:
                return None
            return encode_document(await self.publisher.store(snapshot))

    async def latest_grid(self) -> dict[str, Any] | None:
        """The latest grid as JSON data (see `latest_grid_raw`)."""
        raw = await self.latest_grid_raw()
        if raw is None:
            return None
        grid: dict[str, Any] = json.loads(raw)
        return grid

    def freshness_fields(self, as_of: datetime) -> dict[str, Any]:
        """What the grid says about itself: age, freshness class, recommendation, staleness."""
        age_secs = max(0.0, (self.clock.now() - as_of).total_seconds())
        return grid_freshness(age_secs, self.last_failure)

    async def live_grid(self) -> dict[str, Any] | None:
        """The latest grid with its freshness fields, as `GET /api/sectors` serves it."""
        grid = await self.latest_grid()
        if grid is None:
            return None
        return grid | self.freshness_fields(datetime.fromisoformat(grid["as_of"]))

    async def latest_grid_as_of(self) -> tuple[bytes, datetime] | None:
        """The latest grid's JSON and the market time it is from; the time is read once per
        distinct grid, since every read between two runs gets the same bytes."""
        raw = await self.latest_grid_raw()
        if raw is None:
            return None
        memo = self._grid_as_of
        if memo is None or memo[0] != raw:
            memo = (raw, datetime.fromisoformat(json.loads(raw)["as_of"]))
            self._grid_as_of = memo
        return memo

    async def latest_snapshot(self) -> SectorSnapshot | None:
        grid = await self.latest_grid()
        return None if grid is None else SectorSnapshot.model_validate(grid)
