"""Rate limiter, circuit breaker, retries and the policy behind them: timing through injected clocks
and sleeps."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest

from sectorlights.providers.base import ProviderError
from sectorlights.providers.resilience import (
    BreakerState,
    CircuitBreaker,
    CircuitOpenError,
    GuardedCalls,
    RateLimiter,
    RetryPolicy,
    VendorError,
    call_with_retries,
    counts_as_failure,
    parse_retry_after,
    redact,
)
from sectorlights.settings import ProviderSettings


class FakeTime:
    """A monotonic clock that only moves when something sleeps (or a test advances it)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def failing(*errors: Exception, result: str = "ok") -> tuple[Callable[[], str], list[int]]:
    """A call that raises `errors` one by one, then returns `result`; and its call counter."""
    calls = [0]

    def call() -> str:
        calls[0] += 1
        if calls[0] <= len(errors):
            raise errors[calls[0] - 1]
        return result

    return call, calls


# --- rate limiter ---------------------------------------------------------------------------------


def test_unlimited_limiter_never_waits() -> None:
    fake = FakeTime()
    limiter = RateLimiter(None, clock=fake.clock, sleep=fake.sleep)
    for _ in range(1000):
        assert limiter.acquire() == 0.0
    assert fake.sleeps == []


def test_limiter_spaces_requests_to_the_budget() -> None:
    fake = FakeTime()
    limiter = RateLimiter(5, clock=fake.clock, sleep=fake.sleep)  # the free plan: one per 12 s
    waits = [limiter.acquire() for _ in range(6)]
    assert waits[0] == 0.0
    assert waits[1:] == pytest.approx([12.0] * 5)
    assert fake.now == pytest.approx(1000.0 + 60.0)
    assert limiter.waited_secs == pytest.approx(60.0)


