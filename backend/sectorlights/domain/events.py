"""The WebSocket messages of DESIGN §8: `{type, seq, ts, payload}` with a rising `seq`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class EventType(StrEnum):
    SNAPSHOT = "snapshot"
    SECTOR_UPDATE = "sector_update"
    SIGNIFICANT_MOVE = "significant_move"
    TOP_STOCKS_CHANGE = "top_stocks_change"
    ANALYSIS_PROGRESS = "analysis_progress"
    HEARTBEAT = "heartbeat"


@dataclass(frozen=True, slots=True)
class Event:
    """One message. `seq` is given by the bus when the event is published (0 for the per-client
    `snapshot` and `heartbeat`, which are not part of the replayable stream)."""

    type: EventType
    seq: int
    ts: datetime
    payload: dict[str, Any]

    def to_json(self) -> str:
        return json.dumps(
            {"type": self.type.value, "seq": self.seq, "ts": self.ts.isoformat(), "payload": self.payload},
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> Event:
        data = json.loads(text)
        return cls(
            type=EventType(data["type"]),
            seq=int(data["seq"]),
            ts=datetime.fromisoformat(data["ts"]),
            payload=data["payload"],
        )
