"""`sectorlights universe` and `sectorlights classify`, run as the real command."""

from __future__ import annotations

import json
from pathlib import Path

from tests.servers import run_command

ENV = {"SECTORLIGHTS_SIM_NOW": "2026-11-24T06:37:00-05:00"}


def test_universe_prints_the_funnel_stage_by_stage(tmp_path: Path) -> None:
    result = run_command(["universe"], ENV, tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    stages = [line.split()[0] for line in lines[2:] if line.split() and line.split()[1][0].isdigit()]
    assert stages[:7] == [
        "listings",
        "common_stock",
        "exchange",
        "market_cap",
        "avg_daily_volume",
        "price",
        "float",
    ]
    assert "size_cap" in stages
    assert any(line.startswith("tiers: micro_cap") for line in lines)
    assert any(line.startswith("sectors: technology") for line in lines)
    assert lines[-1].startswith("universe size ")


def test_universe_json_has_a_decreasing_funnel_and_members(tmp_path: Path) -> None:
    result = run_command(["universe", "--json"], ENV, tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["as_of"].startswith("2026-11-24T11:37:00")
    remaining = [stage["remaining"] for stage in report["funnel"]]
    assert remaining == sorted(remaining, reverse=True)
    assert remaining[-1] == len(report["members"]) > 0
    assert sum(report["excluded_by_reason"].values()) == remaining[0] - remaining[-1]
    soun = next(member for member in report["members"] if member["symbol"] == "SOUN")
    assert soun["sector"] == "technology"
    assert set(soun) >= {
        "name",
        "tier",
        "market_cap",
        "avg_daily_volume",
        "price",
        "float_shares",
        "gap_share",
        "classification_confidence",
        "classification_source",
    }
    assert "BBAI" not in {member["symbol"] for member in report["members"]}


def test_explain_names_the_first_failed_criterion(tmp_path: Path) -> None:
    result = run_command(["universe", "--explain", "BBAI"], ENV, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "first failed criterion avg_daily_volume" in result.stdout
    failing = [line for line in result.stdout.splitlines() if " FAIL " in line]
    assert [line.split()[0] for line in failing] == ["avg_daily_volume"]
    assert "sector technology" in result.stdout


def test_explain_a_member_shows_its_sector_and_returns(tmp_path: Path) -> None:
    result = run_command(["universe", "--explain", "soun"], ENV, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "member: yes" in result.stdout
    assert "classification: sector technology" in result.stdout
    assert "returns: 30m" in result.stdout


def test_explain_an_unknown_symbol_fails(tmp_path: Path) -> None:
    result = run_command(["universe", "--explain", "NOPE"], ENV, tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == "unknown symbol: NOPE"


def test_classify_writes_sectors_as_csv(tmp_path: Path) -> None:
    source = tmp_path / "listings.csv"
    source.write_text("symbol,name,sic\nSOUN,SoundHound AI,7372\nOCUL,Ocular Therapeutix,2834\n")
    result = run_command(["classify", "--file", str(source)], ENV, tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "symbol,sector,confidence,source"
    sectors = {line.split(",")[0]: line.split(",")[1] for line in lines[1:]}
    assert sectors == {"SOUN": "technology", "OCUL": "healthcare"}


def test_classify_accepts_an_fmp_sector_column(tmp_path: Path) -> None:
    source = tmp_path / "listings.csv"
    source.write_text("symbol,name,sic,fmp_sector\nSOUN,SoundHound AI,7372,Technology\n")
    result = run_command(["classify", "--file", str(source)], ENV, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1].startswith("SOUN,technology,")


def test_classify_applies_the_overrides_file_first(tmp_path: Path) -> None:
    source = tmp_path / "listings.csv"
    rows = [
        "symbol,name,sic,fmp_sector",
        "PCT,PureCycle Technologies,2821,Basic Materials",
        "SOUN,SoundHound AI,7372,",
    ]
    source.write_text("\n".join(rows) + "\n")
    result = run_command(["classify", "--file", str(source)], ENV, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1:] == ["PCT,industrials,1.0,override", "SOUN,technology,0.95,sic"]
    overrides = tmp_path / "mine.csv"
    overrides.write_text("symbol,sector,reason\nSOUN,healthcare,test\n")
    mine = run_command(
        ["classify", "--file", str(source)],
        ENV | {"SECTORLIGHTS_CLASSIFICATION_OVERRIDES": str(overrides)},
        tmp_path,
    )
    assert mine.stdout.splitlines()[1:] == ["PCT,materials,0.95,fmp", "SOUN,healthcare,1.0,override"]
    overrides.write_text("symbol,sector,reason\nSOUN,biotech,typo\n")
    broken = run_command(
        ["classify", "--file", str(source)],
        ENV | {"SECTORLIGHTS_CLASSIFICATION_OVERRIDES": str(overrides)},
        tmp_path,
    )
    assert broken.returncode == 2
    assert (
        "SECTORLIGHTS_CLASSIFICATION_OVERRIDES" in broken.stderr
        and "line 2: unknown sector 'biotech'" in broken.stderr
    )


def test_classify_rejects_a_wrong_header_in_one_line(tmp_path: Path) -> None:
    source = tmp_path / "tickers.csv"
    source.write_text("ticker,company\nSOUN,SoundHound AI\n")
    result = run_command(["classify", "--file", str(source)], ENV, tmp_path)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "tickers.csv" in lines[0]
    assert "symbol,name,sic" in lines[0]


def test_classify_rejects_a_missing_file(tmp_path: Path) -> None:
    result = run_command(["classify", "--file", str(tmp_path / "absent.csv")], ENV, tmp_path)
    assert result.returncode == 2
    assert "absent.csv" in result.stderr
    assert "Traceback" not in result.stderr


LABELS = Path(__file__).parents[1] / "fixtures" / "real" / "classification_labels.csv"


def test_classify_evaluate_reports_out_of_fold_accuracy_with_intervals(tmp_path: Path) -> None:
    result = run_command(["classify", "--evaluate", str(LABELS), "--folds", "5", "--json"], ENV, tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["rows"], report["folds"], report["seed"]) == (444, 5, 0)
    configured = report["out_of_fold"]["configured"]
    assert (configured["correct"], configured["rows"]) == (391, 444)
    assert configured["interval_95"] == [0.8472, 0.9076]
    assert sum(entry["rows"] for entry in configured["per_sector"].values()) == 444
    assert report["out_of_fold"]["sic_only"]["correct"] == 350
    assert report["in_sample"]["configured_with_overrides"]["correct"] == 399
    text = run_command(["classify", "--evaluate", str(LABELS)], ENV, tmp_path)
    assert text.returncode == 0, text.stderr
    assert "out of fold:" in text.stdout and "391/444" in text.stdout


def test_classify_evaluate_names_a_bad_label(tmp_path: Path) -> None:
    source = tmp_path / "labels.csv"
    source.write_text("symbol,name,sic,label\nSOUN,SoundHound AI,7372,biotech\n")
    result = run_command(["classify", "--evaluate", str(source)], ENV, tmp_path)
    assert result.returncode == 2
    assert "labels.csv" in result.stderr and "line 2: unknown label 'biotech'" in result.stderr
    assert "Traceback" not in result.stderr
    too_few = run_command(["classify", "--evaluate", str(LABELS), "--folds", "1"], ENV, tmp_path)
    assert too_few.returncode == 2
    assert "--folds" in too_few.stderr and "at least 2" in too_few.stderr
