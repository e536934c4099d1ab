"""FmpClient against a local server replaying the recorded FMP stable-API responses
(`tests/fixtures/fmp/`): every endpoint's records carry the recorded values, and vendor faults
(429, 5xx, timeouts, malformed bodies and rows, refused keys) are handled."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from sectorlights.domain.vocabulary import Sector
from sectorlights.providers.base import RejectedRow
from sectorlights.providers.fmp import FmpClient, FmpReference, create_fmp_reference
from sectorlights.providers.fmp.records import EtfHolding, FmpFloat, FmpProfile
from sectorlights.providers.resilience import CircuitOpenError, RetryPolicy, VendorError
from sectorlights.settings import ProviderSettings
from tests.fixture_server import FMP_FIXTURES, FixtureServer

KEY = "fmp-test-key-0123456789"

pytestmark = pytest.mark.timeout(60)


def recorded(name: str) -> Any:
    return json.loads((FMP_FIXTURES / "stable" / name).read_text())


@pytest.fixture
def fixture_root() -> Path:
    return FMP_FIXTURES


class Harness:
    def __init__(
        self, fixture_server: FixtureServer, *, timeout_secs: float = 5.0, policy: RetryPolicy | None = None
    ) -> None:
        self.sleeps: list[float] = []
        self.client = FmpClient(
            KEY,
            f"{fixture_server.base_url}/stable",
            timeout_secs,
            (policy or RetryPolicy()).guarded_calls(self.sleeps.append),
        )


@pytest.fixture
def fmp(fixture_server: FixtureServer) -> Iterator[Harness]:
    harness = Harness(fixture_server)
    yield harness
    harness.client.close()


# --- records ----------------------------------------------------------------------------------------


def test_profile(fmp: Harness, fixture_server: FixtureServer) -> None:
    result = fmp.client.profile("AAPL")
    assert result.rejected == []
    assert result.value == [
        FmpProfile(
            symbol="AAPL",
            company_name="Apple Inc.",
            sector="Technology",
            industry="Consumer Electronics",
            market_cap=3800327071200.0,
            average_volume=56212347.0,
            price=256.08,
            exchange="NASDAQ",
            is_etf=False,
            is_actively_trading=True,
        )
    ]
    assert result.value[0].our_sector is Sector.TECHNOLOGY
    assert fixture_server.requests == [
        "/stable/profile?symbol=AAPL"
    ]  # the key is sent, as `apikey`, and not logged here


def test_company_screener(fmp: Harness) -> None:
    result = fmp.client.screener(
        sector="Energy",
        industry="Oil & Gas Midstream",
        betaLowerThan=0.5,
        isActivelyTrading=True,
        isEtf=False,
        isFund=False,
        includeAllShareClasses=False,
        limit=2,
    )
    assert result.rejected == []
    assert [
        (p.symbol, p.company_name, p.sector, p.market_cap, p.price, p.exchange, p.average_volume)
        for p in result.value
    ] == [
        ("ENB-PA.TO", "Enbridge Inc", "Energy", 0.0, 24.8, "TSX", None),
        ("ENB-PN.TO", "Enbridge Inc", "Energy", 0.0, 24.14, "TSX", None),
    ]
    assert all(p.our_sector is Sector.ENERGY for p in result.value)


def test_shares_float(fmp: Harness) -> None:
    assert fmp.client.shares_float("AAPL").value == [
        FmpFloat("AAPL", 14814419318.0, 99.82500000336918, 14840390000.0, date(2025, 9, 21))
    ]
    assert fmp.client.shares_float("MSFT").value == [
        FmpFloat("MSFT", 7422239624.0, 99.85299999431103, 7433166379.0, date(2025, 9, 22))
    ]


def test_etf_holdings(fmp: Harness) -> None:
    result = fmp.client.etf_holdings("DIA")
    rows = recorded("etf/holdings&symbol=DIA.json")
    assert len(rows) == 32 and len(result.value) == 30
    assert result.value[:2] == [
        EtfHolding("DIA", "GS", 10.691, 5240872.0),
        EtfHolding("DIA", "MSFT", 6.758, 5240872.0),
    ]
    # The recording holds two cash lines with a blank asset: left out, with the reason.
    assert result.rejected == [
        RejectedRow("/etf/holdings", " ", "missing asset (US DOLLAR: cash or an unlisted holding)"),
        RejectedRow("/etf/holdings", " ", "missing asset (POUND STERLING: cash or an unlisted holding)"),
    ]
    stocks = [row for row in rows if row["asset"].strip()]
    assert sum(h.weight_percent for h in result.value) == pytest.approx(
        sum(r["weightPercentage"] for r in stocks)
    )


def float_rows(count: int, prefix: str) -> list[dict[str, Any]]:
    base = recorded("shares-float&symbol=AAPL.json")[0]
    return [{**base, "symbol": f"{prefix}{i}"} for i in range(count)]


def test_floats_all_pages_until_a_short_page(fmp: Harness, fixture_server: FixtureServer) -> None:
    fixture_server.inject("/stable/shares-float-all", body=json.dumps(float_rows(5000, "A")))
    bad = [{"symbol": "BAD", "floatShares": -1}, {"symbol": "A0", "floatShares": 1.0}]
    fixture_server.inject("/stable/shares-float-all", body=json.dumps(float_rows(3, "B") + bad))
    reference = FmpReference(fmp.client)
    floats = reference.floats_all()
    assert len(floats) == 5003
    assert floats["A0"] == floats["B2"] == 14814419318.0  # a repeat keeps the first page's value
    assert [r for r in fixture_server.requests if r.startswith("/stable/shares-float-all")] == [
        "/stable/shares-float-all?page=0&limit=5000",
        "/stable/shares-float-all?page=1&limit=5000",
    ]
    assert reference.drain_rejections() == [
        RejectedRow("/shares-float-all", "BAD", "floatShares is below 0 (-1)")
    ]


def test_reference_sectors_members_and_checks(fmp: Harness, fixture_server: FixtureServer) -> None:
    reference = FmpReference(fmp.client)
    assert reference.sector_for(["AAPL", "aapl ", "MSFT", ""]) == {"AAPL": Sector.TECHNOLOGY}
    assert fixture_server.requests == ["/stable/profile?symbol=AAPL", "/stable/profile?symbol=MSFT"]
    rejected = reference.drain_rejections()
    assert [(r.endpoint, r.symbol) for r in rejected] == [("/profile", "MSFT")]
    assert "HTTP 404" in rejected[0].reason
    assert [h.symbol for h in reference.etf_members("DIA")][:3] == ["GS", "MSFT", "CAT"]

    checks = {check.endpoint: check for check in reference.check(symbol="AAPL", etf="DIA")}
    assert list(checks) == [
        "fmp /profile",
        "fmp /company-screener",
        "fmp /shares-float",
        "fmp /shares-float-all",
        "fmp /etf/holdings",
    ]
    assert {name: (c.ok, c.rows) for name, c in checks.items()} == {
        "fmp /profile": (True, 1),
        "fmp /company-screener": (False, 0),  # no recording for the check's filters: a 404
        "fmp /shares-float": (True, 1),
        "fmp /shares-float-all": (False, 0),
        "fmp /etf/holdings": (True, 30),
    }
    assert not any(c.required for c in checks.values())
    assert "HTTP 404" in checks["fmp /company-screener"].detail


def test_an_unmapped_or_missing_sector_is_a_rejection(fmp: Harness, fixture_server: FixtureServer) -> None:
    etf = {**recorded("profile&symbol=AAPL.json")[0], "symbol": "SPY", "sector": "", "isEtf": True}
    odd = {**etf, "symbol": "ODD", "sector": "Conglomerates"}
    fixture_server.inject("/stable/profile", body=json.dumps([etf]))
    fixture_server.inject("/stable/profile", body=json.dumps([odd]))
    reference = FmpReference(fmp.client)
    assert reference.sector_for(["SPY", "ODD"]) == {}
    assert reference.drain_rejections() == [
        RejectedRow("/profile", "SPY", "no sector in the profile"),
        RejectedRow("/profile", "ODD", "unknown FMP sector 'Conglomerates'"),
    ]


def test_malformed_rows_are_rejected_and_the_rest_kept(fmp: Harness, fixture_server: FixtureServer) -> None:
    good = recorded("etf/holdings&symbol=DIA.json")[0]
    fixture_server.inject(
        "/stable/etf/holdings",
        body=json.dumps([good, {"asset": None}, "junk", {**good, "weightPercentage": "x"}]),
    )
    result = fmp.client.etf_holdings("DIA")
    assert [h.symbol for h in result.value] == ["GS"]
    assert [r.reason for r in result.rejected] == [
        "missing asset",
        "row is not an object (str)",
        "weightPercentage is not a number ('x')",
    ]


# --- faults -----------------------------------------------------------------------------------------


def test_429_is_retried_after_the_vendors_delay(fmp: Harness, fixture_server: FixtureServer) -> None:
    fixture_server.inject(
        "/stable/profile", status=429, retry_after=0, body='{"Error Message": "Limit Reach ."}'
    )
    assert fmp.client.profile("AAPL").value[0].symbol == "AAPL"
    assert fixture_server.hits("/stable/profile") == 2
    assert fmp.sleeps == [0.0]


def test_server_errors_are_retried_with_backoff_then_given_up(
    fmp: Harness, fixture_server: FixtureServer
) -> None:
    fixture_server.inject("/stable/shares-float", status=503, count=2)
    assert fmp.client.shares_float("AAPL").value[0].float_shares == 14814419318.0
    assert len(fmp.sleeps) == 2 and 0.25 <= fmp.sleeps[0] <= 0.5 and 0.5 <= fmp.sleeps[1] <= 1.0
    fixture_server.inject("/stable/shares-float", status=500, count=4)
    with pytest.raises(VendorError) as caught:
        fmp.client.shares_float("AAPL")
    assert caught.value.status == 500
    assert str(caught.value).startswith("fmp /shares-float: HTTP 500: ")
    assert "gave up after 4 attempts" in str(caught.value)
    assert fixture_server.hits("/stable/shares-float") == 3 + 4


def test_timeouts_are_retried(fixture_server: FixtureServer) -> None:
    harness = Harness(fixture_server, timeout_secs=0.3)
    try:
        fixture_server.inject("/stable/profile", delay_secs=1.5)
        assert harness.client.profile("AAPL").value[0].price == 256.08
        assert len(harness.sleeps) == 1
        fixture_server.inject("/stable/profile", delay_secs=1.5, count=4)
        with pytest.raises(
            VendorError, match=r"fmp /profile: timed out after 0.3 s .*gave up after 4 attempts"
        ):
            harness.client.profile("AAPL")
    finally:
        harness.client.close()


def test_malformed_json_is_retried_then_reported(fmp: Harness, fixture_server: FixtureServer) -> None:
    fixture_server.inject("/stable/profile", body='[{"symbol": "AAPL", "pri')
    assert fmp.client.profile("AAPL").value[0].symbol == "AAPL"
    fixture_server.inject("/stable/profile", body="<html>gateway</html>", count=4)
    with pytest.raises(VendorError, match="malformed JSON"):
        fmp.client.profile("AAPL")


@pytest.mark.parametrize(
    ("status", "body", "words"),
    [
        (
            401,
            '{"Error Message": "Invalid API KEY. Feel free to create a Free API Key."}',
            ["FMP_API_KEY", "Invalid API KEY"],
        ),
        (403, '{"Error Message": "Forbidden"}', ["FMP_API_KEY"]),
        (None, '{"Error Message": "Invalid API KEY. Feel free to create a Free API Key."}', ["FMP_API_KEY"]),
        (
            402,
            '{"Error Message": "Restricted Endpoint: upgrade"}',
            ["not available on this FMP plan", "Restricted"],
        ),
        (404, '{"Error Message": "not here"}', ["HTTP 404", "not here"]),
        (400, f'{{"Error Message": "bad request for apikey={KEY}"}}', ["HTTP 400", "<redacted>"]),
    ],
)
def test_refusals_fail_at_once_naming_the_cause(
    fmp: Harness, fixture_server: FixtureServer, status: int | None, body: str, words: list[str]
) -> None:
    fixture_server.inject("/stable/profile", status=status, body=body)
    with pytest.raises(VendorError) as caught:
        fmp.client.profile("AAPL")
    message = str(caught.value)
    assert message.startswith("fmp /profile: ")
    for word in words:
        assert word in message
    assert KEY not in message
    assert fixture_server.hits("/stable/profile") == 1 and fmp.sleeps == []


def test_a_refused_key_stops_sector_lookups(fmp: Harness, fixture_server: FixtureServer) -> None:
    fixture_server.inject("/stable/profile", status=401, body='{"Error Message": "Invalid API KEY."}')
    with pytest.raises(VendorError, match="FMP_API_KEY"):
        FmpReference(fmp.client).sector_for(["AAPL", "MSFT"])
    assert fixture_server.hits("/stable/profile") == 1


def test_a_failing_endpoint_opens_its_circuit(fixture_server: FixtureServer) -> None:
    harness = Harness(
        fixture_server, policy=RetryPolicy(failure_threshold=2, reset_after_secs=60, attempts=1)
    )
    try:
        fixture_server.inject("/stable/profile", status=500, count=2)
        for _ in range(2):
            with pytest.raises(VendorError):
                harness.client.profile("AAPL")
        with pytest.raises(CircuitOpenError):
            harness.client.profile("AAPL")
        assert fixture_server.hits("/stable/profile") == 2
        reference = FmpReference(harness.client)
        assert reference.sector_for(["AAPL", "MSFT"]) == {}  # stops at the open circuit, no requests
        assert fixture_server.hits("/stable/profile") == 2
        assert harness.client.shares_float("AAPL").value  # other endpoints are unaffected
    finally:
        harness.client.close()


def test_the_key_never_reaches_the_log(
    fmp: Harness, fixture_server: FixtureServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fixture_server.inject("/stable/profile", status=503)
    fmp.client.profile("AAPL")
    assert "apikey=<redacted>" in caplog.text  # httpx logs each request URL
    assert KEY not in caplog.text


def test_configuration(monkeypatch: pytest.MonkeyPatch, fixture_server: FixtureServer) -> None:
    monkeypatch.delenv("FMP_API_KEY", raising=False)
    monkeypatch.delenv("FMP_BASE_URL", raising=False)
    assert create_fmp_reference(ProviderSettings()) is None
    reference = create_fmp_reference(
        ProviderSettings(FMP_API_KEY=KEY, FMP_BASE_URL=f"{fixture_server.base_url}/stable")
    )
    assert reference is not None
    assert reference.sector_for(["AAPL"]) == {"AAPL": Sector.TECHNOLOGY}
    reference.client.close()
    with pytest.raises(ValueError, match="/api/v3"):
        FmpClient(KEY, "https://financialmodelingprep.com/api/v3", 5.0, RetryPolicy().guarded_calls())
    with pytest.raises(ValueError, match="API key"):
        FmpClient("", "https://financialmodelingprep.com/stable", 5.0, RetryPolicy().guarded_calls())
