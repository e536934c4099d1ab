"""The resource API of DESIGN §8 (analysis runs, sector detail and history, stocks, universe), over
SQLite and PostgreSQL: success cases, bad input (always a 4xx naming the field, never a 500), and
concurrent on-demand runs that join one run."""

from __future__ import annotations

import csv
import io
import json
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from sectorlights.api.app import create_app
from sectorlights.config.colour_history import COLOUR_HISTORY_FILE, load_colour_history
from sectorlights.domain.colour_history import ColourHistory
from sectorlights.domain.vocabulary import SECTORS, TIMEFRAMES
from sectorlights.settings import load_settings
from tests.conftest import SIM_NOW
from tests.integration.apps import (
    Served,
    assert_names,
    environment,
    member_of,
    served_app,
    sqlite_url,
    wait_for_grid,
)

SECTOR_NAMES = [sector.value for sector in SECTORS]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The real app on each database, after its start-up run has published a grid."""
    directory = tmp_path_factory.mktemp(f"api-{request.param}")
    with served_app(request, directory, "resources.db") as app:
        yield app


@pytest.fixture
def idle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The app on an empty SQLite database with no start-up run: nothing analysed yet."""
    environment(monkeypatch, sqlite_url(tmp_path), tmp_path / "no-frontend", run_on_start=False)
    with TestClient(create_app(load_settings())) as client:
        yield client


# --- analysis runs ---------------------------------------------------------------------------------


def test_latest_analysis_reports_freshness_and_recommendation(served: Served) -> None:
    response = served.client.get("/api/analysis/latest")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["freshness"] == "fresh"
    assert body["recommendation"] == "Analysis is current."
    assert body["age_secs"] == 0.0
    assert datetime.fromisoformat(body["as_of"]) == SIM_NOW
    assert body["run"]["status"] in {"running", "succeeded"}
    assert body["grid_run_id"] == wait_for_grid(served.client)["run_id"]


@pytest.mark.parametrize(
    ("hours", "freshness", "recommendation"),
    [
        (1.9, "fresh", "Analysis is current."),
        (3.0, "aging", "refresh recommended"),
        (4.5, "stale", "run a fresh analysis"),
    ],
)
def test_latest_analysis_freshness_classes(
    served: Served, monkeypatch: pytest.MonkeyPatch, hours: float, freshness: str, recommendation: str
) -> None:
    later = SIM_NOW + timedelta(hours=hours)
    monkeypatch.setattr(served.container.clock, "now", lambda: later)
    body = served.client.get("/api/analysis/latest").json()
    assert body["freshness"] == freshness
    assert recommendation in body["recommendation"]
    assert body["age_secs"] == pytest.approx(hours * 3600)


def test_latest_analysis_without_any_run_is_a_clear_404(idle: TestClient) -> None:
    assert_names(idle.get("/api/analysis/latest"), 404, "No analysis has run yet", "POST /api/analysis")


def test_post_analysis_answers_202_at_once_and_the_run_can_be_followed(idle: TestClient) -> None:
    response = idle.post("/api/analysis")
    assert response.status_code == 202, response.text
    body = response.json()
    assert set(body) >= {"run_id", "status", "stage", "progress_pct", "joined"}
    assert body["joined"] is False
    assert body["status"] == "running"
    assert 0.0 <= body["progress_pct"] < 100.0
    assert str(uuid.UUID(body["run_id"])) == body["run_id"]
    assert response.headers["location"] == f"/api/analysis/{body['run_id']}"
    followed = idle.get(response.headers["location"])
    assert followed.status_code == 200
    assert followed.json()["run_id"] == body["run_id"]
    deadline = time.monotonic() + 60
    while followed.json()["status"] == "running" and time.monotonic() < deadline:
        time.sleep(0.1)
        followed = idle.get(response.headers["location"])
    final = followed.json()
    assert (final["status"], final["stage"], final["progress_pct"]) == ("succeeded", "done", 100.0)
    assert final["trigger"] == "on_demand"
    assert idle.get("/api/analysis/latest").json()["grid_run_id"] == body["run_id"]


