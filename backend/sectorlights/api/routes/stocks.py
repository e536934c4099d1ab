"""One stock: its universe membership, classification and place in the top lists."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from sectorlights.api.deps import QueriesDep
from sectorlights.api.errors import error_responses
from sectorlights.api.time_range import SinceQuery, UntilQuery, utc_range
from sectorlights.domain.responses import StockDetail, StockHistory

router = APIRouter(prefix="/api", tags=["stocks"])

SYMBOL_PATTERN = r"^[A-Za-z0-9.\-]{1,10}$"

SymbolPath = Annotated[
    str,
    Path(
        min_length=1,
        max_length=10,
        pattern=SYMBOL_PATTERN,
        description="ticker: 1-10 characters of A-Z, 0-9, '.' and '-' (lower case is accepted)",
    ),
]


@router.get("/stocks/{symbol}", responses=error_responses(401, 404, 422, 503))
async def get_stock(symbol: SymbolPath, queries: QueriesDep) -> StockDetail:
    """A universe member: tier, market cap, float, classification, returns, rank and top-list place.

    A listing the latest run left out is a 404 naming the criterion it failed, also given as the
    `X-Exclusion-Reason` header."""
    return await queries.stock(symbol.upper())


@router.get("/stocks/{symbol}/history", responses=error_responses(401, 404, 422))
async def get_stock_history(
    symbol: SymbolPath,
    queries: QueriesDep,
    since: SinceQuery = None,
    until: UntilQuery = None,
    limit: Annotated[int, Query(ge=1, le=5000, description="at most this many points")] = 500,
) -> StockHistory:
    """A stock's stored per-run metrics (returns, relative volume, rank), newest first."""
    since, until = utc_range(since, until)
    return await queries.stock_history(symbol.upper(), limit, since, until)
