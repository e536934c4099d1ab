"""The HTTP API on the embedded defaults: SQLite file, in-process cache, simulated market."""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from anyio.from_thread import BlockingPortal
from fastapi import Response
from fastapi.testclient import TestClient

from sectorlights import settings as settings_module
from sectorlights.api.app import create_app
from sectorlights.config.criteria import DARK_THRESHOLD, LIGHT_THRESHOLD
from sectorlights.domain.market import DailyBars, IntradaySnapshot, Listing, MinuteBars, NewsItem
from sectorlights.domain.snapshot import RunStatus, RunTrigger
from sectorlights.domain.vocabulary import COLORS, SECTORS, SIGNAL_BY_COLOR, TIMEFRAMES, Color
from sectorlights.engine.container import Container, build_container
from sectorlights.providers.base import (
    EndpointCheck,
    ProviderCapabilities,
    ProviderError,
    ProviderHealth,
    RejectedRow,
)
from sectorlights.providers.simulated import SimulatedProvider
from sectorlights.settings import load_settings
from sectorlights.storage.database import head_revision
from tests.conftest import SIM_NOW
from tests.databases import migrated_sqlite
from tests.integration.apps import wait_for_grid


def expected_color(score: float) -> Color:
    if score < -DARK_THRESHOLD:
        return Color.DARK_RED
    if score < -LIGHT_THRESHOLD:
        return Color.LIGHT_RED
    if score <= LIGHT_THRESHOLD:
        return Color.BLUE_NEUTRAL
    if score <= DARK_THRESHOLD:
        return Color.LIGHT_GREEN
    return Color.DARK_GREEN


class SwitchableProvider:
    """The simulated market, which can be told to fail like a vendor outage."""

    name = "simulated"
    capabilities = ProviderCapabilities(historical_snapshots=True, simulated=True)

    def __init__(self) -> None:
        self.inner = SimulatedProvider(seed=7)
        self.failing = False
        # Where the vendor was called from.
        self.threads: set[str] = set()

    def _check(self) -> None:
        self.threads.add(threading.current_thread().name)
        if self.failing:
            raise ProviderError("snapshot endpoint: HTTP 503 from vendor")

    def listings(self, as_of: datetime) -> list[Listing]:
        self._check()
        return self.inner.listings(as_of)

    def daily_bars(self, sessions: Any) -> list[DailyBars]:
        self._check()
        return self.inner.daily_bars(sessions)

    def intraday_snapshot(self, at: datetime) -> IntradaySnapshot:
        self._check()
        return self.inner.intraday_snapshot(at)

    def minute_bars(self, symbol: str, session: date) -> MinuteBars:
        self._check()
        return self.inner.minute_bars(symbol, session)

    def news(self, since: datetime, until: datetime, limit: int = 1000) -> list[NewsItem]:
        self._check()
        return self.inner.news(since, until, limit)

    def health(self) -> ProviderHealth:
        return self.inner.health()

    def check(self) -> list[EndpointCheck]:
        return self.inner.check()

    def drain_rejections(self) -> list[RejectedRow]:
        return []


