"""One event-bus contract, run against the in-process bus and Redis Streams."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import subprocess
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
import redis

from sectorlights.cache.base import CacheError
from sectorlights.domain.events import Event, EventType
from sectorlights.live.bus import (
    EventBus,
    MemoryEventBus,
    RedisEventBus,
    SubscriberLaggedError,
    create_event_bus,
)
from tests.services import free_port, redis_server_process, throwaway_redis_server

TS = datetime(2026, 11, 24, 11, 37, tzinfo=UTC)
WAIT_SECS = 10.0


@dataclass
class Buses:
    """Buses of one kind sharing one backing store: for memory there is only the one instance (a
    process has one in-process bus); for Redis every call makes another client on the same server."""

    kind: str
    make: Callable[..., EventBus]
    opened: list[EventBus] = field(default_factory=list)

    def new(self, **options: object) -> EventBus:
        bus = self.make(**options)
        self.opened.append(bus)
        return bus

    def peer(self, bus: EventBus) -> EventBus:
        """Another process's view of `bus`."""
        if self.kind == "memory":
            return bus
        assert isinstance(bus, RedisEventBus)
        return self.new(history_size=bus.history_size)


@pytest.fixture(params=["memory", "redis"])
async def buses(request: pytest.FixtureRequest) -> AsyncIterator[Buses]:
    if request.param == "memory":
        made = Buses("memory", MemoryEventBus)
    else:
        url = request.getfixturevalue("redis_url")
        redis.Redis.from_url(url).flushdb()
        made = Buses("redis", lambda **options: RedisEventBus(url, **options))
    yield made
    for bus in made.opened:
        await bus.close()


@pytest.fixture
def bus(buses: Buses) -> EventBus:
    return buses.new()


async def collect(events: AsyncIterator[Event], count: int) -> list[Event]:
    async def take() -> list[Event]:
        received: list[Event] = []
        async for event in events:
            received.append(event)
            if len(received) == count:
                break
        return received

    return await asyncio.wait_for(take(), WAIT_SECS)


async def publish_many(bus: EventBus, count: int, label: str = "") -> list[Event]:
    return [
        await bus.publish(EventType.SECTOR_UPDATE, {"n": n, "by": label}, TS + timedelta(seconds=n))
        for n in range(count)
    ]


async def test_empty_bus(bus: EventBus) -> None:
    assert await bus.latest_seq() == 0
    assert await bus.since(0) == []
    assert await bus.since(7) is None  # ahead of an empty bus: from before a reset
    assert bus.history_size == 1000


async def test_seq_rises_from_one_without_gaps(bus: EventBus) -> None:
    payload = {"sector": "technology", "score": 0.62, "nested": {"list": [1, 2.5, None]}}
    first = await bus.publish(EventType.SECTOR_UPDATE, payload, TS)
    assert first == Event(EventType.SECTOR_UPDATE, 1, TS, payload)
    rest = await publish_many(bus, 9)
    assert [event.seq for event in rest] == list(range(2, 11))
    assert await bus.latest_seq() == 10


async def test_since_replays_in_order(bus: EventBus) -> None:
    published = await publish_many(bus, 6)
    assert await bus.since(0) == published
    assert await bus.since(-5) == published
    assert await bus.since(3) == published[3:]
    assert await bus.since(5) == published[5:]
    assert await bus.since(6) == []


async def test_since_beyond_the_latest_is_none(bus: EventBus) -> None:
    """A seq the bus never reached comes from before a reset (a restarted in-process bus, an emptied
    Redis): it means nothing here, so the client must be sent a snapshot."""
    assert await bus.since(3) is None
    await publish_many(bus, 2)
    assert await bus.since(2) == []
    assert await bus.since(3) is None
    assert await bus.since(600) is None


async def test_since_is_none_when_history_no_longer_reaches_back(buses: Buses) -> None:
    bus = buses.new(history_size=5)
    published = await publish_many(bus, 12)
    assert await bus.since(7) == published[7:]
    assert await bus.since(11) == published[11:]
    assert await bus.since(12) == []
    assert await bus.since(6) is None
    assert await bus.since(0) is None
    assert await buses.peer(bus).since(6) is None


async def test_published_payload_is_a_copy(bus: EventBus) -> None:
    payload: dict[str, object] = {"symbols": ["SOUN"]}
    event = await bus.publish(EventType.TOP_STOCKS_CHANGE, payload, TS)
    payload["symbols"] = ["BBAI"]
    event.payload["symbols"].append("PATH")
    replay = await bus.since(0)
    assert replay is not None and replay[0].payload == {"symbols": ["SOUN"]}


