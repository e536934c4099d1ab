"""`/ws` fan-out for `make bench`: N WebSocket clients on the embedded server, publish-to-receive
latency of every event to every client, and the server's memory per connection.

The server runs on the live clock (no SECTORLIGHTS_SIM_NOW): an event's `ts` is then the server's
wall-clock time at publish, so `receive wall time - ts` is the delivery latency (client and server
share the machine's clock). The events are the ones on-demand runs emit (`analysis_progress` per
stage, plus any `sector_update` / `top_stocks_change` the new grid causes).

Run from backend/: python -c "from tests.bench.live import bench_live; print(bench_live())"
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import os
import resource
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import numpy as np
from prometheus_client.parser import text_string_to_metric_families
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.bench.load import percentiles
from tests.servers import running_server

TARGET_P99_MS = 50.0
CONNECT_BATCH = 100
NOT_STREAMED = ("snapshot", "heartbeat")
# On the live clock; only the runs the bench requests publish; queues long enough that no client
# is resynchronised for being slow (a resync would be counted, not hidden).
LIVE_ENV = {
    "SECTORLIGHTS_LOG_LEVEL": "warning",
    "SECTORLIGHTS_SCHEDULE": "off",
    "SECTORLIGHTS_MOVE_WATCH": "false",
    "SECTORLIGHTS_USER_ACTIONS_PER_MINUTE": "600",
    "SECTORLIGHTS_WS_CLIENT_QUEUE": "4096",
}


def _raise_open_file_limit(needed: int) -> None:
    """Lift the soft limit on open files (inherited by the server process) when it is below `needed`."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        ceiling = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (ceiling, hard))


def _listening_inodes(port: int) -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), Path(table).open() as lines:
            next(lines)
            for line in lines:
                fields = line.split()
                local, state, inode = fields[1], fields[3], fields[9]
                if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:
                    inodes.add(inode)
    return inodes


def server_pid(port: int) -> int:
    """The process listening on `port` on this machine (found through /proc)."""
    sockets = {f"socket:[{inode}]" for inode in _listening_inodes(port)}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            for fd in (entry / "fd").iterdir():
                with contextlib.suppress(OSError):
                    if str(fd.readlink()) in sockets:
                        return int(entry.name)
    raise RuntimeError(f"no process found listening on port {port}")


def rss_kib(pid: int) -> int:
    """Resident set size of `pid` in KiB (/proc/PID/status VmRSS)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


@dataclass
class _Client:
    connection: ClientConnection | None
    # (receive wall time, raw message); parsed after the measurement, to keep the receive path short.
    received: list[tuple[float, str]] = field(default_factory=list)
    latest_seq: int = 0
    raw: _RawReader | None = None

    async def close(self) -> None:
        if self.connection is not None:
            await self.connection.close()
        if self.raw is not None and self.raw.transport is not None:
            self.raw.transport.close()


class _RawReader(asyncio.Protocol):
    """A WebSocket reader as light as a client can be: the frames are cut out of what arrives, with
    no task per message, so 1,000 of them in one process measure the server and not themselves.
    It offers no extension, so the server's frames are plain, unmasked and unfragmented."""

    def __init__(self, client: _Client, request: bytes) -> None:
        self.client = client
        self.request = request
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.upgraded = False
        self.first: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(self.request)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.first.done():
            self.first.set_exception(ConnectionError(f"closed before the snapshot: {exc}"))

    def data_received(self, data: bytes) -> None:
        at = time.time()
        self.buffer += data
        if not self.upgraded:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            status = bytes(self.buffer[: self.buffer.find(b"\r\n")])
            if b" 101 " not in status:
                self.first.set_exception(RuntimeError(f"upgrade refused: {status!r}"))
                return
            del self.buffer[: end + 4]
            self.upgraded = True
        while len(self.buffer) >= 2:
            opcode, length, offset = self.buffer[0] & 0x0F, self.buffer[1] & 0x7F, 2
            if length == 126:
                length, offset = int.from_bytes(self.buffer[2:4]), 4
            elif length == 127:
                length, offset = int.from_bytes(self.buffer[2:10]), 10
            if len(self.buffer) < offset + length:
                return
            payload = bytes(self.buffer[offset : offset + length])
            del self.buffer[: offset + length]
            if opcode != 1:
                continue
            text = payload.decode()
            if not self.first.done():
                self.first.set_result(text)
                continue
            self.client.received.append((at, text))
            # Cheap: the seq field sits between "seq": and ,"ts" in every message.
            seq = int(text[text.index('"seq":') + 6 : text.index(',"ts"')])
            self.client.latest_seq = max(self.client.latest_seq, seq)


