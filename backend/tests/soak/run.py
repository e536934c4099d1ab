"""`make soak DAYS=N`: the accelerated trading week under load and faults (plan.py), measured
(report.py) into bench/results/soak.json with a plot beside it.

Run from backend/: python -m tests.soak.run --days 5 --out ../bench/results/soak.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import signal
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg

from tests.bench.live import _raise_open_file_limit, rss_kib
from tests.services import free_port, nginx_binary
from tests.soak.faults import Done, carry_out
from tests.soak.load import Records, Socket, actions, poller, prober, ws_client
from tests.soak.plan import SimClock, SoakPlan, short_plan, week_plan
from tests.soak.report import report, write_plot
from tests.soak.stack import Stack, running_stack
from tests.topology import NGINX_CONF, local_proxy_config, running_nginx

# Real seconds of set-up before the simulated clock reaches the plan's start (about 10 s on an idle
# 2-core machine: a late start only moves the processes' first simulated minutes).
SETUP_SECS = 20.0


@dataclass
class Samples:
    rss_kib: list[tuple[datetime, dict[str, tuple[int, int]]]] = field(default_factory=list)  # hourly
    database_bytes: list[tuple[datetime, int]] = field(default_factory=list)
    ws_clients: list[tuple[datetime, dict[str, int]]] = field(default_factory=list)  # hourly, per replica
    faults: list[Done] = field(default_factory=list)


def _kib(pid: int | None) -> int | None:
    if pid is None:
        return None
    try:
        return rss_kib(pid)
    except (OSError, RuntimeError):
        return None


def _rss(stack: Stack) -> dict[str, tuple[int, int]]:
    """Process name -> (pid, RSS KiB); PostgreSQL as the postmaster's pid and its processes' sum."""
    named = [(replica.name, replica.pid) for replica in stack.replicas]
    named += [
        ("vendor", stack.vendor.pid),
        ("redis", stack.redis.process.pid if stack.redis.process else None),
    ]
    sizes = {name: (pid, kib) for name, pid in named if pid is not None and (kib := _kib(pid)) is not None}
    postgres = stack.postgres.pids()
    if postgres:
        sizes["postgres"] = (postgres[0], sum(_kib(pid) or 0 for pid in postgres))
    return sizes


WS_CLIENTS = re.compile(r"^sectorlights_ws_clients (\S+)$", re.MULTILINE)


def _ws_clients(stack: Stack) -> dict[str, int]:
    """Each live replica's connected `/ws` clients (its /metrics gauge): memory follows them."""
    counts: dict[str, int] = {}
    for replica in stack.replicas:
        try:
            found = WS_CLIENTS.search(httpx.get(f"{replica.base_url}/metrics", timeout=5).text)
        except httpx.HTTPError:
            continue
        if found:
            counts[replica.name] = int(float(found.group(1)))
    return counts


def _database_bytes(url: str) -> int:
    with psycopg.connect(url, connect_timeout=5) as connection:
        row = connection.execute("select pg_database_size(current_database())").fetchone()
    return int(row[0]) if row else 0


async def _at(clock: SimClock, simulated: datetime, stop: asyncio.Event) -> bool:
    """Wait until the simulated clock reaches `simulated`; False when stopped first."""
    delay = (clock.real_at(simulated) - datetime.now(UTC)).total_seconds()
    if delay > 0:
        try:
            await asyncio.wait_for(stop.wait(), timeout=delay)
        except TimeoutError:
            return True
    return not stop.is_set()


async def _sampler(
    stack: Stack, plan: SoakPlan, clock: SimClock, samples: Samples, stop: asyncio.Event
) -> None:
    mark = plan.start
    while mark <= plan.end and await _at(clock, mark, stop):
        samples.rss_kib.append((mark, _rss(stack)))
        samples.ws_clients.append((mark, await asyncio.to_thread(_ws_clients, stack)))
        if mark.hour == 23 or mark == plan.start:
            try:
                bytes_ = await asyncio.to_thread(_database_bytes, stack.postgres.url)
                samples.database_bytes.append((mark, bytes_))
            except psycopg.Error:
                pass
        mark += timedelta(hours=1)


async def _faults(
    stack: Stack, plan: SoakPlan, clock: SimClock, samples: Samples, stop: asyncio.Event
) -> None:
    for fault in plan.faults:
        if not await _at(clock, fault.at, stop):
            return
        done = await asyncio.to_thread(carry_out, stack, fault)
        samples.faults.append(done)
        print(f"soak: {fault.kind} at {fault.at.isoformat()} {done.detail}", file=sys.stderr, flush=True)


