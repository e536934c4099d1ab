"""Prometheus metrics."""

from __future__ import annotations

import time
from collections.abc import Callable

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sectorlights.api.deps import ContainerDep
from sectorlights.metrics import Metrics

router = APIRouter(tags=["health"])


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}, "description": "Metrics"}},
)
async def get_metrics(container: ContainerDep) -> Response:
    """Request latency, analysis runs and durations, grid cache reads and vendor rows, for Prometheus."""
    return Response(container.metrics.exposition(), media_type=CONTENT_TYPE_LATEST)


class TimingMiddleware:
    """Records each HTTP request's latency under its route template (not its raw path, which would
    give every symbol its own series). Plain ASGI: a `BaseHTTPMiddleware` costs more than the
    dashboard's cached grid read itself."""

    def __init__(self, app: ASGIApp, metrics_of: Callable[[Scope], Metrics]) -> None:
        self.app = app
        self.metrics_of = metrics_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status_code = 500

        async def send_status(message: Message) -> None:
            nonlocal status_code
            if message["type"] == "http.response.start":
                status_code = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            # The router writes the matched route into the scope it was given.
            template = getattr(scope.get("route"), "path", None) or "unmatched"
            self.metrics_of(scope).http_request_duration.labels(
                template, scope["method"], str(status_code)
            ).observe(time.perf_counter() - started)
