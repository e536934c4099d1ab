"""The FastAPI application: API routers, health, and the built dashboard at `/`."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.types import Scope

from sectorlights.api.auth import current_user
from sectorlights.api.errors import install_error_handlers
from sectorlights.api.openapi import install_openapi, operation_id
from sectorlights.api.routes import (
    analysis,
    health,
    live,
    metrics,
    preferences,
    replays,
    runs,
    sectors,
    stocks,
    universe,
)
from sectorlights.api.routes.metrics import TimingMiddleware
from sectorlights.engine.container import Container, build_container
from sectorlights.metrics import Metrics
from sectorlights.settings import Settings

logger = logging.getLogger(__name__)

_NOT_BUILT = """<!doctype html><title>SectorLights</title>
<p>The dashboard has not been built. Run <code>make run</code> (or <code>make build</code>).</p>
<p>The API is up: <a href="/api/sectors">/api/sectors</a>, <a href="/health">/health</a>.</p>"""


def _metrics_of(scope: Scope) -> Metrics:
    metrics: Metrics = scope["app"].state.container.metrics
    return metrics


def create_app(settings: Settings, container: Container | None = None) -> FastAPI:
    """Build the app; the container is built at start-up unless one is given (tests)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        active = container if container is not None else build_container(settings)
        app.state.container = active
        await active.start()
        try:
            yield
        finally:
            await active.close()

    app = FastAPI(
        title="SectorLights",
        summary="Small-cap traffic-light sector dashboard",
        version="0.1.0",
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
    )
    install_error_handlers(app)
    install_openapi(app)
    app.state.settings = settings
    app.add_middleware(TimingMiddleware, metrics_of=_metrics_of)
    app.include_router(health.router)
    app.include_router(metrics.router)
    app.include_router(live.router)
    # Every /api route knows its caller; with SECTORLIGHTS_AUTH=required that needs a token.
    for router in (
        sectors.router,
        stocks.router,
        universe.router,
        analysis.router,
        preferences.router,
        runs.router,
        replays.router,
    ):
        app.include_router(router, dependencies=[Depends(current_user)])

    static_dir = settings.server.effective_static_dir
    if (static_dir / "index.html").is_file():
        app.mount("/", StaticFiles(directory=static_dir, html=True), name="dashboard")
    else:
        logger.warning("front end not built (%s missing): serving the API only", static_dir / "index.html")

        @app.get("/", include_in_schema=False)
        async def _placeholder() -> HTMLResponse:
            return HTMLResponse(_NOT_BUILT)

    return app
