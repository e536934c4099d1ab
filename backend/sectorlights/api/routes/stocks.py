"""One stock: its universe membership, classification and place in the top lists."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query

from sectorlights.api.deps import ContainerDep, QueriesDep
from sectorlights.api.errors import VIEW_MEANINGS, error_responses
from sectorlights.api.time_range import SinceQuery, UntilQuery, utc_range
from sectorlights.domain.responses import StockDetail, StockHistory
from sectorlights.domain.trader_views import BarInterval, StockBars, StockNews

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


@router.get(
    "/stocks/{symbol}/news", responses=error_responses(401, 404, 409, 422, 503, meanings=VIEW_MEANINGS)
)
async def get_stock_news(
    symbol: SymbolPath,
    container: ContainerDep,
    limit: Annotated[int, Query(ge=1, le=100, description="at most this many articles")] = 20,
) -> StockNews:
    """The articles naming the stock over the last 3 days, newest first, each with its sentiment
    toward the stock: the vendor's (with its reasoning) when it gave one, else the finance
    lexicon's reading of the title, as the catalyst factor counts it. 404 for a symbol the latest
    analysis did not list; 503 naming the vendor's error."""
    return await container.views.news.stock(symbol.upper(), limit)


@router.get(
    "/stocks/{symbol}/bars", responses=error_responses(401, 404, 409, 422, 503, meanings=VIEW_MEANINGS)
)
async def get_stock_bars(
    symbol: SymbolPath,
    container: ContainerDep,
    interval: Annotated[
        BarInterval, Query(description="minute: one session's bars; day: daily bars")
    ] = "minute",
    session: Annotated[
        date | None,
        Query(description="YYYY-MM-DD, a NYSE session not after today; default the current (or latest) one"),
    ] = None,
) -> StockBars:
    """Price bars for the stock's chart, ascending, `time` in UTC epoch seconds.

    `minute`: the session's 04:00-20:00 ET minute bars up to now (minutes without trades absent).
    `day`: the daily bars of the sessions before it the analysis holds (25 by default; the vendor's
    daily bars are whole-market calls, one per session, so no more are fetched for a chart). 404
    for a symbol the latest analysis did not list, 422 for a date that is not a session or is in the
    future, 503 naming the vendor's error."""
    return await container.views.charts.bars(symbol.upper(), interval, session)
