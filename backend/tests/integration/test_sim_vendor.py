"""The sim vendor: the simulated market over HTTP in Polygon/Massive's and FMP's recorded shapes,
with the vendors' auth and pagination, injectable faults, and a real uvicorn server for the
official Massive client."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
import pytest
from fastapi.testclient import TestClient
from massive import RESTClient

from sectorlights.core.clock import FrozenClock
from sectorlights.domain.sessions import NEW_YORK
from sectorlights.providers.simulated import SimulatedProvider
from sectorlights.simvendor import docs_index
from sectorlights.simvendor.faults import EndpointFaults
from sectorlights.simvendor.vendor import FaultConfig, create_vendor_app, parse_fault_option
from tests.servers import uvicorn_in_thread
from tests.services import free_port

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
MOCKS = FIXTURES / "polygon" / "client-python" / "test_rest" / "mocks"
DOCS = FIXTURES / "polygon" / "docs-samples" / "stocks"
FMP = FIXTURES / "fmp" / "stable"
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=NEW_YORK)
SESSION = date(2026, 11, 24)
AUTH = {"Authorization": "Bearer test-key"}


def fixture(path: Path) -> Any:
    return json.loads(path.read_text())


def shape(value: Any) -> Any:
    """Keys and JSON value types, recursively (lists by their first element; ints and floats alike)."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return "null" if value is None else type(value).__name__


@pytest.fixture(scope="module")
def provider() -> SimulatedProvider:
    return SimulatedProvider()


@pytest.fixture(scope="module")
def faults() -> FaultConfig:
    return FaultConfig(seed=3)


@pytest.fixture(scope="module")
def client(provider: SimulatedProvider, faults: FaultConfig) -> Iterator[TestClient]:
    with TestClient(create_vendor_app(provider, FrozenClock(NOW), faults)) as test_client:
        yield test_client


@pytest.fixture(autouse=True)
def clean_vendor(request: pytest.FixtureRequest) -> None:
    if "client" in request.fixturenames:
        client: TestClient = request.getfixturevalue("client")
        client.post("/_control/reset")


def get(client: TestClient, path: str, **params: Any) -> Any:
    response = client.get(path, params=params or None, headers=AUTH)
    assert response.status_code == 200, response.text
    return response.json()


def follow(client: TestClient, path: str, **params: Any) -> list[dict[str, Any]]:
    """Every row of a paginated Polygon list, following next_url (an absolute URL on this server)."""
    body = get(client, path, **params)
    rows: list[dict[str, Any]] = list(body["results"])
    while "next_url" in body:
        url = urlparse(body["next_url"])
        assert url.scheme == "http" and url.netloc == "testserver" and "cursor=" in url.query
        body = get(client, f"{url.path}?{url.query}")
        rows.extend(body["results"])
    return rows


# ----- shapes against the recorded responses -----------------------------------------------------


def test_market_status_shape(client: TestClient) -> None:
    body = get(client, "/v1/marketstatus/now")
    assert (
        shape(body)
        == shape(fixture(DOCS / "market-status.json"))
        == shape(fixture(MOCKS / "v1/marketstatus/now.json"))
    )
    assert body["market"] == "open" and body["serverTime"] == "2026-11-24T12:00:00-05:00"


