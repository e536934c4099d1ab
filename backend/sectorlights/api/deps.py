"""Annotated dependencies shared by the routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, WebSocket

from sectorlights.api.auth import CallerRateLimiter, current_user, rate_subject
from sectorlights.engine.container import Analysis, Container
from sectorlights.engine.queries import MarketQueries
from sectorlights.live.hub import LiveHub


async def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


async def get_analysis(request: Request) -> Analysis:
    analysis: Analysis = request.app.state.container.analysis
    return analysis


async def get_queries(request: Request) -> MarketQueries:
    queries: MarketQueries = request.app.state.container.queries
    return queries


async def get_hub(websocket: WebSocket) -> LiveHub:
    hub: LiveHub = websocket.app.state.container.hub
    return hub


# Async on purpose: FastAPI runs a plain `def` dependency in its thread pool, a thread hop per request.
ContainerDep = Annotated[Container, Depends(get_container)]
AnalysisDep = Annotated[Analysis, Depends(get_analysis)]
QueriesDep = Annotated[MarketQueries, Depends(get_queries)]
UserDep = Annotated[str, Depends(current_user)]
HubDep = Annotated[LiveHub, Depends(get_hub)]


async def get_rate_limiter(request: Request, user: UserDep) -> CallerRateLimiter:
    container: Container = request.app.state.container
    return CallerRateLimiter(container.action_limits, rate_subject(request, user))


RateLimitDep = Annotated[CallerRateLimiter, Depends(get_rate_limiter)]
