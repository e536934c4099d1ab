"""`sectorlights backtest --at`: New York times inside the regular session, anything else refused by
the parser with exit code 2 and a message naming the bad time."""

from __future__ import annotations

from datetime import time

import pytest

from sectorlights.cli.backtest_intraday import parse_times
from sectorlights.cli.main import main

RANGE = ["backtest", "--from", "2017-11-01", "--to", "2017-11-10"]


@pytest.mark.parametrize(
    ("text", "times"),
    [
        ("10:00", [time(10)]),
        ("12:00,10:00", [time(10), time(12)]),  # sorted
        (" 09:30 , 15:59 ", [time(9, 30), time(15, 59)]),  # the whole regular session, spaces allowed
    ],
)
def test_good_times(text: str, times: list[time]) -> None:
    assert parse_times(text) == times


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("10", "not a time (HH:MM, New York): '10'"),
        ("9:45", "not a time (HH:MM, New York): '9:45'"),
        ("10:00:00", "not a time (HH:MM, New York): '10:00:00'"),
        ("25:00", "not a time (HH:MM, New York): '25:00'"),
        ("10:00,", "empty time in '10:00,'"),
        ("09:29", "09:29 is before the regular session opens at 09:30 (New York time)"),
        ("16:00", "16:00 is not before the regular close at 16:00 (New York time)"),
        ("18:30", "18:30 is not before the regular close at 16:00"),
        ("10:00,12:00,10:00", "10:00 is given twice"),
    ],
)
def test_bad_times_exit_2_naming_the_problem(
    capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        main([*RANGE, "--at", text])
    assert exited.value.code == 2
    error = capsys.readouterr().err
    assert "argument --at" in error
    assert message in error


def test_help_describes_the_flag(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["backtest", "--help"])
    shown = " ".join(capsys.readouterr().out.split())
    assert "--at HH:MM[,HH:MM...]" in shown
    assert "next 4 hours" in shown
