"""`POST /api/replays` against the real `sectorlights serve` on the simulated market, its database
holding the committed fixture flat files (tests/fixtures/flatfiles/SOURCE.md): a replay opens as a
stored run with its rotation graph, is refused with the field named, and never becomes the live
grid, from the API or from `sectorlights replay`; the imported bars stay whole."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.sync.client import connect

from tests.conftest import FROZEN
from tests.integration.test_live_updates import collect_until, receive, run_finished, start_run, ws_url
from tests.integration.test_replay import imported, row_counts
from tests.servers import run_command, running_server

pytestmark = pytest.mark.timeout(300)

IMPORTED_BARS = {"daily_bars": 4_585, "minute_bars": 55_675}


@dataclass
class ReplayServer:
    url: str
    folder: Path
    env: dict[str, str]
    listings: Path


@pytest.fixture(scope="module")
def replay_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReplayServer]:
    folder = tmp_path_factory.mktemp("replay-api")
    listings = imported(folder)
    env = FROZEN | {"SECTORLIGHTS_FLATFILES_LISTINGS": str(listings)}
    with running_server(env, folder) as url:
        yield ReplayServer(url, folder, env, listings)


def _bars(folder: Path) -> dict[str, int]:
    counts = row_counts(folder)
    return {name: counts[name] for name in IMPORTED_BARS}


def _replay(server: ReplayServer, body: dict[str, Any]) -> dict[str, Any]:
    """Start a replay and wait for its run to succeed; returns the 202's body."""
    response = httpx.post(server.url + "/api/replays", json=body, timeout=30)
    assert response.status_code == 202, response.text
    started: dict[str, Any] = response.json()
    assert response.headers["Location"] == f"/api/analysis/{started['run_id']}"
    deadline = time.monotonic() + 120
    while True:
        run = httpx.get(f"{server.url}/api/analysis/{started['run_id']}", timeout=30).json()
        if run["status"] != "running":
            break
        assert time.monotonic() < deadline, "the replay did not finish"
        time.sleep(0.2)
    assert run["status"] == "succeeded", run
    assert run["trigger"] == "replay" and run["provider"] == "flatfiles"
    return started


def _rotation(server: ReplayServer, run_id: str, interval: str) -> dict[str, Any]:
    response = httpx.get(
        server.url + "/api/rrg", params={"run_id": run_id, "interval": interval, "tail": 12}, timeout=30
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_replay_opens_as_a_stored_run_and_the_imported_bars_stay(replay_server: ReplayServer) -> None:
    # The live start-up run (today's simulated market) ran its retention: the 2017 import is whole.
    assert _bars(replay_server.folder) == IMPORTED_BARS
    started = _replay(replay_server, {"date": "2017-11-09"})
    assert started["trigger"] == "replay" and started["status"] == "running"
    assert started["session"] == "2017-11-09"
    assert started["as_of"] == "2017-11-09T16:00:00-05:00"  # the regular close in New York

    grid = httpx.get(f"{replay_server.url}/api/runs/{started['run_id']}/grid", timeout=30).json()
    assert grid["as_of"] == "2017-11-09T21:00:00Z"
    assert grid["data_source"] == {
        "provider": "flatfiles",
        "simulated": False,
        "label": "Replay of 2017-11-09",
        "replay_of": "2017-11-09",
    }
    assert grid["stale"] is True and "not live" in grid["recommendation"]
    assert len(grid["sectors"]) == 8 and grid["universe_size"] > 0
    # It kept its rotation graph: daily from the imported day bars; no half hours in a day-only session.
    day = _rotation(replay_server, started["run_id"], "day")
    assert day["as_of"] == grid["as_of"] and day["run_id"] == started["run_id"]
    assert any(entry["points"] for entry in day["sectors"]), day
    assert all(entry["points"][-1]["time"] == grid["as_of"] for entry in day["sectors"] if entry["points"])
    half_hours = _rotation(replay_server, started["run_id"], "30min")
    assert all(not entry["points"] and entry["reason"] for entry in half_hours["sectors"]), half_hours
    runs = httpx.get(replay_server.url + "/api/runs", timeout=30).json()["runs"]
    assert {"run_id": started["run_id"], "trigger": "replay"}.items() <= next(
        run for run in runs if run["run_id"] == started["run_id"]
    ).items()

    # An intraday replay reads the imported minute bars, which the live runs left in place.
    intraday = _replay(replay_server, {"date": "2017-11-10", "time": "12:30"})
    grid = httpx.get(f"{replay_server.url}/api/runs/{intraday['run_id']}/grid", timeout=30).json()
    assert grid["as_of"] == "2017-11-10T17:30:00Z"
    assert any(sector["timeframes"]["30m"]["score"] is not None for sector in grid["sectors"])
    # Its half-hour bars are the imported minutes': 04:30 to 12:00, then 12:30 itself.
    half_hours = _rotation(replay_server, intraday["run_id"], "30min")
    assert any(entry["points"] for entry in half_hours["sectors"]), half_hours
    # A replay runs no retention and writes no bars.
    assert _bars(replay_server.folder) == IMPORTED_BARS


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"date": "2017-13-01"}, "date: not a date (YYYY-MM-DD): '2017-13-01'"),
        ({"date": "2017-11-11"}, "date: 2017-11-11 is not a NYSE session"),
        ({"date": "2099-06-24"}, "date: 2099-06-24 is in the future"),
        (
            {"date": "2016-06-24"},
            "date: no imported day bars for 2016-06-24: import day_aggs_v1/2016/06/2016-06-24.csv.gz",
        ),
        ({"date": "2017-09-26"}, "date: the analysis of 2017-09-26 needs the 25 sessions before it"),
        ({"date": "2017-11-09", "time": "12:00"}, "time: no minute bars imported for 2017-11-09"),
        ({"date": "2017-11-09", "time": "25:00"}, "time: not a time (HH:MM): '25:00'"),
        ({"date": "2017-11-09", "time": "03:00"}, "time: 03:00 is outside the session's hours"),
        ({}, "date: Field required"),
        ({"date": 20171109}, "date: Input should be a valid string"),
        ({"date": "2017-11-09", "hour": "3"}, "hour: Extra inputs are not permitted"),
    ],
)
def test_refusals_name_the_field(replay_server: ReplayServer, body: dict[str, Any], words: str) -> None:
    response = httpx.post(replay_server.url + "/api/replays", json=body, timeout=30)
    assert response.status_code == 422, response.text
    assert response.json() == {"detail": response.json()["detail"]}
    assert words in response.json()["detail"]


