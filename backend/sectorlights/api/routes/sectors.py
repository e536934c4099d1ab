"""The sector grid, one sector with its constituents, and a sector's history."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query

from sectorlights.api.deps import AnalysisDep, RepositoryDep, require_grid
from sectorlights.domain.vocabulary import Freshness, Sector
from sectorlights.engine.freshness import classify_freshness, recommendation

router = APIRouter(prefix="/api", tags=["sectors"])

SectorPath = Annotated[Sector, Path(description="one of the 8 sectors of the fixed vocabulary")]


@router.get("/sectors")
async def list_sectors(analysis: AnalysisDep) -> dict[str, Any]:
    """Every sector with score, color, signal, timeframes, alpha and top lists, plus freshness."""
    grid = await require_grid(analysis)
    as_of = datetime.fromisoformat(grid["as_of"])
    age_secs = max(0.0, (analysis.clock.now() - as_of).total_seconds())
    freshness = classify_freshness(age_secs)
    last_error = analysis.last_failure
    return grid | {
        "age_secs": round(age_secs, 1),
        "freshness": freshness.value,
        "recommendation": recommendation(freshness),
        "stale": freshness == Freshness.STALE or last_error is not None,
        "last_error": last_error,
    }


@router.get("/sectors/{sector}")
async def sector_detail(
    sector: SectorPath, analysis: AnalysisDep, repository: RepositoryDep
) -> dict[str, Any]:
    """One sector's card from the latest grid with every constituent of the latest universe."""
    grid = await require_grid(analysis)
    card = next((card for card in grid["sectors"] if card["sector"] == sector.value), None)
    if card is None:
        raise HTTPException(status_code=404, detail=f"sector: {sector.value} is not in the latest analysis")
    members, total = await asyncio.to_thread(repository.universe_members, sector)
    return {
        "run_id": grid["run_id"],
        "as_of": grid["as_of"],
        "data_source": grid["data_source"],
        "sector": card,
        "constituent_count": total,
        "constituents": members,
    }


def _utc(field: str, value: datetime | None) -> datetime | None:
    """The time in UTC (one without an offset is read as UTC); 422 when it has no UTC equivalent."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise HTTPException(
            status_code=422, detail=f"{field}: {value.isoformat()} is outside the representable range"
        ) from None


def _history_entry(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "timestamp": row["timestamp"],
        "run_id": row["run_id"],
        "score": float(row["sentiment_score"]),
        "color": row["color_classification"],
        "signal": row["signal"],
        "confidence": float(row["confidence_level"]),
        "stock_count": row["stock_count"],
        "detail": row["detail"],
    }


@router.get("/sectors/{sector}/history")
async def sector_history(
    sector: SectorPath,
    repository: RepositoryDep,
    since: Annotated[
        datetime | None, Query(description="earliest timestamp (ISO 8601; no offset means UTC)")
    ] = None,
    until: Annotated[
        datetime | None, Query(description="latest timestamp (ISO 8601; no offset means UTC)")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="at most this many entries")] = 100,
) -> dict[str, Any]:
    """A sector's stored results, newest first, with the per-timeframe detail of each run."""
    since, until = _utc("since", since), _utc("until", until)
    if since is not None and until is not None and since > until:
        raise HTTPException(
            status_code=422,
            detail=f"since: must not be after until ({since.isoformat()} > {until.isoformat()})",
        )
    rows = await asyncio.to_thread(repository.sector_history, sector, limit, since, until)
    return {
        "sector": sector.value,
        "since": since,
        "until": until,
        "limit": limit,
        "count": len(rows),
        "history": [_history_entry(row) for row in rows],
    }
