"""/metrics of the vendor calls and runs: a fake vendor driven through the resilience layer into an
open circuit, read back from the registry's text the way Prometheus scrapes it."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from sectorlights.core.clock import SystemClock
from sectorlights.metrics import Metrics
from sectorlights.providers.fmp.client import create_fmp_reference
from sectorlights.providers.registry import ProviderContext, build_provider
from sectorlights.providers.resilience import (
    CircuitBreaker,
    CircuitOpenError,
    GuardedCalls,
    RateLimiter,
    RequestOutcome,
    VendorError,
)
from sectorlights.settings import ProviderSettings

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(metrics: Metrics) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(metrics.exposition().decode())
        for sample in family.samples
    }


def labels(**values: str) -> frozenset[tuple[str, str]]:
    return frozenset(values.items())


def requests(found: Samples, vendor: str, endpoint: str, outcome: str) -> float:
    key = ("sectorlights_vendor_requests_total", labels(vendor=vendor, endpoint=endpoint, outcome=outcome))
    return found.get(key, 0.0)


def circuit(found: Samples, vendor: str, endpoint: str) -> float | None:
    return found.get(("sectorlights_vendor_circuit_state", labels(vendor=vendor, endpoint=endpoint)))


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


class FakeVendor:
    """Answers each request with the next scripted reply: an exception to raise, or a value."""

    def __init__(self) -> None:
        self.replies: list[Any] = []

    def script(self, *replies: Any) -> None:
        self.replies.extend(replies)

    def send(self) -> str:
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        return str(reply)


def unavailable() -> VendorError:
    return VendorError("down", status=503, vendor_message="down")


def guarded(metrics: Metrics, time: FakeTime, vendor: str = "polygon") -> GuardedCalls:
    """Three attempts a call; two failed calls in a row open an endpoint's circuit for 30 s."""
    return GuardedCalls(
        RateLimiter(None),
        CircuitBreaker(failure_threshold=2, reset_after_secs=30.0, clock=time.clock),
        attempts=3,
        sleep=time.sleep,
        jitter=lambda: 0.0,
        vendor=vendor,
        observer=metrics,
    )


def call(calls: GuardedCalls, vendor: FakeVendor, endpoint: str = "snapshot") -> str:
    return calls.call(endpoint, f"polygon {endpoint}", f"polygon {endpoint}", vendor.send)


def test_a_failing_endpoint_is_counted_by_outcome_and_its_circuit_shows_open_then_closed() -> None:
    metrics, time, vendor = Metrics(), FakeTime(), FakeVendor()
    calls = guarded(metrics, time)

    # One failure then success: the failed request was retried.
    vendor.script(unavailable(), "rows")
    assert call(calls, vendor) == "rows"
    found = scrape(metrics)
    assert requests(found, "polygon", "snapshot", "retried") == 1
    assert requests(found, "polygon", "snapshot", "ok") == 1
    assert circuit(found, "polygon", "snapshot") == 0

    # Two calls failing every attempt: each ends in one error after two retries; the circuit opens.
    for _ in range(2):
        vendor.script(unavailable(), unavailable(), unavailable())
        with pytest.raises(VendorError):
            call(calls, vendor)
    found = scrape(metrics)
    assert requests(found, "polygon", "snapshot", "retried") == 1 + 2 * 2
    assert requests(found, "polygon", "snapshot", "error") == 2
    assert circuit(found, "polygon", "snapshot") == 2

    # The open circuit refuses without sending: counted apart, no request, no latency.
    with pytest.raises(CircuitOpenError):
        call(calls, vendor)
    found = scrape(metrics)
    refused = ("sectorlights_vendor_calls_refused_total", labels(vendor="polygon", endpoint="snapshot"))
    assert found[refused] == 1
    sent = calls.request_counts["snapshot"]
    assert sent == 8
    latency = (
        "sectorlights_vendor_request_duration_seconds_count",
        labels(vendor="polygon", endpoint="snapshot"),
    )
    assert found[latency] == sent
    assert sum(requests(found, "polygon", "snapshot", o) for o in ("ok", "retried", "error")) == sent

    # Cooled down: half-open at the scrape, without any call; the trial's success closes it.
    time.now += 30.0
    assert circuit(scrape(metrics), "polygon", "snapshot") == 1
    vendor.script("rows")
    assert call(calls, vendor) == "rows"
    assert circuit(scrape(metrics), "polygon", "snapshot") == 0


