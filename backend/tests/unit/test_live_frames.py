"""The hub encodes and frames each event once for all clients, and writes the shared frame to the
clients whose connection takes it without changing what they receive."""

from __future__ import annotations

import asyncio
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st
from websockets.frames import Frame, Opcode

from sectorlights.domain.events import Event, EventType
from sectorlights.live import hub as hub_module
from sectorlights.live.frames import text_frame
from tests.unit.test_live_hub import (
    UPDATE,
    FakeConnection,
    assert_consecutive,
    publish,
    running_hub,
    wait_for,
)


def parse_text_frames(frames: bytes) -> list[bytes]:
    """The payloads of unmasked final text frames written back to back, each checked against its
    header."""
    payloads = []
    while frames:
        assert frames[0] == 0x81
        length, offset = frames[1], 2
        if length == 126:
            (length,) = struct.unpack("!H", frames[2:4])
            offset = 4
        elif length == 127:
            (length,) = struct.unpack("!Q", frames[2:10])
            offset = 10
        assert len(frames) >= offset + length
        payloads.append(frames[offset : offset + length])
        frames = frames[offset + length :]
    return payloads


def parse_text_frame(frame: bytes) -> bytes:
    """The payload of one unmasked final text frame, checked against its header."""
    (payload,) = parse_text_frames(frame)
    return payload


class FrameConnection(FakeConnection):
    """A connection that also takes pre-built frames, unless `accepting` is off (a full buffer)."""

    def __init__(
        self, accepting: bool = True, gate: asyncio.Event | None = None, free_sends: int = 0
    ) -> None:
        super().__init__(gate, free_sends)
        self.accepting = accepting
        self.frames_written = 0
        self.writes = 0
        self.texts_sent = 0

    async def send_text(self, data: str) -> None:
        self.texts_sent += 1
        await super().send_text(data)

    def write_frame(self, frame: bytes) -> bool:
        if not self.accepting:
            return False
        self.writes += 1
        payloads = parse_text_frames(frame)
        self.frames_written += len(payloads)
        self.messages.extend(Event.from_json(payload) for payload in payloads)
        return True


@pytest.mark.parametrize("length", [0, 1, 125, 126, 127, 65535, 65536, 70000])
def test_text_frame_matches_the_websockets_serialiser(length: int) -> None:
    payload = b"x" * length
    assert text_frame(payload) == Frame(Opcode.TEXT, payload).serialize(mask=False)


@given(st.text(max_size=300))
def test_text_frame_carries_the_payload(text: str) -> None:
    payload = text.encode()
    assert parse_text_frame(text_frame(payload)) == payload


@pytest.mark.parametrize("with_writer", [True, False])
@pytest.mark.parametrize("client_count", [1, 10, 200])
async def test_each_event_is_encoded_once_whatever_the_number_of_clients(
    monkeypatch: pytest.MonkeyPatch, client_count: int, with_writer: bool
) -> None:
    encoded: list[int] = []
    to_json = Event.to_json

    def counting(event: Event) -> str:
        if event.type == UPDATE:
            encoded.append(event.seq)
        return to_json(event)

    monkeypatch.setattr(Event, "to_json", counting)
    event_count = 5
    async with running_hub() as harness:
        connections = [FrameConnection() if with_writer else FakeConnection() for _ in range(client_count)]
        for connection in connections:
            writer = connection if isinstance(connection, FrameConnection) else None
            harness.tasks.append(asyncio.create_task(harness.hub.serve(connection, None, writer)))
        await wait_for(lambda: all(len(c.messages) == 1 for c in connections))
        await publish(harness.bus, event_count)
        await wait_for(lambda: all(len(c.updates) == event_count for c in connections))
    assert sorted(encoded) == list(range(1, event_count + 1))
    for connection in connections:
        assert_consecutive(connection.updates, 1, event_count)


