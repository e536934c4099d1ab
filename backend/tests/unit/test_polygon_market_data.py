"""PolygonMarketData over an in-memory source: prefilter, reference refresh, caching, request counts."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import numpy as np
import pytest
from pydantic import SecretStr

from sectorlights.core.clock import Clock
from sectorlights.domain.market import DailyBars, MinuteBars, NewsItem, TickerReference
from sectorlights.domain.sessions import NEW_YORK, previous_sessions
from sectorlights.providers.base import (
    Extracted,
    MarketDataProvider,
    MemoryReferenceStore,
    ProviderError,
    ProviderHealth,
    ProviderUnsupportedError,
    RejectedRow,
)
from sectorlights.providers.polygon.factory import create_polygon_provider
from sectorlights.providers.polygon.market_data import PolygonMarketData, snapshot_tolerance
from sectorlights.providers.polygon.source import PolygonSource, SnapshotRows, TickerRow
from sectorlights.providers.registry import ProviderContext
from sectorlights.providers.resilience import CircuitBreaker, CircuitOpenError, CircuitReport
from sectorlights.settings import ConfigurationError, ProviderSettings

TUESDAY = date(2026, 11, 24)
MONDAY = date(2026, 11, 23)


def new_york(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), NEW_YORK)


NOW = new_york(TUESDAY, 10, 0)


class MutableClock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@dataclass(frozen=True)
class Stock:
    symbol: str
    close: float = 10.0
    volume: float = 1_000_000.0
    security_type: str = "CS"
    exchange: str = "XNAS"
    shares: float | None = 50_000_000.0
    market_cap: float | None = 400_000_000.0
    in_bars: bool = True


class FakeSource:
    """An in-memory vendor; counts each call like the REST source counts requests."""

    transport = "fake"

    def __init__(self, stocks: Sequence[Stock]) -> None:
        self.stocks = list(stocks)
        self.calls: Counter[str] = Counter()
        self.details_asked: list[str] = []
        self.failing: dict[str, Exception] = {}  # endpoint or "ticker_details:SYM" -> error
        self.unusable: set[str] = set()
        self._lock = threading.Lock()
        # The real breaker, tripped by the first failure, as the REST and MCP sources keep one.
        self.breaker = CircuitBreaker(failure_threshold=1, reset_after_secs=3600)

    def _call(self, endpoint: str, key: str | None = None) -> None:
        with self._lock:
            self.calls[endpoint] += 1
        error = self.failing.get(f"{endpoint}:{key}") or self.failing.get(endpoint)
        if error is not None:
            self.breaker.record_failure(endpoint, error)
            raise error
        self.breaker.record_success(endpoint)

    @property
    def circuits(self) -> list[CircuitReport]:
        return self.breaker.report()

    @property
    def request_count(self) -> int:
        return sum(self.calls.values())

    def market_status(self) -> Extracted[str]:
        self._call("marketstatus")
        return Extracted("open")

    def snapshot(self) -> Extracted[SnapshotRows]:
        self._call("snapshot")
        rows = [s for s in self.stocks if s.in_bars]
        return Extracted(
            SnapshotRows(
                symbols=np.array([s.symbol for s in rows], dtype=np.str_),
                last_price=np.array([s.close * 1.01 for s in rows]),
                session_volume=np.array([s.volume / 4 for s in rows]),
                previous_close=np.array([s.close for s in rows]),
                updated_ns=np.zeros(len(rows), dtype=np.int64),
            ),
            [RejectedRow("snapshot", "BAD", "missing day.v")],
        )

    def grouped_daily(self, session: date) -> Extracted[DailyBars]:
        self._call("grouped_daily", session.isoformat())
        rows = [s for s in self.stocks if s.in_bars]
        close = np.array([s.close for s in rows])
        return Extracted(
            DailyBars(
                session=session,
                symbols=np.array([s.symbol for s in rows], dtype=np.str_),
                open=close,
                high=close * 1.02,
                low=close * 0.98,
                close=close,
                volume=np.array([s.volume for s in rows]),
            )
        )

    def _ticker_rows(self) -> list[TickerRow]:
        return [
            TickerRow(s.symbol, f"{s.symbol} Inc", s.security_type, s.exchange, True) for s in self.stocks
        ]

    def tickers(self) -> Extracted[list[TickerRow]]:
        self._call("tickers")
        return Extracted(self._ticker_rows())

    def tickers_first_page(self, limit: int = 10) -> Extracted[list[TickerRow]]:
        self._call("tickers_first_page")
        return Extracted(self._ticker_rows()[:limit])

    def ticker_details(self, symbol: str, fetched_at: datetime) -> Extracted[TickerReference | None]:
        with self._lock:
            self.details_asked.append(symbol)
        self._call("ticker_details", symbol)
        if symbol in self.unusable:
            return Extracted(None, [RejectedRow("ticker_details", symbol, "missing results")])
        stock = next((s for s in self.stocks if s.symbol == symbol), Stock(symbol))
        return Extracted(
            TickerReference(
                symbol=symbol,
                name=f"{symbol} Inc",
                security_type=stock.security_type,
                primary_exchange=stock.exchange,
                market_cap=stock.market_cap,
                shares_outstanding=stock.shares,
                sic_code="7372",
                sic_description="PREPACKAGED SOFTWARE",
                fetched_at=fetched_at,
            )
        )

    def floats(self) -> Extracted[dict[str, float]]:
        self._call("float")
        return Extracted({s.symbol: 20_000_000.0 for s in self.stocks if s.security_type == "CS"})

    def minute_bars(self, symbol: str, session: date) -> Extracted[MinuteBars]:
        self._call("minute_bars")
        one = np.array([1.0])
        return Extracted(MinuteBars(symbol, session, np.array([0], dtype=np.int64), one, one, one, one, one))

    def news(self, since: datetime, until: datetime, limit: int) -> Extracted[list[NewsItem]]:
        self._call("news")
        return Extracted([])


UNIVERSE = [
    Stock("SOUN", close=10.0, shares=300_000_000.0),  # plausible
    Stock("LOW", close=1.0),  # exactly min_price x 0.5: plausible
    Stock("PENNY", close=0.99),
    Stock("HIGH", close=150.0),  # exactly max_price x 1.5: plausible
    Stock("PRICY", close=150.01),
    Stock("THIN", volume=199_999.0),
    Stock("JUST", volume=200_000.0, shares=None, market_cap=123_000_000.0),  # 20% of 1M: plausible
    Stock("BATS", exchange="BATS"),
    Stock("OTC", exchange="OTC"),
    Stock("ADR", security_type="ADRC"),
    Stock("NOBAR", in_bars=False),
    Stock(
        "IWM",
        close=230.0,
        volume=30_000_000.0,
        security_type="ETF",
        exchange="ARCX",
        shares=None,
        market_cap=None,
    ),
    Stock("XLK", close=200.0, security_type="ETF", exchange="ARCX", shares=None, market_cap=None),
    Stock("NYSE", exchange="XNYS", close=5.0),
    Stock("AMEX", exchange="XASE", close=5.0),
    Stock("ARCA", exchange="ARCX", close=5.0),
]
PLAUSIBLE = {"SOUN", "LOW", "HIGH", "JUST", "NYSE", "AMEX", "ARCA"}


def provider_for(
    source: PolygonSource,
    clock: Clock | None = None,
    store: MemoryReferenceStore | None = None,
    **kwargs: object,
) -> PolygonMarketData:
    return PolygonMarketData(
        source,
        name="polygon",
        reference_store=store if store is not None else MemoryReferenceStore(),
        clock=clock if clock is not None else MutableClock(NOW),
        reference_refresh_days=7,
        **kwargs,  # type: ignore[arg-type]
    )


def test_is_a_market_data_provider() -> None:
    provider: MarketDataProvider = provider_for(FakeSource(UNIVERSE))
    assert isinstance(provider, MarketDataProvider)
    caps = provider.capabilities
    assert (caps.historical_snapshots, caps.minute_bars, caps.news, caps.simulated) == (
        False,
        True,
        True,
        False,
    )


def test_details_only_for_plausible_common_stocks() -> None:
    source = FakeSource(UNIVERSE)
    listings = {listing.symbol: listing for listing in provider_for(source).listings(NOW)}
    assert set(source.details_asked) == PLAUSIBLE
    assert set(listings) == {s.symbol for s in UNIVERSE}  # every ticker is a listing, ETFs included
    assert listings["SOUN"].market_cap == pytest.approx(300_000_000 * 10.0)  # shares x last close
    assert listings["SOUN"].shares_outstanding == 300_000_000
    assert listings["SOUN"].sic_code == "7372"
    assert listings["SOUN"].float_shares == 20_000_000
    assert listings["JUST"].market_cap == 123_000_000  # no shares: the vendor's market cap
    for symbol in ("PENNY", "PRICY", "THIN", "BATS", "OTC", "ADR", "NOBAR", "IWM", "XLK"):
        assert listings[symbol].market_cap is None, symbol
        assert listings[symbol].sic_code is None
    assert listings["IWM"].security_type == "ETF" and listings["IWM"].primary_exchange == "ARCX"
    assert listings["SOUN"].name == "SOUN Inc"


def test_warm_refresh_makes_no_per_ticker_calls() -> None:
    source = FakeSource(UNIVERSE)
    clock = MutableClock(NOW)
    provider = provider_for(source, clock)
    sessions = previous_sessions(TUESDAY, 25)
    provider.listings(NOW)
    provider.daily_bars(sessions)
    provider.intraday_snapshot(NOW)
    cold = provider.request_count
    assert cold == 1 + 1 + 25 + len(PLAUSIBLE) + 1  # tickers, float, grouped x25, details, snapshot
    assert source.calls["grouped_daily"] == 25  # the prefilter's session is one of the 25

    clock.advance(minutes=30)
    provider.listings(clock.now())
    provider.daily_bars(sessions)
    provider.intraday_snapshot(clock.now())
    assert provider.request_count - cold == 1  # the snapshot, nothing else

    # The next session: the lists are refetched once, plus one new grouped daily; no details.
    before = provider.request_count
    clock.at = new_york(date(2026, 11, 25), 4, 30)
    provider.listings(clock.now())
    provider.daily_bars(previous_sessions(date(2026, 11, 25), 25))
    provider.intraday_snapshot(clock.now())
    assert provider.request_count - before == 1 + 1 + 1 + 1
    assert source.calls["ticker_details"] == len(PLAUSIBLE)


def test_warm_request_count_does_not_grow_with_the_universe() -> None:
    def warm_requests(size: int) -> tuple[int, int]:
        stocks = [Stock(f"S{i:05d}", close=5.0 + i % 50) for i in range(size)]
        source = FakeSource(stocks)
        clock = MutableClock(NOW)
        provider = provider_for(source, clock)
        sessions = previous_sessions(TUESDAY, 25)
        provider.listings(NOW)
        provider.daily_bars(sessions)
        provider.intraday_snapshot(NOW)
        cold = provider.request_count
        clock.advance(minutes=30)
        provider.listings(clock.now())
        provider.daily_bars(sessions)
        provider.intraday_snapshot(clock.now())
        return cold, provider.request_count - cold

    small_cold, small_warm = warm_requests(100)
    large_cold, large_warm = warm_requests(2_000)
    assert small_warm == large_warm == 1
    assert large_cold - small_cold == 1_900  # cold: one detail per plausible stock, once


def test_reference_refresh_policy_follows_the_clock() -> None:
    source = FakeSource(UNIVERSE)
    clock = MutableClock(NOW)
    store = MemoryReferenceStore()
    provider = provider_for(source, clock, store)
    provider.listings(clock.now())
    assert source.calls["ticker_details"] == len(PLAUSIBLE)

    clock.advance(days=6, hours=23)  # still fresh (7 days)
    provider.listings(clock.now())
    assert source.calls["ticker_details"] == len(PLAUSIBLE)

    clock.advance(hours=1)  # exactly 7 days old: due
    provider.listings(clock.now())
    assert source.calls["ticker_details"] == 2 * len(PLAUSIBLE)
    assert all(ref.fetched_at == clock.now() for ref in store.get_many(sorted(PLAUSIBLE)).values())


def test_stored_references_are_used_and_only_stale_ones_refetched() -> None:
    store = MemoryReferenceStore()
    fresh = NOW - timedelta(days=1)
    stale = NOW - timedelta(days=30)

    def ref(symbol: str, fetched_at: datetime) -> TickerReference:
        return TickerReference(symbol, symbol, "CS", "XNAS", 1e8, 1e7, "2834", "PHARMA", fetched_at)

    store.put_many([ref(s, fresh) for s in PLAUSIBLE - {"SOUN"}] + [ref("SOUN", stale)])
    source = FakeSource(UNIVERSE)
    listings = {listing.symbol: listing for listing in provider_for(source, store=store).listings(NOW)}
    assert source.details_asked == ["SOUN"]
    assert listings["NYSE"].sic_code == "2834"
    assert listings["NYSE"].market_cap == pytest.approx(1e7 * 5.0)


def test_new_process_with_warm_store_makes_no_detail_calls() -> None:
    store = MemoryReferenceStore()
    provider_for(FakeSource(UNIVERSE), store=store).listings(NOW)
    source = FakeSource(UNIVERSE)
    provider_for(source, store=store).listings(NOW)
    assert source.calls["ticker_details"] == 0
    assert source.request_count == 3  # tickers, float, one grouped daily


def test_details_budget_fetches_missing_and_most_traded_first() -> None:
    stocks = [Stock("A", volume=300_000), Stock("B", volume=5_000_000), Stock("C", volume=1_000_000)]
    source = FakeSource(stocks)
    clock = MutableClock(NOW)
    provider = provider_for(source, clock, details_budget=2)
    provider.listings(NOW)
    assert source.details_asked == ["B", "C"]
    clock.advance(minutes=5)
    provider.listings(clock.now())
    assert source.details_asked == ["B", "C", "A"]


def test_one_failing_ticker_does_not_fail_listings_and_waits_before_retrying() -> None:
    source = FakeSource(UNIVERSE)
    source.failing["ticker_details:SOUN"] = ProviderError("polygon ticker_details: HTTP 500: boom")
    source.unusable.add("LOW")
    clock = MutableClock(NOW)
    provider = provider_for(source, clock)
    listings = {listing.symbol: listing for listing in provider.listings(NOW)}
    assert listings["SOUN"].market_cap is None
    assert listings["HIGH"].market_cap is not None
    rejected = provider.drain_rejections()
    assert RejectedRow("ticker_details", "SOUN", "polygon ticker_details: HTTP 500: boom") in rejected
    assert RejectedRow("ticker_details", "LOW", "missing results") in rejected
    assert provider.drain_rejections() == []

    del source.failing["ticker_details:SOUN"]
    clock.advance(minutes=30)
    provider.listings(clock.now())
    assert source.details_asked.count("SOUN") == 1  # an error waits an hour
    clock.advance(minutes=31)
    provider.listings(clock.now())
    assert source.details_asked.count("SOUN") == 2
    assert source.details_asked.count("LOW") == 1  # an unusable answer waits a day
    clock.advance(days=1)
    provider.listings(clock.now())
    assert source.details_asked.count("LOW") == 2


def test_open_circuit_stops_fetching_details() -> None:
    stocks = [Stock(f"S{i:03d}") for i in range(200)]
    source = FakeSource(stocks)
    source.failing["ticker_details"] = CircuitOpenError(
        "circuit open for polygon ticker_details: last error …"
    )
    provider = provider_for(source)
    listings = provider.listings(NOW)
    assert len(listings) == 200
    assert source.calls["ticker_details"] == 50  # one chunk, then it gives up for this refresh
    assert provider.drain_rejections() == []


def test_ticker_list_failure() -> None:
    source = FakeSource(UNIVERSE)
    source.failing["tickers"] = ProviderError("polygon tickers: HTTP 503: down")
    clock = MutableClock(NOW)
    provider = provider_for(source, clock)
    with pytest.raises(ProviderError, match="HTTP 503"):
        provider.listings(NOW)
    del source.failing["tickers"]
    assert len(provider.listings(NOW)) == len(UNIVERSE)
    source.failing["tickers"] = ProviderError("polygon tickers: HTTP 503: down")
    clock.advance(days=1)
    assert len(provider.listings(clock.now())) == len(UNIVERSE)  # yesterday's list


def test_float_failure_leaves_float_unknown_and_retries_later() -> None:
    source = FakeSource(UNIVERSE)
    source.failing["float"] = ProviderError("polygon float: HTTP 403: not in your plan")
    clock = MutableClock(NOW)
    provider = provider_for(source, clock)
    listings = provider.listings(NOW)
    assert all(listing.float_shares is None for listing in listings)
    assert any(listing.market_cap is not None for listing in listings)
    clock.advance(minutes=30)
    provider.listings(clock.now())
    assert source.calls["float"] == 1
    del source.failing["float"]
    clock.advance(minutes=31)
    assert provider.listings(clock.now())[0].float_shares == 20_000_000
    assert source.calls["float"] == 2


def test_without_last_session_bars_listings_use_stored_references_only() -> None:
    store = MemoryReferenceStore()
    store.put_many([TickerReference("SOUN", "SoundHound", "CS", "XNAS", 9e8, None, "7372", None, NOW)])
    source = FakeSource(UNIVERSE)
    source.failing["grouped_daily"] = ProviderError("polygon grouped_daily: HTTP 500")
    listings = {listing.symbol: listing for listing in provider_for(source, store=store).listings(NOW)}
    assert source.calls["ticker_details"] == 0
    assert listings["SOUN"].market_cap == 9e8


def test_daily_bars_cached_per_completed_session() -> None:
    source = FakeSource(UNIVERSE)
    provider = provider_for(source)
    sessions = previous_sessions(TUESDAY, 3)
    first = provider.daily_bars(sessions)
    again = provider.daily_bars(list(reversed(sessions)))
    assert [b.session for b in first] == sessions
    assert [b.session for b in again] == list(reversed(sessions))
    assert source.calls["grouped_daily"] == 3
    provider.daily_bars([TUESDAY])  # in progress: asked again next time
    provider.daily_bars([TUESDAY])
    assert source.calls["grouped_daily"] == 5


def test_empty_grouped_daily_is_not_cached() -> None:
    source = FakeSource([])
    provider = provider_for(source)
    assert provider.daily_bars([MONDAY])[0].symbols.size == 0
    provider.daily_bars([MONDAY])
    assert source.calls["grouped_daily"] == 2


def test_snapshot_now() -> None:
    source = FakeSource(UNIVERSE)
    provider = provider_for(source)
    snapshot = provider.intraday_snapshot(NOW + timedelta(minutes=2))
    assert snapshot.session == TUESDAY
    assert snapshot.at == NOW + timedelta(minutes=2)
    assert snapshot.symbols.size == len(UNIVERSE) - 1
    assert snapshot.last_price[0] == pytest.approx(10.1)
    assert source.calls["snapshot"] == 1
    assert provider.drain_rejections() == [RejectedRow("snapshot", "BAD", "missing day.v")]


@pytest.mark.parametrize(
    ("now", "at"),
    [
        (NOW, NOW - timedelta(minutes=30)),  # the 30m window: remembered by the engine, not fetched
        (NOW, NOW + timedelta(minutes=10)),
        (NOW, new_york(MONDAY, 20)),
        (new_york(date(2026, 11, 28), 10), new_york(date(2026, 11, 27), 20)),  # Saturday: cleared
    ],
)
def test_snapshot_in_the_past_is_unsupported(now: datetime, at: datetime) -> None:
    source = FakeSource(UNIVERSE)
    provider = provider_for(source, MutableClock(now))
    with pytest.raises(ProviderUnsupportedError, match="historical snapshots are not available"):
        provider.intraday_snapshot(at)
    assert source.calls["snapshot"] == 0


@pytest.mark.parametrize(
    ("clock_speed", "late_mins", "served"),
    [
        (1.0, 4, True),
        (1.0, 10, False),
        (0.5, 10, False),  # a slowed clock keeps the real-time tolerance
        (300.0, 10, True),  # a run that took 2 real seconds at 300x
        (300.0, 24 * 60, True),
        (300.0, 26 * 60, False),
    ],
)
def test_an_accelerated_clock_tolerates_a_run_taking_real_seconds(
    clock_speed: float, late_mins: int, served: bool
) -> None:
    """The run asked for the snapshot at its start; the vendor's clock has moved on by the run's own
    (real) latency, which an accelerated clock multiplies."""
    provider = provider_for(
        FakeSource(UNIVERSE),
        MutableClock(NOW + timedelta(minutes=late_mins)),
        snapshot_tolerance=snapshot_tolerance(clock_speed),
    )
    if served:
        assert provider.intraday_snapshot(NOW).session == TUESDAY
    else:
        with pytest.raises(ProviderUnsupportedError, match="historical snapshots are not available"):
            provider.intraday_snapshot(NOW)


@pytest.mark.parametrize(
    "now",
    [new_york(TUESDAY, 20), new_york(TUESDAY, 22, 30), new_york(date(2026, 11, 25), 3, 29)],
)
def test_snapshot_after_the_close_is_that_sessions_final_state(now: datetime) -> None:
    provider = provider_for(FakeSource(UNIVERSE), MutableClock(now))
    snapshot = provider.intraday_snapshot(new_york(TUESDAY, 20))  # where the engine clamps
    assert snapshot.session == TUESDAY


def test_snapshot_while_the_vendor_clears_it() -> None:
    now = new_york(date(2026, 11, 25), 3, 45)
    provider = provider_for(FakeSource(UNIVERSE), MutableClock(now))
    with pytest.raises(ProviderError, match="03:30 to 04:00"):
        provider.intraday_snapshot(now)


def test_naive_times_are_refused() -> None:
    provider = provider_for(FakeSource(UNIVERSE))
    with pytest.raises(ValueError, match="timezone-aware"):
        provider.intraday_snapshot(datetime(2026, 11, 24, 10))
    with pytest.raises(ValueError, match="timezone-aware"):
        provider.listings(datetime(2026, 11, 24, 10))


def test_pass_through_endpoints() -> None:
    source = FakeSource(UNIVERSE)
    provider = provider_for(source)
    assert provider.minute_bars("IWM", MONDAY).symbol == "IWM"
    assert provider.news(NOW - timedelta(days=1), NOW) == []
    assert source.calls["minute_bars"] == source.calls["news"] == 1


def test_check_times_one_light_call_per_endpoint() -> None:
    source = FakeSource(UNIVERSE)
    provider = provider_for(source)
    checks = provider.check()
    assert [c.endpoint for c in checks] == [
        "marketstatus",
        "snapshot",
        "grouped_daily",
        "tickers",
        "ticker_details",
        "float",
        "minute_bars",
        "news",
    ]
    assert all(c.ok for c in checks), checks
    assert all(c.latency_ms >= 0 for c in checks)
    by_name = {c.endpoint: c for c in checks}
    assert by_name["tickers"].rows == 10
    assert by_name["snapshot"].required and not by_name["news"].required
    assert source.calls["tickers_first_page"] == 1 and source.calls["tickers"] == 0
    assert source.details_asked == ["IWM"]
    # The grouped daily it fetched is kept: a refresh right after needs no second call.
    provider.daily_bars([MONDAY])
    assert source.calls["grouped_daily"] == 1


def test_check_and_health_never_raise() -> None:
    source = FakeSource(UNIVERSE)
    for endpoint in ("marketstatus", "snapshot", "grouped_daily", "tickers_first_page", "ticker_details"):
        source.failing[endpoint] = ProviderError(f"polygon {endpoint}: HTTP 500: boom")
    source.failing["float"] = RuntimeError("unexpected")
    provider = provider_for(source)
    checks = {c.endpoint: c for c in provider.check()}
    assert not checks["snapshot"].ok
    assert checks["snapshot"].detail == "polygon snapshot: HTTP 500: boom"
    assert not checks["float"].ok and checks["float"].detail == "unexpected"
    assert checks["news"].ok
    sent = dict(source.calls)
    health = provider.health()
    assert not health.ok
    assert "snapshot circuit open after 1 failures: polygon snapshot: HTTP 500: boom" in health.detail
    assert dict(source.calls) == sent  # health read the breaker; it called nothing


def test_health_reads_the_breaker_and_never_calls_the_vendor() -> None:
    source = FakeSource(UNIVERSE)
    provider = provider_for(source)
    assert provider.health() == ProviderHealth(ok=True, detail="polygon (fake): no vendor request yet")
    source.market_status()
    assert provider.health().detail == "polygon (fake): 1 requests sent, every circuit closed"
    source.failing["snapshot"] = ProviderError("polygon snapshot: HTTP 503: busy")
    with pytest.raises(ProviderError):
        source.snapshot()
    tripped = provider.health()
    assert not tripped.ok
    assert tripped.detail == (
        "polygon (fake): snapshot circuit open after 1 failures: polygon snapshot: HTTP 503: busy"
    )
    del source.failing["snapshot"]
    source.snapshot()
    assert provider.health().ok
    assert source.calls == {"marketstatus": 1, "snapshot": 2}  # the three health reads called nothing


def test_factory_needs_a_key() -> None:
    context = ProviderContext(clock=MutableClock(NOW))
    with pytest.raises(ConfigurationError) as caught:
        create_polygon_provider(ProviderSettings(), context)
    assert str(caught.value) == "configuration error: POLYGON_API_KEY: the polygon provider needs an API key"
    with pytest.raises(ConfigurationError):
        create_polygon_provider(ProviderSettings(POLYGON_API_KEY=SecretStr("  ")), context)


def test_factory_builds_the_rest_provider() -> None:
    settings = ProviderSettings(
        POLYGON_API_KEY=SecretStr("k3y-not-to-leak"),
        POLYGON_BASE_URL="http://127.0.0.1:9",
        SECTORLIGHTS_POLYGON_RATE_PER_MIN=5,
    )
    provider: MarketDataProvider = create_polygon_provider(settings, ProviderContext(clock=MutableClock(NOW)))
    assert isinstance(provider, PolygonMarketData)
    assert provider.name == "polygon"
    assert provider.source.transport == "rest"
    assert provider.request_count == 0
    assert "k3y-not-to-leak" not in repr(provider.source)
