"""The latest run's universe: its members (paged, or as CSV) and the filter funnel."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from sectorlights.api.deps import QueriesDep
from sectorlights.api.errors import error_responses
from sectorlights.domain.responses import Constituent, UniversePage
from sectorlights.domain.vocabulary import Sector
from sectorlights.engine.queries import DEFAULT_PAGE

router = APIRouter(prefix="/api", tags=["universe"])

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


def _csv(members: list[Constituent]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for member in members:
        writer.writerow(member.model_dump(mode="json") | {"last_updated": member.last_updated.isoformat()})
    return buffer.getvalue()


CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"text/csv": {"schema": {"type": "string"}}},
        "description": "A JSON page, or with format=csv every member from `offset` as CSV",
    }
}


@router.get("/universe", response_model=UniversePage, responses=CSV_RESPONSE | error_responses(401, 422, 503))
async def get_universe(
    queries: QueriesDep,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="members to skip (by symbol)")] = 0,
    limit: Annotated[
        int | None,
        Query(ge=1, le=1000, description=f"page size; default {DEFAULT_PAGE}, or every member for CSV"),
    ] = None,
    sector: Annotated[Sector | None, Query(description="only this sector's members")] = None,
    format: Annotated[Literal["json", "csv"], Query(description="json (default) or csv")] = "json",
) -> UniversePage | Response:
    """The members of the latest run's universe with the funnel that produced it; CSV export."""
    if format == "csv":
        return Response(
            _csv(await queries.universe_members(sector, offset, limit)),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="universe.csv"'},
        )
    return await queries.universe(sector, offset, limit)
