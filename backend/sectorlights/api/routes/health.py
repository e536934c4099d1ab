"""Health of the service and of each part it depends on."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from sectorlights.api.deps import ContainerDep
from sectorlights.cache.base import CacheError
from sectorlights.engine.container import Container
from sectorlights.storage.database import database_health

router = APIRouter(tags=["health"])


async def _database(container: Container) -> dict[str, Any]:
    health = await asyncio.to_thread(database_health, container.database)
    return {
        "status": "ok" if health.ok else "error",
        "dialect": health.dialect,
        "timescaledb": health.timescaledb,
        "revision": health.revision,
        "head": health.head,
        "detail": health.detail,
    }


async def _cache(container: Container) -> dict[str, Any]:
    backend = container.cache.backend
    try:
        await container.cache.ping()
    except CacheError as error:
        return {"status": "error", "backend": backend, "detail": str(error)}
    detail = "in-process cache (embedded default)" if backend == "memory" else "ok"
    return {"status": "ok", "backend": backend, "detail": detail}


async def _polygon(container: Container) -> dict[str, Any]:
    provider = container.provider
    health = await asyncio.to_thread(provider.health)
    if provider.capabilities.simulated:
        return {
            "status": "not_configured",
            "provider": provider.name,
            "detail": f"no POLYGON_API_KEY: serving the {health.detail}",
        }
    return {"status": "ok" if health.ok else "error", "provider": provider.name, "detail": health.detail}


def _respond(body: dict[str, Any]) -> JSONResponse:
    return JSONResponse(body, status_code=503 if body["status"] == "error" else 200)


@router.get("/health")
async def health(container: ContainerDep) -> JSONResponse:
    """Overall health: the database, the cache and the market-data provider."""
    database, cache, polygon = await asyncio.gather(
        _database(container), _cache(container), _polygon(container)
    )
    if database["status"] == "error":
        status = "error"
    elif cache["status"] == "error" or polygon["status"] == "error":
        status = "degraded"
    else:
        status = "ok"
    body = {"status": status, "components": {"database": database, "redis": cache, "polygon": polygon}}
    return _respond(body)


@router.get("/health/database")
async def health_database(container: ContainerDep) -> JSONResponse:
    """Database reachability, migration revision and TimescaleDB use."""
    return _respond(await _database(container))


@router.get("/health/redis")
async def health_redis(container: ContainerDep) -> JSONResponse:
    """Cache reachability (Redis, or the in-process cache)."""
    return _respond(await _cache(container))


@router.get("/health/polygon")
async def health_polygon(container: ContainerDep) -> JSONResponse:
    """Market-data vendor reachability; "not_configured" on the simulated market."""
    return _respond(await _polygon(container))
