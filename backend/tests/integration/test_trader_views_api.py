"""The scanner, news and bars routes of the real app (TestClient, one app for the module) with a
vendor that can fail: 422 naming the parameter, 404 for an unknown symbol, 409 before the first
analysis, 503 naming the vendor's error, and the last good scanner page marked stale."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from sectorlights.api.app import create_app
from sectorlights.domain.market import DailyBars, IntradaySnapshot, Listing, MinuteBars, NewsItem
from sectorlights.engine.container import Container, build_container
from sectorlights.providers.base import ProviderError
from sectorlights.providers.simulated.provider import SimulatedProvider
from sectorlights.settings import load_settings
from tests.integration.apps import assert_names, environment, sqlite_url, wait_for_grid


class FailingMarket(SimulatedProvider):
    """The simulated market, which can be told to fail like a vendor outage."""

    failing = False

    def _check(self, endpoint: str) -> None:
        if self.failing:
            raise ProviderError(f"{endpoint}: HTTP 503 from vendor")

    def listings(self, as_of: datetime) -> list[Listing]:
        self._check("tickers")
        return super().listings(as_of)

    def daily_bars(self, sessions: Sequence[date]) -> list[DailyBars]:
        self._check("grouped daily")
        return super().daily_bars(sessions)

    def intraday_snapshot(self, at: datetime) -> IntradaySnapshot:
        self._check("snapshot")
        return super().intraday_snapshot(at)

    def minute_bars(self, symbol: str, session: date) -> MinuteBars:
        self._check("aggregates")
        return super().minute_bars(symbol, session)

    def news(self, since: datetime, until: datetime, limit: int = 1000) -> list[NewsItem]:
        self._check("news")
        return super().news(since, until, limit)


@dataclass
class App:
    client: TestClient
    container: Container
    market: FailingMarket
    grid: dict[str, Any]


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    directory = tmp_path_factory.mktemp("views")
    with pytest.MonkeyPatch.context() as monkeypatch:
        environment(monkeypatch, sqlite_url(directory), directory / "no-frontend", run_on_start=True)
        monkeypatch.setenv("SECTORLIGHTS_SCHEDULE", "off")
        monkeypatch.setenv("SECTORLIGHTS_MOVE_WATCH", "false")
        market = FailingMarket(listing_count=1500)
        container = build_container(load_settings(), market)
        with TestClient(create_app(load_settings(), container)) as client:
            yield App(client, container, market, wait_for_grid(client))


def a_member(app: App) -> str:
    symbol: str = app.client.get("/api/universe?limit=1").json()["members"][0]["symbol"]
    return symbol


def test_the_scanner_is_unavailable_then_live_then_stale(app: App) -> None:
    scanner = app.container.views.scanner
    app.market.failing = True
    try:
        # Nothing held yet: a 503 naming the endpoint and the cause.
        assert_names(app.client.get("/api/scanner"), 503, "market snapshot", "snapshot: HTTP 503")
    finally:
        app.market.failing = False
    good = app.client.get("/api/scanner?limit=5")
    assert good.status_code == 200, good.text
    page = good.json()
    assert page["source"] == "snapshot" and page["stale"] is False and page["run_id"] == app.grid["run_id"]
    assert len(page["rows"]) == 5 and page["total"] >= 5
    # The vendor fails: every build asks again (a held snapshot never counts as fresh here).
    scanner.cache_secs, scanner.max_snapshot_age_secs = 0.0, -1.0
    app.market.failing = True
    try:
        stale = app.client.get("/api/scanner?limit=5").json()
    finally:
        app.market.failing = False
        scanner.cache_secs, scanner.max_snapshot_age_secs = 3.0, 15.0
    assert stale["stale"] is True and "HTTP 503" in stale["stale_reason"]
    assert stale["rows"] == page["rows"] and stale["as_of"] == page["as_of"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("min_gap_pct=-1", "query.min_gap_pct"),
        ("min_gap_pct=lots", "query.min_gap_pct"),
        ("min_dollar_volume=-5", "query.min_dollar_volume"),
        ("sector=crypto", "query.sector"),
        ("sort=alphabetical", "query.sort"),
        ("limit=0", "query.limit"),
        ("limit=501", "query.limit"),
    ],
)
def test_scanner_parameters_are_checked(app: App, query: str, field: str) -> None:
    assert_names(app.client.get(f"/api/scanner?{query}"), 422, field)


def test_scanner_filters(app: App) -> None:
    page = app.client.get("/api/scanner?min_gap_pct=2&sector=technology&sort=gap_up&limit=500").json()
    assert all(row["sector"] == "technology" and abs(row["gap_pct"]) >= 2 for row in page["rows"])
    assert [row["gap_pct"] for row in page["rows"]] == sorted(
        (row["gap_pct"] for row in page["rows"]), reverse=True
    )
    assert page["total"] == len(page["rows"]) and page["sort"] == "gap_up"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("sector=crypto", "query.sector"),
        ("timeframe=2d", "query.timeframe"),
        ("size_by=volume", "query.size_by"),
    ],
)
def test_heatmap_parameters_are_checked(app: App, query: str, field: str) -> None:
    assert_names(app.client.get(f"/api/heatmap?{query}"), 422, field)


@pytest.mark.parametrize("timeframe", ["1d", "1w"])
def test_the_heatmap_is_the_universe_under_the_grid(app: App, timeframe: str) -> None:
    whole = app.client.get(f"/api/heatmap?timeframe={timeframe}").json()
    rows, _total = app.container.repository.universe_members()
    by_symbol = {member["symbol"]: member for member in rows}
    drawn = {
        member["symbol"]: (sector["sector"], member)
        for sector in whole["sectors"]
        for member in sector["members"]
    }
    assert drawn.keys() == by_symbol.keys() and whole["member_count"] == len(by_symbol)
    for symbol, (sector, member) in drawn.items():
        assert sector == by_symbol[symbol]["sector"]
        assert member["size_value"] == by_symbol[symbol]["market_cap"]
    cards = {card["sector"]: card for card in app.grid["sectors"]}
    for sector in whole["sectors"]:
        card = cards[sector["sector"]]
        assert (sector["color"], sector["change_pct"]) == (
            card["color"],
            card["timeframes"][timeframe]["return_pct"],
        )
        sizes = [member["size_value"] for member in sector["members"]]
        assert sizes == sorted(sizes, reverse=True)
    totals = [sector["size_total"] for sector in whole["sectors"]]
    assert totals == sorted(totals, reverse=True)
    one = app.client.get(f"/api/heatmap?sector=energy&timeframe={timeframe}").json()
    assert [sector["sector"] for sector in one["sectors"]] == ["energy"]
    assert one["sectors"][0] == next(sector for sector in whole["sectors"] if sector["sector"] == "energy")


def test_a_float_heatmap_lists_unknown_floats_last(app: App) -> None:
    page = app.client.get("/api/heatmap?size_by=float").json()
    members = [member for sector in page["sectors"] for member in sector["members"]]
    assert page["unsized_count"] == sum(1 for member in members if member["float_shares"] is None)
    for sector in page["sectors"]:
        known = [member["size_value"] is not None for member in sector["members"]]
        assert known == sorted(known, reverse=True)
    assert all(member["size_value"] == member["float_shares"] for member in members)


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/stocks/{symbol}/bars?interval=hour", "query.interval"),
        ("/api/stocks/{symbol}/bars?session=yesterday", "query.session"),
        ("/api/stocks/{symbol}/bars?session=2026-11-22", "session: 2026-11-22 is not a NYSE trading session"),
        ("/api/stocks/{symbol}/bars?session=2026-11-25", "session: 2026-11-25 has not begun yet"),
        ("/api/stocks/{symbol}/news?limit=0", "query.limit"),
        ("/api/stocks/{symbol}/news?limit=101", "query.limit"),
        ("/api/stocks/bad%20symbol/news", "path.symbol"),
        ("/api/sectors/crypto/news", "path.sector"),
        ("/api/sectors/technology/news?limit=501", "query.limit"),
    ],
)
def test_news_and_bars_parameters_are_checked(app: App, path: str, field: str) -> None:
    assert_names(app.client.get(path.format(symbol=a_member(app))), 422, field)


@pytest.mark.parametrize(
    "path", ["/api/stocks/ZZZZ/news", "/api/stocks/ZZZZ/bars", "/api/stocks/zzzz/bars?interval=day"]
)
def test_an_unknown_symbol_is_404(app: App, path: str) -> None:
    assert_names(app.client.get(path), 404, "ZZZZ is not listed in the latest analysis")


def test_news_bars_and_sector_news_answer(app: App) -> None:
    symbol = a_member(app)
    news = app.client.get(f"/api/stocks/{symbol.lower()}/news")
    assert news.status_code == 200 and news.json()["symbol"] == symbol
    minutes = app.client.get(f"/api/stocks/{symbol}/bars").json()
    assert minutes["interval"] == "minute" and minutes["session"] == "2026-11-24" and minutes["count"] > 0
    days = app.client.get(f"/api/stocks/{symbol}/bars?interval=day").json()
    assert days["session"] is None and 0 < days["count"] <= 25


@pytest.mark.parametrize("sector", ["technology", "healthcare", "energy", "utilities"])
def test_a_sectors_news_is_what_its_catalyst_factor_counted(app: App, sector: str) -> None:
    news = app.client.get(f"/api/sectors/{sector}/news?limit=500").json()
    assert news["run_id"] == app.grid["run_id"] and news["catalyst"] is not None
    assert news["count"] == news["catalyst"]["news_articles"]
    if news["count"]:
        signs = {"positive": 1, "negative": -1, "neutral": 0}
        net = sum(signs[item["sentiment"]] for item in news["items"]) / news["count"]
        assert net == pytest.approx(news["catalyst"]["news_net_sentiment"], abs=1e-3)


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/api/stocks/{symbol}/bars?session=2026-11-20", ("minute bars for", "aggregates: HTTP 503")),
        ("/api/stocks/{symbol}/news", ("news: HTTP 503",)),
    ],
)
def test_a_vendor_failure_is_503_naming_it(app: App, path: str, words: tuple[str, ...]) -> None:
    feed = app.container.views.news.feed
    feed.refresh_secs, app.market.failing = 0.0, True
    try:
        response = app.client.get(path.format(symbol=a_member(app)))
    finally:
        feed.refresh_secs, app.market.failing = 60.0, False
    assert_names(response, 503, *words)
    assert response.headers["Retry-After"] == "5"


def test_chart_links_are_saved_and_refused_naming_the_field(app: App) -> None:
    links = [{"label": "Chart", "url_template": "https://charts.example/{symbol}"}]
    saved = app.client.put("/api/preferences", json={"chart_links": links})
    assert saved.status_code == 200 and saved.json()["chart_links"] == links
    assert app.client.get("/api/preferences").json()["chart_links"] == links
    refused = app.client.put(
        "/api/preferences", json={"chart_links": [{"label": "X", "url_template": "javascript:{symbol}"}]}
    )
    assert_names(refused, 422, "chart_links.0.url_template", "https://")


def test_before_the_first_analysis_the_views_answer_409(tmp_path_factory: pytest.TempPathFactory) -> None:
    directory = tmp_path_factory.mktemp("empty")
    with pytest.MonkeyPatch.context() as monkeypatch:
        environment(monkeypatch, sqlite_url(directory), directory / "no-frontend", run_on_start=False)
        monkeypatch.setenv("SECTORLIGHTS_MOVE_WATCH", "false")
        with TestClient(create_app(load_settings())) as client:
            for path in (
                "/api/scanner",
                "/api/stocks/SOUN/news",
                "/api/stocks/SOUN/bars",
                "/api/sectors/energy/news",
                "/api/heatmap",
                "/api/rrg",
                "/api/rrg?interval=30min",
            ):
                assert_names(client.get(path), 409, "No analysis yet")
