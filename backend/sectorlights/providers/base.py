"""The provider contract: every market-data source returns our domain models."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Generic, Protocol, TypeVar, runtime_checkable

from sectorlights.domain.market import (
    DailyBars,
    IntradaySnapshot,
    Listing,
    MinuteBars,
    NewsItem,
    SectorReference,
    TickerReference,
)

T = TypeVar("T")


class ProviderError(RuntimeError):
    """A provider could not deliver what was asked; the message names the endpoint and cause."""


class NoIntradayDataError(ProviderError):
    """The provider holds no intraday data for that instant (a day-only flat-file session before
    its close): the 30-minute window can be left without data rather than fail the run."""


class ProviderUnsupportedError(ProviderError):
    """The provider cannot serve this kind of data at all (see its capabilities)."""


@dataclass(frozen=True, slots=True)
class ProviderCapabilities:
    """What a provider can serve."""

    listings: bool = True
    daily_bars: bool = True
    intraday_snapshot: bool = True
    # True when `intraday_snapshot` can answer for a past instant (needed for the 30m window);
    # otherwise the engine remembers the snapshots it fetched.
    historical_snapshots: bool = False
    minute_bars: bool = False
    news: bool = False
    simulated: bool = False


@dataclass(frozen=True, slots=True)
class ProviderHealth:
    ok: bool
    detail: str
    configured: bool = True


@dataclass(frozen=True, slots=True)
class EndpointCheck:
    """One line of `sectorlights data check`."""

    endpoint: str
    ok: bool
    latency_ms: float
    rows: int
    detail: str
    required: bool = True  # the pipeline cannot run without it


@dataclass(frozen=True, slots=True)
class RejectedRow:
    """A vendor row left out of a result, and why (bad values never reach the analytics)."""

    endpoint: str
    symbol: str
    reason: str


@dataclass(slots=True)
class Extracted(Generic[T]):
    """A vendor payload transformed into records, plus the rows that were left out (every vendor
    client's transforms return one)."""

    value: T
    rejected: list[RejectedRow] = field(default_factory=list)


@runtime_checkable
class MarketDataProvider(Protocol):
    """A source of listings, whole-market daily bars and whole-market intraday snapshots."""

    name: str
    capabilities: ProviderCapabilities

    def listings(self, as_of: datetime) -> list[Listing]:
        """All listings known at `as_of`, with reference data."""
        ...

    def daily_bars(self, sessions: Sequence[date]) -> list[DailyBars]:
        """Grouped daily bars of the whole market, one set per completed session asked for."""
        ...

    def intraday_snapshot(self, at: datetime) -> IntradaySnapshot:
        """The whole market at `at`: last price and cumulative volume of the session."""
        ...

    def minute_bars(self, symbol: str, session: date) -> MinuteBars:
        """One symbol's minute bars (ProviderUnsupportedError when capabilities.minute_bars is False)."""
        ...

    def news(self, since: datetime, until: datetime, limit: int = 1000) -> list[NewsItem]:
        """Articles published in [since, until) with per-ticker sentiment where the vendor has it."""
        ...

    def health(self) -> ProviderHealth:
        """Whether the vendor is reachable (no heavy calls)."""
        ...

    def check(self) -> list[EndpointCheck]:
        """Call each endpoint the pipeline uses once, lightly; never raises."""
        ...

    def drain_rejections(self) -> list[RejectedRow]:
        """Rows rejected since the last call (and forget them)."""
        ...


class ReferenceStore(Protocol):
    """Where per-ticker reference data is kept between runs (memory, or the database)."""

    def get_many(self, symbols: Sequence[str]) -> dict[str, TickerReference]:
        """The stored references of `symbols` that exist, whatever their age."""
        ...

    def put_many(self, references: Sequence[TickerReference]) -> None:
        """Insert or replace references."""
        ...


class MemoryReferenceStore:
    """The embedded reference store: a dict."""

    def __init__(self) -> None:
        self._references: dict[str, TickerReference] = {}

    def get_many(self, symbols: Sequence[str]) -> dict[str, TickerReference]:
        return {symbol: self._references[symbol] for symbol in symbols if symbol in self._references}

    def put_many(self, references: Sequence[TickerReference]) -> None:
        for reference in references:
            self._references[reference.symbol] = reference


class SectorReferenceStore(Protocol):
    """Where outside classifiers' sectors are kept between runs (memory, or the database)."""

    def get_many(self, symbols: Sequence[str], source: str) -> dict[str, SectorReference]:
        """The stored sectors of `symbols` from `source` that exist, whatever their age."""
        ...

    def put_many(self, references: Sequence[SectorReference]) -> None:
        """Insert or replace sectors."""
        ...


class MemorySectorReferenceStore:
    """The embedded sector store: a dict."""

    def __init__(self) -> None:
        self._references: dict[tuple[str, str], SectorReference] = {}

    def get_many(self, symbols: Sequence[str], source: str) -> dict[str, SectorReference]:
        return {
            symbol: self._references[(symbol, source)]
            for symbol in symbols
            if (symbol, source) in self._references
        }

    def put_many(self, references: Sequence[SectorReference]) -> None:
        for reference in references:
            self._references[(reference.symbol, reference.source)] = reference
