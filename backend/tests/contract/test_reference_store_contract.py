"""One reference-store contract, run against memory, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from sectorlights.domain.market import TickerReference
from sectorlights.providers.base import MemoryReferenceStore, ReferenceStore
from sectorlights.storage import reference_store as reference_store_module
from sectorlights.storage.reference_store import SqlReferenceStore

FETCHED = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)


def reference(symbol: str, **changes: object) -> TickerReference:
    values: dict[str, object] = {
        "symbol": symbol,
        "name": f"{symbol} Holdings Inc",
        "security_type": "CS",
        "primary_exchange": "XNAS",
        "market_cap": 1.25e9,
        "shares_outstanding": 4.0e7,
        "sic_code": "0100",  # leading zero kept
        "sic_description": "AGRICULTURAL PRODUCTION-CROPS",
        "fetched_at": FETCHED,
    }
    values.update(changes)
    return TickerReference(**values)  # type: ignore[arg-type]


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def store(request: pytest.FixtureRequest) -> ReferenceStore:
    """An empty store of each kind (the SQL ones on conftest's migrated, empty databases)."""
    if request.param == "memory":
        return MemoryReferenceStore()
    return SqlReferenceStore(request.getfixturevalue(f"{request.param}_database"))


def test_round_trip(store: ReferenceStore) -> None:
    assert store.get_many(["SOUN"]) == {}
    stored = [
        reference("SOUN"),
        reference(
            "IWM",
            name="iShares Russell 2000 ETF",
            security_type="ETF",
            primary_exchange="ARCX",
            market_cap=None,
            shares_outstanding=None,
            sic_code=None,
            sic_description=None,
        ),
    ]
    store.put_many(stored)
    found = store.get_many(["IWM", "SOUN", "MISSING"])
    assert found == {item.symbol: item for item in stored}
    assert found["SOUN"].fetched_at.tzinfo is not None


def test_replace_keeps_one_row_per_symbol(store: ReferenceStore) -> None:
    store.put_many([reference("SOUN"), reference("PRPL")])
    newer = reference("SOUN", market_cap=2.5e9, sic_code="7372", fetched_at=FETCHED + timedelta(days=7))
    store.put_many([newer])
    found = store.get_many(["SOUN", "PRPL"])
    assert found["SOUN"] == newer
    assert found["PRPL"] == reference("PRPL")


def test_the_last_duplicate_in_one_call_wins(store: ReferenceStore) -> None:
    store.put_many([reference("SOUN", market_cap=1.0), reference("SOUN", market_cap=2.0)])
    assert store.get_many(["SOUN"])["SOUN"].market_cap == 2.0


def test_empty_calls(store: ReferenceStore) -> None:
    store.put_many([])
    assert store.get_many([]) == {}


def test_times_come_back_in_utc(store: ReferenceStore) -> None:
    local = datetime(2026, 11, 24, 1, 0, tzinfo=ZoneInfo("America/New_York"))
    store.put_many([reference("SOUN", fetched_at=local)])
    assert store.get_many(["SOUN"])["SOUN"].fetched_at == local


def test_sql_store_chunks_long_symbol_lists(database: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reference_store_module, "IN_CHUNK", 7)
    monkeypatch.setattr(reference_store_module, "WRITE_CHUNK", 5)
    store = SqlReferenceStore(database)
    symbols = [f"T{index:03d}" for index in range(40)]
    store.put_many([reference(symbol, market_cap=float(index)) for index, symbol in enumerate(symbols)])
    found = store.get_many([*symbols, "NOPE", symbols[0]])
    assert sorted(found) == symbols
    assert [found[symbol].market_cap for symbol in symbols] == [float(index) for index in range(40)]
