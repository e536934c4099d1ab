"""`sectorlights backtest --at` over the committed fixture flat files: real day files 2017-09-25 to
2017-11-10 and one synthetic minute file, 2017-11-10. The intraday outcome lies inside the session,
so 2017-11-10 is scored intraday although the daily backtest skips it (no next session), and every
session without minute bars is skipped with the reason."""

from __future__ import annotations

import csv
import gzip
import json
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.integration.test_flatfiles_cli import DAY_FILES, FIXTURES, listings_with_shares
from tests.servers import run_command

MINUTE_FILE = (
    FIXTURES / "flatfiles" / "us_stocks_sip" / "minute_aggs_v1" / "2017" / "11" / "2017-11-10.csv.gz"
)
MINUTE_DAY = "2017-11-10"
RANGE = ["--from", "2017-09-01", "--to", "2017-11-10"]
NO_MINUTES = "no minute bars imported: import minute_aggs_v1/2017/11/2017-11-09.csv.gz"


def imported_folder(folder: Path, minute_file: Path) -> Path:
    assert run_command(["migrate"], {}, folder).returncode == 0
    result = run_command(["import-flatfiles", str(DAY_FILES), str(minute_file)], {}, folder)
    assert result.returncode == 0, result.stderr
    listings_with_shares(folder / "listings.csv")
    return folder


def minutes_from(source: Path, target: Path, first: datetime) -> Path:
    """A copy of the minute file without the bars that start before `first`."""
    first_ns = int(first.timestamp()) * 1_000_000_000
    target.parent.mkdir(parents=True)
    with gzip.open(source, "rt", newline="") as reader, gzip.open(target, "wt", newline="") as writer:
        rows = csv.DictReader(reader)
        assert rows.fieldnames is not None
        out = csv.DictWriter(writer, fieldnames=rows.fieldnames)
        out.writeheader()
        out.writerows(row for row in rows if int(row["window_start"]) >= first_ns)
    return target


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return imported_folder(tmp_path_factory.mktemp("intraday"), MINUTE_FILE)


def backtest(folder: Path, args: list[str]) -> dict[str, Any]:
    out = folder / "report"
    command = ["backtest", *args, "--listings", str(folder / "listings.csv"), "--out", str(out), "--json"]
    result = run_command(command, {}, folder)
    assert result.returncode == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    assert document == json.loads((out / "backtest.json").read_text())
    return document


def test_the_grid_at_10_is_scored_on_the_minute_session_only(full: Path) -> None:
    document = backtest(full, [*RANGE, "--at", "10:00"])
    # The daily part is unchanged: 2017-11-10 has no next session there.
    assert document["sessions_scored"] == 9
    assert document["skipped"][MINUTE_DAY] == "next session 2017-11-13 not imported"
    intraday = document["intraday"]
    assert intraday["times"] == ["10:00"]
    at_ten = intraday["by_time"]["10:00"]
    assert at_ten["session_dates"] == [MINUTE_DAY]
    assert at_ten["windows"] == ["10:00-14:00"]
    assert MINUTE_DAY not in at_ten["skipped"]
    # Every other imported session in range is skipped for want of minute bars.
    assert len(at_ten["skipped"]) == 34
    assert at_ten["skipped"]["2017-11-09"] == NO_MINUTES
    for weighting in ("equal", "volume"):
        stats = at_ten["statistics"][weighting]
        overall = stats["overall"]
        # One session: at most one call per sector with members (utilities has none here).
        assert 0 < overall["total"] <= 7
        assert overall["wilson"]["low"] <= overall["rate"] <= overall["wilson"]["high"]
        assert set(stats["baselines"]) == {"always_up", "sector_so_far_sign", "iwm_so_far_sign"}
        assert stats["baselines"]["iwm_so_far_sign"]["total"] > 0
        # Minute bars give the 30-minute timeframe its data: it calls.
        assert stats["by_timeframe"]["30m"]["total"] > 0
        assert set(stats["mean_next_return_by_color"]) == {
            "dark_red",
            "light_red",
            "blue_neutral",
            "light_green",
            "dark_green",
        }
    momentum = intraday["momentum"]
    assert momentum["session_dates"] == [MINUTE_DAY]
    assert momentum["skipped"]["2017-11-09"] == NO_MINUTES
    assert momentum["sectors"]["first_half_hour_sign"]["total"] > 0
    assert momentum["iwm"]["first_half_hour_sign"]["total"] == 1
    page = (full / "report" / "backtest.html").read_text()
    assert "At 10:00 New York time" in page and "Intraday momentum" in page
    assert "http://" not in page and "https://" not in page and "<script" not in page


def test_a_range_with_no_daily_session_still_scores_intraday(full: Path) -> None:
    document = backtest(full, ["--from", MINUTE_DAY, "--to", MINUTE_DAY, "--at", "12:00,14:30"])
    assert document["sessions_scored"] == 0
    by_time = document["intraday"]["by_time"]
    assert by_time["12:00"]["windows"] == ["12:00-16:00"]
    # The next 4 hours are cut at the 16:00 close.
    assert by_time["14:30"]["windows"] == ["14:30-16:00"]
    assert by_time["14:30"]["session_dates"] == [MINUTE_DAY]


def test_without_at_there_is_no_intraday_block(full: Path) -> None:
    assert "intraday" not in backtest(full, RANGE)


def test_a_time_before_the_minute_data_starts_is_skipped(tmp_path: Path) -> None:
    late = minutes_from(
        MINUTE_FILE,
        tmp_path / "minute_aggs_v1" / "2017" / "11" / "2017-11-10.csv.gz",
        datetime(2017, 11, 10, 10, 30, tzinfo=ZoneInfo("America/New_York")),
    )
    folder = imported_folder(tmp_path, late)
    document = backtest(folder, [*RANGE, "--at", "10:00,12:00"])
    by_time = document["intraday"]["by_time"]
    assert by_time["10:00"]["session_dates"] == []
    assert (
        by_time["10:00"]["skipped"][MINUTE_DAY] == "the first minute bar (IWM's) ends at 10:31, after 10:00"
    )
    assert by_time["10:00"]["statistics"] == {}
    assert by_time["12:00"]["session_dates"] == [MINUTE_DAY]
    # Momentum needs the price at 10:00 too.
    momentum = document["intraday"]["momentum"]
    assert momentum["sectors"] is None
    assert momentum["skipped"][MINUTE_DAY] == "the first minute bar (IWM's) ends at 10:31, after 10:00"


def test_shorting_study_enters_intraday_where_the_next_session_has_minute_bars(full: Path) -> None:
    document = backtest(full, ["--from", "2017-11-09", "--to", "2017-11-09", "--shorting"])
    shorting = document["shorting"]
    # 2017-11-09's candidates are entered on 2017-11-10, the one session with minute bars.
    assert 0 < shorting["intraday_rows"] <= shorting["candidate_rows"]
    by_colour = shorting["intraday"]["any"]
    assert sum(pair["return"]["count"] for pair in by_colour.values()) == shorting["intraday_rows"]
    for pair in by_colour.values():
        if pair["adverse_excursion"]["count"]:
            assert pair["adverse_excursion"]["mean_pct"] >= 0
