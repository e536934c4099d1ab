"""Health of the service and of each part it depends on: 503 with the same body when it is down."""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi import APIRouter, Response
from pydantic import BaseModel

from sectorlights.api.deps import ContainerDep
from sectorlights.domain.responses import CacheStatus, DatabaseStatus, Health, MarketDataStatus

router = APIRouter(tags=["health"])


Status = TypeVar("Status", Health, DatabaseStatus, CacheStatus, MarketDataStatus)


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