def test_a_replay_never_becomes_the_live_grid(replay_server: ReplayServer) -> None:
    url = replay_server.url
    live = httpx.get(url + "/api/sectors", timeout=30).json()
    assert live["data_source"]["label"] == "Simulated data"
    universe = httpx.get(url + "/api/universe?limit=1", timeout=30).json()["total"]

    with connect(ws_url(url)) as socket:
        assert receive(socket)["type"] == "snapshot"
        replay = _replay(replay_server, {"date": "2017-11-08"})["run_id"]
        # A live run after the replay: everything /ws sends up to its end is about live runs only.
        live_run = start_run(url)
        messages = collect_until(socket, run_finished(live_run))
    assert all(message["payload"].get("run_id") != replay for message in messages), messages
    assert all(message["payload"].get("as_of", "")[:4] != "2017" for message in messages)

    served = httpx.get(url + "/api/sectors", timeout=30).json()
    assert served["run_id"] == live_run and served["data_source"]["label"] == "Simulated data"
    latest = httpx.get(url + "/api/analysis/latest", timeout=30).json()
    assert latest["run"]["run_id"] == live_run and latest["grid_run_id"] == live_run
    assert httpx.get(url + "/api/universe?limit=1", timeout=30).json()["total"] == universe
    history = httpx.get(url + "/api/sectors/technology/history", timeout=30).json()["history"]
    assert all(entry["run_id"] != replay for entry in history)
    with connect(ws_url(url)) as socket:
        snapshot = receive(socket)
    assert snapshot["type"] == "snapshot" and snapshot["payload"]["grid"]["run_id"] == live_run


def test_a_cli_replay_never_becomes_the_live_grid(replay_server: ReplayServer) -> None:
    """`sectorlights replay` writes the same database from another process: the running server
    keeps its grid, and a server started afterwards (no start-up run) serves the live run from the
    database, not the replay stored after it."""
    url = replay_server.url
    live = httpx.get(url + "/api/sectors", timeout=30).json()
    universe = httpx.get(url + "/api/universe?limit=1", timeout=30).json()["total"]
    result = run_command(
        ["replay", "--date", "2017-11-10", "--json", "--listings", str(replay_server.listings)],
        replay_server.env,
        replay_server.folder,
    )
    assert result.returncode == 0, result.stderr
    assert '"label": "Replay of 2017-11-10"' in result.stdout

    assert httpx.get(url + "/api/sectors", timeout=30).json()["run_id"] == live["run_id"]
    assert httpx.get(url + "/api/universe?limit=1", timeout=30).json()["total"] == universe
    restarted = replay_server.env | {"SECTORLIGHTS_RUN_ON_START": "false"}
    with running_server(restarted, replay_server.folder) as again:
        served = httpx.get(again + "/api/sectors", timeout=30).json()
        assert served["run_id"] == live["run_id"]
        assert served["data_source"]["label"] == "Simulated data"
        latest = httpx.get(again + "/api/analysis/latest", timeout=30).json()
        assert latest["run"]["trigger"] != "replay"
    assert _bars(replay_server.folder) == IMPORTED_BARS
