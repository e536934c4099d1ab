"""The simulated market is the same in every process: a server and the command line started
separately must see the same numbers."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from datetime import date, datetime, time

from sectorlights.domain.sessions import NEW_YORK
from sectorlights.providers.simulated import SimulatedProvider
from tests.servers import BACKEND_DIR

REFERENCE_SESSION = date(2026, 11, 20)  # a Friday


def fingerprint() -> str:
    """A digest of a default simulated market's daily bars and one intraday snapshot."""
    provider = SimulatedProvider()
    bars = provider.daily_bars([REFERENCE_SESSION])[0]
    snapshot = provider.intraday_snapshot(datetime.combine(REFERENCE_SESSION, time(10, 45, 30), NEW_YORK))
    digest = hashlib.sha256()
    columns = (bars.open, bars.high, bars.low, bars.close, bars.volume)
    for array in (*columns, snapshot.last_price, snapshot.session_volume):
        digest.update(array.tobytes())
    return digest.hexdigest()


def test_another_process_computes_the_same_numbers() -> None:
    script = "from tests.integration.test_simulated_processes import fingerprint; print(fingerprint())"
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=BACKEND_DIR,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert result.stdout.strip() == fingerprint()
