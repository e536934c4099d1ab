"""Flat-file ingestion into the bars tables: validation, time conversion, directories, idempotency
and reports."""

from __future__ import annotations

import gzip
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from sectorlights.domain.sessions import NEW_YORK
from sectorlights.storage.bars import BarsRepository
from sectorlights.storage.ingestion import (
    EXPECTED_HEADER,
    FlatFileError,
    expand_paths,
    import_flatfiles,
    kind_from_path,
    kind_from_window_starts,
    session_from_day_window_start,
)
from sectorlights.storage.tables import daily_bars, minute_bars

HEADER = ",".join(EXPECTED_HEADER)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def ns(moment: datetime) -> int:
    delta = moment - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1_000


def midnight_ns(day: date) -> int:
    return ns(datetime.combine(day, time(0, 0), NEW_YORK))


def minute_ns(day: date, hour: int, minute: int) -> int:
    return ns(datetime.combine(day, time(hour, minute), NEW_YORK))


def write_file(path: Path, lines: Sequence[str], header: str = HEADER) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "\n".join([header, *lines]) + "\n"
    if path.name.endswith(".gz"):
        with gzip.open(path, "wt", encoding="utf-8", newline="") as handle:
            handle.write(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def day_path(root: Path, day: date) -> Path:
    return root / "us_stocks_sip" / "day_aggs_v1" / f"{day:%Y}" / f"{day:%m}" / f"{day:%Y-%m-%d}.csv.gz"


def minute_path(root: Path, day: date) -> Path:
    return root / "us_stocks_sip" / "minute_aggs_v1" / f"{day:%Y}" / f"{day:%m}" / f"{day:%Y-%m-%d}.csv.gz"


def day_line(ticker: str, day: date, close: float = 10.0, volume: str = "1000") -> str:
    return f"{ticker},{volume},{close},{close},{close + 0.5},{close - 0.5},{midnight_ns(day)},42"


@pytest.fixture
def bars(sqlite_database: Engine) -> BarsRepository:
    return BarsRepository(sqlite_database)


def count(engine: Engine, table: object) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


SESSION = date(2017, 11, 10)

BAD_ROWS = [
    ("missing ticker", f",100,1,1,1,1,{midnight_ns(SESSION)},1", "missing_ticker"),
    ("blank ticker", f"  ,100,1,1,1,1,{midnight_ns(SESSION)},1", "missing_ticker"),
    ("long ticker", f"{'X' * 17},100,1,1,1,1,{midnight_ns(SESSION)},1", "bad_ticker"),
    ("short row", "AAA,100,1,1", "missing_columns"),
    ("price not a number", f"AAA,100,abc,1,1,1,{midnight_ns(SESSION)},1", "bad_number"),
    ("empty price", f"AAA,100,,1,1,1,{midnight_ns(SESSION)},1", "bad_number"),
    ("nan price", f"AAA,100,nan,1,1,1,{midnight_ns(SESSION)},1", "bad_number"),
    ("infinite volume", f"AAA,inf,1,1,1,1,{midnight_ns(SESSION)},1", "bad_number"),
    ("fractional transactions", f"AAA,100,1,1,1,1,{midnight_ns(SESSION)},1.5", "bad_number"),
    ("negative transactions", f"AAA,100,1,1,1,1,{midnight_ns(SESSION)},-3", "bad_number"),
    ("window start not an integer", "AAA,100,1,1,1,1,2017-11-10,1", "bad_window_start"),
    ("negative volume", f"AAA,-5,1,1,1,1,{midnight_ns(SESSION)},1", "negative_volume"),
    ("zero price", f"AAA,100,0,1,1,1,{midnight_ns(SESSION)},1", "non_positive_price"),
    ("negative low", f"AAA,100,1,1,1,-1,{midnight_ns(SESSION)},1", "non_positive_price"),
    ("high below low", f"AAA,100,10,10,9,11,{midnight_ns(SESSION)},1", "high_below_low"),
]


@pytest.mark.parametrize(("case", "line", "reason"), BAD_ROWS, ids=[case for case, _, _ in BAD_ROWS])
def test_each_bad_row_is_skipped_with_its_reason(
    tmp_path: Path, bars: BarsRepository, case: str, line: str, reason: str
) -> None:
    path = write_file(
        day_path(tmp_path, SESSION), [day_line("GOOD", SESSION), line, day_line("LATER", SESSION)]
    )
    report = import_flatfiles([path], bars).files[0]
    assert report.skipped == {reason: 1}, case
    assert (report.rows_read, report.imported, report.new_rows) == (3, 2, 2)
    assert bars.daily_bars(SESSION).symbols.tolist() == ["GOOD", "LATER"]  # the file went on


def test_a_table_of_bad_rows_is_counted_per_reason(tmp_path: Path, bars: BarsRepository) -> None:
    lines = [line for _, line, _ in BAD_ROWS] + [day_line("GOOD", SESSION), ""]
    report = import_flatfiles([write_file(day_path(tmp_path, SESSION), lines)], bars).files[0]
    expected: dict[str, int] = {}
    for _, _, reason in BAD_ROWS:
        expected[reason] = expected.get(reason, 0) + 1
    assert report.skipped == expected
    assert report.skipped_total == len(BAD_ROWS)
    assert (report.rows_read, report.imported) == (len(BAD_ROWS) + 1, 1)  # the blank line is not a row
    assert "high_below_low 1" in report.describe()


def test_blank_transactions_and_float_formatted_counts(tmp_path: Path, bars: BarsRepository) -> None:
    lines = [
        f"AAA,100,1,1,1,1,{midnight_ns(SESSION)},",
        f"BBB,100,1,1,1,1,{midnight_ns(SESSION)},12.0",
    ]
    report = import_flatfiles([write_file(day_path(tmp_path, SESSION), lines)], bars).files[0]
    assert report.skipped == {}
    with bars.engine.connect() as connection:
        stored = dict(connection.execute(select(daily_bars.c.symbol, daily_bars.c.transactions)).all())
    assert stored == {"AAA": None, "BBB": 12}


def test_fractional_volume_is_kept(tmp_path: Path, bars: BarsRepository) -> None:
    lines = [day_line("AAA", SESSION, volume="1234.5678"), day_line("BBB", SESSION, volume="0.25")]
    import_flatfiles([write_file(day_path(tmp_path, SESSION), lines)], bars)
    assert bars.daily_bars(SESSION).volume.tolist() == [1234.5678, 0.25]


@pytest.mark.parametrize(
    "header",
    [
        "ticker,volume,open,close,high,low,timestamp,transactions",
        "symbol,volume,open,close,high,low,window_start,transactions",
        "AAA,100,1,1,1,1,1510290000000000000,1",  # no header at all
    ],
)
def test_a_wrong_header_names_the_file_and_the_expected_header(
    tmp_path: Path, bars: BarsRepository, header: str
) -> None:
    path = write_file(day_path(tmp_path, SESSION), [day_line("AAA", SESSION)], header=header)
    with pytest.raises(FlatFileError) as raised:
        import_flatfiles([path], bars)
    message = str(raised.value)
    assert str(path) in message
    assert HEADER in message
    assert count(bars.engine, daily_bars) == 0


def test_an_empty_file_is_an_error(tmp_path: Path, bars: BarsRepository) -> None:
    path = day_path(tmp_path, SESSION)
    path.parent.mkdir(parents=True)
    with gzip.open(path, "wt") as handle:
        handle.write("")
    with pytest.raises(FlatFileError, match="empty"):
        import_flatfiles([path], bars)


def test_columns_in_another_order_and_a_byte_order_mark(tmp_path: Path, bars: BarsRepository) -> None:
    header = "\ufeffwindow_start,ticker,open,high,low,close,volume,transactions,extra"
    line = f"{midnight_ns(SESSION)},AAA,10,11,9,10.5,500,3,ignored"
    import_flatfiles([write_file(day_path(tmp_path, SESSION), [line], header=header)], bars)
    stored = bars.daily_bars(SESSION)
    assert (stored.open[0], stored.high[0], stored.low[0], stored.close[0], stored.volume[0]) == (
        10.0,
        11.0,
        9.0,
        10.5,
        500.0,
    )


def test_a_corrupt_gzip_file_is_an_error_naming_it(tmp_path: Path, bars: BarsRepository) -> None:
    path = day_path(tmp_path, SESSION)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"this is not gzip data")
    with pytest.raises(FlatFileError) as raised:
        import_flatfiles([path], bars)
    assert str(path) in str(raised.value)


