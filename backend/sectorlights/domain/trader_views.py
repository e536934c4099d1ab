"""What the trader's views answer: the gap and mover scanner, the news behind a move, and a stock's
price bars for its chart. One model per body, like responses.py; the engine builds them."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from sectorlights.domain.market import Sentiment
from sectorlights.domain.vocabulary import Color, Sector, Signal, Timeframe


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class ScannerSort(StrEnum):
    """How the scanner's rows are ordered; every order puts unknown values last."""

    GAP = "gap"  # largest absolute gap first
    GAP_UP = "gap_up"  # largest rise first
    GAP_DOWN = "gap_down"  # largest fall first
    DOLLAR_VOLUME = "dollar_volume"
    RELATIVE_VOLUME = "relative_volume"
    VOLUME = "volume"


ScannerSource = Literal["snapshot", "run"]


class ScannerRow(_Frozen):
    """One universe stock in the scanner. Prices in dollars, volumes in shares, percentages in percent."""

    symbol: str
    name: str
    exchange: str = Field(description="primary exchange MIC (XNYS, XNAS, XASE, ...), as on constituents")
    sector: Sector
    sector_color: Color | None = Field(description="the sector's colour in the latest grid")
    sector_signal: Signal | None = Field(description="the sector's signal in the latest grid")
    price: float | None = Field(description="last price; null when the source has none (source=run)")
    previous_close: float | None = Field(description="the previous session's regular close")
    gap_pct: float | None = Field(description="price / previous close - 1, in percent (38.2 = +38.2 %)")
    session_volume: float | None = Field(description="shares traded since 04:00 ET of the session")
    premarket_volume: float | None = Field(description="shares traded 04:00-09:30 ET; null when unknown")
    dollar_volume: float | None = Field(description="price x session_volume, in dollars")
    relative_volume: float | None = Field(description="session volume / volume expected by now")
    float_shares: float | None
    market_cap: float = Field(description="dollars, from the latest run")
    headline: str | None = Field(description="the newest headline naming the stock since the previous close")
    headline_published_at: datetime | None
    news_count: int = Field(description="articles naming the stock since the previous close")


class ScannerPage(_Frozen):
    """`GET /api/scanner`: universe stocks moving most since the previous regular close."""

    as_of: datetime = Field(description="the market time of the figures")
    session: date = Field(description="the session the figures belong to (New York date)")
    source: ScannerSource = Field(
        description="snapshot: a whole-market snapshot taken at as_of; run: the latest analysis's figures"
    )
    stale: bool = Field(description="the vendor failed: these are the last good figures")
    stale_reason: str | None = Field(description="why the figures are stale; null when they are not")
    run_id: str = Field(description="the analysis whose universe the rows are")
    news_since: datetime = Field(description="headline and news_count count articles from this instant")
    news_error: str | None = Field(
        description="why headlines are missing (the news vendor failed); null when not"
    )
    sort: ScannerSort
    total: int = Field(description="rows matching the filters, before the limit")
    rows: list[ScannerRow]


SentimentSource = Literal["vendor", "headline"]


class NewsArticle(_Frozen):
    """One article about a stock, with its sentiment toward that stock."""

    id: str
    published_at: datetime
    title: str
    publisher: str
    url: str | None
    tickers: list[str] = Field(description="every ticker the article names")
    sentiment: Sentiment | None = Field(description="toward the stock asked about")
    sentiment_source: SentimentSource | None = Field(
        description="vendor: the vendor's insight; headline: the finance lexicon's reading of the title"
    )
    reasoning: str | None = Field(description="the vendor's reasoning for its sentiment, when it gave one")


class StockNews(_Frozen):
    """`GET /api/stocks/{symbol}/news`: newest first."""

    symbol: str
    since: datetime
    until: datetime
    count: int
    items: list[NewsArticle]


class SectorNewsArticle(NewsArticle):
    """An article behind a sector's catalyst factor: `ticker` is the member (or the sector's ETF
    proxy) it names, and `sentiment` is toward that ticker."""

    ticker: str


class SectorCatalyst(_Frozen):
    """The catalyst-density factor of the sector's card (1.0 = news neither helped nor hurt)."""

    catalyst_density: dict[Timeframe, float]
    news_articles: int
    news_net_sentiment: float | None = Field(description="(positive - negative) / articles, in [-1, 1]")


class SectorNews(_Frozen):
    """`GET /api/sectors/{sector}/news`: the headlines behind the sector's catalyst factor."""

    sector: Sector
    run_id: str
    as_of: datetime = Field(description="the latest analysis's market time")
    since: datetime
    until: datetime
    catalyst: SectorCatalyst | None = Field(description="null for a run stored before it was measured")
    count: int
    items: list[SectorNewsArticle]


BarInterval = Literal["minute", "day"]


class PriceBar(_Frozen):
    time: int = Field(description="bar start, UTC epoch seconds (a day bar: 00:00 UTC of its session)")
    open: float
    high: float
    low: float
    close: float
    volume: float


class StockBars(_Frozen):
    """`GET /api/stocks/{symbol}/bars`: ascending by time."""

    symbol: str
    interval: BarInterval
    session: date | None = Field(description="the session of minute bars; null for day bars")
    count: int
    bars: list[PriceBar]
