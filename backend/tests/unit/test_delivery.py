"""A run's thread waits for its live updates to be handed to this process's `/ws` clients: at most
a bound, and not at all when no hub runs (the CLI) or the bus refused the update."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from sectorlights.core.clock import FrozenClock
from sectorlights.domain.events import EventType
from sectorlights.engine.publisher import GridPublisher
from sectorlights.live.bus import MemoryEventBus
from sectorlights.live.delivery import DeliveryTracker
from sectorlights.settings import CacheSettings
from tests.conftest import SIM_NOW


@pytest.mark.parametrize(
    ("started_at", "offered", "waited_for", "returns"),
    [
        (None, [], 5, True),  # no hub: nobody waits
        (0, [], 1, False),
        (0, [1], 1, True),
        (0, [3], 2, True),  # offered in one batch with later ones
        (0, [1], 2, False),
        (7, [], 7, True),  # already out before the hub started
        (7, [], 8, False),
    ],
)
def test_a_wait_ends_exactly_when_its_seq_has_been_offered(
    started_at: int | None, offered: list[int], waited_for: int, returns: bool
) -> None:
    async def scenario() -> bool:
        tracker = DeliveryTracker()
        if started_at is not None:
            tracker.start(started_at)
        for seq in offered:
            tracker.offered(seq)
        try:
            await asyncio.wait_for(tracker.wait(waited_for), timeout=0.1)
        except TimeoutError:
            return False
        return True

    assert asyncio.run(scenario()) is returns


class Offering:
    """A hub stand-in: offers each published seq after `after_secs`, or never."""

    def __init__(self, bus: MemoryEventBus, tracker: DeliveryTracker, after_secs: float | None) -> None:
        self.bus, self.tracker, self.after_secs = bus, tracker, after_secs

    async def run(self) -> None:
        async with self.bus.subscribe() as events:
            async for event in events:
                if self.after_secs is not None:
                    await asyncio.sleep(self.after_secs)
                    self.tracker.offered(event.seq)


@pytest.mark.parametrize(
    ("after_secs", "waited_at_least_secs"),
    [(0.2, 0.2), (None, 0.3)],
    ids=["until the fan-out has offered it", "at most the bound when it never does"],
)
def test_the_analysis_thread_goes_on_once_its_update_is_out(
    after_secs: float | None, waited_at_least_secs: float
) -> None:
    async def scenario() -> tuple[float, list[Any]]:
        bus, tracker = MemoryEventBus(), DeliveryTracker()
        tracker.start(await bus.latest_seq())
        publisher = GridPublisher(None, None, bus, FrozenClock(SIM_NOW), CacheSettings(), tracker)  # type: ignore[arg-type]
        hub = asyncio.create_task(Offering(bus, tracker, after_secs).run())
        await asyncio.sleep(0.05)  # subscribed
        loop = asyncio.get_running_loop()
        offered_when_back: list[Any] = []

        def analysis_thread() -> float:
            started = time.monotonic()
            publisher.emit_from_thread(loop, EventType.ANALYSIS_PROGRESS, {"stage": "saving"}, wait_secs=0.3)
            offered_when_back.append(tracker._offered_seq)
            return time.monotonic() - started

        waited = await asyncio.to_thread(analysis_thread)
        hub.cancel()
        await bus.close()
        return waited, offered_when_back

    waited, offered = asyncio.run(scenario())
    assert waited >= waited_at_least_secs
    assert offered == [1 if after_secs is not None else 0]


def test_without_a_hub_the_thread_does_not_wait() -> None:
    async def scenario() -> float:
        bus = MemoryEventBus()
        publisher = GridPublisher(None, None, bus, FrozenClock(SIM_NOW), CacheSettings(), DeliveryTracker())  # type: ignore[arg-type]
        loop = asyncio.get_running_loop()

        def analysis_thread() -> float:
            started = time.monotonic()
            publisher.emit_from_thread(loop, EventType.ANALYSIS_PROGRESS, {"stage": "news"}, wait_secs=30)
            return time.monotonic() - started

        waited = await asyncio.to_thread(analysis_thread)
        await bus.close()
        return waited

    # Returns as soon as the update is published (the bound is 30 s).
    assert asyncio.run(scenario()) < 10
