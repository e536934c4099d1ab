"""Polygon/Massive flat files: import day and minute aggregates, then serve them as a provider."""

from sectorlights.providers.flatfiles.importer import (
    EXPECTED_HEADER,
    FileReport,
    FlatFileError,
    ImportReport,
    import_flatfiles,
)
from sectorlights.providers.flatfiles.listings import LISTINGS_HEADER, ListingsFileError, read_listings_csv
from sectorlights.providers.flatfiles.provider import FlatFilesProvider, create_flatfiles_provider

__all__ = [
    "EXPECTED_HEADER",
    "LISTINGS_HEADER",
    "FileReport",
    "FlatFileError",
    "FlatFilesProvider",
    "ImportReport",
    "ListingsFileError",
    "create_flatfiles_provider",
    "import_flatfiles",
    "read_listings_csv",
]
