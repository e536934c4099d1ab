"""FMP sectors in classification, end to end: the real `sectorlights` command asks the sim vendor's FMP
routes over HTTP, keeps the answers in the database, and keeps using them when FMP is down."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SIM_NOW
from tests.servers import run_command, running_sim_vendor
from tests.services import free_port

MARKET = {
    "SECTORLIGHTS_SIM_NOW": SIM_NOW.isoformat(),
    "SECTORLIGHTS_SIM_LISTINGS": "1500",
    "SECTORLIGHTS_LOG_LEVEL": "warning",
}


@pytest.fixture(scope="module")
def vendor(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_sim_vendor(MARKET, tmp_path_factory.mktemp("fmp-vendor")) as base_url:
        yield base_url


def universe(env: dict[str, str], workdir: Path) -> dict[str, Any]:
    done = run_command(["universe", "--json"], MARKET | env, workdir, timeout_secs=240)
    assert done.returncode == 0, done.stderr
    parsed: dict[str, Any] = json.loads(done.stdout)
    return parsed


def sources(report: dict[str, Any]) -> Counter[str]:
    return Counter(member["classification_source"] for member in report["members"])


def test_fmp_sectors_are_used_stored_and_survive_an_fmp_outage(vendor: str, tmp_path: Path) -> None:
    assert run_command(["migrate"], MARKET, tmp_path).returncode == 0
    without_fmp = universe({}, tmp_path)
    assert "fmp" not in sources(without_fmp)

    fmp = {
        "FMP_API_KEY": "test-key",
        "FMP_BASE_URL": f"{vendor}/stable",
        "SECTORLIGHTS_FMP_LOOKUPS_PER_RUN": "5000",
    }
    with_fmp = universe(fmp, tmp_path)
    counted = sources(with_fmp)
    assert counted["fmp"] >= 0.95 * len(with_fmp["members"]), counted
    # The sim vendor's FMP sectors agree with the simulated truth, so the sectors barely move.
    before = {member["symbol"]: member["sector"] for member in without_fmp["members"]}
    after = {member["symbol"]: member["sector"] for member in with_fmp["members"]}
    common = before.keys() & after.keys()
    assert sum(before[symbol] == after[symbol] for symbol in common) >= 0.9 * len(common)
    assert all(
        member["classification_confidence"] >= 0.8
        for member in with_fmp["members"]
        if member["classification_source"] == "fmp"
    )

    # Every stored sector is due again, but FMP is down: the stored ones keep serving.
    dead = fmp | {
        "FMP_BASE_URL": f"http://127.0.0.1:{free_port()}/stable",
        "SECTORLIGHTS_SECTOR_REFRESH_DAYS": "0.000001",
    }
    outage = universe(dead, tmp_path)
    assert sources(outage)["fmp"] == counted["fmp"]
    assert {member["symbol"]: member["sector"] for member in outage["members"]} == after
