"""The polygon and polygon_mcp providers against `sectorlights sim-vendor`: the same dashboard as the
simulated default, `data check` exit codes, and vendor faults that never lose stored results."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import SIM_NOW
from tests.servers import run_command, running_server, running_sim_vendor

FROZEN = {
    "SECTORLIGHTS_SIM_NOW": SIM_NOW.isoformat(),
    "SECTORLIGHTS_LOG_LEVEL": "warning",
    # conftest's small market: every endpoint, page and fault still met, a fifth of the per-ticker calls
    "SECTORLIGHTS_SIM_LISTINGS": "1500",
}
COMPARED_TIMEFRAMES = ("1d", "3d", "1w")


@pytest.fixture(scope="module")
def vendor(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A sim vendor on a free port, serving the same frozen market as the simulated default."""
    with running_sim_vendor(FROZEN, tmp_path_factory.mktemp("vendor")) as base_url:
        yield base_url


def set_faults(vendor: str, faults: dict[str, Any]) -> None:
    httpx.post(f"{vendor}/_control/faults", json=faults, timeout=5).raise_for_status()


def clear_faults(vendor: str) -> None:
    httpx.post(f"{vendor}/_control/reset", timeout=5).raise_for_status()


def polygon_env(vendor: str, provider: str = "polygon") -> dict[str, str]:
    env = FROZEN | {
        "SECTORLIGHTS_PROVIDER": provider,
        "POLYGON_API_KEY": "test-key",
        "POLYGON_BASE_URL": vendor,
    }
    if provider == "polygon_mcp":
        env["SECTORLIGHTS_POLYGON_MCP_COMMAND"] = f"{sys.executable} -m sectorlights.simvendor.mcp_server"
        # The server's endpoint allowlist comes from the vendor's docs index, as mcp_massive's would.
        env["MASSIVE_LLMS_TXT_URL"] = f"{vendor}/docs/rest/llms-full.txt"
    return env


def grid_of(env: dict[str, str], workdir: Path) -> dict[str, Any]:
    with running_server(env, workdir, timeout_secs=240) as base_url:
        grid: dict[str, Any] = httpx.get(f"{base_url}/api/sectors", timeout=10).json()
    return grid