@pytest.mark.parametrize(
    ("run_id", "status", "words"),
    [
        ("not-a-uuid", 422, ("run_id", "UUID")),
        ("12345", 422, ("run_id", "UUID")),
        ("0" * 40, 422, ("run_id", "UUID")),
        (str(uuid.UUID(int=1)), 404, ("run_id", str(uuid.UUID(int=1)))),
    ],
)
def test_analysis_run_bad_ids(served: Served, run_id: str, status: int, words: tuple[str, ...]) -> None:
    assert_names(served.client.get(f"/api/analysis/{run_id}"), status, *words)


def test_analysis_run_by_id_is_the_stored_record(served: Served) -> None:
    run_id = served.grid["run_id"]
    body = served.client.get(f"/api/analysis/{run_id}").json()
    assert (body["run_id"], body["status"], body["progress_pct"]) == (run_id, "succeeded", 100.0)
    assert datetime.fromisoformat(body["as_of"]) == SIM_NOW
    upper = served.client.get(f"/api/analysis/{run_id.upper()}")
    assert upper.status_code == 200 and upper.json()["run_id"] == run_id


def test_ten_concurrent_posts_join_one_run_and_the_grid_changes_only_on_commit(served: Served) -> None:
    client = served.client
    before = wait_for_grid(client)["run_id"]
    barrier = threading.Barrier(10)

    def post(_: int) -> dict[str, Any]:
        barrier.wait()
        response = client.post("/api/analysis")
        assert response.status_code == 202, response.text
        body: dict[str, Any] = response.json()
        return body

    started = datetime.now(UTC)
    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(post, range(10)))
    run_ids = {answer["run_id"] for answer in answers}
    assert len(run_ids) == 1, run_ids
    (run_id,) = run_ids
    assert run_id != before
    assert sorted(answer["joined"] for answer in answers) == [False] + [True] * 9
    on_demand = [
        run
        for run in served.container.repository.list_runs(50)
        if run.trigger.value == "on_demand" and run.started_at >= started - timedelta(seconds=1)
    ]
    assert [run.run_id for run in on_demand] == [run_id]

    observed: list[tuple[str, str, float]] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        grid_run = client.get("/api/sectors").json()["run_id"]
        run = client.get(f"/api/analysis/{run_id}").json()
        observed.append((grid_run, run["status"], run["progress_pct"]))
        if grid_run == run_id:
            break
        time.sleep(0.02)
    # The grid read first shows the new run only once the run is committed (and then at 100 %).
    for grid_run, status, percent in observed:
        if grid_run == run_id:
            assert (status, percent) == ("succeeded", 100.0)
        else:
            assert grid_run == before
    assert observed[-1] == (run_id, "succeeded", 100.0)
    percents = [percent for _, _, percent in observed]
    assert percents == sorted(percents)


