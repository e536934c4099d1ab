"""The trader's views over HTTP on a real `sectorlights serve` (one for the module): the
`overnight_gaps` market at 04:05 ET, where the scanner lists the largest gapper first with the
headline behind it, and that stock's news and chart follow."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.conftest import OVERNIGHT_GAPS
from tests.servers import running_server

AT_0405 = datetime(2026, 11, 24, 4, 5, tzinfo=ZoneInfo("America/New_York"))
# The overnight_gaps market frozen at 04:05, the move watcher on (its snapshot serves the scanner).
GAPS_AT_0405 = OVERNIGHT_GAPS | {"SECTORLIGHTS_SIM_NOW": AT_0405.isoformat(), "SECTORLIGHTS_SIM_SPEED": "1"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_server(GAPS_AT_0405, tmp_path_factory.mktemp("gaps0405")) as base_url:
        yield base_url


def get(server: str, path: str) -> dict[str, Any]:
    response = httpx.get(server + path, timeout=30)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_the_largest_gapper_comes_first_with_its_headline(server: str) -> None:
    page = get(server, "/api/scanner?limit=500")
    assert page["source"] == "snapshot" and page["stale"] is False
    assert page["session"] == "2026-11-24" and datetime.fromisoformat(page["as_of"]) == AT_0405
    assert page["as_of"].endswith("Z") and page["news_since"].endswith("Z")
    gaps = [abs(row["gap_pct"]) for row in page["rows"] if row["gap_pct"] is not None]
    assert len(gaps) == page["total"] == len(page["rows"])
    assert gaps == sorted(gaps, reverse=True)
    top = page["rows"][0]
    assert abs(top["gap_pct"]) >= 30, top
    assert top["headline"] and top["news_count"] >= 1
    assert top["premarket_volume"] == top["session_volume"] > 0
    assert top["relative_volume"] > 2
    # Every overnight gap of 15 % or more is explained by an article.
    assert all(row["headline"] for row in page["rows"] if abs(row["gap_pct"]) >= 15)
    # The filters the trader reaches for.
    big = get(server, "/api/scanner?min_gap_pct=15&min_dollar_volume=100000&sort=gap_up")
    assert 0 < big["total"] < page["total"]
    assert all(row["gap_pct"] >= 15 or row["gap_pct"] <= -15 for row in big["rows"])
    assert all(row["dollar_volume"] >= 100_000 for row in big["rows"])


def test_clicking_the_gapper_opens_its_news_and_chart(server: str) -> None:
    top = get(server, "/api/scanner?limit=1")["rows"][0]
    news = get(server, f"/api/stocks/{top['symbol']}/news")
    assert news["items"][0]["title"] == top["headline"]
    assert news["items"][0]["sentiment"] == ("positive" if top["gap_pct"] > 0 else "negative")
    minutes = get(server, f"/api/stocks/{top['symbol']}/bars")
    assert minutes["session"] == "2026-11-24" and 0 < minutes["count"] <= 5
    assert minutes["bars"][-1]["close"] == pytest.approx(top["price"], rel=0.02)
    days = get(server, f"/api/stocks/{top['symbol']}/bars?interval=day")
    assert days["bars"][-1]["close"] == pytest.approx(top["previous_close"])
    sector = get(server, f"/api/sectors/{top['sector']}/news")
    assert top["symbol"] in {item["ticker"] for item in sector["items"]}
