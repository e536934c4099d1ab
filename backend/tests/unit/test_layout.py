"""The house's shape: the engine's rooms stay small enough to read in one sitting."""

from __future__ import annotations

from pathlib import Path

import pytest

ENGINE = Path(__file__).resolve().parents[2] / "sectorlights" / "engine"
MAX_ENGINE_FILE_LINES = 300


@pytest.mark.parametrize("path", sorted(ENGINE.glob("*.py")), ids=lambda path: path.name)
def test_every_engine_file_is_under_300_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines < MAX_ENGINE_FILE_LINES, f"{path.name} has {lines} lines: split it into rooms with one job"
