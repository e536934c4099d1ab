"""`sectorlights backtest` over the committed 2017 day files: seconds per scored session (the real
2015-2017 S&P 600 run is in docs/validation.md; this one only watches for slowdowns)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from tests.integration.test_flatfiles_cli import DAY_FILES, listings_with_shares
from tests.servers import run_command


def bench_backtest() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        cwd = Path(folder)
        for args in (["migrate"], ["import-flatfiles", str(DAY_FILES)]):
            done = run_command(args, {}, cwd)
            if done.returncode != 0:
                raise RuntimeError(f"{args[0]} failed: {done.stderr}")
        listings = listings_with_shares(cwd / "listings.csv")
        args = ["backtest", "--from", "2017-09-01", "--to", "2017-11-10", "--json"]
        result = run_command([*args, "--listings", str(listings), "--out", str(cwd / "report")], {}, cwd)
        if result.returncode != 0:
            raise RuntimeError(f"backtest failed: {result.stderr}")
        document = json.loads(result.stdout)
    return {
        "data": "tests/fixtures/flatfiles day files (131 symbols, 35 sessions)",
        "sessions_scored": document["sessions_scored"],
        "seconds": document["seconds"],
        "seconds_per_session": document["seconds_per_session"],
    }
