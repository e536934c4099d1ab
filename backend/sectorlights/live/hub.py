"""The WebSocket hub: one bus subscription per process fanned out to bounded per-client queues.

A client gets a `snapshot` on connect (the grid and the significant moves of the last half hour, so a
page opened after a move still shows it), or, reconnecting with `?since=SEQ`, the events it missed, or a
`snapshot` when the bus history no longer reaches back that far); then every event in `seq` order
and a `heartbeat` every few seconds. A client whose queue fills up is not waited for: its queue is
dropped and it is sent a fresh `snapshot` when it catches up, so one slow browser never stalls the
others.

Each event is encoded to JSON and framed once for every client. A client whose writer is idle (its
queue empty) and whose connection offers a `FrameWriter` gets the frame written by the fan-out itself,
with no task switch and no ASGI send per client; the others are queued as before.

Events that reach the process together (a run publishes its last progress, the sector updates and
the top-stock changes in one go) are fanned out together: each idle client gets them in one write,
and a client's writer sends what its queue holds in one write too. The fan-out yields to the loop
between chunks of clients, so HTTP requests are not held up behind a thousand sockets.

A client opened with a credential (SECTORLIGHTS_AUTH=required) is checked at every heartbeat: when its
user was removed or its token rotated, `serve` raises `CredentialRevokedError` and the caller closes
the socket, so a revoked token stops receiving within one heartbeat.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Set
from dataclasses import dataclass, field
from typing import Any, Protocol

from sectorlights.cache.base import CacheError
from sectorlights.core.clock import Clock
from sectorlights.core.state_log import StateLog
from sectorlights.core.tasks import stop_task
from sectorlights.domain.credentials import UserCredential
from sectorlights.domain.events import Event, EventType
from sectorlights.live.bus import EventBus, SubscriberLaggedError
from sectorlights.live.delivery import DeliveryTracker
from sectorlights.live.frames import FrameWriter, text_frame

logger = logging.getLogger(__name__)

RESUBSCRIBE_DELAY_SECS = 1.0
#: How many significant moves a snapshot carries at most (the largest of the last half hour), and
#: how far back. A sharp open flags dozens at once, published largest first.
RECENT_MOVES = 100
RECENT_MOVES_SECS = 30 * 60.0
#: Moves remembered for the snapshot: enough that a burst larger than RECENT_MOVES keeps its largest.
RECENT_MOVES_KEPT = 1000
#: How many of the bus's latest events are read at start-up for moves published before it.
RECENT_MOVES_LOOKBACK_EVENTS = 500
#: Clients written to between two yields to the loop: about a millisecond of socket writes.
FAN_OUT_CHUNK = 128


def _move_size(event: Event) -> float:
    """A move's absolute change in percent (0 when the payload has none)."""
    change = event.payload.get("change_pct")
    return abs(float(change)) if isinstance(change, int | float) else 0.0


