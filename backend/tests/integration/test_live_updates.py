"""`/ws` with real WebSocket clients against real `sectorlights serve` processes."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator
from websockets.sync.client import ClientConnection, connect

from sectorlights.api.app import create_app
from sectorlights.domain.events import EventType
from sectorlights.live.hub import RECENT_MOVES
from sectorlights.settings import load_settings
from tests.conftest import FROZEN, OVERNIGHT_GAPS, SIM_NOW
from tests.integration.apps import environment, sqlite_url
from tests.servers import running_server, uvicorn_in_thread, wait_run
from tests.services import throwaway_postgres_database, throwaway_redis_server

pytestmark = pytest.mark.timeout(180)


def ws_url(base_url: str, since: int | None = None) -> str:
    url = base_url.replace("http://", "ws://", 1) + "/ws"
    return url if since is None else f"{url}?since={since}"


def receive(socket: ClientConnection, timeout_secs: float = 20.0) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(socket.recv(timeout=timeout_secs))
    return message


def collect_until(
    socket: ClientConnection, done: Callable[[dict[str, Any]], bool], timeout_secs: float = 60.0
) -> list[dict[str, Any]]:
    """Messages (heartbeats left out) up to and including the first for which `done` holds."""
    deadline = time.monotonic() + timeout_secs
    messages = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(f"timed out; received {[m['type'] for m in messages]}")
        message = receive(socket, remaining)
        if message["type"] == "heartbeat":
            continue
        messages.append(message)
        if done(message):
            return messages


def run_finished(run_id: str) -> Callable[[dict[str, Any]], bool]:
    return lambda m: (
        m["type"] == "analysis_progress"
        and m["payload"]["run_id"] == run_id
        and m["payload"]["stage"] in ("done", "failed")
    )


def assert_described(base_url: str, *messages: dict[str, Any]) -> None:
    """Each message validates against the published schema of its type (`GET /api/ws-schema`)."""
    schemas = httpx.get(base_url + "/api/ws-schema", timeout=30).json()["messages"]
    assert set(schemas) == {kind.value for kind in EventType}
    for message in messages:
        validator = Draft202012Validator(schemas[message["type"]])
        errors = [error.message for error in validator.iter_errors(message)]
        assert not errors, (message["type"], errors[:3])


def start_run(base_url: str) -> str:
    response = httpx.post(base_url + "/api/analysis", timeout=30)
    assert response.status_code == 202, response.text
    run_id: str = response.json()["run_id"]
    return run_id


def test_snapshot_then_ordered_progress_heartbeats_and_no_unchanged_sectors(server: str) -> None:
    grid = httpx.get(server + "/api/sectors", timeout=30).json()
    with connect(ws_url(server)) as socket:
        snapshot = receive(socket)
        assert snapshot["type"] == "snapshot"
        assert snapshot["payload"]["grid"]["run_id"] == grid["run_id"]
        assert snapshot["payload"]["grid"]["freshness"] == "fresh"
        assert {card["sector"] for card in snapshot["payload"]["grid"]["sectors"]} == {
            card["sector"] for card in grid["sectors"]
        }
        beat = receive(socket, 5)
        assert beat["type"] == "heartbeat" and beat["seq"] == snapshot["seq"]

        run_id = start_run(server)
        messages = collect_until(socket, run_finished(run_id))
    seqs = [message["seq"] for message in messages]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs) and seqs[0] > snapshot["seq"]
    progress = [m["payload"] for m in messages if m["type"] == "analysis_progress"]
    assert {p["run_id"] for p in progress} == {run_id}
    percents = [p["percent"] for p in progress]
    assert percents == sorted(percents) and percents[-1] == 100.0
    # The same frozen market analysed again changes nothing: no sector or top-list message.
    assert {m["type"] for m in messages} == {"analysis_progress"}
    assert_described(server, snapshot, beat, *messages)


def test_reconnect_with_since_replays_what_was_missed(server: str) -> None:
    with connect(ws_url(server)) as socket:
        last_seq = receive(socket)["seq"]
    run_id = start_run(server)
    wait_run(server, run_id)
    with connect(ws_url(server, since=last_seq)) as socket:
        missed = collect_until(socket, run_finished(run_id), timeout_secs=10)
    assert missed[0]["type"] == "analysis_progress"
    assert [m["seq"] for m in missed] == list(range(last_seq + 1, last_seq + 1 + len(missed)))
    assert missed[0]["payload"] == missed[0]["payload"] | {"run_id": run_id, "stage": "listings"}


def test_a_client_too_far_behind_gets_a_snapshot(tmp_path: Path) -> None:
    with running_server(FROZEN | {"SECTORLIGHTS_EVENT_HISTORY": "10"}, tmp_path) as base_url:
        with connect(ws_url(base_url)) as socket:
            last_seq = receive(socket)["seq"]
        for _ in range(2):  # each run publishes 8 progress events: 16 > the 10 kept
            wait_run(base_url, start_run(base_url))
        with connect(ws_url(base_url, since=last_seq)) as socket:
            first = receive(socket)
        with connect(ws_url(base_url, since=first["seq"] - 3)) as socket:
            recent = [receive(socket) for _ in range(3)]
    assert first["type"] == "snapshot" and first["seq"] >= last_seq + 16
    assert [m["seq"] for m in recent] == [first["seq"] - 2, first["seq"] - 1, first["seq"]]


@pytest.mark.postgres
@pytest.mark.redis
def test_two_processes_behind_one_redis_deliver_each_others_events(tmp_path: Path) -> None:
    with contextlib.ExitStack() as stack:
        database_url = stack.enter_context(throwaway_postgres_database())
        redis_url = stack.enter_context(throwaway_redis_server())
        env = FROZEN | {"DATABASE_URL": database_url, "REDIS_URL": redis_url}
        (tmp_path / "one").mkdir()
        (tmp_path / "other").mkdir()
        one = stack.enter_context(running_server(env, tmp_path / "one"))
        other = stack.enter_context(running_server(env, tmp_path / "other"))
        for base_url in (one, other):  # both start-up runs over: only the run started below is live
            wait_run(
                base_url, httpx.get(base_url + "/api/analysis/latest", timeout=30).json()["run"]["run_id"]
            )
        with connect(ws_url(other)) as on_other, connect(ws_url(one)) as on_one:
            receive(on_other)
            receive(on_one)
            run_id = start_run(one)
            seen_on_other = collect_until(on_other, run_finished(run_id))
            seen_on_one = collect_until(on_one, run_finished(run_id))
    # Both replicas deliver the same stream, in the same order.
    assert [(m["seq"], m["type"]) for m in seen_on_other] == [(m["seq"], m["type"]) for m in seen_on_one]
    # The other replica's own start-up run may interleave; the run started on `one` is all there.
    stages = [
        m["payload"]["stage"]
        for m in seen_on_other
        if m["type"] == "analysis_progress" and m["payload"]["run_id"] == run_id
    ]
    assert stages[0] == "listings" and stages[-1] == "done" and len(stages) >= 5, stages
    assert seen_on_other[-1]["payload"]["run_id"] == run_id


def test_overnight_gaps_reach_a_connected_client_after_the_4am_open(tmp_path: Path) -> None:
    with running_server(OVERNIGHT_GAPS, tmp_path) as base_url, connect(ws_url(base_url)) as socket:
        assert receive(socket)["type"] == "snapshot"
        messages = collect_until(socket, lambda m: m["type"] == "sector_update", timeout_secs=90)
        moves = [m["payload"] for m in messages if m["type"] == "significant_move"]
        assert moves, [m["type"] for m in messages]
        assert all(abs(move["change_pct"]) >= 15.0 for move in moves)
        assert all(move["sector"] for move in moves)
        update = messages[-1]["payload"]
        run = httpx.get(f"{base_url}/api/analysis/{update['run_id']}", timeout=30).json()
        # A page opened after the moves still sees them, newest first, in its snapshot.
        with connect(ws_url(base_url)) as late:
            snapshot = receive(late)
        recent = snapshot["payload"]["moves"]
        assert 0 < len(recent) <= RECENT_MOVES and all(abs(entry["change_pct"]) >= 15.0 for entry in recent)
        # Later moves may have pushed the ones seen here out of the newest ten, never silently.
        # Fewer than RECENT_MOVES: every move of the burst, the largest included.
        assert {move["symbol"] for move in moves} <= {entry["symbol"] for entry in recent} or len(
            recent
        ) == RECENT_MOVES
        assert [entry["ts"] for entry in recent] == sorted((entry["ts"] for entry in recent), reverse=True)
        assert_described(base_url, snapshot, *messages)
    # The first sector update comes from the re-analysis the moves triggered, after them.
    assert [m["type"] for m in messages].index("significant_move") < len(messages) - 1
    assert run["trigger"] == "significant_move"
    assert update["sectors"], update
    assert {card["sector"] for card in update["sectors"]} & {move["sector"] for move in moves}


@contextlib.contextmanager
def in_thread_server(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[tuple[str, Any, Any]]:
    """The real app on a real uvicorn in a thread; yields its URL, container and event loop, so a
    test can publish on the app's own bus."""
    environment(monkeypatch, sqlite_url(tmp_path), tmp_path, run_on_start=False)
    monkeypatch.setenv("SECTORLIGHTS_MOVE_WATCH", "false")
    monkeypatch.setenv("SECTORLIGHTS_WS_CLIENT_QUEUE", "64")
    monkeypatch.setenv("SECTORLIGHTS_WS_HEARTBEAT_SECS", "3600")
    app = create_app(load_settings())
    with uvicorn_in_thread(app, ws="websockets-sansio", ws_per_message_deflate=False) as (base_url, server):
        yield base_url, app.state.container, server.servers[0].get_loop()


