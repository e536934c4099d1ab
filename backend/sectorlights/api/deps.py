"""Annotated dependencies shared by the routers."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request

from sectorlights.api.auth import UserRateLimiter, current_user
from sectorlights.engine.container import Container
from sectorlights.engine.service import AnalysisService
from sectorlights.storage.repository import Repository


async def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


async def get_analysis(request: Request) -> AnalysisService:
    analysis: AnalysisService = request.app.state.container.analysis
    return analysis


async def get_repository(request: Request) -> Repository:
    repository: Repository = request.app.state.container.repository
    return repository


# Async on purpose: FastAPI runs a plain `def` dependency in its thread pool, a thread hop per request.
ContainerDep = Annotated[Container, Depends(get_container)]
AnalysisDep = Annotated[AnalysisService, Depends(get_analysis)]
RepositoryDep = Annotated[Repository, Depends(get_repository)]
UserDep = Annotated[str, Depends(current_user)]


async def get_rate_limiter(request: Request) -> UserRateLimiter:
    limiter: UserRateLimiter = request.app.state.user_limiter
    return limiter


RateLimitDep = Annotated[UserRateLimiter, Depends(get_rate_limiter)]


NO_GRID_YET = "No analysis yet: the first run is in progress."


async def require_grid(analysis: AnalysisService) -> dict[str, Any]:
    """The latest grid, or a 503 while the first run is still in progress."""
    grid = await analysis.latest_grid()
    if grid is None:
        raise HTTPException(status_code=503, detail=NO_GRID_YET)
    return grid
