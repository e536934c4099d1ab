"""Imported daily and minute bars: idempotent bulk upserts and the reads the flatfiles provider needs."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from operator import attrgetter
from typing import Any

import numpy as np
from sqlalchemy import Column, Engine, Table, and_, exists, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.sql.dml import Insert
from sqlalchemy.sql.selectable import CTE

from sectorlights.domain.market import DailyBars, IntradaySnapshot, MinuteBars
from sectorlights.domain.sessions import current_session, session_bounds
from sectorlights.storage.tables import daily_bars, minute_bars

# Rows per executemany call: big enough to amortise the round trip, small enough to stay cheap in memory.
BATCH_SIZE = 5_000

# A minute bar covers [window_start, window_start + 1 minute); its close is known once it has ended.
BAR_LENGTH = timedelta(minutes=1)

_VALUE_COLUMNS = ("open", "high", "low", "close", "volume", "transactions")
# A bar row's values in the order of _VALUE_COLUMNS (the tables' order after the key).
_bar_values = attrgetter(*_VALUE_COLUMNS)


@dataclass(frozen=True, slots=True)
class DailyBarRow:
    """One symbol's bar for one session."""

    symbol: str
    session: date
    open: float
    high: float
    low: float
    close: float
    volume: float
    transactions: int | None = None


@dataclass(frozen=True, slots=True)
class MinuteBarRow:
    """One symbol's one-minute bar; `window_start` is the bar's start (timezone-aware)."""

    symbol: str
    window_start: datetime
    open: float
    high: float
    low: float
    close: float
    volume: float
    transactions: int | None = None


