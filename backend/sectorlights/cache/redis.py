"""Redis cache for production: several API replicas share one current state."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from sectorlights.cache.base import CacheError, encode_document


def redis_client(url: str, socket_timeout_secs: float = 2.0, **options: Any) -> aioredis.Redis:
    """An asyncio client that gives up within `socket_timeout_secs` (a dead Redis must not hang us)."""
    return aioredis.Redis.from_url(
        url,
        decode_responses=True,
        socket_timeout=socket_timeout_secs,
        socket_connect_timeout=socket_timeout_secs,
        **options,
    )


class RedisCache:
    """JSON documents as strings and symbol sets as Redis sets, written in one MULTI."""

    backend = "redis"

    def __init__(self, url: str, socket_timeout_secs: float = 2.0) -> None:
        self._client = redis_client(url, socket_timeout_secs, health_check_interval=30)

    async def get_json(self, key: str) -> Any | None:
        raw = await self.get_raw(key)
        return None if raw is None else json.loads(raw)

    async def get_raw(self, key: str) -> bytes | None:
        try:
            raw = await self._client.get(key)
        except RedisError as error:
            raise CacheError(f"redis GET {key}: {error}") from error
        return raw.encode() if isinstance(raw, str) else raw

    async def put_many(
        self, documents: Mapping[str, Any], sets: Mapping[str, set[str]], ttl_secs: int
    ) -> None:
        try:
            async with self._client.pipeline(transaction=True) as pipe:
                for key, document in documents.items():
                    pipe.set(key, encode_document(document), ex=ttl_secs)
                for key, members in sets.items():
                    pipe.delete(key)
                    if members:
                        pipe.sadd(key, *sorted(members))
                        pipe.expire(key, ttl_secs)
                await pipe.execute()
        except RedisError as error:
            raise CacheError(f"redis write: {error}") from error

    async def get_set(self, key: str) -> set[str]:
        try:
            members = await self._client.smembers(key)
        except RedisError as error:
            raise CacheError(f"redis SMEMBERS {key}: {error}") from error
        return {str(member) for member in members}

    async def ttl_secs(self, key: str) -> float | None:
        try:
            remaining_ms = await self._client.pttl(key)
        except RedisError as error:
            raise CacheError(f"redis PTTL {key}: {error}") from error
        return None if remaining_ms < 0 else remaining_ms / 1000.0

    async def ping(self) -> None:
        try:
            await self._client.ping()
        except RedisError as error:
            raise CacheError(f"redis unreachable: {error}") from error

    async def close(self) -> None:
        await self._client.aclose()