# ----- time conversion -----

# Sessions on both sides of the 2017 DST changes (March 12 and November 5).
DST_SESSIONS = [date(2017, 3, 10), date(2017, 3, 13), date(2017, 11, 3), date(2017, 11, 6)]


def test_day_window_start_is_new_york_midnight_across_dst() -> None:
    # 00:00 EST is 05:00 UTC, 00:00 EDT is 04:00 UTC.
    expected_utc_hours = [5, 4, 4, 5]
    for day, hour in zip(DST_SESSIONS, expected_utc_hours, strict=True):
        stamp = midnight_ns(day)
        assert stamp == ns(datetime.combine(day, time(hour, 0), UTC))
        assert session_from_day_window_start(stamp) == day
        # A bar stamped at midnight UTC (19:00 or 20:00 New York the evening before) is the same session.
        assert session_from_day_window_start(ns(datetime.combine(day, time(0, 0), UTC))) == day


def test_day_files_across_dst_land_on_their_sessions(tmp_path: Path, bars: BarsRepository) -> None:
    paths = [
        write_file(day_path(tmp_path, day), [day_line("AAA", day, close=float(index + 1))])
        for index, day in enumerate(DST_SESSIONS)
    ]
    report = import_flatfiles(paths, bars)
    assert [file.dates for file in report.files] == [(day,) for day in DST_SESSIONS]
    assert bars.sessions() == DST_SESSIONS
    assert [bars.daily_bars(day).close.tolist() for day in DST_SESSIONS] == [[1.0], [2.0], [3.0], [4.0]]


