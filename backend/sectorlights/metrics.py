"""Prometheus metrics of one running SectorLights: HTTP latency, analysis runs, cache hits, vendor
rows, and live-update delivery.

Each app owns its registry (two apps in one process, as in tests, never collide); `/metrics` serves
it in the Prometheus text format.
"""

from __future__ import annotations

from collections.abc import Callable

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

# Most API answers come from the cache within milliseconds; the slow tail is what matters.
HTTP_BUCKETS_SECS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
# A live event should reach every browser within tens of milliseconds.
WS_DELIVERY_BUCKETS_SECS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)
RUN_BUCKETS_SECS = (0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0)


class Metrics:
    """The counters and histograms, registered in a registry of their own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
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

    def count_ws_clients(self, count: Callable[[], int]) -> None:
        """Reads the connected-client gauge from `count` at every scrape."""
        self.ws_clients.set_function(lambda: float(count()))

    def exposition(self) -> bytes:
        """The registry in the Prometheus text format."""
        return generate_latest(self.registry)
