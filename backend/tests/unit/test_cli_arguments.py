"""The `sectorlights` parser in-process: the version, a description per subcommand, bad input
refused with exit code 2, and the progress bar `analyze` draws."""

from __future__ import annotations

from importlib.metadata import version

import pytest

from sectorlights.cli.analyze import progress_line
from sectorlights.cli.main import build_parser, main


def exit_code(argv: list[str]) -> int | str | None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    return exited.value.code


def test_version_comes_from_the_package_metadata(capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_code(["--version"]) == 0
    assert capsys.readouterr().out == f"sectorlights {version('sectorlights')}\n"


# (subcommand, words of its description, flags its help lists)
HELP = [
    (["serve"], "dashboard", ["--host", "--port"]),
    (["migrate"], "migrations", ["--json"]),
    (["analyze"], "one analysis now", ["--json", "--provider", "--as-of", "--listings"]),
    (["import-flatfiles"], "flat files", ["--json", "paths"]),
    (["sim-vendor"], "simulated market", ["--host", "--port", "--fault"]),
    (["universe"], "funnel", ["--json", "--explain"]),
    (["classify"], "sectors", ["--json", "--file", "--evaluate", "--folds", "--min-rows"]),
    (["users"], "API users", ["add", "list", "remove", "rotate"]),
    (["users", "add"], "token", ["--json", "name"]),
    (["users", "list"], "users' names", ["--json"]),
    (["users", "remove"], "open /ws connections are closed", ["--json", "name"]),
    (["users", "rotate"], "old token stops working", ["--json", "name"]),
    (["data"], "Market-data tools", ["check"]),
    (["data", "check"], "each endpoint", ["--json"]),
    (["mcp"], "stdout carries the protocol only; logs go to stderr", []),
]


@pytest.mark.parametrize(("command", "words", "flags"), HELP, ids=[" ".join(case[0]) for case in HELP])
def test_each_subcommand_describes_itself(
    capsys: pytest.CaptureFixture[str], command: list[str], words: str, flags: list[str]
) -> None:
    assert exit_code([*command, "--help"]) == 0
    shown = capsys.readouterr().out
    usage, description = shown.split("\n\n")[:2]
    assert usage.startswith(f"usage: sectorlights {' '.join(command)}")
    assert words in " ".join(description.split())
    assert all(flag in shown for flag in flags)


def test_the_top_level_help_gives_each_subcommand_a_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_code(["--help"]) == 0
    shown = capsys.readouterr().out
    for command in (
        "serve",
        "migrate",
        "analyze",
        "import-flatfiles",
        "sim-vendor",
        "universe",
        "data",
        "mcp",
    ):
        assert any(line.split()[:1] == [command] and len(line.split()) > 1 for line in shown.splitlines())


# (arguments, what the one-line error names)
BAD_INPUT = [
    ([], "the following arguments are required: command"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
    (["serve", "--port", "eighty"], "argument --port: invalid int value: 'eighty'"),
    (["analyze", "--provider", "bloomberg"], "argument --provider: invalid choice: 'bloomberg'"),
    (["classify"], "one of the arguments --file --evaluate is required"),
    (["classify", "--evaluate", "labels.csv", "--folds", "1"], "argument --folds: must be at least 2, got 1"),
    (
        ["classify", "--evaluate", "labels.csv", "--min-rows", "few"],
        "argument --min-rows: expected a whole number",
    ),
    (["users"], "the following arguments are required: users_command"),
    (["users", "add"], "the following arguments are required: name"),
    (["users", "remove"], "the following arguments are required: name"),
    (["users", "rotate"], "the following arguments are required: name"),
    (["data"], "the following arguments are required: data_command"),
    (["migrate", "--jsn"], "unrecognized arguments: --jsn"),
]


@pytest.mark.parametrize(
    ("argv", "message"), BAD_INPUT, ids=[" ".join(case[0]) or "none" for case in BAD_INPUT]
)
def test_bad_input_is_one_clear_error_and_exit_code_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert exit_code(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("usage: sectorlights")
    assert "error: " in captured.err and message in captured.err


@pytest.mark.parametrize(
    "argv", [["migrate"], ["users", "list"], ["users", "add", "x"], ["data", "check"], ["universe"], ["mcp"]]
)
def test_every_leaf_command_has_a_handler(argv: list[str]) -> None:
    assert callable(build_parser().parse_args(argv).handler)


@pytest.mark.parametrize(
    ("stage", "percent", "expected"),
    [
        ("listings", 0.0, "listings       [..........]   0.0%"),
        ("analysis", 75.0, "analysis       [########..]  75.0%"),
        ("done", 100.0, "done           [##########] 100.0%"),
        ("odd", 140.0, "odd            [##########] 140.0%"),
    ],
)
def test_progress_line(stage: str, percent: float, expected: str) -> None:
    assert progress_line(stage, percent, width=10) == expected
