"""The probes answered before routing: an orchestrator or a proxy may probe every replica many times a
second, and the full FastAPI stack (routing, dependencies, validation) costs several times what the
answers do. `/livez` is a constant; `/readyz` comes from the engine's `ReadinessProbe`, checked at
most once a second. The routes in `routes/health.py` document both and answer the same bodies where
this middleware is not installed."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Receive, Scope, Send

from sectorlights.domain.responses import Liveness
from sectorlights.engine.health import ReadinessProbe

_READINESS_SUMMARIES = {
    state: json.dumps({"status": state}, separators=(",", ":")).encode() for state in ("ready", "not_ready")
}
JSON_HEADERS = [(b"content-type", b"application/json"), (b"cache-control", b"no-store")]


def liveness_body(version: str) -> bytes:
    return Liveness(status="ok", version=version).model_dump_json().encode()


class ProbeMiddleware:
    """Outermost: GET or HEAD of exactly `/livez` or `/readyz` is answered here; anything else passes
    through untouched (the server's own `send` included)."""

    def __init__(self, app: ASGIApp, version: str, detailed: bool = True) -> None:
        self.app = app
        self.liveness = liveness_body(version)
        # With auth required the probes are open to anyone: readiness then says ready or not, and
        # not the hosts, revisions and errors behind it (those are on /health/* with a token).
        self.detailed = detailed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path")
        if (
            scope["type"] != "http"
            or path not in ("/livez", "/readyz")
            or scope["method"] not in ("GET", "HEAD")
        ):
            await self.app(scope, receive, send)
            return
        if path == "/livez":
            status, body = 200, self.liveness
        else:
            probe: ReadinessProbe = scope["app"].state.container.readiness
            ready, body = await probe.current()
            status = 200 if ready.status == "ready" else 503
            if not self.detailed:
                body = _READINESS_SUMMARIES[ready.status]
        headers = [*JSON_HEADERS, (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})
