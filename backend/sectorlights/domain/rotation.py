"""The Relative Rotation Graph of the 8 sectors against IWM: its vocabulary and what a run keeps of it
(docs/methodology.md, "Sector rotation")."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from sectorlights.domain.vocabulary import Sector


class Quadrant(StrEnum):
    """Where a sector's latest point lies: RS-Ratio (x) and RS-Momentum (y) against 100."""

    LEADING = "leading"  # ratio >= 100, momentum >= 100
    WEAKENING = "weakening"  # ratio >= 100, momentum < 100
    LAGGING = "lagging"  # ratio < 100, momentum < 100
    IMPROVING = "improving"  # ratio < 100, momentum >= 100


class RotationInterval(StrEnum):
    """The bars a graph is drawn from: daily closes, or half-hour closes over extended hours."""

    DAY = "day"
    MIN_30 = "30min"


QUADRANTS: tuple[Quadrant, ...] = tuple(Quadrant)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class RotationPoint(_Frozen):
    """One bar's position on the graph."""

    time: datetime = Field(
        description="the bar's close: a session's regular close, a half hour, or the run's time"
    )
    rs_ratio: float = Field(
        description="JdK-style RS-Ratio: 100 = the sector's relative strength at its own mean"
    )
    rs_momentum: float = Field(description="JdK-style RS-Momentum: 100 = RS-Ratio changing at its usual pace")


class SectorRotation(_Frozen):
    """One sector's tail: its latest points, oldest first, and the quadrant of the last one."""

    sector: Sector
    label: str
    quadrant: Quadrant | None = Field(description="of the latest point; null when there is none")
    points: list[RotationPoint] = Field(description="oldest first; the last is the sector's current position")
    reason: str | None = Field(
        default=None, description="why the sector has fewer points than asked for, or none (too little data)"
    )


class RunRotation(_Frozen):
    """What a run stores of one interval's graph: every sector with up to the longest tail."""

    interval: RotationInterval
    benchmark: str
    ratio_period: int = Field(description="bars in the RS-Ratio's rolling mean and deviation")
    momentum_period: int = Field(description="bars in the RS-Momentum's rolling mean and deviation")
    sectors: list[SectorRotation]


class RotationGraph(RunRotation):
    """`GET /api/rrg`: the Relative Rotation Graph of the 8 sectors against IWM in one run."""

    run_id: str
    as_of: datetime = Field(description="the run's market time")
    tail: int = Field(description="points asked for per sector (a sector may have fewer: see its reason)")


class CardRotation(_Frozen):
    """The quadrant a sector card shows, per interval; null without enough bars (or in runs stored
    before the graph was measured)."""

    day: Quadrant | None = None
    intraday: Quadrant | None = None
