"""Per-ticker reference data kept in the database between runs (the `ReferenceStore` protocol)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert

from sectorlights.domain.market import TickerReference
from sectorlights.storage.tables import ticker_reference

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
        wanted = list(dict.fromkeys(symbols))
        found: dict[str, TickerReference] = {}
        with self.engine.connect() as connection:
            for start in range(0, len(wanted), IN_CHUNK):
                chunk = wanted[start : start + IN_CHUNK]
                rows = connection.execute(
                    select(ticker_reference).where(ticker_reference.c.symbol.in_(chunk))
                ).mappings()
                for row in rows:
                    found[row["symbol"]] = TickerReference(
                        symbol=row["symbol"],
                        name=row["name"],
                        security_type=row["security_type"],
                        primary_exchange=row["primary_exchange"],
                        market_cap=row["market_cap"],
                        shares_outstanding=row["shares_outstanding"],
                        sic_code=row["sic_code"],
                        sic_description=row["sic_description"],
                        fetched_at=row["fetched_at"],
                    )
        return found

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
        statement = self._upsert_statement()
        with self.engine.begin() as connection:
            for start in range(0, len(values), WRITE_CHUNK):
                connection.execute(statement, values[start : start + WRITE_CHUNK])

    def _upsert_statement(self) -> Insert:
        dialect = self.engine.dialect.name
        if dialect == "postgresql":
            pg_insert = postgresql.insert(ticker_reference)
            return pg_insert.on_conflict_do_update(
                index_elements=["symbol"],
                set_={name: pg_insert.excluded[name] for name in _VALUE_COLUMNS},
            )
        if dialect == "sqlite":
            lite_insert = sqlite.insert(ticker_reference)
            return lite_insert.on_conflict_do_update(
                index_elements=["symbol"],
                set_={name: lite_insert.excluded[name] for name in _VALUE_COLUMNS},
            )
        raise NotImplementedError(f"reference upserts are not implemented for the {dialect} dialect")
