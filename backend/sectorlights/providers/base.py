"""The provider contract: every market-data source returns our domain models."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol, runtime_checkable

from sectorlights.domain.market import DailyBars, IntradaySnapshot, Listing


class ProviderError(RuntimeError):
    """A provider could not deliver what was asked; the message names the endpoint and cause."""


@dataclass(frozen=True, slots=True)
class ProviderCapabilities:
    """What a provider can serve."""

    listings: bool = True
    daily_bars: bool = True
    intraday_snapshot: bool = True
    # True when `intraday_snapshot` can answer for a past instant (needed for the 30m window).
    historical_snapshots: bool = False
    simulated: bool = False


@dataclass(frozen=True, slots=True)
class ProviderHealth:
    ok: bool
    detail: str
    configured: bool = True


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

    def health(self) -> ProviderHealth:
        """Whether the vendor is reachable (no heavy calls)."""
        ...