def test_limiter_refills_while_idle_but_not_beyond_the_burst() -> None:
    fake = FakeTime()
    limiter = RateLimiter(60, clock=fake.clock, sleep=fake.sleep, burst=3)
    assert [limiter.acquire() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.acquire() == pytest.approx(1.0)
    fake.now += 3600  # an hour idle refills three tokens, not 3,600
    assert [limiter.acquire() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.acquire() == pytest.approx(1.0)


def test_limiter_keeps_any_sixty_seconds_within_budget() -> None:
    fake = FakeTime()
    limiter = RateLimiter(5, clock=fake.clock, sleep=fake.sleep)
    sent: list[float] = []
    for _ in range(20):
        limiter.acquire()
        sent.append(fake.now)
    for start in sent:
        assert sum(1 for t in sent if start <= t < start + 60) <= 5


def test_limiter_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="positive"):
        RateLimiter(0)
    with pytest.raises(ValueError, match="burst"):
        RateLimiter(5, burst=0.5)


# --- retries --------------------------------------------------------------------------------------


def test_retries_429_honouring_retry_after() -> None:
    fake = FakeTime()
    call, calls = failing(
        VendorError("slow down", status=429, vendor_message="slow down", retry_after_secs=7)
    )
    assert call_with_retries(call, "polygon snapshot", sleep=fake.sleep) == "ok"
    assert calls[0] == 2
    assert fake.sleeps == [7]


def test_retry_after_is_capped() -> None:
    fake = FakeTime()
    call, _ = failing(VendorError("later", status=429, retry_after_secs=3600))
    call_with_retries(call, "x", sleep=fake.sleep, max_retry_after_secs=60)
    assert fake.sleeps == [60]


def test_backoff_doubles_with_jitter_up_to_the_cap() -> None:
    fake = FakeTime()
    errors = [VendorError("boom", status=503) for _ in range(6)]
    call, calls = failing(*errors)
    result = call_with_retries(
        call, "x", attempts=7, base_delay_secs=0.5, max_delay_secs=4, sleep=fake.sleep, jitter=lambda: 1.0
    )
    assert result == "ok"
    assert calls[0] == 7
    assert fake.sleeps == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    fake.sleeps.clear()
    call, _ = failing(VendorError("boom", status=500))
    call_with_retries(call, "x", sleep=fake.sleep, jitter=lambda: 0.0)
    assert fake.sleeps == [0.25]  # jitter scales the wait into [0.5, 1) of the step


def test_timeouts_and_connection_errors_are_retried() -> None:
    fake = FakeTime()
    call, calls = failing(
        TimeoutError("read timed out"), ConnectionError("reset"), VendorError("x", status=None)
    )
    assert call_with_retries(call, "x", sleep=fake.sleep) == "ok"
    assert calls[0] == 4


def test_no_retry_on_404() -> None:
    fake = FakeTime()
    call, calls = failing(VendorError("Ticker not found.", status=404, vendor_message="Ticker not found."))
    with pytest.raises(VendorError) as caught:
        call_with_retries(call, "polygon ticker_details (GET /v3/reference/tickers/ZZZZ)", sleep=fake.sleep)
    assert calls[0] == 1
    assert fake.sleeps == []
    assert caught.value.status == 404
    assert not caught.value.retryable
    assert str(caught.value) == (
        "polygon ticker_details (GET /v3/reference/tickers/ZZZZ): HTTP 404: Ticker not found."
    )


def test_other_errors_propagate_untouched() -> None:
    call, calls = failing(KeyError("bug"))
    with pytest.raises(KeyError):
        call_with_retries(call, "x", sleep=lambda _: None)
    assert calls[0] == 1


def test_final_error_names_endpoint_status_and_vendor_message() -> None:
    fake = FakeTime()
    errors = [VendorError("Internal error", status=500, vendor_message="Internal error") for _ in range(4)]
    call, calls = failing(*errors)
    with pytest.raises(ProviderError) as caught:
        call_with_retries(call, "polygon grouped_daily (GET /v2/aggs/grouped/...)", sleep=fake.sleep)
    assert calls[0] == 4
    assert len(fake.sleeps) == 3
    message = str(caught.value)
    assert message.startswith("polygon grouped_daily (GET /v2/aggs/grouped/...): HTTP 500: Internal error")
    assert "gave up after 4 attempts" in message
    assert isinstance(caught.value, VendorError) and caught.value.retryable


def test_attempts_must_be_positive() -> None:
    with pytest.raises(ValueError, match="attempts"):
        call_with_retries(lambda: 1, "x", attempts=0)


def test_retry_after_parsing() -> None:
    now = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    assert parse_retry_after("12") == 12.0
    assert parse_retry_after(" 1.5 ") == 1.5
    assert parse_retry_after("-3") == 0.0
    assert parse_retry_after("Tue, 24 Nov 2026 12:00:30 GMT", now=lambda: now) == 30.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("") is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("nan") is None


def test_redact_hides_secrets_and_shortens() -> None:
    assert redact("bad key SECRET123 given", ["SECRET123", ""]) == "bad key <redacted> given"
    assert len(redact("x" * 5000, [])) == 300


# --- circuit breaker ------------------------------------------------------------------------------


def vendor_down() -> str:
    raise VendorError("polygon snapshot: HTTP 503: unavailable (gave up after 4 attempts)", status=503)


def test_breaker_opens_after_threshold_and_refuses_without_calling() -> None:
    fake = FakeTime()
    breaker = CircuitBreaker(failure_threshold=3, reset_after_secs=30, clock=fake.clock)
    for _ in range(3):
        with pytest.raises(VendorError):
            breaker.call("polygon snapshot", vendor_down)
    assert breaker.state("polygon snapshot") is BreakerState.OPEN
    called = []
    with pytest.raises(CircuitOpenError) as caught:
        breaker.call("polygon snapshot", lambda: called.append(1))
    assert called == []
    assert str(caught.value).startswith(
        "circuit open for polygon snapshot: last error polygon snapshot: HTTP 503"
    )
    # Another endpoint has its own circuit.
    assert breaker.call("polygon news", lambda: "fine") == "fine"
    # The report health reads, by endpoint; cooled down, the open circuit reads half-open.
    report = {circuit.endpoint: circuit for circuit in breaker.report()}
    assert (report["polygon news"].state, report["polygon news"].failures) == (BreakerState.CLOSED, 0)
    snapshot = report["polygon snapshot"]
    assert (snapshot.state, snapshot.failures) == (BreakerState.OPEN, 3)
    assert snapshot.last_error.startswith("polygon snapshot: HTTP 503")
    fake.now += 30
    assert [circuit.state for circuit in breaker.report()] == [BreakerState.CLOSED, BreakerState.HALF_OPEN]


def test_breaker_half_open_trial_success_closes() -> None:
    fake = FakeTime()
    breaker = CircuitBreaker(failure_threshold=2, reset_after_secs=30, clock=fake.clock)
    for _ in range(2):
        with pytest.raises(VendorError):
            breaker.call("e", vendor_down)
    fake.now += 29.9
    with pytest.raises(CircuitOpenError):
        breaker.call("e", lambda: "x")
    fake.now += 0.2
    assert breaker.state("e") is BreakerState.HALF_OPEN
    assert breaker.call("e", lambda: "trial") == "trial"
    assert breaker.state("e") is BreakerState.CLOSED
    # Closed again: it takes the full threshold to open it.
    with pytest.raises(VendorError):
        breaker.call("e", vendor_down)
    assert breaker.state("e") is BreakerState.CLOSED


def test_breaker_half_open_trial_failure_reopens_and_allows_one_trial_at_a_time() -> None:
    fake = FakeTime()
    breaker = CircuitBreaker(failure_threshold=1, reset_after_secs=10, clock=fake.clock)
    with pytest.raises(VendorError):
        breaker.call("e", vendor_down)
    fake.now += 10
    breaker.before_call("e")  # the trial is in flight...
    with pytest.raises(CircuitOpenError):
        breaker.call("e", lambda: "second caller")  # ...so nobody else gets through
    breaker.record_failure("e", VendorError("still down", status=502))
    assert breaker.state("e") is BreakerState.OPEN
    with pytest.raises(CircuitOpenError, match="still down"):
        breaker.call("e", lambda: "x")
    fake.now += 10
    assert breaker.call("e", lambda: "back") == "back"


def test_breaker_ignores_client_errors() -> None:
    fake = FakeTime()
    breaker = CircuitBreaker(failure_threshold=1, clock=fake.clock)

    def not_found() -> str:
        raise VendorError("HTTP 404", status=404)

    for _ in range(5):
        with pytest.raises(VendorError):
            breaker.call("e", not_found)
    assert breaker.state("e") is BreakerState.CLOSED


def test_what_counts_as_vendor_failure() -> None:
    assert counts_as_failure(VendorError("x", status=500))
    assert counts_as_failure(VendorError("x", status=429))
    assert counts_as_failure(VendorError("x", status=None))
    assert counts_as_failure(TimeoutError())
    assert not counts_as_failure(VendorError("x", status=404))
    assert not counts_as_failure(VendorError("x", status=401))
    assert not counts_as_failure(CircuitOpenError("x"))
    assert not counts_as_failure(ValueError("x"))


def test_breaker_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="failure_threshold"):
        CircuitBreaker(failure_threshold=0)


