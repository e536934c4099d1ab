"""LiveHub on the real in-process bus, with fake connections that record what they are sent."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from functools import partial
from typing import Any

import pytest

from sectorlights.core.clock import FrozenClock
from sectorlights.domain.events import Event, EventType
from sectorlights.live import hub as hub_module
from sectorlights.live.bus import MemoryEventBus
from sectorlights.live.delivery import DeliveryTracker
from sectorlights.live.hub import LiveHub
from tests.conftest import SIM_NOW

GRID = {"run_id": "run-1", "sectors": []}
UPDATE = EventType.SECTOR_UPDATE


class FakeConnection:
    """Records every message; with a `gate`, every send after the first `free_sends` waits for it."""

    def __init__(self, gate: asyncio.Event | None = None, free_sends: int = 0) -> None:
        self.gate = gate
        self.free_sends = free_sends
        self.messages: list[Event] = []
        self.received_at: list[float] = []
        self.sends_started = 0

    async def send_text(self, data: str) -> None:
        self.sends_started += 1
        if self.gate is not None and self.sends_started > self.free_sends:
            await self.gate.wait()
        self.messages.append(Event.from_json(data))
        self.received_at.append(time.monotonic())

    def of_type(self, *types: EventType) -> list[Event]:
        return [message for message in self.messages if message.type in types]

    @property
    def updates(self) -> list[Event]:
        """The replayable stream: everything but snapshots and heartbeats."""
        return [m for m in self.messages if m.type not in (EventType.SNAPSHOT, EventType.HEARTBEAT)]

    def last_update_is(self, seq: int) -> bool:
        updates = self.updates
        return bool(updates) and updates[-1].seq == seq

    def last_snapshot_is(self, seq: int) -> bool:
        last = self.messages[-1] if self.messages else None
        return last is not None and last.type == EventType.SNAPSHOT and last.seq == seq


async def wait_for(predicate: Callable[[], bool], within_secs: float = 2.0) -> None:
    deadline = time.monotonic() + within_secs
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.001)


async def publish(bus: MemoryEventBus, count: int, start: int = 0) -> list[Event]:
    return [await bus.publish(UPDATE, {"n": start + index}, SIM_NOW) for index in range(count)]


class Harness:
    def __init__(self, hub: LiveHub, bus: MemoryEventBus) -> None:
        self.hub = hub
        self.bus = bus
        self.tasks: list[asyncio.Task[None]] = []

    def connect(self, connection: FakeConnection, since: int | None = None) -> asyncio.Task[None]:
        task = asyncio.create_task(self.hub.serve(connection, since))
        self.tasks.append(task)
        return task

    async def subscribed(self) -> None:
        """Until the pump has entered its bus subscription (publishing before would miss it)."""
        await wait_for(lambda: bool(self.bus._subscriptions))


@contextlib.asynccontextmanager
async def running_hub(
    bus: MemoryEventBus | None = None,
    heartbeat_secs: float = 60.0,
    client_queue_size: int = 256,
    snapshot: Callable[[], Any] | None = None,
    observe_delivery: Callable[[float], None] | None = None,
    delivery: DeliveryTracker | None = None,
) -> AsyncIterator[Harness]:
    bus = bus or MemoryEventBus()

    async def grid() -> dict[str, Any] | None:
        return GRID

    hub = LiveHub(
        bus,
        snapshot or grid,
        FrozenClock(SIM_NOW),
        heartbeat_secs=heartbeat_secs,
        client_queue_size=client_queue_size,
        observe_delivery=observe_delivery,
        delivery=delivery,
    )
    harness = Harness(hub, bus)
    await hub.start()
    try:
        await harness.subscribed()
        yield harness
    finally:
        for task in harness.tasks:
            task.cancel()
        for task in harness.tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await hub.stop()
        await bus.close()


def assert_consecutive(events: list[Event], first: int, last: int) -> None:
    assert [event.seq for event in events] == list(range(first, last + 1))


async def test_snapshot_on_connect_carries_the_latest_seq() -> None:
    bus = MemoryEventBus()
    await publish(bus, 3)
    async with running_hub(bus) as harness:
        connection = FakeConnection()
        harness.connect(connection)
        await wait_for(lambda: len(connection.messages) == 1)
        (snapshot,) = connection.messages
        assert snapshot.type == EventType.SNAPSHOT
        assert snapshot.seq == 3 == await bus.latest_seq()
        assert snapshot.payload == {"grid": GRID, "moves": []}
        assert harness.hub.client_count == 1

        # Then the live stream, starting right after the snapshot.
        await publish(bus, 2)
        await wait_for(lambda: len(connection.updates) == 2)
        assert_consecutive(connection.updates, 4, 5)


def move(symbol: str, change_pct: float = -20.0) -> dict[str, Any]:
    return {"symbol": symbol, "change_pct": change_pct, "sector": "technology", "direction": "down"}


async def test_snapshot_carries_the_recent_significant_moves_newest_first() -> None:
    bus = MemoryEventBus()
    # Published before the hub started (another replica, or before a restart): still shown.
    await bus.publish(
        EventType.SIGNIFICANT_MOVE, move("OLD"), SIM_NOW - timedelta(seconds=hub_module.RECENT_MOVES_SECS + 1)
    )
    await bus.publish(EventType.SIGNIFICANT_MOVE, move("EARLY"), SIM_NOW - timedelta(minutes=5))
    await publish(bus, 2)
    async with running_hub(bus) as harness:
        for index in range(hub_module.RECENT_MOVES + 1):
            await bus.publish(EventType.SIGNIFICANT_MOVE, move(f"M{index}"), SIM_NOW)
        await bus.publish(EventType.SIGNIFICANT_MOVE, move("LATER"), SIM_NOW + timedelta(seconds=1))
        await wait_for(lambda: harness.hub.latest_seq == 4 + hub_module.RECENT_MOVES + 2)
        connection = FakeConnection()
        harness.connect(connection)
        await wait_for(lambda: len(connection.messages) == 1)
        moves = connection.messages[0].payload["moves"]
    symbols = [entry["symbol"] for entry in moves]
    # At most RECENT_MOVES (of equal size, the newest), newest first; too old (or not yet, by the
    # service clock) left out.
    assert symbols == [f"M{index}" for index in range(hub_module.RECENT_MOVES, 0, -1)]
    assert moves[0] == {"ts": SIM_NOW.isoformat(), **move(f"M{hub_module.RECENT_MOVES}")}


@pytest.mark.parametrize(
    ("burst", "kept"),
    [
        # A sharp open: more moves at once than a snapshot carries, published largest first (as
        # detect_moves orders them); the snapshot keeps the largest, not the last published.
        (hub_module.RECENT_MOVES + 12, hub_module.RECENT_MOVES),
        # The overnight_gaps case: 22 moves, every one of them carried.
        (22, 22),
    ],
)
async def test_snapshot_keeps_the_largest_moves_of_a_burst(burst: int, kept: int) -> None:
    bus = MemoryEventBus()
    sizes = [40.0 - index * 0.1 for index in range(burst)]
    async with running_hub(bus) as harness:
        for index, size in enumerate(sizes):
            await bus.publish(EventType.SIGNIFICANT_MOVE, move(f"M{index}", size), SIM_NOW)
        await wait_for(lambda: harness.hub.latest_seq == burst)
        moves = harness.hub.recent_moves()
    assert len(moves) == kept
    assert max(abs(entry["change_pct"]) for entry in moves) == sizes[0]
    assert sorted(entry["symbol"] for entry in moves) == sorted(f"M{index}" for index in range(kept))


async def test_every_live_delivery_is_timed_but_not_catch_up_or_heartbeats() -> None:
    bus = MemoryEventBus()
    await publish(bus, 2)
    timed: list[float] = []
    async with running_hub(bus, heartbeat_secs=0.01, observe_delivery=timed.append) as harness:
        first, second = FakeConnection(), FakeConnection()
        harness.connect(first, since=0)  # catch-up of the two published before: not timed
        harness.connect(second)
        await wait_for(lambda: len(first.updates) == 2 and len(second.messages) >= 1)
        await publish(bus, 3, start=2)
        await wait_for(lambda: len(first.updates) == 5 and len(second.updates) == 3)
        await wait_for(lambda: bool(first.of_type(EventType.HEARTBEAT)))
    assert len(timed) == 6  # 3 live events x 2 clients
    assert all(0 <= secs < 1 for secs in timed)


async def test_recent_moves_within_the_window_survive_a_hub_restart() -> None:
    bus = MemoryEventBus()
    await bus.publish(
        EventType.SIGNIFICANT_MOVE, move("OLD"), SIM_NOW - timedelta(seconds=hub_module.RECENT_MOVES_SECS + 1)
    )
    await bus.publish(EventType.SIGNIFICANT_MOVE, move("EARLY", 18.0), SIM_NOW - timedelta(minutes=5))
    await publish(bus, 2)
    async with running_hub(bus) as harness:
        assert [entry["symbol"] for entry in harness.hub.recent_moves()] == ["EARLY"]


async def test_snapshot_seq_counts_events_published_after_the_hub_started() -> None:
    async with running_hub() as harness:
        await publish(harness.bus, 4)
        connection = FakeConnection()
        harness.connect(connection)
        await wait_for(lambda: len(connection.messages) == 1)
        assert connection.messages[0].type == EventType.SNAPSHOT
        assert connection.messages[0].seq == 4


async def test_since_replays_exactly_the_missed_events_without_a_snapshot() -> None:
    bus = MemoryEventBus()
    published = await publish(bus, 6)
    async with running_hub(bus) as harness:
        connection = FakeConnection()
        harness.connect(connection, since=2)
        await wait_for(lambda: len(connection.messages) == 4)
        assert not connection.of_type(EventType.SNAPSHOT)
        assert connection.messages == published[2:]

        await publish(bus, 1)
        await wait_for(lambda: len(connection.messages) == 5)
        assert_consecutive(connection.messages, 3, 7)
        assert not connection.of_type(EventType.SNAPSHOT)


async def test_since_at_the_latest_seq_sends_nothing_until_the_next_event() -> None:
    bus = MemoryEventBus()
    await publish(bus, 3)
    async with running_hub(bus) as harness:
        connection = FakeConnection()
        harness.connect(connection, since=3)
        await asyncio.sleep(0.05)
        assert connection.messages == []
        await publish(bus, 1)
        await wait_for(lambda: len(connection.messages) == 1)
        assert_consecutive(connection.messages, 4, 4)


async def test_since_from_before_a_restart_gets_a_snapshot_and_the_new_numbering() -> None:
    """The embedded server restarted: its new bus counts from 1 again, below the page's last seq."""
    bus = MemoryEventBus()
    await publish(bus, 3)
    async with running_hub(bus) as harness:
        connection = FakeConnection()
        harness.connect(connection, since=50)
        await wait_for(lambda: len(connection.messages) == 1)
        (snapshot,) = connection.messages
        assert snapshot.type == EventType.SNAPSHOT and snapshot.seq == 3
        await publish(bus, 1)
        await wait_for(lambda: len(connection.messages) == 2)
        assert connection.messages[1].seq == 4