def _chunks(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


class _BulkUpsert:
    """One upsert statement compiled once and run through the driver's executemany.

    Going straight to the driver skips SQLAlchemy's per-row parameter handling (most of the cost of a
    big import); the columns' own bind processors still convert each value (UtcDateTime to UTC, dates
    and datetimes to SQLite's text form), so stored values are exactly what `connection.execute` writes.
    """

    def __init__(self, table: Table, statement: Insert, engine: Engine) -> None:
        dialect = engine.dialect
        compiled = statement.compile(dialect=dialect)
        self.sql = compiled.string
        names = [column.name for column in table.columns]
        processors = [column.type.dialect_impl(dialect).bind_processor(dialect) for column in table.columns]
        self.converters: list[tuple[int, Callable[[Any], Any]]] = [
            (index, processor) for index, processor in enumerate(processors) if processor is not None
        ]
        self.positional = bool(compiled.positional)
        if self.positional:
            order = list(compiled.positiontup or [])
            self.order = [names.index(name) for name in order]
        else:
            self.names = names

    def execute(self, connection: Connection, rows: list[tuple[Any, ...]]) -> None:
        if self.converters:
            converted: list[list[Any]] = [list(row) for row in rows]
            for index, convert in self.converters:
                # Dates and minute starts repeat across a file's rows: convert each distinct value once.
                seen: dict[Any, Any] = {}
                for row in converted:
                    value = row[index]
                    if value in seen:
                        row[index] = seen[value]
                    else:
                        row[index] = seen[value] = convert(value)
            rows = [tuple(row) for row in converted]
        if self.positional:
            order = self.order
            parameters: list[Any] = [tuple(row[index] for index in order) for row in rows]
        else:
            names = self.names
            parameters = [dict(zip(names, row, strict=True)) for row in rows]
        connection.exec_driver_sql(self.sql, parameters)


class BarsRepository:
    """Daily and minute bars in the database (SQLite or PostgreSQL, same behaviour)."""

    def __init__(self, engine: Engine, batch_size: int = BATCH_SIZE) -> None:
        self.engine = engine
        self.batch_size = batch_size
        self._writers: dict[str, _BulkUpsert] = {}

    # ----- writes -----

    def upsert_daily(self, rows: Iterable[DailyBarRow]) -> int:
        """Insert or update bars keyed by (symbol, session); returns how many rows were given.

        A row whose values are already stored is left untouched, so re-importing a file changes nothing.
        """
        return self._upsert(
            daily_bars,
            ((row.symbol, row.session, *_bar_values(row)) for row in rows),
        )

    def upsert_minute(self, rows: Iterable[MinuteBarRow]) -> int:
        """Insert or update bars keyed by (symbol, window_start); returns how many rows were given."""
        return self._upsert(
            minute_bars,
            ((row.symbol, row.window_start, *_bar_values(row)) for row in rows),
        )

    def _upsert(self, table: Table, rows: Iterable[tuple[Any, ...]]) -> int:
        """Upsert rows in the table's column order, `batch_size` rows per executemany, one transaction."""
        writer = self._writers.get(table.name)
        if writer is None:
            writer = self._writers[table.name] = _BulkUpsert(
                table, self._upsert_statement(table), self.engine
            )
        written = 0
        with self.engine.begin() as connection:
            for chunk in _chunks(rows, self.batch_size):
                writer.execute(connection, chunk)
                written += len(chunk)
        return written

    def _upsert_statement(self, table: Table) -> Insert:
        dialect = self.engine.dialect.name
        if dialect == "postgresql":
            pg_insert = postgresql.insert(table)
            excluded = pg_insert.excluded
            changed = or_(*(table.c[name].is_distinct_from(excluded[name]) for name in _VALUE_COLUMNS))
            return pg_insert.on_conflict_do_update(
                index_elements=[column.name for column in table.primary_key.columns],
                set_={name: excluded[name] for name in _VALUE_COLUMNS},
                where=changed,
            )
        if dialect == "sqlite":
            lite_insert = sqlite.insert(table)
            lite_excluded = lite_insert.excluded
            lite_changed = or_(
                *(table.c[name].is_distinct_from(lite_excluded[name]) for name in _VALUE_COLUMNS)
            )
            return lite_insert.on_conflict_do_update(
                index_elements=[column.name for column in table.primary_key.columns],
                set_={name: lite_excluded[name] for name in _VALUE_COLUMNS},
                where=lite_changed,
            )
        raise NotImplementedError(f"bar upserts are not implemented for the {dialect} dialect")

    # ----- counts (for import reports) -----

    def count_daily(self, sessions: Sequence[date]) -> int:
        """Stored daily rows of these sessions."""
        if not sessions:
            return 0
        statement = select(func.count()).select_from(daily_bars).where(daily_bars.c.session.in_(sessions))
        with self.engine.connect() as connection:
            return int(connection.execute(statement).scalar_one())

    def count_minute(self, start: datetime, end: datetime) -> int:
        """Stored minute rows with start <= window_start <= end."""
        statement = (
            select(func.count())
            .select_from(minute_bars)
            .where(minute_bars.c.window_start >= start, minute_bars.c.window_start <= end)
        )
        with self.engine.connect() as connection:
            return int(connection.execute(statement).scalar_one())

    # ----- reads -----

    def sessions(self) -> list[date]:
        """Sessions with daily bars, oldest first."""
        values = _distinct_values(daily_bars.c.session, "daily_sessions")
        statement = select(values.c.value).where(values.c.value.is_not(None)).order_by(values.c.value)
        with self.engine.connect() as connection:
            return list(connection.execute(statement).scalars())

    def imported_sessions(self, candidates: Sequence[date]) -> set[date]:
        """Those of `candidates` with daily bars."""
        if not candidates:
            return set()
        statement = select(daily_bars.c.session).where(daily_bars.c.session.in_(candidates)).distinct()
        with self.engine.connect() as connection:
            return set(connection.execute(statement).scalars())

    def symbols(self) -> list[str]:
        """Symbols with daily bars, sorted (minute-only symbols are not listed)."""
        values = _distinct_values(daily_bars.c.symbol, "daily_symbols")
        statement = select(values.c.value).where(values.c.value.is_not(None)).order_by(values.c.value)
        with self.engine.connect() as connection:
            return list(connection.execute(statement).scalars())

    def daily_bars(self, session: date) -> DailyBars:
        """The whole market's bars of `session`, sorted by symbol; no rows when it was not imported."""
        statement = (
            select(
                daily_bars.c.symbol,
                daily_bars.c.open,
                daily_bars.c.high,
                daily_bars.c.low,
                daily_bars.c.close,
                daily_bars.c.volume,
            )
            .where(daily_bars.c.session == session)
            .order_by(daily_bars.c.symbol)
        )
        with self.engine.connect() as connection:
            rows = connection.execute(statement).all()
        columns: list[tuple[Any, ...]] = list(zip(*rows, strict=True)) if rows else [() for _ in range(6)]
        return DailyBars(
            session=session,
            symbols=np.array(columns[0], dtype=np.str_),
            open=np.array(columns[1], dtype=np.float64),
            high=np.array(columns[2], dtype=np.float64),
            low=np.array(columns[3], dtype=np.float64),
            close=np.array(columns[4], dtype=np.float64),
            volume=np.array(columns[5], dtype=np.float64),
        )

    def latest_closes(self, on_or_before: date) -> dict[str, float]:
        """Each symbol's close of its latest session at or before `on_or_before`."""
        latest = (
            select(daily_bars.c.symbol, func.max(daily_bars.c.session).label("session"))
            .where(daily_bars.c.session <= on_or_before)
            .group_by(daily_bars.c.symbol)
            .subquery()
        )
        statement = select(daily_bars.c.symbol, daily_bars.c.close).join(
            latest,
            and_(daily_bars.c.symbol == latest.c.symbol, daily_bars.c.session == latest.c.session),
        )
        with self.engine.connect() as connection:
            return {symbol: float(close) for symbol, close in connection.execute(statement).all()}

    def closes_between(self, after: date, on_or_before: date) -> dict[str, float]:
        """Each symbol's close of its latest session in (`after`, `on_or_before`]; symbols without a
        bar there are left out. Reads the session index only, so a few sessions cost a few reads."""
        statement = (
            select(daily_bars.c.symbol, daily_bars.c.close)
            .where(daily_bars.c.session > after, daily_bars.c.session <= on_or_before)
            .order_by(daily_bars.c.session)
        )
        with self.engine.connect() as connection:
            # Later sessions come last and replace earlier ones.
            return {symbol: float(close) for symbol, close in connection.execute(statement).all()}

    def has_minutes(self, session: date) -> bool:
        """True when any minute bar of `session` (04:00-20:00 ET) is stored."""
        start, end = _session_window(session)
        statement = select(
            exists().where(minute_bars.c.window_start >= start, minute_bars.c.window_start < end)
        )
        with self.engine.connect() as connection:
            return bool(connection.execute(statement).scalar_one())

    def minute_range(self) -> tuple[datetime, datetime] | None:
        """The earliest and latest stored minute bar starts, or None when there are none."""
        statement = select(func.min(minute_bars.c.window_start), func.max(minute_bars.c.window_start))
        with self.engine.connect() as connection:
            first, last = connection.execute(statement).one()
        if first is None or last is None:
            return None
        return _as_utc(first), _as_utc(last)

    def minute_sessions(self, candidates: Sequence[date]) -> list[date]:
        """Those of `candidates` with minute bars (one indexed existence check each)."""
        return [session for session in candidates if self.has_minutes(session)]

    def minute_bars(self, symbol: str, session: date) -> MinuteBars:
        """One symbol's minute bars of `session` (04:00-20:00 ET), oldest first."""
        start, end = _session_window(session)
        statement = (
            select(
                minute_bars.c.window_start,
                minute_bars.c.open,
                minute_bars.c.high,
                minute_bars.c.low,
                minute_bars.c.close,
                minute_bars.c.volume,
            )
            .where(
                minute_bars.c.symbol == symbol,
                minute_bars.c.window_start >= start,
                minute_bars.c.window_start < end,
            )
            .order_by(minute_bars.c.window_start)
        )
        with self.engine.connect() as connection:
            rows = connection.execute(statement).all()
        columns: list[tuple[Any, ...]] = list(zip(*rows, strict=True)) if rows else [() for _ in range(6)]
        return MinuteBars(
            symbol=symbol,
            session=session,
            window_start_ns=np.array([_epoch_ns(moment) for moment in columns[0]], dtype=np.int64),
            open=np.array(columns[1], dtype=np.float64),
            high=np.array(columns[2], dtype=np.float64),
            low=np.array(columns[3], dtype=np.float64),
            close=np.array(columns[4], dtype=np.float64),
            volume=np.array(columns[5], dtype=np.float64),
        )

    def minute_snapshot(self, at: datetime) -> IntradaySnapshot:
        """The market at `at` from minute bars, in one query.

        `at` belongs to the session `current_session(at)`; after 20:00 ET the session's 20:00 state is
        given. For every symbol with minute bars in that session: the close of its last bar that had
        ended by `at` (NaN when none had) and the volume of all its bars that had ended by `at` since
        04:00 ET. Symbols are sorted.
        """
        if at.tzinfo is None:
            raise ValueError("a timezone-aware datetime is required")
        session = current_session(at)
        start, end = _session_window(session)
        # Bars that have ended by `at`: window_start + 1 minute <= at.
        last_start = min(at, end) - BAR_LENGTH
        # Every symbol by a loose index scan of the primary key, then per symbol three primary-key range
        # lookups; this reads only the session's rows, where a GROUP BY over the window_start index
        # would fetch each row of the session from the table to learn its symbol.
        symbols = _distinct_values(minute_bars.c.symbol, "minute_symbols")
        bar = minute_bars.alias("bar")
        ended = and_(
            bar.c.symbol == symbols.c.value, bar.c.window_start >= start, bar.c.window_start <= last_start
        )
        last_close = select(bar.c.close).where(ended).order_by(bar.c.window_start.desc()).limit(1)
        volume = select(func.sum(bar.c.volume)).where(ended)
        traded = exists().where(
            bar.c.symbol == symbols.c.value, bar.c.window_start >= start, bar.c.window_start < end
        )
        statement = (
            select(symbols.c.value, last_close.scalar_subquery(), volume.scalar_subquery())
            .where(symbols.c.value.is_not(None), traded)
            .order_by(symbols.c.value)
        )
        with self.engine.connect() as connection:
            rows = connection.execute(statement).all()
        return IntradaySnapshot(
            at=at,
            session=session,
            symbols=np.array([row[0] for row in rows], dtype=np.str_),
            last_price=np.array([np.nan if row[1] is None else row[1] for row in rows], dtype=np.float64),
            session_volume=np.array([0.0 if row[2] is None else row[2] for row in rows], dtype=np.float64),
        )


def _distinct_values(column: Column[Any], name: str) -> CTE:
    """The distinct values of an indexed column as a recursive CTE with one column, `value`.

    A loose index scan: each step asks the index for the smallest value above the previous one, so the
    cost grows with the number of distinct values, not of rows. The last row's value is NULL.
    """
    table = column.table
    first = select(func.min(column).label("value")).cte(name, recursive=True)
    inner = table.alias(f"{name}_next")
    next_column = inner.c[column.name]
    following = select(func.min(next_column)).where(next_column > first.c.value).scalar_subquery()
    return first.union_all(select(following).where(first.c.value.is_not(None)))


def _session_window(session: date) -> tuple[datetime, datetime]:
    """[04:00, 20:00) ET of `session`, in UTC."""
    bounds = session_bounds(session)
    return bounds.extended_open.astimezone(UTC), bounds.extended_close.astimezone(UTC)


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _epoch_ns(moment: datetime) -> int:
    delta = _as_utc(moment) - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1_000
