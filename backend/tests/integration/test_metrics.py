"""`/metrics` in the Prometheus text format, counting what really happened."""

from __future__ import annotations

import time
from pathlib import Path

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from sectorlights.api.app import create_app
from sectorlights.settings import load_settings
from tests.integration.apps import wait_for_grid
from tests.integration.test_api import settings_env  # noqa: F401 (fixture)


def samples(client: TestClient) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def test_metrics_count_requests_runs_and_cache_reads(settings_env: Path) -> None:  # noqa: F811
    with TestClient(create_app(load_settings())) as client:
        wait_for_grid(client)
        for _ in range(3):
            assert client.get("/api/sectors").status_code == 200
        assert client.get("/api/sectors/not-a-sector").status_code in {404, 422}
        found = samples(client)

    route = frozenset({("route", "/api/sectors"), ("method", "GET"), ("status", "200")})
    assert found[("sectorlights_http_request_duration_seconds_count", route)] >= 3
    # A request's route template is its label, never the raw path.
    assert not any(("route", "/api/sectors/not-a-sector") in labels for _, labels in found)
    runs = frozenset({("trigger", "startup"), ("status", "succeeded")})
    assert found[("sectorlights_analysis_runs_total", runs)] == 1
    assert (
        found[("sectorlights_analysis_run_duration_seconds_count", frozenset({("status", "succeeded")}))] == 1
    )
    hits = found.get(("sectorlights_grid_cache_reads_total", frozenset({("outcome", "hit")})), 0.0)
    assert hits >= 3


def test_metrics_time_live_deliveries_and_count_clients(settings_env: Path) -> None:  # noqa: F811
    with TestClient(create_app(load_settings())) as client:
        wait_for_grid(client)
        with client.websocket_connect("/ws") as socket:
            assert socket.receive_json()["type"] == "snapshot"
            assert samples(client)[("sectorlights_ws_clients", frozenset())] == 1
            before = samples(client).get(("sectorlights_ws_delivery_seconds_count", frozenset()), 0.0)
            run_id = client.post("/api/analysis").json()["run_id"]
            received = 0
            while True:
                message = socket.receive_json()
                if message["type"] == "heartbeat":
                    continue
                received += 1
                payload = message["payload"]
                progress = message["type"] == "analysis_progress" and payload["run_id"] == run_id
                if progress and payload["stage"] in ("done", "failed"):
                    break
            found = samples(client)
        deadline = time.monotonic() + 5
        while samples(client)[("sectorlights_ws_clients", frozenset())] != 0:  # the hub lets go
            assert time.monotonic() < deadline, "the closed socket is still counted"
            time.sleep(0.05)
    # Every live event sent to the one client was timed, and within the histogram's range.
    assert found[("sectorlights_ws_delivery_seconds_count", frozenset())] - before >= received > 0
    infinite = found[("sectorlights_ws_delivery_seconds_bucket", frozenset({("le", "+Inf")}))]
    within_a_second = found[("sectorlights_ws_delivery_seconds_bucket", frozenset({("le", "1.0")}))]
    assert within_a_second == infinite
