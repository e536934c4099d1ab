"""`make bench`: the liveness and readiness probes at 50 connections while the vendor is slow.

One `sectorlights serve` on PostgreSQL and Redis, on the Polygon client against the sim vendor. The
vendor is first quick, then answers every request after `slow_ms`, with on-demand runs kept in flight
all along, so the probes are measured while runs wait on the vendor."""

from __future__ import annotations

import asyncio
import random
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from tests.bench.load import HttpError, percentiles, python_load, read_response, wrk_load
from tests.conftest import SIM_NOW
from tests.servers import running_server, running_sim_vendor
from tests.services import throwaway_postgres_database, throwaway_redis_server

PROBES = ("/livez", "/readyz")
TARGET_P99_MS = 5.0
PACED_EVERY_SECS = 0.1


def _keep_runs_in_flight(base_url: str, stop: threading.Event) -> list[int]:
    """Ask for an on-demand run whenever none is running (a 202 starts or joins one)."""
    statuses: list[int] = []
    with httpx.Client(base_url=base_url, timeout=10) as client:
        while not stop.is_set():
            statuses.append(client.post("/api/analysis").status_code)
            stop.wait(1.0)
    return statuses


async def _paced_client(
    host: str, port: int, path: str, every_secs: float, deadline: float, latencies_ms: list[float]
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
    # Spread the connections over the period rather than probing in lockstep.
    await asyncio.sleep(random.uniform(0, every_secs))
    try:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            writer.write(request)
            status, _body = await read_response(reader)
            latencies_ms.append((time.perf_counter() - started) * 1000.0)
            if status not in (200, 503):
                raise HttpError(f"GET {path}: HTTP {status}")
            await asyncio.sleep(max(0.0, every_secs - (time.perf_counter() - started)))
    finally:
        writer.close()


def paced_load(
    base_url: str, path: str, clients: int, every_secs: float, duration_secs: float
) -> dict[str, Any]:
    """`clients` connections each probing `path` every `every_secs` (an open loop, as probes come)."""
    parts = urlsplit(base_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    latencies_ms: list[float] = []

    async def run() -> float:
        started = time.perf_counter()
        deadline = started + duration_secs
        await asyncio.gather(
            *(_paced_client(host, port, path, every_secs, deadline, latencies_ms) for _ in range(clients))
        )
        return time.perf_counter() - started

    wall_secs = asyncio.run(run())
    return {"tool": "python-asyncio-paced", "every_secs": every_secs, **percentiles(latencies_ms, wall_secs)}


def _probe_loads(base_url: str, clients: int, duration_secs: float) -> dict[str, Any]:
    """Each probe saturated (wrk's closed loop: latency is mostly queueing behind the other 49) and
    paced (each connection every 100 ms, 500 probes a second in all)."""
    results: dict[str, Any] = {}
    for path in PROBES:
        python_load(base_url, path, clients, 1)  # warm-up
        results[path] = {
            "saturated": wrk_load(base_url, path, clients, duration_secs)
            or python_load(base_url, path, clients, duration_secs),
            "paced": paced_load(base_url, path, clients, PACED_EVERY_SECS, duration_secs),
        }
    return results


def bench_probes(clients: int = 50, duration_secs: float = 10.0, slow_ms: int = 3000) -> dict[str, Any]:
    with (
        tempfile.TemporaryDirectory() as workdir,
        throwaway_postgres_database() as database_url,
        throwaway_redis_server() as redis_url,
    ):
        frozen = {
            "SECTORLIGHTS_SIM_NOW": SIM_NOW.isoformat(),
            "SECTORLIGHTS_SIM_LISTINGS": "1500",
            "SECTORLIGHTS_SCHEDULE": "off",
            "SECTORLIGHTS_LOG_LEVEL": "warning",
        }
        with running_sim_vendor(frozen, Path(workdir)) as vendor:
            env = frozen | {
                "DATABASE_URL": database_url.replace("postgresql+psycopg://", "postgresql://", 1),
                "REDIS_URL": redis_url,
                "SECTORLIGHTS_PROVIDER": "polygon",
                "POLYGON_API_KEY": "bench-key",
                "POLYGON_BASE_URL": vendor,
                # Budget and per-user limits out of the way: the runs must keep calling the vendor.
                "SECTORLIGHTS_USER_ACTIONS_PER_MINUTE": "1000",
                "SECTORLIGHTS_POLYGON_TIMEOUT_SECS": str(slow_ms / 1000 + 30),
            }
            with running_server(env, Path(workdir)) as base_url:
                quick = _probe_loads(base_url, clients, duration_secs)
                httpx.post(
                    f"{vendor}/_control/faults", json={"*": {"delay_ms": slow_ms}}, timeout=5
                ).raise_for_status()
                stop = threading.Event()
                statuses: list[int] = []
                keeper = threading.Thread(
                    target=lambda: statuses.extend(_keep_runs_in_flight(base_url, stop)), daemon=True
                )
                keeper.start()
                time.sleep(2)  # the first run is waiting on the vendor
                slow = _probe_loads(base_url, clients, duration_secs)
                running = httpx.get(f"{base_url}/api/analysis/latest", timeout=10).json()["run"]
                stop.set()
                keeper.join(timeout=30)
    paced_p99_ms = max(slow[path]["paced"]["p99_ms"] for path in PROBES)
    saturated_p99_ms = max(slow[path]["saturated"]["p99_ms"] for path in PROBES)
    return {
        "concurrent_clients": clients,
        "duration_secs": duration_secs,
        "vendor_delay_ms": slow_ms,
        "vendor_quick": quick,
        "vendor_slow": slow,
        "run_during_slow_phase": {"status": running.get("status"), "stage": running.get("stage")},
        "on_demand_requests": {str(code): statuses.count(code) for code in sorted(set(statuses))},
        "target_p99_ms": TARGET_P99_MS,
        "paced_p99_ms_while_vendor_slow": paced_p99_ms,
        "saturated_p99_ms_while_vendor_slow": saturated_p99_ms,
        "meets_target_paced": paced_p99_ms < TARGET_P99_MS,
        "meets_target_saturated": saturated_p99_ms < TARGET_P99_MS,
    }


if __name__ == "__main__":
    import json

    print(json.dumps(bench_probes(), indent=2))
