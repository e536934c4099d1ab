"""The aligned per-stock arrays every analytics function works on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
StrArray = npt.NDArray[np.str_]


@dataclass(frozen=True, slots=True)
class MarketFrame:
    """One row per listing; daily columns are completed sessions, oldest first.

    Unknown numbers are NaN; an unknown SIC code is -1. `daily_*` exclude the current session,
    whose state is in `last_price`, `price_30m_ago` and `session_volume`.
    """

    as_of: datetime
    current_session: date
    sessions: tuple[date, ...]
    symbols: StrArray
    names: StrArray
    security_types: StrArray
    exchanges: StrArray
    market_cap: FloatArray
    shares_outstanding: FloatArray
    float_shares: FloatArray
    sic_codes: IntArray
    daily_open: FloatArray  # (n, d)
    daily_high: FloatArray
    daily_low: FloatArray
    daily_close: FloatArray
    daily_volume: FloatArray
    last_price: FloatArray  # (n,)
    price_30m_ago: FloatArray
    session_volume: FloatArray
    # Expected share of a whole day's volume traded by `as_of` (time-of-day volume profile).
    volume_fraction_expected: float

    @property
    def size(self) -> int:
        return int(self.symbols.shape[0])

    def index_of(self, symbol: str) -> int:
        """Row of `symbol`; raises KeyError when it is not in the frame."""
        hits = np.flatnonzero(self.symbols == symbol)
        if hits.size == 0:
            raise KeyError(symbol)
        return int(hits[0])
