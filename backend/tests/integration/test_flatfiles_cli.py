"""`sectorlights import-flatfiles` then `analyze --provider flatfiles` on real 2017 prices."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from tests.servers import run_command

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
DAY_FILES = FIXTURES / "flatfiles" / "us_stocks_sip" / "day_aggs_v1"
LISTINGS = FIXTURES / "real" / "flatfiles_listings.csv"
# The real listings have no share counts; 20M shares each puts most names in the cap range.
ASSUMED_SHARES = "20000000"


def listings_with_shares(target: Path) -> Path:
    with LISTINGS.open(newline="") as source, target.open("w", newline="") as sink:
        reader = csv.DictReader(source)
        assert reader.fieldnames is not None
        writer = csv.DictWriter(sink, fieldnames=reader.fieldnames)
        writer.writeheader()
        for row in reader:
            if row["type"] == "CS" and not row["shares_outstanding"]:
                row["shares_outstanding"] = ASSUMED_SHARES
            writer.writerow(row)
    return target


def test_import_then_analyse_a_past_session(tmp_path: Path) -> None:
    assert run_command(["migrate"], {}, tmp_path).returncode == 0
    imported = run_command(["import-flatfiles", str(DAY_FILES)], {}, tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert "2017-11-10.csv.gz: day bars, read 131, imported 131 (131 new), skipped 0" in imported.stdout

    again = run_command(["import-flatfiles", str(DAY_FILES)], {}, tmp_path)
    assert again.returncode == 0
    assert "total: 35 files, read 4,585, imported 4,585 (0 new), skipped 0" in again.stdout

    listings = listings_with_shares(tmp_path / "listings.csv")
    args = ["analyze", "--json", "--provider", "flatfiles", "--listings", str(listings)]
    result = run_command([*args, "--as-of", "2017-11-10T20:00:00-05:00"], {}, tmp_path)
    assert result.returncode == 0, result.stderr
    grid = json.loads(result.stdout)
    assert grid["data_source"]["provider"] == "flatfiles"
    assert grid["current_session"] == "2017-11-10"
    assert grid["universe_size"] > 0
    assert grid["benchmark"]["returns_pct"]["1d"] is not None
    assert len(grid["sectors"]) == 8


def test_wrong_header_names_the_file(tmp_path: Path) -> None:
    assert run_command(["migrate"], {}, tmp_path).returncode == 0
    bad = tmp_path / "2017-11-10.csv"
    bad.write_text("symbol,price\nAAA,1\n")
    result = run_command(["import-flatfiles", str(bad)], {}, tmp_path)
    assert result.returncode == 1
    assert "2017-11-10.csv" in result.stderr
    assert "ticker,volume,open,close,high,low,window_start,transactions" in result.stderr
