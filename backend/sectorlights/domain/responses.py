"""What the HTTP API answers, one model per body: the engine's queries build them and the OpenAPI
schema (and the TypeScript generated from it) names them."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from sectorlights.domain.results import (
    EtfCheck,
    FunnelStage,
    GapProfile,
    SectorCard,
    SectorFactors,
    TimeframeResult,
    TopStock,
)
from sectorlights.domain.snapshot import AnalysisRun, DataSource, RunStatus, RunTrigger, SectorSnapshot
from sectorlights.domain.vocabulary import Color, Freshness, Sector, Signal, Tier, Timeframe

ReturnsPct = dict[Timeframe, float | None]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class GridFreshness(_Frozen):
    """What the served grid says about its own age."""

    age_secs: float = Field(description="seconds since the grid's market time, on the server's clock")
    freshness: Freshness
    recommendation: str = Field(description="serve, offer a refresh or recommend a fresh run")
    stale: bool = Field(description="older than 4 h, or the latest run failed")
    last_error: str | None = Field(description="the error of this process's latest run when it failed")


class SectorGrid(SectorSnapshot, GridFreshness):
    """`GET /api/sectors`: the latest run's grid with its freshness."""


class Constituent(_Frozen):
    """One member of the latest run's universe, as stored."""

    symbol: str
    name: str
    market_cap: int
    avg_daily_volume: int
    sector: Sector
    volatility_multiplier: float
    last_updated: datetime = Field(description="the market time of the run that admitted it")
    tier: Tier
    exchange: str
    float_shares: int | None
    sic_code: int | None
    confidence: float = Field(description="classification confidence in [0, 1]")
    run_id: str
    classification_source: str | None = Field(description="override, fmp, sic or keyword")
    change_30m_pct: float | None
    change_1d_pct: float | None
    change_3d_pct: float | None
    change_1w_pct: float | None
    relative_volume: float | None
    rank_score: float | None


class SectorDetail(_Frozen):
    """`GET /api/sectors/{sector}`: one card of the latest grid and every constituent."""

    run_id: str
    as_of: datetime
    data_source: DataSource
    sector: SectorCard
    constituent_count: int
    constituents: list[Constituent]


class HistoryDetail(_Frozen):
    """The per-timeframe detail a sector's history keeps of each run."""

    timeframes: dict[Timeframe, TimeframeResult]
    top_bullish: list[TopStock]
    top_bearish: list[TopStock]
    # Absent from runs stored before these were measured, like on the card.
    volatility_weight_source: str = "static"
    factors: SectorFactors | None = None
    gap_profile: GapProfile | None = None
    etf_check: EtfCheck | None = None


class HistoryEntry(_Frozen):
    timestamp: datetime
    run_id: str
    score: float
    color: Color
    signal: Signal
    confidence: float
    stock_count: int
    detail: HistoryDetail


class SectorHistory(_Frozen):
    """`GET /api/sectors/{sector}/history`: newest first."""

    sector: Sector
    since: datetime | None
    until: datetime | None
    limit: int
    count: int
    history: list[HistoryEntry]


class StockClassification(_Frozen):
    sector: Sector
    source: str | None
    confidence: float
    sic_code: int | None


class SectorSummary(_Frozen):
    """The headline of a stock's sector card."""

    sector: Sector
    label: str
    score: float
    color: Color
    signal: Signal
    confidence: float


class StockMetrics(_Frozen):
    returns_pct: ReturnsPct
    relative_volume: float | None
    rank_score: float | None


TopListSide = Literal["top_bullish", "top_bearish"]


class TopListEntry(_Frozen):
    """Where a stock stands in the latest grid's top lists; rank 1 is first."""

    sector: Sector
    list: TopListSide
    rank: int
    change_pct: float
    relative_volume: float | None
    rank_score: float