@pytest.fixture(scope="module")
def simulated_grid(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return grid_of(FROZEN, tmp_path_factory.mktemp("simulated"))


def assert_same_dashboard(vendor_grid: dict[str, Any], simulated_grid: dict[str, Any]) -> None:
    assert vendor_grid["data_source"]["simulated"] is False
    assert vendor_grid["universe_size"] == simulated_grid["universe_size"]
    for ours, theirs in zip(vendor_grid["sectors"], simulated_grid["sectors"], strict=True):
        assert ours["sector"] == theirs["sector"]
        assert ours["stock_count"] == theirs["stock_count"]
        for timeframe in COMPARED_TIMEFRAMES:
            mine, reference = ours["timeframes"][timeframe], theirs["timeframes"][timeframe]
            assert mine["return_pct"] == pytest.approx(reference["return_pct"], abs=1e-3)
            assert mine["color"] == reference["color"]
        assert [s["symbol"] for s in ours["top_bullish"]] == [s["symbol"] for s in theirs["top_bullish"]]
        assert [s["symbol"] for s in ours["top_bearish"]] == [s["symbol"] for s in theirs["top_bearish"]]


@pytest.mark.parametrize("provider", ["polygon", "polygon_mcp"])
def test_same_dashboard_through_the_vendor(
    vendor: str, simulated_grid: dict[str, Any], tmp_path: Path, provider: str
) -> None:
    clear_faults(vendor)
    grid = grid_of(polygon_env(vendor, provider), tmp_path)
    assert grid["data_source"]["provider"] == provider
    assert_same_dashboard(grid, simulated_grid)
    # The vendor answers "now" only: the 30-minute window fills in from remembered snapshots.
    assert all(sector["timeframes"]["30m"]["return_pct"] is None for sector in grid["sectors"])


def test_data_check_passes_then_names_the_failing_endpoint(vendor: str, tmp_path: Path) -> None:
    clear_faults(vendor)
    ok = run_command(["data", "check"], polygon_env(vendor), tmp_path)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "snapshot" in ok.stdout and "FAILED" not in ok.stdout

    set_faults(vendor, {"snapshot": {"always_status": 500}})
    try:
        failed = run_command(["data", "check"], polygon_env(vendor), tmp_path)
    finally:
        clear_faults(vendor)
    assert failed.returncode == 1
    assert "snapshot" in failed.stderr
    assert "FAILED" in failed.stdout


def test_bad_rows_are_left_out_and_reported(vendor: str, tmp_path: Path) -> None:
    set_faults(vendor, {"snapshot": {"malformed_share": 0.01}, "grouped": {"malformed_share": 0.01}})
    try:
        grid = grid_of(polygon_env(vendor), tmp_path)
    finally:
        clear_faults(vendor)
    assert len(grid["sectors"]) == 8
    assert grid["data_quality"]["rejected_rows"] > 0
    assert grid["data_quality"]["examples"]


def test_vendor_outage_keeps_the_last_grid_marked_stale(vendor: str, tmp_path: Path) -> None:
    clear_faults(vendor)
    env = polygon_env(vendor) | {
        "SECTORLIGHTS_SCHEDULE": "interval",
        "SECTORLIGHTS_REFRESH_INTERVAL_SECS": "5",
    }
    with running_server(env, tmp_path, timeout_secs=240) as base_url:
        good = httpx.get(f"{base_url}/api/sectors", timeout=10).json()
        set_faults(vendor, {"snapshot": {"always_status": 500}})
        try:
            deadline = time.monotonic() + 120
            grid = good
            while not grid["stale"] and time.monotonic() < deadline:
                time.sleep(1)
                grid = httpx.get(f"{base_url}/api/sectors", timeout=10).json()
            # The failed run's snapshot calls: the vendor is not "ok", whatever its circuit.
            vendor_health = httpx.get(f"{base_url}/health/polygon", timeout=10).json()
            latest = httpx.get(f"{base_url}/api/analysis/latest", timeout=10).json()
        finally:
            clear_faults(vendor)
    assert vendor_health["status"] == "error", vendor_health
    assert "snapshot" in vendor_health["detail"] and "500" in vendor_health["detail"], vendor_health
    assert grid["freshness"] == "stale" and "failed" in grid["recommendation"], grid["recommendation"]
    assert latest["freshness"] == "stale" and "failed" in latest["recommendation"], latest
    assert grid["stale"] is True
    assert grid["run_id"] == good["run_id"]
    assert grid["sectors"] == good["sectors"]
    assert "snapshot" in grid["last_error"] and "500" in grid["last_error"]


def test_scanner_news_and_bars_through_the_polygon_client(vendor: str, tmp_path: Path) -> None:
    """The trader's views read the vendor's snapshot, grouped daily bars, news and per-ticker minute
    aggregates in the vendor's own shapes; a refused endpoint is a 503 naming it."""
    clear_faults(vendor)
    with running_server(polygon_env(vendor), tmp_path, timeout_secs=240) as base_url:
        page = httpx.get(f"{base_url}/api/scanner?limit=500", timeout=30).json()
        assert page["source"] == "snapshot" and page["stale"] is False, page
        gaps = [abs(row["gap_pct"]) for row in page["rows"] if row["gap_pct"] is not None]
        assert gaps and gaps == sorted(gaps, reverse=True)
        with_news = next(row for row in page["rows"] if row["headline"])
        symbol = with_news["symbol"]
        news = httpx.get(f"{base_url}/api/stocks/{symbol}/news", timeout=30).json()
        assert news["items"][0]["title"] == with_news["headline"]
        assert all(symbol in item["tickers"] and item["url"] for item in news["items"])
        minutes = httpx.get(f"{base_url}/api/stocks/{symbol}/bars", timeout=30).json()
        assert minutes["count"] > 0 and minutes["session"] == SIM_NOW.date().isoformat()
        assert minutes["bars"][-1]["time"] < SIM_NOW.timestamp()
        assert minutes["bars"][-1]["close"] == pytest.approx(with_news["price"], rel=0.02)
        days = httpx.get(f"{base_url}/api/stocks/{symbol}/bars?interval=day", timeout=30).json()
        assert days["bars"][-1]["close"] == pytest.approx(with_news["previous_close"])
        set_faults(vendor, {"minute_aggs": {"always_status": 403}})
        try:
            refused = httpx.get(f"{base_url}/api/stocks/{symbol}/bars?session=2026-11-20", timeout=30)
        finally:
            clear_faults(vendor)
    assert refused.status_code == 503, refused.text
    assert "minute bars for" in refused.json()["detail"] and "403" in refused.json()["detail"]
