"""The WebSocket hub: one bus subscription per process fanned out to bounded per-client queues.

A client gets a `snapshot` on connect (the grid and the significant moves of the last half hour, so a
page opened after a move still shows it), or, reconnecting with `?since=SEQ`, the events it missed, or a
`snapshot` when the bus history no longer reaches back that far); then every event in `seq` order
and a `heartbeat` every few seconds. A client whose queue fills up is not waited for: its queue is
dropped and it is sent a fresh `snapshot` when it catches up, so one slow browser never stalls the
others.

Each event is encoded to JSON and framed once for every client. A client whose writer is idle (its
queue empty) and whose connection offers a `FrameWriter` gets the frame written by the pump itself,
with no task switch and no ASGI send per client; the others are queued as before.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from sectorlights.cache.base import CacheError
from sectorlights.core.clock import Clock
from sectorlights.core.tasks import stop_task
from sectorlights.domain.events import Event, EventType
from sectorlights.live.bus import EventBus, SubscriberLaggedError
from sectorlights.live.frames import FrameWriter, text_frame

logger = logging.getLogger(__name__)

RESUBSCRIBE_DELAY_SECS = 1.0
#: How many of the latest significant moves a snapshot carries, and how far back.
RECENT_MOVES = 10
RECENT_MOVES_SECS = 30 * 60.0
#: How many of the bus's latest events are read at start-up for moves published before it.
RECENT_MOVES_LOOKBACK_EVENTS = 500


class Connection(Protocol):
    """What the hub needs of a WebSocket."""

    async def send_text(self, data: str) -> None: ...


@dataclass(frozen=True, slots=True)
class _Outgoing:
    """An event with its JSON and its WebSocket frame, both made once for every client; `arrived_at`
    (monotonic seconds) is when a live event reached this process, to time its delivery (None for
    catch-up and heartbeats)."""

    event: Event
    text: str
    frame: bytes
    arrived_at: float | None = None

    @classmethod
    def of(cls, event: Event, arrived_at: float | None = None) -> _Outgoing:
        text = event.to_json()
        return cls(event, text, text_frame(text.encode()), arrived_at)


@dataclass(eq=False)
class _Client:
    queue: asyncio.Queue[_Outgoing]
    writer: FrameWriter | None = None
    # True only while the client's writer task waits with an empty queue: the pump may then write
    # to the connection itself without overtaking anything.
    idle: bool = False
    # Set when the queue overflowed: the writer sends a fresh snapshot instead of the lost events.
    resync: bool = False
    last_seq: int = 0
    wake: asyncio.Event = field(default_factory=asyncio.Event)


class LiveHub:
    """Delivers the bus's events to every connected client of this process."""

    def __init__(
        self,
        bus: EventBus,
        snapshot: Callable[[], Awaitable[dict[str, Any] | None]],
        clock: Clock,
        heartbeat_secs: float = 15.0,
        client_queue_size: int = 256,
        observe_delivery: Callable[[float], None] | None = None,
    ) -> None:
        """`observe_delivery` gets the seconds from a live event reaching this process to its send
        to one client, for every client (a metrics histogram)."""
        self.bus = bus
        self.snapshot = snapshot
        self.clock = clock
        self.heartbeat_secs = heartbeat_secs
        self.client_queue_size = client_queue_size
        self._clients: set[_Client] = set()
        self._tasks: list[asyncio.Task[None]] = []
        self.latest_seq = 0
        self._recent_moves: deque[Event] = deque(maxlen=RECENT_MOVES)
        self._observe_delivery = observe_delivery

    @property
    def client_count(self) -> int:
        return len(self._clients)

    async def start(self) -> None:
        self.latest_seq = await self.bus.latest_seq()
        await self._load_recent_moves()
        self._tasks = [
            asyncio.create_task(self._pump(), name="live-pump"),
            asyncio.create_task(self._heartbeats(), name="live-heartbeat"),
        ]

    async def stop(self) -> None:
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            await stop_task(task)

    async def _load_recent_moves(self) -> None:
        """Moves already on the bus (published by another replica, or before a restart on Redis)."""
        try:
            history = await self.bus.since(max(0, self.latest_seq - RECENT_MOVES_LOOKBACK_EVENTS))
        except CacheError as error:
            logger.warning("recent significant moves not loaded: %s", error)
            return
        for event in history or []:
            self._remember(event)

    def _remember(self, event: Event) -> None:
        if event.type == EventType.SIGNIFICANT_MOVE:
            self._recent_moves.append(event)

    def recent_moves(self) -> list[dict[str, Any]]:
        """The latest significant moves of the last half hour, newest first, each with its time."""
        now = self.clock.now()
        return [
            {"ts": event.ts.isoformat(), **event.payload}
            for event in reversed(self._recent_moves)
            if 0 <= (now - event.ts).total_seconds() <= RECENT_MOVES_SECS
        ]

    async def _pump(self) -> None:
        """Read the bus and fan out; after lag or a bus outage every client is resynchronised."""
        interrupted = False
        while True:
            try:
                async with self.bus.subscribe() as events:
                    if interrupted:
                        # Only once subscribed again: a snapshot taken earlier could miss what is
                        # published before the new subscription starts.
                        for client in self._clients:
                            self._mark_resync(client)
                        interrupted = False
                    async for event in events:
                        self.latest_seq = max(self.latest_seq, event.seq)
                        self._remember(event)
                        outgoing = _Outgoing.of(event, time.monotonic())
                        for client in self._clients:
                            self._offer(client, outgoing)
            except asyncio.CancelledError:
                raise
            except (SubscriberLaggedError, CacheError) as error:
                logger.warning("live updates interrupted, clients will get a snapshot: %s", error)
            except Exception:
                logger.exception("live update pump failed; restarting")
            interrupted = True
            await asyncio.sleep(RESUBSCRIBE_DELAY_SECS)

    def _offer(self, client: _Client, outgoing: _Outgoing) -> None:
        if client.resync:
            return
        if client.idle and client.writer is not None and self._write_now(client, client.writer, outgoing):
            return
        client.idle = False
        try:
            client.queue.put_nowait(outgoing)
        except asyncio.QueueFull:
            self._mark_resync(client)
            return
        client.wake.set()

    def _write_now(self, client: _Client, writer: FrameWriter, outgoing: _Outgoing) -> bool:
        """Write `outgoing` without waiting; False when the writer cannot take it now."""
        event = outgoing.event
        if event.type != EventType.HEARTBEAT and event.seq <= client.last_seq:
            return True
        if not writer.write_frame(outgoing.frame):
            return False
        if event.type != EventType.HEARTBEAT:
            client.last_seq = event.seq
        self._observed(outgoing)
        return True

    def _observed(self, outgoing: _Outgoing) -> None:
        if outgoing.arrived_at is not None and self._observe_delivery is not None:
            self._observe_delivery(time.monotonic() - outgoing.arrived_at)

    def _mark_resync(self, client: _Client) -> None:
        client.resync = True
        client.idle = False
        while not client.queue.empty():
            client.queue.get_nowait()
        client.wake.set()

    async def _heartbeats(self) -> None:
        while True:
            await asyncio.sleep(self.heartbeat_secs)
            beat = Event(
                EventType.HEARTBEAT,
                self.latest_seq,
                self.clock.now(),
                {"clients": len(self._clients), "latest_seq": self.latest_seq},
            )
            outgoing = _Outgoing.of(beat)
            for client in self._clients:
                self._offer(client, outgoing)

    async def _snapshot_event(self) -> Event:
        seq = max(self.latest_seq, await self.bus.latest_seq())
        grid = await self.snapshot()
        return Event(EventType.SNAPSHOT, seq, self.clock.now(), {"grid": grid, "moves": self.recent_moves()})

    async def serve(
        self, connection: Connection, since: int | None, writer: FrameWriter | None = None
    ) -> None:
        """Send to `connection` until it fails (the caller detects the client leaving); `writer`, when
        the server offers one for this connection, takes the pre-built frames of the events."""
        client = _Client(asyncio.Queue(self.client_queue_size), writer)
        # Registered before the catch-up is read, so nothing published meanwhile is missed;
        # the catch-up and the queue can overlap, and `last_seq` drops the duplicates.
        self._clients.add(client)
        try:
            missed = None if since is None else await self.bus.since(since)
            if missed is None:
                await self._send_snapshot(connection, client)
            else:
                client.last_seq = since or 0
                for event in missed:
                    await self._send(connection, client, _Outgoing.of(event))
            while True:
                if client.resync:
                    client.resync = False
                    await self._send_snapshot(connection, client)
                    continue
                if client.queue.empty():
                    client.wake.clear()
                    client.idle = True
                    try:
                        await client.wake.wait()
                    finally:
                        client.idle = False
                    continue
                await self._send(connection, client, client.queue.get_nowait())
        finally:
            self._clients.discard(client)

    async def _send_snapshot(self, connection: Connection, client: _Client) -> None:
        event = await self._snapshot_event()
        client.last_seq = event.seq
        await connection.send_text(event.to_json())

    async def _send(self, connection: Connection, client: _Client, outgoing: _Outgoing) -> None:
        if client.writer is not None and self._write_now(client, client.writer, outgoing):
            return
        event = outgoing.event
        if event.type != EventType.HEARTBEAT:
            if event.seq <= client.last_seq:
                return
            client.last_seq = event.seq
        # The writer could not take it (full write buffer, closing, an extension): this send waits.
        await connection.send_text(outgoing.text)
        self._observed(outgoing)
