"""The engine's rooms on their own: the watched universe, the grid's cache TTL and freshness, the
daily retention."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from sectorlights.cache.memory import MemoryCache
from sectorlights.core.clock import FrozenClock
from sectorlights.engine import maintenance
from sectorlights.engine.grid import GridReader
from sectorlights.engine.maintenance import HistoryRetention
from sectorlights.engine.move_watcher import WatchedUniverse
from sectorlights.engine.publisher import GridPublisher
from sectorlights.live.bus import MemoryEventBus
from sectorlights.metrics import Metrics
from sectorlights.settings import CacheSettings
from sectorlights.storage.database import create_database_engine, migrate
from sectorlights.storage.repository import Repository
from sectorlights.storage.retention import KeptRun, PruneReport
from tests.conftest import SIM_NOW
from tests.samples import members, run_record, snapshot


class SettableClock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Engine]:
    engine = create_database_engine(f"sqlite:///{tmp_path / 'rooms.db'}")
    migrate(engine)
    yield engine
    engine.dispose()


def _grid_reader(database: Engine, clock: FrozenClock) -> GridReader:
    cache = MemoryCache()
    repository = Repository(database)
    publisher = GridPublisher(cache, repository, MemoryEventBus(), clock, CacheSettings())
    return GridReader(cache, repository, clock, Metrics(), publisher)


def test_the_stored_universe_seeds_only_until_a_run_sets_its_own() -> None:
    universe = WatchedUniverse()
    universe.seed({"AAA": "technology"})
    assert universe.sectors() == {"AAA": "technology"}
    universe.replace({"BBB": "energy"})
    universe.seed({"AAA": "technology"})
    assert universe.sectors() == {"BBB": "energy"}


def test_the_grid_is_cached_shorter_during_extended_hours(database: Engine) -> None:
    settings = CacheSettings()
    publisher = GridPublisher(
        MemoryCache(), Repository(database), MemoryEventBus(), FrozenClock(SIM_NOW), settings
    )
    assert publisher.cache_ttl_secs(SIM_NOW) == settings.market_hours_ttl_secs  # 06:37 ET
    assert publisher.cache_ttl_secs(SIM_NOW.replace(hour=3)) == settings.off_hours_ttl_secs
    assert publisher.cache_ttl_secs(SIM_NOW.replace(hour=21)) == settings.off_hours_ttl_secs


async def test_no_grid_before_the_first_run_is_a_cache_miss(database: Engine) -> None:
    grid = _grid_reader(database, FrozenClock(SIM_NOW))
    assert await grid.latest_grid() is None
    assert await grid.live_grid() is None
    misses = grid.metrics.registry.get_sample_value(
        "sectorlights_grid_cache_reads_total", {"outcome": "miss"}
    )
    assert misses == 2


def test_a_failed_run_marks_even_a_fresh_grid_stale(database: Engine) -> None:
    grid = _grid_reader(database, FrozenClock(SIM_NOW))
    fresh = grid.freshness_fields(SIM_NOW - timedelta(minutes=5))
    assert fresh["freshness"] == "fresh" and fresh["stale"] is False and fresh["last_error"] is None
    grid.run_failed("ProviderError: HTTP 503")
    failed = grid.freshness_fields(SIM_NOW - timedelta(minutes=5))
    assert failed["stale"] is True and failed["last_error"] == "ProviderError: HTTP 503"
    # Not "fresh" and "current" beside `stale: true`: every field says the grid is not the latest.
    assert failed["freshness"] == "stale"
    assert failed["recommendation"].startswith("The latest analysis failed")
    grid.run_succeeded()
    assert grid.freshness_fields(SIM_NOW)["stale"] is False


async def test_retention_runs_once_a_day_and_retries_after_a_failure(
    database: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = SettableClock(SIM_NOW)
    calls: list[tuple[datetime, KeptRun | None]] = []
    failing = True

    def prune(
        _engine: Engine, now: datetime, _retention_days: float, keep: KeptRun | None = None
    ) -> PruneReport:
        calls.append((now, keep))
        if failing:
            raise RuntimeError("database is locked")
        return PruneReport(sector_sentiment=0, minute_bars=0, analysis_runs=0, timescaledb=False)

    monkeypatch.setattr(maintenance, "prune_history", prune)
    retention = HistoryRetention(Repository(database), clock, retention_days=90.0)
    # A replay: the window ends at the analysed instant (nothing newer is stored), not at the wall clock.
    replayed = KeptRun("replay", datetime(2017, 11, 10, 21, 0, tzinfo=UTC))
    await retention.prune_if_due(replayed)
    failing = False
    await retention.prune_if_due(replayed)  # the failure is retried by the next run
    await retention.prune_if_due(replayed)  # then nothing until a day has passed
    clock.at = SIM_NOW + timedelta(days=1)
    live = KeptRun("live", SIM_NOW + timedelta(days=1))
    await retention.prune_if_due(live)
    assert calls == [(replayed.as_of, replayed), (replayed.as_of, replayed), (live.as_of, live)]


async def test_retention_ends_its_window_at_the_newest_stored_instant(
    database: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A replay of an older day after a newer run: the newer run's time ends the window."""
    repository = Repository(database)
    newer = run_record(started_at=SIM_NOW)
    repository.create_run(newer)
    repository.commit_run(snapshot(newer.run_id, as_of=SIM_NOW), members(), SIM_NOW)
    calls: list[datetime] = []

    def prune(_engine: Engine, now: datetime, _days: float, keep: KeptRun | None = None) -> PruneReport:
        calls.append(now)
        return PruneReport(sector_sentiment=0, minute_bars=0, analysis_runs=0, timescaledb=False)

    monkeypatch.setattr(maintenance, "prune_history", prune)
    retention = HistoryRetention(repository, SettableClock(SIM_NOW + timedelta(days=400)), 90.0)
    await retention.prune_if_due(KeptRun("replay", SIM_NOW - timedelta(days=300)))
    assert calls == [SIM_NOW]


async def test_retention_never_ends_its_window_after_the_wall_clock(
    database: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[datetime] = []

    def prune(_engine: Engine, now: datetime, _days: float, keep: KeptRun | None = None) -> PruneReport:
        calls.append(now)
        return PruneReport(sector_sentiment=0, minute_bars=0, analysis_runs=0, timescaledb=False)

    monkeypatch.setattr(maintenance, "prune_history", prune)
    retention = HistoryRetention(Repository(database), SettableClock(SIM_NOW), 90.0)
    await retention.prune_if_due(KeptRun("ahead", SIM_NOW + timedelta(days=365)))
    assert calls == [SIM_NOW]
