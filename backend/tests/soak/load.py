"""The soak's load, in one asyncio loop: `/ws` clients (some slow, some leaving and coming back with
`since`), traders polling the grid, a sector and a stock, on-demand runs, preference saves, and the
uptime probe every 10 simulated seconds of market hours. Everything is recorded for `report.py`."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from tests.soak.plan import Load, SimClock, SoakPlan, market_hours

_EVENT_KEYS: dict[tuple[str, int, str], int] = {}


def event_id(kind: str, seq: int, ts: str) -> int:
    """One small number per distinct event seen by any client (Redis restarts reuse seqs, the
    simulated time they were published at does not repeat)."""
    return _EVENT_KEYS.setdefault((kind, seq, ts), len(_EVENT_KEYS))


@dataclass
class Socket:
    """What one `/ws` client saw: the events, the snapshots (simulated time, as ISO) and the span
    it was connected over (first and last message, by event time)."""

    slow: bool
    received: set[int] = field(default_factory=set)
    snapshots: list[str] = field(default_factory=list)
    first_ts: str | None = None
    last_ts: str | None = None
    connections: int = 0
    drops: int = 0
    connect_failures: int = 0
    backwards: int = 0  # a non-snapshot event with a seq at or below the last one


@dataclass
class Records:
    probes: list[tuple[datetime, bool, float]] = field(default_factory=list)  # simulated mark
    reads: list[tuple[datetime, str, bool, float]] = field(default_factory=list)  # real time
    actions: list[tuple[datetime, str, int]] = field(default_factory=list)
    sockets: list[Socket] = field(default_factory=list)
    moves: list[tuple[datetime, str, str]] = field(default_factory=list)  # real receipt, ts, symbol
    events: dict[int, tuple[str, str]] = field(default_factory=dict)  # id -> (type, ts)


def _received(record: Records, socket: Socket, raw: str | bytes, last_seq: int | None) -> int | None:
    message = json.loads(raw)
    kind, seq, ts = message["type"], int(message["seq"]), str(message["ts"])
    if kind == "heartbeat":
        return last_seq
    socket.first_ts = socket.first_ts or ts
    socket.last_ts = ts
    if kind == "snapshot":
        socket.snapshots.append(ts)
        return seq
    ident = event_id(kind, seq, ts)
    record.events[ident] = (kind, ts)
    socket.received.add(ident)
    if kind == "significant_move":
        record.moves.append((datetime.now(UTC), ts, str(message["payload"]["symbol"])))
    if last_seq is not None and seq <= last_seq:
        socket.backwards += 1
        return last_seq
    return seq


async def ws_client(ws_url: str, record: Records, socket: Socket, leaves: bool, stop: asyncio.Event) -> None:
    last_seq: int | None = None
    rng = random.Random(id(socket))
    while not stop.is_set():
        url = ws_url if last_seq is None else f"{ws_url}?since={last_seq}"
        leave_at = time.monotonic() + rng.uniform(15, 45) if leaves else float("inf")
        try:
            async with connect(url, open_timeout=10, max_queue=16 if socket.slow else 256) as connection:
                socket.connections += 1
                left = False
                async for raw in connection:
                    last_seq = _received(record, socket, raw, last_seq)
                    if socket.slow:
                        await asyncio.sleep(0.25)
                    if stop.is_set() or time.monotonic() > leave_at:
                        left = True
                        break
                if not left:
                    socket.drops += 1  # the server ended it
        except ConnectionClosed:
            socket.drops += 1
        except (OSError, InvalidHandshake, TimeoutError):
            socket.connect_failures += 1
        await asyncio.sleep(rng.uniform(0.2, 1.0))


async def _timed_get(client: httpx.AsyncClient, url: str) -> tuple[httpx.Response | None, float]:
    started = time.perf_counter()
    try:
        response = await client.get(url, timeout=10)
    except httpx.HTTPError:
        response = None
    return response, (time.perf_counter() - started) * 1000.0


async def poller(base_url: str, record: Records, load: Load, stop: asyncio.Event) -> None:
    """A trader: the grid, then one sector's drill-down, then one of its stocks, every few seconds."""
    rng = random.Random()
    async with httpx.AsyncClient() as client:
        while not stop.is_set():
            response, ms = await _timed_get(client, f"{base_url}/api/sectors")
            grid = response.json() if response is not None and response.status_code == 200 else None
            ok = grid is not None and bool(grid.get("sectors"))
            record.reads.append((datetime.now(UTC), "grid", ok, ms))
            if ok and grid is not None:
                sector = rng.choice(grid["sectors"])["sector"]
                response, ms = await _timed_get(client, f"{base_url}/api/sectors/{sector}")
                record.reads.append((datetime.now(UTC), "sector", _ok(response), ms))
                members = response.json().get("constituents", []) if _ok(response) and response else []
                if members:
                    symbol = rng.choice(members)["symbol"]
                    response, ms = await _timed_get(client, f"{base_url}/api/stocks/{symbol}")
                    record.reads.append((datetime.now(UTC), "stock", _ok(response), ms))
            await _pause(stop, rng.uniform(0.5, 1.5) * load.poll_every_secs)


