"""Intraday backtest maths: the forward window after an instant, returns between minute closes, and
intraday momentum (Gao, Han, Li & Zhou 2018, "Market intraday momentum": the first half hour's
return, previous close to 10:00, against the last half hour's, 15:30 to the close).

Prices are minute closes: the close of the last minute bar that had ended by an instant. Session
facts (regular open and close) are passed in; nothing here reads a calendar or a clock. Scoring
reuses the backtest's hit rates, means and intervals (analytics/backtest.py) rather than its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt

from sectorlights.analytics.backtest import (
    HitRate,
    MeanReturn,
    RankCorrelation,
    directional_hits,
    hit_rate,
    mean_return,
    rank_correlation,
)
from sectorlights.analytics.performance import price_return
from sectorlights.domain.frame import FloatArray, IntArray

HALF_HOUR = timedelta(minutes=30)
BAR_LENGTH_NS = 60 * 1_000_000_000


def forward_window_end(at: datetime, regular_close: datetime, horizon: timedelta) -> datetime:
    """`at + horizon`, capped at the regular close: what happens after the close is not traded on."""
    return min(at + horizon, regular_close)


@dataclass(frozen=True, slots=True)
class MomentumWindow:
    first_end: datetime  # the first half hour ends (10:00); it starts at the previous close
    last_start: datetime  # the last half hour starts (15:30, or 12:30 before a 13:00 close)
    close: datetime  # the regular close


def momentum_window(regular_open: datetime, regular_close: datetime) -> MomentumWindow:
    """The two half hours of one session; on an early-close day the last one ends at that close."""
    return MomentumWindow(regular_open + HALF_HOUR, regular_close - HALF_HOUR, regular_close)


def bar_span_ns(window_start_ns: IntArray) -> tuple[int, int] | None:
    """(end of the first bar, end of the last bar) in nanoseconds: the instants the bars can price."""
    if window_start_ns.size == 0:
        return None
    return int(window_start_ns.min()) + BAR_LENGTH_NS, int(window_start_ns.max()) + BAR_LENGTH_NS


def returns_pct(start_price: FloatArray, end_price: FloatArray) -> FloatArray:
    """Percent change from one minute close to a later one; NaN where either is missing."""
    return price_return(end_price, start_price) * 100.0


def window_volume(volume_at_start: FloatArray, volume_at_end: FloatArray) -> FloatArray:
    """Shares traded between two instants from the session's cumulative volumes at each.

    A symbol that had not traded by the start counts from 0; one missing at the end is NaN."""
    start = np.where(np.isfinite(volume_at_start), volume_at_start, 0.0)
    return np.where(np.isfinite(volume_at_end), np.maximum(volume_at_end - start, 0.0), np.nan)


def half_hour_returns_pct(
    prior_close: FloatArray,
    price_first_end: FloatArray,
    price_last_start: FloatArray,
    price_close: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """(first half hour, last half hour) returns in percent, per symbol."""
    return returns_pct(prior_close, price_first_end), returns_pct(price_last_start, price_close)


@dataclass(frozen=True, slots=True)
class MomentumStats:
    # Hit: the sign of the last half hour's return is the sign of the first half hour's.
    first_half_hour_sign: HitRate
    always_up: HitRate
    # Mean last-half-hour return after a rising or a falling first half hour.
    mean_last_after_up: MeanReturn
    mean_last_after_down: MeanReturn
    rank_correlation: RankCorrelation


def momentum_stats(
    first_pct: FloatArray, last_pct: FloatArray, seed: int, resamples: int = 2000
) -> MomentumStats:
    """Intraday momentum scored like the grid: (S sessions, K columns) of first and last returns."""
    hits, valid = directional_hits(first_pct, last_pct)
    up_hits, up_valid = directional_hits(np.ones_like(last_pct), last_pct)
    rising: npt.NDArray[np.bool_] = np.nan_to_num(first_pct, nan=0.0) > 0
    falling: npt.NDArray[np.bool_] = np.nan_to_num(first_pct, nan=0.0) < 0
    return MomentumStats(
        first_half_hour_sign=hit_rate(hits, valid, seed, resamples),
        always_up=hit_rate(up_hits, up_valid, seed, resamples),
        mean_last_after_up=mean_return(last_pct, rising, seed),
        mean_last_after_down=mean_return(last_pct, falling, seed),
        rank_correlation=rank_correlation(first_pct, last_pct, seed),
    )