def test_full_market_snapshot_shape(client: TestClient, provider: SimulatedProvider) -> None:
    body = get(client, "/v2/snapshot/locale/us/markets/stocks/tickers")
    docs = fixture(DOCS / "full-market-snapshot.json")
    mock = fixture(MOCKS / "v2/snapshot/locale/us/markets/stocks/tickers/index.json")
    assert list(body) == list(docs) == ["count", "status", "tickers"]
    assert shape(body["tickers"][0]) == shape(docs["tickers"][0])
    assert set(mock["tickers"][0]) - {"fmv"} <= set(body["tickers"][0])  # fmv is a Business-plan field
    assert body["count"] == len(body["tickers"]) > 7000
    snapshot = provider.intraday_snapshot(NOW)
    row = next(item for item in body["tickers"] if item["ticker"] == "SOUN")
    index = provider.row_of("SOUN")
    assert index is not None
    assert row["lastTrade"]["p"] == snapshot.last_price[index] == row["day"]["c"]
    assert row["day"]["v"] == snapshot.session_volume[index]
    assert row["prevDay"]["c"] == provider.daily_bars([date(2026, 11, 23)])[0].close[index]
    assert row["todaysChangePerc"] == pytest.approx(
        100 * (row["day"]["c"] / row["prevDay"]["c"] - 1), abs=1e-3
    )
    assert all(item["day"]["l"] <= item["day"]["c"] <= item["day"]["h"] for item in body["tickers"])


def test_snapshot_filters_and_otc(client: TestClient) -> None:
    some = get(client, "/v2/snapshot/locale/us/markets/stocks/tickers", tickers="SOUN,IWM,NOPE")
    assert [row["ticker"] for row in some["tickers"]] == ["IWM", "SOUN"]
    listed = get(client, "/v2/snapshot/locale/us/markets/stocks/tickers")["count"]
    everything = get(client, "/v2/snapshot/locale/us/markets/stocks/tickers", include_otc="true")["count"]
    assert everything == 8_500 > listed


def test_grouped_daily_shape_and_days_without_data(client: TestClient, provider: SimulatedProvider) -> None:
    body = get(client, "/v2/aggs/grouped/locale/us/market/stocks/2026-11-23")
    mock = fixture(MOCKS / "v2/aggs/grouped/locale/us/market/stocks/2005-04-04&adjusted=true.json")
    docs = fixture(DOCS / "grouped-daily.json")
    assert shape(body) == shape(mock)
    assert shape(body["results"][0]) == shape(docs["results"][0])
    bars = provider.daily_bars([date(2026, 11, 23)])[0]
    soun = next(row for row in body["results"] if row["T"] == "SOUN")
    index = provider.row_of("SOUN")
    assert (soun["o"], soun["c"], soun["v"]) == (bars.open[index], bars.close[index], bars.volume[index])
    for day in ("2026-11-24", "2026-11-26", "2026-11-28", "2027-01-04"):  # today, holiday, weekend, future
        empty = get(client, f"/v2/aggs/grouped/locale/us/market/stocks/{day}")
        assert empty["resultsCount"] == 0 and "results" not in empty
    bad = client.get("/v2/aggs/grouped/locale/us/market/stocks/yesterday", headers=AUTH)
    assert bad.status_code == 400 and bad.json()["status"] == "ERROR"


def test_ticker_list_shape_and_pagination_covers_every_listing_once(
    client: TestClient, provider: SimulatedProvider
) -> None:
    first = get(client, "/v3/reference/tickers", limit=2)
    mock = fixture(MOCKS / "v3/reference/tickers.json")
    assert shape(first) == shape(mock)
    every = follow(client, "/v3/reference/tickers", limit=1000)
    symbols = [row["ticker"] for row in every]
    assert symbols == provider.market.universe.symbols.tolist()
    stocks = follow(client, "/v3/reference/tickers", market="stocks", active="true", limit=1000)
    assert 7_000 < len(stocks) < len(every)
    assert all(row["market"] == "stocks" and "primary_exchange" in row for row in stocks)
    common = follow(client, "/v3/reference/tickers", type="CS", order="desc", limit=777)
    assert [row["ticker"] for row in common] == sorted(
        (row["ticker"] for row in every if row["type"] == "CS"), reverse=True
    )
    assert get(client, "/v3/reference/tickers", active="false")["results"] == []
    too_many = client.get("/v3/reference/tickers", params={"limit": 1001}, headers=AUTH)
    assert too_many.status_code == 400 and "limit" in too_many.json()["error"]


