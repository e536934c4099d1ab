"""`sectorlights serve` on PostgreSQL and Redis: the same grid, stored and cached there."""

from __future__ import annotations

from pathlib import Path

import httpx
import redis
from sqlalchemy import create_engine, func, select, text

from sectorlights.storage.tables import sector_sentiment, stock_universe
from tests.conftest import SIM_NOW
from tests.servers import running_server
from tests.services import throwaway_postgres_database


def test_serve_on_postgres_and_redis(tmp_path: Path, redis_url: str) -> None:
    redis.Redis.from_url(redis_url).flushdb()
    with throwaway_postgres_database() as postgres_url:
        env = {
            "DATABASE_URL": postgres_url.replace("postgresql+psycopg://", "postgresql://"),
            "REDIS_URL": redis_url,
            "SECTORLIGHTS_SIM_NOW": SIM_NOW.isoformat(),
        }
        with running_server(env, tmp_path) as base_url:
            grid = httpx.get(f"{base_url}/api/sectors", timeout=10).json()
            health = httpx.get(f"{base_url}/health", timeout=10).json()
            redis_health = httpx.get(f"{base_url}/health/redis", timeout=10).json()
            database_health = httpx.get(f"{base_url}/health/database", timeout=10).json()

        assert len(grid["sectors"]) == 8
        assert health["status"] == "ok"
        assert (redis_health["status"], redis_health["backend"]) == ("ok", "redis")
        assert (database_health["status"], database_health["dialect"]) == ("ok", "postgresql")

        engine = create_engine(postgres_url)
        with engine.connect() as connection:
            rows = connection.execute(select(func.count()).select_from(sector_sentiment)).scalar_one()
            members = connection.execute(select(func.count()).select_from(stock_universe)).scalar_one()
            technology = connection.execute(
                text("SELECT color_classification FROM sector_sentiment WHERE sector = 'technology'")
            ).scalar_one()
        engine.dispose()
        assert rows == 8
        assert members == grid["universe_size"]
        assert technology == grid["sectors"][0]["color"]

        client = redis.Redis.from_url(redis_url, decode_responses=True)
        assert client.exists("sector:technology:sentiment", "sector:technology:top_stocks") == 2
        assert client.scard("universe:stocks") == grid["universe_size"]
        # 06:37 ET on a session is market hours: the spec's 30-minute TTL.
        assert 0 < client.ttl("sector:utilities:sentiment") <= 1800
