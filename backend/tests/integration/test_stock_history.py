"""`GET /api/stocks/{symbol}/history`: every run's metrics of one stock, over SQLite and PostgreSQL,
with bad input always a 4xx naming the field."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert

from sectorlights.engine.container import Container
from sectorlights.storage.tables import stock_metrics
from tests.conftest import SIM_NOW
from tests.integration.apps import Served, assert_names, member_of, served_app

# A symbol no simulated listing has, given a stored history of its own by `_stored_points`.
PLANTED = "ZZQX"
PLANTED_AT = [SIM_NOW - timedelta(days=days) for days in (3, 2, 1)]
METRICS = ("relative_volume", "rank_score")


def _stored_points(container: Container) -> None:
    rows = [
        {
            "timestamp": moment,
            "symbol": PLANTED,
            "run_id": f"run-{index}",
            "sector": "energy",
            "tier": "small_cap",
            "market_cap": 400_000_000,
            "volatility_multiplier": 1.2,
            "classification_source": "sic",
            "change_30m_pct": 0.1 * index,
            "change_1d_pct": 1.0 * index,
            "change_3d_pct": None,
            "change_1w_pct": -1.0,
            "relative_volume": 1.5,
            "rank_score": 5.0 + index,
        }
        for index, moment in enumerate(PLANTED_AT)
    ]
    with container.repository.engine.begin() as connection:
        connection.execute(insert(stock_metrics), rows)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The real app on each database, after its start-up run has published a grid."""
    directory = tmp_path_factory.mktemp(f"stock-history-{request.param}")
    with served_app(request, directory, "history.db") as app:
        _stored_points(app.container)
        yield app


def test_a_members_history_holds_the_published_run(served: Served) -> None:
    member = member_of(served)
    response = served.client.get(f"/api/stocks/{member['symbol'].lower()}/history")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["symbol"] == member["symbol"]
    assert body["count"] == len(body["points"]) == 1
    point = body["points"][0]
    assert set(point) == {"timestamp", "run_id", "sector", "tier", "returns_pct", *METRICS}
    assert datetime.fromisoformat(point["timestamp"]) == SIM_NOW
    assert point["run_id"] == served.grid["run_id"]
    assert (point["sector"], point["tier"]) == (member["sector"], member["tier"])
    assert point["returns_pct"] == {
        "30m": member["change_30m_pct"],
        "1d": member["change_1d_pct"],
        "3d": member["change_3d_pct"],
        "1w": member["change_1w_pct"],
    }
    assert [point[name] for name in METRICS] == [member[name] for name in METRICS]


def test_history_is_newest_first_with_every_stored_run(served: Served) -> None:
    body = served.client.get(f"/api/stocks/{PLANTED}/history").json()
    assert body["count"] == 3
    stamps = [datetime.fromisoformat(point["timestamp"]) for point in body["points"]]
    assert stamps == list(reversed(PLANTED_AT))
    assert [point["run_id"] for point in body["points"]] == ["run-2", "run-1", "run-0"]
    assert body["points"][0]["returns_pct"] == {"30m": 0.2, "1d": 2.0, "3d": None, "1w": -1.0}
    assert body["points"][0]["rank_score"] == 7.0


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+", "%2B")


@pytest.mark.parametrize(
    ("query", "run_ids"),
    [
        ("?limit=1", ["run-2"]),
        (f"?since={_iso(PLANTED_AT[1])}", ["run-2", "run-1"]),
        (f"?until={_iso(PLANTED_AT[1])}", ["run-1", "run-0"]),
        (f"?since={_iso(PLANTED_AT[1])}&until={_iso(PLANTED_AT[1])}", ["run-1"]),
        (f"?since={_iso(PLANTED_AT[2] + timedelta(seconds=1))}", []),
        # No offset means UTC; another offset names the same instant.
        (f"?since={PLANTED_AT[1].astimezone(UTC).replace(tzinfo=None).isoformat()}", ["run-2", "run-1"]),
        (f"?since={_iso(PLANTED_AT[1].astimezone(SIM_NOW.tzinfo))}", ["run-2", "run-1"]),
    ],
)
def test_history_window_and_limit(served: Served, query: str, run_ids: list[str]) -> None:
    response = served.client.get(f"/api/stocks/{PLANTED}/history{query}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert [point["run_id"] for point in body["points"]] == run_ids
    assert body["count"] == len(run_ids)


def test_a_symbol_without_history_is_a_404(served: Served) -> None:
    assert_names(served.client.get("/api/stocks/QQQQZ/history"), 404, "QQQQZ", "no stored history")


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/api/stocks/BAD$/history", ("symbol",)),
        ("/api/stocks/ABCDEFGHIJK/history", ("symbol", "10")),
        (f"/api/stocks/{PLANTED}/history?since=yesterday", ("since",)),
        (f"/api/stocks/{PLANTED}/history?until=2026-13-01", ("until",)),
        (f"/api/stocks/{PLANTED}/history?since=2026-11-25&until=2026-11-24", ("since", "until")),
        (f"/api/stocks/{PLANTED}/history?limit=0", ("limit", "1")),
        (f"/api/stocks/{PLANTED}/history?limit=5001", ("limit", "5000")),
        (f"/api/stocks/{PLANTED}/history?limit=ten", ("limit",)),
        # Valid times with no UTC equivalent.
        (f"/api/stocks/{PLANTED}/history?since=0001-01-01T00:00:00%2B01:00", ("since", "range")),
        (f"/api/stocks/{PLANTED}/history?until=9999-12-31T23:59:59-01:00", ("until", "range")),
    ],
)
def test_bad_input_is_a_422_naming_the_field(served: Served, path: str, words: tuple[str, ...]) -> None:
    assert_names(served.client.get(path), 422, *words)


def test_the_largest_limit_is_accepted(served: Served) -> None:
    response = served.client.get(f"/api/stocks/{PLANTED}/history?limit=5000")
    assert response.status_code == 200, response.text
    assert response.json()["count"] == 3
