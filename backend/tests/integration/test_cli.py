"""The `sectorlights` command: migrations, one-off analysis and clear configuration errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from sectorlights.storage.database import head_revision
from tests.conftest import SIM_NOW
from tests.databases import migrated_sqlite
from tests.servers import run_command
from tests.services import free_port

BAD_CONFIGURATION = [
    (
        "unreachable database",
        {"DATABASE_URL": "postgresql://postgres@127.0.0.1:{port}/nothing"},
        "DATABASE_URL",
    ),
    ("malformed database url", {"DATABASE_URL": "mysql://db/x"}, "DATABASE_URL"),
    ("malformed redis url", {"REDIS_URL": "localhost:6379"}, "REDIS_URL"),
    ("unknown provider", {"SECTORLIGHTS_PROVIDER": "bloomberg"}, "SECTORLIGHTS_PROVIDER"),
    ("naive frozen clock", {"SECTORLIGHTS_SIM_NOW": "2026-11-24T06:37:00"}, "SECTORLIGHTS_SIM_NOW"),
    ("bad port", {"SECTORLIGHTS_PORT": "99999"}, "SECTORLIGHTS_PORT"),
    (
        "missing colour history",
        {"SECTORLIGHTS_COLOUR_HISTORY": "nowhere.json"},
        "SECTORLIGHTS_COLOUR_HISTORY",
    ),
]


@pytest.mark.parametrize(("case", "env", "setting"), BAD_CONFIGURATION, ids=[c[0] for c in BAD_CONFIGURATION])
def test_bad_configuration_stops_serve_with_one_line(
    tmp_path: Path, case: str, env: dict[str, str], setting: str
) -> None:
    env = {name: value.format(port=free_port()) for name, value in env.items()}
    result = run_command(["serve", "--port", str(free_port())], env, tmp_path, timeout_secs=60)
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("configuration error: ")
    assert setting in lines[0]
    assert "Traceback" not in result.stderr


def test_serve_refuses_a_file_that_is_no_colour_history(tmp_path: Path) -> None:
    (tmp_path / "history.json").write_text('{"label": "half a file"}', encoding="utf-8")
    env = {"SECTORLIGHTS_COLOUR_HISTORY": "history.json"}
    result = run_command(["serve", "--port", str(free_port())], env, tmp_path, timeout_secs=60)
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("configuration error: SECTORLIGHTS_COLOUR_HISTORY: history.json: ")
    assert "not a colour history" in lines[0] and "first_session" in lines[0]


@pytest.mark.parametrize("command", [["serve", "--port", "0"], ["analyze"]])
def test_serve_and_analyze_refuse_an_unmigrated_database(tmp_path: Path, command: list[str]) -> None:
    if command[0] == "serve":
        command = ["serve", "--port", str(free_port())]
    result = run_command(command, {}, tmp_path, timeout_secs=60)
    assert result.returncode == 2
    assert "sectorlights migrate" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("revision", "refused"),
    [("0001", True), (None, False), ("0099_a_newer_release", False)],
    ids=["behind", "at head", "ahead (a newer release migrated it)"],
)
def test_a_replica_starts_on_a_database_at_or_ahead_of_its_head(
    tmp_path: Path, revision: str | None, refused: bool
) -> None:
    """In a rolling upgrade the new release migrates first: an old replica restarting then must
    still start."""
    from sectorlights.cli.common import require_migrated
    from sectorlights.settings import ConfigurationError, Settings

    with migrated_sqlite(tmp_path / "db.sqlite") as engine:
        if revision is not None:
            with engine.begin() as connection:
                connection.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
        settings = Settings().model_copy(deep=True)
        settings.database.sqlite_path = tmp_path / "db.sqlite"
        if refused:
            with pytest.raises(ConfigurationError, match=f"revision {revision}, expected {head_revision()}"):
                require_migrated(settings, engine)
        else:
            require_migrated(settings, engine)


def test_migrate_then_analyze_prints_the_grid(tmp_path: Path) -> None:
    env = {"SECTORLIGHTS_SIM_NOW": SIM_NOW.isoformat()}
    migrated = run_command(["migrate"], env, tmp_path)
    assert migrated.returncode == 0, migrated.stderr
    assert f"revision {head_revision()}" in migrated.stdout
    assert (tmp_path / "data" / "sectorlights.db").is_file()

    table = run_command(["analyze"], env, tmp_path)
    assert table.returncode == 0, table.stderr
    assert "Simulated data" in table.stdout
    assert sum(line.split()[0] in {"technology", "utilities"} for line in table.stdout.splitlines()[2:]) == 2
    # Progress goes to stderr, one line per stage when stderr is not a terminal.
    stages = [line.split()[0] for line in table.stderr.splitlines() if line.rstrip().endswith("%")]
    assert stages[-1] == "done" and "analysis" not in table.stdout
    order = [
        "queued",
        "listings",
        "daily_bars",
        "intraday",
        "classification",
        "news",
        "analysis",
        "rotation",
        "saving",
        "done",
    ]
    # Stages are sampled, so a quick one may be skipped, but they come in order and end at done.
    assert len(stages) >= 2 and stages == sorted(stages, key=order.index)
    assert table.stderr.splitlines()[-1].endswith("100.0%")

    as_json = run_command(["analyze", "--json"], env, tmp_path)
    grid = json.loads(as_json.stdout)
    assert [sector["sector"] for sector in grid["sectors"]][:2] == ["technology", "healthcare"]
    assert datetime.fromisoformat(grid["as_of"]) == SIM_NOW


def test_users_add_prints_a_token_once_and_list_names_them(tmp_path: Path) -> None:
    unmigrated = run_command(["users", "add", "alice"], {}, tmp_path)
    assert unmigrated.returncode == 2 and "sectorlights migrate" in unmigrated.stderr
    assert run_command(["migrate"], {}, tmp_path).returncode == 0
    added = run_command(["users", "add", "alice"], {}, tmp_path)
    assert added.returncode == 0, added.stderr
    token = added.stdout.strip()
    assert len(token.splitlines()) == 1 and len(token) >= 40
    again = run_command(["users", "add", "alice"], {}, tmp_path)
    assert again.returncode == 2 and "already exists" in again.stderr and "Traceback" not in again.stderr
    bad = run_command(["users", "add", "no spaces"], {}, tmp_path)
    assert bad.returncode == 2 and "user name" in bad.stderr
    listed = run_command(["users", "list"], {}, tmp_path)
    assert listed.stdout.split() == ["alice"]
    assert token not in (tmp_path / "data" / "sectorlights.db").read_bytes().decode("latin-1")


def test_the_console_script_prints_its_version(tmp_path: Path) -> None:
    result = run_command(["--version"], {}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"sectorlights {version('sectorlights')}\n"


# (arguments, the JSON document's keys, a check of the document)
JSON_OUTPUT: list[tuple[list[str], set[str], Callable[[dict[str, Any]], bool]]] = [
    (["migrate", "--json"], {"database", "revision"}, lambda doc: doc["revision"] == head_revision()),
    (["users", "list", "--json"], {"users"}, lambda doc: doc["users"] == ["alice"]),
    (
        ["data", "check", "--json"],
        {"provider", "checks", "failed"},
        lambda doc: (
            doc["provider"] == "simulated"
            and doc["failed"] == []
            and {"listings", "daily_bars"} <= {check["endpoint"] for check in doc["checks"]}
            and all(
                set(check) == {"endpoint", "ok", "latency_ms", "rows", "detail", "required"}
                for check in doc["checks"]
            )
        ),
    ),
    (
        ["universe", "--explain", "SOUN", "--json"],
        {"as_of", "listing", "member", "excluded_by", "criteria", "returns_pct"},
        lambda doc: doc["listing"]["symbol"] == "SOUN" and len(doc["criteria"]) == 8,
    ),
]


JSON_ENV = {"SECTORLIGHTS_SIM_NOW": SIM_NOW.isoformat(), "SECTORLIGHTS_SIM_LISTINGS": "1500"}


@pytest.fixture(scope="module")
def with_a_user(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A working directory whose database is migrated and has the user alice."""
    workdir = tmp_path_factory.mktemp("json")
    assert run_command(["migrate"], JSON_ENV, workdir).returncode == 0
    assert run_command(["users", "add", "alice"], JSON_ENV, workdir).returncode == 0
    return workdir


@pytest.mark.parametrize(("args", "keys", "holds"), JSON_OUTPUT, ids=[" ".join(c[0]) for c in JSON_OUTPUT])
def test_json_output_is_one_document_on_stdout(
    with_a_user: Path, args: list[str], keys: set[str], holds: Callable[[dict[str, Any]], bool]
) -> None:
    result = run_command(args, JSON_ENV, with_a_user)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)  # fails on anything besides the one document
    assert set(document) == keys
    assert holds(document), document
