"""Closed-loop HTTP load for `make bench`: `wrk` when it is installed, and a raw-socket asyncio
client that is always available (httpx costs more per request than the endpoints it would time).

Each of `clients` connections sends a request, reads the whole response, and sends the next.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import numpy as np

WRK_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def percentiles(latencies_ms: list[float], wall_secs: float) -> dict[str, float]:
    ordered = np.sort(np.asarray(latencies_ms))
    return {
        "requests": len(latencies_ms),
        "requests_per_sec": len(latencies_ms) / wall_secs,
        "p50_ms": float(np.percentile(ordered, 50)),
        "p90_ms": float(np.percentile(ordered, 90)),
        "p99_ms": float(np.percentile(ordered, 99)),
        "max_ms": float(ordered[-1]),
    }


class HttpError(RuntimeError):
    """The server answered something other than 2xx."""


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    body = await reader.readexactly(length) if length else b""
    return status, body


async def _client(
    host: str,
    port: int,
    next_request: Callable[[], tuple[str, str]],
    deadline: float,
    latencies_ms: list[float],
    on_response: Callable[[str, str, int], None] | None,
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < deadline:
            method, path = next_request()
            request = f"{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\n\r\n".encode()
            started = time.perf_counter()
            writer.write(request)
            status, _body = await read_response(reader)
            latencies_ms.append((time.perf_counter() - started) * 1000.0)
            if on_response is not None:
                on_response(method, path, status)
            elif not 200 <= status < 300:
                raise HttpError(f"{method} {path}: HTTP {status}")
    finally:
        writer.close()


async def closed_loop(
    base_url: str,
    clients: int,
    duration_secs: float,
    next_request: Callable[[], tuple[str, str]],
    on_response: Callable[[str, str, int], None] | None = None,
) -> tuple[list[float], float]:
    """Latencies (ms) of every request `clients` connections made in `duration_secs`, and the wall time."""
    parts = urlsplit(base_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    latencies_ms: list[float] = []
    started = time.perf_counter()
    deadline = started + duration_secs
    await asyncio.gather(
        *(_client(host, port, next_request, deadline, latencies_ms, on_response) for _ in range(clients))
    )
    return latencies_ms, time.perf_counter() - started


def python_load(base_url: str, path: str, clients: int, duration_secs: float) -> dict[str, Any]:
    """`GET path` from `clients` connections for `duration_secs` with the asyncio client."""
    latencies, wall_secs = asyncio.run(closed_loop(base_url, clients, duration_secs, lambda: ("GET", path)))
    return {"tool": "python-asyncio", **percentiles(latencies, wall_secs)}


def _wrk_ms(value: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", value)
    if match is None:
        raise ValueError(f"unexpected wrk latency {value!r}")
    return float(match.group(1)) * WRK_UNITS_MS[match.group(2)]


def parse_wrk(output: str) -> dict[str, Any]:
    """The request count, rate and latency percentiles of `wrk --latency` output."""
    result: dict[str, Any] = {"tool": "wrk"}
    for label, key in (("50%", "p50_ms"), ("90%", "p90_ms"), ("99%", "p99_ms")):
        match = re.search(rf"^\s*{re.escape(label)}\s+(\S+)", output, re.MULTILINE)
        if match is None:
            raise ValueError(f"wrk output has no {label} latency:\n{output}")
        result[key] = _wrk_ms(match.group(1))
    maximum = re.search(r"Latency\s+\S+\s+\S+\s+(\S+)", output)
    requests = re.search(r"(\d+) requests in", output)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if maximum is None or requests is None or rate is None:
        raise ValueError(f"unexpected wrk output:\n{output}")
    result |= {
        "max_ms": _wrk_ms(maximum.group(1)),
        "requests": int(requests.group(1)),
        "requests_per_sec": float(rate.group(1)),
        "non_2xx": int(errors.group(1)) if errors else 0,
    }
    return result


def wrk_load(base_url: str, path: str, clients: int, duration_secs: float) -> dict[str, Any] | None:
    """`wrk` on one thread (the server gets the other core), or None when wrk is not installed."""
    binary = shutil.which("wrk")
    if binary is None:
        return None
    completed = subprocess.run(
        [binary, "-t1", f"-c{clients}", f"-d{duration_secs:g}s", "--latency", base_url + path],
        capture_output=True,
        text=True,
        check=True,
        timeout=duration_secs + 30,
    )
    return parse_wrk(completed.stdout)
