"""A real `sectorlights serve` on the Polygon client whose vendor (the sim vendor) turns slow or hangs
mid-run: the probes and the API keep answering, and SIGTERM stops the server within
SECTORLIGHTS_SHUTDOWN_SECS instead of waiting for the vendor."""

from __future__ import annotations

import re
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import SIM_NOW
from tests.integration.test_resilience_processes import poll, serving
from tests.servers import RunningProcess, migrate, running_sim_vendor

pytestmark = pytest.mark.timeout(180)

FROZEN = {
    "SECTORLIGHTS_SIM_NOW": SIM_NOW.isoformat(),
    "SECTORLIGHTS_SIM_LISTINGS": "600",
    "SECTORLIGHTS_SCHEDULE": "off",
}
SHUTDOWN_SECS = 2.0
# Far longer than any bound below: a server that waits for the vendor cannot pass.
HUNG_MS = 120_000


@pytest.fixture
def hung_mid_run(tmp_path: Path) -> Iterator[tuple[RunningProcess, str]]:
    """A server whose on-demand run is in progress on a vendor that now answers nothing for minutes;
    yields the server and the run id."""
    with running_sim_vendor(FROZEN, tmp_path) as vendor:
        env = FROZEN | {
            "SECTORLIGHTS_SQLITE_PATH": str(tmp_path / "db.sqlite"),
            "SECTORLIGHTS_PROVIDER": "polygon",
            "POLYGON_API_KEY": "test-key",
            "POLYGON_BASE_URL": vendor,
            # One request may hang for the whole delay: nothing but the shutdown bound ends it.
            "SECTORLIGHTS_POLYGON_TIMEOUT_SECS": str(HUNG_MS / 1000 + 60),
            "SECTORLIGHTS_SHUTDOWN_SECS": str(SHUTDOWN_SECS),
        }
        migrate(env, tmp_path)
        with serving(env, tmp_path) as server:
            httpx.post(
                f"{vendor}/_control/faults", json={"*": {"delay_ms": HUNG_MS}}, timeout=5
            ).raise_for_status()
            started = httpx.post(f"{server.base_url}/api/analysis", timeout=10)
            assert started.status_code == 202, started.text
            run_id: str = started.json()["run_id"]

            def calling_vendor() -> dict[str, Any] | None:
                run: dict[str, Any] = httpx.get(f"{server.base_url}/api/analysis/{run_id}", timeout=5).json()
                assert run["status"] == "running", run
                return run if run["stage"] != "queued" else None

            poll(calling_vendor, 30, "the run to reach the vendor")
            # Its first vendor request is now waiting on the hung vendor.
            time.sleep(0.5)
            yield server, run_id


PATHS = ("/livez", "/readyz", "/health", "/api/sectors", "/api/universe?limit=5", "/metrics")


def test_the_api_answers_while_a_run_waits_on_a_hung_vendor(hung_mid_run: tuple[RunningProcess, str]) -> None:
    server, run_id = hung_mid_run
    with httpx.Client(base_url=server.base_url, timeout=5) as client:
        for _ in range(10):
            for path in PATHS:
                answer = client.get(path)
                assert answer.status_code == 200, (path, answer.text)
        assert client.get(f"/api/analysis/{run_id}").json()["status"] == "running"
        # What waits on the vendor is on show: the run's call, on one of the vendor threads.
        running = re.search(
            r'^sectorlights_vendor_work\{state="running"\} (\S+)$', client.get("/metrics").text, re.M
        )
        assert running is not None and float(running.group(1)) >= 1


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_with_a_run_waiting_on_a_hung_vendor_stops_within_the_bound(
    hung_mid_run: tuple[RunningProcess, str], stop: signal.Signals, tmp_path: Path
) -> None:
    server, run_id = hung_mid_run
    server.process.send_signal(stop)
    bound_secs = SHUTDOWN_SECS + 20
    try:
        code = server.process.wait(timeout=bound_secs)
    except subprocess.TimeoutExpired:
        raise AssertionError(
            f"still running {bound_secs:.0f} s after {stop.name} (the vendor hangs {HUNG_MS / 1000:.0f} s):\n"
            + server.log()[-3000:]
        ) from None
    log = server.log()
    # uvicorn re-raises the signal once it has shut down, as a process stopped by it would end.
    assert code in (0, -stop, 128 + stop, 1), (code, log[-3000:])
    assert "still running after" in log, log[-3000:]
    assert "Traceback" not in log, log[-3000:]
    # The run cut short is told as such, not left `running` for another process to sweep up.
    with sqlite3.connect(tmp_path / "db.sqlite") as database:
        status, error = database.execute(
            "SELECT status, error FROM analysis_runs WHERE run_id = ?", (run_id,)
        ).fetchone()
    assert (status, error) == ("failed", "interrupted: the process stopped mid-run")
