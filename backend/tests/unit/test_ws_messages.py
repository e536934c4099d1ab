"""The `/ws` message schemas describe what the engine and the hub build."""

from __future__ import annotations

import json
from typing import Any

from jsonschema import Draft202012Validator

from sectorlights.analytics.changes import grid_changes
from sectorlights.analytics.moves import SignificantMove
from sectorlights.domain.events import Event, EventType
from sectorlights.domain.messages import ws_schema
from sectorlights.domain.vocabulary import Color
from tests.samples import AS_OF, snapshot


def assert_described(event: Event) -> None:
    schema = ws_schema().messages[event.type]
    message = json.loads(event.to_json())
    errors = [error.message for error in Draft202012Validator(schema).iter_errors(message)]
    assert not errors, (event.type, errors[:3])


def test_the_schema_of_every_message_type_is_published() -> None:
    schemas = ws_schema().messages
    assert set(schemas) == set(EventType)
    for kind, schema in schemas.items():
        Draft202012Validator.check_schema(schema)
        assert schema["properties"]["type"]["const"] == kind.value


def test_a_run_that_changes_scores_and_top_lists_is_described() -> None:
    previous = snapshot("one").model_dump(mode="json")
    current = snapshot("two", score=-0.62, color=Color.DARK_RED).model_dump(mode="json")
    current["sectors"][0]["top_bullish"] = []
    changes: dict[EventType, list[dict[str, Any]]] = {}
    for kind, payload in grid_changes(previous, current):
        changes.setdefault(kind, []).append(payload)
    assert set(changes) == {EventType.SECTOR_UPDATE, EventType.TOP_STOCKS_CHANGE}
    for kind, key in ((EventType.SECTOR_UPDATE, "sectors"), (EventType.TOP_STOCKS_CHANGE, "changes")):
        payload = {"run_id": current["run_id"], "as_of": current["as_of"], key: changes[kind]}
        assert_described(Event(kind, 7, AS_OF, payload))


def test_moves_progress_heartbeats_and_snapshots_are_described() -> None:
    move = SignificantMove("SOUN", 16.2, 5.0, 5.81, "up").to_payload() | {"sector": "technology"}
    grid = snapshot("one").model_dump(mode="json") | {
        "age_secs": 12.0,
        "freshness": "fresh",
        "recommendation": "Data is fresh.",
        "stale": False,
        "last_error": None,
    }
    progress = {"run_id": "one", "trigger": "on_demand", "stage": "failed", "percent": 100.0, "error": "boom"}
    for event in (
        Event(EventType.SIGNIFICANT_MOVE, 1, AS_OF, move),
        Event(EventType.ANALYSIS_PROGRESS, 2, AS_OF, progress),
        Event(EventType.HEARTBEAT, 2, AS_OF, {"clients": 3, "latest_seq": 2}),
        Event(EventType.SNAPSHOT, 2, AS_OF, {"grid": grid, "moves": [{"ts": AS_OF.isoformat(), **move}]}),
        Event(EventType.SNAPSHOT, 0, AS_OF, {"grid": None, "moves": []}),
    ):
        assert_described(event)


def test_a_payload_that_grows_without_its_model_is_refused() -> None:
    beat = Event(EventType.HEARTBEAT, 2, AS_OF, {"clients": 3, "latest_seq": 2, "extra": 1})
    schema = ws_schema().messages[EventType.HEARTBEAT]
    assert not Draft202012Validator(schema).is_valid(json.loads(beat.to_json()))
