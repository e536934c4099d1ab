"""The real app behind a `TestClient`, set up the same way by the API test modules: environment,
migrated databases, the served app once its start-up run has published a grid, and shared checks."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from sectorlights.api.app import create_app
from sectorlights.engine.container import Container
from sectorlights.settings import load_settings
from tests.conftest import SIM_NOW, TEST_CLIENT_HOSTS
from tests.databases import emptied, migrated_sqlite

ENV_CLEARED = ("DATABASE_URL", "REDIS_URL", "POLYGON_API_KEY", "MASSIVE_API_KEY", "SECTORLIGHTS_PROVIDER")


@dataclass
class Served:
    client: TestClient
    container: Container
    grid: dict[str, Any]


def environment(monkeypatch: pytest.MonkeyPatch, url: str, static_dir: Path, run_on_start: bool) -> None:
    for name in ENV_CLEARED:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SECTORLIGHTS_SIM_NOW", SIM_NOW.isoformat())
    monkeypatch.setenv("SECTORLIGHTS_SIM_LISTINGS", "1500")
    monkeypatch.setenv("SECTORLIGHTS_REFRESH_INTERVAL_SECS", "3600")
    monkeypatch.setenv("SECTORLIGHTS_RUN_ON_START", "true" if run_on_start else "false")
    if not run_on_start:
        # The market schedule would run the instant missed before SIM_NOW at start-up.
        monkeypatch.setenv("SECTORLIGHTS_SCHEDULE", "off")
    monkeypatch.setenv("SECTORLIGHTS_STATIC_DIR", str(static_dir))
    # Module-scoped apps are made before the autouse fixture that names the TestClient's host.
    monkeypatch.setenv("SECTORLIGHTS_ALLOWED_HOSTS", TEST_CLIENT_HOSTS)


def sqlite_url(directory: Path, name: str = "resources.db") -> str:
    """A migrated SQLite database file in `directory`."""
    with migrated_sqlite(directory / name) as engine:
        return engine.url.render_as_string()


def wait_for_grid(client: TestClient, timeout_secs: float = 90) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_secs
    while time.monotonic() < deadline:
        response = client.get("/api/sectors")
        if response.status_code == 200:
            body: dict[str, Any] = response.json()
            return body
        assert response.status_code == 503, response.text
        time.sleep(0.2)
    raise AssertionError("no grid within the timeout")


@contextmanager
def served_app(request: pytest.FixtureRequest, directory: Path, sqlite_name: str) -> Iterator[Served]:
    """The real app on the database `request.param` names ("sqlite" in `directory`, or the
    session's migrated PostgreSQL emptied first), after its start-up run has published a grid."""
    if request.param == "sqlite":
        url = sqlite_url(directory, sqlite_name)
    else:
        engine = emptied(request.getfixturevalue("_migrated_postgres"))
        url = engine.url.render_as_string(hide_password=False)
    with pytest.MonkeyPatch.context() as monkeypatch:
        environment(monkeypatch, url, directory / "no-frontend", run_on_start=True)
        with TestClient(create_app(load_settings())) as client:
            container: Container = client.app.state.container  # type: ignore[attr-defined]
            yield Served(client, container, wait_for_grid(client))


def member_of(served: Served, sector: str | None = None) -> dict[str, Any]:
    query = "/api/universe?limit=1" + ("" if sector is None else f"&sector={sector}")
    body = served.client.get(query).json()
    member: dict[str, Any] = body["members"][0]
    return member


def assert_names(response: Any, status: int, *words: str) -> None:
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, str)
    for word in words:
        assert word in detail, (word, detail)