@pytest.mark.parametrize(
    ("replies", "outcomes", "raises"),
    [
        (["rows"], {"ok": 1}, None),
        # A 404 is the vendor's answer: not retried, an error, and no harm to the circuit.
        ([VendorError("gone", status=404)], {"error": 1}, VendorError),
        ([VendorError("slow", status=429), "rows"], {"retried": 1, "ok": 1}, None),
        ([TimeoutError("read"), TimeoutError("read"), "rows"], {"retried": 2, "ok": 1}, None),
        # Whatever the client itself raises ends the call at once.
        ([KeyError("bad payload")], {"error": 1}, KeyError),
    ],
)
def test_each_request_has_one_outcome(
    replies: list[Any], outcomes: dict[str, int], raises: type[Exception] | None
) -> None:
    metrics, time, vendor = Metrics(), FakeTime(), FakeVendor()
    calls = guarded(metrics, time)
    vendor.script(*replies)
    if raises is None:
        call(calls, vendor, "grouped_daily")
    else:
        with pytest.raises(raises):
            call(calls, vendor, "grouped_daily")
    found = scrape(metrics)
    assert {
        outcome.value: int(requests(found, "polygon", "grouped_daily", outcome.value))
        for outcome in RequestOutcome
        if requests(found, "polygon", "grouped_daily", outcome.value)
    } == outcomes
    assert circuit(found, "polygon", "grouped_daily") == 0


def test_endpoints_and_vendors_are_apart_and_two_clients_show_the_worse_circuit() -> None:
    metrics, time = Metrics(), FakeTime()
    polygon, first_fmp, second_fmp = (
        guarded(metrics, time),
        guarded(metrics, time, "fmp"),
        guarded(metrics, time, "fmp"),
    )
    vendor = FakeVendor()
    vendor.script("a", "b")
    call(polygon, vendor, "snapshot")
    call(polygon, vendor, "tickers")
    for _ in range(2):
        vendor.script(unavailable(), unavailable(), unavailable())
        with pytest.raises(VendorError):
            call(first_fmp, vendor, "/profile")
    vendor.script("c")
    call(second_fmp, vendor, "/profile")
    found = scrape(metrics)
    assert requests(found, "polygon", "snapshot", "ok") == requests(found, "polygon", "tickers", "ok") == 1
    assert requests(found, "fmp", "/profile", "ok") == 1
    assert requests(found, "fmp", "/profile", "error") == 2
    assert circuit(found, "polygon", "tickers") == 0
    assert circuit(found, "fmp", "/profile") == 2  # one client's circuit is open


def test_without_an_observer_nothing_is_reported() -> None:
    metrics, vendor = Metrics(), FakeVendor()
    calls = GuardedCalls(RateLimiter(None), CircuitBreaker(), sleep=lambda _: None)
    vendor.script("rows")
    call(calls, vendor)
    assert not any(name.startswith("sectorlights_vendor_") for name, _ in scrape(metrics))


def test_the_last_successful_run_gauge_only_moves_forward() -> None:
    metrics = Metrics()
    gauge = ("sectorlights_last_successful_run_timestamp_seconds", frozenset[tuple[str, str]]())
    assert scrape(metrics)[gauge] == 0
    for finished, shown in ((1_700_000_000.0, 1_700_000_000.0), (1_600_000_000.0, 1_700_000_000.0)):
        metrics.note_successful_run(finished)
        assert scrape(metrics)[gauge] == shown


class RecordingObserver:
    def __init__(self) -> None:
        self.watched: list[str] = []

    def request_finished(self, vendor: str, endpoint: str, outcome: str, duration_secs: float) -> None:
        pass

    def call_refused(self, vendor: str, endpoint: str) -> None:
        pass

    def watch_circuits(self, vendor: str, states: Callable[[], list[tuple[str, str]]]) -> None:
        self.watched.append(vendor)
        assert states() == []


@pytest.mark.parametrize(
    ("settings", "vendor"),
    [
        ({"SECTORLIGHTS_PROVIDER": "polygon", "POLYGON_API_KEY": "k"}, "polygon"),
        (
            {
                "SECTORLIGHTS_PROVIDER": "polygon_mcp",
                "POLYGON_API_KEY": "k",
                "SECTORLIGHTS_POLYGON_MCP_COMMAND": f"{sys.executable} -m sectorlights.simvendor.mcp_server",
            },
            "polygon_mcp",
        ),
        ({"SECTORLIGHTS_PROVIDER": "simulated"}, None),
    ],
)
def test_every_vendor_provider_reports_to_the_observer(
    monkeypatch: pytest.MonkeyPatch, settings: dict[str, str], vendor: str | None
) -> None:
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    observer = RecordingObserver()
    build_provider(ProviderSettings(), SystemClock(), observer=observer)
    assert observer.watched == ([] if vendor is None else [vendor])


def test_fmp_reports_to_the_observer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FMP_API_KEY", "k")
    observer = RecordingObserver()
    reference = create_fmp_reference(ProviderSettings(), observer=observer)
    assert reference is not None
    reference.client.close()
    assert observer.watched == ["fmp"]
    assert ProviderContext(SystemClock()).observer is None
