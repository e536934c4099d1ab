"""One stock: its universe membership, classification and place in the top lists."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query

from sectorlights.api.deps import AnalysisDep, RepositoryDep, require_grid
from sectorlights.api.time_range import SinceQuery, UntilQuery, utc_range

router = APIRouter(prefix="/api", tags=["stocks"])

SYMBOL_PATTERN = r"^[A-Za-z0-9.\-]{1,10}$"
TOP_LISTS = ("top_bullish", "top_bearish")

SymbolPath = Annotated[
    str,
    Path(
        min_length=1,
        max_length=10,
        pattern=SYMBOL_PATTERN,
        description="ticker: 1-10 characters of A-Z, 0-9, '.' and '-' (lower case is accepted)",
    ),
]


def _top_list_entry(grid: dict[str, Any], symbol: str) -> dict[str, Any] | None:
    """Where `symbol` stands in the latest grid's top lists (rank 1 is first), if it is in one."""
    for card in grid["sectors"]:
        for side in TOP_LISTS:
            for rank, stock in enumerate(card[side], start=1):
                if stock["symbol"] == symbol:
                    return {
                        "sector": card["sector"],
                        "list": side,
                        "rank": rank,
                        "change_pct": stock["change_pct"],
                        "relative_volume": stock["relative_volume"],
                        "rank_score": stock["rank_score"],
                    }
    return None


@router.get("/stocks/{symbol}")
async def stock_detail(
    symbol: SymbolPath,
    analysis: AnalysisDep,
    repository: RepositoryDep,
) -> dict[str, Any]:
    """A universe member: tier, market cap, float, classification, returns, rank and top-list place."""
    symbol = symbol.upper()
    grid = await require_grid(analysis)
    member = await asyncio.to_thread(repository.member, symbol)
    if member is None:
        reason = await asyncio.to_thread(repository.exclusion, symbol)
        if reason is None:
            raise HTTPException(status_code=404, detail=f"{symbol} is not listed in the latest analysis")
        raise HTTPException(
            status_code=404,
            detail=f"{symbol} is not in the current universe: excluded by {reason}",
            headers={"X-Exclusion-Reason": reason},
        )
    card = next((card for card in grid["sectors"] if card["sector"] == member["sector"]), None)
    top_list = _top_list_entry(grid, symbol)
    return {
        "symbol": symbol,
        "in_universe": True,
        "member": member,
        "classification": {
            "sector": member["sector"],
            "source": member["classification_source"],
            "confidence": member["confidence"],
            "sic_code": member["sic_code"],
        },
        "sector_card": None
        if card is None
        else {key: card[key] for key in ("sector", "label", "score", "color", "signal", "confidence")},
        "metrics": {
            "returns_pct": _returns_pct(member),
            "relative_volume": member.get("relative_volume"),
            "rank_score": member.get("rank_score"),
        },
        "in_top_list": top_list is not None,
        "top_list": top_list,
        "run_id": grid["run_id"],
        "as_of": grid["as_of"],
    }


def _returns_pct(row: dict[str, Any]) -> dict[str, float | None]:
    """The stored per-timeframe returns of a member or history row, keyed like the grid."""
    return {
        "30m": row.get("change_30m_pct"),
        "1d": row.get("change_1d_pct"),
        "3d": row.get("change_3d_pct"),
        "1w": row.get("change_1w_pct"),
    }


def _history_point(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "timestamp": row["timestamp"],
        "run_id": row["run_id"],
        "sector": row["sector"],
        "tier": row["tier"],
        "returns_pct": _returns_pct(row),
        "relative_volume": row["relative_volume"],
        "rank_score": row["rank_score"],
    }


@router.get("/stocks/{symbol}/history")
async def stock_history(
    symbol: SymbolPath,
    repository: RepositoryDep,
    since: SinceQuery = None,
    until: UntilQuery = None,
    limit: Annotated[int, Query(ge=1, le=5000, description="at most this many points")] = 500,
) -> dict[str, Any]:
    """A stock's stored per-run metrics (returns, relative volume, rank), newest first."""
    symbol = symbol.upper()
    since, until = utc_range(since, until)
    rows = await asyncio.to_thread(repository.stock_history, symbol, limit, since, until)
    if not rows and not await asyncio.to_thread(repository.stock_history, symbol, 1):
        raise HTTPException(status_code=404, detail=f"{symbol} has no stored history")
    return {"symbol": symbol, "count": len(rows), "points": [_history_point(row) for row in rows]}