def test_minute_window_start_becomes_aware_utc_across_dst(tmp_path: Path, bars: BarsRepository) -> None:
    before, after = date(2017, 11, 3), date(2017, 11, 6)
    for day in (before, after):
        lines = [
            f"AAA,10,5,5.5,5.5,5,{minute_ns(day, 9, 30)},1",
            f"AAA,20.5,5.5,6,6,5.5,{minute_ns(day, 15, 59)},2",
        ]
        report = import_flatfiles([write_file(minute_path(tmp_path, day), lines)], bars).files[0]
        assert report.kind == "minute"
        assert report.dates == (day,)
    first_before = bars.minute_bars("AAA", before).window_start_ns[0]
    first_after = bars.minute_bars("AAA", after).window_start_ns[0]
    assert first_before == ns(datetime(2017, 11, 3, 13, 30, tzinfo=UTC))  # 09:30 EDT
    assert first_after == ns(datetime(2017, 11, 6, 14, 30, tzinfo=UTC))  # 09:30 EST
    snapshot = bars.minute_snapshot(datetime.combine(after, time(16, 0), NEW_YORK))
    assert snapshot.last_price.tolist() == [6.0]
    assert snapshot.session_volume.tolist() == [30.5]


# ----- kinds, paths and directories -----


def test_kind_from_path() -> None:
    assert kind_from_path(Path("x/us_stocks_sip/day_aggs_v1/2017/11/2017-11-10.csv.gz")) == "day"
    assert kind_from_path(Path("x/us_stocks_sip/minute_aggs_v1/2017/11/2017-11-10.csv.gz")) == "minute"
    assert kind_from_path(Path("downloads/2017-11-10.csv.gz")) is None


def test_kind_from_window_starts() -> None:
    assert kind_from_window_starts([midnight_ns(SESSION)] * 3) == "day"
    assert kind_from_window_starts([ns(datetime(2017, 11, 10, tzinfo=UTC))] * 2) == "day"
    assert kind_from_window_starts([minute_ns(SESSION, 9, 30), minute_ns(SESSION, 9, 31)]) == "minute"
    assert kind_from_window_starts([minute_ns(SESSION, 9, 30)] * 2) == "minute"  # one minute, not midnight