def test_a_client_that_stops_reading_never_stalls_the_others(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A real socket that stops reading (a tiny receive window, the client's own queue full)
    while 3,000 events (12 MB) go out: the reading client gets all of them in order at once, the stalled
    one's queue stays bounded, and once it reads again it is resynchronised with a snapshot."""
    events_count = 3000
    with in_thread_server(monkeypatch, tmp_path) as (base_url, container, loop):
        slow_socket = socket.socket()
        slow_socket.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        slow_socket.connect(("127.0.0.1", int(base_url.rsplit(":", 1)[1])))
        with (
            connect(ws_url(base_url), sock=slow_socket, max_queue=1) as slow,
            connect(ws_url(base_url)) as fast,
        ):
            first_seq = receive(fast)["seq"]
            payload = {"run_id": "bench", "stage": "x" * 4000, "percent": 1.0}

            async def publish_all() -> None:
                for _ in range(events_count):
                    await container.events.publish(EventType.ANALYSIS_PROGRESS, payload, SIM_NOW)
                    await asyncio.sleep(0.002)  # a fast but steady producer a reading client keeps up with

            publishing = asyncio.run_coroutine_threadsafe(publish_all(), loop)
            received = []
            try:
                for _ in range(events_count):
                    received.append(receive(fast, 10)["seq"])
            except TimeoutError:
                states = [(c.queue.qsize(), c.resync, c.last_seq) for c in container.hub._clients]
                raise AssertionError(
                    f"the reading client got {len(received)} events; clients {states}"
                ) from None
            assert received == list(range(first_seq + 1, first_seq + 1 + events_count))
            publishing.result(timeout=60)
            clients = list(container.hub._clients)
            assert len(clients) == 2
            assert all(client.queue.qsize() <= 64 for client in clients)
            assert any(client.resync for client in clients), "the stalled client was never dropped behind"
            # Reading again: whatever was in flight, then a snapshot at the latest seq, then live.
            seen = []
            while True:
                message = receive(slow, 20)
                seen.append(message["type"])
                if message["type"] == "snapshot" and message["seq"] >= first_seq + events_count:
                    break
            assert seen.count("snapshot") >= 1