# --- guarded calls --------------------------------------------------------------------------------


def test_guarded_call_retries_through_the_limiter_and_counts_every_attempt() -> None:
    fake = FakeTime()
    limiter = RateLimiter(60, clock=fake.clock, sleep=fake.sleep)  # one request a second
    calls = GuardedCalls(limiter, CircuitBreaker(clock=fake.clock), sleep=fake.sleep, jitter=lambda: 1.0)
    send, sent = failing(VendorError("busy", status=503), VendorError("busy", status=503))
    assert calls.call("/profile", "fmp /profile", "fmp /profile", send) == "ok"
    assert sent[0] == 3
    assert calls.request_count == 3
    assert calls.request_counts == {"/profile": 3}
    # Backoff waits (0.5, 1.0) interleaved with the limiter's spacing to one request a second.
    assert fake.sleeps == [0.5, 0.5, 1.0]
    assert calls.call("snapshot", "polygon snapshot", "polygon snapshot (GET /x)", lambda: 1) == 1
    assert calls.request_counts == {"/profile": 3, "snapshot": 1}
    assert calls.request_count == 4


def test_guarded_call_names_the_description_and_feeds_the_breaker_per_label() -> None:
    fake = FakeTime()
    breaker = CircuitBreaker(failure_threshold=1, clock=fake.clock)
    calls = GuardedCalls(RateLimiter(None), breaker, attempts=2, sleep=fake.sleep)
    send, sent = failing(*(VendorError("down", status=502, vendor_message="down") for _ in range(2)))
    with pytest.raises(VendorError) as caught:
        calls.call("snapshot", "polygon snapshot", "polygon snapshot (GET /v2/snapshot)", send)
    assert (
        str(caught.value) == "polygon snapshot (GET /v2/snapshot): HTTP 502: down (gave up after 2 attempts)"
    )
    assert sent[0] == 2
    assert breaker.state("polygon snapshot") is BreakerState.OPEN
    refused = []
    with pytest.raises(CircuitOpenError):
        calls.call("snapshot", "polygon snapshot", "d", lambda: refused.append(1))
    assert refused == []
    assert calls.request_counts == {"snapshot": 2}  # a refused call sends nothing
    assert calls.call("news", "polygon news", "d", lambda: "fine") == "fine"  # its own circuit


