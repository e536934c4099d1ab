"""Health of the service and of each part it depends on: 503 with the same body when it is down.

With SECTORLIGHTS_AUTH=required a caller without a token gets the status only (`HealthSummary`):
the details name hosts, ports and revisions. With auth off the perimeter serves loopback names only.
"""

from __future__ import annotations

from importlib.metadata import version
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel

from sectorlights.api.auth import optional_user
from sectorlights.api.deps import ContainerDep
from sectorlights.api.errors import ErrorResponse
from sectorlights.domain.responses import (
    CacheStatus,
    DatabaseStatus,
    Health,
    HealthSummary,
    Liveness,
    MarketDataStatus,
    Readiness,
)

router = APIRouter(tags=["health"])


Status = TypeVar("Status", Health, DatabaseStatus, CacheStatus, MarketDataStatus)

# Read once: the liveness probe must not touch the disk.
_VERSION = version("sectorlights")


# None: a caller without a token while auth is required (a token sent must be valid: 401).
CallerDep = Annotated[str | None, Depends(optional_user)]


def _down(model: type[BaseModel]) -> dict[int | str, dict[str, Any]]:
    return {
        401: {"model": ErrorResponse, "description": "An Authorization header with an unknown token"},
        503: {
            "model": model,
            "description": "Down: the same body, with status error (the status only "
            "without a token when auth is required)",
        },
    }


def _answer(response: Response, body: Status, caller: str | None) -> Status | HealthSummary:
    response.status_code = 503 if body.status == "error" else 200
    return body if caller is not None else HealthSummary(status=body.status)


@router.get("/health", responses=_down(Health))
async def get_health(
    container: ContainerDep, response: Response, caller: CallerDep
) -> Health | HealthSummary:
    """Overall health: the database, the cache and the market-data provider."""
    return _answer(response, await container.health.overall(), caller)


@router.get("/health/database", responses=_down(DatabaseStatus))
async def get_database_health(
    container: ContainerDep, response: Response, caller: CallerDep
) -> DatabaseStatus | HealthSummary:
    """Database reachability, migration revision and TimescaleDB use."""
    return _answer(response, await container.health.database(), caller)


@router.get("/health/redis", responses=_down(CacheStatus))
async def get_cache_health(
    container: ContainerDep, response: Response, caller: CallerDep
) -> CacheStatus | HealthSummary:
    """Cache reachability (Redis, or the in-process cache)."""
    return _answer(response, await container.health.cache(), caller)


@router.get("/health/polygon", responses=_down(MarketDataStatus))
async def get_market_data_health(
    container: ContainerDep, response: Response, caller: CallerDep
) -> MarketDataStatus | HealthSummary:
    """Market-data vendor reachability; "not_configured" on the simulated market."""
    return _answer(response, await container.health.market_data(), caller)


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
