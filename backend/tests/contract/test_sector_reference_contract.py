"""One sector-reference-store contract (outside classifiers' sectors), run against memory, SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from sectorlights.domain.market import SectorReference
from sectorlights.providers.base import MemorySectorReferenceStore, SectorReferenceStore
from sectorlights.storage import reference_store as reference_store_module
from sectorlights.storage.reference_store import SqlSectorReferenceStore

FETCHED = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)


def fmp(symbol: str, sector: str | None = "technology", fetched_at: datetime = FETCHED) -> SectorReference:
    return SectorReference(symbol=symbol, source="fmp", sector=sector, fetched_at=fetched_at)


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def store(request: pytest.FixtureRequest) -> SectorReferenceStore:
    """An empty store of each kind (the SQL ones on conftest's migrated, empty databases)."""
    if request.param == "memory":
        return MemorySectorReferenceStore()
    return SqlSectorReferenceStore(request.getfixturevalue(f"{request.param}_database"))


def test_round_trip_with_unknown_sectors(store: SectorReferenceStore) -> None:
    assert store.get_many(["SOUN"], "fmp") == {}
    stored = [fmp("SOUN"), fmp("OCUL", "healthcare"), fmp("SPAC", None)]
    store.put_many(stored)
    assert store.get_many(["SOUN", "OCUL", "SPAC", "MISSING"], "fmp") == {
        item.symbol: item for item in stored
    }


def test_sources_are_kept_apart(store: SectorReferenceStore) -> None:
    store.put_many([fmp("SOUN"), SectorReference("SOUN", "other", "industrials", FETCHED)])
    assert store.get_many(["SOUN"], "fmp")["SOUN"].sector == "technology"
    assert store.get_many(["SOUN"], "other")["SOUN"].sector == "industrials"
    assert store.get_many(["SOUN"], "none") == {}


def test_replace_and_last_duplicate_wins(store: SectorReferenceStore) -> None:
    store.put_many([fmp("SOUN", None), fmp("PRPL", "consumer_discretionary")])
    newer = fmp("SOUN", "technology", FETCHED + timedelta(days=1))
    store.put_many([fmp("SOUN", "energy"), newer])
    found = store.get_many(["SOUN", "PRPL"], "fmp")
    assert found["SOUN"] == newer
    assert found["PRPL"].sector == "consumer_discretionary"


def test_empty_calls_and_times_in_any_zone(store: SectorReferenceStore) -> None:
    store.put_many([])
    assert store.get_many([], "fmp") == {}
    local = datetime(2026, 11, 24, 1, 0, tzinfo=ZoneInfo("America/New_York"))
    store.put_many([fmp("SOUN", fetched_at=local)])
    assert store.get_many(["SOUN"], "fmp")["SOUN"].fetched_at == local


def test_sql_store_chunks_long_symbol_lists(database: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reference_store_module, "IN_CHUNK", 7)
    monkeypatch.setattr(reference_store_module, "WRITE_CHUNK", 5)
    store = SqlSectorReferenceStore(database)
    symbols = [f"T{index:03d}" for index in range(40)]
    store.put_many([fmp(symbol) for symbol in symbols])
    assert sorted(store.get_many([*symbols, "NOPE"], "fmp")) == symbols
