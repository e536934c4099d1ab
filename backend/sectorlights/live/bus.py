"""The event bus: gives every published event the next `seq`, keeps a bounded history for replay and
fans events out to subscribers - in one process (`MemoryEventBus`) or across replicas sharing one Redis
(`RedisEventBus`, on a Redis Stream).

Subscribing is an async context manager, so the subscription point is fixed when the `async with` is
entered (an async generator would only subscribe at its first `__anext__`, racing with publishers):

    async with bus.subscribe() as events:
        async for event in events:
            ...

The iterator yields every event published after the `async with` was entered, by any process, in `seq`
order. It ends when the bus is closed. A subscriber that falls so far behind that events were dropped
gets `SubscriberLaggedError` (it should then send a fresh snapshot and subscribe again); the Redis bus raises
`CacheError` when Redis cannot be reached, within about `block_ms` + the socket timeout.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime
from typing import Any, Protocol, cast

from redis.exceptions import RedisError

from sectorlights.cache.base import CacheError
from sectorlights.cache.redis import redis_client
from sectorlights.config.live import EVENT_HISTORY_SIZE
from sectorlights.domain.events import Event, EventType

DEFAULT_STREAM_KEY = "events:stream"


class SubscriberLaggedError(RuntimeError):
    """A subscriber fell so far behind that events it had not read were dropped."""


class EventBus(Protocol):
    """Sequenced events with a bounded replay history and live fan-out."""

    backend: str
    history_size: int

    async def publish(self, type: EventType, payload: dict[str, Any], ts: datetime) -> Event:
        """Give the event the next `seq` (1, 2, 3, ... without gaps, shared by every process on the same
        bus) and append it to the history. `payload` must be JSON-serialisable; the returned event (and
        every copy subscribers receive) holds a JSON round-tripped copy of it."""
        ...

    async def since(self, seq: int) -> list[Event] | None:
        """The events with a seq above `seq`, oldest first; [] when `seq` is the latest; None when the
        history no longer reaches back to `seq` + 1, or when `seq` is beyond the latest (the bus was
        reset: an in-process bus restarted, or Redis emptied, so the caller's seq means nothing here);
        the caller then sends a snapshot."""
        ...

    async def latest_seq(self) -> int:
        """The seq of the last published event; 0 when nothing was published."""
        ...

    def subscribe(self) -> AbstractAsyncContextManager[AsyncIterator[Event]]:
        """An async context manager giving an iterator over the events published after entering it."""
        ...

    async def close(self) -> None:
        """End every subscription and release the connection."""
        ...


def _copy_payload(payload: dict[str, Any]) -> dict[str, Any]:
    copied: dict[str, Any] = json.loads(json.dumps(payload, separators=(",", ":")))
    return copied


class _MemorySubscription:
    """One subscriber's buffer; `limit` unread events at most before it counts as lagged."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._pending: deque[Event] = deque()
        self._wakeup = asyncio.Event()
        self._lagged = False
        self._closed = False

    def deliver(self, event: Event) -> None:
        if self._lagged or self._closed:
            return
        if len(self._pending) >= self._limit:
            self._lagged = True
            self._pending.clear()
        else:
            self._pending.append(event)
        self._wakeup.set()

    def close(self) -> None:
        self._closed = True
        self._wakeup.set()

    def __aiter__(self) -> _MemorySubscription:
        return self

    async def __anext__(self) -> Event:
        while True:
            if self._lagged:
                raise SubscriberLaggedError(f"subscriber fell more than {self._limit} events behind")
            if self._pending:
                return self._pending.popleft()
            if self._closed:
                raise StopAsyncIteration
            self._wakeup.clear()
            await self._wakeup.wait()


class MemoryEventBus:
    """The embedded default: a deque of the last `history_size` events and an in-process fan-out.

    A subscriber may have up to `subscriber_buffer` (default `history_size`) unread events before it
    gets `SubscriberLaggedError`."""

    backend = "memory"

    def __init__(self, history_size: int = EVENT_HISTORY_SIZE, subscriber_buffer: int | None = None) -> None:
        if history_size < 1:
            raise ValueError("history_size must be at least 1")
        self.history_size = history_size
        self._subscriber_buffer = subscriber_buffer or history_size
        self._history: deque[Event] = deque(maxlen=history_size)
        self._seq = 0
        self._subscriptions: set[_MemorySubscription] = set()

    async def publish(self, type: EventType, payload: dict[str, Any], ts: datetime) -> Event:
        copied = _copy_payload(payload)
        # No await from here on: numbering, history and fan-out happen as one step.
        self._seq += 1
        event = Event(type=EventType(type), seq=self._seq, ts=ts, payload=copied)
        self._history.append(event)
        for subscription in self._subscriptions:
            subscription.deliver(Event(event.type, event.seq, event.ts, _copy_payload(copied)))
        return Event(event.type, event.seq, event.ts, _copy_payload(copied))

    async def since(self, seq: int) -> list[Event] | None:
        seq = max(seq, 0)
        if seq > self._seq:
            return None
        if seq == self._seq:
            return []
        oldest = self._history[0].seq if self._history else self._seq + 1
        if seq + 1 < oldest:
            return None
        return [
            Event(event.type, event.seq, event.ts, _copy_payload(event.payload))
            for event in self._history
            if event.seq > seq
        ]

    async def latest_seq(self) -> int:
        return self._seq

    @asynccontextmanager
    async def subscribe(self) -> AsyncIterator[AsyncIterator[Event]]:
        subscription = _MemorySubscription(self._subscriber_buffer)
        self._subscriptions.add(subscription)
        try:
            yield subscription
        finally:
            self._subscriptions.discard(subscription)
            subscription.close()

    async def close(self) -> None:
        for subscription in list(self._subscriptions):
            subscription.close()
        self._subscriptions.clear()


# KEYS[1] stream, KEYS[2] seq counter; ARGV: approximate max length, type, ts, payload.
# The entry id is "<seq>-0", so stream order is seq order and since() can range by seq directly. When
# the counter is missing but the stream is not (evicted or deleted by hand), it resumes from the stream.
_PUBLISH_SCRIPT = """
if redis.call('EXISTS', KEYS[2]) == 0 then
  local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
  if #last > 0 then
    local top = string.match(last[1][1], '^(%d+)-')
    redis.call('SET', KEYS[2], top)
  end
end
local seq = redis.call('INCR', KEYS[2])
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], seq .. '-0',
  'seq', seq, 'type', ARGV[2], 'ts', ARGV[3], 'payload', ARGV[4])
return seq
"""


# XREAD's RESP2 reply: [[stream, [[entry id, {field: value}], ...]]], or None after the block timed out.
_XreadReply = list[tuple[str, list[tuple[str, dict[str, str]]]]] | None


def _entry_seq(entry_id: str) -> int:
    return int(entry_id.split("-", 1)[0])


def _decode_entry(fields: dict[str, str]) -> Event:
    return Event(
        type=EventType(fields["type"]),
        seq=int(fields["seq"]),
        ts=datetime.fromisoformat(fields["ts"]),
        payload=json.loads(fields["payload"]),
    )


class _RedisSubscription:
    """Reads the stream from the id current at subscription with XREAD BLOCK `block_ms` in a loop, so
    a dead Redis surfaces as CacheError instead of a hang."""

    def __init__(self, bus: RedisEventBus, after_seq: int) -> None:
        self._bus = bus
        self._last_seq = after_seq
        self._buffered: deque[Event] = deque()
        self.closed = False

    def __aiter__(self) -> _RedisSubscription:
        return self

    async def __anext__(self) -> Event:
        while not self._buffered:
            if self.closed or self._bus.closed:
                raise StopAsyncIteration
            await self._read()
        event = self._buffered.popleft()
        self._last_seq = event.seq
        return event

    async def _read(self) -> None:
        bus = self._bus
        try:
            reply = cast(
                _XreadReply,
                await bus.client.xread(
                    {bus.stream_key: f"{self._last_seq}-0"}, count=bus.read_count, block=bus.block_ms
                ),
            )
        except RedisError as error:
            if self.closed or bus.closed:
                return
            raise CacheError(f"redis XREAD {bus.stream_key}: {error}") from error
        expected = self._last_seq + 1
        for _key, entries in reply or []:
            for entry_id, fields in entries:
                event = _decode_entry(fields)
                if event.seq != expected or _entry_seq(entry_id) != event.seq:
                    raise SubscriberLaggedError(
                        f"stream {bus.stream_key} went from seq {expected - 1} to {event.seq}: "
                        "entries were trimmed before this subscriber read them"
                    )
                self._buffered.append(event)
                expected += 1


class RedisEventBus:
    """Events on a Redis Stream shared by every replica.

    `publish` runs one Lua script that INCRs `<stream_key>:seq` and XADDs the entry with id `<seq>-0`
    and fields {seq, type, ts, payload} (MAXLEN ~ `history_size`), so the numbering is gap-free and the
    stream order is the seq order across replicas. `since` reads the counter and an XRANGE in one
    MULTI; it honours `history_size` exactly even though the approximate trim may keep more."""

    backend = "redis"

    def __init__(
        self,
        url: str,
        stream_key: str = DEFAULT_STREAM_KEY,
        history_size: int = EVENT_HISTORY_SIZE,
        *,
        seq_key: str | None = None,
        block_ms: int = 1000,
        read_count: int = 100,
        socket_timeout_secs: float = 2.0,
    ) -> None:
        if history_size < 1:
            raise ValueError("history_size must be at least 1")
        if block_ms >= socket_timeout_secs * 1000:
            raise ValueError("block_ms must be shorter than the socket timeout")
        self.history_size = history_size
        self.stream_key = stream_key
        self.seq_key = seq_key or f"{stream_key}:seq"
        self.block_ms = block_ms
        self.read_count = read_count
        self.client = redis_client(url, socket_timeout_secs, health_check_interval=30)
        self._publish_script = self.client.register_script(_PUBLISH_SCRIPT)
        self._subscriptions: set[_RedisSubscription] = set()
        self.closed = False

    async def publish(self, type: EventType, payload: dict[str, Any], ts: datetime) -> Event:
        event_type = EventType(type)
        encoded = json.dumps(payload, separators=(",", ":"))
        try:
            seq = await self._publish_script(
                keys=[self.stream_key, self.seq_key],
                args=[self.history_size, event_type.value, ts.isoformat(), encoded],
            )
        except RedisError as error:
            raise CacheError(f"redis EVALSHA (INCR + XADD) {self.stream_key}: {error}") from error
        return Event(type=event_type, seq=int(seq), ts=ts, payload=json.loads(encoded))

    async def since(self, seq: int) -> list[Event] | None:
        seq = max(seq, 0)
        try:
            async with self.client.pipeline(transaction=True) as pipe:
                pipe.get(self.seq_key)
                pipe.xrange(self.stream_key, min=f"{seq + 1}-0", max="+", count=self.history_size)
                latest_raw, entries = await pipe.execute()
        except RedisError as error:
            raise CacheError(f"redis GET + XRANGE {self.stream_key}: {error}") from error
        latest = int(latest_raw) if latest_raw is not None else 0
        if entries:
            latest = max(latest, _entry_seq(entries[-1][0]))
        if seq > latest:
            return None
        if seq == latest:
            return []
        if latest - seq > self.history_size or not entries or _entry_seq(entries[0][0]) != seq + 1:
            return None
        return [_decode_entry(fields) for _entry_id, fields in entries]

    async def latest_seq(self) -> int:
        try:
            async with self.client.pipeline(transaction=True) as pipe:
                pipe.get(self.seq_key)
                pipe.xrevrange(self.stream_key, max="+", min="-", count=1)
                latest_raw, last = await pipe.execute()
        except RedisError as error:
            raise CacheError(f"redis GET + XREVRANGE {self.stream_key}: {error}") from error
        latest = int(latest_raw) if latest_raw is not None else 0
        return max(latest, _entry_seq(last[0][0])) if last else latest

    @asynccontextmanager
    async def subscribe(self) -> AsyncIterator[AsyncIterator[Event]]:
        # Counter and stream top read in one MULTI: reading after it is exactly "published later".
        subscription = _RedisSubscription(self, await self.latest_seq())
        self._subscriptions.add(subscription)
        try:
            yield subscription
        finally:
            subscription.closed = True
            self._subscriptions.discard(subscription)

    async def close(self) -> None:
        self.closed = True
        for subscription in list(self._subscriptions):
            subscription.closed = True
        await self.client.aclose()


def create_event_bus(redis_url: str | None, history_size: int = EVENT_HISTORY_SIZE) -> EventBus:
    """The Redis bus when a Redis URL is configured, the in-process bus otherwise."""
    if redis_url:
        return RedisEventBus(redis_url, history_size=history_size)
    return MemoryEventBus(history_size=history_size)
