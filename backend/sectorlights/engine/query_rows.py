"""Stored rows and grid documents turned into the API's response models (for `queries.py`)."""

from __future__ import annotations

from typing import Any

from sectorlights.domain.responses import HistoryEntry, StockHistoryPoint, TopListEntry

TOP_LISTS = ("top_bullish", "top_bearish")


def top_list_entry(grid: dict[str, Any], symbol: str) -> TopListEntry | None:
    """Where `symbol` stands in the latest grid's top lists (rank 1 is first), if it is in one."""
    for card in grid["sectors"]:
        for side in TOP_LISTS:
            for rank, stock in enumerate(card[side], start=1):
                if stock["symbol"] == symbol:
                    return TopListEntry.model_validate(
                        {"sector": card["sector"], "list": side, "rank": rank}
                        | {key: stock[key] for key in ("change_pct", "relative_volume", "rank_score")}
                    )
    return None


def returns_pct(row: dict[str, Any]) -> dict[str, float | None]:
    """The stored per-timeframe returns of a member or history row, keyed like the grid."""
    return {
        "30m": row.get("change_30m_pct"),
        "1d": row.get("change_1d_pct"),
        "3d": row.get("change_3d_pct"),
        "1w": row.get("change_1w_pct"),
    }


def history_entry(row: dict[str, Any]) -> HistoryEntry:
    return HistoryEntry.model_validate(
        {
            "timestamp": row["timestamp"],
            "run_id": row["run_id"],
            "score": float(row["sentiment_score"]),
            "color": row["color_classification"],
            "signal": row["signal"],
            "confidence": float(row["confidence_level"]),
            "stock_count": row["stock_count"],
            "detail": row["detail"],
        }
    )


def history_point(row: dict[str, Any]) -> StockHistoryPoint:
    return StockHistoryPoint.model_validate(
        {
            "timestamp": row["timestamp"],
            "run_id": row["run_id"],
            "sector": row["sector"],
            "tier": row["tier"],
            "returns_pct": returns_pct(row),
            "relative_volume": row["relative_volume"],
            "rank_score": row["rank_score"],
        }
    )
