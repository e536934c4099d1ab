"""`sectorlights backtest` over the committed real 2017 day files: the report's keys, a self-contained
page, nothing stored, and a clear exit for bad input."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from sectorlights.cli.backtest import summary_lines
from sectorlights.domain.colour_history import ColourHistory
from sectorlights.domain.vocabulary import COLORS
from tests.integration.test_flatfiles_cli import DAY_FILES, listings_with_shares
from tests.servers import run_command

# The fixtures hold 35 sessions (2017-09-25 to 2017-11-10); with 25 sessions of history and the next
# session needed, 2017-10-30 to 2017-11-09 can be scored.
SCORED = 9
VARIANTS = {
    "breadth",
    "momentum_1w",
    "momentum_1m",
    "reversal_1w",
    "reversal_1m",
    "relative_strength_1d",
    "relative_strength_1w",
}


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("backtest")
    assert run_command(["migrate"], {}, folder).returncode == 0
    result = run_command(["import-flatfiles", str(DAY_FILES)], {}, folder)
    assert result.returncode == 0, result.stderr
    return folder


def test_backtest_writes_json_and_a_self_contained_page(imported: Path) -> None:
    listings = listings_with_shares(imported / "listings.csv")
    out = imported / "report"
    args = ["backtest", "--from", "2017-09-01", "--to", "2017-11-10", "--listings", str(listings)]
    result = run_command([*args, "--out", str(out), "--json"], {}, imported)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document == json.loads((out / "backtest.json").read_text())
    assert document["sessions_scored"] == SCORED
    assert (document["first_session"], document["last_session"]) == ("2017-10-30", "2017-11-09")
    assert document["skipped"]["2017-11-10"] == "next session 2017-11-13 not imported"
    assert set(document["statistics"]) == {"equal", "volume"}
    stats = document["statistics"]["equal"]
    assert set(stats) >= {
        "overall",
        "non_neutral",
        "by_color",
        "by_sector",
        "by_timeframe",
        "baselines",
        "rank_correlation",
        "mean_next_return_by_color",
        "rolling_hit_rate",
    }
    assert set(stats["baselines"]) == {"always_up", "yesterday_sign", "iwm_sign"}
    assert set(stats["by_timeframe"]) == {"30m", "1d", "3d", "1w"}
    overall = stats["overall"]
    assert 0 < overall["total"] <= SCORED * 8
    assert overall["wilson"]["low"] <= overall["rate"] <= overall["wilson"]["high"]
    assert_variant_blocks(document)
    page = (out / "backtest.html").read_text()
    assert "<svg" in page and "</html>" in page
    assert "<h2>Variants</h2>" in page and "relative_strength_1w" in page
    assert "http://" not in page and "https://" not in page and "<script" not in page
    # No run and no history row was stored.
    with sqlite3.connect(imported / "data" / "sectorlights.db") as connection:
        assert connection.execute("select count(*) from analysis_runs").fetchone() == (0,)


def assert_variant_blocks(document: dict[str, Any]) -> None:
    """Both outcomes carry every variant, scored on the composite's grid of cells, with sane counts."""
    variants, excess, equal = document["variants"], document["excess"], document["statistics"]["equal"]
    assert set(variants["definitions"]) == VARIANTS
    assert set(excess["baselines"]) == {"always_up", "yesterday_sign", "iwm_sign"}
    # IWM has a bar every fixture session, so the excess outcome exists on (nearly) every cell the
    # absolute one does: only an exactly flat sector or exactly IWM's return has no direction.
    assert abs(excess["baselines"]["always_up"]["total"] - equal["baselines"]["always_up"]["total"]) <= 2
    assert 0 < excess["overall"]["total"] <= SCORED * 8
    for outcome, stats in (("absolute", equal), ("excess", excess)):
        scores = variants[outcome]
        assert set(scores) == VARIANTS
        every_cell = stats["baselines"]["always_up"]["total"]
        for name, score in scores.items():
            rate = score["hit_rate"]
            assert 0 < rate["total"] <= every_cell, name
            assert rate["wilson"]["low"] <= rate["rate"] <= rate["wilson"]["high"], name
            assert score["on_composite_cells"]["total"] <= min(rate["total"], stats["overall"]["total"]), name
        for window in ("1w", "1m"):
            forward, backward = (
                scores[f"momentum_{window}"]["hit_rate"],
                scores[f"reversal_{window}"]["hit_rate"],
            )
            assert forward["total"] == backward["total"]
            assert forward["hits"] + backward["hits"] == forward["total"]
    lines = summary_lines(document)
    start = lines.index("variants: next-session sector return (equal-weight) | its excess over IWM's:")
    named = [line.split()[0] for line in lines[start + 1 :]]
    assert named == ["composite", "baseline", "baseline", "baseline", *variants["definitions"]]