async def test_idle_clients_get_the_frame_and_a_refusing_writer_falls_back_in_order() -> None:
    async with running_hub() as harness:
        taking = FrameConnection()
        refusing = FrameConnection(accepting=False)
        for connection in (taking, refusing):
            harness.tasks.append(asyncio.create_task(harness.hub.serve(connection, None, connection)))
        await wait_for(lambda: len(taking.messages) == 1 and len(refusing.messages) == 1)
        await publish(harness.bus, 3)
        await wait_for(lambda: len(taking.updates) == 3 and len(refusing.updates) == 3)
        # The snapshot is per client and goes through the ordinary send; the events do not.
        assert (taking.frames_written, taking.texts_sent) == (3, 1)
        assert (refusing.frames_written, refusing.texts_sent) == (0, 4)

        refusing.accepting = True  # the buffer drained: the frames are taken again
        await publish(harness.bus, 2, start=3)
        await wait_for(lambda: len(refusing.updates) == 5)
        assert refusing.frames_written == 2
        for connection in (taking, refusing):
            assert_consecutive(connection.updates, 1, 5)
            assert connection.messages[0].type == EventType.SNAPSHOT


@pytest.mark.parametrize("burst", [1, 3, 8])
async def test_a_burst_reaches_each_idle_client_in_one_write(burst: int) -> None:
    async with running_hub() as harness:
        connections = [FrameConnection() for _ in range(5)]
        for connection in connections:
            harness.tasks.append(asyncio.create_task(harness.hub.serve(connection, None, connection)))
        await wait_for(lambda: all(len(c.messages) == 1 for c in connections))
        # Published without the loop running in between, as a run's last events are.
        await publish(harness.bus, burst)
        await wait_for(lambda: all(len(c.updates) == burst for c in connections))
    for connection in connections:
        assert (connection.writes, connection.frames_written) == (1, burst)
        assert_consecutive(connection.updates, 1, burst)


async def test_a_backlog_queued_behind_a_waiting_send_goes_out_in_one_write() -> None:
    gate = asyncio.Event()
    async with running_hub() as harness:
        # The snapshot goes through; the first event finds the buffer full and its send waits.
        connection = FrameConnection(accepting=False, gate=gate, free_sends=1)
        harness.tasks.append(asyncio.create_task(harness.hub.serve(connection, None, connection)))
        await wait_for(lambda: len(connection.messages) == 1)
        await publish(harness.bus, 1)
        await wait_for(lambda: connection.sends_started == 2)
        for start in (1, 2, 3):
            await publish(harness.bus, 1, start=start)
            await asyncio.sleep(0.01)
        connection.accepting = True
        gate.set()
        await wait_for(lambda: len(connection.updates) == 4)
    assert (connection.texts_sent, connection.writes, connection.frames_written) == (2, 1, 3)
    assert_consecutive(connection.updates, 1, 4)


async def test_a_fan_out_in_chunks_keeps_every_clients_order_and_heartbeats_behind_the_events(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(hub_module, "FAN_OUT_CHUNK", 3)
    event_count = 40
    async with running_hub(heartbeat_secs=0.001) as harness:
        connections = [FrameConnection(accepting=index % 4 != 0) for index in range(11)]
        for connection in connections:
            harness.tasks.append(asyncio.create_task(harness.hub.serve(connection, None, connection)))
        await wait_for(lambda: all(c.of_type(EventType.SNAPSHOT) for c in connections))
        for start in range(0, event_count, 4):
            await publish(harness.bus, 4, start=start)
            await asyncio.sleep(0)
        await wait_for(lambda: all(len(c.updates) == event_count for c in connections))
    for connection in connections:
        assert_consecutive(connection.updates, 1, event_count)
        latest = 0
        for message in connection.messages[1:]:
            if message.type == EventType.HEARTBEAT:
                assert message.payload["latest_seq"] <= latest, "a heartbeat overtook an event"
            else:
                latest = message.seq
    assert any(c.of_type(EventType.HEARTBEAT) for c in connections)