async def test_event_types_and_timestamps_round_trip(bus: EventBus) -> None:
    offset_ts = datetime.fromisoformat("2026-11-24T06:37:00.123456-05:00")
    for event_type in EventType:
        await bus.publish(event_type, {"type": event_type.value}, offset_ts)
    replay = await bus.since(0)
    assert replay is not None
    assert [event.type for event in replay] == list(EventType)
    assert all(event.ts == offset_ts and event.ts.utcoffset() == offset_ts.utcoffset() for event in replay)


async def test_subscriber_gets_events_published_after_subscribing(bus: EventBus) -> None:
    await publish_many(bus, 2, "before")
    async with bus.subscribe() as events:
        published = await publish_many(bus, 3, "after")
        assert await collect(events, 3) == published
    assert [event.seq for event in published] == [3, 4, 5]


async def test_subscriber_receives_events_from_another_instance(buses: Buses) -> None:
    listener = buses.new()
    publisher = buses.peer(listener)
    async with listener.subscribe() as events:
        published = await publish_many(publisher, 4, "peer")
        assert await collect(events, 4) == published
    assert await listener.latest_seq() == 4
    assert await listener.since(2) == published[2:]


async def test_two_subscribers_both_receive_everything(bus: EventBus) -> None:
    async with bus.subscribe() as first, bus.subscribe() as second:
        published = await publish_many(bus, 5)
        received = await asyncio.gather(collect(first, 5), collect(second, 5))
    assert list(received) == [published, published]


async def test_concurrent_publishers_are_seen_in_seq_order(buses: Buses) -> None:
    listener = buses.new()
    publishers = [buses.peer(listener), buses.peer(listener)]
    per_publisher = 40
    total = per_publisher * len(publishers)

    async def interleaved(bus: EventBus, label: str) -> list[Event]:
        sent: list[Event] = []
        for n in range(per_publisher):
            sent.append(await bus.publish(EventType.SIGNIFICANT_MOVE, {"n": n, "by": label}, TS))
            await asyncio.sleep(0)
        return sent

    async with listener.subscribe() as events:
        receiving = asyncio.create_task(collect(events, total))
        sent = await asyncio.gather(*(interleaved(bus, f"p{i}") for i, bus in enumerate(publishers)))
        received = await receiving

    assert [event.seq for event in received] == list(range(1, total + 1))
    assert sorted((e.seq, e.payload["by"]) for batch in sent for e in batch) == [
        (e.seq, e.payload["by"]) for e in received
    ]
    for batch in sent:  # each publisher's own events keep its order
        mine = [e for e in received if e.payload["by"] == batch[0].payload["by"]]
        assert [e.payload["n"] for e in mine] == list(range(per_publisher))
    assert await listener.since(0) == received


async def test_close_ends_subscriptions(buses: Buses) -> None:
    bus = buses.make()
    async with bus.subscribe() as events:
        await bus.publish(EventType.HEARTBEAT, {}, TS)

        async def drain() -> list[Event]:
            return [event async for event in events]

        draining = asyncio.create_task(drain())
        await asyncio.sleep(0.1)
        await bus.close()
        received = await asyncio.wait_for(draining, WAIT_SECS)
    assert [event.seq for event in received] == [1]


async def test_leaving_the_subscription_stops_delivery(bus: EventBus) -> None:
    async with bus.subscribe() as events:
        pass
    await publish_many(bus, 2)
    assert [event async for event in events] == []


# --- implementation specifics ---


async def test_memory_subscriber_that_falls_behind_is_told() -> None:
    bus = MemoryEventBus(history_size=100, subscriber_buffer=3)
    async with bus.subscribe() as events:
        await publish_many(bus, 4)
        with pytest.raises(SubscriberLaggedError):
            await anext(events)
    async with bus.subscribe() as events:
        published = await publish_many(bus, 3)
        assert await collect(events, 3) == published


async def test_redis_subscriber_whose_entries_were_trimmed_is_told(redis_url: str) -> None:
    redis.Redis.from_url(redis_url).flushdb()
    bus = RedisEventBus(redis_url, read_count=1)
    try:
        async with bus.subscribe() as events:
            await publish_many(bus, 3)
            assert (await anext(events)).seq == 1
            await bus.client.xtrim(bus.stream_key, maxlen=1, approximate=False)
            with pytest.raises(SubscriberLaggedError, match="from seq 1 to 3"):
                await anext(events)
    finally:
        await bus.close()