def test_ticker_details_shape_and_unknown_ticker(client: TestClient, provider: SimulatedProvider) -> None:
    body = get(client, "/v3/reference/tickers/SOUN")
    mock = fixture(MOCKS / "v3/reference/tickers/AAPL.json")
    docs = fixture(DOCS / "ticker-overview.json")
    assert list(body) == ["results", "status", "request_id"]
    results = shape(body["results"])
    assert set(results) == set(mock["results"]) | set(docs["results"])
    for key, value in shape(mock["results"]).items():
        assert results[key] == value, key
    details = body["results"]
    listing = next(item for item in provider.listings(NOW) if item.symbol == "SOUN")
    assert details["market_cap"] == listing.market_cap
    assert details["weighted_shares_outstanding"] == listing.shares_outstanding
    assert (details["sic_code"], details["primary_exchange"]) == (listing.sic_code, "XNAS")
    missing = client.get("/v3/reference/tickers/NOPE", headers=AUTH)
    assert missing.status_code == 404
    assert shape(missing.json()) == {"status": "str", "request_id": "str", "message": "str"}
    assert missing.json()["status"] == "NOT_FOUND"


def test_float_shape_and_pagination(client: TestClient, provider: SimulatedProvider) -> None:
    docs = fixture(DOCS / "float.json")
    first = get(client, "/stocks/vX/float", limit=3)
    assert set(first) == set(docs) | {"next_url"}
    assert shape(first["results"][0]) == shape(docs["results"][0])
    every = follow(client, "/stocks/vX/float", limit=5000)
    known = [item for item in provider.listings(NOW) if item.float_shares is not None]
    assert [row["ticker"] for row in every] == [item.symbol for item in known]
    assert all(
        row["free_float"] == round(item.float_shares or 0) for row, item in zip(every, known, strict=True)
    )
    assert client.get("/stocks/vX/float", params={"limit": 5001}, headers=AUTH).status_code == 400


