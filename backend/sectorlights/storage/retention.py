"""The 90-day retention of DESIGN §9, on every database, TimescaleDB included.

This job deletes history rows, minute bars and stock metrics older than the window. Runs without
history rows are deleted too, except the latest successful one, whose result is what the dashboard
serves. TimescaleDB's own retention policies are not used (migration 0007 removes them): they drop
chunks by the wall clock, which would delete a replay's rows and the imported bars it reads.

The window is measured against the data's own time, not the wall clock: a replay of a 2017 session
would otherwise delete the rows it had just stored and every imported minute bar. `newest_data_time`
gives that time (the newest analysed instant of a live run); the run just stored is named in
`KeptRun` so that its rows, and the minute bars within the window before its instant, always stay.
Minute bars are only ever imported flat files, so their window also ends at the newest imported bar:
a live run on another provider (the simulated market of today) leaves a 2017 import alone.

Runs triggered as replays (`sectorlights replay`, `POST /api/replays`) store no history rows and are
kept for the window after they were made (their start), however old the session they analysed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Connection, Engine, and_, case, delete, exists, func, select

from sectorlights.domain.snapshot import RunStatus, RunTrigger
from sectorlights.storage.database import timescaledb_in_use
from sectorlights.storage.tables import analysis_runs, minute_bars, sector_sentiment, stock_metrics

RETENTION_DAYS = 90


@dataclass(frozen=True, slots=True)
class PruneReport:
    """Rows deleted per table, and whether the database is TimescaleDB (its hypertables are pruned
    by this job too)."""

    sector_sentiment: int
    minute_bars: int
    analysis_runs: int
    timescaledb: bool
    stock_metrics: int = 0


@dataclass(frozen=True, slots=True)
class KeptRun:
    """The run just stored: its rows stay, and so do the minute bars its instant's window needs."""

    run_id: str
    as_of: datetime


_REPLAY = analysis_runs.c.trigger == RunTrigger.REPLAY.value


def newest_data_time(engine: Engine) -> datetime | None:
    """The newest instant a successful live run analysed (the data's own "now"), None before any."""
    with engine.connect() as connection:
        newest: datetime | None = connection.execute(
            select(func.max(analysis_runs.c.as_of)).where(
                analysis_runs.c.status == RunStatus.SUCCEEDED.value, ~_REPLAY
            )
        ).scalar_one()
    return newest


def _newest_minute_bar(connection: Connection) -> datetime | None:
    newest: datetime | None = connection.execute(select(func.max(minute_bars.c.window_start))).scalar_one()
    return newest


def prune_history(
    engine: Engine, now: datetime, retention_days: float = RETENTION_DAYS, keep: KeptRun | None = None
) -> PruneReport:
    """Delete history older than `retention_days` before `now` (the data's time), in one transaction."""
    if now.tzinfo is None or (keep is not None and keep.as_of.tzinfo is None):
        raise ValueError("now must be timezone-aware")
    window = timedelta(days=retention_days)
    cutoff = now - window
    minute_cutoff = cutoff if keep is None else min(cutoff, keep.as_of - window)

    def not_kept(run_id: ColumnElement[str]) -> ColumnElement[bool]:
        return run_id != (keep.run_id if keep is not None else "")

    timescale = timescaledb_in_use(engine)
    with engine.begin() as connection:
        sentiment_rows = connection.execute(
            delete(sector_sentiment).where(
                sector_sentiment.c.timestamp < cutoff, not_kept(sector_sentiment.c.run_id)
            )
        ).rowcount
        newest_minute = _newest_minute_bar(connection)
        if newest_minute is not None:
            minute_cutoff = min(minute_cutoff, newest_minute - window)
        minute_rows = connection.execute(
            delete(minute_bars).where(minute_bars.c.window_start < minute_cutoff)
        ).rowcount
        metric_rows = connection.execute(
            delete(stock_metrics).where(stock_metrics.c.timestamp < cutoff, not_kept(stock_metrics.c.run_id))
        ).rowcount
        latest_success = (
            select(analysis_runs.c.run_id)
            .where(analysis_runs.c.status == RunStatus.SUCCEEDED.value, ~_REPLAY)
            .order_by(analysis_runs.c.finished_at.desc())
            .limit(1)
            .scalar_subquery()
        )
        still_referenced = exists().where(sector_sentiment.c.run_id == analysis_runs.c.run_id)
        run_rows = connection.execute(
            delete(analysis_runs).where(
                and_(
                    # A past instant analysed as a live run: its data time decides. A replay run
                    # is kept for the window after it was made, whatever session it shows.
                    case(
                        (_REPLAY, analysis_runs.c.started_at),
                        else_=func.coalesce(analysis_runs.c.as_of, analysis_runs.c.started_at),
                    )
                    < cutoff,
                    not_kept(analysis_runs.c.run_id),
                    # coalesce: with no successful run at all, NULL would protect every run.
                    analysis_runs.c.run_id != func.coalesce(latest_success, ""),
                    ~still_referenced,
                )
            )
        ).rowcount
    return PruneReport(sentiment_rows, minute_rows, run_rows, timescale, stock_metrics=metric_rows)
