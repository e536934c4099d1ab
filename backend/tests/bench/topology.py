"""Two replicas behind nginx, as deploy/compose.yaml runs them (tests/topology.py): `GET /api/sectors`
latency through the proxy, and `/ws` publish-to-receive latency with the clients spread by nginx over
both replicas while the runs alternate between them, so every event reaches the clients of the other
replica through Redis.

Run from backend/: python -m tests.bench.run --out /tmp/topology.json --only topology
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.bench.live import LIVE_ENV, TARGET_P99_MS, Target, _measure, _raise_open_file_limit, server_pid
from tests.bench.load import python_load, wrk_load
from tests.topology import Topology, running_topology


def _target(topology: Topology) -> Target:
    proxy = urlsplit(topology.proxy_url)
    urls = tuple(replica.base_url for replica in topology.replicas)
    return Target(
        ws_url=f"ws://{proxy.hostname}:{proxy.port}/ws",
        run_urls=urls,
        server_urls=urls,
        pids=tuple(server_pid(urlsplit(url).port or 80) for url in urls),
    )


def bench_topology(
    http_clients: int, duration_secs: float, ws_client_counts: tuple[int, ...], runs: int = 6
) -> dict[str, Any]:
    """Both measurements on one topology (PostgreSQL, Redis, two replicas, nginx); the `/ws` targets
    are those of one replica (p99 < 50 ms), the HTTP one that of `make bench`'s `http` (p99 < 25 ms)."""
    # nginx holds two descriptors per proxied client, and inherits this limit.
    _raise_open_file_limit(max(ws_client_counts) * 2 + 512)
    try:
        with tempfile.TemporaryDirectory() as workdir, running_topology(LIVE_ENV, Path(workdir)) as topology:
            time.sleep(2)  # the start-up runs' bookkeeping settles; it is not what is measured
            proxy = topology.proxy_url
            path = "/api/sectors"
            python_load(proxy, path, http_clients, 2)  # warm-up, through nginx to both replicas
            http = {
                "wrk": wrk_load(proxy, path, http_clients, duration_secs),
                "python": python_load(proxy, path, http_clients, duration_secs),
            }
            target = _target(topology)
            websocket = [
                asyncio.run(_measure(target, count, runs, compression=True, raw_clients=True))
                for count in ws_client_counts
            ]
    except pytest.skip.Exception as skipped:  # no nginx, PostgreSQL or Redis here
        return {"skipped": str(skipped)}
    http_target = http["wrk"] or http["python"]
    return {
        "replicas": len(target.server_urls),
        "proxy": "nginx (deploy/nginx.conf)",
        "bus": "redis",
        "database": "postgresql",
        "http": {
            "path": path,
            "concurrent_clients": http_clients,
            "duration_secs": duration_secs,
            **http,
            "target_p99_ms": 25.0,
            "p99_ms": http_target["p99_ms"],
            "meets_target": http_target["p99_ms"] < 25.0,
        },
        "websocket": websocket,
        "websocket_meets_target": all(result["p99_ms"] < TARGET_P99_MS for result in websocket),
    }
