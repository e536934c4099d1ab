"""Import Polygon/Massive flat files (day_aggs_v1 and minute_aggs_v1) into the bars tables.

A flat file is `us_stocks_sip/{day_aggs_v1|minute_aggs_v1}/YYYY/MM/YYYY-MM-DD.csv.gz` with the header
`ticker,volume,open,close,high,low,window_start,transactions`; `window_start` is nanoseconds since the
Unix epoch (a day bar starts at midnight America/New_York of its session, a minute bar at its minute)
and `volume` may be fractional. Files are streamed in batches, never read whole; bad rows are skipped
and counted by reason; re-importing a file changes nothing.
"""

from __future__ import annotations

import csv
import gzip
import math
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import IO, Literal

from sectorlights.domain.sessions import NEW_YORK
from sectorlights.storage.bars import BarsRepository, DailyBarRow, MinuteBarRow

BarKind = Literal["day", "minute"]

EXPECTED_HEADER: tuple[str, ...] = (
    "ticker",
    "volume",
    "open",
    "close",
    "high",
    "low",
    "window_start",
    "transactions",
)
MAX_SYMBOL_LENGTH = 16

# Reasons a row is skipped (the keys of `FileReport.skipped`).
MISSING_TICKER = "missing_ticker"
BAD_TICKER = "bad_ticker"  # longer than 16 characters
MISSING_COLUMNS = "missing_columns"
BAD_NUMBER = "bad_number"  # a price, volume or transactions value that is not a finite number
BAD_WINDOW_START = "bad_window_start"  # not an integer number of nanoseconds
NEGATIVE_VOLUME = "negative_volume"
NON_POSITIVE_PRICE = "non_positive_price"
HIGH_BELOW_LOW = "high_below_low"

ProgressCallback = Callable[[str, int], None]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NS_PER_MICROSECOND = 1_000
_HALF_DAY = timedelta(hours=12)


class FlatFileError(ValueError):
    """A flat file cannot be imported at all (missing, wrong header, unreadable); names the file."""


@dataclass(frozen=True, slots=True)
class FileReport:
    """What importing one file did."""

    path: Path
    kind: BarKind
    rows_read: int  # data rows (the header excluded)
    imported: int  # valid rows written (new or already stored)
    new_rows: int  # rows that were not stored before this import
    skipped: Mapping[str, int]  # reason -> rows
    seconds: float
    dates: tuple[date, ...]  # New York dates of the imported rows (sessions, for day files)

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())

    @property
    def rows_per_second(self) -> float:
        return self.rows_read / self.seconds if self.seconds > 0 else math.inf

    def describe(self) -> str:
        """One line for the command line."""
        reasons = ", ".join(f"{reason} {count}" for reason, count in sorted(self.skipped.items()))
        skipped = f" ({reasons})" if reasons else ""
        return (
            f"{self.path.name}: {self.kind} bars, read {self.rows_read:,}, imported {self.imported:,} "
            f"({self.new_rows:,} new), skipped {self.skipped_total:,}{skipped}, "
            f"{self.seconds:.2f} s ({self.rows_per_second:,.0f} rows/s)"
        )


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What importing several files did, file by file."""

    files: tuple[FileReport, ...] = field(default_factory=tuple)

    @property
    def rows_read(self) -> int:
        return sum(report.rows_read for report in self.files)

    @property
    def imported(self) -> int:
        return sum(report.imported for report in self.files)

    @property
    def new_rows(self) -> int:
        return sum(report.new_rows for report in self.files)

    @property
    def skipped(self) -> dict[str, int]:
        total: Counter[str] = Counter()
        for report in self.files:
            total.update(report.skipped)
        return dict(total)

    @property
    def seconds(self) -> float:
        return sum(report.seconds for report in self.files)

    def describe(self) -> list[str]:
        """One line per file, then a total line."""
        lines = [report.describe() for report in self.files]
        skipped = sum(self.skipped.values())
        lines.append(
            f"total: {len(self.files)} files, read {self.rows_read:,}, imported {self.imported:,} "
            f"({self.new_rows:,} new), skipped {skipped:,}, {self.seconds:.2f} s"
        )
        return lines


def expand_paths(paths: Sequence[Path]) -> list[Path]:
    """Files as given; directories become their `*.csv.gz` files, recursively, in file-name order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = [item for item in path.rglob("*.csv.gz") if item.is_file()]
            files.extend(sorted(found, key=lambda item: (item.name, str(item))))
        elif path.is_file():
            files.append(path)
        else:
            raise FlatFileError(f"{path}: no such file or directory")
    return files


