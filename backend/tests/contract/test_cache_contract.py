"""One cache contract, run against the in-process cache and Redis."""

from __future__ import annotations

import asyncio

import pytest

from sectorlights.cache.base import (
    SNAPSHOT_KEY,
    UNIVERSE_KEY,
    Cache,
    CacheError,
    sector_sentiment_key,
    sector_top_stocks_key,
)
from sectorlights.cache.memory import MemoryCache
from sectorlights.cache.redis import RedisCache
from tests.services import free_port


def test_key_layout_matches_the_spec() -> None:
    assert sector_sentiment_key("technology") == "sector:technology:sentiment"
    assert sector_top_stocks_key("healthcare") == "sector:healthcare:top_stocks"
    assert UNIVERSE_KEY == "universe:stocks"


async def test_missing_keys(cache: Cache) -> None:
    assert await cache.get_json("nothing") is None
    assert await cache.get_set("nothing") == set()
    assert await cache.ttl_secs("nothing") is None
    await cache.ping()


async def test_documents_and_sets_round_trip(cache: Cache) -> None:
    document = {"score": 0.62, "color": "dark_green", "nested": {"list": [1, 2.5, None]}}
    await cache.put_many({SNAPSHOT_KEY: document}, {UNIVERSE_KEY: {"SOUN", "KOSS"}}, ttl_secs=1800)
    assert await cache.get_json(SNAPSHOT_KEY) == document
    assert await cache.get_set(UNIVERSE_KEY) == {"SOUN", "KOSS"}
    remaining = await cache.ttl_secs(SNAPSHOT_KEY)
    assert remaining is not None and 1790 < remaining <= 1800


async def test_sets_are_replaced_not_merged(cache: Cache) -> None:
    await cache.put_many({}, {UNIVERSE_KEY: {"SOUN", "KOSS"}}, ttl_secs=60)
    await cache.put_many({}, {UNIVERSE_KEY: {"PRPL"}}, ttl_secs=60)
    assert await cache.get_set(UNIVERSE_KEY) == {"PRPL"}
    await cache.put_many({}, {UNIVERSE_KEY: set()}, ttl_secs=60)
    assert await cache.get_set(UNIVERSE_KEY) == set()


async def test_cached_documents_cannot_be_mutated_by_callers(cache: Cache) -> None:
    document = {"top": ["SOUN"]}
    await cache.put_many({"k": document}, {}, ttl_secs=60)
    document["top"].append("BBAI")
    fetched = await cache.get_json("k")
    assert fetched == {"top": ["SOUN"]}
    fetched["top"].append("PATH")
    assert await cache.get_json("k") == {"top": ["SOUN"]}


async def test_entries_expire(cache: Cache) -> None:
    await cache.put_many({"short": 1}, {"short-set": {"A"}}, ttl_secs=1)
    assert await cache.get_json("short") == 1
    await asyncio.sleep(1.1)
    assert await cache.get_json("short") is None
    assert await cache.get_set("short-set") == set()


async def test_memory_expiry_follows_its_clock() -> None:
    now = [100.0]
    cache = MemoryCache(monotonic=lambda: now[0])
    await cache.put_many({"k": 1}, {}, ttl_secs=1800)
    now[0] += 1799.9
    assert await cache.get_json("k") == 1
    now[0] += 0.2
    assert await cache.get_json("k") is None


async def test_unreachable_redis_raises_cache_error() -> None:
    cache = RedisCache(f"redis://127.0.0.1:{free_port()}/0", socket_timeout_secs=0.5)
    with pytest.raises(CacheError, match="unreachable"):
        await cache.ping()
    with pytest.raises(CacheError, match="GET"):
        await cache.get_json(SNAPSHOT_KEY)
    with pytest.raises(CacheError, match="write"):
        await cache.put_many({SNAPSHOT_KEY: {}}, {}, ttl_secs=5)
    await cache.close()
