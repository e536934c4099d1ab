"""Time travel over HTTP: the stored successful runs, a past run's grid read-only and marked not
live, and the refusals (unknown run 404, malformed id 422), on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest

from sectorlights.domain.snapshot import RunStatus
from tests.conftest import SIM_NOW
from tests.integration.apps import Served, served_app


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    directory = tmp_path_factory.mktemp(f"history-{request.param}")
    with served_app(request, directory, "history.db") as app:
        yield app


def _succeeded_run_id(served: Served) -> str:
    run = served.container.repository.latest_run(RunStatus.SUCCEEDED)
    assert run is not None
    return run.run_id


def test_stored_runs_list_the_published_run_newest_first(served: Served) -> None:
    response = served.client.get("/api/runs", params={"limit": 5})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["count"] == len(body["runs"]) >= 1
    first = body["runs"][0]
    assert first["run_id"] == _succeeded_run_id(served)
    assert first["as_of"] == served.grid["as_of"]
    assert first["generated_at"] == served.grid["generated_at"]
    assert first["data_source"] == served.grid["data_source"]
    as_of = [run["as_of"] for run in body["runs"]]
    assert as_of == sorted(as_of, reverse=True)


@pytest.mark.parametrize(("offset", "listed"), [(timedelta(seconds=1), True), (timedelta(0), False)])
def test_before_keeps_only_earlier_runs(served: Served, offset: timedelta, listed: bool) -> None:
    before = (SIM_NOW + offset).isoformat()
    body = served.client.get("/api/runs", params={"before": before}).json()
    assert (_succeeded_run_id(served) in {run["run_id"] for run in body["runs"]}) is listed


def test_a_stored_run_grid_is_the_published_grid_marked_not_live(served: Served) -> None:
    run_id = _succeeded_run_id(served)
    response = served.client.get(f"/api/runs/{run_id}/grid")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["run_id"] == run_id
    assert body["sectors"] == served.grid["sectors"]
    assert body["stale"] is True
    assert body["last_error"] is None
    assert "not live" in body["recommendation"]


@pytest.mark.parametrize(
    ("path", "status", "names"),
    [
        (f"/api/runs/{uuid.UUID(int=7)}/grid", 404, "run_id"),
        ("/api/runs/not-a-run/grid", 422, "run_id"),
        ("/api/runs?limit=0", 422, "limit"),
        ("/api/runs?before=yesterday", 422, "before"),
    ],
)
def test_refusals_name_the_problem(served: Served, path: str, status: int, names: str) -> None:
    response = served.client.get(path)
    assert response.status_code == status, response.text
    assert names in response.json()["detail"]