class PublishingDuringSinceBus(MemoryEventBus):
    """Publishes `count` events while `since` is being read (after the client registered), as
    another replica would: they reach the client's queue *and* the catch-up."""

    def __init__(self, count: int) -> None:
        super().__init__()
        self.count = count
        self.clients_reading = False

    async def since(self, seq: int) -> list[Event] | None:
        if not self.clients_reading:  # the hub's own look-back for recent moves, at start-up
            self.clients_reading = True
            return await super().since(seq)
        for index in range(self.count):
            await self.publish(UPDATE, {"during_since": index}, SIM_NOW)
            await asyncio.sleep(0)  # the pump queues it for the client
        await asyncio.sleep(0.01)
        return await super().since(seq)


async def test_events_arriving_during_the_catch_up_are_not_duplicated() -> None:
    bus = PublishingDuringSinceBus(count=3)
    await publish(bus, 5)
    async with running_hub(bus) as harness:
        # Events published while the missed ones are being sent, too.
        while_sending = asyncio.Event()

        class Publishing(FakeConnection):
            async def send_text(self, data: str) -> None:
                await super().send_text(data)
                if len(self.messages) == 2:
                    while_sending.set()

        connection = Publishing()
        harness.connect(connection, since=1)
        await while_sending.wait()
        await publish(bus, 2, start=100)
        await wait_for(lambda: len(connection.messages) >= 9)
        await asyncio.sleep(0.05)  # any duplicate would have arrived by now
        # 2..5 missed, 6..8 during since(), 9..10 during the catch-up: each once, in order.
        assert_consecutive(connection.messages, 2, 10)
        assert not connection.of_type(EventType.SNAPSHOT)