def test_minute_aggs_shape_pagination_and_the_clock(client: TestClient, provider: SimulatedProvider) -> None:
    mock = fixture(MOCKS / "v2/aggs/ticker/AAPL/range/1/day/2005-04-01/2005-04-04.json")
    whole = get(client, "/v2/aggs/ticker/SOUN/range/1/minute/2026-11-23/2026-11-23")
    assert set(whole) == set(mock)
    assert shape(whole["results"][0]) == shape(mock["results"][0])
    bars = provider.minute_bars("SOUN", date(2026, 11, 23))
    assert [row["t"] for row in whole["results"]] == (bars.window_start_ns // 1_000_000).tolist()
    assert [row["c"] for row in whole["results"]] == bars.close.tolist()
    paged = follow(client, "/v2/aggs/ticker/SOUN/range/1/minute/2026-11-23/2026-11-23", limit=250)
    assert paged == whole["results"]
    backwards = follow(
        client, "/v2/aggs/ticker/SOUN/range/1/minute/2026-11-23/2026-11-23", limit=300, sort="desc"
    )
    assert backwards == whole["results"][::-1]
    today = get(client, "/v2/aggs/ticker/SOUN/range/1/minute/2026-11-24/2026-11-24", limit=50_000)
    noon_ms = round(NOW.timestamp() * 1000)
    assert today["results"][-1]["t"] + 60_000 <= noon_ms < today["results"][-1]["t"] + 120_000
    unknown = get(client, "/v2/aggs/ticker/NOPE/range/1/minute/2026-11-23/2026-11-23")
    assert unknown["resultsCount"] == 0 and "results" not in unknown
    hourly = client.get("/v2/aggs/ticker/SOUN/range/1/hour/2026-11-23/2026-11-23", headers=AUTH)
    assert hourly.status_code == 400


def test_news_shape_window_and_pagination(client: TestClient, provider: SimulatedProvider) -> None:
    docs = fixture(DOCS / "news.json")
    window = {"published_utc.gte": "2026-11-23T09:00:00Z", "published_utc.lt": "2026-11-24T17:00:00Z"}
    first = get(client, "/v2/reference/news", limit=1, **window)
    assert list(first) == list(docs)
    assert shape(first["results"][0]) == shape(docs["results"][0])
    every = follow(client, "/v2/reference/news", limit=1000, **window)
    paged = follow(client, "/v2/reference/news", limit=7, **window)
    assert [row["id"] for row in paged] == [row["id"] for row in every]
    times = [row["published_utc"] for row in every]
    assert times == sorted(times, reverse=True) and "2026-11-23T09:00:00Z" <= times[-1] <= times[0]
    items = provider.news(
        datetime(2026, 11, 23, 4, tzinfo=NEW_YORK), datetime(2026, 11, 24, 12, tzinfo=NEW_YORK)
    )
    assert [row["id"] for row in every] == [item.news_id for item in items]
    ascending = follow(client, "/v2/reference/news", limit=9, order="asc", **window)
    assert [row["id"] for row in ascending] == [row["id"] for row in every][::-1]
    ticker = every[0]["tickers"][0]
    about = follow(client, "/v2/reference/news", ticker=ticker, limit=1000, **window)
    assert about and all(ticker in row["tickers"] for row in about)
    assert {insight["sentiment"] for row in every for insight in row["insights"]} == {
        "positive",
        "negative",
        "neutral",
    }
    future = get(client, "/v2/reference/news", **{"published_utc.gte": "2026-11-24T17:00:01Z"})
    assert future["results"] == []  # nothing after the vendor's clock


# ----- FMP -----------------------------------------------------------------------------------------


def test_fmp_shapes(client: TestClient) -> None:
    key = {"apikey": "test-key"}
    pairs = [
        (get(client, "/stable/profile", symbol="SOUN", **key), "profile&symbol=AAPL.json"),
        (
            get(client, "/stable/company-screener", sector="Energy", limit=2, **key),
            "company-screener&betaLowerThan=0.5&includeAllShareClasses=false&industry=Oil+%26+Gas+Midstream"
            "&isActivelyTrading=true&isEtf=false&isFund=false&limit=2&sector=Energy.json",
        ),
        (get(client, "/stable/shares-float", symbol="SOUN", **key), "shares-float&symbol=AAPL.json"),
        (get(client, "/stable/shares-float-all", page=0, limit=2, **key), "shares-float&symbol=MSFT.json"),
        (get(client, "/stable/etf/holdings", symbol="IWM", **key), "etf/holdings&symbol=DIA.json"),
    ]
    for body, name in pairs:
        recorded = fixture(FMP / name)
        assert isinstance(body, list) and body, name
        assert shape(body[0]) == shape(recorded[0]), name
    assert get(client, "/stable/profile", symbol="NOPE", **key) == []


def test_fmp_sectors_follow_design_mapping_and_screener_filters(
    client: TestClient, provider: SimulatedProvider
) -> None:
    from sectorlights.domain.vocabulary import SECTORS
    from sectorlights.simvendor.reference import FMP_SECTOR_TO_SECTOR

    key = {"apikey": "test-key"}
    rows = get(
        client,
        "/stable/company-screener",
        marketCapMoreThan=10_000_000,
        marketCapLowerThan=2_000_000_000,
        isEtf="false",
        isFund="false",
        isActivelyTrading="true",
        exchange="NASDAQ,NYSE,AMEX",
        limit=10_000,
        **key,
    )
    assert len(rows) > 2_000
    assert {row["sector"] for row in rows} == set(FMP_SECTOR_TO_SECTOR)
    universe = provider.market.universe
    for row in rows:
        index = provider.row_of(row["symbol"])
        assert index is not None
        assert FMP_SECTOR_TO_SECTOR[row["sector"]] == SECTORS[int(universe.sector_index[index])]
        assert 10_000_000 <= row["marketCap"] <= 2_000_000_000 and row["exchangeShortName"] in (
            "NASDAQ",
            "NYSE",
            "AMEX",
        )
    caps = [row["marketCap"] for row in rows]
    assert caps == sorted(caps, reverse=True)
    healthcare = get(client, "/stable/company-screener", sector="Healthcare", limit=5, **key)
    assert len(healthcare) == 5 and {row["sector"] for row in healthcare} == {"Healthcare"}
    holdings = get(client, "/stable/etf/holdings", symbol="PSCH", **key)
    assert sum(row["weightPercentage"] for row in holdings) == pytest.approx(100, abs=0.5)
    assert get(client, "/stable/etf/holdings", symbol="SOUN", **key) == []


# ----- auth ------------------------------------------------------------------------------------------


def test_auth_like_the_vendors(client: TestClient) -> None:
    missing = client.get("/v3/reference/tickers/SOUN")
    assert missing.status_code == 401
    assert missing.json()["status"] == "ERROR" and missing.json()["error"] == "API Key was not provided"
    assert client.get("/v3/reference/tickers/SOUN", params={"apiKey": "anything"}).status_code == 200
    assert client.get("/v3/reference/tickers/SOUN", headers={"Authorization": "Bearer x"}).status_code == 200
    assert client.get("/v3/reference/tickers/SOUN", headers={"Authorization": "Bearer "}).status_code == 401
    fmp = client.get("/stable/profile", params={"symbol": "SOUN"})
    assert fmp.status_code == 401 and "Invalid API KEY" in fmp.json()["Error Message"]
    assert client.get("/stable/profile", params={"symbol": "SOUN", "apikey": "k"}).status_code == 200


# ----- faults ----------------------------------------------------------------------------------------


def test_rate_limit_and_server_error_counters(client: TestClient, faults: FaultConfig) -> None:
    faults.update("ticker_details", {"status_429_count": 2, "status_500_count": 1, "retry_after_secs": 3})
    statuses = [client.get("/v3/reference/tickers/SOUN", headers=AUTH) for _ in range(4)]
    assert [response.status_code for response in statuses] == [429, 429, 500, 200]
    assert statuses[0].headers["Retry-After"] == "3"
    assert statuses[0].json()["status"] == "ERROR" and "exceeded" in statuses[0].json()["error"]
    assert client.get("/_control/requests").json()["ticker_details"] == 4


def test_always_status_and_wildcard(client: TestClient) -> None:
    set_faults = client.post(
        "/_control/faults", json={"*": {"always_status": 503}, "marketstatus": {"delay_ms": 0}}
    )
    assert set_faults.status_code == 200 and set_faults.json()["*"]["always_status"] == 503
    for _ in range(2):
        assert client.get("/v1/marketstatus/now", headers=AUTH).status_code == 503
        fmp = client.get("/stable/profile", params={"symbol": "SOUN", "apikey": "k"})
        assert fmp.status_code == 503 and "Error Message" in fmp.json()
    client.post("/_control/faults", json={"*": None})
    assert client.get("/v1/marketstatus/now", headers=AUTH).status_code == 200


def test_delay(client: TestClient) -> None:
    client.post("/_control/faults", json={"marketstatus": {"delay_ms": 150}})
    started = time.perf_counter()
    assert client.get("/v1/marketstatus/now", headers=AUTH).status_code == 200
    assert time.perf_counter() - started >= 0.15


def test_malformed_rows_are_seeded_and_stable(client: TestClient, provider: SimulatedProvider) -> None:
    client.post("/_control/faults", json={"grouped": {"malformed_share": 0.05}})
    path = "/v2/aggs/grouped/locale/us/market/stocks/2026-11-23"
    first, second = get(client, path), get(client, path)
    assert first["results"] == second["results"]
    rows = first["results"]
    negative = sum(1 for row in rows if isinstance(row.get("v"), int) and row["v"] < 0)
    null_price = sum(1 for row in rows if "c" in row and row["c"] is None)
    missing = sum(1 for row in rows if "c" not in row)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["T"]] = counts.get(row["T"], 0) + 1
    duplicated = sum(1 for count in counts.values() if count > 1)
    listed = first["resultsCount"]
    for kind in (negative, null_price, missing, duplicated):
        assert 0.005 * listed < kind < 0.025 * listed
    client.post("/_control/faults", json={"grouped": {"malformed_share": 0.0}})
    assert all(row["v"] > 0 and row["c"] is not None for row in get(client, path)["results"])
    clean_details = get(client, "/v3/reference/tickers/SOUN")["results"]
    client.post("/_control/faults", json={"ticker_details": {"malformed_share": 1.0}})
    assert get(client, "/v3/reference/tickers/SOUN")["results"] != clean_details


