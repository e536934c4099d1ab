"""What a new grid broadcasts: cases on real grids plus properties over generated ones."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sectorlights.analytics.changes import grid_changes
from sectorlights.domain.events import EventType
from sectorlights.domain.vocabulary import COLORS, SECTORS, SIGNAL_BY_COLOR, Color
from tests.samples import snapshot

UPDATE = EventType.SECTOR_UPDATE
TOP = EventType.TOP_STOCKS_CHANGE
CARD_FIELDS = {
    "sector",
    "insufficient_data",
    "score",
    "color",
    "signal",
    "confidence",
    "rotation",
    "previous_color",
    "previous_score",
    "run_id",
    "as_of",
}
TOP_FIELDS = {"sector", "side", "symbols", "entered", "left", "stocks", "run_id", "as_of"}


def grid(run_id: str = "run-2") -> dict[str, Any]:
    """A real `GET /api/sectors` document: every sector 0.62 dark_green, SOUN top bullish."""
    return snapshot(run_id).model_dump(mode="json")


def stock(symbol: str, change_pct: float = 5.0) -> dict[str, Any]:
    return {
        "symbol": symbol,
        "name": symbol.title(),
        "change_pct": change_pct,
        "relative_volume": 2.0,
        "rank_score": 7.5,
    }


def edit(document: dict[str, Any], sector: str, **fields: Any) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    for card in changed["sectors"]:
        if card["sector"] == sector:
            card.update(fields)
    return changed


def kinds(changes: list[tuple[EventType, dict[str, Any]]]) -> list[tuple[str, str, str | None]]:
    return [(kind.value, payload["sector"], payload.get("side")) for kind, payload in changes]


PREVIOUS = grid("run-1")


@pytest.mark.parametrize(
    ("current", "expected"),
    [
        pytest.param(grid(), [], id="new-run-same-grid"),
        pytest.param(edit(grid(), "energy", score=0.6204), [], id="score-within-rounding"),
        pytest.param(edit(grid(), "energy", confidence=0.7101), [], id="confidence-within-rounding"),
        pytest.param(edit(grid(), "energy", score=0.63), [("sector_update", "energy", None)], id="score"),
        pytest.param(
            edit(grid(), "energy", color="light_green"), [("sector_update", "energy", None)], id="color"
        ),
        pytest.param(
            edit(grid(), "energy", signal="AVOID_SHORTS"), [("sector_update", "energy", None)], id="signal"
        ),
        pytest.param(
            edit(grid(), "energy", confidence=0.5), [("sector_update", "energy", None)], id="confidence"
        ),
        pytest.param(
            edit(grid(), "energy", rotation={"day": "leading", "intraday": None}),
            [("sector_update", "energy", None)],
            id="daily-quadrant",
        ),
        pytest.param(
            edit(grid(), "energy", rotation={"day": None, "intraday": "improving"}),
            [("sector_update", "energy", None)],
            id="intraday-quadrant",
        ),
        pytest.param(
            edit(grid(), "energy", rotation=None), [], id="card-from-before-rotation-reads-as-no-quadrant"
        ),
        pytest.param(
            edit(grid(), "energy", stock_count=40, timeframes={}, bullish_note="x", label="Oil"),
            [],
            id="other-fields-ignored",
        ),
        pytest.param(
            edit(grid(), "healthcare", top_bullish=[stock("SOUN", 9.9)]), [], id="same-symbol-new-numbers"
        ),
        pytest.param(
            edit(grid(), "healthcare", top_bullish=[stock("SOUN"), stock("BBAI")]),
            [("top_stocks_change", "healthcare", "bullish")],
            id="bullish-entered",
        ),
        pytest.param(
            edit(grid(), "healthcare", top_bearish=[stock("KOSS")]),
            [("top_stocks_change", "healthcare", "bearish")],
            id="bearish-entered",
        ),
        pytest.param(
            edit(grid(), "materials", score=-0.7, color="dark_red", top_bullish=[], top_bearish=[stock("X")]),
            [
                ("sector_update", "materials", None),
                ("top_stocks_change", "materials", "bullish"),
                ("top_stocks_change", "materials", "bearish"),
            ],
            id="everything-in-one-sector",
        ),
        pytest.param(
            edit(edit(grid(), "utilities", score=0.1), "technology", top_bearish=[stock("A")]),
            [("top_stocks_change", "technology", "bearish"), ("sector_update", "utilities", None)],
            id="grid-order",
        ),
    ],
)
def test_cases(current: dict[str, Any], expected: list[tuple[str, str, str | None]]) -> None:
    assert kinds(grid_changes(PREVIOUS, current)) == expected


def test_a_sector_losing_its_colour_for_too_few_members_is_an_update() -> None:
    current = {**PREVIOUS, "run_id": "run-2"}
    current["sectors"] = [
        {**sector, "insufficient_data": True} if sector["sector"] == "energy" else sector
        for sector in PREVIOUS["sectors"]
    ]
    [(kind, payload)] = grid_changes(PREVIOUS, current)
    assert kind is UPDATE and payload["sector"] == "energy" and payload["insufficient_data"] is True


def test_sector_update_payload() -> None:
    current = edit(
        grid("run-2"),
        "energy",
        score=-0.41,
        color="light_red",
        signal="GOOD_SHORTING_ENVIRONMENT",
        rotation={"day": "weakening", "intraday": "lagging"},
    )
    [(kind, payload)] = grid_changes(PREVIOUS, current)
    assert kind is UPDATE
    assert payload == {
        "sector": "energy",
        "score": -0.41,
        "color": "light_red",
        "signal": "GOOD_SHORTING_ENVIRONMENT",
        "confidence": 0.71,
        "insufficient_data": False,
        "rotation": {"day": "weakening", "intraday": "lagging"},
        "previous_color": "dark_green",
        "previous_score": 0.62,
        "run_id": "run-2",
        "as_of": current["as_of"],
    }


def test_top_stocks_change_payload() -> None:
    previous = edit(PREVIOUS, "energy", top_bullish=[stock("SOUN"), stock("BBAI"), stock("PATH")])
    entries = [stock("PATH", 12.0), stock("KOSS", 9.0), stock("SOUN", 4.0)]
    [(kind, payload)] = grid_changes(previous, edit(grid("run-2"), "energy", top_bullish=entries))
    assert kind is TOP
    assert payload == {
        "sector": "energy",
        "side": "bullish",
        "symbols": ["PATH", "KOSS", "SOUN"],
        "entered": ["KOSS"],
        "left": ["BBAI"],
        "stocks": entries,
        "run_id": "run-2",
        "as_of": PREVIOUS["as_of"],
    }


def test_reordering_is_a_change_with_nothing_entered_or_left() -> None:
    previous = edit(PREVIOUS, "energy", top_bearish=[stock("A"), stock("B")])
    [(_, payload)] = grid_changes(previous, edit(grid(), "energy", top_bearish=[stock("B"), stock("A")]))
    assert (payload["symbols"], payload["entered"], payload["left"]) == (["B", "A"], [], [])


def test_first_grid_announces_every_sector_and_its_lists() -> None:
    changes = grid_changes(None, grid())
    assert kinds(changes) == [
        item
        for sector in SECTORS
        for item in [("sector_update", sector.value, None), ("top_stocks_change", sector.value, "bullish")]
    ]
    updates = [payload for kind, payload in changes if kind is UPDATE]
    assert all(p["previous_color"] is None and p["previous_score"] is None for p in updates)
    tops = [payload for kind, payload in changes if kind is TOP]
    assert all(p["entered"] == ["SOUN"] and p["left"] == [] for p in tops)


def test_new_and_vanished_sectors() -> None:
    previous = copy.deepcopy(PREVIOUS)
    previous["sectors"] = [card for card in previous["sectors"] if card["sector"] != "energy"]
    current = copy.deepcopy(grid())
    current["sectors"] = [card for card in current["sectors"] if card["sector"] != "utilities"]
    assert kinds(grid_changes(previous, current)) == [
        ("sector_update", "energy", None),
        ("top_stocks_change", "energy", "bullish"),
    ]


def test_inputs_are_not_modified_and_stocks_are_copies() -> None:
    previous, current = copy.deepcopy(PREVIOUS), edit(grid(), "energy", top_bullish=[stock("NEW")])
    frozen = copy.deepcopy((previous, current))
    [(_, payload)] = grid_changes(previous, current)
    payload["stocks"][0]["symbol"] = "MUTATED"
    assert (previous, current) == frozen


# --- properties over generated grids ---

SYMBOLS = st.sampled_from(["SOUN", "BBAI", "PATH", "KOSS", "PRPL", "AMC", "GME", "RIOT"])
SCORES = st.floats(min_value=-1.0, max_value=1.0, allow_nan=False)


def stock_lists() -> st.SearchStrategy[list[dict[str, Any]]]:
    return st.lists(SYMBOLS, max_size=3, unique=True).map(lambda symbols: [stock(s) for s in symbols])


@st.composite
def cards(draw: st.DrawFn, sector: str) -> dict[str, Any]:
    color: Color = draw(st.sampled_from(COLORS))
    return {
        "sector": sector,
        "label": sector.title(),
        "score": draw(SCORES),
        "color": color.value,
        "signal": SIGNAL_BY_COLOR[color].value,
        "confidence": draw(st.floats(min_value=0.0, max_value=1.0)),
        "stock_count": draw(st.integers(0, 50)),
        "timeframes": {},
        "top_bullish": draw(stock_lists()),
        "top_bearish": draw(stock_lists()),
    }


@st.composite
def grids(draw: st.DrawFn) -> dict[str, Any]:
    sectors = draw(st.lists(st.sampled_from([s.value for s in SECTORS]), unique=True, max_size=8))
    return {
        "run_id": draw(st.uuids()).hex,
        "as_of": "2026-11-24T11:37:00Z",
        "sectors": [draw(cards(sector)) for sector in sectors],
    }


@st.composite
def successive_grids(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    """A grid and a successor that keeps, edits or replaces each card."""
    previous = draw(grids())
    current = copy.deepcopy(previous)
    current["run_id"] = "next"
    for index, card in enumerate(current["sectors"]):
        action = draw(st.sampled_from(["keep", "nudge", "replace"]))
        if action == "nudge":
            card["score"] = min(1.0, max(-1.0, card["score"] + draw(st.floats(-1e-4, 1e-4))))
        elif action == "replace":
            current["sectors"][index] = draw(cards(card["sector"]))
    if draw(st.booleans()):
        current["sectors"].reverse()
    return previous, current


def card_key(card: dict[str, Any]) -> tuple[Any, ...]:
    return (round(card["score"], 3), card["color"], card["signal"], round(card["confidence"], 3))


@given(grids())
def test_same_grid_changes_nothing(document: dict[str, Any]) -> None:
    assert grid_changes(document, copy.deepcopy(document)) == []


@given(grids())
def test_no_previous_updates_each_sector_once(document: dict[str, Any]) -> None:
    changes = grid_changes(None, document)
    updates = [payload["sector"] for kind, payload in changes if kind is UPDATE]
    assert updates == [card["sector"] for card in document["sectors"]]
    tops = [(payload["sector"], payload["side"]) for kind, payload in changes if kind is TOP]
    assert tops == [
        (card["sector"], side)
        for card in document["sectors"]
        for side in ("bullish", "bearish")
        if card[f"top_{side}"]
    ]


@given(successive_grids())
def test_every_changed_sector_appears_exactly_once(pair: tuple[dict[str, Any], dict[str, Any]]) -> None:
    previous, current = pair
    before = {card["sector"]: card for card in previous["sectors"]}
    changes = grid_changes(previous, current)
    assert changes == grid_changes(previous, current)  # deterministic

    updated = [payload["sector"] for kind, payload in changes if kind is UPDATE]
    assert updated == [
        card["sector"] for card in current["sectors"] if card_key(card) != card_key(before[card["sector"]])
    ]
    moved = [(payload["sector"], payload["side"]) for kind, payload in changes if kind is TOP]
    assert moved == [
        (card["sector"], side)
        for card in current["sectors"]
        for side in ("bullish", "bearish")
        if [s["symbol"] for s in card[f"top_{side}"]]
        != [s["symbol"] for s in before[card["sector"]][f"top_{side}"]]
    ]


@given(successive_grids())
def test_payloads_are_consistent(pair: tuple[dict[str, Any], dict[str, Any]]) -> None:
    previous, current = pair
    before = {card["sector"]: card for card in previous["sectors"]}
    order = [card["sector"] for card in current["sectors"]]
    changes = grid_changes(previous, current)
    positions = [
        (order.index(payload["sector"]), 0 if kind is UPDATE else 1 if payload["side"] == "bullish" else 2)
        for kind, payload in changes
    ]
    assert positions == sorted(positions) and len(set(positions)) == len(positions)
    for kind, payload in changes:
        assert payload["run_id"] == "next"
        old = before[payload["sector"]]
        if kind is UPDATE:
            assert set(payload) == CARD_FIELDS
            assert payload["previous_color"] == old["color"]
            assert payload["previous_score"] == old["score"]
            continue
        assert set(payload) == TOP_FIELDS
        old_symbols = [s["symbol"] for s in old[f"top_{payload['side']}"]]
        assert payload["symbols"] == [s["symbol"] for s in payload["stocks"]]
        assert set(payload["entered"]) == set(payload["symbols"]) - set(old_symbols)
        assert set(payload["left"]) == set(old_symbols) - set(payload["symbols"])