def test_guarded_call_does_not_retry_client_errors() -> None:
    calls = GuardedCalls(RateLimiter(None), CircuitBreaker(), sleep=lambda _: None)
    send, sent = failing(VendorError("nope", status=404, vendor_message="nope"))
    with pytest.raises(VendorError, match="HTTP 404: nope"):
        calls.call("e", "label", "label (GET /e)", send)
    assert sent[0] == 1
    assert calls.request_count == 1


def test_guarded_call_counts_are_thread_safe() -> None:
    calls = GuardedCalls(RateLimiter(None), CircuitBreaker())
    counts = calls.request_counts
    counts["tampered"] = 99  # a copy: the caller cannot change the record
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda i: calls.call(f"e{i % 2}", f"l{i % 2}", "d", lambda: i), range(400)))
    assert calls.request_counts == {"e0": 200, "e1": 200}
    assert calls.request_count == 400


# --- retry policy ---------------------------------------------------------------------------------


def test_policy_defaults_are_the_clients_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SECTORLIGHTS_POLYGON_RATE_PER_MIN", raising=False)
    assert RetryPolicy() == RetryPolicy(
        requests_per_minute=None,
        failure_threshold=5,
        reset_after_secs=30.0,
        attempts=4,
        base_delay_secs=0.5,
        max_delay_secs=8.0,
    )
    assert RetryPolicy.from_settings(ProviderSettings()) == RetryPolicy()
    budgeted = ProviderSettings(SECTORLIGHTS_POLYGON_RATE_PER_MIN=5)
    assert RetryPolicy.from_settings(budgeted) == RetryPolicy(requests_per_minute=5)


def test_policy_builds_the_breaker_and_retries_it_describes() -> None:
    fake = FakeTime()
    policy = RetryPolicy(failure_threshold=2, attempts=3, base_delay_secs=1.0, max_delay_secs=1.5)
    calls = policy.guarded_calls(fake.sleep)
    send, sent = failing(*(VendorError("down", status=503) for _ in range(6)))
    for _ in range(2):
        with pytest.raises(VendorError, match="gave up after 3 attempts"):
            calls.call("e", "label", "label", send)
    assert sent[0] == 6
    assert len(fake.sleeps) == 4 and all(0.5 <= wait < 1.5 for wait in fake.sleeps)
    with pytest.raises(CircuitOpenError):
        calls.call("e", "label", "label", send)
    assert sent[0] == 6
    fresh = policy.guarded_calls(fake.sleep)  # every client gets a breaker (and a budget) of its own
    assert fresh.call("e", "label", "label", lambda: "ok") == "ok"


def test_policy_budget_spaces_requests() -> None:
    calls = RetryPolicy(requests_per_minute=600).guarded_calls()  # one request every 0.1 s
    started = time.monotonic()
    for _ in range(3):
        calls.call("e", "label", "label", lambda: None)
    assert time.monotonic() - started >= 0.2 * 0.99
