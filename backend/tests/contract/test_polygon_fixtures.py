"""The real `massive` client, through PolygonRestSource, against recorded vendor responses.

FixtureServer replays `tests/fixtures/polygon/` (see SOURCE.md there): the client-python mocks under
their upstream names, and the docs' sample responses routed to the endpoints they document.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import numpy as np

from sectorlights.core.clock import FrozenClock
from sectorlights.domain.market import Sentiment
from sectorlights.domain.sessions import NEW_YORK, previous_sessions
from sectorlights.providers.base import MemoryReferenceStore, RejectedRow
from sectorlights.providers.polygon.market_data import PolygonMarketData
from sectorlights.providers.polygon.rest import PolygonRestSource
from sectorlights.providers.resilience import RetryPolicy
from tests.fixture_server import POLYGON_DOCS, POLYGON_MOCKS, FixtureServer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "polygon"
UNIVERSE_FILE = FIXTURES / "client-python" / "examples" / "tools" / "treemap" / "sic_code_groups.json"
API_KEY = "fixture-key-0123456789"
FETCHED = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


def rest_source(fixture_server: FixtureServer) -> PolygonRestSource:
    return PolygonRestSource(API_KEY, fixture_server.base_url, 5.0, RetryPolicy().guarded_calls())


def test_market_status(fixture_server: FixtureServer) -> None:
    source = rest_source(fixture_server)
    assert source.market_status().value == "extended-hours"
    fixture_server.route("/v1/marketstatus/now", POLYGON_DOCS / "market-status.json")
    assert source.market_status().value == "extended-hours"
    assert fixture_server.requests == ["/v1/marketstatus/now"] * 2


def test_full_market_snapshot_client_mock(fixture_server: FixtureServer) -> None:
    result = rest_source(fixture_server).snapshot()
    rows = result.value
    assert rows.symbols.tolist() == ["BCAT"]
    assert rows.last_price.tolist() == [20.506]  # lastTrade.p
    assert rows.session_volume.tolist() == [37216.0]  # day.v
    assert rows.previous_close.tolist() == [20.63]
    assert rows.updated_ns.tolist() == [1605192894630916600]  # nanoseconds, exact
    assert result.rejected == []
    assert fixture_server.requests == ["/v2/snapshot/locale/us/markets/stocks/tickers?include_otc=false"]


def test_full_market_snapshot_docs_sample(fixture_server: FixtureServer) -> None:
    fixture_server.route(
        "/v2/snapshot/locale/us/markets/stocks/tickers", POLYGON_DOCS / "full-market-snapshot.json"
    )
    rows = rest_source(fixture_server).snapshot().value
    assert rows.symbols.tolist() == ["BCAT"]
    assert rows.last_price.tolist() == [20.506]
    assert rows.session_volume.tolist() == [37216.0]


def test_grouped_daily_client_mock(fixture_server: FixtureServer) -> None:
    bars = rest_source(fixture_server).grouped_daily(date(2005, 4, 4)).value
    assert bars.session == date(2005, 4, 4)
    assert bars.symbols.tolist() == ["GIK"]
    assert (bars.open[0], bars.high[0], bars.low[0], bars.close[0]) == (9.99, 10.02, 9.9, 10.02)
    assert bars.volume.tolist() == [895345.0]
    assert fixture_server.requests[0].startswith(
        "/v2/aggs/grouped/locale/us/market/stocks/2005-04-04?adjusted=true"
    )


def test_grouped_daily_docs_sample(fixture_server: FixtureServer) -> None:
    fixture_server.route(
        "/v2/aggs/grouped/locale/us/market/stocks/2020-10-14", POLYGON_DOCS / "grouped-daily.json"
    )
    result = rest_source(fixture_server).grouped_daily(date(2020, 10, 14))
    bars = result.value
    assert bars.symbols.tolist() == ["KIMpL", "TANH", "VSAT"]
    assert bars.close.tolist() == [25.9102, 23.4, 34.24]
    assert bars.volume.tolist() == [4369.0, 25933.6, 312583.0]  # fractional volume kept
    assert result.rejected == []


def test_tickers_follow_next_url_across_both_pages(fixture_server: FixtureServer) -> None:
    source = rest_source(fixture_server)
    result = source.tickers()
    assert [(r.symbol, r.security_type, r.primary_exchange) for r in result.value] == [
        ("A", "CS", "XNYS"),
        ("AA", "CS", "XNYS"),
        ("AAA", "ETF", "ARCX"),
        ("AAAU", "ETF", "BATS"),
    ]
    assert result.value[0].name == "Agilent Technologies Inc."
    first, second = fixture_server.requests
    assert first == "/v3/reference/tickers?market=stocks&active=true&limit=1000&sort=ticker&order=asc"
    assert second.startswith("/v3/reference/tickers?cursor=YWN0aXZlPXRydWUmZGF0ZT0yMDIyLTA0LTI3")
    assert source.request_counts == {"tickers": 2}


def test_next_url_points_back_at_the_fixture_server(fixture_server: FixtureServer) -> None:
    file = POLYGON_MOCKS / "v3" / "reference" / "tickers.json"
    assert "api.massive.com" in json.loads(file.read_text())["next_url"]
    status, _, body, _ = fixture_server.answer("/v3/reference/tickers")
    assert status == 200
    assert json.loads(body)["next_url"].startswith(fixture_server.base_url + "/v3/reference/tickers?cursor=")


def test_ticker_details_client_mock(fixture_server: FixtureServer) -> None:
    result = rest_source(fixture_server).ticker_details("AAPL", FETCHED)
    reference = result.value
    assert reference is not None
    assert reference.symbol == "AAPL"
    assert reference.name == "Apple Inc."
    assert (reference.security_type, reference.primary_exchange) == ("CS", "XNAS")
    assert reference.sic_code == "3571"  # a string, as the vendor sends it
    assert reference.sic_description == "ELECTRONIC COMPUTERS"
    assert reference.market_cap == 2488795282370.0
    assert reference.shares_outstanding == 16185181000.0  # weighted_shares_outstanding
    assert reference.fetched_at == FETCHED


def test_ticker_details_docs_sample(fixture_server: FixtureServer) -> None:
    fixture_server.route("/v3/reference/tickers/AAPL", POLYGON_DOCS / "ticker-overview.json")
    reference = rest_source(fixture_server).ticker_details("AAPL", FETCHED).value
    assert reference is not None
    assert reference.market_cap == 2771126040150.0
    assert reference.shares_outstanding == 16334371000.0
    assert reference.sic_code == "3571"


def test_ticker_details_unknown_ticker_is_a_rejection_not_a_failure(fixture_server: FixtureServer) -> None:
    result = rest_source(fixture_server).ticker_details("ZZZZ", FETCHED)
    assert result.value is None
    assert result.rejected == [
        RejectedRow(
            "ticker_details", "ZZZZ", "not found (HTTP 404: no fixture for /v3/reference/tickers/ZZZZ)"
        )
    ]
    assert len(fixture_server.requests) == 1  # a 404 is not retried


def test_float_docs_sample(fixture_server: FixtureServer) -> None:
    fixture_server.route("/stocks/vX/float", POLYGON_DOCS / "float.json")
    result = rest_source(fixture_server).floats()
    assert result.value == {"AAPL": 15_000_000_000.0}
    assert fixture_server.requests == ["/stocks/vX/float?limit=5000"]


def test_minute_bars(fixture_server: FixtureServer) -> None:
    # No minute-bar recording exists upstream; the client mock of the same endpoint (daily bars of
    # 2005-04-01 and 2005-04-04) stands in. Only the asked session's day is kept.
    path = "/v2/aggs/ticker/AAPL/range/1/minute/2005-04-01/2005-04-01"
    fixture_server.route(path, POLYGON_MOCKS / "v2/aggs/ticker/AAPL/range/1/day/2005-04-01/2005-04-04.json")
    bars = rest_source(fixture_server).minute_bars("AAPL", date(2005, 4, 1)).value
    assert bars.symbol == "AAPL" and bars.session == date(2005, 4, 1)
    assert bars.window_start_ns.tolist() == [1112331600000 * 1_000_000]  # t is milliseconds
    assert (bars.open[0], bars.high[0], bars.low[0], bars.close[0]) == (1.5032, 1.5064, 1.4489, 1.4604)
    assert bars.volume.tolist() == [642646396.0]
    assert fixture_server.requests == [f"{path}?adjusted=true&sort=asc&limit=50000"]


def test_news_with_insights(fixture_server: FixtureServer) -> None:
    fixture_server.route("/v2/reference/news", POLYGON_DOCS / "news.json")
    since, until = datetime(2024, 6, 1, tzinfo=UTC), datetime(2024, 7, 1, tzinfo=UTC)
    items = rest_source(fixture_server).news(since, until, limit=1).value
    assert len(items) == 1
    item = items[0]
    assert item.news_id == "8ec638777ca03b553ae516761c2a22ba2fdd2f37befae3ab6fdab74e9e5193eb"
    assert item.published_at == datetime(2024, 6, 24, 18, 33, 53, tzinfo=UTC)
    assert item.publisher == "Investing.com"
    assert item.tickers == ("UBS",)
    assert [(i.ticker, i.sentiment) for i in item.insights] == [("UBS", Sentiment.POSITIVE)]
    assert item.insights[0].reasoning.startswith("UBS analysts are providing a bullish outlook")
    # `limit` stops the client before it follows next_url.
    assert fixture_server.requests == [
        "/v2/reference/news?published_utc.lt=2024-07-01T00:00:00Z&published_utc.gte=2024-06-01T00:00:00Z"
        "&limit=1&sort=published_utc&order=desc"
    ]


def test_news_without_insights_client_mock(fixture_server: FixtureServer) -> None:
    fixture_server.route("/v2/reference/news", POLYGON_MOCKS / "v2/reference/news&ticker=NFLX.json")
    since, until = datetime(2022, 4, 1, tzinfo=UTC), datetime(2022, 5, 1, tzinfo=UTC)
    items = rest_source(fixture_server).news(since, until, limit=10).value
    assert [(i.publisher, i.tickers, i.insights) for i in items] == [
        ("MarketWatch", ("MSFT", "TSN", "NFLX", "AMZN"), ())
    ]


# --- whole refresh cycles -------------------------------------------------------------------------

CYCLE_NOW = datetime.combine(date(2026, 11, 24), time(10, 0), NEW_YORK)
SESSIONS = previous_sessions(date(2026, 11, 24), 25)


def run_cycle(provider: PolygonMarketData, now: datetime) -> int:
    before = provider.request_count
    provider.listings(now)
    provider.daily_bars(SESSIONS)
    provider.intraday_snapshot(now)
    return provider.request_count - before


def test_refresh_cycle_on_the_recorded_fixtures(fixture_server: FixtureServer) -> None:
    fixture_server.route("/stocks/vX/float", POLYGON_DOCS / "float.json")
    for session in SESSIONS:
        fixture_server.route(
            f"/v2/aggs/grouped/locale/us/market/stocks/{session}", POLYGON_DOCS / "grouped-daily.json"
        )
    source = rest_source(fixture_server)
    provider = PolygonMarketData(
        source,
        name="polygon",
        reference_store=MemoryReferenceStore(),
        clock=FrozenClock(CYCLE_NOW),
        reference_refresh_days=7,
    )
    cold = run_cycle(provider, CYCLE_NOW)
    # 2 ticker pages + 1 float + 25 grouped daily + 1 snapshot; no ticker in the recorded lists is
    # in the recorded grouped daily, so no details are plausible.
    assert cold == 29
    assert source.request_counts == {"tickers": 2, "float": 1, "grouped_daily": 25, "snapshot": 1}
    assert run_cycle(provider, CYCLE_NOW) == 1


def write_universe_tree(root: Path, sessions: list[date]) -> tuple[int, set[str]]:
    """A vendor tree for the 4,669 recorded common stocks plus ETFs; returns (listings, plausible)."""
    groups = json.loads(UNIVERSE_FILE.read_text())
    companies = [c for group in groups.values() for c in group["companies"]]
    symbols = sorted({c["ticker"] for c in companies} | {"IWM", "XLK", "PSCT"})
    caps = {c["ticker"]: c["market_cap"] for c in companies}
    rng = np.random.default_rng(7)
    close = np.round(np.exp(rng.uniform(np.log(0.5), np.log(400.0), len(symbols))), 2)
    volume = np.round(np.exp(rng.uniform(np.log(1e3), np.log(5e7), len(symbols))))
    exchanges = ["XNAS", "XNYS", "XASE", "ARCX", "BATS"]

    def dump(relative: str, payload: object) -> None:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(payload))

    tickers = [
        {
            "ticker": s,
            "name": f"{s} Corp",
            "type": "ETF" if s in ("IWM", "XLK", "PSCT") else "CS",
            "primary_exchange": "ARCX" if s in ("IWM", "XLK", "PSCT") else exchanges[i % 5],
            "active": True,
        }
        for i, s in enumerate(symbols)
    ]
    pages = [tickers[i : i + 1000] for i in range(0, len(tickers), 1000)]
    for number, page in enumerate(pages):
        body: dict[str, object] = {"status": "OK", "results": page}
        if number + 1 < len(pages):
            body["next_url"] = f"https://api.massive.com/v3/reference/tickers?cursor=page{number + 2}"
        dump(
            "v3/reference/tickers.json"
            if number == 0
            else f"v3/reference/tickers&cursor=page{number + 1}.json",
            body,
        )
    rows = [
        {"T": s, "o": c, "h": c * 1.01, "l": c * 0.99, "c": c, "v": v, "t": 0}
        for s, c, v in zip(symbols, close.tolist(), volume.tolist(), strict=True)
    ]
    for session in sessions:
        dump(f"v2/aggs/grouped/locale/us/market/stocks/{session}.json", {"status": "OK", "results": rows})
    dump(
        "v2/snapshot/locale/us/markets/stocks/tickers/index.json",
        {
            "status": "OK",
            "tickers": [{"ticker": r["T"], "lastTrade": {"p": r["c"]}, "day": {"v": r["v"]}} for r in rows],
        },
    )
    dump(
        "stocks/vX/float.json",
        {"status": "OK", "results": [{"ticker": s, "free_float": 1e7} for s in symbols]},
    )
    plausible: set[str] = set()
    for row, ticker in zip(rows, tickers, strict=True):
        s = str(ticker["ticker"])
        if (
            ticker["type"] == "CS"
            and ticker["primary_exchange"] != "BATS"
            and 1.0 <= row["c"] <= 150.0
            and row["v"] >= 200_000
        ):
            plausible.add(s)
            cap = caps.get(s)
            dump(
                f"v3/reference/tickers/{s}.json",
                {
                    "status": "OK",
                    "results": {"ticker": s, "type": "CS", "market_cap": cap, "sic_code": "7372"},
                },
            )
    return len(symbols), plausible


def test_refresh_cycle_on_a_full_recorded_universe(tmp_path: Path) -> None:
    """4,672 listings: the cold cycle pays one detail per plausible stock once; warm cycles pay 1."""
    listing_count, plausible = write_universe_tree(tmp_path, SESSIONS)
    with FixtureServer(tmp_path) as fixture_server:
        source = rest_source(fixture_server)
        store = MemoryReferenceStore()
        provider = PolygonMarketData(
            source,
            name="polygon",
            reference_store=store,
            clock=FrozenClock(CYCLE_NOW),
            reference_refresh_days=7,
            detail_workers=4,
        )
        cold = run_cycle(provider, CYCLE_NOW)
        counts = source.request_counts
        assert counts == {
            "tickers": 5,
            "float": 1,
            "grouped_daily": 25,
            "ticker_details": len(plausible),
            "snapshot": 1,
        }
        assert cold == 32 + len(plausible)
        assert run_cycle(provider, CYCLE_NOW) == 1
        listings = provider.listings(CYCLE_NOW)
        assert len(listings) == listing_count
        with_cap = {listing.symbol for listing in listings if listing.market_cap is not None}
        assert with_cap <= plausible
        assert provider.drain_rejections() == []

        # A restarted process with the same reference store: no details at all.
        restarted = PolygonMarketData(
            rest_source(fixture_server),
            name="polygon",
            reference_store=store,
            clock=FrozenClock(CYCLE_NOW + timedelta(hours=1)),
            reference_refresh_days=7,
        )
        assert run_cycle(restarted, CYCLE_NOW + timedelta(hours=1)) == 5 + 1 + 25 + 1