class CredentialRevokedError(Exception):
    """The client's user was removed or its token rotated: its socket is to be closed."""

    def __init__(self, user: str) -> None:
        super().__init__(f"user {user}: removed or token rotated; sign in again")
        self.user = user


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
    # Who opened the socket (None with auth off); set `revoked` when that is no longer current.
    credential: UserCredential | None = None
    revoked: bool = False


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
        delivery: DeliveryTracker | None = None,
        current_credentials: Callable[[Set[UserCredential]], Awaitable[Set[UserCredential]]] | None = None,
    ) -> None:
        """`observe_delivery` gets the seconds from a live event reaching this process to its send
        to one client, for every client (a metrics histogram); `current_credentials` answers which of
        the clients' credentials are still valid (asked at every heartbeat)."""
        self.bus = bus
        self.snapshot = snapshot
        self.clock = clock
        self.heartbeat_secs = heartbeat_secs
        self.client_queue_size = client_queue_size
        self._clients: set[_Client] = set()
        self._tasks: list[asyncio.Task[None]] = []
        self.latest_seq = 0
        self._recent_moves: deque[Event] = deque(maxlen=RECENT_MOVES_KEPT)
        self._observe_delivery = observe_delivery
        # Tells a thread waiting on an event (the analysis, see live/delivery.py) it is out.
        self._delivery = delivery if delivery is not None else DeliveryTracker()
        # Events and heartbeats waiting for the fan-out, in the order every client gets them.
        self._pending: list[_Outgoing] = []
        self._pending_ready = asyncio.Event()
        # Delivery times waiting to be recorded, so recording them does not delay later clients.
        self._delays: list[float] = []
        self._current_credentials = current_credentials
        self._credentials_log = StateLog(logger)

    @property
    def client_count(self) -> int:
        return len(self._clients)

    async def start(self) -> None:
        self.latest_seq = await self.bus.latest_seq()
        self._delivery.start(self.latest_seq)
        await self._load_recent_moves()
        self._tasks = [
            asyncio.create_task(self._pump(), name="live-pump"),
            asyncio.create_task(self._fan_out(), name="live-fan-out"),
            asyncio.create_task(self._heartbeats(), name="live-heartbeat"),
        ]

    async def stop(self) -> None:
        self._delivery.stop()
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
        """The significant moves of the last half hour, newest first, each with its time: the
        RECENT_MOVES largest when there were more (a move's size is what a trader looks for, so
        a burst's smallest must not crowd out its largest)."""
        now = self.clock.now()
        window = [
            event
            for event in reversed(self._recent_moves)
            if 0 <= (now - event.ts).total_seconds() <= RECENT_MOVES_SECS
        ]
        if len(window) > RECENT_MOVES:
            largest = sorted(range(len(window)), key=lambda index: -_move_size(window[index]))
            window = [window[index] for index in sorted(largest[:RECENT_MOVES])]
        return [{"ts": event.ts.isoformat(), **event.payload} for event in window]

    async def _pump(self) -> None:
        """Read the bus and fan out; after lag or a bus outage every client is resynchronised."""
        interrupted = False
        # A bus that is down fails every resubscription (once a second): say so once, and once
        # when it is back.
        outage = StateLog(logger)
        while True:
            try:
                async with self.bus.subscribe() as events:
                    # Subscribing read the bus's latest sequence: the bus answers again.
                    outage.recovered("live updates resumed")
                    if interrupted:
                        # Only once subscribed again: a snapshot taken earlier could miss what is
                        # published before the new subscription starts.
                        for client in self._clients:
                            self._mark_resync(client)
                        interrupted = False
                    # Events already buffered by the subscription come without a wait, so a burst
                    # is pending as a whole by the time the fan-out runs.
                    async for event in events:
                        self.latest_seq = max(self.latest_seq, event.seq)
                        self._remember(event)
                        self._enqueue(_Outgoing.of(event, time.monotonic()))
            except asyncio.CancelledError:
                raise
            except SubscriberLaggedError as error:
                logger.warning("live updates interrupted, clients will get a snapshot: %s", error)
            except CacheError as error:
                outage.failed("live updates interrupted, clients will get a snapshot: %s", error)
            except Exception:
                logger.exception("live update pump failed; restarting")
            interrupted = True
            await asyncio.sleep(RESUBSCRIBE_DELAY_SECS)

    def _enqueue(self, outgoing: _Outgoing) -> None:
        self._pending.append(outgoing)
        self._pending_ready.set()

    async def _fan_out(self) -> None:
        """Offer what is pending to every client, a chunk of clients at a time."""
        while True:
            await self._pending_ready.wait()
            self._pending_ready.clear()
            batch, self._pending = self._pending, []
            # A client connecting meanwhile is not in this list; its snapshot or catch-up, read
            # after it registered, covers the batch (`latest_seq` already counts it).
            clients = list(self._clients)
            for start in range(0, len(clients), FAN_OUT_CHUNK):
                if start:
                    await asyncio.sleep(0)
                for client in clients[start : start + FAN_OUT_CHUNK]:
                    self._offer(client, batch)
            self._delivery.offered(max((outgoing.event.seq for outgoing in batch), default=0))
            self._record_delays()

    def _offer(self, client: _Client, batch: list[_Outgoing]) -> None:
        if client.resync or client.revoked:
            return
        if client.idle and client.writer is not None and self._write_now(client, client.writer, batch):
            return
        client.idle = False
        for outgoing in batch:
            try:
                client.queue.put_nowait(outgoing)
            except asyncio.QueueFull:
                self._mark_resync(client)
                return
        client.wake.set()

    def _write_now(self, client: _Client, writer: FrameWriter, batch: list[_Outgoing]) -> bool:
        """Write the frames of `batch` the client has not had, in one write, without waiting;
        False (nothing written) when the writer cannot take them now."""
        fresh = [
            outgoing
            for outgoing in batch
            if outgoing.event.type == EventType.HEARTBEAT or outgoing.event.seq > client.last_seq
        ]
        if not fresh:
            return True
        frames = fresh[0].frame if len(fresh) == 1 else b"".join(outgoing.frame for outgoing in fresh)
        if not writer.write_frame(frames):
            return False
        for outgoing in fresh:
            if outgoing.event.type != EventType.HEARTBEAT:
                client.last_seq = outgoing.event.seq
        for outgoing in fresh:
            self._observed(outgoing)
        return True

    def _observed(self, outgoing: _Outgoing) -> None:
        if outgoing.arrived_at is not None and self._observe_delivery is not None:
            self._delays.append(time.monotonic() - outgoing.arrived_at)

    def _record_delays(self) -> None:
        delays, self._delays = self._delays, []
        if self._observe_delivery is not None:
            for delay in delays:
                self._observe_delivery(delay)

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
            # Through the fan-out, behind the events pending: a heartbeat never overtakes them.
            self._enqueue(_Outgoing.of(beat))
            await self._revoke_stale_credentials()

    async def _revoke_stale_credentials(self) -> None:
        """Mark the clients whose credential is no longer current; if the check itself fails (the
        database is down) the sockets are kept: they were valid at the last check."""
        if self._current_credentials is None:
            return
        held = {client.credential for client in self._clients if client.credential is not None}
        if not held:
            return
        try:
            current = await self._current_credentials(held)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            self._credentials_log.failed("live updates: users not re-checked (%s); sockets kept", error)
            return
        self._credentials_log.recovered("live updates: users re-checked again")
        # Only the credentials checked: a client that connected during the query was not asked about.
        for client in list(self._clients):
            if client.credential in held and client.credential not in current:
                client.revoked = True
                client.idle = False
                client.wake.set()

    async def _snapshot_event(self) -> Event:
        seq = max(self.latest_seq, await self.bus.latest_seq())
        grid = await self.snapshot()
        return Event(EventType.SNAPSHOT, seq, self.clock.now(), {"grid": grid, "moves": self.recent_moves()})

    async def serve(
        self,
        connection: Connection,
        since: int | None,
        writer: FrameWriter | None = None,
        credential: UserCredential | None = None,
    ) -> None:
        """Send to `connection` until it fails (the caller detects the client leaving); `writer`, when
        the server offers one for this connection, takes the pre-built frames of the events.
        CredentialRevokedError when `credential` stops being valid (the caller closes the socket)."""
        client = _Client(asyncio.Queue(self.client_queue_size), writer, credential=credential)
        # Registered before the catch-up is read, so nothing published meanwhile is missed;
        # the catch-up and the queue can overlap, and `last_seq` drops the duplicates.
        self._clients.add(client)
        try:
            missed = None if since is None else await self.bus.since(since)
            if missed is None:
                await self._send_snapshot(connection, client)
            else:
                client.last_seq = since or 0
                await self._send(connection, client, [_Outgoing.of(event) for event in missed])
            while True:
                if client.revoked and credential is not None:
                    raise CredentialRevokedError(credential.user)
                if client.resync:
                    client.resync = False
                    await self._send_snapshot(connection, client)
                    continue
                if client.queue.empty():
                    self._record_delays()
                    client.wake.clear()
                    client.idle = True
                    try:
                        await client.wake.wait()
                    finally:
                        client.idle = False
                    continue
                queued = [client.queue.get_nowait() for _ in range(client.queue.qsize())]
                await self._send(connection, client, queued)
        finally:
            self._clients.discard(client)

    async def _send_snapshot(self, connection: Connection, client: _Client) -> None:
        event = await self._snapshot_event()
        client.last_seq = event.seq
        await connection.send_text(event.to_json())

    async def _send(self, connection: Connection, client: _Client, batch: list[_Outgoing]) -> None:
        """`batch` in order: what the writer takes in one write, the rest by ASGI sends."""
        for index, outgoing in enumerate(batch):
            if client.writer is not None and self._write_now(client, client.writer, batch[index:]):
                return
            event = outgoing.event
            if event.type != EventType.HEARTBEAT:
                if event.seq <= client.last_seq:
                    continue
                client.last_seq = event.seq
            # The writer could not take it (full write buffer, closing, an extension): this send
            # waits, and the writer is tried again for the rest, as the buffer may have drained.
            await connection.send_text(outgoing.text)
            self._observed(outgoing)