async def _drive(stack: Stack, proxy_url: str, plan: SoakPlan, clock: SimClock) -> tuple[Records, Samples]:
    records, samples, stop = Records(), Samples(), asyncio.Event()
    load = plan.load
    ws_url = proxy_url.replace("http://", "ws://") + "/ws"
    tasks = []
    for index in range(load.ws_clients):
        socket = Socket(slow=index < load.ws_clients * load.slow_reader_share)
        records.sockets.append(socket)
        leaves = index % max(1, round(1 / load.reconnect_share)) == 1
        tasks.append(asyncio.create_task(ws_client(ws_url, records, socket, leaves, stop)))
    tasks += [asyncio.create_task(poller(proxy_url, records, load, stop)) for _ in range(load.pollers)]
    tasks.append(asyncio.create_task(actions(proxy_url, records, load, stop)))
    tasks.append(asyncio.create_task(prober(proxy_url, plan, clock, records, stop)))
    tasks.append(asyncio.create_task(_sampler(stack, plan, clock, samples, stop)))
    faults = asyncio.create_task(_faults(stack, plan, clock, samples, stop))
    await _at(clock, plan.end, asyncio.Event())
    await faults
    stop.set()
    await asyncio.wait(tasks, timeout=30)
    return records, samples


def run_soak(plan: SoakPlan, folder: Path, progress: Callable[[str], None] = print) -> dict[str, Any]:
    """The plan carried out on a fresh stack under `folder`; the report (report.py) as a dict."""
    _raise_open_file_limit(plan.load.ws_clients * 4 + 1024)
    nginx = nginx_binary()
    epoch = datetime.now(UTC) + timedelta(seconds=SETUP_SECS)
    clock = SimClock(plan.start, epoch, plan.speed)
    market = {
        "SECTORLIGHTS_SIM_NOW": plan.start.isoformat(),
        "SECTORLIGHTS_SIM_SPEED": str(plan.speed),
        "SECTORLIGHTS_SIM_EPOCH": epoch.isoformat(),
        "SECTORLIGHTS_SIM_LISTINGS": str(plan.listings),
    }
    if plan.vendor_scenario:
        market["SECTORLIGHTS_SIM_SCENARIO"] = plan.vendor_scenario
    engine = {
        "SECTORLIGHTS_SCHEDULE": "market",
        # Real seconds: a vendor recovers in real time whatever the clock's speed.
        "SECTORLIGHTS_SCHEDULE_RETRY_DELAYS_SECS": "[1, 2, 4]",
        # Simulated seconds: the default 15 would be a whole-market snapshot every 37 real ms at 400x;
        # the 04:00 and 09:30 anchors are polled whatever the interval.
        "SECTORLIGHTS_MOVE_POLL_SECS": "120",
        "SECTORLIGHTS_USER_ACTIONS_PER_MINUTE": "600",
        "SECTORLIGHTS_LOG_LEVEL": "INFO",
    }
    progress(
        f"soak: {plan.start.isoformat()} to {plan.end.isoformat()} at {plan.speed:g}x, "
        f"{plan.real_secs / 60:.1f} real minutes after {SETUP_SECS:.0f} s of set-up"
    )
    with running_stack(market, engine, folder) as stack:
        ports = [replica.port for replica in stack.replicas]
        port = free_port()
        config = local_proxy_config(NGINX_CONF.read_text(encoding="utf-8"), ports, port)
        with running_nginx(nginx, config, folder / "proxy", port) as proxy_url:
            records, samples = asyncio.run(_drive(stack, proxy_url, plan, clock))
        result = report(plan, clock, stack, records, samples)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=5, help="trading days (default 5)")
    parser.add_argument("--speed", type=float, default=400.0, help="simulated seconds per real second")
    parser.add_argument("--short", action="store_true", help="the two-hour version `make test` runs")
    parser.add_argument("--out", type=Path, default=Path("../bench/results/soak.json"))
    parser.add_argument("--keep", type=Path, help="keep the processes' logs in this new folder")
    args = parser.parse_args(argv)
    # A stop from outside (kill, CI's timeout) still stops the servers and removes their files.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))
    plan = short_plan(args.speed) if args.short else week_plan(args.days, args.speed)
    if args.keep is not None:
        args.keep.mkdir(parents=True)
        result = run_soak(plan, args.keep)
    else:
        with tempfile.TemporaryDirectory(prefix="soak-") as workdir:
            result = run_soak(plan, Path(workdir))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    write_plot(result, args.out.with_suffix(".png"))
    print(json.dumps(result["summary"], indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
