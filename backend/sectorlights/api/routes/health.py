"""Health of the service and of each part it depends on: 503 with the same body when it is down."""

from __future__ import annotations

from importlib.metadata import version
from typing import Any, TypeVar

from fastapi import APIRouter, Response
from pydantic import BaseModel

from sectorlights.api.deps import ContainerDep
from sectorlights.domain.responses import (
    CacheStatus,
    DatabaseStatus,
    Health,
    Liveness,
    MarketDataStatus,
    Readiness,
)

router = APIRouter(tags=["health"])


Status = TypeVar("Status", Health, DatabaseStatus, CacheStatus, MarketDataStatus)

# Read once: the liveness probe must not touch the disk.
_VERSION = version("sectorlights")


def _down(model: type[BaseModel]) -> dict[int | str, dict[str, Any]]:
    return {503: {"model": model, "description": "Down: the same body, with status error"}}


def _answer(response: Response, body: Status) -> Status:
    response.status_code = 503 if body.status == "error" else 200
    return body


@router.get("/health", responses=_down(Health))
async def get_health(container: ContainerDep, response: Response) -> Health:
    """Overall health: the database, the cache and the market-data provider."""
    return _answer(response, await container.health.overall())


@router.get("/health/database", responses=_down(DatabaseStatus))
async def get_database_health(container: ContainerDep, response: Response) -> DatabaseStatus:
    """Database reachability, migration revision and TimescaleDB use."""
    return _answer(response, await container.health.database())


@router.get("/health/redis", responses=_down(CacheStatus))
async def get_cache_health(container: ContainerDep, response: Response) -> CacheStatus:
    """Cache reachability (Redis, or the in-process cache)."""
    return _answer(response, await container.health.cache())


@router.get("/health/polygon", responses=_down(MarketDataStatus))
async def get_market_data_health(container: ContainerDep, response: Response) -> MarketDataStatus:
    """Market-data vendor reachability; "not_configured" on the simulated market."""
    return _answer(response, await container.health.market_data())


@router.get("/livez")
async def get_liveness() -> Liveness:
    """Liveness: answers from memory with no I/O, so a slow database or vendor never fails it.
    (Served by `ProbeMiddleware` before routing; this documents it.)"""
    return Liveness(status="ok", version=_VERSION)


@router.get("/readyz", responses={503: {"model": Readiness, "description": "Not ready, with the reason"}})
async def get_readiness(container: ContainerDep, response: Response) -> Readiness:
    """Readiness: the database reachable and migrated to head, and the cache answering, checked at
    most once a second. The market-data vendor is left out on purpose: a vendor outage must not take
    every replica out. (Served by `ProbeMiddleware` before routing; this documents it.)"""
    ready, _body = await container.readiness.current()
    response.status_code = 200 if ready.status == "ready" else 503
    return ready