# --- sectors ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("sector", SECTOR_NAMES)
def test_sector_detail_has_its_card_and_every_constituent(served: Served, sector: str) -> None:
    response = served.client.get(f"/api/sectors/{sector}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["sector"]["sector"] == sector
    assert set(body["sector"]["timeframes"]) == {tf.value for tf in TIMEFRAMES}
    assert body["constituent_count"] == len(body["constituents"]) == body["sector"]["stock_count"]
    symbols = [member["symbol"] for member in body["constituents"]]
    assert symbols == sorted(symbols)
    universe = served.client.get(f"/api/universe?sector={sector}&limit=1000").json()
    assert symbols == [member["symbol"] for member in universe["members"]]
    for member in body["constituents"]:
        assert member["sector"] == sector
        assert member["tier"] in {"micro_cap", "small_cap"}
        assert 10e6 <= member["market_cap"] <= 2e9
        assert 0.0 <= member["confidence"] <= 1.0
        assert {"name", "float_shares", "classification_source", "exchange"} <= set(member)


def test_sector_history_is_newest_first_with_timeframe_detail(served: Served) -> None:
    body = served.client.get("/api/sectors/technology/history").json()
    assert body["count"] == len(body["history"]) >= 1
    entry = body["history"][0]
    assert datetime.fromisoformat(entry["timestamp"]) == SIM_NOW
    assert set(entry["detail"]["timeframes"]) == {tf.value for tf in TIMEFRAMES}
    assert -1.0 <= entry["score"] <= 1.0
    assert {"color", "signal", "confidence", "stock_count", "run_id"} <= set(entry)
    stamps = [item["timestamp"] for item in body["history"]]
    assert stamps == sorted(stamps, reverse=True)


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ("", 1),
        ("?limit=1", 1),
        (f"?since={(SIM_NOW - timedelta(minutes=1)).isoformat()}", 1),
        (f"?since={(SIM_NOW + timedelta(minutes=1)).isoformat()}", 0),
        (f"?until={(SIM_NOW - timedelta(minutes=1)).isoformat()}", 0),
        ("?since=2026-11-24&until=2026-11-25", 1),
        ("?since=2026-11-24T11:36:00&until=2026-11-24T11:38:00", 1),  # no offset: UTC
        ("?since=2026-11-24T11:38:00Z", 0),
    ],
)
def test_sector_history_filters(served: Served, query: str, count: int) -> None:
    response = served.client.get(f"/api/sectors/energy/history{query.replace('+', '%2B')}")
    assert response.status_code == 200, response.text
    assert response.json()["count"] == count


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/api/sectors/bogus", ("sector", *SECTOR_NAMES)),
        ("/api/sectors/Technology", ("sector", "technology")),
        ("/api/sectors/bogus/history", ("sector", *SECTOR_NAMES)),
        ("/api/sectors/energy/history?since=yesterday", ("since",)),
        ("/api/sectors/energy/history?until=2026-13-01", ("until",)),
        ("/api/sectors/energy/history?since=2026-11-25&until=2026-11-24", ("since", "until")),
        ("/api/sectors/energy/history?limit=0", ("limit", "1")),
        ("/api/sectors/energy/history?limit=1001", ("limit", "1000")),
        ("/api/sectors/energy/history?limit=ten", ("limit",)),
    ],
)
def test_sector_bad_input_is_a_422_naming_the_field(
    served: Served, path: str, words: tuple[str, ...]
) -> None:
    assert_names(served.client.get(path), 422, *words)


# --- stocks ----------------------------------------------------------------------------------------


def test_stock_lookup_of_a_member(served: Served) -> None:
    member = member_of(served, "healthcare")
    for spelled in (member["symbol"], member["symbol"].lower()):
        response = served.client.get(f"/api/stocks/{spelled}")
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["symbol"] == member["symbol"]
        assert body["in_universe"] is True
        assert body["member"]["market_cap"] == member["market_cap"]
        assert body["classification"]["sector"] == "healthcare"
        assert body["classification"]["confidence"] == member["confidence"]
        assert body["classification"]["source"] == member["classification_source"]
        assert body["sector_card"]["sector"] == "healthcare"


def test_stock_lookup_gives_the_top_list_rank(served: Served) -> None:
    grid = wait_for_grid(served.client)
    card = next(card for card in grid["sectors"] if card["top_bearish"])
    ranked = card["top_bearish"][-1]
    body = served.client.get(f"/api/stocks/{ranked['symbol']}").json()
    assert body["in_top_list"] is True
    assert body["top_list"]["list"] == "top_bearish"
    assert body["top_list"]["rank"] == len(card["top_bearish"])
    assert body["top_list"]["sector"] == card["sector"]
    assert body["top_list"]["change_pct"] == ranked["change_pct"]


def test_stock_lookup_outside_the_top_lists(served: Served) -> None:
    grid = wait_for_grid(served.client)
    ranked = {
        stock["symbol"] for card in grid["sectors"] for stock in card["top_bullish"] + card["top_bearish"]
    }
    members = served.client.get("/api/universe?limit=50").json()["members"]
    symbol = next(member["symbol"] for member in members if member["symbol"] not in ranked)
    body = served.client.get(f"/api/stocks/{symbol}").json()
    assert (body["in_top_list"], body["top_list"]) == (False, None)


def test_stock_lookup_has_the_members_timeframe_metrics(served: Served) -> None:
    grid = wait_for_grid(served.client)
    ranked = next(stock for card in grid["sectors"] for stock in card["top_bullish"] + card["top_bearish"])
    body = served.client.get(f"/api/stocks/{ranked['symbol']}").json()
    metrics = body["metrics"]
    assert set(metrics["returns_pct"]) == {"30m", "1d", "3d", "1w"}
    assert metrics["returns_pct"]["1d"] == pytest.approx(ranked["change_pct"], abs=1e-3)
    assert metrics["rank_score"] == pytest.approx(ranked["rank_score"], abs=1e-3)
    assert metrics["relative_volume"] == pytest.approx(ranked["relative_volume"], abs=1e-3)


