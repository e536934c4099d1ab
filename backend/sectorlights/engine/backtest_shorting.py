"""The backtest's short candidates: per scored session, the grid's top bullish and top bearish names and
every universe runner and gapper, with the prices the shorting study scores them on
(analytics/shorting.py). Minute bars, where imported, give the intraday entry."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import numpy as np

from sectorlights.analytics.backtest import BoolArray
from sectorlights.analytics.shorting import KINDS, Candidates, candidate_flags, intraday_short_entries
from sectorlights.domain.frame import FloatArray, IntArray, StrArray
from sectorlights.domain.market import DailyBars
from sectorlights.domain.results import AnalysisResult
from sectorlights.domain.sessions import session_bounds
from sectorlights.domain.vocabulary import SECTORS
from sectorlights.engine.frame_builder import aligned
from sectorlights.providers.base import MarketDataProvider, ProviderError

NEW_YORK = ZoneInfo("America/New_York")


def session_candidates(
    result: AnalysisResult,
    session_index: int,
    bars: tuple[DailyBars, DailyBars, DailyBars],
    colors: IntArray,
    shown: BoolArray,
    squeeze: tuple[IntArray, FloatArray] | None = None,
) -> tuple[Candidates, StrArray]:
    """The candidates of one scored session; `bars` are the sessions before, of and after it, `colors`
    and `shown` the grid's colour codes and whether each card showed its colour, `squeeze` the cards'
    squeeze-risk levels and volatility ratios, by sector."""
    sector_of = {member.symbol: SECTORS.index(member.sector) for member in result.members}
    symbols = np.array(sorted(sector_of), dtype=np.str_)
    before, day, after = bars

    def on(source: DailyBars, values: FloatArray) -> FloatArray:
        return aligned(symbols, source.symbols, values)

    runner, gapper = candidate_flags(on(before, before.close), on(day, day.open), on(day, day.close))
    bullish = {stock.symbol for card in result.sectors for stock in card.top_bullish}
    bearish = {stock.symbol for card in result.sectors for stock in card.top_bearish}
    top_bearish = np.isin(symbols, sorted(bearish))
    top_bullish = np.isin(symbols, sorted(bullish))
    kinds = np.stack([top_bearish, top_bullish, runner, gapper], axis=1).reshape(-1, len(KINDS))
    keep = kinds.any(axis=1)
    sector = np.array([sector_of[str(symbol)] for symbol in symbols], dtype=np.int64).reshape(-1)
    color = np.where(shown[sector], colors[sector], -1) if sector.size else sector
    levels, ratios = (
        squeeze if squeeze is not None else (np.full(len(SECTORS), -1), np.full(len(SECTORS), np.nan))
    )
    return Candidates(
        session_index=np.full(int(keep.sum()), session_index, dtype=np.int64),
        sector=sector[keep],
        color=color[keep].astype(np.int64),
        kinds=kinds[keep],
        close=on(day, day.close)[keep],
        next_open=on(after, after.open)[keep],
        next_high=on(after, after.high)[keep],
        next_close=on(after, after.close)[keep],
        intraday_pct=np.full(int(keep.sum()), np.nan),
        intraday_excursion_pct=np.full(int(keep.sum()), np.nan),
        squeeze_level=levels[sector][keep].astype(np.int64),
        volatility_ratio=ratios[sector][keep],
    ), symbols[keep]


def concatenated(parts: Sequence[Candidates]) -> Candidates:
    if not parts:
        empty = np.zeros(0)
        return Candidates(
            session_index=np.zeros(0, dtype=np.int64),
            sector=np.zeros(0, dtype=np.int64),
            color=np.zeros(0, dtype=np.int64),
            kinds=np.zeros((0, len(KINDS)), dtype=np.bool_),
            close=empty,
            next_open=empty,
            next_high=empty,
            next_close=empty,
            intraday_pct=empty,
            intraday_excursion_pct=empty,
            squeeze_level=np.zeros(0, dtype=np.int64),
            volatility_ratio=empty,
        )
    return Candidates(
        **{name: np.concatenate([getattr(part, name) for part in parts]) for name in Candidates.__slots__}
    )


def intraday_entries(
    provider: MarketDataProvider, symbols: Sequence[str], session: date
) -> tuple[FloatArray, FloatArray]:
    """(return %, adverse excursion %) of each symbol's short entered after the first 15 minutes of
    `session` and held 4 hours (capped at the close), from its minute bars; NaN without them."""
    bounds = session_bounds(session)
    owners: list[IntArray] = []
    minutes: list[IntArray] = []
    prices: list[tuple[FloatArray, FloatArray, FloatArray]] = []
    for index, symbol in enumerate(symbols):
        try:
            bars = provider.minute_bars(symbol, session)
        except ProviderError:
            continue
        local = [datetime.fromtimestamp(int(ns) // 1_000_000_000, UTC) for ns in bars.window_start_ns]
        minutes.append(np.array([_minute(moment) for moment in local], dtype=np.int64))
        owners.append(np.full(len(local), index, dtype=np.int64))
        prices.append((bars.open, bars.high, bars.close))
    if not owners:
        nothing = np.full(len(symbols), np.nan)
        return nothing, nothing.copy()
    return intraday_short_entries(
        np.concatenate(owners),
        np.concatenate(minutes),
        np.concatenate([price[0] for price in prices]),
        np.concatenate([price[1] for price in prices]),
        np.concatenate([price[2] for price in prices]),
        len(symbols),
        session_open_minute=_minute(bounds.regular_open),
        session_close_minute=_minute(bounds.regular_close),
    )


def _minute(moment: datetime) -> int:
    local = moment.astimezone(NEW_YORK)
    return local.hour * 60 + local.minute