@pytest.fixture
def settings_env(clean_env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    database_path = tmp_path / "api.db"
    monkeypatch.setenv("SECTORLIGHTS_SQLITE_PATH", str(database_path))
    monkeypatch.setenv("SECTORLIGHTS_SIM_NOW", SIM_NOW.isoformat())
    monkeypatch.setenv("SECTORLIGHTS_REFRESH_INTERVAL_SECS", "3600")
    monkeypatch.setenv("SECTORLIGHTS_STATIC_DIR", str(tmp_path / "no-frontend"))
    with migrated_sqlite(database_path):
        return database_path


@pytest.fixture
def client(settings_env: Path) -> Iterator[TestClient]:
    settings = load_settings()
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_grid_has_eight_sectors_in_the_vocabulary(client: TestClient) -> None:
    grid = wait_for_grid(client)
    assert [sector["sector"] for sector in grid["sectors"]] == [s.value for s in SECTORS]
    assert grid["data_source"] == {
        "provider": "simulated",
        "simulated": True,
        "label": "Simulated data",
        "replay_of": None,
    }
    assert datetime.fromisoformat(grid["as_of"]) == SIM_NOW
    assert date.fromisoformat(grid["current_session"]) == date(2026, 11, 24)
    assert (grid["freshness"], grid["stale"], grid["age_secs"]) == ("fresh", False, 0.0)
    assert grid["universe_size"] >= 500
    assert grid["benchmark"]["symbol"] == "IWM"
    assert set(grid["benchmark"]["returns_pct"]) == {tf.value for tf in TIMEFRAMES}
    for sector in grid["sectors"]:
        assert -1.0 <= sector["score"] <= 1.0
        assert sector["color"] == expected_color(sector["score"]).value
        assert sector["signal"] == SIGNAL_BY_COLOR[Color(sector["color"])].value
        assert 0.0 <= sector["confidence"] <= 1.0
        assert sector["stock_count"] > 0
        assert set(sector["timeframes"]) == {tf.value for tf in TIMEFRAMES}
        for cell in sector["timeframes"].values():
            assert cell["color"] == expected_color(cell["score"]).value
        assert len(sector["top_bullish"]) <= 3 and len(sector["top_bearish"]) <= 3
        for side in ("bullish", "bearish"):
            assert sector[f"top_{side}"] or sector[f"{side}_note"]
    assert {sector["color"] for sector in grid["sectors"]} <= {c.value for c in COLORS}


def test_health_on_embedded_defaults(client: TestClient) -> None:
    overall = client.get("/health")
    assert overall.status_code == 200
    assert overall.json()["status"] == "ok"
    database = client.get("/health/database").json()
    assert (database["status"], database["dialect"], database["revision"]) == (
        "ok",
        "sqlite",
        head_revision(),
    )
    assert client.get("/health/redis").json() == {
        "status": "ok",
        "backend": "memory",
        "detail": "in-process cache (embedded default)",
    }
    polygon = client.get("/health/polygon")
    assert polygon.status_code == 200
    assert polygon.json()["status"] == "not_configured"
    assert "POLYGON_API_KEY" in polygon.json()["detail"]


def test_liveness_and_readiness_on_embedded_defaults(client: TestClient) -> None:
    live = client.get("/livez")
    assert live.status_code == 200
    assert live.json()["status"] == "ok"
    assert live.json()["version"]
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert (ready.json()["status"], ready.json()["reason"]) == ("ready", None)
    assert ready.json()["database"]["revision"] == head_revision()


@pytest.mark.parametrize(
    ("method", "path", "status", "body"),
    [
        ("GET", "/livez", 200, True),
        ("HEAD", "/livez", 200, False),
        ("GET", "/readyz", 200, True),
        ("HEAD", "/readyz", 200, False),
        # Only GET and HEAD of the exact paths are the probes' own; the rest reaches the router.
        ("POST", "/livez", 405, True),
        ("GET", "/livez/", 307, False),
    ],
)
def test_the_probes_answer_before_routing_only_what_is_theirs(
    client: TestClient, method: str, path: str, status: int, body: bool
) -> None:
    answer = client.request(method, path, follow_redirects=False)
    assert answer.status_code == status
    assert bool(answer.content) is body


def test_the_probes_answer_what_their_documented_routes_would(client: TestClient) -> None:
    from sectorlights.api.routes.health import get_liveness, get_readiness

    container = client.app.state.container  # type: ignore[attr-defined]
    portal = client.portal
    assert portal is not None
    assert client.get("/livez").json() == portal.call(get_liveness).model_dump(mode="json")
    documented = portal.call(get_readiness, container, Response())
    assert client.get("/readyz").json() == documented.model_dump(mode="json")


@pytest.mark.parametrize(
    ("part", "down", "reason"),
    [
        ("database", {"status": "error", "detail": "connection refused"}, "database: connection refused"),
        (
            "database",
            {"status": "error", "revision": "0001", "detail": "migrations pending: at 0001"},
            "database: migrations pending: at 0001",
        ),
        ("cache", {"status": "error", "detail": "redis down"}, "cache: redis down"),
    ],
)
def test_readiness_names_what_is_not_ready(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, part: str, down: dict[str, str], reason: str
) -> None:
    health = client.app.state.container.health  # type: ignore[attr-defined]
    healthy = client.portal.call(getattr(health, part))  # type: ignore[union-attr]

    async def broken() -> Any:
        return healthy.model_copy(update=down)

    monkeypatch.setattr(health, part, broken)
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["status"] == "not_ready"
    assert reason in ready.json()["reason"]
    # Liveness never looks at either part.
    assert client.get("/livez").status_code == 200


def test_metrics_carry_process_and_gc_collectors(client: TestClient) -> None:
    text = client.get("/metrics").text
    for family in ("process_resident_memory_bytes", "python_gc_collections_total", "python_info"):
        assert family in text


def test_dashboard_not_built_is_a_clear_503_naming_the_static_dir(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 503
    assert "The dashboard is not built" in page.text
    assert "SECTORLIGHTS_STATIC_DIR is " in page.text
    assert "no-frontend" in page.text


def test_package_without_the_dashboard_says_how_to_build_it(
    settings_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As installed from a wheel built without `make build`: no checkout build, no shipped copy.
    monkeypatch.delenv("SECTORLIGHTS_STATIC_DIR")
    monkeypatch.setattr(settings_module, "CHECKOUT_DIST_DIR", tmp_path / "dist")
    monkeypatch.setattr(settings_module, "PACKAGE_STATIC_DIR", tmp_path / "static")
    with TestClient(create_app(load_settings())) as test_client:
        page = test_client.get("/")
    assert page.status_code == 503
    assert "This installation has no dashboard" in page.text
    assert "make build" in page.text


def test_no_analysis_yet_is_a_clear_503(settings_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECTORLIGHTS_RUN_ON_START", "false")
    monkeypatch.setenv("SECTORLIGHTS_SCHEDULE", "off")
    with TestClient(create_app(load_settings())) as test_client:
        response = test_client.get("/api/sectors")
    assert response.status_code == 503
    assert "No analysis yet" in response.json()["detail"]


def test_cache_loss_falls_back_to_the_database(settings_env: Path) -> None:
    container = build_container(load_settings(), SwitchableProvider())
    with TestClient(create_app(load_settings(), container)) as test_client:
        first = wait_for_grid(test_client)
        test_client.portal.call(container.cache.close)  # type: ignore[union-attr]
        again = test_client.get("/api/sectors")
        assert again.status_code == 200
        assert again.json()["run_id"] == first["run_id"]
        # ...and the cache was refilled from the database.
        cached = test_client.portal.call(container.cache.get_json, "sector:technology:sentiment")  # type: ignore[union-attr]
        assert cached["color"] == first["sectors"][0]["color"]


def settled_first_grid(
    test_client: TestClient, container: Container
) -> tuple[BlockingPortal, dict[str, Any]]:
    """The start-up run's grid, once that run has finished (events, retention): a run requested
    before then would join it instead of starting."""
    good = wait_for_grid(test_client)
    portal = test_client.portal
    assert portal is not None
    portal.call(container.analysis.runs.wait_for, good["run_id"])
    return portal, good


def test_runs_call_the_vendor_on_the_engines_threads_only(settings_env: Path) -> None:
    """Never on the default threads the API's database reads use: a slow vendor cannot queue them."""
    provider = SwitchableProvider()
    container = build_container(load_settings(), provider)
    with TestClient(create_app(load_settings(), container)) as test_client:
        settled_first_grid(test_client, container)
    assert provider.threads and all(name.startswith("vendor-") for name in provider.threads), provider.threads
    assert container.analysis.runs.vendor_calls is container.vendor_calls
    assert container.analysis.replays.vendor_calls is container.vendor_calls


def test_vendor_failure_keeps_last_good_grid_marked_stale(settings_env: Path) -> None:
    provider = SwitchableProvider()
    container = build_container(load_settings(), provider)
    with TestClient(create_app(load_settings(), container)) as test_client:
        portal, good = settled_first_grid(test_client, container)
        provider.failing = True
        run = portal.call(container.analysis.runs.request_run, RunTrigger.ON_DEMAND)
        finished = portal.call(container.analysis.runs.wait_for, run.run_id)
        assert finished.status == RunStatus.FAILED
        assert "HTTP 503" in (finished.error or "")
        grid = test_client.get("/api/sectors").json()
        assert grid["run_id"] == good["run_id"]
        assert grid["stale"] is True
        assert "HTTP 503" in grid["last_error"]
        # Freshness, recommendation and the vendor's health agree with the failed run.
        assert grid["freshness"] == "stale"
        assert grid["recommendation"].startswith("The latest analysis failed")
        latest = test_client.get("/api/analysis/latest").json()
        assert (latest["run"]["status"], latest["freshness"]) == ("failed", "stale")
        assert "HTTP 503" in latest["last_error"]
        assert latest["recommendation"].startswith("The latest analysis failed")


def test_a_failed_run_nobody_waited_for_is_logged_once_not_as_an_unretrieved_task(
    settings_env: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """An on-demand run that fails while no one waits on it: its one-line error is the whole story,
    not also asyncio's "Task exception was never retrieved" with a traceback when the task is freed."""
    provider = SwitchableProvider()
    container = build_container(load_settings(), provider)
    runs = container.analysis.runs
    with TestClient(create_app(load_settings(), container)) as test_client:
        portal, _good = settled_first_grid(test_client, container)
        provider.failing = True
        failed = portal.call(runs.request_run, RunTrigger.ON_DEMAND)
        deadline = time.monotonic() + 30
        while (
            stored := container.repository.get_run(failed.run_id)
        ) is None or stored.status == RunStatus.RUNNING:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        provider.failing = False
        following = portal.call(runs.request_run, RunTrigger.ON_DEMAND)  # the failed task is let go
        portal.call(runs.wait_for, following.run_id)
        portal.call(_collect_garbage)
    assert f"analysis {failed.run_id} failed" in caplog.text
    assert "never retrieved" not in caplog.text


async def _collect_garbage() -> None:
    gc.collect()


def test_a_run_applies_the_history_retention(settings_env: Path) -> None:
    from sectorlights.domain.vocabulary import Sector
    from tests.samples import members, run_record, snapshot

    container = build_container(load_settings())
    ancient = SIM_NOW - timedelta(days=400)
    run = run_record(started_at=ancient)
    container.repository.create_run(run)
    container.repository.commit_run(snapshot(run.run_id, as_of=ancient), members(), ancient)
    with TestClient(create_app(load_settings(), container)) as test_client:
        # The old run is served until the start-up run commits; retention follows that commit.
        deadline = time.monotonic() + 90
        while container.repository.get_run(run.run_id) is not None and time.monotonic() < deadline:
            time.sleep(0.1)
        grid = wait_for_grid(test_client)
        assert container.repository.get_run(run.run_id) is None
        history = container.repository.sector_history(Sector.TECHNOLOGY)
        assert [row["run_id"] for row in history] == [grid["run_id"]]
