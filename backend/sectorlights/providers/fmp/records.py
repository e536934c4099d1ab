"""Financial Modeling Prep records, as our domain sees them, and FMP's sector names mapped to ours."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sectorlights.domain.vocabulary import Sector

# FMP's 11 sectors (GICS-like names, as the stable `/profile` and `/company-screener` spell them)
# folded into our 8 (DESIGN §5).
FMP_SECTOR_MAP: dict[str, Sector] = {
    "Technology": Sector.TECHNOLOGY,
    "Communication Services": Sector.TECHNOLOGY,
    "Healthcare": Sector.HEALTHCARE,
    "Energy": Sector.ENERGY,
    "Financial Services": Sector.FINANCIAL,
    "Real Estate": Sector.FINANCIAL,
    "Consumer Cyclical": Sector.CONSUMER_DISCRETIONARY,
    "Consumer Defensive": Sector.CONSUMER_DISCRETIONARY,
    "Industrials": Sector.INDUSTRIALS,
    "Basic Materials": Sector.MATERIALS,
    "Utilities": Sector.UTILITIES,
}

_FOLDED_SECTOR_MAP: dict[str, Sector] = {name.casefold(): sector for name, sector in FMP_SECTOR_MAP.items()}


def map_fmp_sector(name: str | None) -> Sector | None:
    """Our sector for an FMP sector name (case and surrounding blanks ignored); None when unknown or empty."""
    if not name:
        return None
    return _FOLDED_SECTOR_MAP.get(name.strip().casefold())


@dataclass(frozen=True, slots=True)
class FmpProfile:
    """One row of `/stable/profile?symbol=` (or `/stable/company-screener`)."""

    symbol: str
    company_name: str
    sector: str | None  # FMP's name, e.g. "Consumer Cyclical"; map it with map_fmp_sector
    industry: str | None
    market_cap: float | None
    average_volume: float | None  # the screener has no average volume: None there
    price: float | None
    exchange: str | None  # FMP's short name: NASDAQ, NYSE, AMEX, TSX, ...
    is_etf: bool
    is_actively_trading: bool

    @property
    def our_sector(self) -> Sector | None:
        return map_fmp_sector(self.sector)


@dataclass(frozen=True, slots=True)
class FmpFloat:
    """One row of `/stable/shares-float` or `/stable/shares-float-all`."""

    symbol: str
    float_shares: float
    free_float_percent: float | None  # a percentage (99.8), not a fraction
    outstanding_shares: float | None
    date: date | None


@dataclass(frozen=True, slots=True)
class EtfHolding:
    """One row of `/stable/etf/holdings?symbol=`."""

    etf: str
    symbol: str
    weight_percent: float  # a percentage of the fund (10.691), not a fraction
    shares: float | None
