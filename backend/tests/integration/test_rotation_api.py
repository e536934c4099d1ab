"""`GET /api/rrg` and the cards' quadrants on the real app (TestClient, one app for the module, its
start-up run over the simulated market): the graph of the latest run per interval and tail, the
card's quadrant equal to the graph's, a stored run's graph by id, and 422/404 naming the problem.
409 before the first analysis is checked with the other views (test_trader_views_api.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from sectorlights.api.app import create_app
from sectorlights.engine.container import Container
from sectorlights.settings import load_settings
from tests.integration.apps import Served, assert_names, environment, sqlite_url, wait_for_grid

QUADRANT = {
    (True, True): "leading",
    (True, False): "weakening",
    (False, False): "lagging",
    (False, True): "improving",
}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    directory = tmp_path_factory.mktemp("rotation")
    with pytest.MonkeyPatch.context() as monkeypatch:
        environment(monkeypatch, sqlite_url(directory), directory / "no-frontend", run_on_start=True)
        monkeypatch.setenv("SECTORLIGHTS_SCHEDULE", "off")
        monkeypatch.setenv("SECTORLIGHTS_MOVE_WATCH", "false")
        with TestClient(create_app(load_settings())) as client:
            container: Container = client.app.state.container  # type: ignore[attr-defined]
            yield Served(client, container, wait_for_grid(client))


def rrg(served: Served, query: str = "") -> dict[str, Any]:
    response = served.client.get(f"/api/rrg{query}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize(
    ("query", "interval", "tail"),
    [
        ("", "day", 5),
        ("?interval=30min", "30min", 5),
        ("?interval=day&tail=12", "day", 12),
        ("?tail=1", "day", 1),
    ],
)
def test_the_latest_runs_graph(served: Served, query: str, interval: str, tail: int) -> None:
    graph = rrg(served, query)
    assert (graph["interval"], graph["tail"], graph["benchmark"]) == (interval, tail, "IWM")
    assert (graph["ratio_period"], graph["momentum_period"]) == (10, 5)
    assert (graph["run_id"], graph["as_of"]) == (served.grid["run_id"], served.grid["as_of"])
    assert [entry["sector"] for entry in graph["sectors"]] == [
        card["sector"] for card in served.grid["sectors"]
    ]
    for entry in graph["sectors"]:
        points = entry["points"]
        # The simulated market holds enough bars for every sector's longest tail.
        assert len(points) == tail and entry["reason"] is None
        times = [datetime.fromisoformat(point["time"]) for point in points]
        assert times == sorted(times)
        assert times[-1] == datetime.fromisoformat(graph["as_of"])
        last = points[-1]
        assert entry["quadrant"] == QUADRANT[(last["rs_ratio"] >= 100, last["rs_momentum"] >= 100)]


def test_each_card_shows_the_graphs_quadrants(served: Served) -> None:
    day = {entry["sector"]: entry["quadrant"] for entry in rrg(served, "?interval=day")["sectors"]}
    intraday = {entry["sector"]: entry["quadrant"] for entry in rrg(served, "?interval=30min")["sectors"]}
    cards = served.client.get("/api/sectors").json()["sectors"]
    assert {card["sector"]: card["rotation"] for card in cards} == {
        sector: {"day": day[sector], "intraday": intraday[sector]} for sector in day
    }


def test_a_stored_run_by_id(served: Served) -> None:
    run_id = served.grid["run_id"]
    assert rrg(served, f"?run_id={run_id}&tail=3") == rrg(served, "?tail=3")
    assert_names(
        served.client.get("/api/rrg?run_id=8c9a1e3c-0000-4000-8000-000000000000"),
        404,
        "run_id: no successful run 8c9a1e3c-0000-4000-8000-000000000000",
    )


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("interval=hour", "query.interval"),
        ("interval=30m", "query.interval"),
        ("tail=0", "query.tail"),
        ("tail=13", "query.tail"),
        ("tail=five", "query.tail"),
        ("run_id=latest", "query.run_id"),
    ],
)
def test_parameters_are_checked(served: Served, query: str, field: str) -> None:
    assert_names(served.client.get(f"/api/rrg?{query}"), 422, field)