def test_truncated_json(client: TestClient) -> None:
    client.post("/_control/faults", json={"news": {"truncated_json": True}})
    response = client.get("/v2/reference/news", headers=AUTH)
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)


def test_control_endpoints(client: TestClient) -> None:
    bad = client.post("/_control/faults", json={"snapshots": {"delay_ms": 1}})
    assert bad.status_code == 400 and "snapshot" in bad.json()["detail"]
    bad_option = client.post("/_control/faults", json={"snapshot": {"delay": 1}})
    assert bad_option.status_code == 400 and "delay_ms" in bad_option.json()["detail"]
    client.post("/_control/faults", json={"snapshot": {"status_500_count": 5}})
    assert client.get("/_control/faults").json()["snapshot"]["status_500_count"] == 5
    get(client, "/v1/marketstatus/now")
    counters = client.get("/_control/requests").json()
    assert counters["marketstatus"] == 1 and set(counters) >= {"snapshot", "fmp_etf_holdings"}
    kept = client.post("/_control/reset", params={"keep_faults": "true"}).json()
    assert (
        set(kept.values()) == {0}
        and client.get("/_control/faults").json()["snapshot"]["status_500_count"] == 5
    )
    client.post("/_control/reset")
    assert client.get("/_control/faults").json() == {}
    assert client.delete("/_control/faults").json() == {}


