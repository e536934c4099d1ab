"""How vendor calls survive faults: a request budget, a circuit breaker per endpoint, and retries.

Generic (no vendor, no HTTP library): the REST and MCP transports both describe one failed attempt
as a `VendorError` (HTTP status, or None for timeouts and dropped connections, plus the vendor's
message) and let these parts decide what happens next:

- `RateLimiter` spaces requests to a configured budget (a token bucket; None means unlimited) within
  one process; `RequestBudget` is its interface, which `providers.shared_budget` also implements on
  Redis so replicas share one budget;
- `call_with_retries` retries 429 (honouring Retry-After), 5xx, timeouts and connection errors with
  exponential backoff and jitter, never other 4xx, and ends with one `VendorError` that names the
  endpoint, the HTTP status and the vendor's message;
- `CircuitBreaker` stops calling an endpoint that keeps failing and lets one trial call through
  after a cool-down;
- `GuardedCalls` puts the three together the way every vendor client uses them (breaker ->
  retries -> limiter -> the request) and counts the requests sent per endpoint; a `CallObserver`
  (the container connects the metrics) learns each request's outcome and latency and can read the
  circuits' states;
- `RetryPolicy` is the one set of numbers behind them (budget, breaker thresholds, retries): a
  provider factory builds it from the settings and hands its `guarded_calls()` to the client.

Messages never contain credentials: transports pass the vendor's message through `redact` first.
"""

from __future__ import annotations

import email.utils
import logging
import math
import random
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import KW_ONLY, dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Protocol, TypeVar

from sectorlights.core.state_log import StateLog
from sectorlights.providers.base import ProviderError
from sectorlights.settings import ProviderSettings

logger = logging.getLogger(__name__)

T = TypeVar("T")

RETRYABLE_STATUSES = frozenset({408, 429})
MAX_MESSAGE_CHARS = 300


class VendorError(ProviderError):
    """A vendor call failed: `status` is the HTTP status (None for timeouts and connection errors)."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        vendor_message: str = "",
        retry_after_secs: float | None = None,
        retryable: bool | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.vendor_message = vendor_message
        self.retry_after_secs = retry_after_secs
        self.retryable = is_retryable_status(status) if retryable is None else retryable


class CircuitOpenError(ProviderError):
    """The breaker refused the call without contacting the vendor."""


def is_retryable_status(status: int | None) -> bool:
    """429, 408, 5xx and no status at all (timeouts, dropped connections) are worth another try."""
    return status is None or status in RETRYABLE_STATUSES or status >= 500


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every non-empty secret replaced, shortened to a readable length."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "<redacted>")
    text = " ".join(text.split())
    if len(text) > MAX_MESSAGE_CHARS:
        text = text[: MAX_MESSAGE_CHARS - 1] + "…"
    return text


def parse_retry_after(value: str | None, now: Callable[[], datetime] | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date); None if absent or bad."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            moment = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        current = now() if now is not None else datetime.now(UTC)
        seconds = (moment - current).total_seconds()
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


class RequestBudget(Protocol):
    """Where a request waits for its turn: `acquire()` returns once one more request fits the budget."""

    requests_per_minute: float | None

    def acquire(self) -> float:
        """Take one request of the budget, waiting if needed; returns the seconds waited."""
        ...


# Builds the budget a client's requests share: (vendor account name, requests per minute or None).
BudgetFactory = Callable[[str, float | None], RequestBudget]


def local_budget(_name: str, requests_per_minute: float | None) -> RequestBudget:
    """A budget of this process alone (the default; no two clients share it)."""
    return RateLimiter(requests_per_minute)


class RateLimiter:
    """A token bucket: at most `requests_per_minute` on average, bursts of at most `burst` requests.

    `acquire()` blocks (through `sleep`) until a request may go out. The default burst of one spaces
    requests evenly, so no sliding one-minute window ever holds more than the budget.
    """

    def __init__(
        self,
        requests_per_minute: float | None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        burst: float = 1.0,
    ) -> None:
        if requests_per_minute is not None and requests_per_minute <= 0:
            raise ValueError("requests_per_minute must be positive (or None for no limit)")
        if burst < 1:
            raise ValueError("burst must be at least one request")
        self.requests_per_minute = requests_per_minute
        self._clock = clock
        self._sleep = sleep
        self._capacity = burst
        self._tokens = burst
        self._updated = clock()
        self._lock = threading.Lock()
        self.waited_secs = 0.0  # total time spent waiting, for diagnostics

    def acquire(self) -> float:
        """Take one token, waiting if needed; returns the seconds waited."""
        if self.requests_per_minute is None:
            return 0.0
        rate = self.requests_per_minute / 60.0
        with self._lock:
            now = self._clock()
            self._tokens = min(self._capacity, self._tokens + (now - self._updated) * rate)
            self._updated = now
            self._tokens -= 1.0  # reserve now; a negative balance is the queue ahead of us
            wait = 0.0 if self._tokens >= 0 else -self._tokens / rate
            self.waited_secs += wait
        if wait > 0:
            self._sleep(wait)
        return wait


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass(slots=True)
class _Circuit:
    state: BreakerState = BreakerState.CLOSED
    failures: int = 0
    opened_at: float = 0.0
    last_error: str = ""
    trial_in_flight: bool = False
    # The latest call's error when it failed in a way the breaker does not count (an HTTP 401, 403
    # or 400: the vendor answered, but the call did not work); None after a success.
    refused: str | None = None
    # Opening is logged once; the re-openings after each failed trial call only at debug.
    log: StateLog = field(default_factory=lambda: StateLog(logger))


@dataclass(frozen=True, slots=True)
class CircuitReport:
    """One endpoint's circuit as health reports it: no vendor call is made to learn it."""

    endpoint: str
    state: BreakerState
    failures: int  # failures in a row
    last_error: str
    # The latest call's error when the vendor refused it (not counted by the breaker), else None.
    refused: str | None = None


