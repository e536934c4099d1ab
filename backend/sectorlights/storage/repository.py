"""Reads and writes of runs, sector history and the universe; one run commits atomically."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Table,
    and_,
    delete,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.engine import RowMapping
from sqlalchemy.sql.dml import Update

from sectorlights.domain.results import UniverseMember
from sectorlights.domain.rotation import RotationInterval, RunRotation
from sectorlights.domain.snapshot import AnalysisRun, RunStatus, RunTrigger, SectorSnapshot
from sectorlights.domain.vocabulary import Sector, Timeframe
from sectorlights.storage.tables import (
    analysis_runs,
    sector_rotation,
    sector_sentiment,
    stock_exclusions,
    stock_metrics,
    stock_universe,
)

# A `running` run whose heartbeat (or start, before its first heartbeat) is older than this was left
# by a process that died: the engine refreshes the heartbeat of a live run at least every 10 s.
RUN_STALE_AFTER = timedelta(seconds=30)
INTERRUPTED_ERROR = "interrupted: the process stopped mid-run"


# Runs whose grid may be the live one: every trigger but a replay's.
LIVE_RUN = analysis_runs.c.trigger != RunTrigger.REPLAY.value

# pg_advisory_xact_lock key serialising run commits ("SLCOMMIT" in ASCII).
COMMIT_LOCK_KEY = 0x534C434F4D4D4954


class Repository:
    """The database side of SectorLights (SQLite or PostgreSQL, same behaviour)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create_run(self, run: AnalysisRun, instance: str | None = None) -> None:
        """Record a new run, started by the serving process `instance` (None: not a serving one, as
        the CLI); its heartbeat starts at its start."""
        values = _run_values(run) | {"heartbeat_at": run.started_at}
        if instance is not None:  # else NULL, written the same before migration 0009
            values["instance"] = instance
        with self.engine.begin() as connection:
            connection.execute(insert(analysis_runs).values(**values))

    def update_progress(
        self, run_id: str, stage: str, progress_pct: float, heartbeat_at: datetime | None = None
    ) -> None:
        """Set a running run's stage and percent; also its heartbeat (`heartbeat_at`, else now)."""
        statement = (
            update(analysis_runs)
            .where(analysis_runs.c.run_id == run_id, analysis_runs.c.status == RunStatus.RUNNING.value)
            .values(stage=stage, progress_pct=progress_pct, heartbeat_at=heartbeat_at or datetime.now(UTC))
        )
        with self.engine.begin() as connection:
            connection.execute(statement)

    def heartbeat(self, run_id: str, now: datetime) -> None:
        """Show that a running run's process is alive (no effect once the run has ended)."""
        statement = (
            update(analysis_runs)
            .where(analysis_runs.c.run_id == run_id, analysis_runs.c.status == RunStatus.RUNNING.value)
            .values(heartbeat_at=now)
        )
        with self.engine.begin() as connection:
            connection.execute(statement)

    def fail_run(self, run_id: str, error: str, finished_at: datetime) -> None:
        """Mark a running run failed; a run that has already ended keeps its outcome."""
        statement = (
            update(analysis_runs)
            .where(analysis_runs.c.run_id == run_id, analysis_runs.c.status == RunStatus.RUNNING.value)
            .values(status=RunStatus.FAILED.value, error=error[:4000], finished_at=finished_at)
        )
        with self.engine.begin() as connection:
            connection.execute(statement)

    def commit_run(
        self,
        snapshot: SectorSnapshot,
        members: list[UniverseMember],
        finished_at: datetime,
        exclusions: Mapping[str, str] | None = None,
        rotation: Iterable[RunRotation] = (),
    ) -> None:
        """Publish a run: history rows, the universe (members and, when given, the exclusion reason
        of every other listing), its rotation graphs and the run's result, in one transaction."""
        history = [
            {
                "timestamp": snapshot.as_of,
                "sector": result.sector.value,
                "sentiment_score": round(result.score, 3),
                "color_classification": result.color.value,
                "confidence_level": round(result.confidence, 2),
                "signal": result.signal.value,
                "stock_count": result.stock_count,
                "run_id": snapshot.run_id,
                "detail": result.model_dump(
                    mode="json",
                    include={
                        "timeframes",
                        "top_bullish",
                        "top_bearish",
                        "volatility_weight_source",
                        "factors",
                        "gap_profile",
                        "etf_check",
                    },
                ),
            }
            for result in snapshot.sectors
        ]
        universe = [
            {
                "symbol": member.symbol,
                "name": member.name[:200],
                "market_cap": round(member.market_cap),
                "avg_daily_volume": round(member.avg_daily_volume),
                "sector": member.sector.value,
                "volatility_multiplier": round(member.volatility_multiplier, 1),
                "last_updated": snapshot.as_of,
                "tier": member.tier.value,
                "exchange": member.exchange,
                "float_shares": None if member.float_shares is None else round(member.float_shares),
                "sic_code": member.sic_code,
                "confidence": round(member.classification_confidence, 2),
                "run_id": snapshot.run_id,
                "classification_source": member.classification_source,
                **_member_metrics(member),
            }
            for member in members
        ]
        metrics = [
            {
                "timestamp": snapshot.as_of,
                "symbol": row["symbol"],
                "run_id": snapshot.run_id,
                **{column: row[column] for column in _HISTORY_COLUMNS},
            }
            for row in universe
        ]
        with self.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                # Replicas publishing at once (the same instant, on demand) take turns instead of
                # colliding on its primary keys; the lock ends with the transaction.
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": COMMIT_LOCK_KEY})
            # Re-analysing the same instant replaces that instant's rows.
            connection.execute(delete(sector_sentiment).where(sector_sentiment.c.timestamp == snapshot.as_of))
            connection.execute(insert(sector_sentiment), history)
            connection.execute(delete(stock_metrics).where(stock_metrics.c.timestamp == snapshot.as_of))
            if metrics:
                connection.execute(insert(stock_metrics), metrics)
            connection.execute(delete(stock_universe))
            if universe:
                connection.execute(insert(stock_universe), universe)
            if exclusions is not None:
                connection.execute(delete(stock_exclusions))
                excluded = [
                    {"symbol": symbol[:16], "reason": reason[:20], "run_id": snapshot.run_id}
                    for symbol, reason in exclusions.items()
                ]
                if excluded:
                    connection.execute(insert(stock_exclusions), excluded)
            _insert_rotation(connection, snapshot, rotation)
            connection.execute(_succeeded(snapshot, finished_at))

    def commit_replay(
        self, snapshot: SectorSnapshot, finished_at: datetime, rotation: Iterable[RunRotation] = ()
    ) -> None:
        """Publish a replay: its run's result and rotation graphs, to be opened read-only. The
        universe tables and the sector and stock history describe the live market, so a replay leaves
        them alone."""
        with self.engine.begin() as connection:
            _insert_rotation(connection, snapshot, rotation)
            connection.execute(_succeeded(snapshot, finished_at))

    def rotation(self, run_id: str, interval: RotationInterval) -> tuple[datetime, RunRotation] | None:
        """A run's rotation graph of `interval` with the run's market time; None when the run kept
        none (it failed, or was stored before the graph was measured)."""
        statement = select(sector_rotation).where(
            sector_rotation.c.run_id == run_id, sector_rotation.c.interval == interval.value
        )
        with self.engine.connect() as connection:
            row = connection.execute(statement).mappings().first()
        if row is None:
            return None
        return row["as_of"], RunRotation.model_validate(
            {key: row[key] for key in ("interval", "benchmark", "ratio_period", "momentum_period", "sectors")}
        )

    def get_run(self, run_id: str) -> AnalysisRun | None:
        with self.engine.connect() as connection:
            row = connection.execute(select(*_run_columns()).where(analysis_runs.c.run_id == run_id)).first()
        return None if row is None else _run_from_row(row._mapping)

    def latest_run(
        self, status: RunStatus | None = None, trigger: RunTrigger | None = None
    ) -> AnalysisRun | None:
        """The most recently started live run (of `status` and `trigger`, when given): replays are
        never it."""
        statement = (
            select(*_run_columns()).where(LIVE_RUN).order_by(analysis_runs.c.started_at.desc()).limit(1)
        )
        if status is not None:
            statement = statement.where(analysis_runs.c.status == status.value)
        if trigger is not None:
            statement = statement.where(analysis_runs.c.trigger == trigger.value)
        with self.engine.connect() as connection:
            row = connection.execute(statement).first()
        return None if row is None else _run_from_row(row._mapping)

    def latest_snapshot(self) -> SectorSnapshot | None:
        """The grid of the most recent successful live run (the served grid; never a replay's)."""
        statement = (
            select(analysis_runs.c.result)
            .where(analysis_runs.c.status == RunStatus.SUCCEEDED.value, LIVE_RUN)
            .order_by(analysis_runs.c.finished_at.desc())
            .limit(1)
        )
        with self.engine.connect() as connection:
            payload = connection.execute(statement).scalar_one_or_none()
        return None if payload is None else SectorSnapshot.model_validate(payload)

    def snapshot(self, run_id: str) -> SectorSnapshot | None:
        """The stored grid of one successful run; None when there is no such run or it failed."""
        statement = select(analysis_runs.c.result).where(
            analysis_runs.c.run_id == run_id, analysis_runs.c.status == RunStatus.SUCCEEDED.value
        )
        with self.engine.connect() as connection:
            payload = connection.execute(statement).scalar_one_or_none()
        return None if payload is None else SectorSnapshot.model_validate(payload)

    def stored_runs(self, limit: int, before: datetime | None = None) -> list[dict[str, Any]]:
        """Successful runs by market time, newest first (only those before `before`, when given):
        run id, trigger, as_of and the grid's generated_at and data_source, read out of the stored
        grid without loading it whole."""
        result = analysis_runs.c.result
        statement = (
            select(
                analysis_runs.c.run_id,
                analysis_runs.c.trigger,
                analysis_runs.c.as_of,
                result["generated_at"].label("generated_at"),
                result["data_source"].label("data_source"),
            )
            .where(analysis_runs.c.status == RunStatus.SUCCEEDED.value, analysis_runs.c.as_of.is_not(None))
            .order_by(analysis_runs.c.as_of.desc(), analysis_runs.c.finished_at.desc())
            .limit(limit)
        )
        if before is not None:
            statement = statement.where(analysis_runs.c.as_of < before)
        with self.engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(statement)]

    def list_runs(self, limit: int = 20, status: RunStatus | None = None) -> list[AnalysisRun]:
        """The most recent runs first, optionally only those with `status`."""
        statement = select(*_run_columns()).order_by(analysis_runs.c.started_at.desc()).limit(limit)
        if status is not None:
            statement = statement.where(analysis_runs.c.status == status.value)
        with self.engine.connect() as connection:
            rows = connection.execute(statement).all()
        return [_run_from_row(row._mapping) for row in rows]

    def sector_history(
        self,
        sector: Sector,
        limit: int = 500,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[dict[str, Any]]:
        """A sector's stored results, newest first, within [since, until] when given (aware datetimes)."""
        return self._time_window(
            sector_sentiment, sector_sentiment.c.sector == sector.value, limit, since, until
        )

    def stock_history(
        self,
        symbol: str,
        limit: int = 500,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[dict[str, Any]]:
        """A stock's per-run metrics, newest first, within [since, until] when given (aware datetimes)."""
        return self._time_window(stock_metrics, stock_metrics.c.symbol == symbol, limit, since, until)

    def _time_window(
        self,
        table: Table,
        condition: ColumnElement[bool],
        limit: int,
        since: datetime | None,
        until: datetime | None,
    ) -> list[dict[str, Any]]:
        """Rows of a history table matching `condition`, newest `timestamp` first, in [since, until]."""
        statement = select(table).where(condition)
        if since is not None:
            statement = statement.where(table.c.timestamp >= since)
        if until is not None:
            statement = statement.where(table.c.timestamp <= until)
        statement = statement.order_by(table.c.timestamp.desc()).limit(limit)
        with self.engine.connect() as connection:
            rows = connection.execute(statement).mappings().all()
        return [dict(row) for row in rows]

    def universe_members(
        self, sector: Sector | None = None, offset: int = 0, limit: int | None = None
    ) -> tuple[list[dict[str, Any]], int]:
        """A page of the latest run's universe (by symbol) and how many members match in all."""
        statement = select(stock_universe)
        count = select(func.count()).select_from(stock_universe)
        if sector is not None:
            statement = statement.where(stock_universe.c.sector == sector.value)
            count = count.where(stock_universe.c.sector == sector.value)
        statement = statement.order_by(stock_universe.c.symbol).offset(offset)
        if limit is not None:
            statement = statement.limit(limit)
        with self.engine.connect() as connection:
            rows = connection.execute(statement).mappings().all()
            total = connection.execute(count).scalar_one()
        return [_member_from_row(row) for row in rows], int(total)

    def member(self, symbol: str) -> dict[str, Any] | None:
        """The latest run's universe row for `symbol`, or None when it is not a member."""
        statement = select(stock_universe).where(stock_universe.c.symbol == symbol)
        with self.engine.connect() as connection:
            row = connection.execute(statement).mappings().first()
        return None if row is None else _member_from_row(row)

    def exclusion(self, symbol: str) -> str | None:
        """The first criterion `symbol` failed in the latest run, or None when it was not excluded."""
        statement = select(stock_exclusions.c.reason).where(stock_exclusions.c.symbol == symbol)
        with self.engine.connect() as connection:
            reason: str | None = connection.execute(statement).scalar_one_or_none()
        return reason

    def universe_symbols(self) -> list[str]:
        with self.engine.connect() as connection:
            return list(connection.execute(select(stock_universe.c.symbol).order_by("symbol")).scalars())

    def fail_abandoned_runs(
        self, now: datetime, stale_after: timedelta = RUN_STALE_AFTER, restarted_instance: str | None = None
    ) -> int:
        """Runs left `running` by a process that died are marked failed (finished at `now`); returns
        how many. Abandoned means no heartbeat (nor, without one, a start) within `stale_after` of
        `now`, so the live runs of other replicas sharing the database are left alone; or, given
        `restarted_instance` (a serving process that has just started), started by that instance,
        whatever its heartbeat: the process that ran it is gone."""
        cutoff = now - stale_after
        heartbeat, started = analysis_runs.c.heartbeat_at, analysis_runs.c.started_at
        abandoned = or_(heartbeat < cutoff, and_(heartbeat.is_(None), started < cutoff))
        if restarted_instance is not None:
            abandoned = or_(abandoned, analysis_runs.c.instance == restarted_instance)
        statement = (
            update(analysis_runs)
            .where(analysis_runs.c.status == RunStatus.RUNNING.value, abandoned)
            .values(status=RunStatus.FAILED.value, error=INTERRUPTED_ERROR, finished_at=now)
        )
        with self.engine.begin() as connection:
            return connection.execute(statement).rowcount


def _plain(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


# The universe's stored change column of each timeframe (the heatmap reads them too).
TIMEFRAME_COLUMNS = {
    Timeframe.MIN_30: "change_30m_pct",
    Timeframe.DAY_1: "change_1d_pct",
    Timeframe.DAY_3: "change_3d_pct",
    Timeframe.WEEK_1: "change_1w_pct",
}


# The universe columns each run also keeps in `stock_metrics`.
_HISTORY_COLUMNS = (
    "sector",
    "tier",
    "market_cap",
    "volatility_multiplier",
    "classification_source",
    *TIMEFRAME_COLUMNS.values(),
    "relative_volume",
    "rank_score",
)


def _member_metrics(member: UniverseMember) -> dict[str, float | None]:
    returns = member.returns_pct or {}
    return {
        **{column: returns.get(timeframe) for timeframe, column in TIMEFRAME_COLUMNS.items()},
        "relative_volume": member.relative_volume,
        "rank_score": member.rank_score,
    }


def _member_from_row(row: RowMapping) -> dict[str, Any]:
    """A universe row with plain JSON-friendly numbers."""
    return {key: _plain(value) for key, value in row.items()}


def _run_columns() -> list[Any]:
    return [column for column in analysis_runs.c if column.name != "result"]


def _run_values(run: AnalysisRun) -> dict[str, Any]:
    values = run.model_dump()
    values["trigger"] = run.trigger.value
    values["status"] = run.status.value
    return values


def _run_from_row(row: RowMapping) -> AnalysisRun:
    return AnalysisRun(
        run_id=row["run_id"],
        trigger=RunTrigger(row["trigger"]),
        status=RunStatus(row["status"]),
        stage=row["stage"],
        progress_pct=row["progress_pct"],
        provider=row["provider"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        as_of=row["as_of"],
        universe_size=row["universe_size"],
        error=row["error"],
    )


def _insert_rotation(connection: Connection, snapshot: SectorSnapshot, graphs: Iterable[RunRotation]) -> None:
    """The run's rotation graphs, one row per interval."""
    rows = [
        {"run_id": snapshot.run_id, "as_of": snapshot.as_of} | graph.model_dump(mode="json")
        for graph in graphs
    ]
    if rows:
        connection.execute(insert(sector_rotation), rows)


def _succeeded(snapshot: SectorSnapshot, finished_at: datetime) -> Update:
    """The update that marks `snapshot`'s run succeeded and stores its result."""
    return (
        update(analysis_runs)
        .where(analysis_runs.c.run_id == snapshot.run_id)
        .values(
            status=RunStatus.SUCCEEDED.value,
            stage="done",
            progress_pct=100.0,
            finished_at=finished_at,
            as_of=snapshot.as_of,
            universe_size=snapshot.universe_size,
            result=snapshot.model_dump(mode="json"),
        )
    )