async def _open_raw_client(url: str) -> _Client:
    parts = urlsplit(url)
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        f"GET {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    ).encode()
    client = _Client(None)
    reader = _RawReader(client, request)
    client.raw = reader
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    await asyncio.get_running_loop().create_connection(lambda: reader, host, port)
    first = json.loads(await asyncio.wait_for(reader.first, 120))
    if first["type"] != "snapshot":
        raise RuntimeError(f"expected a snapshot first, got {first['type']}")
    client.latest_seq = int(first["seq"])
    return client


async def _open_client(url: str, compression: bool) -> _Client:
    connection = await connect(
        url,
        max_size=None,
        open_timeout=120,
        ping_interval=None,
        compression="deflate" if compression else None,
    )
    first = json.loads(await connection.recv())
    if first["type"] != "snapshot":
        raise RuntimeError(f"expected a snapshot first, got {first['type']}")
    return _Client(connection, latest_seq=int(first["seq"]))


async def _read(client: _Client) -> None:
    if client.connection is None:
        return  # a raw client reads in its protocol
    with contextlib.suppress(ConnectionClosed):
        async for message in client.connection:
            at = time.time()
            text = message if isinstance(message, str) else message.decode()
            client.received.append((at, text))
            # Cheap: the seq field sits between "seq": and ,"ts" in every message.
            seq = int(text[text.index('"seq":') + 6 : text.index(',"ts"')])
            client.latest_seq = max(client.latest_seq, seq)


async def _settle(clients: list[_Client], quiet_secs: float = 0.5, within_secs: float = 60.0) -> None:
    """Until every client is at the same seq and nothing new arrived for `quiet_secs`."""
    deadline = time.monotonic() + within_secs
    last = (-1, -1)
    quiet_since = time.monotonic()
    while time.monotonic() < deadline:
        seqs = [client.latest_seq for client in clients]
        state = (min(seqs), max(seqs))
        if state != last:
            last, quiet_since = state, time.monotonic()
        elif state[0] == state[1] and time.monotonic() - quiet_since >= quiet_secs:
            return
        await asyncio.sleep(0.05)
    raise RuntimeError(f"clients did not settle: seqs from {last[0]} to {last[1]}")


async def _run_analysis(http: httpx.AsyncClient, base_url: str) -> str:
    accepted = await http.post(base_url + "/api/analysis")
    accepted.raise_for_status()
    run_id: str = accepted.json()["run_id"]
    while True:
        run = (await http.get(f"{base_url}/api/analysis/{run_id}")).json()
        if run["status"] != "running":
            break
        await asyncio.sleep(0.05)
    if run["status"] != "succeeded":
        raise RuntimeError(f"run {run_id} {run['status']}: {run.get('error')}")
    return run_id


LATENCY_KEYS = ("p50_ms", "p90_ms", "p99_ms", "max_ms")


def _latency_summary(latencies_ms: list[float]) -> dict[str, float]:
    if not latencies_ms:
        return dict.fromkeys(LATENCY_KEYS, float("nan"))
    summary = percentiles(latencies_ms, wall_secs=1.0)
    return {key: summary[key] for key in LATENCY_KEYS}


def _delivery_buckets(exposition: str) -> dict[float, float]:
    """The server's `sectorlights_ws_delivery_seconds` histogram (event in -> sent to one client):
    cumulative count by bucket bound."""
    buckets: dict[float, float] = {}
    for family in text_string_to_metric_families(exposition):
        for sample in family.samples:
            if sample.name == "sectorlights_ws_delivery_seconds_bucket":
                buckets[float(sample.labels["le"])] = sample.value
    return buckets


