"""The bars repository contract, run against SQLite and PostgreSQL."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
import pytest
from sqlalchemy import Engine, func, select

from sectorlights.domain.sessions import NEW_YORK
from sectorlights.storage.bars import BarsRepository, DailyBarRow, MinuteBarRow
from sectorlights.storage.tables import daily_bars, minute_bars

SESSION = date(2017, 11, 10)  # a Friday
PREVIOUS = date(2017, 11, 9)


def new_york(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), NEW_YORK)


def daily_rows(session: date = SESSION, scale: float = 1.0) -> list[DailyBarRow]:
    return [
        DailyBarRow(
            "IWM", session, 146.0 * scale, 147.0 * scale, 145.5 * scale, 146.57 * scale, 2.5e7, 90_000
        ),
        DailyBarRow("AAP", session, 81.53, 81.81, 80.31, 80.71, 1_173_581.5, None),
        DailyBarRow("ACAD", session, 35.26, 35.44, 32.15, 32.55, 3_349_102.0, 12),
    ]


def minute_row(symbol: str, hour: int, minute: int, close: float, volume: float) -> MinuteBarRow:
    return MinuteBarRow(
        symbol=symbol,
        window_start=new_york(SESSION, hour, minute).astimezone(UTC),
        open=close - 0.01,
        high=close + 0.02,
        low=close - 0.02,
        close=close,
        volume=volume,
        transactions=3,
    )


def minute_rows() -> list[MinuteBarRow]:
    return [
        minute_row("AAP", 4, 0, 80.0, 100.0),
        minute_row("AAP", 9, 30, 81.0, 1_000.5),
        minute_row("AAP", 9, 31, 81.2, 2_000.0),
        minute_row("AAP", 19, 59, 80.9, 50.0),
        minute_row("ACAD", 10, 15, 33.0, 700.0),
        # Outside the session's 04:00-20:00 window: never part of a snapshot.
        minute_row("ACAD", 3, 59, 1.0, 1e9),
    ]


def count(engine: Engine, table: object) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def test_daily_round_trip_sorted_by_symbol(database: Engine) -> None:
    bars = BarsRepository(database)
    assert bars.upsert_daily(daily_rows()) == 3
    stored = bars.daily_bars(SESSION)
    assert stored.session == SESSION
    assert stored.symbols.tolist() == ["AAP", "ACAD", "IWM"]
    assert stored.close.tolist() == [80.71, 32.55, 146.57]
    assert stored.volume.tolist() == [1_173_581.5, 3_349_102.0, 2.5e7]  # fractional volume kept
    assert stored.high.dtype == np.float64
    empty = bars.daily_bars(PREVIOUS)
    assert empty.symbols.size == 0 and empty.close.size == 0


def test_daily_upsert_is_idempotent_and_updates_changed_values(database: Engine) -> None:
    bars = BarsRepository(database, batch_size=2)  # several batches in one call
    bars.upsert_daily(daily_rows())
    bars.upsert_daily(daily_rows())
    assert count(database, daily_bars) == 3
    bars.upsert_daily(daily_rows(scale=2.0)[:1])
    assert count(database, daily_bars) == 3
    assert bars.daily_bars(SESSION).close.tolist() == [80.71, 32.55, 146.57 * 2.0]
    assert bars.count_daily([SESSION]) == 3
    assert bars.count_daily([PREVIOUS]) == 0


def test_sessions_symbols_and_latest_closes(database: Engine) -> None:
    bars = BarsRepository(database)
    assert bars.sessions() == [] and bars.symbols() == []
    bars.upsert_daily(daily_rows(PREVIOUS, scale=0.5))
    bars.upsert_daily(daily_rows()[:1])
    assert bars.sessions() == [PREVIOUS, SESSION]
    assert bars.symbols() == ["AAP", "ACAD", "IWM"]
    assert bars.latest_closes(SESSION) == {"AAP": 80.71, "ACAD": 32.55, "IWM": 146.57}
    assert bars.latest_closes(PREVIOUS)["IWM"] == pytest.approx(146.57 * 0.5)
    assert bars.latest_closes(date(2017, 1, 1)) == {}


def test_minute_round_trip(database: Engine) -> None:
    bars = BarsRepository(database)
    assert bars.upsert_minute(minute_rows()) == 6
    aap = bars.minute_bars("AAP", SESSION)
    expected_starts = [
        new_york(SESSION, hour, minute).astimezone(UTC)
        for hour, minute in ((4, 0), (9, 30), (9, 31), (19, 59))
    ]
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    assert aap.window_start_ns.tolist() == [
        int((moment - epoch).total_seconds()) * 1_000_000_000 for moment in expected_starts
    ]
    assert aap.close.tolist() == [80.0, 81.0, 81.2, 80.9]
    assert aap.volume.tolist() == [100.0, 1_000.5, 2_000.0, 50.0]
    assert aap.window_start_ns.dtype == np.int64
    assert bars.minute_bars("ACAD", SESSION).close.tolist() == [33.0]  # the 03:59 bar is outside
    assert bars.minute_bars("NONE", SESSION).close.size == 0
    first, last = bars.minute_range() or (None, None)
    assert first == new_york(SESSION, 3, 59).astimezone(UTC)
    assert last == new_york(SESSION, 19, 59).astimezone(UTC)
    assert first is not None and first.tzinfo is not None


def test_minute_upsert_is_idempotent(database: Engine) -> None:
    bars = BarsRepository(database, batch_size=4)
    bars.upsert_minute(minute_rows())
    bars.upsert_minute(minute_rows())
    assert count(database, minute_bars) == 6
    changed = minute_row("AAP", 9, 30, 99.0, 1.0)
    bars.upsert_minute([changed])
    assert count(database, minute_bars) == 6
    assert bars.minute_bars("AAP", SESSION).close.tolist() == [80.0, 99.0, 81.2, 80.9]
    start = new_york(SESSION, 0).astimezone(UTC)
    assert bars.count_minute(start, start + timedelta(days=1)) == 6


def test_has_minutes_and_minute_sessions(database: Engine) -> None:
    bars = BarsRepository(database)
    assert bars.minute_range() is None
    assert not bars.has_minutes(SESSION)
    bars.upsert_minute(minute_rows())
    assert bars.has_minutes(SESSION)
    assert not bars.has_minutes(PREVIOUS)
    assert bars.minute_sessions([PREVIOUS, SESSION]) == [SESSION]


def test_minute_snapshot_uses_bars_that_have_ended(database: Engine) -> None:
    bars = BarsRepository(database)
    bars.upsert_minute(minute_rows())

    # At 09:31 only the 04:00 and 09:30 bars have ended; ACAD has not traded yet.
    early = bars.minute_snapshot(new_york(SESSION, 9, 31))
    assert early.session == SESSION
    assert early.symbols.tolist() == ["AAP", "ACAD"]
    assert early.last_price[0] == 81.0
    assert math.isnan(early.last_price[1])
    assert early.session_volume.tolist() == [1_100.5, 0.0]

    late = bars.minute_snapshot(new_york(SESSION, 20, 0))
    assert late.last_price.tolist() == [80.9, 33.0]
    assert late.session_volume.tolist() == [3_150.5, 700.0]

    # After the session (and overnight, before the next 04:00) the 20:00 state holds.
    overnight = bars.minute_snapshot(new_york(SESSION + timedelta(days=1), 2, 0))
    assert overnight.session == SESSION
    assert overnight.last_price.tolist() == late.last_price.tolist()
    assert overnight.session_volume.tolist() == late.session_volume.tolist()


def test_minute_snapshot_of_a_session_without_minutes_is_empty(database: Engine) -> None:
    bars = BarsRepository(database)
    bars.upsert_minute(minute_rows())
    snapshot = bars.minute_snapshot(new_york(PREVIOUS, 12, 0))
    assert snapshot.session == PREVIOUS
    assert snapshot.symbols.size == 0 and snapshot.last_price.size == 0


def test_naive_times_are_refused(database: Engine) -> None:
    bars = BarsRepository(database)
    with pytest.raises(ValueError, match="timezone-aware"):
        bars.minute_snapshot(datetime(2017, 11, 10, 12, 0))


def test_a_key_repeated_in_one_batch_keeps_the_last_row(database: Engine) -> None:
    bars = BarsRepository(database)
    first, second = daily_rows()[0], daily_rows(scale=3.0)[0]
    bars.upsert_daily([first, second])
    assert count(database, daily_bars) == 1
    assert bars.daily_bars(SESSION).close.tolist() == [second.close]
    bars.upsert_minute([minute_row("AAP", 9, 30, 81.0, 1.0), minute_row("AAP", 9, 30, 82.0, 2.0)])
    assert bars.minute_bars("AAP", SESSION).close.tolist() == [82.0]
