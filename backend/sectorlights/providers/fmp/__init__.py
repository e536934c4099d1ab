"""Financial Modeling Prep (stable API only): sector validation, float and ETF membership."""

from sectorlights.providers.fmp.client import FmpClient, FmpReference, create_fmp_reference
from sectorlights.providers.fmp.records import (
    FMP_SECTOR_MAP,
    EtfHolding,
    FmpFloat,
    FmpProfile,
    map_fmp_sector,
)

__all__ = [
    "FMP_SECTOR_MAP",
    "EtfHolding",
    "FmpClient",
    "FmpFloat",
    "FmpProfile",
    "FmpReference",
    "create_fmp_reference",
    "map_fmp_sector",
]
