"""What one analysis run publishes: the sector grid with its provenance."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from sectorlights.domain.results import FunnelStage, SectorCard
from sectorlights.domain.vocabulary import Sector, Timeframe


class DataSource(BaseModel):
    model_config = ConfigDict(frozen=True)

    provider: str
    simulated: bool
    label: str
    replay_of: date | None = Field(
        default=None,
        description="set when the run analysed a past instant of real data (a replay): the session "
        "date in New York; the label then reads 'Replay of <date>'. None for live and simulated data",
    )


class Benchmark(BaseModel):
    """The Russell 2000 proxy's return per timeframe, in percent."""

    model_config = ConfigDict(frozen=True)

    symbol: str
    returns_pct: dict[Timeframe, float | None]


class DataQuality(BaseModel):
    """Vendor rows left out of this run, so a trader can see what the grid does not cover."""

    model_config = ConfigDict(frozen=True)

    rejected_rows: int = 0
    by_endpoint: dict[str, int] = {}
    examples: list[str] = []


class SectorSnapshot(BaseModel):
    """One run's grid; stored whole and served as `GET /api/sectors`."""

    model_config = ConfigDict(frozen=True)

    run_id: str
    as_of: datetime
    generated_at: datetime
    current_session: date
    data_source: DataSource
    benchmark: Benchmark
    universe_size: int
    funnel: list[FunnelStage]
    sectors: list[SectorCard]
    data_quality: DataQuality = DataQuality()

    def sector(self, sector: Sector) -> SectorCard:
        for result in self.sectors:
            if result.sector == sector:
                return result
        raise KeyError(sector)


class RunStatus(StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class RunTrigger(StrEnum):
    STARTUP = "startup"
    INTERVAL = "interval"
    SCHEDULED = "scheduled"
    ON_DEMAND = "on_demand"
    CLI = "cli"
    SIGNIFICANT_MOVE = "significant_move"
    # A past session analysed on request (`sectorlights replay`, `POST /api/replays`): stored to be
    # opened read-only, never the live grid.
    REPLAY = "replay"


class AnalysisRun(BaseModel):
    """The record of one analysis run."""

    model_config = ConfigDict(frozen=True)

    run_id: str
    trigger: RunTrigger
    status: RunStatus
    stage: str
    progress_pct: float
    provider: str
    started_at: datetime
    finished_at: datetime | None = None
    as_of: datetime | None = None
    universe_size: int | None = None
    error: str | None = None
