"""One storage contract, run against SQLite, PostgreSQL and TimescaleDB."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func, inspect, select, text, update
from sqlalchemy.exc import IntegrityError

from sectorlights.domain.results import UniverseMember
from sectorlights.domain.rotation import RotationInterval
from sectorlights.domain.snapshot import RunStatus, RunTrigger
from sectorlights.domain.vocabulary import Color, Sector, Timeframe
from sectorlights.storage.database import (
    current_revision,
    database_health,
    head_revision,
    migrate,
    migration_state,
)
from sectorlights.storage.repository import INTERRUPTED_ERROR, RUN_STALE_AFTER, Repository
from sectorlights.storage.tables import (
    analysis_runs,
    sector_rotation,
    sector_sentiment,
    stock_metrics,
    stock_universe,
)
from tests.databases import downgraded
from tests.samples import (
    AS_OF,
    members,
    replay_snapshot,
    replayed,
    rotation_graphs,
    run_record,
    snapshot,
)


def _count(engine: Engine, table: object) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def test_migrations_reach_head_and_are_idempotent(database: Engine) -> None:
    assert current_revision(database) == head_revision()
    assert migrate(database) == head_revision()
    health = database_health(database)
    assert health.ok, health.detail
    assert health.timescaledb is False or database.dialect.name == "postgresql"


def stamp_revision(database: Engine, revision: str) -> None:
    with database.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = :revision"), {"revision": revision})


@pytest.mark.parametrize(
    ("stamp", "state", "ok", "detail"),
    [
        ("head", "current", True, "ok"),
        ("0001", "pending", False, "migrations pending: at 0001"),
        # A newer release's migration, as in a rolling upgrade: this version keeps serving.
        ("0099_a_newer_release", "ahead", True, "ahead: at 0099_a_newer_release"),
    ],
)
def test_a_database_behind_is_not_healthy_and_one_ahead_is(
    database: Engine, stamp: str, state: str, ok: bool, detail: str
) -> None:
    revision = head_revision() if stamp == "head" else stamp
    stamp_revision(database, revision)
    try:
        assert migration_state(current_revision(database)) == state
        health = database_health(database)
    finally:
        stamp_revision(database, head_revision())
    assert (health.ok, health.revision) == (ok, revision)
    assert health.detail.startswith(detail)


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
    failed, abandoned = run_record(), run_record(started_at=AS_OF - timedelta(minutes=5))
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


def _status(repository: Repository, run_id: str) -> RunStatus:
    stored = repository.get_run(run_id)
    assert stored is not None
    return stored.status


def test_only_runs_with_a_stale_heartbeat_are_abandoned(database: Engine) -> None:
    """Two replicas share the database: a restarting one fails the run of a dead process, never the
    live run of the other, whose heartbeat is fresh."""
    repository = Repository(database)
    stale_after = RUN_STALE_AFTER
    live, dead, beating, progressing = (run_record() for _ in range(4))
    for run in (live, dead, beating, progressing):
        repository.create_run(run)  # the heartbeat starts at the start: AS_OF
    # Nothing is stale yet, however often the sweep looks.
    assert repository.fail_abandoned_runs(AS_OF) == 0
    assert repository.fail_abandoned_runs(AS_OF + stale_after) == 0

    # 25 s later, three still show signs of life: a heartbeat, or a progress step (which beats too).
    repository.heartbeat(live.run_id, AS_OF + timedelta(seconds=25))
    repository.heartbeat(beating.run_id, AS_OF + timedelta(seconds=25))
    repository.update_progress(progressing.run_id, "daily_bars", 40.0, AS_OF + timedelta(seconds=25))
    now = AS_OF + stale_after + timedelta(seconds=1)
    assert repository.fail_abandoned_runs(now) == 1
    stored = repository.get_run(dead.run_id)
    assert stored is not None
    assert (stored.status, stored.error, stored.finished_at) == (RunStatus.FAILED, INTERRUPTED_ERROR, now)
    assert {_status(repository, run.run_id) for run in (live, beating, progressing)} == {RunStatus.RUNNING}

    # Ended runs never go stale; a heartbeat after the end changes nothing.
    repository.commit_run(snapshot(beating.run_id), members(), AS_OF + timedelta(seconds=26))
    repository.heartbeat(beating.run_id, AS_OF + timedelta(seconds=27))
    later = AS_OF + timedelta(minutes=10)
    assert repository.fail_abandoned_runs(later) == 2
    assert _status(repository, beating.run_id) == RunStatus.SUCCEEDED
    assert _status(repository, live.run_id) == RunStatus.FAILED
    assert _status(repository, progressing.run_id) == RunStatus.FAILED
    assert repository.fail_abandoned_runs(later) == 0
    # A run that ended keeps its outcome (a stop racing the commit cannot undo it).
    repository.fail_run(beating.run_id, INTERRUPTED_ERROR, later)
    assert _status(repository, beating.run_id) == RunStatus.SUCCEEDED


def test_a_run_without_a_heartbeat_is_judged_by_its_start(database: Engine) -> None:
    """Rows from before migration 0006 have no heartbeat: their start time decides."""
    repository = Repository(database)
    old, recent = run_record(started_at=AS_OF - timedelta(minutes=5)), run_record()
    for run in (old, recent):
        repository.create_run(run)
    with database.begin() as connection:
        connection.execute(update(analysis_runs).values(heartbeat_at=None))
    assert repository.fail_abandoned_runs(AS_OF + timedelta(seconds=5), timedelta(seconds=30)) == 1
    assert _status(repository, old.run_id) == RunStatus.FAILED
    assert _status(repository, recent.run_id) == RunStatus.RUNNING


RESTARTED = "replica-a:8000"
OTHER = "replica-b:8000"
FRESH, STALE = timedelta(seconds=1), RUN_STALE_AFTER + timedelta(seconds=1)


@pytest.mark.parametrize(
    ("run_instance", "status", "heartbeat_age", "restarted", "failed"),
    [
        # A restarting instance fails its own run at once: the process that ran it is gone.
        (RESTARTED, RunStatus.RUNNING, FRESH, RESTARTED, True),
        (RESTARTED, RunStatus.RUNNING, STALE, RESTARTED, True),
        # An ended run keeps its outcome.
        (RESTARTED, RunStatus.SUCCEEDED, FRESH, RESTARTED, False),
        (RESTARTED, RunStatus.FAILED, STALE, RESTARTED, False),
        # Another instance's run may be live: the heartbeat decides.
        (OTHER, RunStatus.RUNNING, FRESH, RESTARTED, False),
        (OTHER, RunStatus.RUNNING, STALE, RESTARTED, True),
        (OTHER, RunStatus.SUCCEEDED, STALE, RESTARTED, False),
        # So does it for a run of no serving process (the CLI's).
        (None, RunStatus.RUNNING, FRESH, RESTARTED, False),
        (None, RunStatus.RUNNING, STALE, RESTARTED, True),
        # The periodic sweep names no instance: a live run of this one is left alone.
        (RESTARTED, RunStatus.RUNNING, FRESH, None, False),
        (RESTARTED, RunStatus.RUNNING, STALE, None, True),
    ],
)
def test_a_restarting_instance_fails_its_own_runs_at_once_and_others_by_heartbeat(
    database: Engine,
    run_instance: str | None,
    status: RunStatus,
    heartbeat_age: timedelta,
    restarted: str | None,
    failed: bool,
) -> None:
    repository = Repository(database)
    run = run_record()
    repository.create_run(run, run_instance)  # the heartbeat starts at the start: AS_OF
    if status == RunStatus.SUCCEEDED:
        repository.commit_run(snapshot(run.run_id), members(), AS_OF)
    elif status == RunStatus.FAILED:
        repository.fail_run(run.run_id, "ProviderError: vendor down", AS_OF)
    before = repository.get_run(run.run_id)
    now = AS_OF + heartbeat_age

    assert repository.fail_abandoned_runs(now, restarted_instance=restarted) == int(failed)
    stored = repository.get_run(run.run_id)
    assert stored is not None
    if failed:
        assert (stored.status, stored.error, stored.finished_at) == (RunStatus.FAILED, INTERRUPTED_ERROR, now)
    else:
        assert stored == before


def test_runs_stored_before_0009_have_no_instance_and_keep_the_heartbeat_rule(database: Engine) -> None:
    repository = Repository(database)
    with downgraded(database, "0008"):
        old = run_record()
        repository.create_run(old)
    assert current_revision(database) == head_revision()
    with database.connect() as connection:
        stored = connection.execute(select(analysis_runs.c.instance)).scalar_one()
    assert stored is None
    assert repository.fail_abandoned_runs(AS_OF + FRESH, restarted_instance=RESTARTED) == 0
    assert repository.fail_abandoned_runs(AS_OF + STALE, restarted_instance=RESTARTED) == 1


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


# --- per-run stock metrics (stock_metrics, migration 0005) -----------------------------------------


def _publish(repository: Repository, as_of: datetime, scored: list[UniverseMember] | None = None) -> str:
    run = run_record(started_at=as_of)
    repository.create_run(run)
    repository.commit_run(snapshot(run.run_id, as_of=as_of), members() if scored is None else scored, as_of)
    return run.run_id


def _scored(change_1d_pct: float, rank_score: float) -> list[UniverseMember]:
    returns: dict[Timeframe, float | None] = {
        Timeframe.MIN_30: 0.4,
        Timeframe.DAY_1: change_1d_pct,
        Timeframe.DAY_3: None,
        Timeframe.WEEK_1: -2.5,
    }
    return [
        member.model_copy(update={"returns_pct": returns, "relative_volume": 1.7, "rank_score": rank_score})
        for member in members()
    ]


def test_every_run_keeps_its_stock_metrics(database: Engine) -> None:
    repository = Repository(database)
    first = _publish(repository, AS_OF, _scored(3.5, 6.0))
    second = _publish(repository, AS_OF + timedelta(minutes=5), _scored(4.25, 7.5))

    assert _count(database, stock_metrics) == 4  # two members in each of two runs
    assert _count(database, stock_universe) == 2  # the universe is still the latest run's only
    history = repository.stock_history("SOUN")
    assert [row["run_id"] for row in history] == [second, first]
    assert [row["timestamp"] for row in history] == [AS_OF + timedelta(minutes=5), AS_OF]
    assert history[0]["timestamp"].tzinfo is not None
    latest = history[0]
    assert (latest["symbol"], latest["sector"], latest["tier"]) == ("SOUN", "technology", "micro_cap")
    assert (latest["market_cap"], latest["volatility_multiplier"]) == (180_000_000, 1.3)
    assert (latest["change_30m_pct"], latest["change_1d_pct"], latest["change_3d_pct"]) == (0.4, 4.25, None)
    assert (latest["change_1w_pct"], latest["relative_volume"], latest["rank_score"]) == (-2.5, 1.7, 7.5)
    assert history[1]["change_1d_pct"] == 3.5
    assert repository.stock_history("NOPE") == []


def test_re_analysing_an_instant_replaces_its_stock_metrics(database: Engine) -> None:
    repository = Repository(database)
    earlier = _publish(repository, AS_OF - timedelta(minutes=5))
    _publish(repository, AS_OF, _scored(1.0, 2.0))
    again = _publish(repository, AS_OF, _scored(9.0, 9.5)[:1])  # only SOUN this time

    assert _count(database, stock_metrics) == 3
    assert [row["run_id"] for row in repository.stock_history("SOUN")] == [again, earlier]
    assert repository.stock_history("SOUN")[0]["change_1d_pct"] == 9.0
    assert [row["run_id"] for row in repository.stock_history("PRPL")] == [earlier]


def test_stock_history_window_and_limit(database: Engine) -> None:
    repository = Repository(database)
    moments = [AS_OF + timedelta(minutes=5 * step) for step in range(5)]
    runs = [_publish(repository, moment) for moment in moments]

    newest_first = list(reversed(runs))
    assert [row["run_id"] for row in repository.stock_history("PRPL")] == newest_first
    assert [row["run_id"] for row in repository.stock_history("PRPL", limit=2)] == newest_first[:2]
    window = repository.stock_history("PRPL", since=moments[1], until=moments[3])  # inclusive bounds
    assert [row["timestamp"] for row in window] == [moments[3], moments[2], moments[1]]
    assert [row["run_id"] for row in repository.stock_history("PRPL", since=moments[4])] == runs[4:]
    assert [row["run_id"] for row in repository.stock_history("PRPL", until=moments[0])] == runs[:1]
    # Any offset names the same instants.
    eastern = moments[3].astimezone(ZoneInfo("America/New_York"))
    assert [row["run_id"] for row in repository.stock_history("PRPL", since=eastern)] == newest_first[:2]
    assert repository.stock_history("PRPL", since=moments[4] + timedelta(seconds=1)) == []


def test_stock_metrics_migration_goes_down_and_up(database: Engine) -> None:
    table = stock_metrics.name
    with downgraded(database, "0004"):
        assert "stock_metrics" not in inspect(database).get_table_names()
    assert current_revision(database) == head_revision()
    assert "stock_metrics" in inspect(database).get_table_names()
    indexes = {index["name"]: index["column_names"] for index in inspect(database).get_indexes(table)}
    assert indexes["ix_stock_metrics_symbol_timestamp"] == ["symbol", "timestamp"]
    primary_key = inspect(database).get_pk_constraint(table)["constrained_columns"]
    assert sorted(primary_key) == ["symbol", "timestamp"]
    _publish(Repository(database), AS_OF)
    assert _count(database, stock_metrics) == 2


# --- replays (trigger `replay`, migration 0008): stored to open, never the live grid ----------------

REPLAYED_AS_OF = datetime(2017, 11, 9, 21, 0, tzinfo=UTC)


def test_a_replay_stored_after_the_live_run_is_never_the_latest(database: Engine) -> None:
    repository = Repository(database)
    live = _publish(repository, AS_OF)
    universe_before = repository.universe_members()
    history_before = repository.sector_history(Sector.ENERGY)
    # Started and finished after the live run, as a replay from the page or the CLI is.
    replay = replayed(repository, REPLAYED_AS_OF, started_at=AS_OF + timedelta(minutes=5))

    latest = repository.latest_snapshot()
    assert latest is not None and latest.run_id == live
    for status in (None, RunStatus.SUCCEEDED):
        run = repository.latest_run(status)
        assert run is not None and run.run_id == live
    # The universe and the history describe the live market: a replay leaves them as they were.
    assert repository.universe_members() == universe_before
    assert repository.sector_history(Sector.ENERGY) == history_before
    # It is a stored run like any other, to open read-only.
    stored = repository.snapshot(replay)
    assert stored is not None and stored.data_source.replay_of == REPLAYED_AS_OF.date()
    listed = {row["run_id"]: row["trigger"] for row in repository.stored_runs(10)}
    assert listed == {live: "on_demand", replay: "replay"}


def test_the_latest_run_of_one_trigger(database: Engine) -> None:
    """The scheduler's missed-run check asks for the latest successful scheduled run: an on-demand run
    after it does not stand for the instant the schedule missed."""
    repository = Repository(database)
    scheduled = run_record(started_at=AS_OF, trigger=RunTrigger.SCHEDULED)
    repository.create_run(scheduled)
    repository.commit_run(snapshot(scheduled.run_id, as_of=AS_OF), members(), AS_OF)
    later = _publish(repository, AS_OF + timedelta(minutes=20))  # on demand
    failed = run_record(started_at=AS_OF + timedelta(minutes=30), trigger=RunTrigger.SCHEDULED)
    repository.create_run(failed)
    repository.fail_run(
        failed.run_id, "interrupted: the process stopped mid-run", AS_OF + timedelta(minutes=31)
    )
    assert getattr(repository.latest_run(RunStatus.SUCCEEDED), "run_id", None) == later
    found = repository.latest_run(RunStatus.SUCCEEDED, RunTrigger.SCHEDULED)
    assert found is not None and (found.run_id, found.as_of) == (scheduled.run_id, AS_OF)
    assert getattr(repository.latest_run(None, RunTrigger.SCHEDULED), "run_id", None) == failed.run_id
    assert repository.latest_run(RunStatus.SUCCEEDED, RunTrigger.STARTUP) is None


def test_with_only_replays_stored_there_is_no_live_grid(database: Engine) -> None:
    repository = Repository(database)
    replayed(repository, REPLAYED_AS_OF)
    assert repository.latest_snapshot() is None
    assert repository.latest_run() is None


def test_replays_stored_by_the_cli_before_0008_are_retagged(database: Engine) -> None:
    """`sectorlights replay` stored its runs as `cli` until replays had a trigger of their own."""
    repository = Repository(database)
    with downgraded(database, "0007"):
        old_replay = run_record(started_at=AS_OF + timedelta(minutes=5), trigger=RunTrigger.CLI)
        plain_cli = run_record(started_at=AS_OF, trigger=RunTrigger.CLI)
        for run, grid in (
            (old_replay, replay_snapshot(old_replay.run_id, REPLAYED_AS_OF)),
            (plain_cli, snapshot(plain_cli.run_id, as_of=AS_OF)),
        ):
            repository.create_run(run)
            repository.commit_run(grid, members(), run.started_at)
        assert repository.latest_snapshot().run_id == old_replay.run_id  # type: ignore[union-attr]
    assert current_revision(database) == head_revision()
    triggers = {row["run_id"]: row["trigger"] for row in repository.stored_runs(10)}
    assert triggers == {old_replay.run_id: "replay", plain_cli.run_id: "cli"}
    assert repository.latest_snapshot().run_id == plain_cli.run_id  # type: ignore[union-attr]


# --- rotation graphs (sector_rotation, migration 0010) ----------------------------------------------


def test_a_run_keeps_its_rotation_graphs_with_its_results(database: Engine) -> None:
    repository = Repository(database)
    run = run_record()
    repository.create_run(run)
    graphs = rotation_graphs()
    repository.commit_run(snapshot(run.run_id), members(), AS_OF, rotation=graphs)

    for graph in graphs:
        assert repository.rotation(run.run_id, graph.interval) == (AS_OF, graph)
    assert repository.rotation("another-run", RotationInterval.DAY) is None
    # Without graphs (the tests' own runs, or a run that measured none) nothing is stored.
    other = run_record()
    repository.create_run(other)
    repository.commit_run(snapshot(other.run_id, as_of=AS_OF + timedelta(minutes=5)), members(), AS_OF)
    assert repository.rotation(other.run_id, RotationInterval.DAY) is None


def test_a_replay_keeps_its_rotation_graphs_and_a_failed_commit_none(database: Engine) -> None:
    repository = Repository(database)
    replay = run_record(trigger=RunTrigger.REPLAY)
    repository.create_run(replay)
    past = AS_OF - timedelta(days=400)
    repository.commit_replay(replay_snapshot(replay.run_id, past), AS_OF, rotation_graphs(past))
    stored = repository.rotation(replay.run_id, RotationInterval.MIN_30)
    assert stored is not None and stored[0] == past
    assert stored[1].sectors[0].points[-1].time == past

    with pytest.raises(IntegrityError):
        repository.commit_run(
            snapshot("not-a-run", as_of=AS_OF + timedelta(hours=1)),
            members(),
            AS_OF,
            rotation=rotation_graphs(),
        )
    assert _count(database, sector_rotation) == 2


def test_runs_stored_before_0010_have_no_rotation_and_still_open(database: Engine) -> None:
    repository = Repository(database)
    with downgraded(database, "0009"):
        old = run_record()
        repository.create_run(old)
        # Its grid as that release stored it: cards without quadrants.
        grid = snapshot(old.run_id).model_dump(mode="json")
        for card in grid["sectors"]:
            del card["rotation"]
        repository.commit_run(snapshot(old.run_id), members(), AS_OF)
        with database.begin() as connection:
            connection.execute(update(analysis_runs).values(result=grid))
    assert current_revision(database) == head_revision()
    assert repository.rotation(old.run_id, RotationInterval.DAY) is None
    stored = repository.snapshot(old.run_id)
    assert stored is not None
    assert {card.rotation.day for card in stored.sectors} == {None}
