"""The `/ws` messages (DESIGN §8) as models: `{type, seq, ts, payload}`, one model per type.

They describe what the hub and the engine send, for `GET /api/ws-schema` and the generated front-end
types; unknown fields are refused so a payload that grows without its model fails the schema test.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from sectorlights.domain.events import EventType
from sectorlights.domain.responses import SectorGrid
from sectorlights.domain.results import TopStock
from sectorlights.domain.rotation import CardRotation
from sectorlights.domain.snapshot import RunTrigger
from sectorlights.domain.vocabulary import Color, Sector, Signal


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SignificantMove(_Closed):
    """A universe stock's first move of 15 % or more from the previous close in a session."""

    symbol: str
    change_pct: float = Field(description="signed, in percent")
    previous_close: float
    price: float
    direction: Literal["up", "down"]
    sector: Sector


class RecentMove(SignificantMove):
    """A significant move of the last half hour, with when it was reported."""

    ts: datetime


class SnapshotPayload(_Closed):
    grid: SectorGrid | None = Field(description="null before the first run has published a grid")
    moves: list[RecentMove] = Field(description="the latest significant moves, newest first")


class SectorUpdate(_Closed):
    """A sector whose score, color, signal, confidence or rotation quadrant changed (never top lists)."""

    sector: Sector
    score: float
    color: Color
    signal: Signal
    confidence: float
    # Too few members for a colour (docs/methodology.md §8); absent from events before it existed.
    insufficient_data: bool = False
    # The card's rotation quadrants; absent from events before the rotation graph existed.
    rotation: CardRotation = Field(default_factory=CardRotation)
    previous_color: Color | None
    previous_score: float | None
    run_id: str
    as_of: datetime


class SectorUpdates(_Closed):
    run_id: str
    as_of: datetime
    sectors: list[SectorUpdate]


class TopStocksChange(_Closed):
    """A sector's bullish or bearish top list whose symbols changed."""

    sector: Sector
    side: Literal["bullish", "bearish"]
    symbols: list[str]
    entered: list[str]
    left: list[str]
    stocks: list[TopStock]
    run_id: str
    as_of: datetime


class TopStocksChanges(_Closed):
    run_id: str
    as_of: datetime
    changes: list[TopStocksChange]


class AnalysisProgress(_Closed):
    run_id: str
    trigger: RunTrigger
    stage: str = Field(description="the run's stage; done or failed at the end")
    percent: float
    error: str | None = Field(default=None, description="present when the run failed")


class Heartbeat(_Closed):
    clients: int = Field(description="clients connected to this process")
    latest_seq: int


class _Message(_Closed):
    seq: int = Field(description="rising per event; snapshots and heartbeats carry the latest")
    ts: datetime


class SnapshotMessage(_Message):
    type: Literal[EventType.SNAPSHOT]
    payload: SnapshotPayload


class SectorUpdateMessage(_Message):
    type: Literal[EventType.SECTOR_UPDATE]
    payload: SectorUpdates


class SignificantMoveMessage(_Message):
    type: Literal[EventType.SIGNIFICANT_MOVE]
    payload: SignificantMove


class TopStocksChangeMessage(_Message):
    type: Literal[EventType.TOP_STOCKS_CHANGE]
    payload: TopStocksChanges


class AnalysisProgressMessage(_Message):
    type: Literal[EventType.ANALYSIS_PROGRESS]
    payload: AnalysisProgress


class HeartbeatMessage(_Message):
    type: Literal[EventType.HEARTBEAT]
    payload: Heartbeat


MESSAGE_MODELS: dict[EventType, type[_Message]] = {
    EventType.SNAPSHOT: SnapshotMessage,
    EventType.SECTOR_UPDATE: SectorUpdateMessage,
    EventType.SIGNIFICANT_MOVE: SignificantMoveMessage,
    EventType.TOP_STOCKS_CHANGE: TopStocksChangeMessage,
    EventType.ANALYSIS_PROGRESS: AnalysisProgressMessage,
    EventType.HEARTBEAT: HeartbeatMessage,
}


class WsSchema(BaseModel):
    """`GET /api/ws-schema`: a self-contained JSON Schema (draft 2020-12) per `/ws` message type."""

    messages: dict[EventType, dict[str, Any]]


def ws_schema() -> WsSchema:
    return WsSchema(messages={kind: model.model_json_schema() for kind, model in MESSAGE_MODELS.items()})
