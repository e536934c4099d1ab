"""Shared fixtures: storage and cache implementations for the contract suites, and test settings."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import redis
from sqlalchemy import Engine, text

from sectorlights.cache.base import Cache
from sectorlights.cache.memory import MemoryCache
from sectorlights.cache.redis import RedisCache
from sectorlights.storage.database import create_database_engine, migrate
from sectorlights.storage.tables import metadata
from tests.services import throwaway_postgres_database, throwaway_redis_server

# A Tuesday pre-market, the spec's "trader sits down at 6:37 AM".
SIM_NOW = datetime(2026, 11, 24, 6, 37, tzinfo=ZoneInfo("America/New_York"))


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    with throwaway_postgres_database() as url:
        yield url


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    with throwaway_redis_server() as url:
        yield url


@pytest.fixture(scope="session")
def _migrated_postgres(postgres_url: str) -> Iterator[Engine]:
    engine = create_database_engine(postgres_url)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty SQLite database in the test's own folder."""
    engine = create_database_engine(f"sqlite:///{tmp_path / 'test.db'}")
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """A migrated, empty database of each kind."""
    if request.param == "sqlite":
        yield request.getfixturevalue("sqlite_engine")
        return
    engine = request.getfixturevalue("_migrated_postgres")
    with engine.begin() as connection:
        names = ", ".join(table.name for table in reversed(metadata.sorted_tables))
        connection.execute(text(f"TRUNCATE {names}"))
    yield engine


@pytest.fixture(params=["memory", "redis"])
async def cache(request: pytest.FixtureRequest) -> AsyncIterator[Cache]:
    """An empty cache of each kind."""
    if request.param == "memory":
        yield MemoryCache()
        return
    url = request.getfixturevalue("redis_url")
    redis.Redis.from_url(url).flushdb()
    client = RedisCache(url)
    yield client
    await client.close()
