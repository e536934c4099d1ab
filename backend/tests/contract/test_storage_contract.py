"""One storage contract, run against SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError

from sectorlights.domain.snapshot import RunStatus
from sectorlights.domain.vocabulary import Color, Sector
from sectorlights.storage.database import current_revision, database_health, head_revision, migrate
from sectorlights.storage.repository import Repository
from sectorlights.storage.tables import sector_sentiment, stock_universe
from tests.samples import AS_OF, members, run_record, snapshot


def _count(engine: Engine, table: object) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def test_migrations_reach_head_and_are_idempotent(database: Engine) -> None:
    assert current_revision(database) == head_revision()
    assert migrate(database) == head_revision()
    health = database_health(database)
    assert health.ok, health.detail
    assert health.timescaledb is False or database.dialect.name == "postgresql"


def test_run_lifecycle(database: Engine) -> None:
    repository = Repository(database)
    run = run_record()
    repository.create_run(run)
    repository.update_progress(run.run_id, "daily_bars", 25.0)
    stored = repository.get_run(run.run_id)
    assert stored is not None
    assert (stored.status, stored.stage, stored.progress_pct) == (RunStatus.RUNNING, "daily_bars", 25.0)
    assert stored.started_at == AS_OF and stored.started_at.tzinfo is not None

    repository.commit_run(snapshot(run.run_id), members(), AS_OF + timedelta(seconds=3))
    done = repository.get_run(run.run_id)
    assert done is not None
    assert (done.status, done.progress_pct, done.universe_size) == (RunStatus.SUCCEEDED, 100.0, 2)
    assert repository.latest_run() == done
    assert repository.get_run("missing") is None


def test_commit_publishes_history_universe_and_grid(database: Engine) -> None:
    repository = Repository(database)
    run = run_record()
    repository.create_run(run)
    published = snapshot(run.run_id)
    repository.commit_run(published, members(), AS_OF)

    assert repository.latest_snapshot() == published
    assert _count(database, sector_sentiment) == 8
    assert repository.universe_symbols() == ["PRPL", "SOUN"]
    history = repository.sector_history(Sector.TECHNOLOGY)
    assert len(history) == 1
    row = history[0]
    assert row["timestamp"] == AS_OF
    assert float(row["sentiment_score"]) == pytest.approx(0.62)
    assert row["color_classification"] == "dark_green"
    assert row["signal"] == "DO_NOT_SHORT"
    assert set(row["detail"]["timeframes"]) == {"30m", "1d", "3d", "1w"}


def test_newer_run_replaces_universe_and_adds_history(database: Engine) -> None:
    repository = Repository(database)
    first, second = run_record(), run_record(started_at=AS_OF + timedelta(minutes=5))
    for run, offset in ((first, 0), (second, 5)):
        repository.create_run(run)
        repository.commit_run(
            snapshot(run.run_id, as_of=AS_OF + timedelta(minutes=offset), score=-0.7, color=Color.DARK_RED),
            members()[:1] if offset else members(),
            AS_OF + timedelta(minutes=offset, seconds=2),
        )
    latest = repository.latest_snapshot()
    assert latest is not None and latest.run_id == second.run_id
    assert repository.universe_symbols() == ["SOUN"]
    assert len(repository.sector_history(Sector.ENERGY)) == 2


def test_same_instant_twice_replaces_its_history_rows(database: Engine) -> None:
    repository = Repository(database)
    for _ in range(2):
        run = run_record()
        repository.create_run(run)
        repository.commit_run(snapshot(run.run_id), members(), AS_OF)
    assert _count(database, sector_sentiment) == 8


def test_failed_commit_leaves_previous_results(database: Engine) -> None:
    repository = Repository(database)
    good = run_record()
    repository.create_run(good)
    repository.commit_run(snapshot(good.run_id), members(), AS_OF)

    # A run id that was never created violates the history's foreign key half-way through.
    with pytest.raises(IntegrityError):
        repository.commit_run(snapshot("not-a-run", as_of=AS_OF + timedelta(hours=1)), members()[:1], AS_OF)
    latest = repository.latest_snapshot()
    assert latest is not None and latest.run_id == good.run_id
    assert repository.universe_symbols() == ["PRPL", "SOUN"]
    assert _count(database, sector_sentiment) == 8
    assert _count(database, stock_universe) == 2


def test_failures_are_recorded(database: Engine) -> None:
    repository = Repository(database)
    failed, abandoned = run_record(), run_record()
    repository.create_run(failed)
    repository.create_run(abandoned)
    repository.fail_run(failed.run_id, "ProviderError: vendor down", AS_OF)
    assert repository.fail_abandoned_runs(AS_OF) == 1
    for run_id, message in ((failed.run_id, "vendor down"), (abandoned.run_id, "interrupted")):
        stored = repository.get_run(run_id)
        assert stored is not None
        assert stored.status == RunStatus.FAILED
        assert message in (stored.error or "")
        assert stored.finished_at == AS_OF.astimezone(UTC)
    assert repository.latest_snapshot() is None


def test_exclusions_and_member_metrics_are_replaced_by_each_run(database: Engine) -> None:
    repository = Repository(database)
    first = run_record()
    repository.create_run(first)
    repository.commit_run(
        snapshot(first.run_id), members(), AS_OF, {"BBAI": "avg_daily_volume", "IWM": "security_type"}
    )
    assert repository.exclusion("BBAI") == "avg_daily_volume"
    assert repository.exclusion("SOUN") is None
    second = run_record()
    repository.create_run(second)
    repository.commit_run(
        snapshot(second.run_id, as_of=AS_OF + timedelta(minutes=5)),
        members(),
        AS_OF,
        {"IWM": "security_type"},
    )
    assert repository.exclusion("BBAI") is None
    assert repository.exclusion("IWM") == "security_type"
    member = repository.member("SOUN")
    assert member is not None
    assert {"change_1d_pct", "relative_volume", "rank_score"} <= set(member)