def test_docs_index_lists_what_the_vendor_serves(client: TestClient) -> None:
    """The index Polygon's MCP server builds its allowlist from: public, and subject to faults."""
    answer = client.get(docs_index.SIM_VENDOR_PATH)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/markdown")
    listed = docs_index.parse(answer.text)
    assert [endpoint.path for endpoint in listed] == [
        endpoint.path for endpoint in docs_index.SIM_VENDOR_ENDPOINTS
    ]
    served = [route.path for route in client.app.routes if route.path.startswith(("/v", "/stocks"))]  # type: ignore[attr-defined]
    assert len(listed) == len(served) == 8
    assert all(any(path.startswith(endpoint.prefix) for path in served) for endpoint in listed)
    client.post("/_control/faults", json={"docs": {"always_status": 503}})
    assert client.get(docs_index.SIM_VENDOR_PATH).status_code == 503
    assert client.get("/_control/requests").json()["docs"] == 2


def test_parse_fault_option() -> None:
    assert parse_fault_option("snapshot:status_500_count=3") == ("snapshot", {"status_500_count": 3})
    assert parse_fault_option("*:delay_ms=200") == ("*", {"delay_ms": 200.0})
    assert parse_fault_option("grouped:malformed_share=0.02,truncated_json") == (
        "grouped",
        {"malformed_share": 0.02, "truncated_json": True},
    )
    assert parse_fault_option("news:always_status=503") == ("news", {"always_status": 503})
    for text, message in (
        ("snapshot", "ENDPOINT:OPTION=VALUE"),
        ("nowhere:delay_ms=1", "allowed"),
        ("snapshot:delay=1", "delay_ms"),
        ("snapshot:malformed_share=2", "between 0 and 1"),
        ("snapshot:status_429_count=-1", ">= 0"),
        ("snapshot:always_status=200", "400-599"),
    ):
        with pytest.raises(ValueError, match=message):
            parse_fault_option(text)
    config = FaultConfig.from_options(["snapshot:status_500_count=3", "snapshot:delay_ms=5"])
    assert config.endpoints["snapshot"] == EndpointFaults(status_500_count=3, delay_ms=5.0)