async def test_redis_layout_and_lost_counter(redis_url: str) -> None:
    redis.Redis.from_url(redis_url).flushdb()
    bus = RedisEventBus(redis_url, stream_key="test:events")
    try:
        await bus.publish(EventType.SECTOR_UPDATE, {"sector": "energy"}, TS)
        entries = await bus.client.xrange("test:events")
        assert entries == [
            (
                "1-0",
                {"seq": "1", "type": "sector_update", "ts": TS.isoformat(), "payload": '{"sector":"energy"}'},
            )
        ]
        assert await bus.client.get("test:events:seq") == "1"
        await bus.client.delete("test:events:seq")  # evicted: numbering resumes from the stream
        assert (await bus.publish(EventType.HEARTBEAT, {}, TS)).seq == 2
        assert await bus.latest_seq() == 2
    finally:
        await bus.close()


async def test_redis_history_is_trimmed_approximately(redis_url: str) -> None:
    redis.Redis.from_url(redis_url).flushdb()
    bus = RedisEventBus(redis_url, history_size=10)
    try:
        for n in range(600):
            await bus.publish(EventType.HEARTBEAT, {"n": n}, TS)
        length = await bus.client.xlen(bus.stream_key)
        assert 10 <= length < 600
        replay = await bus.since(590)
        assert replay is not None and [event.seq for event in replay] == list(range(591, 601))
        assert await bus.since(589) is None
    finally:
        await bus.close()


async def test_unreachable_redis_raises_cache_error() -> None:
    bus = RedisEventBus(f"redis://127.0.0.1:{free_port()}/0", block_ms=200, socket_timeout_secs=0.5)
    with pytest.raises(CacheError, match="XADD"):
        await bus.publish(EventType.HEARTBEAT, {}, TS)
    with pytest.raises(CacheError, match="XRANGE"):
        await bus.since(0)
    with pytest.raises(CacheError, match="XREVRANGE"):
        await bus.latest_seq()
    with pytest.raises(CacheError):
        async with bus.subscribe():
            pass
    await bus.close()


async def test_stopped_redis_ends_a_waiting_subscriber_with_cache_error() -> None:
    with throwaway_redis_server() as url:
        bus = RedisEventBus(url, block_ms=300, socket_timeout_secs=1.0)
        try:
            async with bus.subscribe() as events:
                published = await bus.publish(EventType.HEARTBEAT, {}, TS)
                assert await anext(events) == published

                async def next_event() -> Event:
                    return await anext(events)

                waiting = asyncio.create_task(next_event())
                await asyncio.sleep(0.5)
                assert not waiting.done()
                with contextlib.suppress(redis.exceptions.ConnectionError):
                    redis.Redis.from_url(url).shutdown(nosave=True)
                with pytest.raises(CacheError, match="XREAD"):
                    await asyncio.wait_for(waiting, 30)
            with pytest.raises(CacheError, match="XADD"):
                await bus.publish(EventType.HEARTBEAT, {}, TS)
        finally:
            await bus.close()


def test_factory_picks_the_implementation() -> None:
    assert isinstance(create_event_bus(None), MemoryEventBus)
    assert isinstance(create_event_bus(""), MemoryEventBus)
    redis_bus = create_event_bus("redis://127.0.0.1:6399/0", history_size=50)
    assert isinstance(redis_bus, RedisEventBus)
    assert redis_bus.history_size == 50
    assert redis_bus.stream_key == "events:stream"


@pytest.fixture
def own_redis_process() -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A redis-server of this test's own, so it can be frozen; yields its URL and process."""
    with redis_server_process() as server:
        yield server


async def test_frozen_redis_does_not_hang_a_subscriber(
    own_redis_process: tuple[str, subprocess.Popen[bytes]],
) -> None:
    url, process = own_redis_process
    bus = RedisEventBus(url, block_ms=200, socket_timeout_secs=0.5)
    try:
        async with bus.subscribe() as events:
            process.send_signal(signal.SIGSTOP)  # alive but silent, like a network partition
            with pytest.raises(CacheError, match="XREAD"):
                await asyncio.wait_for(anext(events), 30)
    finally:
        process.send_signal(signal.SIGCONT)
        await bus.close()
