"""Polygon/Massive flat files served as a provider, from the bars `sectorlights data import` stored
(the import itself is storage ingestion: `sectorlights.storage.ingestion`)."""

from sectorlights.providers.flatfiles.listings import LISTINGS_HEADER, ListingsFileError, read_listings_csv
from sectorlights.providers.flatfiles.provider import FlatFilesProvider, create_flatfiles_provider

__all__ = [
    "LISTINGS_HEADER",
    "FlatFilesProvider",
    "ListingsFileError",
    "create_flatfiles_provider",
    "read_listings_csv",
]
