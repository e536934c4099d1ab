"""PolygonRestSource under faults: the real client against FixtureServer with injected failures."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from sectorlights.providers.base import ProviderError
from sectorlights.providers.polygon.rest import PolygonRestSource, endpoint_name
from sectorlights.providers.resilience import (
    CircuitBreaker,
    CircuitOpenError,
    GuardedCalls,
    RateLimiter,
    RetryPolicy,
    VendorError,
)
from tests.fixture_server import POLYGON_MOCKS, FixtureServer

KEY = "sekret-key-do-not-print"
SNAPSHOT = "/v2/snapshot/locale/us/markets/stocks/tickers"
GROUPED = "/v2/aggs/grouped/locale/us/market/stocks/2005-04-04"


class Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def source_for(
    fixture_server: FixtureServer,
    sleeps: Sleeps | None = None,
    *,
    timeout_secs: float = 5.0,
    policy: RetryPolicy | None = None,
    calls: GuardedCalls | None = None,
) -> PolygonRestSource:
    guarded = calls or (policy or RetryPolicy()).guarded_calls(sleeps if sleeps is not None else Sleeps())
    return PolygonRestSource(KEY, fixture_server.base_url, timeout_secs, guarded)


def test_429_then_success_honours_retry_after(fixture_server: FixtureServer) -> None:
    sleeps = Sleeps()
    fixture_server.inject(SNAPSHOT, status=429, retry_after=3)
    rows = source_for(fixture_server, sleeps).snapshot().value
    assert rows.symbols.tolist() == ["BCAT"]
    assert fixture_server.hits(SNAPSHOT) == 2
    assert sleeps.calls == [3.0]


def test_500s_then_a_clear_error(fixture_server: FixtureServer) -> None:
    sleeps = Sleeps()
    fixture_server.inject(
        GROUPED, status=500, count=10, body='{"status":"ERROR","error":"Internal server error"}'
    )
    source = source_for(fixture_server, sleeps)
    with pytest.raises(ProviderError) as caught:
        source.grouped_daily(date(2005, 4, 4))
    assert str(caught.value) == (
        f"polygon grouped_daily (GET {GROUPED}): HTTP 500: Internal server error (gave up after 4 attempts)"
    )
    assert fixture_server.hits(GROUPED) == 4
    assert len(sleeps.calls) == 3
    assert source.request_count == 4


def test_500s_then_success(fixture_server: FixtureServer) -> None:
    fixture_server.inject(GROUPED, status=502, count=2)
    fixture_server.inject(GROUPED, status=503, count=1)
    bars = source_for(fixture_server).grouped_daily(date(2005, 4, 4)).value
    assert bars.symbols.tolist() == ["GIK"]
    assert fixture_server.hits(GROUPED) == 4


def test_other_4xx_is_not_retried_and_the_key_never_shows(fixture_server: FixtureServer) -> None:
    fixture_server.inject(SNAPSHOT, status=401, body=f'{{"status":"ERROR","error":"Unknown API Key {KEY}"}}')
    source = source_for(fixture_server)
    with pytest.raises(VendorError) as caught:
        source.snapshot()
    assert caught.value.status == 401
    assert str(caught.value) == f"polygon snapshot (GET {SNAPSHOT}): HTTP 401: Unknown API Key <redacted>"
    assert KEY not in repr(caught.value) and KEY not in repr(source)
    assert fixture_server.hits(SNAPSHOT) == 1


def test_plain_text_error_bodies(fixture_server: FixtureServer) -> None:
    fixture_server.inject(SNAPSHOT, status=403, body="<html>Forbidden</html>")
    with pytest.raises(VendorError, match="HTTP 403: <html>Forbidden</html>"):
        source_for(fixture_server).snapshot()


def test_timeout_then_success(fixture_server: FixtureServer) -> None:
    fixture_server.inject(SNAPSHOT, delay_secs=1.0)
    rows = source_for(fixture_server, timeout_secs=0.2).snapshot().value
    assert rows.symbols.tolist() == ["BCAT"]
    assert fixture_server.hits(SNAPSHOT) == 2


def test_timeouts_every_time(fixture_server: FixtureServer) -> None:
    fixture_server.inject(SNAPSHOT, delay_secs=1.0, count=2)
    with pytest.raises(VendorError) as caught:
        source_for(fixture_server, timeout_secs=0.2, policy=RetryPolicy(attempts=2)).snapshot()
    assert caught.value.status is None
    assert str(caught.value).startswith(f"polygon snapshot (GET {SNAPSHOT}): timed out after 0.2 s")
    assert "gave up after 2 attempts" in str(caught.value)


def test_truncated_json_is_retried(fixture_server: FixtureServer) -> None:
    fixture_server.inject(SNAPSHOT, body='{"count": 1, "status": "OK", "tickers": [{"day": {"c": 20.5')
    rows = source_for(fixture_server).snapshot().value
    assert rows.symbols.tolist() == ["BCAT"]
    assert fixture_server.hits(SNAPSHOT) == 2


def test_malformed_json_every_time(fixture_server: FixtureServer) -> None:
    fixture_server.inject(SNAPSHOT, body="not json at all", count=4)
    with pytest.raises(ProviderError, match=r"HTTP 200: malformed JSON \(15 bytes\)"):
        source_for(fixture_server).snapshot()


def test_json_of_the_wrong_shape_is_not_empty_success(fixture_server: FixtureServer) -> None:
    fixture_server.inject(SNAPSHOT, body="[1, 2, 3]")
    with pytest.raises(ProviderError, match="unexpected payload"):
        source_for(fixture_server).snapshot()


def test_a_failing_page_is_retried_alone(fixture_server: FixtureServer) -> None:
    sleeps = Sleeps()
    fixture_server.inject("/v3/reference/tickers", status=500)  # page 1 once
    fixture_server.inject("/v3/reference/tickers", delay_secs=0.0)  # page 1 again: served
    fixture_server.inject("/v3/reference/tickers", status=503)  # page 2 once
    rows = source_for(fixture_server, sleeps).tickers().value
    assert [r.symbol for r in rows] == ["A", "AA", "AAA", "AAAU"]
    targets = [t.split("?")[1][:12] for t in fixture_server.requests]
    assert targets == ["market=stock", "market=stock", "cursor=YWN0a", "cursor=YWN0a"]
    assert len(sleeps.calls) == 2


def test_truncated_page_fails_instead_of_ending_the_list(fixture_server: FixtureServer) -> None:
    fixture_server.inject("/v3/reference/tickers", delay_secs=0.0)  # page 1 served
    fixture_server.inject("/v3/reference/tickers", body='{"results": [{"ticker": "AAA"', count=4)
    with pytest.raises(ProviderError, match="malformed JSON"):
        source_for(fixture_server).tickers()


def test_connection_refused_is_a_provider_error() -> None:
    with FixtureServer(POLYGON_MOCKS) as stopped:
        url = stopped.base_url
    source = PolygonRestSource(KEY, url, 0.5, RetryPolicy(attempts=2).guarded_calls(Sleeps()))
    with pytest.raises(VendorError, match="connection failed") as caught:
        source.market_status()
    assert caught.value.status is None
    assert KEY not in str(caught.value)


def test_breaker_opens_and_stops_calling(fixture_server: FixtureServer) -> None:
    source = source_for(
        fixture_server, policy=RetryPolicy(failure_threshold=2, reset_after_secs=60, attempts=1)
    )
    fixture_server.inject(SNAPSHOT, status=500, count=10)
    for _ in range(2):
        with pytest.raises(VendorError):
            source.snapshot()
    with pytest.raises(CircuitOpenError, match="circuit open for polygon snapshot: last error"):
        source.snapshot()
    assert fixture_server.hits(SNAPSHOT) == 2
    assert source.market_status().value == "extended-hours"  # other endpoints keep working


def test_requests_go_through_the_rate_limiter(fixture_server: FixtureServer) -> None:
    now = [0.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(5, clock=lambda: now[0], sleep=sleep)
    source = source_for(fixture_server, calls=GuardedCalls(limiter, CircuitBreaker()))
    source.tickers()  # two pages
    source.market_status()
    assert waits == pytest.approx([12.0, 12.0])
    assert source.request_counts == {"tickers": 2, "marketstatus": 1}


def test_endpoint_names() -> None:
    assert endpoint_name("/v2/snapshot/locale/us/markets/stocks/tickers") == "snapshot"
    assert endpoint_name("/v3/reference/tickers") == "tickers"
    assert endpoint_name("/v3/reference/tickers/AAPL") == "ticker_details"
    assert endpoint_name("/v2/aggs/ticker/IWM/range/1/minute/2026-11-23/2026-11-23") == "minute_bars"
    assert endpoint_name("/v2/aggs/grouped/locale/us/market/stocks/2026-11-23") == "grouped_daily"
    assert endpoint_name("/stocks/vX/float") == "float"
    assert endpoint_name("/v2/reference/news") == "news"
    assert endpoint_name("/v1/marketstatus/now") == "marketstatus"
    assert endpoint_name("/v9/other") == "/v9/other"


def test_news_limit_zero_makes_no_request(fixture_server: FixtureServer) -> None:
    now = datetime(2026, 11, 24, tzinfo=UTC)
    assert source_for(fixture_server).news(now, now, 0).value == []
    assert fixture_server.requests == []


def test_a_key_is_required() -> None:
    with pytest.raises(ValueError, match="API key"):
        PolygonRestSource("", "http://127.0.0.1:9", 1.0, RetryPolicy().guarded_calls())
