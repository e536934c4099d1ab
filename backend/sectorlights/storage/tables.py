"""The tables of DESIGN §9 (SQLAlchemy Core); Alembic migrations create them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
)

from sectorlights.storage.types import UtcDateTime

metadata = MetaData()

analysis_runs = Table(
    "analysis_runs",
    metadata,
    Column("run_id", String(36), primary_key=True),
    Column("trigger", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("stage", String(40), nullable=False),
    Column("progress_pct", Float, nullable=False),
    Column("provider", String(40), nullable=False),
    Column("started_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime, nullable=True),
    Column("as_of", UtcDateTime, nullable=True),
    Column("universe_size", Integer, nullable=True),
    Column("error", Text, nullable=True),
    # The whole published grid, so the API can rebuild its cache from the database.
    Column("result", JSON, nullable=True),
    # Refreshed while the run is in flight; a stale one means its process died (NULL before 0006).
    Column("heartbeat_at", UtcDateTime, nullable=True),
    # The serving process that started it (SECTORLIGHTS_INSTANCE): restarting, that process fails its
    # own runs left `running` at once. NULL for the CLI's runs and those from before 0009.
    Column("instance", String(200), nullable=True),
    Index("ix_analysis_runs_status_finished", "status", "finished_at"),
)

# The spec's schema plus the run id, signal and per-timeframe detail.
sector_sentiment = Table(
    "sector_sentiment",
    metadata,
    Column("timestamp", UtcDateTime, primary_key=True),
    Column("sector", String(50), primary_key=True),
    Column("sentiment_score", Numeric(4, 3), nullable=False),
    Column("color_classification", String(20), nullable=False),
    Column("confidence_level", Numeric(3, 2), nullable=False),
    Column("signal", String(40), nullable=False),
    Column("stock_count", Integer, nullable=False),
    Column("run_id", String(36), ForeignKey("analysis_runs.run_id"), nullable=False),
    Column("detail", JSON, nullable=False),
    Index("ix_sector_sentiment_sector_timestamp", "sector", "timestamp"),
)


def _member_metric_columns() -> list[Column[Any]]:
    """A member's timeframe returns, relative volume and rank (fresh objects: a Column belongs to one
    table)."""
    names = (
        "change_30m_pct",
        "change_1d_pct",
        "change_3d_pct",
        "change_1w_pct",
        "relative_volume",
        "rank_score",
    )
    return [Column(name, Float, nullable=True) for name in names]


# Each run's Relative Rotation Graph per interval (`day`, `30min`): every sector's latest points and
# quadrant as JSON (`RunRotation.sectors`). Replays keep theirs too; a run's rows go with the run.
sector_rotation = Table(
    "sector_rotation",
    metadata,
    Column("run_id", String(36), ForeignKey("analysis_runs.run_id", ondelete="CASCADE"), primary_key=True),
    Column("interval", String(8), primary_key=True),
    Column("as_of", UtcDateTime, nullable=False),
    Column("benchmark", String(16), nullable=False),
    Column("ratio_period", Integer, nullable=False),
    Column("momentum_period", Integer, nullable=False),
    Column("sectors", JSON, nullable=False),
)

# The spec's schema plus tier, exchange, float, SIC and classification confidence.
stock_universe = Table(
    "stock_universe",
    metadata,
    Column("symbol", String(10), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("market_cap", BigInteger, nullable=False),
    Column("avg_daily_volume", BigInteger, nullable=False),
    Column("sector", String(50), nullable=False),
    Column("volatility_multiplier", Numeric(3, 1), nullable=False),
    Column("last_updated", UtcDateTime, nullable=False),
    Column("tier", String(20), nullable=False),
    Column("exchange", String(10), nullable=False),
    Column("float_shares", BigInteger, nullable=True),
    Column("sic_code", Integer, nullable=True),
    Column("confidence", Numeric(3, 2), nullable=False),
    Column("run_id", String(36), nullable=False),
    Column("classification_source", String(10), nullable=True),
    *_member_metric_columns(),
    Index("ix_stock_universe_sector", "sector"),
)

# Every run's per-stock metrics (stock_universe keeps only the latest run's); `timestamp` is the
# run's as-of instant. Hypertable with the 90-day retention policy on TimescaleDB.
stock_metrics = Table(
    "stock_metrics",
    metadata,
    Column("timestamp", UtcDateTime, primary_key=True),
    Column("symbol", String(16), primary_key=True),
    Column("run_id", String(36), nullable=False),
    Column("sector", String(50), nullable=False),
    Column("tier", String(20), nullable=False),
    Column("market_cap", BigInteger, nullable=False),
    Column("volatility_multiplier", Float, nullable=False),
    Column("classification_source", String(10), nullable=True),
    *_member_metric_columns(),
    Index("ix_stock_metrics_symbol_timestamp", "symbol", "timestamp"),
)


def _bar_columns() -> list[Column[Any]]:
    """The price and volume columns every bar table has (fresh objects: a Column belongs to one table)."""
    prices = [Column(name, Float, nullable=False) for name in ("open", "high", "low", "close", "volume")]
    return [*prices, Column("transactions", Integer, nullable=True)]


# Whole-market daily bars, one row per symbol and session (imported flat files or vendor calls).
daily_bars = Table(
    "daily_bars",
    metadata,
    Column("symbol", String(16), primary_key=True),
    Column("session", Date, primary_key=True),
    *_bar_columns(),
    Index("ix_daily_bars_session", "session"),
)

# One-minute bars (04:00-20:00 ET); `window_start` is the bar's start. Hypertable on TimescaleDB.
minute_bars = Table(
    "minute_bars",
    metadata,
    Column("symbol", String(16), primary_key=True),
    Column("window_start", UtcDateTime, primary_key=True),
    *_bar_columns(),
    Index("ix_minute_bars_window_start", "window_start"),
)

# Per-ticker reference data (TickerReference), refreshed on a schedule.
ticker_reference = Table(
    "ticker_reference",
    metadata,
    Column("symbol", String(16), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("security_type", String(16), nullable=False),
    Column("primary_exchange", String(16), nullable=False),
    Column("market_cap", Float, nullable=True),
    Column("shares_outstanding", Float, nullable=True),
    Column("sic_code", String(8), nullable=True),
    Column("sic_description", String(200), nullable=True),
    Column("fetched_at", UtcDateTime, nullable=False),
)

# Sectors from outside classifiers (FMP), kept between runs so each symbol is asked for rarely.
sector_reference = Table(
    "sector_reference",
    metadata,
    Column("symbol", String(16), primary_key=True),
    Column("source", String(10), primary_key=True),
    Column("sector", String(50), nullable=True),
    Column("fetched_at", UtcDateTime, nullable=False),
)

# API users; only a SHA-256 of each token is kept (tokens are random, so no salt is needed).
users = Table(
    "users",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("token_sha256", String(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
)

user_preferences = Table(
    "user_preferences",
    metadata,
    Column("user_name", String(64), primary_key=True),
    Column("preferences", JSON, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

# Every listing the latest run left out of the universe, with the first criterion it failed.
stock_exclusions = Table(
    "stock_exclusions",
    metadata,
    Column("symbol", String(16), primary_key=True),
    Column("reason", String(20), nullable=False),
    Column("run_id", String(36), nullable=False),
)
