"""Getting a run's results out: the grid documents into the cache, live updates onto the event bus."""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sectorlights.analytics.changes import grid_changes
from sectorlights.cache.base import (
    SNAPSHOT_KEY,
    UNIVERSE_KEY,
    Cache,
    CacheError,
    sector_sentiment_key,
    sector_top_stocks_key,
)
from sectorlights.core.clock import Clock
from sectorlights.core.state_log import StateLog
from sectorlights.domain.events import Event, EventType
from sectorlights.domain.sessions import current_session, session_bounds
from sectorlights.domain.snapshot import SectorSnapshot
from sectorlights.live.bus import EventBus
from sectorlights.live.delivery import DeliveryTracker
from sectorlights.settings import CacheSettings
from sectorlights.storage.repository import Repository

logger = logging.getLogger(__name__)

# How long a run's thread waits for a live update to reach this process's clients.
DELIVERY_WAIT_SECS = 0.5


@dataclass(eq=False)
class GridPublisher:
    """Writes the grid a run (or a cache rebuild) produced and announces what changed."""

    cache: Cache
    repository: Repository
    events: EventBus
    clock: Clock
    cache_settings: CacheSettings
    # This process's /ws fan-out, which a run's thread waits on (see live/delivery.py); None: no wait.
    delivery: DeliveryTracker | None = None
    # A bus or cache that is down fails every event (progress goes out every few percent) and every
    # grid write: each outage is logged once, and its end.
    _bus_log: StateLog = field(default_factory=lambda: StateLog(logger), init=False, repr=False)
    _cache_log: StateLog = field(default_factory=lambda: StateLog(logger), init=False, repr=False)

    def cache_ttl_secs(self, now: datetime) -> int:
        """30 minutes during 04:00-20:00 ET on a session, longer outside it."""
        bounds = session_bounds(current_session(now))
        if bounds.extended_open <= now < bounds.extended_close:
            return self.cache_settings.market_hours_ttl_secs
        return self.cache_settings.off_hours_ttl_secs

    async def store(self, snapshot: SectorSnapshot) -> dict[str, Any]:
        """Write the grid to the cache and return it as JSON data; a cache failure never loses the
        stored run."""
        grid: dict[str, Any] = snapshot.model_dump(mode="json")
        documents: dict[str, Any] = {SNAPSHOT_KEY: grid}
        for sector in snapshot.sectors:
            sentiment = sector.model_dump(
                mode="json", exclude={"top_bullish", "top_bearish", "bullish_note", "bearish_note"}
            )
            sentiment |= {"as_of": snapshot.as_of.isoformat(), "run_id": snapshot.run_id}
            documents[sector_sentiment_key(sector.sector.value)] = sentiment
            documents[sector_top_stocks_key(sector.sector.value)] = sector.model_dump(
                mode="json", include={"top_bullish", "top_bearish", "bullish_note", "bearish_note"}
            ) | {"as_of": snapshot.as_of.isoformat()}
        symbols = set(await asyncio.to_thread(self.repository.universe_symbols))
        try:
            await self.cache.put_many(
                documents, {UNIVERSE_KEY: symbols}, self.cache_ttl_secs(self.clock.now())
            )
        except CacheError as error:
            self._cache_log.failed("cache not updated (the database has the run): %s", error)
        else:
            self._cache_log.recovered("cache updated again")
        return grid

    async def emit(self, event_type: EventType, payload: dict[str, Any]) -> Event | None:
        """Publish a live update; a bus failure is logged, never fails the caller (None then)."""
        try:
            event = await self.events.publish(event_type, payload, self.clock.now())
        except Exception as error:
            self._bus_log.failed("live update %s not published: %s", event_type.value, error)
            return None
        self._bus_log.recovered("live updates published again")
        return event

    def emit_from_thread(
        self,
        loop: asyncio.AbstractEventLoop,
        event_type: EventType,
        payload: dict[str, Any],
        wait_secs: float = DELIVERY_WAIT_SECS,
    ) -> None:
        """`emit` on `loop` from a worker thread (the analysis), then wait until this process's
        clients have been handed it, at most `wait_secs`: the thread's next stage would otherwise
        compete with their fan-out."""
        future = asyncio.run_coroutine_threadsafe(self._emit_delivered(event_type, payload), loop)
        try:
            future.result(timeout=wait_secs)
        except concurrent.futures.TimeoutError:
            logger.debug(
                "live update %s: not handed to every client within %.1f s", event_type.value, wait_secs
            )
        except Exception as error:  # the emit logs its own failures; anything else is not the run's
            logger.debug("live update %s: %s", event_type.value, error)

    async def _emit_delivered(self, event_type: EventType, payload: dict[str, Any]) -> None:
        event = await self.emit(event_type, payload)
        if event is not None and self.delivery is not None:
            await self.delivery.wait(event.seq)

    async def broadcast_changes(self, previous: dict[str, Any] | None, current: dict[str, Any]) -> None:
        """One `sector_update` with every changed sector and one `top_stocks_change` with every
        changed list (nothing when nothing changed): a run's changes reach a client together."""
        changes: dict[EventType, list[dict[str, Any]]] = {}
        for event_type, payload in grid_changes(previous, current):
            changes.setdefault(event_type, []).append(payload)
        for event_type, key in (
            (EventType.SECTOR_UPDATE, "sectors"),
            (EventType.TOP_STOCKS_CHANGE, "changes"),
        ):
            if event_type in changes:
                await self.emit(
                    event_type,
                    {"run_id": current["run_id"], "as_of": current["as_of"], key: changes[event_type]},
                )