def test_stock_lookup_of_an_excluded_listing_names_the_criterion(served: Served) -> None:
    reasons = served.container.repository
    # The simulated market always lists IWM, an ETF: excluded at the first criterion.
    response = served.client.get("/api/stocks/IWM")
    assert response.status_code == 404
    assert response.json()["detail"] == "IWM is not in the current universe: excluded by security_type"
    assert response.headers["X-Exclusion-Reason"] == "security_type" == reasons.exclusion("IWM")


@pytest.mark.parametrize(
    ("symbol", "status", "words"),
    [
        ("ZZZZ9", 404, ("ZZZZ9 is not listed in the latest analysis",)),
        ("zzzz9", 404, ("ZZZZ9 is not listed in the latest analysis",)),
        ("BRK.B", 404, ("BRK.B is not listed in the latest analysis",)),
        ("ABCDEFGHIJK", 422, ("symbol", "10")),
        ("AB$C", 422, ("symbol",)),
        ("A%20B", 422, ("symbol",)),
        ("%C3%84PPL", 422, ("symbol",)),
        ("A_B", 422, ("symbol",)),
    ],
)
def test_stock_bad_symbols(served: Served, symbol: str, status: int, words: tuple[str, ...]) -> None:
    assert_names(served.client.get(f"/api/stocks/{symbol}"), status, *words)


# --- universe --------------------------------------------------------------------------------------


def test_universe_pages_with_the_funnel(served: Served) -> None:
    first = served.client.get("/api/universe?limit=25").json()
    assert first["total"] == first["universe_size"] >= 100
    assert len(first["members"]) == 25
    assert first["funnel"] and first["funnel"][-1]["remaining"] == first["total"]
    second = served.client.get("/api/universe?offset=25&limit=25").json()
    symbols = [member["symbol"] for member in first["members"] + second["members"]]
    assert symbols == sorted(symbols) and len(set(symbols)) == 50
    default = served.client.get("/api/universe").json()
    assert (default["limit"], len(default["members"])) == (100, min(100, default["total"]))
    past_the_end = served.client.get(f"/api/universe?offset={first['total']}").json()
    assert past_the_end["members"] == [] and past_the_end["total"] == first["total"]


def test_universe_by_sector(served: Served) -> None:
    totals = 0
    for sector in SECTOR_NAMES:
        body = served.client.get(f"/api/universe?sector={sector}&limit=1000").json()
        assert {member["sector"] for member in body["members"]} <= {sector}
        assert body["total"] == len(body["members"])
        totals += body["total"]
    assert totals == served.client.get("/api/universe").json()["total"]


def test_universe_csv_export(served: Served) -> None:
    response = served.client.get("/api/universe?format=csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "universe.csv" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    total = served.client.get("/api/universe").json()["total"]
    assert len(rows) == total
    assert response.text.splitlines()[0].startswith("symbol,name,exchange,tier,sector,market_cap")
    assert all(row["symbol"] and row["tier"] in {"micro_cap", "small_cap"} for row in rows)
    paged = served.client.get("/api/universe?format=csv&sector=energy&limit=3")
    assert len(paged.text.splitlines()) == 4


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("offset=-1", ("offset", "0")),
        ("offset=first", ("offset",)),
        ("limit=0", ("limit", "1")),
        ("limit=1001", ("limit", "1000")),
        ("limit=2.5", ("limit",)),
        ("sector=bogus", ("sector", *SECTOR_NAMES)),
        ("format=xml", ("format", "json", "csv")),
    ],
)
def test_universe_bad_paging_is_a_422_naming_the_field(
    served: Served, query: str, words: tuple[str, ...]
) -> None:
    assert_names(served.client.get(f"/api/universe?{query}"), 422, *words)


# --- nothing analysed yet, no 500s, OpenAPI --------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/api/sectors/energy", "/api/universe", "/api/universe?format=csv", "/api/stocks/ABC"]
)
def test_reads_before_the_first_analysis_are_a_clear_503(idle: TestClient, path: str) -> None:
    assert_names(idle.get(path), 503, "No analysis yet")


