"""What an operator watches, on a real `sectorlights serve` against the sim vendor: per-endpoint vendor
request counters, latency and circuit states and the last successful run on /metrics, and the log in
JSON lines (uvicorn's own lines included)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import SIM_NOW
from tests.servers import migrate, running_process, running_sim_vendor

MARKET = {
    "SECTORLIGHTS_SIM_NOW": SIM_NOW.isoformat(),
    "SECTORLIGHTS_SIM_LISTINGS": "1500",
    "SECTORLIGHTS_SCHEDULE": "off",
}

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@pytest.fixture(scope="module")
def vendor(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_sim_vendor(MARKET, tmp_path_factory.mktemp("obs-vendor")) as base_url:
        yield base_url


def scrape(base_url: str) -> Samples:
    response = httpx.get(f"{base_url}/metrics", timeout=10)
    assert response.status_code == 200
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def vendor_samples(found: Samples, name: str, vendor: str) -> dict[frozenset[tuple[str, str]], float]:
    return {
        labels: value
        for (sample, labels), value in found.items()
        if sample == name and ("vendor", vendor) in labels
    }


LAST_SUCCESS = ("sectorlights_last_successful_run_timestamp_seconds", frozenset[tuple[str, str]]())


def test_vendor_calls_and_the_last_success_are_on_metrics_and_the_log_is_json(
    vendor: str, tmp_path: Path
) -> None:
    httpx.post(f"{vendor}/_control/reset", timeout=5).raise_for_status()
    # The first snapshot request fails: it is retried, and counted as such.
    httpx.post(
        f"{vendor}/_control/faults", json={"snapshot": {"status_500_count": 1}}, timeout=5
    ).raise_for_status()
    env = MARKET | {
        "SECTORLIGHTS_PROVIDER": "polygon",
        "POLYGON_API_KEY": "test-key",
        "POLYGON_BASE_URL": vendor,
        "FMP_API_KEY": "test-key",
        "FMP_BASE_URL": f"{vendor}/stable",
        "SECTORLIGHTS_LOG_FORMAT": "json",
        "SECTORLIGHTS_LOG_LEVEL": "info",
    }
    migrate(env, tmp_path)
    with running_process(["serve"], env, tmp_path, "/api/sectors", 240, "server") as server:
        found = scrape(server.base_url)
        latest = httpx.get(f"{server.base_url}/api/analysis/latest", timeout=10).json()
    httpx.post(f"{vendor}/_control/reset", timeout=5).raise_for_status()

    def requests(endpoint: str, outcome: str, of: str = "polygon") -> float:
        labels = frozenset({("vendor", of), ("endpoint", endpoint), ("outcome", outcome)})
        return found.get(("sectorlights_vendor_requests_total", labels), 0.0)

    assert requests("snapshot", "retried") == 1
    for endpoint in ("snapshot", "grouped_daily", "tickers"):
        assert requests(endpoint, "ok") >= 1, endpoint
        latency = frozenset({("vendor", "polygon"), ("endpoint", endpoint)})
        assert found[("sectorlights_vendor_request_duration_seconds_count", latency)] >= requests(
            endpoint, "ok"
        )
        assert found[("sectorlights_vendor_circuit_state", latency)] == 0
    # FMP's sector lookups go through the same layer.
    fmp = vendor_samples(found, "sectorlights_vendor_requests_total", "fmp")
    assert sum(value for labels, value in fmp.items() if ("outcome", "ok") in labels) >= 1, fmp
    assert vendor_samples(found, "sectorlights_vendor_circuit_state", "fmp")
    # No request failed for good.
    assert not [key for key, value in found.items() if ("outcome", "error") in key[1] and value]

    finished = datetime.fromisoformat(latest["run"]["finished_at"]).timestamp()
    assert found[LAST_SUCCESS] >= finished > 0

    log = server.log().splitlines()
    entries = [json.loads(line) for line in log if line.strip()]  # every line is one JSON object
    assert all({"time", "level", "logger", "message"} <= entry.keys() for entry in entries)
    loggers = {entry["logger"] for entry in entries}
    assert "uvicorn.error" in loggers, loggers  # uvicorn's own lines too
    assert any("retry 1 of" in entry["message"] for entry in entries)

    # Restarted without a run: the gauge comes from the stored run.
    quiet = env | {"SECTORLIGHTS_RUN_ON_START": "false"}
    with running_process(["serve"], quiet, tmp_path, "/livez", 120, "restarted") as server:
        restarted = scrape(server.base_url)
    assert restarted[LAST_SUCCESS] == pytest.approx(finished, abs=0.001)
