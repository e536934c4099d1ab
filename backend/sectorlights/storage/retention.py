"""The 90-day retention of DESIGN §9 where TimescaleDB's policies do not apply.

On TimescaleDB the hypertables (`sector_sentiment`, `minute_bars`, `stock_metrics`) drop their old
chunks by policy; everywhere else this job deletes what is older than the window. Runs without history rows
are deleted too, except the latest successful one, whose result is what the dashboard serves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, and_, delete, exists, func, select

from sectorlights.domain.snapshot import RunStatus
from sectorlights.storage.database import timescaledb_in_use
from sectorlights.storage.tables import analysis_runs, minute_bars, sector_sentiment, stock_metrics

RETENTION_DAYS = 90


@dataclass(frozen=True, slots=True)
class PruneReport:
    """Rows deleted per table, and whether TimescaleDB's policies handled the hypertables."""

    sector_sentiment: int
    minute_bars: int
    analysis_runs: int
    timescaledb: bool
    stock_metrics: int = 0


def prune_history(engine: Engine, now: datetime, retention_days: float = RETENTION_DAYS) -> PruneReport:
    """Delete history older than `retention_days` before `now`, in one transaction."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    cutoff = now - timedelta(days=retention_days)
    timescale = timescaledb_in_use(engine)
    with engine.begin() as connection:
        sentiment_rows = 0
        minute_rows = 0
        metric_rows = 0
        if not timescale:
            sentiment_rows = connection.execute(
                delete(sector_sentiment).where(sector_sentiment.c.timestamp < cutoff)
            ).rowcount
            minute_rows = connection.execute(
                delete(minute_bars).where(minute_bars.c.window_start < cutoff)
            ).rowcount
            metric_rows = connection.execute(
                delete(stock_metrics).where(stock_metrics.c.timestamp < cutoff)
            ).rowcount
        latest_success = (
            select(analysis_runs.c.run_id)
            .where(analysis_runs.c.status == RunStatus.SUCCEEDED.value)
            .order_by(analysis_runs.c.finished_at.desc())
            .limit(1)
            .scalar_subquery()
        )
        still_referenced = exists().where(sector_sentiment.c.run_id == analysis_runs.c.run_id)
        run_rows = connection.execute(
            delete(analysis_runs).where(
                and_(
                    analysis_runs.c.started_at < cutoff,
                    # coalesce: with no successful run at all, NULL would protect every run.
                    analysis_runs.c.run_id != func.coalesce(latest_success, ""),
                    ~still_referenced,
                )
            )
        ).rowcount
    return PruneReport(sentiment_rows, minute_rows, run_rows, timescale, stock_metrics=metric_rows)
