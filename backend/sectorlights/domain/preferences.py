"""A trader's preferences (DESIGN §7): freshness tolerance and which scheduled runs matter."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ScheduledRun = Literal["20:00", "04:00", "08:00"]
LOCAL_USER = "local"
ALL_SCHEDULED_RUNS: tuple[ScheduledRun, ...] = ("20:00", "04:00", "08:00")


class Preferences(BaseModel):
    """Unknown fields are refused, so a typo is an error rather than a silently ignored setting."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    freshness_tolerance_hours: float = Field(
        default=2.0, gt=0, le=24, description="age after which a fresh analysis is offered"
    )
    scheduled_runs: list[ScheduledRun] = Field(
        default_factory=lambda: list(ALL_SCHEDULED_RUNS),
        description="the scheduled analyses (ET) this trader cares about",
    )
    intraday_refresh: bool = Field(default=True, description="follow the 30-minute intraday refresh")