def _ws_clients(exposition: str) -> float:
    for family in text_string_to_metric_families(exposition):
        for sample in family.samples:
            if sample.name == "sectorlights_ws_clients":
                return sample.value
    return float("nan")


async def _delivery_histogram(http: httpx.AsyncClient, server_urls: tuple[str, ...]) -> dict[float, float]:
    """The delivery histograms of every server, added up."""
    total: dict[float, float] = {}
    for server_url in server_urls:
        for le, count in _delivery_buckets((await http.get(server_url + "/metrics")).text).items():
            total[le] = total.get(le, 0.0) + count
    return total


def _server_delivery(before: dict[float, float], after: dict[float, float]) -> dict[str, float]:
    """The servers' own share of the latency over the measurement (`after` - `before`): the bucket
    bound under which 50 % / 99 % of their sends finished."""
    buckets = sorted((le, count - before.get(le, 0.0)) for le, count in after.items())
    total = buckets[-1][1] if buckets else 0.0

    def bound(share: float) -> float:
        return next((le * 1000.0 for le, count in buckets if total and count >= share * total), float("nan"))

    return {"sends": total, "p50_ms_at_most": bound(0.5), "p99_ms_at_most": bound(0.99)}


@dataclass(frozen=True)
class Target:
    """Where the clients connect (`ws_url`), the base URLs analysis runs are requested from in turn,
    and each server process behind: its own base URL (for /metrics) and its pid (for memory)."""

    ws_url: str
    run_urls: tuple[str, ...]
    server_urls: tuple[str, ...]
    pids: tuple[int, ...]

    @classmethod
    def single(cls, base_url: str) -> Target:
        parts = urlsplit(base_url)
        pid = server_pid(parts.port or 80)
        return cls(f"ws://{parts.hostname}:{parts.port}/ws", (base_url,), (base_url,), (pid,))

    def rss_kib(self) -> int:
        return sum(rss_kib(pid) for pid in self.pids)


async def _loop_lag(lags_ms: list[float]) -> None:
    """How late a 1 ms sleep wakes up: this process's own backlog, which the latencies include."""
    while True:
        started = time.perf_counter()
        await asyncio.sleep(0.001)
        lags_ms.append((time.perf_counter() - started) * 1000.0 - 1.0)