def kind_from_path(path: Path) -> BarKind | None:
    """'day' or 'minute' when the path names day_aggs_v1 or minute_aggs_v1 (nearest part wins)."""
    for part in reversed(path.parts):
        if "minute_aggs_v1" in part:
            return "minute"
        if "day_aggs_v1" in part:
            return "day"
    return None


def import_flatfiles(
    paths: Sequence[Path],
    bars: BarsRepository,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """Import each file (directories expanded) into `bars`; returns a report per file.

    `progress(path, rows_read)` is called after every batch and when a file is done. A file that
    cannot be read at all raises FlatFileError naming it (files before it stay imported).
    """
    reports = [_import_file(path, bars, progress) for path in expand_paths(paths)]
    return ImportReport(files=tuple(reports))


def _open_text(path: Path) -> IO[str]:
    if path.name.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8", newline="")
    return path.open("r", encoding="utf-8", newline="")


def _column_positions(path: Path, header: list[str] | None) -> list[int]:
    expected = ",".join(EXPECTED_HEADER)
    if header is None:
        raise FlatFileError(f"{path}: the file is empty; expected the header {expected}")
    names = [name.strip().lstrip("\ufeff").lower() for name in header]
    missing = [name for name in EXPECTED_HEADER if name not in names]
    if missing:
        raise FlatFileError(
            f"{path}: wrong header {','.join(header)!r} (missing {', '.join(missing)}); expected {expected}"
        )
    return [names.index(name) for name in EXPECTED_HEADER]


@dataclass(slots=True)
class _ParsedRow:
    ticker: str
    volume: float
    open: float
    close: float
    high: float
    low: float
    window_start_ns: int
    transactions: int | None


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def _transactions(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = int(text)
    except ValueError:
        as_float = _finite(text)
        if not as_float.is_integer():
            raise
        value = int(as_float)
    if value < 0:
        raise ValueError(text)
    return value


def _parse(row: list[str], positions: list[int], width: int) -> _ParsedRow | str:
    """The row's values, or the reason it is skipped."""
    if len(row) < width:
        return MISSING_COLUMNS
    ticker_at, volume_at, open_at, close_at, high_at, low_at, window_at, transactions_at = positions
    ticker = row[ticker_at].strip()
    if not ticker:
        return MISSING_TICKER
    if len(ticker) > MAX_SYMBOL_LENGTH:
        return BAD_TICKER
    try:
        volume = _finite(row[volume_at])
        open_ = _finite(row[open_at])
        close = _finite(row[close_at])
        high = _finite(row[high_at])
        low = _finite(row[low_at])
        transactions = _transactions(row[transactions_at])
    except ValueError:
        return BAD_NUMBER
    try:
        window_start_ns = int(row[window_at])
    except ValueError:
        return BAD_WINDOW_START
    if volume < 0:
        return NEGATIVE_VOLUME
    if min(open_, close, high, low) <= 0:
        return NON_POSITIVE_PRICE
    if high < low:
        return HIGH_BELOW_LOW
    return _ParsedRow(ticker, volume, open_, close, high, low, window_start_ns, transactions)


def _utc_from_ns(nanoseconds: int) -> datetime:
    return _EPOCH + timedelta(microseconds=nanoseconds // _NS_PER_MICROSECOND)


def _is_midnight(nanoseconds: int) -> bool:
    """True at midnight New York time (the vendor's convention for day bars) or midnight UTC."""
    moment = _utc_from_ns(nanoseconds)
    return any(
        (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0)
        for local in (moment, moment.astimezone(NEW_YORK))
    )


def session_from_day_window_start(nanoseconds: int) -> date:
    """The session of a day bar: the New York date of `window_start`, rounded to the nearest midnight.

    The vendor starts a day bar at 00:00 America/New_York of its session; rounding also reads a bar
    stamped at 00:00 UTC (19:00 or 20:00 New York the evening before) as the right session.
    """
    local = (_utc_from_ns(nanoseconds) + _HALF_DAY).astimezone(NEW_YORK)
    return local.date()


def kind_from_window_starts(window_starts: Sequence[int]) -> BarKind:
    """Day bars when every bar starts at the same midnight; anything else is minute bars."""
    if not window_starts:
        return "day"
    first = window_starts[0]
    if all(value == first for value in window_starts) and _is_midnight(first):
        return "day"
    return "minute"


class _FileImport:
    """The state of one file's import: conversion caches, counts and the rows waiting to be written."""

    def __init__(self, path: Path, bars: BarsRepository, progress: ProgressCallback | None) -> None:
        self.path = path
        self.bars = bars
        self.progress = progress
        self.kind: BarKind | None = kind_from_path(path)
        self.rows_read = 0
        self.imported = 0
        self.skipped: Counter[str] = Counter()
        self.pending: list[_ParsedRow] = []
        # New York date -> rows stored for it before this file wrote any.
        self.before: dict[date, int] = {}
        self._dates: dict[int, date] = {}
        self._moments: dict[int, tuple[datetime, date]] = {}

    def add(self, parsed: _ParsedRow) -> None:
        self.pending.append(parsed)
        if len(self.pending) >= self.bars.batch_size:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        if self.kind is None:
            self.kind = kind_from_window_starts([row.window_start_ns for row in self.pending])
        if self.kind == "day":
            self._write_daily()
        else:
            self._write_minute()
        self.imported += len(self.pending)
        self.pending = []
        if self.progress is not None:
            self.progress(str(self.path), self.rows_read)

    def _session(self, nanoseconds: int) -> date:
        session = self._dates.get(nanoseconds)
        if session is None:
            session = session_from_day_window_start(nanoseconds)
            self._dates[nanoseconds] = session
        return session

    def _moment(self, nanoseconds: int) -> tuple[datetime, date]:
        moment = self._moments.get(nanoseconds)
        if moment is None:
            utc = _utc_from_ns(nanoseconds)
            moment = (utc, utc.astimezone(NEW_YORK).date())
            self._moments[nanoseconds] = moment
        return moment

    def _count_before(self, dates: set[date]) -> None:
        for day in sorted(dates - self.before.keys()):
            self.before[day] = self._count(day)

    def _count(self, day: date) -> int:
        if self.kind == "day":
            return self.bars.count_daily([day])
        start, end = _new_york_day(day)
        return self.bars.count_minute(start, end)

    def _write_daily(self) -> None:
        rows = [
            DailyBarRow(
                symbol=row.ticker,
                session=self._session(row.window_start_ns),
                open=row.open,
                high=row.high,
                low=row.low,
                close=row.close,
                volume=row.volume,
                transactions=row.transactions,
            )
            for row in self.pending
        ]
        self._count_before({row.session for row in rows})
        self.bars.upsert_daily(rows)

    def _write_minute(self) -> None:
        rows: list[MinuteBarRow] = []
        dates: set[date] = set()
        for row in self.pending:
            moment, day = self._moment(row.window_start_ns)
            dates.add(day)
            rows.append(
                MinuteBarRow(
                    symbol=row.ticker,
                    window_start=moment,
                    open=row.open,
                    high=row.high,
                    low=row.low,
                    close=row.close,
                    volume=row.volume,
                    transactions=row.transactions,
                )
            )
        self._count_before(dates)
        self.bars.upsert_minute(rows)

    def new_rows(self) -> int:
        return sum(self._count(day) - before for day, before in self.before.items())


def _new_york_day(day: date) -> tuple[datetime, datetime]:
    """First and last microsecond of a New York calendar day, in UTC."""
    start = datetime.combine(day, datetime.min.time(), NEW_YORK).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), NEW_YORK).astimezone(UTC)
    return start, end - timedelta(microseconds=1)


def _rows(path: Path, handle: IO[str]) -> Iterator[list[str]]:
    reader = csv.reader(handle)
    try:
        yield from reader
    except (OSError, EOFError, UnicodeDecodeError, csv.Error) as error:
        raise FlatFileError(f"{path}: unreadable after line {reader.line_num}: {error}") from error


def _import_file(path: Path, bars: BarsRepository, progress: ProgressCallback | None) -> FileReport:
    started = time.perf_counter()
    state = _FileImport(path, bars, progress)
    try:
        handle = _open_text(path)
    except OSError as error:
        raise FlatFileError(f"{path}: cannot open: {error}") from error
    with handle:
        rows = _rows(path, handle)
        positions = _column_positions(path, next(rows, None))
        width = max(positions) + 1
        for row in rows:
            if not row:
                continue  # a blank line
            state.rows_read += 1
            parsed = _parse(row, positions, width)
            if isinstance(parsed, str):
                state.skipped[parsed] += 1
            else:
                state.add(parsed)
        state.flush()
    kind: BarKind = state.kind if state.kind is not None else "day"
    if progress is not None:
        progress(str(path), state.rows_read)
    return FileReport(
        path=path,
        kind=kind,
        rows_read=state.rows_read,
        imported=state.imported,
        new_rows=state.new_rows(),
        skipped=dict(state.skipped),
        seconds=time.perf_counter() - started,
        dates=tuple(sorted(state.before)),
    )
