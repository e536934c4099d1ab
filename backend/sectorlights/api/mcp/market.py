"""The market tools: the grid (live or a stored run's), one sector, why a sector has its colour, and
one stock; each reads what the matching API route reads."""

from __future__ import annotations

import json
import uuid
from typing import Annotated

from mcp.server.mcpserver import MCPServer
from mcp_types import CallToolResult
from pydantic import Field

from sectorlights.api.mcp.answers import READ_ONLY, answer, listed, signed_pct
from sectorlights.api.routes.stocks import SYMBOL_PATTERN
from sectorlights.domain.explanations import SectorColourReason
from sectorlights.domain.responses import SectorDetail, SectorGrid, StockDetail
from sectorlights.domain.results import SectorCard
from sectorlights.domain.vocabulary import Sector
from sectorlights.engine.container import Container

SectorArgument = Annotated[Sector, Field(description="one of the 8 sectors")]
SymbolArgument = Annotated[
    str,
    Field(
        min_length=1,
        max_length=10,
        pattern=SYMBOL_PATTERN,
        description="ticker: 1-10 characters of A-Z, 0-9, '.' and '-' (lower case is accepted)",
    ),
]


def headline(card: SectorCard) -> str:
    """`light_green +0.34 AVOID_SHORTS`, or why the sector has no colour."""
    if card.insufficient_data:
        return f"insufficient data ({card.insufficient_reason or 'too few members'})"
    return f"{card.color.value} {card.score:+.2f} {card.signal.value}"


def grid_summary(grid: SectorGrid) -> str:
    cards = "; ".join(f"{card.sector.value} {headline(card)}" for card in grid.sectors)
    state = f"{grid.freshness.value}, stale" if grid.stale else grid.freshness.value
    return (
        f"{len(grid.sectors)} sectors as of {grid.as_of.isoformat()} ({grid.data_source.label}; "
        f"{state}, {grid.age_secs / 3600:.1f} h old): {cards}. {grid.recommendation}"
    )


def sector_summary(detail: SectorDetail) -> str:
    card = detail.sector
    bullish = listed([stock.symbol for stock in card.top_bullish]) if card.top_bullish else card.bullish_note
    bearish = listed([stock.symbol for stock in card.top_bearish]) if card.top_bearish else card.bearish_note
    return (
        f"{card.label}: {headline(card)}, confidence {card.confidence:.2f}, "
        f"{detail.constituent_count} constituents; top bullish: {bullish or 'none'}; "
        f"top bearish: {bearish or 'none'}."
    )


def reason_summary(reason: SectorColourReason) -> str:
    card = reason.sector
    scores = {tf: result.score for tf, result in card.timeframes.items() if result.score is not None}
    parts = "; ".join(
        f"{tf.value} {signed_pct(card.timeframes[tf].return_pct)} "
        f"(alpha {signed_pct(card.timeframes[tf].alpha_pct)}, score {score:+.2f})"
        for tf, score in scores.items()
    )
    text = f"{card.label} is {headline(card)}, confidence {card.confidence:.2f}. {parts or 'No scores'}."
    if scores:
        # The timeframe that weighs most in the composite score: its weight x its score.
        driver = max(scores, key=lambda tf: abs(reason.timeframe_weights.get(tf, 0.0) * scores[tf]))
        movers = ", ".join(f"{m.symbol} {m.pull_pct:+.2f} pp" for m in reason.movers.get(driver, [])[:3])
        text += f" Driven most by {driver.value}; moved most by {movers or 'no member'}."
    return text


def stock_summary(stock: StockDetail) -> str:
    member = stock.member
    moves = ", ".join(f"{tf.value} {signed_pct(value)}" for tf, value in stock.metrics.returns_pct.items())
    volume = stock.metrics.relative_volume
    text = (
        f"{stock.symbol} ({member.name}), {member.sector.value}, {member.tier.value}: {moves}; "
        f"relative volume {'n/a' if volume is None else f'{volume:.1f}x'}"
    )
    if stock.top_list is not None:
        text += f"; #{stock.top_list.rank} in {stock.top_list.sector.value}'s {stock.top_list.list}"
    if stock.sector_card is not None:
        card = stock.sector_card
        text += f". Its sector is {card.color.value} {card.score:+.2f} ({card.signal.value})"
    return text + "."


def register(server: MCPServer, container: Container) -> None:
    queries = container.queries

    @server.tool(title="Sector grid", annotations=READ_ONLY)
    async def get_sector_grid(
        run_id: Annotated[
            uuid.UUID | None,
            Field(description="a stored run from list_runs, to see its grid; omit for the live grid"),
        ] = None,
    ) -> Annotated[CallToolResult, SectorGrid]:
        """The traffic-light grid, as GET /api/sectors serves it: all 8 sectors with score, colour,
        shorting signal, confidence, per-timeframe return/alpha/score/colour, the top 3 bullish and
        bearish stocks, and the grid's age and freshness. With run_id, a stored run's grid
        (read-only, marked stale)."""
        if run_id is not None:
            stored = await queries.stored_grid(str(run_id))
            return answer(stored, grid_summary(stored))
        # The API's own document, unchanged: the same bytes GET /api/sectors sends.
        document = json.loads(await queries.grid_document())
        return answer(document, grid_summary(SectorGrid.model_validate(document)))

    @server.tool(title="One sector", annotations=READ_ONLY)
    async def get_sector(sector: SectorArgument) -> Annotated[CallToolResult, SectorDetail]:
        """One sector's card from the latest grid (score, colour, signal, timeframes, the factors
        behind the score, top lists) with every constituent of the latest universe and its returns,
        relative volume and rank, as the dashboard's drill-down shows it."""
        detail = await queries.sector(sector)
        return answer(detail, sector_summary(detail))

    @server.tool(title="Why this colour", annotations=READ_ONLY)
    async def explain_sector_colour(sector: SectorArgument) -> Annotated[CallToolResult, SectorColourReason]:
        """Why a sector has its colour in the latest analysis: its card with each timeframe's return,
        alpha vs IWM and score, the multipliers (volume confirmation, catalyst density, technical
        context, news), each timeframe's weight in the composite, and per timeframe the 5 members
        that moved the sector's volume-weighted return most (their pull in percentage points)."""
        reason = await container.explanations.explain(sector)
        return answer(reason, reason_summary(reason))

    @server.tool(title="One stock", annotations=READ_ONLY)
    async def get_stock(symbol: SymbolArgument) -> Annotated[CallToolResult, StockDetail]:
        """A stock of the latest universe, as the dashboard's lookup shows it: tier, market cap,
        float, classification, returns per timeframe, relative volume, rank and its place in the top
        lists, with its sector's headline. A listing the analysis left out is an error naming the
        criterion it failed."""
        stock = await queries.stock(symbol.upper())
        return answer(stock, stock_summary(stock))
