"""`make bench`: analysis compute, a full run, and `GET /api/sectors` latency; writes JSON.

Run from backend/: python -m tests.bench.run --out ../bench/results/latest.json
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import platform
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import uvicorn

from sectorlights.analytics.analysis import analyze
from sectorlights.analytics.catalysts import NewsCounts, news_counts
from sectorlights.analytics.validation import PROXY_SECTOR_INDEX
from sectorlights.domain.frame import MarketFrame
from sectorlights.engine.classification_sources import ClassificationSources
from sectorlights.engine.frame_builder import DailyBarsCache, build_frame
from sectorlights.engine.pipeline import AnalysisInputs, analyze_market
from sectorlights.providers.base import MemorySectorReferenceStore
from sectorlights.providers.simulated import SimulatedProvider
from sectorlights.settings import AnalysisSettings
from tests.conftest import SIM_NOW
from tests.servers import running_server
from tests.services import free_port


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

    from sectorlights.engine.clock import FrozenClock
    from sectorlights.engine.frame_builder import SnapshotMemory
    from sectorlights.providers.base import MemoryReferenceStore
    from sectorlights.providers.polygon.factory import create_polygon_provider
    from sectorlights.providers.registry import ProviderContext
    from sectorlights.providers.simulated.vendor import FaultConfig, create_vendor_app
    from sectorlights.settings import ProviderSettings

    clock = FrozenClock(SIM_NOW)
    app = create_vendor_app(SimulatedProvider(seed=7, listing_count=listing_count), clock, FaultConfig())
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        settings = ProviderSettings().model_copy(
            update={"polygon_api_key": SecretStr("bench"), "polygon_base_url": f"http://127.0.0.1:{port}"}
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
    finally:
        server.should_exit = True
        thread.join(timeout=10)


async def _hammer(url: str, clients: int, requests_per_client: int) -> list[float]:
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:

        async def worker() -> None:
            for _ in range(requests_per_client):
                started = time.perf_counter()
                response = await client.get(url)
                latencies.append((time.perf_counter() - started) * 1000.0)
                response.raise_for_status()

        await asyncio.gather(*(worker() for _ in range(clients)))
    return latencies


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = np.sort(np.array(samples))
    return {
        "requests": len(samples),
        "p50_ms": float(np.percentile(ordered, 50)),
        "p99_ms": float(np.percentile(ordered, 99)),
        "max_ms": float(ordered[-1]),
    }


def bench_http(clients: int, requests_per_client: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as workdir:
        env = {"SECTORLIGHTS_SIM_NOW": SIM_NOW.isoformat(), "SECTORLIGHTS_LOG_LEVEL": "warning"}
        with running_server(env, Path(workdir)) as base_url:
            started = time.perf_counter()
            results = {}
            for path in ("/api/sectors", "/health"):
                asyncio.run(_hammer(base_url + path, clients, 5))  # warm-up
                samples = asyncio.run(_hammer(base_url + path, clients, requests_per_client))
                results[path] = _percentiles(samples)
            results["wall_secs"] = time.perf_counter() - started
    return {"concurrent_clients": clients, **results}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests-per-client", type=int, default=40)
    arguments = parser.parse_args()
    report = {
        "generated_at": datetime.now(UTC).isoformat(),
        "machine": {"python": sys.version.split()[0], "platform": platform.platform()},
        "analysis": [bench_analysis(count) for count in (1_500, 8_500)],
        "analysis_scaling": bench_analysis_scaling(),
        "polygon_refresh_against_sim_vendor": [bench_polygon_refresh(count) for count in (4_000, 8_500)],
        "http": bench_http(arguments.clients, arguments.requests_per_client),
    }
    arguments.out.parent.mkdir(parents=True, exist_ok=True)
    arguments.out.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