class CircuitBreaker:
    """One circuit per endpoint: `failure_threshold` failures in a row open it; after
    `reset_after_secs` one trial call is let through (half-open); its success closes the circuit,
    its failure opens it again. Only vendor trouble counts as a failure (see `counts_as_failure`):
    a 404 or a bad request says nothing about the vendor's health.
    """

    def __init__(
        self,
        failure_threshold: int = 5,
        reset_after_secs: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failure_threshold < 1:
            raise ValueError("failure_threshold must be at least 1")
        self.failure_threshold = failure_threshold
        self.reset_after_secs = reset_after_secs
        self._clock = clock
        self._circuits: dict[str, _Circuit] = {}
        self._lock = threading.Lock()

    def state(self, endpoint: str) -> BreakerState:
        with self._lock:
            circuit = self._circuits.get(endpoint)
            if circuit is None:
                return BreakerState.CLOSED
            if circuit.state is BreakerState.OPEN and self._cooled_down(circuit):
                return BreakerState.HALF_OPEN
            return circuit.state

    def report(self) -> list[CircuitReport]:
        """Every endpoint called so far, by name, with its state (half-open once cooled down)."""
        with self._lock:
            return [
                CircuitReport(
                    endpoint,
                    BreakerState.HALF_OPEN
                    if circuit.state is BreakerState.OPEN and self._cooled_down(circuit)
                    else circuit.state,
                    circuit.failures,
                    circuit.last_error,
                    circuit.refused,
                )
                for endpoint, circuit in sorted(self._circuits.items())
            ]

    def call(self, endpoint: str, fn: Callable[[], T]) -> T:
        """Run `fn` unless the circuit of `endpoint` is open (then CircuitOpenError, without calling)."""
        self.before_call(endpoint)
        try:
            result = fn()
        except Exception as error:
            if counts_as_failure(error):
                self.record_failure(endpoint, error)
            else:
                self.record_success(endpoint)  # the vendor answered, even if it said no
                if refuses_every_call(error):
                    self._record_refusal(endpoint, error)
            raise
        except BaseException:
            self._release_trial(endpoint)
            raise
        self.record_success(endpoint)
        return result

    def before_call(self, endpoint: str) -> None:
        with self._lock:
            circuit = self._circuits.setdefault(endpoint, _Circuit())
            if circuit.state is BreakerState.CLOSED:
                return
            if circuit.state is BreakerState.OPEN and self._cooled_down(circuit):
                circuit.state = BreakerState.HALF_OPEN
                circuit.trial_in_flight = False
            if circuit.state is BreakerState.HALF_OPEN and not circuit.trial_in_flight:
                circuit.trial_in_flight = True
                return
            remaining = max(0.0, circuit.opened_at + self.reset_after_secs - self._clock())
            raise CircuitOpenError(
                f"circuit open for {endpoint}: last error {circuit.last_error} "
                f"(next attempt in {remaining:.0f} s)"
            )

    def record_success(self, endpoint: str) -> None:
        with self._lock:
            circuit = self._circuits.setdefault(endpoint, _Circuit())
            if circuit.state is not BreakerState.CLOSED:
                circuit.log.recovered("circuit closed for %s", endpoint)
            circuit.state = BreakerState.CLOSED
            circuit.failures = 0
            circuit.trial_in_flight = False
            circuit.refused = None

    def record_failure(self, endpoint: str, error: Exception) -> None:
        with self._lock:
            circuit = self._circuits.setdefault(endpoint, _Circuit())
            circuit.failures += 1
            circuit.last_error = str(error)
            circuit.trial_in_flight = False
            if circuit.state is BreakerState.HALF_OPEN or circuit.failures >= self.failure_threshold:
                circuit.log.failed(
                    "circuit open for %s after %d failures: %s",
                    endpoint,
                    circuit.failures,
                    circuit.last_error,
                )
                circuit.state = BreakerState.OPEN
                circuit.opened_at = self._clock()

    def _record_refusal(self, endpoint: str, error: Exception) -> None:
        with self._lock:
            self._circuits.setdefault(endpoint, _Circuit()).refused = str(error)

    def _release_trial(self, endpoint: str) -> None:
        with self._lock:
            circuit = self._circuits.get(endpoint)
            if circuit is not None:
                circuit.trial_in_flight = False

    def _cooled_down(self, circuit: _Circuit) -> bool:
        return self._clock() - circuit.opened_at >= self.reset_after_secs


def counts_as_failure(error: Exception) -> bool:
    """Whether `error` says the vendor is unhealthy (as opposed to our request being wrong)."""
    if isinstance(error, CircuitOpenError):
        return False
    if isinstance(error, VendorError):
        return error.retryable
    return isinstance(error, TimeoutError | ConnectionError)


def refuses_every_call(error: Exception) -> bool:
    """Whether the vendor answered `error` in a way that the same call would get again (a key it
    refuses, a request it cannot serve): not a fault to back off from, but not a working vendor
    either. A 404 is only about the thing asked for (a delisted ticker)."""
    return (
        isinstance(error, VendorError)
        and error.status is not None
        and 400 <= error.status < 500
        and (error.status != 404 and not error.retryable)
    )


def describe_failure(error: VendorError) -> str:
    """`HTTP 503: <vendor message>`, or the message alone when there was no HTTP status."""
    detail = error.vendor_message or str(error)
    return f"HTTP {error.status}: {detail}" if error.status is not None else detail


def call_with_retries(
    fn: Callable[[], T],
    endpoint: str,
    *,
    attempts: int = 4,
    base_delay_secs: float = 0.5,
    max_delay_secs: float = 8.0,
    max_retry_after_secs: float = 60.0,
    sleep: Callable[[float], None] = time.sleep,
    jitter: Callable[[], float] = random.random,
) -> T:
    """Call `fn` until it succeeds, retrying transient failures; the last failure as a VendorError.

    Retried: VendorError with a retryable status (429, 408, 5xx, None) and TimeoutError /
    ConnectionError. The wait doubles from `base_delay_secs` up to `max_delay_secs`, scaled by a
    random factor in [0.5, 1); a Retry-After from the vendor replaces it (capped at
    `max_retry_after_secs`). Anything else propagates at once.
    """
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    for attempt in range(1, attempts + 1):
        try:
            return fn()
        except VendorError as error:
            failure = error
        except (TimeoutError, ConnectionError) as error:
            kind = "timed out" if isinstance(error, TimeoutError) else "connection failed"
            failure = VendorError(f"{kind}: {error}" if str(error) else kind, status=None)
        if not failure.retryable or attempt == attempts:
            # A failure that could not be retried ends the call at once; a retryable one only once
            # the attempts ran out, and then says so (and stays retryable for a later call).
            gave_up = f" (gave up after {attempts} attempts)" if failure.retryable else ""
            raise VendorError(
                f"{endpoint}: {describe_failure(failure)}{gave_up}",
                status=failure.status,
                vendor_message=failure.vendor_message,
                retryable=failure.retryable,
            ) from failure
        if failure.retry_after_secs is not None:
            delay = min(failure.retry_after_secs, max_retry_after_secs)
        else:
            delay = min(max_delay_secs, base_delay_secs * 2 ** (attempt - 1)) * (0.5 + 0.5 * jitter())
        logger.info(
            "%s: %s; retry %d of %d in %.2f s",
            endpoint,
            describe_failure(failure),
            attempt,
            attempts - 1,
            delay,
        )
        sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover


class RequestOutcome(StrEnum):
    """How one request sent to a vendor ended."""

    OK = "ok"
    RETRIED = "retried"  # failed, and another attempt followed
    ERROR = "error"  # failed, and the call failed with it (not retryable, or the attempts ran out)


class CallObserver(Protocol):
    """Who learns what the vendor calls do (the container connects the metrics): providers report
    to it without knowing what it is. Called from the clients' worker threads."""

    def request_finished(
        self, vendor: str, endpoint: str, outcome: RequestOutcome, duration_secs: float
    ) -> None:
        """One request was sent to `vendor`'s `endpoint` and ended after `duration_secs`."""
        ...

    def call_refused(self, vendor: str, endpoint: str) -> None:
        """The open circuit refused a call: nothing was sent."""
        ...

    def watch_circuits(self, vendor: str, states: Callable[[], list[tuple[str, str]]]) -> None:
        """`states()` is every circuit of one client as (endpoint, BreakerState value), read when
        wanted (a scrape) so a cooled-down circuit shows as half-open without a call."""
        ...


@dataclass(eq=False)
class GuardedCalls:
    """The one call policy of the vendor clients, with a count of the requests actually sent.

    Each `call` goes: circuit breaker (per `label`) -> `call_with_retries` (failures described by
    `description`) -> rate limiter -> one count for `endpoint` -> `send()`. Every attempt is counted,
    retries included; a call the open breaker refuses is not. With an `observer`, each request's
    outcome and latency (and each refusal) is reported under `vendor` and `endpoint`.
    """

    limiter: RequestBudget
    breaker: CircuitBreaker
    _: KW_ONLY
    attempts: int = 4
    base_delay_secs: float = 0.5
    max_delay_secs: float = 8.0
    sleep: Callable[[float], None] = time.sleep
    jitter: Callable[[], float] = random.random
    vendor: str = ""
    observer: CallObserver | None = None
    _counts: dict[str, int] = field(default_factory=dict, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    # The breaker knows circuits by label ("polygon snapshot"); the observer by endpoint ("snapshot").
    _endpoints: dict[str, str] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.observer is not None:
            self.observer.watch_circuits(self.vendor, self._circuit_states)

    def _circuit_states(self) -> list[tuple[str, str]]:
        with self._lock:
            endpoints = dict(self._endpoints)
        return [
            (endpoints.get(report.endpoint, report.endpoint), report.state.value)
            for report in self.breaker.report()
        ]

    @property
    def request_count(self) -> int:
        """Requests sent so far (every retry included), all endpoints."""
        with self._lock:
            return sum(self._counts.values())

    @property
    def request_counts(self) -> dict[str, int]:
        """Requests sent so far, per endpoint (a copy)."""
        with self._lock:
            return dict(self._counts)

    def call(self, endpoint: str, label: str, description: str, send: Callable[[], T]) -> T:
        """`send()` through breaker, retries and limiter; its result, or the last failure."""
        observer = self.observer
        if observer is not None:
            with self._lock:
                self._endpoints[label] = endpoint
        # A failed request is "retried" once another attempt follows it, else the call's "error".
        unsettled: list[float] = []
        sent = False

        def attempt() -> T:
            nonlocal sent
            self.limiter.acquire()
            with self._lock:
                self._counts[endpoint] = self._counts.get(endpoint, 0) + 1
            if observer is None:
                return send()
            sent = True
            if unsettled:
                observer.request_finished(self.vendor, endpoint, RequestOutcome.RETRIED, unsettled.pop())
            started = time.perf_counter()
            try:
                result = send()
            except BaseException:
                unsettled.append(time.perf_counter() - started)
                raise
            observer.request_finished(self.vendor, endpoint, RequestOutcome.OK, time.perf_counter() - started)
            return result

        def with_retries() -> T:
            return call_with_retries(
                attempt,
                description,
                attempts=self.attempts,
                base_delay_secs=self.base_delay_secs,
                max_delay_secs=self.max_delay_secs,
                sleep=self.sleep,
                jitter=self.jitter,
            )

        if observer is None:
            return self.breaker.call(label, with_retries)
        try:
            return self.breaker.call(label, with_retries)
        except CircuitOpenError:
            if not sent:
                observer.call_refused(self.vendor, endpoint)
            raise
        finally:
            if unsettled:
                observer.request_finished(self.vendor, endpoint, RequestOutcome.ERROR, unsettled.pop())


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How a vendor client's calls survive faults: its request budget, when its breaker opens and how
    often a failed call is tried again. The defaults are the ones every client has always used."""

    requests_per_minute: float | None = None  # None: no budget
    failure_threshold: int = 5
    reset_after_secs: float = 30.0
    attempts: int = 4
    base_delay_secs: float = 0.5
    max_delay_secs: float = 8.0

    @classmethod
    def from_settings(cls, settings: ProviderSettings) -> RetryPolicy:
        """The Polygon/Massive policy: the configured budget (SECTORLIGHTS_POLYGON_RATE_PER_MIN)."""
        return cls(requests_per_minute=settings.polygon_requests_per_minute)

    def guarded_calls(
        self,
        sleep: Callable[[float], None] = time.sleep,
        budget: RequestBudget | None = None,
        *,
        vendor: str = "",
        observer: CallObserver | None = None,
    ) -> GuardedCalls:
        """A breaker and retry loop for one client, on `budget` (made for the policy's rate by
        `BudgetFactory`, so replicas can share it) or else a limiter of the client's own; its
        requests are reported to `observer` (if any) as `vendor`'s."""
        return GuardedCalls(
            budget if budget is not None else RateLimiter(self.requests_per_minute, sleep=sleep),
            CircuitBreaker(self.failure_threshold, self.reset_after_secs),
            attempts=self.attempts,
            base_delay_secs=self.base_delay_secs,
            max_delay_secs=self.max_delay_secs,
            sleep=sleep,
            vendor=vendor,
            observer=observer,
        )


class MeteredCalls:
    """Request counters of a client whose calls go through `self._calls` (a GuardedCalls)."""

    _calls: GuardedCalls

    @property
    def request_count(self) -> int:
        """Requests sent so far (every page and every retry), all endpoints."""
        return self._calls.request_count

    @property
    def request_counts(self) -> dict[str, int]:
        """Requests sent so far, per endpoint."""
        return self._calls.request_counts

    @property
    def circuits(self) -> list[CircuitReport]:
        """The breaker's circuit of every endpoint called so far."""
        return self._calls.breaker.report()
