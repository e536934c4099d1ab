"""Significant moves: the first move of a stock of at least 15% from the previous close in a session.

Pure and vectorised: the arrays of a whole-market snapshot go in, the few moves that cross the
threshold come out. `MoveTracker` remembers which symbols were already reported in the session, so
each stock triggers once per session (the first crossing), and forgets them when the session changes.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date
from typing import Literal

import numpy as np
import numpy.typing as npt

from sectorlights.config.live import SIGNIFICANT_MOVE_PCT

# Prices come as binary floats: 11.5 against 10.0 is 14.999999999999998% in float arithmetic. A move
# this close below the threshold counts as reaching it (0.01 percentage points is far above it).
THRESHOLD_TOLERANCE_PCT = 1e-9

Direction = Literal["up", "down"]


@dataclass(frozen=True, slots=True)
class SignificantMove:
    """One stock's move from the previous regular close to its last price."""

    symbol: str
    change_pct: float  # signed, in percent: +15.0 is a 15% rise
    previous_close: float
    price: float
    direction: Direction

    def to_payload(self) -> dict[str, object]:
        return {
            "symbol": self.symbol,
            "change_pct": self.change_pct,
            "previous_close": self.previous_close,
            "price": self.price,
            "direction": self.direction,
        }


def _flagged_mask(
    symbols: npt.NDArray[np.str_], already_flagged: AbstractSet[str] | npt.NDArray[np.bool_]
) -> npt.NDArray[np.bool_]:
    if isinstance(already_flagged, np.ndarray):
        mask = np.asarray(already_flagged, dtype=np.bool_)
        if mask.shape != symbols.shape:
            raise ValueError("the already-flagged mask must have one entry per symbol")
        return mask
    if not already_flagged or symbols.size == 0:
        return np.zeros(symbols.shape, dtype=np.bool_)
    return np.isin(symbols, np.array(sorted(already_flagged), dtype=np.str_))


def detect_moves(
    symbols: npt.ArrayLike,
    previous_close: npt.ArrayLike,
    last_price: npt.ArrayLike,
    already_flagged: AbstractSet[str] | npt.NDArray[np.bool_] = frozenset(),
    threshold_pct: float = SIGNIFICANT_MOVE_PCT,
) -> list[SignificantMove]:
    """The moves of at least `threshold_pct` percent (up or down) from the previous close, largest
    first (ties by symbol), leaving out the symbols already flagged (a set of symbols, or a mask
    aligned with `symbols`) and rows whose previous close or price is not a finite positive number.
    A symbol listed twice is reported once, with its larger move."""
    if not np.isfinite(threshold_pct) or threshold_pct <= 0:
        raise ValueError("the threshold must be a positive number of percent")
    names = np.asarray(symbols, dtype=np.str_)
    previous = np.asarray(previous_close, dtype=np.float64)
    last = np.asarray(last_price, dtype=np.float64)
    if names.ndim != 1 or previous.shape != names.shape or last.shape != names.shape:
        raise ValueError("symbols, previous closes and last prices must be 1-D arrays of one length")
    valid = np.isfinite(previous) & np.isfinite(last) & (previous > 0) & (last > 0)
    valid &= ~_flagged_mask(names, already_flagged)
    change = np.full(names.shape, np.nan)
    with np.errstate(invalid="ignore", over="ignore"):
        np.divide((last - previous) * 100.0, previous, out=change, where=valid)
    size = np.abs(change)
    hit = np.flatnonzero(valid & (size >= threshold_pct - THRESHOLD_TOLERANCE_PCT))
    if hit.size == 0:
        return []
    # lexsort: the last key is the primary one.
    hit = hit[np.lexsort((names[hit], -size[hit]))]
    _, first = np.unique(names[hit], return_index=True)
    hit = hit[np.sort(first)]
    return [
        SignificantMove(
            symbol=symbol,
            change_pct=pct,
            previous_close=close,
            price=price,
            direction="up" if pct > 0 else "down",
        )
        for symbol, pct, close, price in zip(
            names[hit].tolist(), change[hit].tolist(), previous[hit].tolist(), last[hit].tolist(), strict=True
        )
    ]


class MoveTracker:
    """The symbols already reported in the current session; each stock's first crossing is reported once."""

    def __init__(self, threshold_pct: float = SIGNIFICANT_MOVE_PCT) -> None:
        if not np.isfinite(threshold_pct) or threshold_pct <= 0:
            raise ValueError("the threshold must be a positive number of percent")
        self.threshold_pct = threshold_pct
        self._session: date | None = None
        self._flagged: set[str] = set()

    @property
    def session(self) -> date | None:
        return self._session

    @property
    def flagged(self) -> frozenset[str]:
        return frozenset(self._flagged)

    def reset(self, session: date | None = None) -> None:
        self._session = session
        self._flagged = set()

    def observe(
        self,
        session: date,
        symbols: npt.ArrayLike,
        previous_close: npt.ArrayLike,
        last_price: npt.ArrayLike,
    ) -> list[SignificantMove]:
        """The new significant moves in `session`; a different session than the last one starts afresh."""
        if session != self._session:
            self.reset(session)
        moves = detect_moves(symbols, previous_close, last_price, self._flagged, self.threshold_pct)
        self._flagged.update(move.symbol for move in moves)
        return moves
