"""Carries out one fault of the plan on the running stack (blocking; the soak runs it in a thread)."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from sectorlights.domain.sessions import NEW_YORK
from tests.soak.plan import Fault, FaultKind
from tests.soak.stack import Process, Stack

VENDOR_FAULTS: dict[FaultKind, dict[str, dict[str, object]]] = {
    # Enough to fail several requests of a run in a row, then the vendor answers again.
    FaultKind.VENDOR_429: {"*": {"status_429_count": 12, "retry_after_secs": 1}},
    FaultKind.VENDOR_5XX: {"*": {"status_500_count": 12}},
    FaultKind.SLOW_VENDOR: {"*": {"delay_ms": 1500}},
}
REDIS_DOWN_SECS = 3.0
# Real seconds between the kill and the restart. At 400x any real pause is hundreds of times longer
# in market time: the restart alone takes about 2 s (13 simulated minutes), which keeps the killed
# instant inside its 30-minute window; a 3 s pause (33 minutes) let the next instant's run stand
# for it, as the schedule's rules say, so the kill no longer tested the restart's own re-run.
REPLICA_DOWN_SECS = 0.2


@dataclass(frozen=True, slots=True)
class Done:
    """A fault as carried out: when (real) and what it touched."""

    fault: Fault
    started: datetime
    finished: datetime
    detail: str


def _running_replica(stack: Stack, instant: datetime, wait_secs: float = 5.0) -> Process | None:
    """The replica that started the scheduled run of `instant` (it says so in its log)."""
    line = re.compile(rf"scheduled analysis for {re.escape(instant.isoformat())}: run ")
    deadline = time.monotonic() + wait_secs
    while time.monotonic() < deadline:
        for replica in stack.replicas:
            if replica.pid is not None and line.search(replica.log_path.read_text()):
                return replica
        time.sleep(0.05)
    return None


def _set_scenario(vendor: Process, scenario: str | None) -> None:
    env = {key: value for key, value in vendor.env.items() if key != "SECTORLIGHTS_SIM_SCENARIO"}
    if scenario is not None:
        env["SECTORLIGHTS_SIM_SCENARIO"] = scenario
    vendor.stop()
    vendor.env = env
    vendor.start(60)


def carry_out(stack: Stack, fault: Fault) -> Done:
    started = datetime.now(UTC)
    detail = ""
    match fault.kind:
        case FaultKind.VENDOR_429 | FaultKind.VENDOR_5XX | FaultKind.SLOW_VENDOR:
            httpx.post(f"{stack.vendor.base_url}/_control/faults", json=VENDOR_FAULTS[fault.kind], timeout=10)
            detail = str(VENDOR_FAULTS[fault.kind])
        case FaultKind.VENDOR_FIXED:
            httpx.delete(f"{stack.vendor.base_url}/_control/faults", timeout=10)
        case FaultKind.REDIS_RESTART:
            stack.redis.restart(REDIS_DOWN_SECS)
            detail = f"down {REDIS_DOWN_SECS:.0f} s, restarted empty"
        case FaultKind.POSTGRES_RESTART:
            stack.postgres.restart()
        case FaultKind.KILL_RUNNING_REPLICA:
            # The fault is set a few simulated seconds after an intraday instant: its run is going.
            instant = fault.at.astimezone(NEW_YORK).replace(second=0, microsecond=0)
            replica = _running_replica(stack, instant) or stack.replicas[0]
            replica.kill()
            time.sleep(REPLICA_DOWN_SECS)
            replica.start()
            detail = (
                f"{replica.name} ran {instant.isoformat()}: killed, restarted {REPLICA_DOWN_SECS:g} s later"
            )
        case FaultKind.GAPS_SCENARIO_ON:
            _set_scenario(stack.vendor, "overnight_gaps")
        case FaultKind.GAPS_SCENARIO_OFF:
            _set_scenario(stack.vendor, None)
    return Done(fault, started, datetime.now(UTC), detail)
