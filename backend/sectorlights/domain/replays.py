"""`POST /api/replays`: the past session a trader asks to replay, and the run that replays it."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from sectorlights.domain.snapshot import RunStatus, RunTrigger


class ReplayRequest(BaseModel):
    """A past session and a New York time in it. Both are checked by the engine (the CLI's
    `sectorlights replay` shares the checks), which names the field at fault."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    date: str = Field(max_length=40, description="the session to replay, YYYY-MM-DD", examples=["2017-11-09"])
    time: str | None = Field(
        default=None,
        max_length=40,
        description="New York time HH:MM within the session's 04:00-20:00; default its regular close "
        "(16:00, 13:00 on early-close days). Before the close it needs that day's minute bars",
        examples=["16:00"],
    )


class ReplayStarted(BaseModel):
    """The replay's run, started: follow it at `GET /api/analysis/{run_id}`, then open its grid at
    `GET /api/runs/{run_id}/grid`."""

    model_config = ConfigDict(frozen=True)

    run_id: str
    status: RunStatus
    stage: str
    progress_pct: float
    trigger: RunTrigger
    session: dt.date = Field(description="the session replayed (New York)")
    as_of: dt.datetime = Field(description="the instant analysed")