def _ok(response: httpx.Response | None) -> bool:
    return response is not None and response.status_code == 200


async def _pause(stop: asyncio.Event, secs: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=secs)


async def actions(base_url: str, record: Records, load: Load, stop: asyncio.Event) -> None:
    """On-demand runs and preference saves at their own pace; the status of each is recorded (a
    429 from the action allowance or a 202 joining a run in flight are answers, not failures)."""
    next_run = next_save = time.monotonic()
    saves = 0
    async with httpx.AsyncClient() as client:
        while not stop.is_set():
            now = time.monotonic()
            if now >= next_run:
                next_run = now + load.run_every_secs
                status = await _status(client.post(f"{base_url}/api/analysis", timeout=10))
                record.actions.append((datetime.now(UTC), "run", status))
            if now >= next_save:
                next_save = now + load.preferences_every_secs
                saves += 1
                body = {"freshness_tolerance_hours": 1 + saves % 8}
                status = await _status(client.put(f"{base_url}/api/preferences", json=body, timeout=10))
                record.actions.append((datetime.now(UTC), "preferences", status))
            await _pause(stop, 0.5)


async def _status(request: object) -> int:
    try:
        response = await request  # type: ignore[misc]
    except httpx.HTTPError:
        return 0
    return int(response.status_code)


async def prober(
    base_url: str, plan: SoakPlan, clock: SimClock, record: Records, stop: asyncio.Event
) -> None:
    """A probe of `/api/sectors` at every 10th simulated second of market hours (04:00 to the end of
    extended hours); each probe runs on its own, so a slow answer does not delay the next mark."""
    step = plan.load.probe_every_sim_secs
    windows = [market_hours(day) for day in plan.sessions]
    pending: set[asyncio.Task[None]] = set()

    async def probe(client: httpx.AsyncClient, mark: datetime) -> None:
        response, ms = await _timed_get(client, f"{base_url}/api/sectors")
        ok = _ok(response) and response is not None and bool(response.json().get("sectors"))
        record.probes.append((mark, ok, ms))

    limits = httpx.Limits(max_connections=64, max_keepalive_connections=32)
    async with httpx.AsyncClient(limits=limits) as client:
        for start, end in windows:
            mark = max(start, plan.start)
            while mark < min(end, plan.end) and not stop.is_set():
                delay = (clock.real_at(mark) - datetime.now(UTC)).total_seconds()
                if delay > 0:
                    await _pause(stop, delay)
                task = asyncio.create_task(probe(client, mark))
                pending.add(task)
                task.add_done_callback(pending.discard)
                mark += timedelta(seconds=step)
        if pending:
            await asyncio.wait(pending, timeout=15)