async def test_since_behind_the_history_gets_a_snapshot() -> None:
    bus = MemoryEventBus(history_size=5)
    await publish(bus, 10)
    assert await bus.since(2) is None
    async with running_hub(bus) as harness:
        connection = FakeConnection()
        harness.connect(connection, since=2)
        await wait_for(lambda: len(connection.messages) == 1)
        (snapshot,) = connection.messages
        assert snapshot.type == EventType.SNAPSHOT
        assert snapshot.seq == 10

        await publish(bus, 1)
        await wait_for(lambda: len(connection.messages) == 2)
        assert connection.messages[1].seq == 11


async def test_heartbeat_at_the_configured_interval() -> None:
    interval = 0.05
    async with running_hub(heartbeat_secs=interval) as harness:
        await publish(harness.bus, 2)
        connection = FakeConnection()
        harness.connect(connection)
        started = time.monotonic()
        await wait_for(lambda: len(connection.of_type(EventType.HEARTBEAT)) >= 4, within_secs=5)
        beats = connection.of_type(EventType.HEARTBEAT)
        times = [
            at
            for at, message in zip(connection.received_at, connection.messages, strict=True)
            if message.type == EventType.HEARTBEAT
        ]
        # About one per interval: not a burst, not much slower.
        assert times[0] - started < interval * 4
        gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
        assert all(gap > interval * 0.5 for gap in gaps), gaps
        assert sum(gaps) / len(gaps) < interval * 3, gaps
        assert all(beat.seq == 2 for beat in beats)
        assert beats[0].payload == {"clients": 1, "latest_seq": 2}
        assert beats[0].ts == SIM_NOW


