"""One listing's minute bars, cut from the same intraday path as the snapshots and daily bars.

Bar m covers [04:00 + m, 04:00 + m + 1 minute): it opens at the path's price at its start and closes at
the price at its end, so the last regular-session bar closes at the daily close, and its volume is the
growth of the cumulative session volume over the minute, so the bars add up to the snapshot's
volume. Minutes whose volume rounds to zero have no trades and no bar, as at the vendors.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from sectorlights.domain.market import MinuteBars
from sectorlights.domain.sessions import MINUTES_PER_SESSION, session_bounds
from sectorlights.providers.simulated.market import (
    MINIMUM_PRICE,
    REGULAR_OPEN_MINUTES,
    FloatArray,
    SimulatedMarket,
    Stream,
)

NANOSECONDS_PER_MINUTE = 60_000_000_000
WICK_SHARE = 0.6  # the intrabar wick, as a share of the listing's minute-noise amplitude


def _round_to_ticks(prices: FloatArray) -> FloatArray:
    ticks_per_dollar = np.where(prices >= 1.0, 100.0, 10_000.0)
    return np.asarray(np.maximum(np.rint(prices * ticks_per_dollar) / ticks_per_dollar, MINIMUM_PRICE))


def build_minute_bars(market: SimulatedMarket, symbol: str, row: int, session: date) -> MinuteBars:
    """The minute bars of the listing in `row` for a trading session (ValueError for another day)."""
    path = market.session_path(session)
    prices, cumulative = market.minute_path(session, row)
    volume = np.diff(cumulative)
    opens, closes = prices[:-1], prices[1:]
    rng = np.random.default_rng([market.seed, Stream.MINUTE_WICKS, session.toordinal(), row])
    wick_up, wick_down = rng.random((2, MINUTES_PER_SESSION))
    wick = WICK_SHARE * float(market.noise_amplitude[row])
    top, bottom = np.maximum(opens, closes), np.minimum(opens, closes)
    high = np.maximum(_round_to_ticks(top * np.exp(wick * wick_up)), top)
    low = np.minimum(_round_to_ticks(bottom * np.exp(-wick * wick_down)), bottom)
    # Regular-hours bars stay inside the day's range.
    bounds = session_bounds(session)
    close_minute = round((bounds.regular_close - bounds.extended_open).total_seconds() / 60.0)
    regular = slice(round(REGULAR_OPEN_MINUTES), close_minute)
    high[regular] = np.maximum(np.minimum(high[regular], path.high[row]), top[regular])
    low[regular] = np.minimum(np.maximum(low[regular], path.low[row]), bottom[regular])
    start_ns = round(bounds.extended_open.timestamp()) * 1_000_000_000
    starts = start_ns + np.arange(MINUTES_PER_SESSION, dtype=np.int64) * NANOSECONDS_PER_MINUTE
    traded = volume > 0
    return MinuteBars(
        symbol=symbol,
        session=session,
        window_start_ns=starts[traded],
        open=opens[traded],
        high=high[traded],
        low=low[traded],
        close=closes[traded],
        volume=volume[traded],
    )
