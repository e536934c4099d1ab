"""Hand-built domain values for storage, cache and API tests."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from sectorlights.domain.results import (
    FunnelStage,
    SectorCard,
    TimeframeResult,
    TopStock,
    UniverseMember,
)
from sectorlights.domain.rotation import (
    Quadrant,
    RotationInterval,
    RotationPoint,
    RunRotation,
    SectorRotation,
)
from sectorlights.domain.snapshot import (
    AnalysisRun,
    Benchmark,
    DataSource,
    RunStatus,
    RunTrigger,
    SectorSnapshot,
)
from sectorlights.domain.vocabulary import SECTORS, SIGNAL_BY_COLOR, TIMEFRAMES, Color, Tier
from sectorlights.storage.repository import Repository

AS_OF = datetime(2026, 11, 24, 11, 37, tzinfo=UTC)


def run_record(
    run_id: str | None = None, started_at: datetime = AS_OF, trigger: RunTrigger = RunTrigger.ON_DEMAND
) -> AnalysisRun:
    return AnalysisRun(
        run_id=run_id or str(uuid.uuid4()),
        trigger=trigger,
        status=RunStatus.RUNNING,
        stage="queued",
        progress_pct=0.0,
        provider="simulated",
        started_at=started_at,
    )


def sector_results(score: float = 0.62, color: Color = Color.DARK_GREEN) -> list[SectorCard]:
    cell = TimeframeResult(
        return_pct=3.6, plain_mean_pct=3.6, adjusted_return_pct=4.7, alpha_pct=3.5, score=score, color=color
    )
    stock = TopStock(symbol="SOUN", name="SoundHound AI", change_pct=8.2, relative_volume=2.1, rank_score=8.3)
    return [
        SectorCard(
            sector=sector,
            label=sector.value.replace("_", " ").title(),
            etf_proxy="XLK",
            score=score,
            color=color,
            signal=SIGNAL_BY_COLOR[color],
            confidence=0.71,
            stock_count=12,
            volatility_weight=1.3,
            timeframes=dict.fromkeys(TIMEFRAMES, cell),
            top_bullish=[stock],
            top_bearish=[],
            bearish_note="None in bullish sector — avoid shorts",
        )
        for sector in SECTORS
    ]


def snapshot(
    run_id: str, as_of: datetime = AS_OF, score: float = 0.62, color: Color = Color.DARK_GREEN
) -> SectorSnapshot:
    return SectorSnapshot(
        run_id=run_id,
        as_of=as_of,
        generated_at=as_of,
        current_session=date(2026, 11, 24),
        data_source=DataSource(provider="simulated", simulated=True, label="Simulated data"),
        benchmark=Benchmark(symbol="IWM", returns_pct=dict.fromkeys(TIMEFRAMES, 1.2)),
        universe_size=2,
        funnel=[FunnelStage(stage="listings", remaining=8500), FunnelStage(stage="size_cap", remaining=2)],
        sectors=sector_results(score, color),
    )


def replay_snapshot(run_id: str, as_of: datetime) -> SectorSnapshot:
    """A replay's grid: flat files of a past session, labelled as its replay."""
    session = as_of.date()
    source = DataSource(
        provider="flatfiles", simulated=False, label=f"Replay of {session.isoformat()}", replay_of=session
    )
    return snapshot(run_id, as_of=as_of, score=-0.4, color=Color.LIGHT_RED).model_copy(
        update={"data_source": source, "current_session": session}
    )


def replayed(repository: Repository, as_of: datetime, started_at: datetime = AS_OF) -> str:
    """A replay of `as_of` made at `started_at`, stored as `sectorlights replay` stores it."""
    run = run_record(started_at=started_at, trigger=RunTrigger.REPLAY)
    repository.create_run(run)
    repository.commit_replay(replay_snapshot(run.run_id, as_of), started_at)
    return run.run_id


def members() -> list[UniverseMember]:
    return [
        UniverseMember(
            symbol="SOUN",
            name="SoundHound AI",
            exchange="XNAS",
            tier=Tier.MICRO_CAP,
            sector=SECTORS[0],
            market_cap=180e6,
            avg_daily_volume=2.1e6,
            float_shares=30e6,
            sic_code=7372,
            volatility_multiplier=1.3,
            classification_confidence=0.9,
        ),
        UniverseMember(
            symbol="PRPL",
            name="Purple Innovation",
            exchange="XNAS",
            tier=Tier.SMALL_CAP,
            sector=SECTORS[4],
            market_cap=450e6,
            avg_daily_volume=1.8e6,
            float_shares=None,
            sic_code=None,
            volatility_multiplier=1.2,
            classification_confidence=0.6,
        ),
    ]


def rotation_graphs(as_of: datetime = AS_OF) -> list[RunRotation]:
    """A run's two rotation graphs: technology leading over three bars, every other sector without
    data (its reason said), as a run stores them."""
    points = [
        RotationPoint(
            time=as_of - timedelta(minutes=30 * back), rs_ratio=100.5 + back / 10, rs_momentum=101.0
        )
        for back in (2, 1, 0)
    ]
    return [
        RunRotation(
            interval=interval,
            benchmark="IWM",
            ratio_period=10,
            momentum_period=5,
            sectors=[
                SectorRotation(sector=sector, label=sector.value, quadrant=Quadrant.LEADING, points=points)
                if sector is SECTORS[0]
                else SectorRotation(
                    sector=sector, label=sector.value, quadrant=None, points=[], reason="Too little data"
                )
                for sector in SECTORS
            ],
        )
        for interval in RotationInterval
    ]