async def _measure(
    target: Target, client_count: int, runs: int, compression: bool, raw_clients: bool
) -> dict[str, Any]:
    url = target.ws_url
    # The first connection's imports and buffers are not a per-connection cost.
    opener = _open_raw_client if raw_clients else partial(_open_client, compression=compression)
    warm = await opener(url)
    await warm.close()
    await asyncio.sleep(1.0)
    rss_before = target.rss_kib()

    started = time.perf_counter()
    clients: list[_Client] = []
    for offset in range(0, client_count, CONNECT_BATCH):
        batch = min(CONNECT_BATCH, client_count - offset)
        clients.extend(await asyncio.gather(*(opener(url) for _ in range(batch))))
    connect_secs = time.perf_counter() - started
    readers = [asyncio.create_task(_read(client)) for client in clients]
    await asyncio.sleep(1.0)
    rss_after = target.rss_kib()

    lags_ms: list[float] = []
    lag = asyncio.create_task(_loop_lag(lags_ms))
    try:
        async with httpx.AsyncClient(timeout=120) as http:
            clients_per_server = [
                _ws_clients((await http.get(server_url + "/metrics")).text)
                for server_url in target.server_urls
            ]
            histogram_before = await _delivery_histogram(http, target.server_urls)
            first_seq = max(client.latest_seq for client in clients)
            for run in range(runs):
                await _run_analysis(http, target.run_urls[run % len(target.run_urls)])
                await _settle(clients)
            server_side = _server_delivery(
                histogram_before, await _delivery_histogram(http, target.server_urls)
            )
    finally:
        lag.cancel()
        for client in clients:
            await client.close()
        for reader in readers:
            reader.cancel()
        await asyncio.gather(*readers, return_exceptions=True)

    latencies_ms: list[float] = []
    resyncs = 0
    by_type: dict[str, int] = {}
    latencies_by_type: dict[str, list[float]] = {}
    # Progress events by stage: the stage says what the run does right after publishing the event.
    latencies_by_stage: dict[str, list[float]] = {}
    per_client: list[list[int]] = []
    for client in clients:
        mine: list[int] = []
        for at, raw in client.received:
            message = json.loads(raw)
            if message["type"] == "snapshot":
                resyncs += 1
            if message["type"] in NOT_STREAMED:
                continue
            mine.append(int(message["seq"]))
            if client is clients[0]:
                by_type[message["type"]] = by_type.get(message["type"], 0) + 1
            latency_ms = (at - datetime.fromisoformat(message["ts"]).timestamp()) * 1000.0
            latencies_ms.append(latency_ms)
            latencies_by_type.setdefault(message["type"], []).append(latency_ms)
            if message["type"] == "analysis_progress":
                latencies_by_stage.setdefault(message["payload"]["stage"], []).append(latency_ms)
        per_client.append(mine)
    seqs = {seq for mine in per_client for seq in mine}
    expected = set(range(first_seq + 1, max(seqs, default=first_seq) + 1))
    missing = sum(len(expected - set(mine)) for mine in per_client)
    out_of_order = sum(
        sum(1 for earlier, later in itertools.pairwise(mine) if later <= earlier) for mine in per_client
    )
    summary = _latency_summary(latencies_ms)
    return {
        "clients": client_count,
        "client": "raw" if raw_clients else "websockets",
        "permessage_deflate": compression and not raw_clients,
        "analysis_runs": runs,
        "events": len(seqs),
        "events_by_type": by_type,
        "deliveries": len(latencies_ms),
        "missing_deliveries": missing,
        "out_of_order_deliveries": out_of_order,
        "resync_snapshots": resyncs,
        "connect_secs": connect_secs,
        # Each server's own count, the bench's and the warm-up's leftovers included.
        "clients_per_server": clients_per_server,
        "client_loop_lag_ms": {"p99": float(np.percentile(lags_ms, 99)), "max": max(lags_ms)},
        # What of the latency is the server's: the rest is the kernel and the clients' own reading.
        "server_delivery": server_side,
        **summary,
        "latency_by_type": {kind: _latency_summary(values) for kind, values in latencies_by_type.items()},
        "progress_latency_by_stage": {
            stage: _latency_summary(values) for stage, values in latencies_by_stage.items()
        },
        "server_rss_before_kib": rss_before,
        "server_rss_after_kib": rss_after,
        "memory_per_connection_kib": (rss_after - rss_before) / client_count,
        "target_p99_ms": TARGET_P99_MS,
        "meets_target": summary["p99_ms"] < TARGET_P99_MS,
    }


def bench_live(
    client_counts: tuple[int, ...] = (50, 500, 1000),
    runs: int = 5,
    compression: bool = True,
    raw_clients: bool = True,
) -> list[dict[str, Any]]:
    """`/ws` delivery latency (p50/p99/max over every event x client) and server memory per
    connection, one fresh server per client count; target p99 < 50 ms at 500 and 1,000 clients.

    By default the clients are raw readers (`_RawReader`): with a websockets client per connection
    the one client process, not the server, set the p99 at 1,000 clients. `raw_clients=False` uses
    websockets clients that offer permessage-deflate as browsers do (`compression=False` not to); the
    server refuses it (`sectorlights serve`). The clients share the machine with the server, and
    `client_loop_lag_ms` shows their own backlog."""
    _raise_open_file_limit(max(client_counts) * 2 + 512)
    results = []
    for client_count in client_counts:
        with tempfile.TemporaryDirectory() as workdir, running_server(LIVE_ENV, Path(workdir)) as base_url:
            time.sleep(2)  # the start-up run's bookkeeping settles; it is not what is measured
            target = Target.single(base_url)
            results.append(asyncio.run(_measure(target, client_count, runs, compression, raw_clients)))
    return results
