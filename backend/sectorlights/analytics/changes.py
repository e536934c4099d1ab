"""What to broadcast when a new grid replaces the old one. Pure: no I/O, no clock.

Grids are the JSON documents of `GET /api/sectors` (`SectorSnapshot.model_dump(mode="json")`).

- One `sector_update` per sector whose score (rounded to 3 dp), color, signal, confidence (rounded to
  3 dp) or rotation quadrant changed, or for every sector when there is no previous grid or the sector
  is new. It carries scores, colors and quadrants only, never the top lists.
- One `top_stocks_change` per sector and side whose list of symbols (in order) changed. A sector missing
  from the previous grid counts as having empty lists, so its non-empty lists are reported as entered.
- Sectors in the order of the current grid, `sector_update` first, then bullish before bearish.
  Sectors that disappeared produce nothing.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from sectorlights.domain.events import EventType

SCORE_DECIMALS = 3
# The quadrants of a card from before the rotation graph was measured.
_NO_ROTATION = {"day": None, "intraday": None}
_SIDES = (("bullish", "top_bullish"), ("bearish", "top_bearish"))


def _rounded(value: Any) -> Any:
    return round(value, SCORE_DECIMALS) if isinstance(value, int | float) else value


def _card_key(sector: Mapping[str, Any]) -> tuple[Any, ...]:
    return (
        _rounded(sector.get("score")),
        sector.get("color"),
        sector.get("signal"),
        _rounded(sector.get("confidence")),
        bool(sector.get("insufficient_data", False)),
        _rotation(sector),
    )


def _rotation(sector: Mapping[str, Any]) -> dict[str, Any]:
    return dict(sector.get("rotation") or _NO_ROTATION)


def _symbols(stocks: Sequence[Mapping[str, Any]]) -> list[str]:
    return [str(stock["symbol"]) for stock in stocks]


def _sector_update(
    current: Mapping[str, Any], previous: Mapping[str, Any] | None, run_id: Any, as_of: Any
) -> dict[str, Any]:
    return {
        "sector": current["sector"],
        "score": current.get("score"),
        "color": current.get("color"),
        "signal": current.get("signal"),
        "confidence": current.get("confidence"),
        "insufficient_data": bool(current.get("insufficient_data", False)),
        "rotation": _rotation(current),
        "previous_color": None if previous is None else previous.get("color"),
        "previous_score": None if previous is None else previous.get("score"),
        "run_id": run_id,
        "as_of": as_of,
    }


def _top_stocks_change(
    sector: str,
    side: str,
    stocks: Sequence[Mapping[str, Any]],
    previous_stocks: Sequence[Mapping[str, Any]],
    run_id: Any,
    as_of: Any,
) -> dict[str, Any] | None:
    symbols = _symbols(stocks)
    previous_symbols = _symbols(previous_stocks)
    if symbols == previous_symbols:
        return None
    return {
        "sector": sector,
        "side": side,
        "symbols": symbols,
        "entered": [symbol for symbol in symbols if symbol not in previous_symbols],
        "left": [symbol for symbol in previous_symbols if symbol not in symbols],
        "stocks": [copy.deepcopy(dict(stock)) for stock in stocks],
        "run_id": run_id,
        "as_of": as_of,
    }


def grid_changes(
    previous: Mapping[str, Any] | None, current: Mapping[str, Any]
) -> list[tuple[EventType, dict[str, Any]]]:
    """The events that turn a client's `previous` grid into `current`, in broadcast order."""
    previous_by_sector: dict[str, Mapping[str, Any]] = (
        {} if previous is None else {sector["sector"]: sector for sector in previous.get("sectors", [])}
    )
    run_id = current.get("run_id")
    as_of = current.get("as_of")
    changes: list[tuple[EventType, dict[str, Any]]] = []
    for sector in current.get("sectors", []):
        before = previous_by_sector.get(sector["sector"])
        if before is None or _card_key(before) != _card_key(sector):
            changes.append((EventType.SECTOR_UPDATE, _sector_update(sector, before, run_id, as_of)))
        for side, field in _SIDES:
            change = _top_stocks_change(
                sector["sector"],
                side,
                sector.get(field) or [],
                [] if before is None else before.get(field) or [],
                run_id,
                as_of,
            )
            if change is not None:
                changes.append((EventType.TOP_STOCKS_CHANGE, change))
    return changes
