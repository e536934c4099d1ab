"""The latest run's universe: its members (paged, or as CSV) and the filter funnel."""

from __future__ import annotations

import asyncio
import csv
import io
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from sectorlights.api.deps import AnalysisDep, RepositoryDep, require_grid
from sectorlights.domain.vocabulary import Sector

router = APIRouter(prefix="/api", tags=["universe"])

DEFAULT_PAGE = 100
MAX_OFFSET = 1_000_000_000
CSV_COLUMNS = (
    "symbol",
    "name",
    "exchange",
    "tier",
    "sector",
    "market_cap",
    "avg_daily_volume",
    "float_shares",
    "sic_code",
    "volatility_multiplier",
    "confidence",
    "classification_source",
    "last_updated",
    "run_id",
)


def _csv(members: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for member in members:
        writer.writerow(member | {"last_updated": member["last_updated"].isoformat()})
    return buffer.getvalue()


@router.get(
    "/universe",
    response_model=None,
    responses={200: {"content": {"text/csv": {}}, "description": "JSON page, or CSV with format=csv"}},
)
async def universe(
    analysis: AnalysisDep,
    repository: RepositoryDep,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="members to skip (by symbol)")] = 0,
    limit: Annotated[
        int | None,
        Query(ge=1, le=1000, description=f"page size; default {DEFAULT_PAGE}, or every member for CSV"),
    ] = None,
    sector: Annotated[Sector | None, Query(description="only this sector's members")] = None,
    format: Annotated[Literal["json", "csv"], Query(description="json (default) or csv")] = "json",
) -> dict[str, Any] | Response:
    """The members of the latest run's universe with the funnel that produced it; CSV export."""
    grid = await require_grid(analysis)
    page = limit if limit is not None or format == "csv" else DEFAULT_PAGE
    members, total = await asyncio.to_thread(repository.universe_members, sector, offset, page)
    if format == "csv":
        return Response(
            _csv(members),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="universe.csv"'},
        )
    return {
        "run_id": grid["run_id"],
        "as_of": grid["as_of"],
        "universe_size": grid["universe_size"],
        "funnel": grid["funnel"],
        "sector": None if sector is None else sector.value,
        "total": total,
        "offset": offset,
        "limit": page,
        "members": members,
    }
