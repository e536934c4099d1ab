"""`make bench`: analysis compute, a full run, `GET /api/sectors` latency next to `GET /health`,
the grid cache hit rate under mixed traffic, on-demand end-to-end time and the backtest per session;
writes JSON.

Run from backend/: python -m tests.bench.run --out ../bench/results/latest.json
(`--only websocket --live-clients 500 1000` for one part; `--only` repeats).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import platform
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import redis

from sectorlights.analytics.analysis import analyze
from sectorlights.analytics.catalysts import NewsCounts, news_counts
from sectorlights.analytics.validation import PROXY_SECTOR_INDEX
from sectorlights.domain.frame import MarketFrame
from sectorlights.domain.vocabulary import Sector
from sectorlights.engine.classification_sources import ClassificationSources
from sectorlights.engine.frame_builder import DailyBarsCache, build_frame
from sectorlights.engine.pipeline import AnalysisInputs, analyze_market
from sectorlights.providers.base import MemorySectorReferenceStore
from sectorlights.providers.simulated import SimulatedProvider
from sectorlights.settings import AnalysisSettings
from tests.bench.backtest import bench_backtest
from tests.bench.live import bench_live
from tests.bench.load import closed_loop, percentiles, python_load, wrk_load
from tests.bench.probes import bench_probes
from tests.bench.topology import bench_topology
from tests.conftest import SIM_NOW
from tests.servers import running_server, running_sim_vendor, uvicorn_in_thread
from tests.services import throwaway_redis_server


def _timed(function: Callable[[], Any], repeats: int) -> dict[str, float]:
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000.0)
    return {"min_ms": min(samples), "median_ms": statistics.median(samples), "max_ms": max(samples)}


def bench_analysis(listing_count: int) -> dict[str, Any]:
    provider = SimulatedProvider(seed=7, listing_count=listing_count)
    cache = DailyBarsCache()
    cold = _timed(lambda: build_frame(provider, SIM_NOW, 25, cache), 1)
    warm = _timed(lambda: build_frame(provider, SIM_NOW, 25, cache), 3)
    frame = build_frame(provider, SIM_NOW, 25, cache)
    news = news_counts(provider.news(SIM_NOW - timedelta(hours=24), SIM_NOW), frame.symbols)
    compute = _timed(lambda: analyze(frame, news=news), 5)
    # What a run adds around the compute: the news request and counting, classification inputs.
    inputs = AnalysisInputs.from_settings(
        AnalysisSettings(), ClassificationSources(MemorySectorReferenceStore())
    )
    pipeline = _timed(lambda: analyze_market(provider, frame, inputs), 3)
    # One numpy pass over the same arrays, the floor the analysis is compared with.
    single_pass = _timed(lambda: np.nanmean(frame.daily_close / frame.daily_close[:, :1], axis=1), 5)
    return {
        "listings": frame.size,
        "frame_build_cold": cold,
        "frame_build_warm": warm,
        "analysis_compute": compute,
        "analysis_pipeline": pipeline,
        "single_numpy_pass": single_pass,
        "compute_to_single_pass_ratio": compute["median_ms"] / max(single_pass["median_ms"], 1e-6),
    }


def _tiled_rows(frame: MarketFrame, listing_count: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows of `frame` repeated up to `listing_count`, sorted by their new unique symbols."""
    copies = -(-listing_count // frame.size)
    rows = np.tile(np.arange(frame.size), copies)[:listing_count]
    suffix = np.repeat(np.arange(copies), frame.size)[:listing_count].astype(np.str_)
    symbols = np.char.add(np.char.add(frame.symbols[rows], "."), suffix)
    order = np.argsort(symbols, kind="stable")
    return rows[order], symbols[order]


def _tiled_frame(frame: MarketFrame, rows: np.ndarray, symbols: np.ndarray) -> tuple[MarketFrame, np.ndarray]:
    """`frame` with `rows` (from `_tiled_rows`) and their unique symbols, and the source row of each
    new row; benchmark and ETF proxies keep their own symbols in their first copy, so the analysis
    finds them."""
    kept = symbols.copy()
    for original in ("IWM", *PROXY_SECTOR_INDEX):
        copies = np.flatnonzero(frame.symbols[rows] == original)
        if copies.size:
            kept[copies[0]] = original
    order = np.argsort(kept, kind="stable")
    changes: dict[str, Any] = {"symbols": kept[order]}
    for field in dataclasses.fields(frame):
        value = getattr(frame, field.name)
        if field.name != "symbols" and isinstance(value, np.ndarray) and value.shape[:1] == (frame.size,):
            changes[field.name] = value[rows[order]]
    return dataclasses.replace(frame, **changes), rows[order]


def _tiled_news(news: NewsCounts, rows: np.ndarray) -> NewsCounts:
    return NewsCounts(
        articles=news.articles[rows], positive=news.positive[rows], negative=news.negative[rows]
    )


def bench_analysis_scaling(listing_counts: tuple[int, ...] = (1_500, 8_000, 30_000)) -> list[dict[str, Any]]:
    """`analyze` compute time (news, ETF check and gap profile included) against one numpy pass over
    the same arrays, as the market grows.

    Frames come from the simulated provider up to its 8,500 listings; larger ones tile that frame
    (symbols made unique), so the per-row work is the same as for a real market of that size.
    """
    results = []
    for listing_count in listing_counts:
        built = min(listing_count, 8_500)
        provider = SimulatedProvider(seed=7, listing_count=built)
        frame = build_frame(provider, SIM_NOW, 25, DailyBarsCache())
        items = provider.news(SIM_NOW - timedelta(hours=24), SIM_NOW)
        news_timing = _timed(lambda frame=frame, items=items: news_counts(items, frame.symbols), 5)
        news = news_counts(items, frame.symbols)
        source = "simulated"
        if frame.size < listing_count:
            frame, source_rows = _tiled_frame(frame, *_tiled_rows(frame, listing_count))
            news = _tiled_news(news, source_rows)
            source = f"simulated {built:,} tiled"
        compute = _timed(lambda frame=frame, news=news: analyze(frame, news=news), 5)
        single_pass = _timed(
            lambda frame=frame: np.nanmean(frame.daily_close / frame.daily_close[:, :1], axis=1), 5
        )
        results.append(
            {
                "listings": frame.size,
                "frame_source": source,
                "news_articles": len(items),
                "news_counting": news_timing,
                "analysis_compute": compute,
                "single_numpy_pass": single_pass,
                "compute_to_single_pass_ratio": compute["median_ms"] / max(single_pass["median_ms"], 1e-6),
                "compute_us_per_listing": compute["median_ms"] * 1000.0 / frame.size,
            }
        )
    return results


def bench_polygon_refresh(listing_count: int) -> dict[str, Any]:
    """Vendor requests and time of a cold and a warm refresh through the polygon provider."""
    from pydantic import SecretStr

    from sectorlights.core.clock import FrozenClock
    from sectorlights.engine.frame_builder import SnapshotMemory
    from sectorlights.providers.base import MemoryReferenceStore
    from sectorlights.providers.polygon.factory import create_polygon_provider
    from sectorlights.providers.registry import ProviderContext
    from sectorlights.settings import ProviderSettings
    from sectorlights.simvendor.vendor import FaultConfig, create_vendor_app

    clock = FrozenClock(SIM_NOW)
    app = create_vendor_app(SimulatedProvider(seed=7, listing_count=listing_count), clock, FaultConfig())
    with uvicorn_in_thread(app) as (base_url, _server):
        settings = ProviderSettings().model_copy(
            update={"polygon_api_key": SecretStr("bench"), "polygon_base_url": base_url}
        )
        provider = create_polygon_provider(
            settings, ProviderContext(clock=clock, reference_store=MemoryReferenceStore())
        )
        bars, memory = DailyBarsCache(), SnapshotMemory()
        results: dict[str, Any] = {"listings": listing_count}
        for phase in ("cold", "warm"):
            before = provider.request_count
            started = time.perf_counter()
            frame = build_frame(provider, SIM_NOW, 25, bars, snapshot_memory=memory)
            analyze(frame)
            results[phase] = {
                "requests": provider.request_count - before,
                "seconds": time.perf_counter() - started,
            }
        return results


def bench_http(clients: int, duration_secs: float) -> dict[str, Any]:
    """`GET /api/sectors` (the dashboard's read) next to `GET /health` in one run of the embedded
    server: p50/p99 at `clients` concurrent connections, with wrk when installed and the asyncio
    client always (it shares the two cores with the server, so it reads higher)."""
    with tempfile.TemporaryDirectory() as workdir:
        env = {"SECTORLIGHTS_SIM_NOW": SIM_NOW.isoformat(), "SECTORLIGHTS_LOG_LEVEL": "warning"}
        with running_server(env, Path(workdir)) as base_url:
            time.sleep(3)  # the start-up run's bookkeeping settles; it is not what is measured
            results: dict[str, Any] = {}
            for path in ("/api/sectors", "/health"):
                python_load(base_url, path, clients, 2)  # warm-up
                results[path] = {
                    "wrk": wrk_load(base_url, path, clients, duration_secs),
                    "python": python_load(base_url, path, clients, duration_secs),
                }
    target = results["/api/sectors"]["wrk"] or results["/api/sectors"]["python"]
    return {
        "concurrent_clients": clients,
        "duration_secs": duration_secs,
        **results,
        "target_p99_ms": 25.0,
        "api_sectors_p99_ms": target["p99_ms"],
        "meets_target": target["p99_ms"] < 25.0,
    }


def _metric(exposition: str, name: str, labels: str) -> float:
    """One sample of a Prometheus text exposition (0 when absent)."""
    match = re.search(rf"^{re.escape(name)}\{{{re.escape(labels)}\}} (\S+)$", exposition, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


def _cache_reads(base_url: str) -> dict[str, float]:
    exposition = httpx.get(base_url + "/metrics", timeout=10).text
    return {
        outcome: _metric(exposition, "sectorlights_grid_cache_reads_total", f'outcome="{outcome}"')
        for outcome in ("hit", "miss", "error")
    }


MIXED_READS = (
    (0.55, lambda rng: "/api/sectors"),
    (0.15, lambda rng: f"/api/sectors/{rng.choice(SECTOR_VALUES)}"),
    (0.10, lambda rng: "/api/analysis/latest"),
    (0.10, lambda rng: f"/api/stocks/{rng.choice(MIXED_SYMBOLS)}"),
    (0.05, lambda rng: f"/api/sectors/{rng.choice(SECTOR_VALUES)}/history?limit=50"),
    (0.05, lambda rng: f"/api/universe?limit=100&offset={int(rng.integers(0, 10)) * 100}"),
)
SECTOR_VALUES = [sector.value for sector in Sector]
MIXED_SYMBOLS = ["SOUN", "KOSS", "ZZZZ", "AAPL", "RIOT", "MARA", "BBAI", "PLUG"]


async def _mixed_traffic(
    base_url: str,
    clients: int,
    duration_secs: float,
    runs_every_secs: float,
    flush: Callable[[], None] | None,
) -> dict[str, Any]:
    """Readers on the mixed paths while an on-demand run is requested every `runs_every_secs`
    (and, when `flush` is given, the cache is emptied once halfway, as after a Redis restart)."""
    rng = np.random.default_rng(11)
    weights = np.array([weight for weight, _ in MIXED_READS])
    statuses: dict[str, int] = {}

    def next_request() -> tuple[str, str]:
        _weight, make = MIXED_READS[int(rng.choice(len(MIXED_READS), p=weights / weights.sum()))]
        return "GET", make(rng)

    def on_response(method: str, path: str, status: int) -> None:
        key = f"{status // 100}xx"
        statuses[key] = statuses.get(key, 0) + 1
        if status >= 500:
            raise RuntimeError(f"{method} {path}: HTTP {status}")

    async def writer() -> int:
        requested = 0
        async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
            deadline = time.perf_counter() + duration_secs
            flushed = False
            while time.perf_counter() < deadline - runs_every_secs / 2:
                await asyncio.sleep(runs_every_secs)
                response = await client.post("/api/analysis")
                response.raise_for_status()
                requested += 1
                if flush is not None and not flushed and time.perf_counter() > deadline - duration_secs / 2:
                    await asyncio.to_thread(flush)
                    flushed = True
        return requested

    readers = closed_loop(base_url, clients, duration_secs, next_request, on_response)
    (latencies, wall_secs), runs_requested = await asyncio.gather(readers, writer())
    return {"runs_requested": runs_requested, "statuses": statuses, **percentiles(latencies, wall_secs)}


def bench_cache_hit_rate(clients: int = 20, duration_secs: float = 20.0) -> list[dict[str, Any]]:
    """Grid-read cache hit rate under mixed traffic with on-demand runs (write-through), on the
    in-process cache and on a Redis of its own (emptied once mid-run); target >= 90%."""
    results = []
    backends = ["memory", "redis"] if shutil.which("redis-server") else ["memory"]
    for backend in backends:
        with tempfile.TemporaryDirectory() as workdir, contextlib.ExitStack() as stack:
            env = {
                "SECTORLIGHTS_SIM_NOW": SIM_NOW.isoformat(),
                "SECTORLIGHTS_SIM_LISTINGS": "1500",
                "SECTORLIGHTS_LOG_LEVEL": "warning",
                "SECTORLIGHTS_USER_ACTIONS_PER_MINUTE": "600",
            }
            flush: Callable[[], None] | None = None
            if backend == "redis":
                redis_url = stack.enter_context(throwaway_redis_server())
                env["REDIS_URL"] = redis_url
                flush = lambda url=redis_url: redis.Redis.from_url(url).flushall()  # noqa: E731
            base_url = stack.enter_context(running_server(env, Path(workdir)))
            before = _cache_reads(base_url)
            traffic = asyncio.run(_mixed_traffic(base_url, clients, duration_secs, 4.0, flush))
            after = _cache_reads(base_url)
        delta = {outcome: after[outcome] - before[outcome] for outcome in after}
        reads = sum(delta.values())
        hit_rate = delta["hit"] / reads if reads else 0.0
        results.append(
            {
                "cache": backend,
                "flushed_mid_run": flush is not None,
                "grid_reads": reads,
                "grid_cache_reads": delta,
                "hit_rate": hit_rate,
                "target_hit_rate": 0.9,
                "meets_target": hit_rate >= 0.9,
                "traffic": traffic,
            }
        )
    return results


def bench_on_demand(repeats: int = 3) -> dict[str, Any]:
    """`POST /api/analysis` to the grid showing the new run, through the polygon provider against
    the simulated vendor over HTTP (start-up run first: it warms the reference data); target < 15 s."""
    with tempfile.TemporaryDirectory() as workdir:
        frozen = {"SECTORLIGHTS_SIM_NOW": SIM_NOW.isoformat(), "SECTORLIGHTS_LOG_LEVEL": "warning"}
        with running_sim_vendor(frozen, Path(workdir)) as vendor:
            env = frozen | {
                "SECTORLIGHTS_PROVIDER": "polygon",
                "POLYGON_API_KEY": "bench-key",
                "POLYGON_BASE_URL": vendor,
                "SECTORLIGHTS_SCHEDULE": "off",
                "SECTORLIGHTS_USER_ACTIONS_PER_MINUTE": "600",
            }
            started = time.perf_counter()
            with running_server(env, Path(workdir), timeout_secs=600) as base_url:
                startup_secs = time.perf_counter() - started
                samples = []
                with httpx.Client(base_url=base_url, timeout=60) as client:
                    for _ in range(repeats):
                        samples.append(_one_on_demand_run(client))
    seconds = [sample["seconds"] for sample in samples]
    return {
        "provider": "polygon against the simulated vendor",
        "startup_run_secs": startup_secs,
        "runs": samples,
        "median_secs": statistics.median(seconds),
        "max_secs": max(seconds),
        "target_secs": 15.0,
        "meets_target": max(seconds) < 15.0,
    }


def _one_on_demand_run(client: httpx.Client) -> dict[str, Any]:
    started = time.perf_counter()
    accepted = client.post("/api/analysis")
    accepted.raise_for_status()
    run_id = accepted.json()["run_id"]
    accepted_ms = (time.perf_counter() - started) * 1000.0
    stages = []
    while True:
        run = client.get(f"/api/analysis/{run_id}").json()
        if not stages or stages[-1] != run["stage"]:
            stages.append(run["stage"])
        if run["status"] != "running":
            break
        time.sleep(0.05)
    if run["status"] != "succeeded":
        raise RuntimeError(f"on-demand run {run_id} {run['status']}: {run.get('error')}")
    while client.get("/api/sectors").json()["run_id"] != run_id:
        time.sleep(0.02)
    return {
        "run_id": run_id,
        "accepted_ms": accepted_ms,
        "seconds": time.perf_counter() - started,
        "stages": stages,
    }


def bench_dashboard() -> dict[str, Any]:
    """First render of the grid in Chromium (navigation start to all 8 cards) and the gzip size
    of the built JavaScript (target: under 1 s; under 150 kB for what the page loads first, the
    issue's bound: the scanner, the stock panel and the chart library load when first opened)."""
    import gzip

    from playwright.sync_api import sync_playwright

    from sectorlights.settings import REPO_ROOT
    from tests.e2e.conftest import CHROMIUM, CHROMIUM_FLAGS
    from tests.e2e.measure import first_render_ms

    dist = REPO_ROOT / "frontend" / "dist"
    chunks = {
        path.name: len(gzip.compress(path.read_bytes(), compresslevel=9))
        for path in sorted((dist / "assets").glob("*.js"))
    }
    entry = (dist / "index.html").read_text()
    initial = sum(size for name, size in chunks.items() if name in entry)
    result: dict[str, Any] = {
        "js_gzip_bytes": chunks,
        "initial_js_gzip_kb": initial / 1024,
        "target_initial_js_gzip_kb": 150,
    }
    if not CHROMIUM.exists():
        return result | {"first_render": "skipped: no Chromium at /usr/bin/chromium"}
    with tempfile.TemporaryDirectory() as workdir:
        env = {"SECTORLIGHTS_SIM_NOW": SIM_NOW.isoformat(), "SECTORLIGHTS_LOG_LEVEL": "warning"}
        with running_server(env, Path(workdir)) as base_url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
            try:
                runs = [first_render_ms(browser, base_url + "/") for _ in range(3)]
            finally:
                browser.close()
    cold = [run["cold_ms"] for run in runs]
    return result | {
        "first_render_runs": runs,
        "first_render_median_ms": statistics.median(cold),
        "target_first_render_ms": 1000.0,
        "meets_target": max(cold) < 1000.0 and initial < 300 * 1024,
    }


def sections(arguments: argparse.Namespace) -> dict[str, Callable[[], Any]]:
    """Each part of the report, by its key, not yet run."""
    live_clients = tuple(arguments.live_clients)
    return {
        "analysis": lambda: [bench_analysis(count) for count in (1_500, 8_500)],
        "analysis_scaling": bench_analysis_scaling,
        "polygon_refresh_against_sim_vendor": lambda: [
            bench_polygon_refresh(count) for count in (4_000, 8_500)
        ],
        "http": lambda: bench_http(arguments.clients, arguments.duration_secs),
        "probes_while_vendor_slow": lambda: bench_probes(arguments.clients, arguments.duration_secs),
        "cache_hit_rate": bench_cache_hit_rate,
        "on_demand_end_to_end": bench_on_demand,
        "websocket": lambda: bench_live(live_clients),
        "topology": lambda: bench_topology(arguments.clients, arguments.duration_secs, live_clients),
        "dashboard": bench_dashboard,
        "backtest": bench_backtest,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration-secs", type=float, default=10.0)
    parser.add_argument(
        "--live-clients",
        type=int,
        nargs="+",
        default=[50, 500, 1000],
        help="/ws client counts (websocket and topology parts)",
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="PART",
        help="run only this part of the report (repeatable): "
        "analysis, analysis_scaling, polygon_refresh_against_sim_vendor, http, probes_while_vendor_slow, "
        "cache_hit_rate, "
        "on_demand_end_to_end, websocket, topology, dashboard, backtest",
    )
    arguments = parser.parse_args()
    parts = sections(arguments)
    unknown = set(arguments.only) - set(parts)
    if unknown:
        parser.error(f"--only: unknown part(s) {sorted(unknown)}; known: {sorted(parts)}")
    report: dict[str, Any] = {
        "generated_at": datetime.now(UTC).isoformat(),
        "machine": {"python": sys.version.split()[0], "platform": platform.platform()},
    }
    for name, run in parts.items():
        if not arguments.only or name in arguments.only:
            report[name] = run()
    arguments.out.parent.mkdir(parents=True, exist_ok=True)
    arguments.out.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
