"""Annotated dependencies shared by the routers."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, WebSocket

from sectorlights.api.auth import UserRateLimiter, current_user
from sectorlights.engine.container import Analysis, Container
from sectorlights.live.hub import LiveHub
from sectorlights.storage.repository import Repository


async def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


async def get_analysis(request: Request) -> Analysis:
    analysis: Analysis = request.app.state.container.analysis
    return analysis


async def get_repository(request: Request) -> Repository:
    repository: Repository = request.app.state.container.repository
    return repository


async def get_hub(websocket: WebSocket) -> LiveHub:
    hub: LiveHub = websocket.app.state.container.hub
    return hub


# Async on purpose: FastAPI runs a plain `def` dependency in its thread pool, a thread hop per request.
ContainerDep = Annotated[Container, Depends(get_container)]
AnalysisDep = Annotated[Analysis, Depends(get_analysis)]
RepositoryDep = Annotated[Repository, Depends(get_repository)]
UserDep = Annotated[str, Depends(current_user)]
HubDep = Annotated[LiveHub, Depends(get_hub)]


async def get_rate_limiter(request: Request) -> UserRateLimiter:
    limiter: UserRateLimiter = request.app.state.user_limiter
    return limiter


RateLimitDep = Annotated[UserRateLimiter, Depends(get_rate_limiter)]


NO_GRID_YET = "No analysis yet: the first run is in progress."


async def require_grid(analysis: Analysis) -> dict[str, Any]:
    """The latest grid, or a 503 while the first run is still in progress."""
    grid = await analysis.grid.latest_grid()
    if grid is None:
        raise HTTPException(status_code=503, detail=NO_GRID_YET)
    return grid