def test_summary_writes_the_colour_history_of_the_run(imported: Path) -> None:
    listings = listings_with_shares(imported / "listings.csv")
    summary = imported / "history" / "colour_history.json"
    args = ["backtest", "--from", "2017-09-01", "--to", "2017-11-10", "--listings", str(listings)]
    options = [
        "--out",
        str(imported / "summary-report"),
        "--summary",
        str(summary),
        "--label",
        "fixture days",
    ]
    result = run_command([*args, *options], {}, imported)
    assert result.returncode == 0, result.stderr
    assert f"wrote the colour history to {summary}" in result.stderr
    history = ColourHistory.model_validate_json(summary.read_text())
    report = json.loads((imported / "summary-report" / "backtest.json").read_text())
    assert history.label == "fixture days"
    assert history.sessions == SCORED == report["sessions_scored"]
    assert (history.first_session.isoformat(), history.last_session.isoformat()) == (
        "2017-10-30",
        "2017-11-09",
    )
    assert [record.color for record in history.colors] == list(COLORS)
    # Nine sessions are fewer than any colour needs for a verdict either way.
    assert {record.edge for record in history.colors if record.leans} == {"too_few"}
    # The cells counted are those the report scores with a colour shown.
    assert history.baseline.up.total == sum(record.up.total for record in history.colors)
    assert history.baseline.up.total <= report["statistics"]["equal"]["baselines"]["always_up"]["total"]
    # File names, not the machine's folders.
    assert str(imported) not in history.command
    assert "--summary colour_history.json" in history.command
    assert "--label 'fixture days'" in history.command
    # Without --shorting there is no squeeze rate to show.
    assert all(record.squeeze is None for record in history.colors)


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["--from", "2017-10-01", "--to", "2017-11-10", "--summary", "h.json"],
            2,
            "--summary needs --label",
        ),
        (["--from", "2017-10-01", "--to", "2017-11-10", "--label", "x"], 2, "--label names the data set"),
        (
            ["--from", "2017-10-01", "--to", "2017-11-10", "--summary", ".", "--label", "x"],
            2,
            "is a folder, not a file",
        ),
        (
            [
                "--from",
                "2017-10-01",
                "--to",
                "2017-11-10",
                "--summary",
                "h.json",
                "--label",
                "x",
                "--shorting-development",
                "missing.json",
            ],
            2,
            "--shorting-development missing.json needs --summary and an existing backtest.json",
        ),
        (["--from", "2017-11-10", "--to", "2017-10-01"], 2, "--from 2017-11-10 is after --to 2017-10-01"),
        (["--from", "2017-13-01", "--to", "2017-11-10"], 2, "not a date (YYYY-MM-DD): '2017-13-01'"),
        (["--from", "2016-01-01", "--to", "2016-02-01"], 1, "no session from 2016-01-01 to 2016-02-01"),
    ],
)
def test_bad_input_exits_with_a_clear_message(
    imported: Path, args: list[str], code: int, message: str
) -> None:
    result = run_command(["backtest", *args], {}, imported)
    assert result.returncode == code
    assert message in result.stderr


def test_no_bars_imported(tmp_path: Path) -> None:
    assert run_command(["migrate"], {}, tmp_path).returncode == 0
    result = run_command(["backtest", "--from", "2017-01-01", "--to", "2017-02-01"], {}, tmp_path)
    assert result.returncode == 1
    assert "no daily bars imported" in result.stderr


def test_shorting_study_scores_the_candidates_by_colour_and_sector(imported: Path) -> None:
    listings = listings_with_shares(imported / "listings.csv")
    out = imported / "shorting"
    args = [
        "backtest",
        "--from",
        "2017-10-30",
        "--to",
        "2017-11-09",
        "--listings",
        str(listings),
        "--shorting",
    ]
    summary = out / "colour_history.json"
    options = ["--out", str(out), "--summary", str(summary), "--label", "fixture"]
    result = run_command([*args, *options], {}, imported)
    assert result.returncode == 0, result.stderr
    shorting = json.loads((out / "backtest.json").read_text())["shorting"]
    kinds = {"any", "top_bearish", "top_bullish", "runner", "gapper"}
    assert set(shorting["by_color"]) == set(shorting["by_sector"]) == kinds
    every = shorting["by_color"]["any"]
    assert list(every) == [*COLORS, "no_colour"]
    # Every candidate has its next session in the fixtures, so each row is scored once by colour.
    assert sum(group["count"] for group in every.values()) == shorting["candidate_rows"] > 0
    assert (
        sum(group["count"] for group in shorting["by_sector"]["any"].values()) == shorting["candidate_rows"]
    )
    # Up to 3 bullish and 3 bearish names per sector and session.
    top = sum(group["count"] for group in shorting["by_color"]["top_bearish"].values())
    assert 0 < top <= SCORED * 8 * 3
    assert "blue_neutral" not in shorting["versus_neutral"]["any"]
    assert shorting["intraday"] == "no minute bars in this data" and shorting["intraday_rows"] == 0
    page = (out / "backtest.html").read_text()
    assert "Shorting study" in page and "no minute bars in this data" in page
    assert "shorting study (next session" in result.stdout
    # The colour history carries each colour's squeeze rate beside neutral's; nine sessions are too
    # few to compare, so the card says nothing about it.
    history = ColourHistory.model_validate_json(summary.read_text())
    assert "--shorting" in history.command
    for record in history.colors:
        if record.color.value == "blue_neutral":
            assert record.squeeze is None
            continue
        assert record.squeeze is not None
        assert record.squeeze.versus_neutral == "too_few"
        assert record.squeeze.squeezed.total == every[record.color.value]["count"]
        assert record.squeeze.neutral.total == every["blue_neutral"]["count"]
