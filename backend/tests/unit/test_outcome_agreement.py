"""What the service says about the latest analysis and the vendor agrees with the last run's outcome
and the calls it made: a grid after a failed run is stale in every field, and a vendor whose latest
calls failed (its circuit still closed) or were refused is not "ok"."""

from __future__ import annotations

import contextlib
from typing import cast

import pytest

from sectorlights.engine.freshness import grid_freshness
from sectorlights.providers.polygon.source import PolygonSource
from sectorlights.providers.resilience import CircuitBreaker, CircuitReport, VendorError
from tests.unit.test_polygon_market_data import provider_for

HOUR_SECS = 3600.0
FAILURE = "ProviderError: polygon snapshot: HTTP 503: busy (gave up after 4 attempts)"


@pytest.mark.parametrize(
    ("age_secs", "failure", "freshness", "advice"),
    [
        (300.0, None, "fresh", "Analysis is current."),
        (3 * HOUR_SECS, None, "aging", "refresh recommended"),
        (5 * HOUR_SECS, None, "stale", "Analysis is stale"),
        # After a failed run the grid is not the latest analysis, however young it is.
        (300.0, FAILURE, "stale", "The latest analysis failed"),
        (3 * HOUR_SECS, FAILURE, "stale", "The latest analysis failed"),
        (5 * HOUR_SECS, FAILURE, "stale", "The latest analysis failed"),
    ],
)
def test_a_grids_freshness_fields_agree(
    age_secs: float, failure: str | None, freshness: str, advice: str
) -> None:
    fields = grid_freshness(age_secs, failure)
    assert fields["freshness"] == freshness
    assert advice in fields["recommendation"]
    assert fields["last_error"] == failure
    # The fields never contradict each other.
    assert fields["stale"] is (fields["freshness"] == "stale")
    assert (fields["recommendation"] == "Analysis is current.") is (freshness == "fresh")


class BreakerSource:
    """A vendor source reduced to what health reads: its breaker (the real one, opening after five
    failed calls as the REST and MCP sources' does) and its request count."""

    transport = "fake"

    def __init__(self) -> None:
        self.breaker = CircuitBreaker(failure_threshold=5, reset_after_secs=3600)
        self.request_count = 0

    @property
    def circuits(self) -> list[CircuitReport]:
        return self.breaker.report()

    def call(self, endpoint: str, error: Exception | None) -> None:
        def send() -> None:
            self.request_count += 1
            if error is not None:
                raise error

        with contextlib.suppress(Exception):  # health is what is under test
            self.breaker.call(endpoint, send)


BUSY = VendorError("polygon snapshot: HTTP 503: busy (gave up after 4 attempts)", status=503)
REFUSED = VendorError("polygon snapshot: HTTP 403: not entitled", status=403)
NOT_FOUND = VendorError("polygon ticker_details: HTTP 404: unknown ticker", status=404)


@pytest.mark.parametrize(
    ("calls", "ok", "detail"),
    [
        ([], True, "no vendor request yet"),
        ([("snapshot", None)], True, "every circuit closed"),
        # One failed run's snapshot call: the circuit is still closed, the vendor is not ok.
        ([("snapshot", BUSY)], False, "snapshot failed 1 in a row: polygon snapshot: HTTP 503"),
        ([("snapshot", BUSY)] * 2, False, "snapshot failed 2 in a row"),
        ([("snapshot", BUSY)] * 5, False, "snapshot circuit open after 5 failures"),
        ([("snapshot", BUSY), ("snapshot", None)], True, "every circuit closed"),
        ([("news", None), ("snapshot", BUSY)], False, "snapshot failed 1 in a row"),
        # Refused (a key without the entitlement): the breaker does not count it, health does.
        ([("snapshot", REFUSED)], False, "snapshot refused: polygon snapshot: HTTP 403"),
        ([("snapshot", REFUSED), ("snapshot", None)], True, "every circuit closed"),
        # A 404 is about the ticker asked for, not the vendor.
        ([("ticker_details", NOT_FOUND)], True, "every circuit closed"),
    ],
)
def test_vendor_health_agrees_with_the_latest_calls(
    calls: list[tuple[str, Exception | None]], ok: bool, detail: str
) -> None:
    source = BreakerSource()
    for endpoint, error in calls:
        source.call(endpoint, error)
    health = provider_for(cast(PolygonSource, source)).health()
    assert health.ok is ok, health
    assert detail in health.detail, health