# ----- a real server --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(provider: SimulatedProvider) -> Iterator[str]:
    """The vendor app on uvicorn in a thread, on a free port."""
    app = create_vendor_app(provider, FrozenClock(NOW), FaultConfig())
    with uvicorn_in_thread(app, timeout_secs=20) as (base_url, _server):
        yield base_url


def test_the_official_massive_client_reads_the_vendor(served: str, provider: SimulatedProvider) -> None:
    massive = RESTClient(api_key="test-key", base=served, retries=0)
    tickers = [ticker.ticker for ticker in massive.list_tickers(market="stocks", active=True, limit=1000)]
    assert len(tickers) == len(set(tickers)) > 7_000
    snapshot = massive.get_snapshot_all("stocks")
    assert len(snapshot) == len(tickers)
    soun = next(item for item in snapshot if item.ticker == "SOUN")
    assert soun.last_trade is not None and soun.day is not None and soun.prev_day is not None
    assert soun.last_trade.price == soun.day.close and soun.day.volume > 0
    grouped = massive.get_grouped_daily_aggs("2026-11-23")
    assert len(grouped) == len(tickers)
    details = massive.get_ticker_details("SOUN")
    assert details.sic_code == "7372" and details.market_cap
    bars = list(massive.list_aggs("SOUN", 1, "minute", "2026-11-23", "2026-11-23", limit=400))
    assert len(bars) == provider.minute_bars("SOUN", date(2026, 11, 23)).open.size
    news = list(
        massive.list_ticker_news(
            published_utc_gte="2026-11-23T09:00:00Z",
            published_utc_lt="2026-11-24T17:00:00Z",
            limit=50,
            order="desc",
        )
    )
    assert news and all(item.insights for item in news)
    raw = httpx.get(f"{served}/v3/reference/tickers", params={"limit": 2}, timeout=10)
    assert raw.status_code == 401


def test_serve_vendor_runs_from_settings(tmp_path: Path) -> None:
    """`serve_vendor` in its own process (what `sectorlights sim-vendor` calls), with a CLI fault."""
    port = free_port()
    script = (
        "import sys\n"
        "from sectorlights.settings import ProviderSettings\n"
        "from sectorlights.simvendor.vendor import FaultConfig, serve_vendor\n"
        "faults = FaultConfig.from_options(['snapshot:status_500_count=1'])\n"
        "serve_vendor(ProviderSettings(), '127.0.0.1', int(sys.argv[1]), faults)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("SECTORLIGHTS_")}
    env |= {"SECTORLIGHTS_SIM_NOW": NOW.isoformat(), "SECTORLIGHTS_SIM_LISTINGS": "300"}
    log = (tmp_path / "vendor.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-c", script, str(port)], env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status = httpx.get(f"{base}/v1/marketstatus/now?apiKey=k", timeout=2)
                break
            except httpx.TransportError:
                assert process.poll() is None and time.monotonic() < deadline, (
                    tmp_path / "vendor.log"
                ).read_text()
                time.sleep(0.1)
        assert status.json()["serverTime"] == "2026-11-24T12:00:00-05:00"
        path = f"{base}/v2/snapshot/locale/us/markets/stocks/tickers?apiKey=k"
        assert [httpx.get(path, timeout=10).status_code for _ in range(2)] == [500, 200]
        assert httpx.get(path, timeout=10).json()["count"] > 200
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
