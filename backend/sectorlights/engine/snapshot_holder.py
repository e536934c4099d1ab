"""The newest whole-market snapshot this process took, and each session's pre-market volume.

The move watcher offers every snapshot it polls, and the scanner the ones it takes itself, so the
scanner reuses a snapshot no older than the poll interval instead of asking the vendor again. The
pre-market volume of a session (04:00-09:30 ET) is the session volume of its last snapshot taken
by 09:30:00; once the regular session has begun it stays known only if this process saw such a
snapshot (otherwise the scanner says null: unknown, never zero).
"""

from __future__ import annotations

import threading
from datetime import date

from sectorlights.domain.frame import FloatArray, StrArray
from sectorlights.domain.market import IntradaySnapshot
from sectorlights.domain.sessions import session_bounds


class SnapshotHolder:
    """Thread-safe: the watcher offers from the event loop, the scanner from its requests."""

    def __init__(self) -> None:
        self._latest: IntradaySnapshot | None = None
        self._premarket: IntradaySnapshot | None = None
        self._lock = threading.Lock()

    def offer(self, snapshot: IntradaySnapshot) -> None:
        before_open = snapshot.at <= session_bounds(snapshot.session).regular_open
        with self._lock:
            if self._latest is None or snapshot.at >= self._latest.at:
                self._latest = snapshot
            held = self._premarket
            if before_open and (held is None or (snapshot.session, snapshot.at) >= (held.session, held.at)):
                self._premarket = snapshot

    def latest(self) -> IntradaySnapshot | None:
        return self._latest

    def premarket_volume(self, session: date) -> tuple[StrArray, FloatArray] | None:
        """(symbols, shares traded 04:00-09:30 ET so far) of `session`, None when unknown."""
        held = self._premarket
        if held is None or held.session != session:
            return None
        return held.symbols, held.session_volume