async def test_a_blocked_client_neither_stalls_the_others_nor_grows_its_queue() -> None:
    queue_size = 8
    total = queue_size * 25
    async with running_hub(client_queue_size=queue_size) as harness:
        gate = asyncio.Event()  # never set until the end of the test
        slow = FakeConnection(gate, free_sends=1)  # the snapshot goes through, then it blocks
        fast = FakeConnection()
        harness.connect(slow)
        harness.connect(fast)
        await wait_for(lambda: len(fast.messages) == 1 and len(slow.messages) == 1)
        clients = list(harness.hub._clients)
        assert len(clients) == 2

        latencies: list[float] = []
        queued: list[int] = []
        for index in range(total):
            event = await harness.bus.publish(UPDATE, {"n": index}, SIM_NOW)
            published = time.monotonic()
            await wait_for(partial(fast.last_update_is, event.seq))
            latencies.append(fast.received_at[-1] - published)
            queued.append(max(client.queue.qsize() for client in clients))

        assert_consecutive(fast.updates, 1, total)
        assert not fast.of_type(EventType.SNAPSHOT)[1:]  # only the one on connect
        assert max(latencies) < 0.5
        assert 0 < max(queued) <= queue_size
        # The slow one is stuck in its second send (event 1); its queue overflowed and was dropped.
        assert len(slow.messages) == 1
        assert slow.sends_started == 2
        slow_client = next(c for c in clients if c.resync)
        assert slow_client.queue.qsize() == 0
        assert not any(c.resync for c in clients if c is not slow_client)

        gate.set()
        await wait_for(lambda: len(slow.messages) >= 3)
        in_flight, resync = slow.messages[1:3]
        assert in_flight.seq == 1  # the send it was blocked in completes
        assert resync.type == EventType.SNAPSHOT
        assert resync.seq == total

        await publish(harness.bus, 3, start=total)
        await wait_for(lambda: len(slow.messages) == 6 and len(fast.updates) == total + 3)
        assert_consecutive(slow.messages[3:], total + 1, total + 3)
        assert_consecutive(fast.updates, 1, total + 3)


