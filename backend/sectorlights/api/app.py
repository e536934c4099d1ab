"""The FastAPI application: API routers, health, and the built dashboard at `/`."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from html import escape
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.routing import Route
from starlette.types import Scope

from sectorlights import __version__
from sectorlights.api.auth import current_user
from sectorlights.api.docs import docs_router
from sectorlights.api.errors import install_error_handlers
from sectorlights.api.frames import FrameWriterMiddleware
from sectorlights.api.mcp.http import PATH as MCP_PATH
from sectorlights.api.mcp.http import McpEndpoint
from sectorlights.api.openapi import install_openapi, operation_id
from sectorlights.api.probes import ProbeMiddleware
from sectorlights.api.routes import (
    analysis,
    colour_history,
    health,
    heatmap,
    live,
    metrics,
    preferences,
    replays,
    rotation,
    runs,
    scanner,
    sectors,
    session,
    stocks,
    universe,
)
from sectorlights.api.routes.metrics import TimingMiddleware
from sectorlights.api.security import PerimeterMiddleware
from sectorlights.engine.container import Container, build_container
from sectorlights.metrics import Metrics
from sectorlights.settings import Settings

logger = logging.getLogger(__name__)

_NOT_BUILT_PAGE = """<!doctype html><title>SectorLights: dashboard not built</title>
<h1>The dashboard is not built</h1>
<p>{reason}</p>
<p>The API is up: <a href="/api/sectors">/api/sectors</a>, <a href="/health">/health</a>.</p>"""


def _not_built_reason(static_dir: Path, explicit: bool) -> str:
    """Why there is no dashboard to serve, and what to do about it."""
    index = static_dir / "index.html"
    if explicit:
        return f"SECTORLIGHTS_STATIC_DIR is {static_dir}, which has no index.html (no built front end)."
    return (
        f"This installation has no dashboard ({index} is missing): the package was built without "
        "the front end. In a checkout run `make run`, or `make build` before `pip install ./backend`; "
        "or set SECTORLIGHTS_STATIC_DIR to a built frontend/dist."
    )


def _metrics_of(scope: Scope) -> Metrics:
    metrics: Metrics = scope["app"].state.container.metrics
    return metrics


def create_app(settings: Settings, container: Container | None = None) -> FastAPI:
    """Build the app; the container is built at start-up unless one is given (tests)."""
    mcp = McpEndpoint()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        active = container if container is not None else build_container(settings)
        app.state.container = active
        await active.start()
        try:
            async with mcp.serving(active):
                yield
        finally:
            await active.close()

    app = FastAPI(
        title="SectorLights",
        summary="Small-cap traffic-light sector dashboard",
        version=__version__,
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
        # Served by docs_router: behind the same authentication as /api, assets from this app.
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    install_error_handlers(app)
    install_openapi(app)
    app.state.settings = settings
    app.add_middleware(TimingMiddleware, metrics_of=_metrics_of)
    app.add_middleware(PerimeterMiddleware, server=settings.server)
    # Outermost two: the frame writer needs the server's own send, not a wrapper of it (the probes
    # pass it through untouched), and the probes skip everything else.
    app.add_middleware(FrameWriterMiddleware)
    app.add_middleware(ProbeMiddleware, version=__version__, detailed=settings.server.auth != "required")
    app.include_router(health.router)
    app.include_router(metrics.router, dependencies=[Depends(current_user)])
    app.include_router(live.router)
    static_dir = settings.server.effective_static_dir
    app.include_router(docs_router(static_dir))
    # Open: it tells the dashboard whether it needs a token (the ticket route asks for one itself).
    app.include_router(session.router)
    # Every /api route knows its caller; with SECTORLIGHTS_AUTH=required that needs a token.
    for router in (
        sectors.router,
        stocks.router,
        universe.router,
        analysis.router,
        preferences.router,
        runs.router,
        replays.router,
        colour_history.router,
        scanner.router,
        heatmap.router,
        rotation.router,
    ):
        app.include_router(router, dependencies=[Depends(current_user)])
    # MCP over streamable HTTP, with the same token as /api (docs/mcp.md).
    app.router.routes.append(Route(MCP_PATH, mcp, include_in_schema=False))

    if (static_dir / "index.html").is_file():
        app.mount("/", StaticFiles(directory=static_dir, html=True), name="dashboard")
    else:
        reason = _not_built_reason(static_dir, explicit=settings.server.static_dir is not None)
        logger.warning("dashboard not built, serving the API only: %s", reason)
        page = _NOT_BUILT_PAGE.format(reason=escape(reason))

        # 503 rather than a page that looks served, so a probe or a browser shows what is missing.
        @app.get("/", include_in_schema=False)
        async def _placeholder() -> HTMLResponse:
            return HTMLResponse(page, status_code=503)

    return app