class StockDetail(_Frozen):
    """`GET /api/stocks/{symbol}`: a universe member and its place in the latest grid."""

    symbol: str
    in_universe: bool
    member: Constituent
    classification: StockClassification
    sector_card: SectorSummary | None
    metrics: StockMetrics
    in_top_list: bool
    top_list: TopListEntry | None
    run_id: str
    as_of: datetime


class StockHistoryPoint(_Frozen):
    timestamp: datetime
    run_id: str
    sector: Sector
    tier: Tier
    returns_pct: ReturnsPct
    relative_volume: float | None
    rank_score: float | None


class StockHistory(_Frozen):
    """`GET /api/stocks/{symbol}/history`: newest first."""

    symbol: str
    count: int
    points: list[StockHistoryPoint]


class UniversePage(_Frozen):
    """`GET /api/universe`: a page of the latest run's universe and the funnel that produced it."""

    run_id: str
    as_of: datetime
    universe_size: int
    funnel: list[FunnelStage]
    sector: Sector | None
    total: int = Field(description="members matching the sector filter, in all")
    offset: int
    limit: int
    members: list[Constituent]


class AnalysisRunStatus(AnalysisRun):
    """A run's record; its stage and percent are live while it runs in this process."""


class AnalysisStarted(_Frozen):
    """`POST /api/analysis`: the run started, or the one in flight that was joined."""

    run_id: str
    status: RunStatus
    stage: str
    progress_pct: float
    trigger: RunTrigger
    joined: bool


class ScheduledAnalysis(_Frozen):
    at: datetime
    kind: str = Field(description="full or intraday")


class LatestAnalysis(_Frozen):
    """`GET /api/analysis/latest`: the latest run, the served grid's freshness, the next runs."""

    run: AnalysisRunStatus
    last_error: str | None
    next_scheduled: list[ScheduledAnalysis]
    grid_run_id: str | None
    as_of: datetime | None
    age_secs: float | None
    freshness: Freshness | None
    recommendation: str


ComponentState = Literal["ok", "error"]


class DatabaseStatus(_Frozen):
    status: ComponentState
    dialect: str
    timescaledb: bool
    revision: str | None = Field(description="the migration the database is at; null before the first")
    head: str
    detail: str


class CacheStatus(_Frozen):
    status: ComponentState
    backend: str
    detail: str


class MarketDataStatus(_Frozen):
    status: Literal["ok", "error", "not_configured"]
    provider: str
    detail: str


class HealthComponents(_Frozen):
    database: DatabaseStatus
    redis: CacheStatus
    polygon: MarketDataStatus


class Health(_Frozen):
    """`GET /health`: error when the database is down, degraded when the cache or vendor is."""

    status: Literal["ok", "degraded", "error"]
    components: HealthComponents


class HealthSummary(_Frozen):
    """A `/health*` answer to a caller without a token when auth is required: the status only, no
    hosts, ports or revisions."""

    status: Literal["ok", "degraded", "error", "not_configured"]


class Liveness(_Frozen):
    """`GET /livez`: the process answers; no I/O behind it."""

    status: Literal["ok"]
    version: str


class Readiness(_Frozen):
    """`GET /readyz`: ready when the database is reachable and migrated and the cache answers."""

    status: Literal["ready", "not_ready"]
    reason: str | None = Field(description="why the replica is not ready; null when it is")
    database: DatabaseStatus
    cache: CacheStatus


class StoredRun(_Frozen):
    """One stored successful run a trader can open from the dashboard's history."""

    run_id: str
    as_of: datetime = Field(description="the market time the grid describes")
    generated_at: datetime = Field(description="when the run computed the grid, on the server's clock")
    trigger: RunTrigger
    data_source: DataSource


class StoredRuns(_Frozen):
    """`GET /api/runs`: stored successful runs by market time, newest first."""

    limit: int
    before: datetime | None = Field(description="only runs whose market time is before this instant")
    count: int
    runs: list[StoredRun]