async def test_the_pump_survives_a_lagged_subscription(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hub_module, "RESUBSCRIBE_DELAY_SECS", 0.01)
    # The pump may be 2 events behind at most; publishing 5 without yielding makes it lag.
    bus = MemoryEventBus(history_size=100, subscriber_buffer=2)
    async with running_hub(bus) as harness:
        first, second = FakeConnection(), FakeConnection()
        harness.connect(first)
        harness.connect(second, since=0)
        await wait_for(lambda: len(first.messages) == 1)
        assert first.messages[0].type == EventType.SNAPSHOT
        assert second.messages == []  # since=0 on an empty bus: nothing to replay

        for index in range(5):
            await bus.publish(UPDATE, {"n": index}, SIM_NOW)
        for connection in (first, second):
            await wait_for(partial(connection.last_snapshot_is, 5))
            assert not connection.updates  # the lost events are covered by the snapshot

        # Subscribed again: the stream carries on.
        await harness.subscribed()
        await publish(bus, 2)
        for connection in (first, second):
            await wait_for(partial(connection.last_update_is, 7))
            assert_consecutive(connection.updates, 6, 7)


async def test_events_published_while_the_pump_resubscribes_are_covered_by_the_snapshot(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The pump lags, and more events are published before it has subscribed again: the clients'
    resync snapshot is taken only after the new subscription, so it covers them (no seq is lost
    between the snapshot and the live stream)."""
    monkeypatch.setattr(hub_module, "RESUBSCRIBE_DELAY_SECS", 0.2)
    bus = MemoryEventBus(history_size=100, subscriber_buffer=2)
    async with running_hub(bus) as harness:
        client = FakeConnection()
        harness.connect(client)
        await wait_for(lambda: len(client.messages) == 1)
        await publish(bus, 5)  # without yielding: the pump's subscription lags and ends
        await wait_for(lambda: not bus._subscriptions)
        await publish(bus, 3, start=5)  # seq 6-8, while nobody is subscribed
        await harness.subscribed()
        await wait_for(
            lambda: client.messages[-1].type == EventType.SNAPSHOT and client.messages[-1].seq >= 8
        )
        await publish(bus, 1, start=8)
        await wait_for(partial(client.last_update_is, 9))
        after_snapshot = client.messages[
            max(i for i, m in enumerate(client.messages) if m.type == EventType.SNAPSHOT) + 1 :
        ]
        assert [m.seq for m in after_snapshot] == [9]


async def test_a_wait_for_an_event_ends_once_the_fan_out_has_offered_it_to_every_client() -> None:
    delivery = DeliveryTracker()
    async with running_hub(delivery=delivery) as harness:
        clients = [FakeConnection() for _ in range(3)]
        for client in clients:
            harness.connect(client)
        await wait_for(lambda: harness.hub.client_count == 3)
        [event] = await publish(harness.bus, 1)
        await asyncio.wait_for(delivery.wait(event.seq), timeout=5)
        for client in clients:
            await wait_for(lambda client=client: event.seq in [message.seq for message in client.messages])
        # One not published yet keeps its waiter waiting.
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(delivery.wait(event.seq + 1), timeout=0.2)
    # A stopped hub keeps no one waiting.
    await asyncio.wait_for(delivery.wait(event.seq + 10), timeout=5)
