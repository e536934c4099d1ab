"""`/metrics` in the Prometheus text format, counting what really happened."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from sectorlights.api.app import create_app
from sectorlights.settings import load_settings
from tests.integration.test_api import settings_env, wait_for_grid  # noqa: F401 (fixture)


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
