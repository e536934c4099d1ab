"""Shared fixtures: storage and cache implementations for the contract suites, migrated databases,
an environment without SectorLights settings, a server replaying recorded vendor responses, and the
real `sectorlights serve` for a test module."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import redis
from hypothesis import settings
from sqlalchemy import Engine, create_engine

from sectorlights.cache.base import Cache
from sectorlights.cache.memory import MemoryCache
from sectorlights.cache.redis import RedisCache
from sectorlights.storage.database import create_database_engine, migrate
from tests.databases import emptied, migrated_sqlite
from tests.fixture_server import POLYGON_MOCKS, FixtureServer
from tests.servers import is_setting, running_server
from tests.services import throwaway_postgres_database, throwaway_redis_server, throwaway_timescaledb_server

# No per-example deadline: speed is measured by the benchmarks, and a deadline is a timed assertion
# that a busy machine (three test workers on two cores) trips on correct code.
settings.register_profile("sectorlights", deadline=None)
settings.load_profile("sectorlights")

# --- scheduling across the test workers (make test-py: -n 3 --dist loadfile --no-loadscope-reorder)

# The modules that take longest, longest first (measured, `--durations`): a worker that starts one of
# these last would leave the other idle for minutes at the end of the run. Order only; nothing skips.
LONGEST_MODULES = (
    "integration/test_replicas_share.py",
    "integration/test_vendor_providers.py",
    "integration/test_resilience_processes.py",
    "integration/test_outages.py",
    "integration/test_slow_vendor.py",
    "integration/test_fmp_classification.py",
    "integration/test_observability.py",
)
# Then the rest by kind: servers and browsers before the quick unit tests that fill the gaps.
KIND_ORDER = ("e2e", "integration", "contract", "unit")


def module_rank(relative_path: str) -> tuple[int, int]:
    """Where a test module (path relative to tests/) goes in the run: the longest first, then by kind."""
    if relative_path in LONGEST_MODULES:
        return (0, LONGEST_MODULES.index(relative_path))
    kind = relative_path.split("/", 1)[0]
    return (1, KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    tests_dir = Path(__file__).parent
    items.sort(key=lambda item: module_rank(item.path.relative_to(tests_dir).as_posix()))


# A Tuesday pre-market, the spec's "trader sits down at 6:37 AM".
SIM_NOW = datetime(2026, 11, 24, 6, 37, tzinfo=ZoneInfo("America/New_York"))

# The simulated market frozen at SIM_NOW, small, without schedule or move watch, quick heartbeats.
FROZEN = {
    "SECTORLIGHTS_SIM_NOW": SIM_NOW.isoformat(),
    "SECTORLIGHTS_SIM_LISTINGS": "1500",
    "SECTORLIGHTS_SCHEDULE": "off",
    "SECTORLIGHTS_MOVE_WATCH": "false",
    "SECTORLIGHTS_USER_ACTIONS_PER_MINUTE": "600",
    "SECTORLIGHTS_WS_HEARTBEAT_SECS": "0.5",
}
# The simulated 04:00 open with overnight gaps, 15 s ahead and running at 5x, the move watch on.
OVERNIGHT_GAPS = FROZEN | {
    "SECTORLIGHTS_SIM_SCENARIO": "overnight_gaps",
    "SECTORLIGHTS_SIM_NOW": "2026-11-24T03:59:45-05:00",
    "SECTORLIGHTS_SIM_SPEED": "5",
    "SECTORLIGHTS_MOVE_WATCH": "true",
}


# --- services and databases -----------------------------------------------------------------------


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


@pytest.fixture(scope="session")
def _migrated_timescaledb() -> Iterator[Engine]:
    with throwaway_timescaledb_server() as url:
        # The engine serves one connection at a time: a pool of one, checked before use.
        engine = create_engine(url, pool_size=1, max_overflow=0, pool_pre_ping=True)
        migrate(engine)
        yield engine
        engine.dispose()


@pytest.fixture
def sqlite_database(tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty SQLite database of the test's own."""
    with migrated_sqlite(tmp_path / "test.db") as engine:
        yield engine


@pytest.fixture
def postgresql_database(_migrated_postgres: Engine) -> Engine:
    """The session's migrated PostgreSQL database, emptied."""
    return emptied(_migrated_postgres)


@pytest.fixture
def timescaledb_database(_migrated_timescaledb: Engine) -> Engine:
    """The session's migrated TimescaleDB database (hypertables, compression), emptied."""
    return emptied(_migrated_timescaledb)


@pytest.fixture(params=["sqlite", "postgresql", "timescaledb"])
def database(request: pytest.FixtureRequest) -> Engine:
    """A migrated, empty database of each kind."""
    engine: Engine = request.getfixturevalue(f"{request.param}_database")
    return engine


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


# --- environment ----------------------------------------------------------------------------------


# A `TestClient` reaches the app in-process at http://testserver: with auth off only loopback names
# and these are served (subprocess servers get none of this: `command_env` drops every setting).
TEST_CLIENT_HOSTS = "testserver"


@pytest.fixture(autouse=True)
def _test_client_host(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECTORLIGHTS_ALLOWED_HOSTS", TEST_CLIENT_HOSTS)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No SectorLights setting from the environment (but the TestClient's host name), and an empty
    working directory (no stray .env)."""
    for name in [name for name in os.environ if is_setting(name)]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("SECTORLIGHTS_ALLOWED_HOSTS", TEST_CLIENT_HOSTS)
    monkeypatch.chdir(tmp_path)


# --- servers --------------------------------------------------------------------------------------


@pytest.fixture
def fixture_root() -> Path:
    """The recorded vendor responses `fixture_server` replays; a module overrides it for others."""
    return POLYGON_MOCKS


@pytest.fixture
def fixture_server(fixture_root: Path) -> Iterator[FixtureServer]:
    """A local HTTP server replaying `fixture_root`, with faults on demand."""
    with FixtureServer(fixture_root) as server:
        yield server


@pytest.fixture(scope="module")
def server_env() -> dict[str, str]:
    """The settings `server` runs with; a module overrides it for others."""
    return FROZEN


@pytest.fixture(scope="module")
def server(server_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real `sectorlights serve` on the simulated market, migrated and ready, one for the
    module's tests (each looks only at what happens after its own start); yields its base URL."""
    with running_server(server_env, tmp_path_factory.mktemp("server")) as base_url:
        yield base_url
