"""The extraction side of Polygon/Massive: one implementation per transport (REST, MCP).

A source does the I/O and turns each vendor payload into these records, dropping bad rows into
`RejectedRow`s; `PolygonMarketData` (market_data.py) holds the logic both transports share:
prefiltering, reference-data caching, alignment, and the MarketDataProvider contract.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

import numpy as np
import numpy.typing as npt

from sectorlights.domain.market import DailyBars, MinuteBars, NewsItem, TickerReference
from sectorlights.providers.base import Extracted
from sectorlights.providers.resilience import CircuitReport

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
StrArray = npt.NDArray[np.str_]


@dataclass(frozen=True, slots=True)
class TickerRow:
    """One row of `GET /v3/reference/tickers`."""

    symbol: str
    name: str
    security_type: str
    primary_exchange: str
    active: bool


@dataclass(frozen=True, slots=True)
class SnapshotRows:
    """`GET /v2/snapshot/locale/us/markets/stocks/tickers`, as columns."""

    symbols: StrArray
    last_price: FloatArray  # lastTrade.p, else min.c, else day.c
    session_volume: FloatArray  # day.v
    previous_close: FloatArray  # prevDay.c
    updated_ns: IntArray  # the row's `updated`, nanoseconds since the epoch


# The vendor's largest pages.
TICKERS_PAGE_LIMIT = 1000
FLOAT_PAGE_LIMIT = 5000
NEWS_PAGE_LIMIT = 1000


def page_size(limit: int | None, vendor_max: int) -> int:
    """The page to ask for: the vendor's largest for a whole list, else `limit` kept within it."""
    return vendor_max if limit is None else max(1, min(limit, vendor_max))


class PagedLists(ABC):
    """The paged lists and their one-page forms for `check()`, the same over every transport's
    `_tickers` and `_floats`."""

    def tickers(self) -> Extracted[list[TickerRow]]:
        return self._tickers(None, page_size(None, TICKERS_PAGE_LIMIT))

    def tickers_first_page(self, limit: int = 10) -> Extracted[list[TickerRow]]:
        """One light call for `check()`: the first `limit` tickers, no pagination."""
        return self._tickers(limit, page_size(limit, TICKERS_PAGE_LIMIT))

    def floats(self) -> Extracted[dict[str, float]]:
        return self._floats(None, page_size(None, FLOAT_PAGE_LIMIT))

    def floats_first_page(self, limit: int = 10) -> Extracted[dict[str, float]]:
        """One light call for `check()`: the first `limit` rows, no pagination."""
        return self._floats(limit, page_size(limit, FLOAT_PAGE_LIMIT))

    @abstractmethod
    def _tickers(self, limit: int | None, page: int) -> Extracted[list[TickerRow]]:
        """Every ticker (following the pages) when `limit` is None, else the first `limit` only;
        `page` rows a request."""

    @abstractmethod
    def _floats(self, limit: int | None, page: int) -> Extracted[dict[str, float]]:
        """Every float row (following the pages) when `limit` is None, else the first `limit` only;
        `page` rows a request."""


class PolygonSource(Protocol):
    """Polygon/Massive endpoints, extracted and transformed into records."""

    transport: str  # "rest" or "mcp"

    @property
    def request_count(self) -> int:
        """Requests sent so far (every page and every retry), all endpoints."""
        ...

    @property
    def circuits(self) -> list[CircuitReport]:
        """The circuit breaker's state per endpoint called so far (health reads it, never the vendor)."""
        ...

    def market_status(self) -> Extracted[str]:
        """`GET /v1/marketstatus/now`: the `market` field (open, closed, extended-hours)."""
        ...

    def snapshot(self) -> Extracted[SnapshotRows]:
        """The full-market snapshot, one call."""
        ...

    def grouped_daily(self, session: date) -> Extracted[DailyBars]:
        """`GET /v2/aggs/grouped/locale/us/market/stocks/{date}`, one call per session."""
        ...

    def tickers(self) -> Extracted[list[TickerRow]]:
        """`GET /v3/reference/tickers?market=stocks&active=true&limit=1000`, following next_url."""
        ...

    def ticker_details(self, symbol: str, fetched_at: datetime) -> Extracted[TickerReference | None]:
        """`GET /v3/reference/tickers/{symbol}`; None (and a rejection) when the row is unusable."""
        ...

    def floats(self) -> Extracted[dict[str, float]]:
        """`GET /stocks/vX/float?limit=5000`, following next_url: free float shares per ticker."""
        ...

    def minute_bars(self, symbol: str, session: date) -> Extracted[MinuteBars]:
        """`GET /v2/aggs/ticker/{symbol}/range/1/minute/{session}/{session}`."""
        ...

    def news(self, since: datetime, until: datetime, limit: int) -> Extracted[list[NewsItem]]:
        """`GET /v2/reference/news` with `insights`, newest first, following next_url up to `limit`."""
        ...
