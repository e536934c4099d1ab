"""Market data as the providers hand it over: listings and whole-market bars and snapshots."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from sectorlights.domain.vocabulary import Sector

FloatArray = npt.NDArray[np.float64]
StrArray = npt.NDArray[np.str_]


@dataclass(frozen=True, slots=True)
class Listing:
    """One listed security with the reference data the universe filter needs."""

    symbol: str
    name: str
    security_type: str  # Polygon/Massive type codes: CS, ETF, ADRC, PFD, WARRANT, RIGHT, UNIT, ...
    primary_exchange: str  # MIC: XNAS, XNYS, XASE, ARCX, BATS, or OTC
    market_cap: float | None
    shares_outstanding: float | None
    float_shares: float | None
    sic_code: str | None
    sic_description: str | None


@dataclass(frozen=True, slots=True)
class DailyBars:
    """Whole-market daily bars for one session, as a grouped-daily call returns them."""

    session: date
    symbols: StrArray
    open: FloatArray
    high: FloatArray
    low: FloatArray
    close: FloatArray  # regular-session close
    volume: FloatArray


@dataclass(frozen=True, slots=True)
class IntradaySnapshot:
    """Whole-market state at one instant of a session (04:00-20:00 ET), as a full-market snapshot."""

    at: datetime
    session: date
    symbols: StrArray
    last_price: FloatArray
    session_volume: FloatArray  # cumulative shares traded since 04:00 ET of `session`


def validate_daily_bars(bars: DailyBars) -> None:
    """Raise ValueError when the columns of a bar set do not line up."""
    size = bars.symbols.shape[0]
    for column in ("open", "high", "low", "close", "volume"):
        if getattr(bars, column).shape != (size,):
            raise ValueError(f"daily bars for {bars.session}: column {column} has the wrong length")


def validate_snapshot(snapshot: IntradaySnapshot) -> None:
    """Raise ValueError when the columns of a snapshot do not line up."""
    size = snapshot.symbols.shape[0]
    for column in ("last_price", "session_volume"):
        if getattr(snapshot, column).shape != (size,):
            raise ValueError(f"snapshot at {snapshot.at}: column {column} has the wrong length")
    if snapshot.at.tzinfo is None:
        raise ValueError("snapshot time must be timezone-aware")


IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class MinuteBars:
    """One symbol's minute bars for one session (04:00-20:00 ET); minutes without trades are absent."""

    symbol: str
    session: date
    window_start_ns: IntArray  # bar start, nanoseconds since the Unix epoch (UTC)
    open: FloatArray
    high: FloatArray
    low: FloatArray
    close: FloatArray
    volume: FloatArray


class Sentiment(StrEnum):
    POSITIVE = "positive"
    NEGATIVE = "negative"
    NEUTRAL = "neutral"


@dataclass(frozen=True, slots=True)
class NewsInsight:
    """The vendor's sentiment of one article toward one ticker."""

    ticker: str
    sentiment: Sentiment
    reasoning: str


@dataclass(frozen=True, slots=True)
class NewsItem:
    news_id: str
    published_at: datetime
    title: str
    publisher: str
    tickers: tuple[str, ...]
    insights: tuple[NewsInsight, ...]
    url: str | None = None


@dataclass(frozen=True, slots=True)
class TickerReference:
    """Per-ticker reference data that changes slowly; cached and refreshed on a schedule."""

    symbol: str
    name: str
    security_type: str
    primary_exchange: str
    market_cap: float | None
    shares_outstanding: float | None
    sic_code: str | None
    sic_description: str | None
    fetched_at: datetime


@dataclass(frozen=True, slots=True)
class SectorReference:
    """An outside classifier's sector for one symbol (FMP's sector name), or None when it has none."""

    symbol: str
    source: str  # "fmp"
    sector: str | None
    fetched_at: datetime


@dataclass(frozen=True, slots=True)
class SectorAnswers:
    """What an outside classifier answered: our sector per symbol, and the symbols it answered for
    without a usable one. Symbols whose request failed are in neither."""

    sectors: dict[str, Sector]
    without_sector: frozenset[str]
