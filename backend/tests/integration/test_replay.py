"""Replaying a past session over imported flat files keeps what was imported and what the run stored.

The fixtures are real 2017 day bars and one synthetic minute file (tests/fixtures/flatfiles/SOURCE.md).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from sectorlights.storage.tables import (
    analysis_runs,
    daily_bars,
    minute_bars,
    sector_sentiment,
    stock_metrics,
)
from tests.integration.test_flatfiles_cli import listings_with_shares
from tests.servers import run_command

FLATFILES = Path(__file__).resolve().parents[1] / "fixtures" / "flatfiles"
TABLES = {
    "daily_bars": daily_bars,
    "minute_bars": minute_bars,
    "sector_sentiment": sector_sentiment,
    "stock_metrics": stock_metrics,
    "analysis_runs": analysis_runs,
}


def row_counts(folder: Path) -> dict[str, int]:
    engine = create_engine(f"sqlite:///{folder / 'data' / 'sectorlights.db'}")
    try:
        with engine.connect() as connection:
            return {
                name: int(connection.execute(select(func.count()).select_from(table)).scalar_one())
                for name, table in TABLES.items()
            }
    finally:
        engine.dispose()


def imported(folder: Path) -> Path:
    assert run_command(["migrate"], {}, folder).returncode == 0
    result = run_command(["import-flatfiles", str(FLATFILES)], {}, folder)
    assert result.returncode == 0, result.stderr
    return listings_with_shares(folder / "listings.csv")


def test_replaying_a_past_session_keeps_the_imported_bars_and_the_stored_history(tmp_path: Path) -> None:
    listings = imported(tmp_path)
    before = row_counts(tmp_path)
    assert before == {
        "daily_bars": 4_585,
        "minute_bars": 55_675,
        "sector_sentiment": 0,
        "stock_metrics": 0,
        "analysis_runs": 0,
    }
    args = ["analyze", "--json", "--provider", "flatfiles", "--listings", str(listings)]
    first = run_command([*args, "--as-of", "2017-11-10T16:00:00-05:00"], {}, tmp_path)
    assert first.returncode == 0, first.stderr
    grid = json.loads(first.stdout)
    members = grid["universe_size"]
    assert members > 0
    assert grid["data_source"]["label"] == "Replay of 2017-11-10"
    assert grid["data_source"]["replay_of"] == "2017-11-10" and grid["data_source"]["simulated"] is False

    after = row_counts(tmp_path)
    assert after["daily_bars"] == before["daily_bars"]
    assert after["minute_bars"] == before["minute_bars"]
    assert after["sector_sentiment"] == 8
    assert after["stock_metrics"] == members
    assert after["analysis_runs"] == 1

    # An intraday replay needs the minute bars: it still finds them, and the first run's rows stay.
    second = run_command([*args, "--as-of", "2017-11-10T12:00:00-05:00"], {}, tmp_path)
    assert second.returncode == 0, second.stderr
    final = row_counts(tmp_path)
    assert final["minute_bars"] == before["minute_bars"]
    assert final["sector_sentiment"] == 16 and final["analysis_runs"] == 2


@pytest.fixture(scope="module")
def replay_folder(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("replay")
    return folder, imported(folder)


def test_replay_of_a_day_only_session_at_its_close(replay_folder: tuple[Path, Path]) -> None:
    folder, listings = replay_folder
    source = ["--listings", str(listings)]
    result = run_command(["replay", "--date", "2017-11-09", "--json", *source], {}, folder)
    assert result.returncode == 0, result.stderr
    grid = json.loads(result.stdout)
    assert grid["as_of"] == "2017-11-09T21:00:00Z"  # 16:00 in New York
    assert grid["current_session"] == "2017-11-09"
    assert grid["data_source"] == {
        "provider": "flatfiles",
        "simulated": False,
        "label": "Replay of 2017-11-09",
        "replay_of": "2017-11-09",
    }
    assert len(grid["sectors"]) == 8 and grid["universe_size"] > 0
    # Day bars say nothing about the half hour before the close: no 30m score, and the reason.
    for sector in grid["sectors"]:
        cell = sector["timeframes"]["30m"]
        assert (cell["score"], cell["color"], cell["return_pct"]) == (None, None, None)
        assert cell["missing_reason"]
        if sector["stock_count"] > 0:
            assert sector["timeframes"]["1d"]["score"] is not None

    text = run_command(["replay", "--date", "2017-11-10", "--time", "12:30", *source], {}, folder)
    assert text.returncode == 0, text.stderr
    assert "Replay of 2017-11-10" in text.stdout
    assert text.stdout.splitlines()[0].startswith("as of 2017-11-10T17:30:00+00:00")
    assert "technology" in text.stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--date", "2017-13-01"], 2, "--date: not a date (YYYY-MM-DD): '2017-13-01'"),
        (["--date", "2017-11-11"], 2, "--date: 2017-11-11 is not a NYSE session"),
        (["--date", "2017-11-09", "--time", "25:00"], 2, "--time: not a time (HH:MM): '25:00'"),
        (["--date", "2017-11-09", "--time", "9"], 2, "--time: not a time (HH:MM): '9'"),
        (["--date", "2099-06-24"], 2, "--date: 2099-06-24 is in the future"),
        (["--date", "2016-06-24"], 1, "no imported day bars for 2016-06-24: import day_aggs_v1/2016/06/"),
        (["--date", "2017-11-09", "--time", "12:00"], 1, "no minute bars imported for 2017-11-09"),
    ],
)
def test_replay_refuses_bad_input_naming_the_problem(
    replay_folder: tuple[Path, Path], args: list[str], code: int, message: str
) -> None:
    folder, listings = replay_folder
    result = run_command(["replay", *args, "--listings", str(listings)], {}, folder)
    assert result.returncode == code, (result.stdout, result.stderr)
    assert message in result.stderr