def test_history_before_the_first_analysis_is_empty(idle: TestClient) -> None:
    body = idle.get("/api/sectors/energy/history").json()
    assert (body["count"], body["history"]) == (0, [])


def test_colour_history_is_served_before_any_analysis(idle: TestClient) -> None:
    response = idle.get("/api/colour-history")
    assert response.status_code == 200, response.text
    assert ColourHistory.model_validate(response.json()) == load_colour_history()


def test_colour_history_serves_the_configured_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    document = json.loads(COLOUR_HISTORY_FILE.read_text(encoding="utf-8"))
    configured = tmp_path / "held_out.json"
    configured.write_text(json.dumps({**document, "label": "held-out set"}), encoding="utf-8")
    environment(monkeypatch, sqlite_url(tmp_path), tmp_path / "no-frontend", run_on_start=False)
    monkeypatch.setenv("SECTORLIGHTS_COLOUR_HISTORY", str(configured))
    with TestClient(create_app(load_settings())) as client:
        assert client.get("/api/colour-history").json()["label"] == "held-out set"


BAD_REQUESTS = [
    ("GET", "/api/sectors/%00"),
    ("GET", "/api/sectors/energy/history?since=%00&until=x&limit=-5"),
    ("GET", "/api/sectors/energy/history?since=9999-12-31T23:59:59%2B14:00"),
    ("GET", "/api/sectors/energy/history?since=0001-01-01T00:00:00%2B14:00"),
    ("GET", "/api/sectors/energy/history?until=9999-12-31T23:59:59-14:00"),
    ("GET", "/api/sectors/energy/history?limit=99999999999999999999999"),
    ("GET", "/api/stocks/" + "A" * 300),
    ("GET", "/api/stocks/..."),
    ("GET", "/api/universe?offset=99999999999999999999999"),
    ("GET", "/api/universe?offset=2147483648&limit=1"),
    ("GET", "/api/universe?sector=&format="),
    ("GET", "/api/analysis/%20"),
    ("POST", "/api/analysis/latest"),
    ("DELETE", "/api/analysis"),
]


@pytest.mark.parametrize(("method", "path"), BAD_REQUESTS)
def test_no_bad_input_yields_a_500(served: Served, method: str, path: str) -> None:
    response = served.client.request(method, path)
    assert 400 <= response.status_code < 500 or response.status_code == 200, (
        response.status_code,
        response.text,
    )


def test_openapi_documents_the_parameters(served: Served) -> None:
    paths = served.client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/analysis",
        "/api/analysis/latest",
        "/api/analysis/{run_id}",
        "/api/sectors/{sector}",
        "/api/sectors/{sector}/history",
        "/api/stocks/{symbol}",
        "/api/universe",
    ):
        assert path in paths
        for operation in paths[path].values():
            assert operation["summary"] and operation["description"]
    history = {p["name"]: p for p in paths["/api/sectors/{sector}/history"]["get"]["parameters"]}
    assert history["limit"]["schema"]["maximum"] == 1000
    assert history["limit"]["schema"]["minimum"] == 1
    symbol = paths["/api/stocks/{symbol}"]["get"]["parameters"][0]
    assert symbol["schema"]["maxLength"] == 10 and "pattern" in symbol["schema"]
    assert "202" in paths["/api/analysis"]["post"]["responses"]
    universe = {p["name"]: p for p in paths["/api/universe"]["get"]["parameters"]}
    assert set(universe) == {"offset", "limit", "sector", "format"}
    assert "text/csv" in paths["/api/universe"]["get"]["responses"]["200"]["content"]


def test_latest_analysis_lists_the_next_scheduled_runs(served: Served) -> None:
    body = served.client.get("/api/analysis/latest").json()
    # SIM_NOW is Tuesday 2026-11-24 06:37 ET: next the 07:00 and 07:30 intraday runs, then 08:00 full.
    assert body["next_scheduled"] == [
        {"at": "2026-11-24T07:00:00-05:00", "kind": "intraday"},
        {"at": "2026-11-24T07:30:00-05:00", "kind": "intraday"},
        {"at": "2026-11-24T08:00:00-05:00", "kind": "full"},
    ]
