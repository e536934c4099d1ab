"""Prometheus metrics of one running SectorLights: HTTP latency, analysis runs (and when the last
one succeeded), cache hits, vendor requests, circuits and rows, and live-update delivery.

Each app owns its registry (two apps in one process, as in tests, never collide); `/metrics` serves
it in the Prometheus text format.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

from prometheus_client import (
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

# Most API answers come from the cache within milliseconds; the slow tail is what matters.
HTTP_BUCKETS_SECS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
# A live event should reach every browser within tens of milliseconds.
WS_DELIVERY_BUCKETS_SECS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)
RUN_BUCKETS_SECS = (0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0)
# A vendor page takes tens to hundreds of milliseconds; timeouts sit at the top.
VENDOR_BUCKETS_SECS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# The circuit-breaker state as a number (the providers' BreakerState values).
CIRCUIT_STATE_VALUES = {"closed": 0.0, "half_open": 1.0, "open": 2.0}

CircuitStates = Callable[[], list[tuple[str, str]]]


class _CircuitCollector(Collector):
    """`sectorlights_vendor_circuit_state`, read from each client's breaker at scrape time (a
    cooled-down circuit shows as half-open without a call). Two clients of one vendor (the live
    runs' and the replays' FMP) report an endpoint once, at its worst state."""

    def __init__(self) -> None:
        self._watched: list[tuple[str, CircuitStates]] = []
        self._lock = threading.Lock()

    def watch(self, vendor: str, states: CircuitStates) -> None:
        with self._lock:
            self._watched.append((vendor, states))

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "sectorlights_vendor_circuit_state",
            "Circuit breaker of each vendor endpoint called so far: 0 closed, 1 half-open, 2 open",
            labels=["vendor", "endpoint"],
        )
        with self._lock:
            watched = list(self._watched)
        worst: dict[tuple[str, str], float] = {}
        for vendor, states in watched:
            for endpoint, state in states():
                value = CIRCUIT_STATE_VALUES.get(state, CIRCUIT_STATE_VALUES["open"])
                worst[vendor, endpoint] = max(value, worst.get((vendor, endpoint), 0.0))
        for (vendor, endpoint), value in sorted(worst.items()):
            family.add_metric([vendor, endpoint], value)
        yield family


class Metrics:
    """The counters and histograms, registered in a registry of their own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self._run_lock = threading.Lock()
        self._last_success_secs = 0.0
        # The process-wide collectors describe the whole process, so every app's registry may share
        # them: memory, CPU, open files, GC pauses and the Python version an operator expects.
        for collector in (PROCESS_COLLECTOR, GC_COLLECTOR, PLATFORM_COLLECTOR):
            self.registry.register(collector)
        self.http_request_duration = Histogram(
            "sectorlights_http_request_duration_seconds",
            "HTTP request latency by route template, method and status code",
            ["route", "method", "status"],
            buckets=HTTP_BUCKETS_SECS,
            registry=self.registry,
        )
        self.analysis_runs = Counter(
            "sectorlights_analysis_runs",
            "Finished analysis runs by trigger and status",
            ["trigger", "status"],
            registry=self.registry,
        )
        self.analysis_run_duration = Histogram(
            "sectorlights_analysis_run_duration_seconds",
            "Wall time of finished analysis runs by status",
            ["status"],
            buckets=RUN_BUCKETS_SECS,
            registry=self.registry,
        )
        self.grid_cache_reads = Counter(
            "sectorlights_grid_cache_reads",
            "Grid reads by outcome: hit (cache), miss (rebuilt from the database) or error (cache down)",
            ["outcome"],
            registry=self.registry,
        )
        self.vendor_rejected_rows = Counter(
            "sectorlights_vendor_rejected_rows",
            "Vendor rows left out of a run, by endpoint",
            ["endpoint"],
            registry=self.registry,
        )

        self.last_successful_run = Gauge(
            "sectorlights_last_successful_run_timestamp_seconds",
            "When the latest successful analysis run finished (unix time); 0 before the first",
            registry=self.registry,
        )
        self.vendor_requests = Counter(
            "sectorlights_vendor_requests",
            "Requests sent to vendors by vendor, endpoint and outcome: ok, retried (failed, tried "
            "again) or error (failed, and the call with it)",
            ["vendor", "endpoint", "outcome"],
            registry=self.registry,
        )
        self.vendor_request_duration = Histogram(
            "sectorlights_vendor_request_duration_seconds",
            "Latency of requests sent to vendors (every outcome) by vendor and endpoint",
            ["vendor", "endpoint"],
            buckets=VENDOR_BUCKETS_SECS,
            registry=self.registry,
        )
        self.vendor_calls_refused = Counter(
            "sectorlights_vendor_calls_refused",
            "Vendor calls an open circuit refused without sending a request, by vendor and endpoint",
            ["vendor", "endpoint"],
            registry=self.registry,
        )
        self._circuits = _CircuitCollector()
        self.registry.register(self._circuits)

        self.ws_delivery = Histogram(
            "sectorlights_ws_delivery_seconds",
            "Time from a live event reaching this process to its send to one /ws client (per client)",
            buckets=WS_DELIVERY_BUCKETS_SECS,
            registry=self.registry,
        )
        self.ws_clients = Gauge(
            "sectorlights_ws_clients",
            "/ws clients connected to this process",
            registry=self.registry,
        )
        self.vendor_work = Gauge(
            "sectorlights_vendor_work",
            "Calls on the vendor threads (SECTORLIGHTS_VENDOR_WORKERS): running, or queued for a thread",
            ["state"],
            registry=self.registry,
        )

    def count_vendor_work(self, running: Callable[[], int], queued: Callable[[], int]) -> None:
        """Reads the vendor threads' running and queued calls at every scrape: calls queued for long
        mean SECTORLIGHTS_VENDOR_WORKERS is too few for what the vendor's slowness demands."""
        self.vendor_work.labels("running").set_function(lambda: float(running()))
        self.vendor_work.labels("queued").set_function(lambda: float(queued()))

    def count_ws_clients(self, count: Callable[[], int]) -> None:
        """Reads the connected-client gauge from `count` at every scrape."""
        self.ws_clients.set_function(lambda: float(count()))

    # --- the providers' CallObserver (see providers.resilience): the container hands this object to
    # the vendor clients, which report to it without importing it.

    def request_finished(self, vendor: str, endpoint: str, outcome: str, duration_secs: float) -> None:
        self.vendor_requests.labels(vendor, endpoint, outcome).inc()
        self.vendor_request_duration.labels(vendor, endpoint).observe(duration_secs)

    def call_refused(self, vendor: str, endpoint: str) -> None:
        self.vendor_calls_refused.labels(vendor, endpoint).inc()

    def watch_circuits(self, vendor: str, states: CircuitStates) -> None:
        """Report `states()` (endpoint, breaker state) of one vendor client at every scrape."""
        self._circuits.watch(vendor, states)

    def note_successful_run(self, finished_at_secs: float) -> None:
        """A run succeeded at `finished_at_secs` (unix time); an older one never moves the gauge back."""
        with self._run_lock:
            if finished_at_secs > self._last_success_secs:
                self._last_success_secs = finished_at_secs
                self.last_successful_run.set(finished_at_secs)

    def exposition(self) -> bytes:
        """The registry in the Prometheus text format."""
        return generate_latest(self.registry)