def test_kind_is_detected_from_the_values_when_the_path_says_nothing(
    tmp_path: Path, bars: BarsRepository
) -> None:
    day_file = write_file(tmp_path / "a.csv.gz", [day_line("AAA", SESSION), day_line("BBB", SESSION)])
    minute_file = write_file(
        tmp_path / "b.csv",  # plain CSV works too
        [f"AAA,10,5,5,5,5,{minute_ns(SESSION, 9, 30)},1", f"AAA,10,5,5,5,5,{minute_ns(SESSION, 9, 31)},1"],
    )
    report = import_flatfiles([day_file, minute_file], bars)
    assert [file.kind for file in report.files] == ["day", "minute"]
    assert count(bars.engine, daily_bars) == 2
    assert count(bars.engine, minute_bars) == 2


def test_directories_expand_recursively_to_csv_gz_in_name_order(tmp_path: Path, bars: BarsRepository) -> None:
    days = [date(2017, 10, 31), date(2017, 11, 1), date(2017, 11, 2)]
    for day in reversed(days):
        write_file(day_path(tmp_path, day), [day_line("AAA", day)])
    write_file(minute_path(tmp_path, days[1]), [f"AAA,10,5,5,5,5,{minute_ns(days[1], 9, 30)},1"])
    (tmp_path / "us_stocks_sip" / "notes.txt").write_text("not a flat file")
    write_file(tmp_path / "us_stocks_sip" / "loose.csv", [day_line("ZZZ", days[0])])  # not *.csv.gz

    files = expand_paths([tmp_path])
    assert [file.name for file in files] == [
        "2017-10-31.csv.gz",
        "2017-11-01.csv.gz",
        "2017-11-01.csv.gz",
        "2017-11-02.csv.gz",
    ]
    report = import_flatfiles([tmp_path], bars)
    assert [file.kind for file in report.files] == ["day", "day", "minute", "day"]
    assert bars.sessions() == days
    assert bars.symbols() == ["AAA"]


def test_a_missing_path_is_an_error(tmp_path: Path, bars: BarsRepository) -> None:
    with pytest.raises(FlatFileError, match="no such file"):
        import_flatfiles([tmp_path / "nowhere"], bars)


# ----- batches, progress, idempotency -----


def test_files_are_written_in_batches_with_progress(tmp_path: Path, sqlite_database: Engine) -> None:
    bars = BarsRepository(sqlite_database, batch_size=3)
    lines = [day_line(f"S{index:02d}", SESSION) for index in range(10)]
    path = write_file(day_path(tmp_path, SESSION), lines)
    calls: list[tuple[str, int]] = []
    report = import_flatfiles([path], bars, progress=lambda name, rows: calls.append((name, rows)))
    assert report.imported == 10
    assert calls == [(str(path), 3), (str(path), 6), (str(path), 9), (str(path), 10), (str(path), 10)]


def test_reimporting_is_idempotent(tmp_path: Path, sqlite_database: Engine) -> None:
    bars = BarsRepository(sqlite_database, batch_size=4)
    day = write_file(day_path(tmp_path, SESSION), [day_line(f"S{index}", SESSION) for index in range(9)])
    minute = write_file(
        minute_path(tmp_path, SESSION),
        [f"S{index % 3},10.5,5,5,5,5,{minute_ns(SESSION, 9, 30 + index)},1" for index in range(9)]
        + ["bad,row"],
    )
    first = import_flatfiles([day, minute], bars)
    second = import_flatfiles([day, minute], bars)
    for before, after in zip(first.files, second.files, strict=True):
        assert (before.rows_read, before.imported, before.skipped) == (
            after.rows_read,
            after.imported,
            after.skipped,
        )
    assert [file.new_rows for file in first.files] == [9, 9]
    assert [file.new_rows for file in second.files] == [0, 0]
    assert second.new_rows == 0 and first.new_rows == 18
    assert (count(sqlite_database, daily_bars), count(sqlite_database, minute_bars)) == (9, 9)
    totals = second.describe()
    assert totals[-1].startswith("total: 2 files, read 19, imported 18 (0 new), skipped 1")


def test_a_corrected_file_updates_rows_without_adding_any(tmp_path: Path, bars: BarsRepository) -> None:
    path = day_path(tmp_path, SESSION)
    import_flatfiles([write_file(path, [day_line("AAA", SESSION, close=10.0)])], bars)
    report = import_flatfiles([write_file(path, [day_line("AAA", SESSION, close=12.0)])], bars)
    assert (report.imported, report.new_rows) == (1, 0)
    assert bars.daily_bars(SESSION).close.tolist() == [12.0]
