"""Defaults of the live parts (move watcher, event bus), shared by the settings and what they configure."""

from __future__ import annotations

# A stock's move from the previous close, in percent either way, that counts as significant (spec: 15%).
SIGNIFICANT_MOVE_PCT = 15.0
# How often the move watcher takes a whole-market snapshot during extended hours.
MOVE_POLL_INTERVAL_SECS = 15.0
# Events the bus keeps for replay to reconnecting clients.
EVENT_HISTORY_SIZE = 1000
