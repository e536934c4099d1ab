"""Users, tokens and preferences through the real app: open by default, closed with
SECTORLIGHTS_AUTH=required, per-user preferences and budgets."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from sectorlights.api.app import create_app
from sectorlights.settings import load_settings
from sectorlights.storage.database import create_database_engine
from sectorlights.storage.users import UserStore
from tests.integration.apps import environment, sqlite_url


def _client(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **env: str) -> Iterator[TestClient]:
    url = sqlite_url(tmp_path)
    environment(monkeypatch, url, tmp_path / "no-frontend", run_on_start=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with TestClient(create_app(load_settings())) as client:
        yield client


@pytest.fixture
def open_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    yield from _client(monkeypatch, tmp_path)


@pytest.fixture
def closed_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[TestClient, dict[str, str]]]:
    engine = create_database_engine(f"sqlite:///{tmp_path / 'resources.db'}")
    for client in _client(monkeypatch, tmp_path, SECTORLIGHTS_AUTH="required"):
        store = UserStore(engine)
        tokens = {name: store.add(name, datetime.now(UTC)) for name in ("alice", "bob")}
        yield client, tokens
    engine.dispose()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_without_auth_the_local_user_keeps_preferences(open_app: TestClient) -> None:
    defaults = open_app.get("/api/preferences")
    assert defaults.status_code == 200
    assert defaults.json() == {
        "freshness_tolerance_hours": 2.0,
        "scheduled_runs": ["20:00", "04:00", "08:00"],
        "intraday_refresh": True,
        "watchlist": [],
        "chart_links": [
            {"label": "TradingView", "url_template": "https://www.tradingview.com/chart/?symbol={symbol}"},
            {"label": "Finviz", "url_template": "https://finviz.com/quote.ashx?t={symbol}"},
        ],
    }
    saved = open_app.put(
        "/api/preferences", json={"freshness_tolerance_hours": 1, "scheduled_runs": ["04:00"]}
    )
    assert saved.status_code == 200, saved.text
    assert open_app.get("/api/preferences").json()["scheduled_runs"] == ["04:00"]
    pinned = open_app.put("/api/preferences", json={"watchlist": ["SOUN", "BBAI", "SOUN"]})
    assert pinned.status_code == 200, pinned.text
    assert open_app.get("/api/preferences").json()["watchlist"] == ["SOUN", "BBAI"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"freshness_tolerance_hours": 0}, "freshness_tolerance_hours"),
        ({"freshness_tolerance_hours": "soon"}, "freshness_tolerance_hours"),
        ({"scheduled_runs": ["09:30"]}, "scheduled_runs"),
        ({"watchlist": ["<b>"]}, "watchlist"),
        ({"watchlist": [f"S{n}" for n in range(51)]}, "watchlist"),
        ({"theme": "dark"}, "theme"),
    ],
)
def test_bad_preferences_are_a_422_naming_the_field(
    open_app: TestClient, body: dict[str, object], field: str
) -> None:
    response = open_app.put("/api/preferences", json=body)
    assert response.status_code == 422
    assert field in response.json()["detail"]


def test_saving_preferences_is_rate_limited(open_app: TestClient) -> None:
    statuses = [open_app.put("/api/preferences", json={}).status_code for _ in range(5)]
    assert statuses[:3] == [200, 200, 200]
    assert 429 in statuses[3:]
    limited = open_app.put("/api/preferences", json={})
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    assert "at most 6 a minute" in limited.json()["detail"]


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "missing"),
        ({"Authorization": "Basic abc"}, "Bearer"),
        ({"Authorization": "Bearer nope"}, "unknown token"),
    ],
)
def test_with_auth_required_every_api_call_needs_a_token(
    closed_app: tuple[TestClient, dict[str, str]], headers: dict[str, str], message: str
) -> None:
    client, _ = closed_app
    for path in (
        "/api/sectors",
        "/api/preferences",
        "/api/universe",
        "/api/analysis/latest",
        "/api/colour-history",
    ):
        response = client.get(path, headers=headers)
        assert response.status_code == 401, path
        assert message in response.json()["detail"]
        assert response.headers["WWW-Authenticate"] == "Bearer"
    assert client.post("/api/analysis", headers=headers).status_code == 401
    assert client.post("/api/replays", json={"date": "2017-11-09"}, headers=headers).status_code == 401
    # Health stays open for the operator's probes (the status only without a token).
    assert client.get("/health").status_code in {200, 503}
    assert client.get("/metrics").status_code == 401


def test_with_auth_preferences_are_per_user(closed_app: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = closed_app
    alice, bob = bearer(tokens["alice"]), bearer(tokens["bob"])
    assert client.put("/api/preferences", json={"intraday_refresh": False}, headers=alice).status_code == 200
    assert client.get("/api/preferences", headers=alice).json()["intraday_refresh"] is False
    assert client.get("/api/preferences", headers=bob).json()["intraday_refresh"] is True
    assert client.get("/api/sectors", headers=alice).status_code in {200, 503}


def _settled(client: TestClient, run_id: str) -> None:
    deadline = time.monotonic() + 60
    while client.get(f"/api/analysis/{run_id}").json()["status"] == "running":
        assert time.monotonic() < deadline
        time.sleep(0.1)


def test_starting_runs_is_rate_limited(open_app: TestClient) -> None:
    """Three runs are started, the fourth is refused. A POST may join a run whose grid is stored but
    whose announcements are still going out (joining costs nothing), so the run ids are counted,
    not the requests."""
    started: list[str] = []
    deadline = time.monotonic() + 120
    while len(started) < 3:
        response = open_app.post("/api/analysis")
        assert response.status_code == 202, response.text
        run_id = response.json()["run_id"]
        if run_id not in started:
            started.append(run_id)
        _settled(open_app, run_id)
        assert time.monotonic() < deadline
    while (refused := open_app.post("/api/analysis")).status_code == 202:
        assert refused.json()["run_id"] == started[-1], refused.text  # joined the last, nothing new
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert refused.status_code == 429, refused.text
    assert int(refused.headers["Retry-After"]) > 0
    latest = open_app.get("/api/analysis/latest").json()
    assert latest["run"]["run_id"] == started[-1]  # nothing new was started
    # (Joining a run in flight costs nothing: the ten concurrent POSTs of test_api_resources.)


def test_live_updates_need_a_token_when_auth_is_required(
    closed_app: tuple[TestClient, dict[str, str]],
) -> None:
    client, tokens = closed_app
    # A token in the URL is refused even when it is valid (it would be logged): a ticket or the header.
    for url, headers in (
        ("/ws", {}),
        ("/ws?token=wrong", {}),
        (f"/ws?token={tokens['alice']}", {}),
        ("/ws", bearer("wrong")),
    ):
        with (
            pytest.raises(WebSocketDisconnect) as refused,
            client.websocket_connect(url, headers=headers) as socket,
        ):
            socket.receive_text()
        assert refused.value.code == 1008, url
    ticket = client.post("/api/ws-ticket", headers=bearer(tokens["alice"])).json()["ticket"]
    for url, headers in ((f"/ws?ticket={ticket}", {}), ("/ws", bearer(tokens["bob"]))):
        with client.websocket_connect(url, headers=headers) as socket:
            first = json.loads(socket.receive_text())
        assert first["type"] == "snapshot", url
