"""Replaying a past session over imported flat files keeps what was imported and what the run stored.

The fixtures are real 2017 day bars and one synthetic minute file (tests/fixtures/flatfiles/SOURCE.md).
"""

from __future__ import annotations

import json
from pathlib import Path

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
