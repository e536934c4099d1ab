"""The 90-day retention job, run against SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, delete, func, insert, select

from sectorlights.domain.rotation import RotationInterval
from sectorlights.domain.vocabulary import Sector
from sectorlights.storage.database import timescaledb_in_use
from sectorlights.storage.repository import Repository
from sectorlights.storage.retention import KeptRun, prune_history
from sectorlights.storage.tables import (
    analysis_runs,
    minute_bars,
    sector_rotation,
    sector_sentiment,
    stock_metrics,
)
from tests.samples import AS_OF, members, replayed, rotation_graphs, run_record, snapshot


def _count(engine: Engine, table: object) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def _published(repository: Repository, days_ago: float) -> str:
    moment = AS_OF - timedelta(days=days_ago)
    run = run_record(started_at=moment)
    repository.create_run(run)
    repository.commit_run(
        snapshot(run.run_id, as_of=moment), members(), moment, rotation=rotation_graphs(moment)
    )
    return run.run_id


def _minute_bar(engine: Engine, at: datetime) -> None:
    row = {
        "symbol": "SOUN",
        "window_start": at,
        "open": 5.0,
        "high": 5.1,
        "low": 4.9,
        "close": 5.0,
        "volume": 1e4,
    }
    with engine.begin() as connection:
        connection.execute(insert(minute_bars), [row])


def test_history_older_than_90_days_goes_and_the_rest_stays(database: Engine) -> None:
    repository = Repository(database)
    old = _published(repository, days_ago=120)
    kept = _published(repository, days_ago=30)
    latest = _published(repository, days_ago=0)
    _minute_bar(database, AS_OF - timedelta(days=95))
    _minute_bar(database, AS_OF - timedelta(days=1))

    report = prune_history(database, AS_OF)

    assert (report.sector_sentiment, report.minute_bars, report.analysis_runs) == (8, 1, 1)
    # TimescaleDB's hypertables are pruned by the same job, against the data's time.
    assert report.timescaledb is timescaledb_in_use(database)
    assert _count(database, sector_sentiment) == 16
    assert _count(database, minute_bars) == 1
    assert repository.get_run(old) is None
    assert repository.get_run(kept) is not None and repository.get_run(latest) is not None
    assert len(repository.sector_history(Sector.ENERGY)) == 2
    # A run's rotation graphs go with it.
    assert _count(database, sector_rotation) == 4
    assert repository.rotation(old, RotationInterval.DAY) is None
    assert repository.rotation(kept, RotationInterval.DAY) is not None
    # A second pass finds nothing more to delete.
    again = prune_history(database, AS_OF)
    assert (again.sector_sentiment, again.minute_bars, again.analysis_runs) == (0, 0, 0)


def test_the_latest_successful_run_is_kept_however_old(database: Engine) -> None:
    repository = Repository(database)
    only = _published(repository, days_ago=200)
    failed = run_record(started_at=AS_OF - timedelta(days=150))
    repository.create_run(failed)
    repository.fail_run(failed.run_id, "vendor down", AS_OF - timedelta(days=150))

    report = prune_history(database, AS_OF)

    assert report.analysis_runs == 1  # the old failure; the grid's run stays
    assert repository.get_run(only) is not None
    assert repository.latest_snapshot() is not None


def test_runs_fail_without_history_are_deleted_when_none_succeeded(database: Engine) -> None:
    repository = Repository(database)
    failed = run_record(started_at=AS_OF - timedelta(days=100))
    repository.create_run(failed)
    repository.fail_run(failed.run_id, "vendor down", AS_OF - timedelta(days=100))
    assert prune_history(database, AS_OF).analysis_runs == 1
    assert _count(database, analysis_runs) == 0


def test_a_naive_now_is_refused(database: Engine) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        prune_history(database, datetime(2026, 11, 24))


def test_a_custom_window(database: Engine) -> None:
    repository = Repository(database)
    _published(repository, days_ago=10)
    _published(repository, days_ago=0)
    assert prune_history(database, AS_OF.astimezone(UTC), retention_days=7).sector_sentiment == 8


def test_stock_metrics_older_than_the_window_go(database: Engine) -> None:
    repository = Repository(database)
    _published(repository, days_ago=120)
    _published(repository, days_ago=91)
    kept = _published(repository, days_ago=30)
    latest = _published(repository, days_ago=0)

    report = prune_history(database, AS_OF)

    assert report.stock_metrics == 4  # two members in each of the two old runs
    assert _count(database, stock_metrics) == 4
    assert [row["run_id"] for row in repository.stock_history("SOUN")] == [latest, kept]
    assert prune_history(database, AS_OF).stock_metrics == 0


def test_a_replay_keeps_its_own_rows_and_the_minute_bars_its_window_needs(database: Engine) -> None:
    """The window ends at the data's newest time; the run just stored (a replay of an older day)
    keeps its rows, and the minute bars within the window before its instant stay."""
    repository = Repository(database)
    _published(repository, days_ago=0)
    replay = _published(repository, days_ago=200)
    _minute_bar(database, AS_OF - timedelta(days=300))  # outside both windows
    _minute_bar(database, AS_OF - timedelta(days=201))  # within the replay's window

    report = prune_history(database, AS_OF, keep=KeptRun(replay, AS_OF - timedelta(days=200)))

    assert (report.sector_sentiment, report.stock_metrics, report.minute_bars, report.analysis_runs) == (
        0,
        0,
        1,
        0,
    )
    assert repository.get_run(replay) is not None
    assert _count(database, sector_sentiment) == 16 and _count(database, minute_bars) == 1


def test_a_run_started_today_on_old_data_is_pruned_by_its_data_time(database: Engine) -> None:
    repository = Repository(database)
    old = AS_OF - timedelta(days=120)
    run = run_record(started_at=AS_OF)  # a replay started today of a session 120 days back
    repository.create_run(run)
    repository.commit_run(snapshot(run.run_id, as_of=old), members(), AS_OF)
    _published(repository, days_ago=0)

    report = prune_history(database, AS_OF)

    assert (report.sector_sentiment, report.analysis_runs) == (8, 1)
    assert repository.get_run(run.run_id) is None


def test_imported_minute_bars_are_measured_by_the_newest_imported_bar(database: Engine) -> None:
    """A live run of today (the simulated market) next to a 2017 import: the import is not 90 days
    behind today's data but behind its own newest bar, so only what is older than that goes."""
    repository = Repository(database)
    _published(repository, days_ago=0)
    imported_newest = datetime(2017, 11, 10, 20, 59, tzinfo=UTC)
    for at in (imported_newest, imported_newest - timedelta(days=30), imported_newest - timedelta(days=91)):
        _minute_bar(database, at)

    report = prune_history(database, AS_OF)

    assert report.minute_bars == 1
    with database.connect() as connection:
        kept = sorted(connection.execute(select(minute_bars.c.window_start)).scalars())
    assert kept == [imported_newest - timedelta(days=30), imported_newest]


@pytest.mark.parametrize(("made_days_ago", "kept"), [(0, True), (89, True), (91, False)])
def test_a_replay_run_is_kept_for_the_window_after_it_was_made(
    database: Engine, made_days_ago: int, kept: bool
) -> None:
    """A replay stores no history rows and shows a session years old: the time it was made decides."""
    repository = Repository(database)
    replay = replayed(
        repository, datetime(2017, 11, 9, 21, 0, tzinfo=UTC), started_at=AS_OF - timedelta(days=made_days_ago)
    )
    _published(repository, days_ago=0)

    prune_history(database, AS_OF)

    assert (repository.get_run(replay) is not None) is kept


def test_the_live_grid_run_is_kept_however_old_even_after_a_replay(database: Engine) -> None:
    repository = Repository(database)
    live = _published(repository, days_ago=200)
    replayed(repository, datetime(2017, 11, 9, 21, 0, tzinfo=UTC), started_at=AS_OF)
    with database.begin() as connection:  # its history went by TimescaleDB's own policy, say
        connection.execute(delete(sector_sentiment))

    prune_history(database, AS_OF)

    assert repository.get_run(live) is not None
    latest = repository.latest_snapshot()
    assert latest is not None and latest.run_id == live
