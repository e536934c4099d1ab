"""Prometheus metrics."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST

from sectorlights.api.deps import ContainerDep
from sectorlights.metrics import Metrics

router = APIRouter(tags=["health"])


@router.get("/metrics", response_class=Response)
async def metrics(container: ContainerDep) -> Response:
    """Request latency, analysis runs and durations, grid cache reads and vendor rows, for Prometheus."""
    return Response(container.analysis.metrics.exposition(), media_type=CONTENT_TYPE_LATEST)


def timing_middleware(
    metrics_of: Callable[[Request], Metrics],
) -> Callable[[Request, Callable[[Request], Awaitable[Response]]], Awaitable[Response]]:
    """HTTP middleware recording each request's latency under its route template (not its raw path,
    which would give every symbol its own series)."""

    async def record(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        template = getattr(route, "path", None) or "unmatched"
        metrics_of(request).http_request_duration.labels(
            template, request.method, str(response.status_code)
        ).observe(time.perf_counter() - started)
        return response

    return record
