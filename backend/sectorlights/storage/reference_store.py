"""Per-ticker reference data kept in the database between runs (the `ReferenceStore` protocol)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Engine, RowMapping, Table, and_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert

from sectorlights.domain.market import SectorReference, TickerReference
from sectorlights.storage.tables import sector_reference, ticker_reference

# Symbols per IN (...) list: far below SQLite's and PostgreSQL's bound-parameter limits.
IN_CHUNK = 500
WRITE_CHUNK = 5_000

_VALUE_COLUMNS = (
    "name",
    "security_type",
    "primary_exchange",
    "market_cap",
    "shares_outstanding",
    "sic_code",
    "sic_description",
    "fetched_at",
)


class SqlReferenceStore:
    """`ReferenceStore` on SQLite or PostgreSQL: the `ticker_reference` table."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def get_many(self, symbols: Sequence[str]) -> dict[str, TickerReference]:
        """The stored references of `symbols` that exist, whatever their age."""
        return {
            row["symbol"]: TickerReference(**{name: row[name] for name in ("symbol", *_VALUE_COLUMNS)})
            for row in rows_for_symbols(self.engine, ticker_reference, symbols)
        }

    def put_many(self, references: Sequence[TickerReference]) -> None:
        """Insert or replace references (the last one wins when a symbol repeats)."""
        latest = {reference.symbol: reference for reference in references}
        values: list[dict[str, Any]] = [
            {
                "symbol": reference.symbol,
                "name": reference.name[:200],
                "security_type": reference.security_type,
                "primary_exchange": reference.primary_exchange,
                "market_cap": reference.market_cap,
                "shares_outstanding": reference.shares_outstanding,
                "sic_code": reference.sic_code,
                "sic_description": None
                if reference.sic_description is None
                else reference.sic_description[:200],
                "fetched_at": reference.fetched_at,
            }
            for reference in latest.values()
        ]
        if not values:
            return
        statement = upsert_statement(self.engine, ticker_reference, ["symbol"], _VALUE_COLUMNS)
        with self.engine.begin() as connection:
            for start in range(0, len(values), WRITE_CHUNK):
                connection.execute(statement, values[start : start + WRITE_CHUNK])


class SqlSectorReferenceStore:
    """`SectorReferenceStore` on SQLite or PostgreSQL: the `sector_reference` table."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def get_many(self, symbols: Sequence[str], source: str) -> dict[str, SectorReference]:
        """The stored sectors of `symbols` from `source`, whatever their age."""
        return {
            row["symbol"]: SectorReference(
                symbol=row["symbol"], source=row["source"], sector=row["sector"], fetched_at=row["fetched_at"]
            )
            for row in rows_for_symbols(
                self.engine, sector_reference, symbols, sector_reference.c.source == source
            )
        }

    def put_many(self, references: Sequence[SectorReference]) -> None:
        """Insert or replace sectors (the last one wins when a symbol and source repeat)."""
        latest = {(reference.symbol, reference.source): reference for reference in references}
        values = [
            {
                "symbol": reference.symbol[:16],
                "source": reference.source[:10],
                "sector": None if reference.sector is None else reference.sector[:50],
                "fetched_at": reference.fetched_at,
            }
            for reference in latest.values()
        ]
        if not values:
            return
        statement = upsert_statement(
            self.engine, sector_reference, ["symbol", "source"], ("sector", "fetched_at")
        )
        with self.engine.begin() as connection:
            for start in range(0, len(values), WRITE_CHUNK):
                connection.execute(statement, values[start : start + WRITE_CHUNK])


def rows_for_symbols(
    engine: Engine, table: Table, symbols: Sequence[str], *conditions: ColumnElement[bool]
) -> list[RowMapping]:
    """The rows of `table` whose `symbol` is one of `symbols` (and that meet `conditions`), asked
    for `IN_CHUNK` symbols at a time."""
    wanted = list(dict.fromkeys(symbols))
    found: list[RowMapping] = []
    with engine.connect() as connection:
        for start in range(0, len(wanted), IN_CHUNK):
            chunk = wanted[start : start + IN_CHUNK]
            query = select(table).where(and_(table.c.symbol.in_(chunk), *conditions))
            found.extend(connection.execute(query).mappings())
    return found


def upsert_statement(engine: Engine, table: Table, keys: list[str], value_columns: Sequence[str]) -> Insert:
    """INSERT ... ON CONFLICT (keys) DO UPDATE of `value_columns`, in the engine's dialect."""
    dialect = engine.dialect.name
    if dialect == "postgresql":
        pg_insert = postgresql.insert(table)
        return pg_insert.on_conflict_do_update(
            index_elements=keys, set_={name: pg_insert.excluded[name] for name in value_columns}
        )
    if dialect == "sqlite":
        lite_insert = sqlite.insert(table)
        return lite_insert.on_conflict_do_update(
            index_elements=keys, set_={name: lite_insert.excluded[name] for name in value_columns}
        )
    raise NotImplementedError(f"upserts are not implemented for the {dialect} dialect")
