"""Relative Rotation Graph (RRG) of the sectors against the benchmark, by the JdK method as publicly
approximated (docs/methodology.md, "Sector rotation").

Julius de Kempenaer's exact normalisation of RS-Ratio and RS-Momentum is proprietary (RRG Research);
what is computed here is the z-score approximation published with open-source RRG tools (RRGPy,
RRG-Lite), with one-bar rate of change and 100 as the centre of both axes:

    RS           = 100 x sector level / benchmark price
    RS-Ratio     = 100 + (RS - mean(RS, n)) / sd(RS, n)                     n = ratio_period
    ROC          = 100 x (RS-Ratio / RS-Ratio one bar earlier - 1)
    RS-Momentum  = 100 + (ROC - mean(ROC, m)) / sd(ROC, m)                  m = momentum_period

over rolling windows ending at each bar (population deviation). A window whose deviation is nil (a
sector moving exactly with the benchmark) puts the point at 100 instead of dividing by zero. Both
are unchanged when the benchmark (or the sector) is multiplied by a constant.

A sector's level is its members' chain-linked equal-weighted return: 1 at its first bar, then
multiplied by 1 + the mean member return over each bar (winsorised within the sector like the
card's returns). Prices are carried forward over bars a stock did not trade, so a quiet bar is a
zero return rather than a gap.

Arrays: prices are (rows, bars), oldest bar first; results are (sectors, bars) with NaN where a bar
has too little history.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from sectorlights.analytics.performance import SECTOR_COUNT, price_return, sector_means, winsorized_returns
from sectorlights.domain.frame import FloatArray, IntArray
from sectorlights.domain.rotation import QUADRANTS, Quadrant

CENTRE = 100.0
# A window's deviation at or below this share of its scale counts as none: floating-point noise in
# RS of a sector that moves exactly with the benchmark must not read as a move.
FLAT_TOLERANCE = 1e-9
NO_QUADRANT = -1


def forward_filled(prices: FloatArray) -> FloatArray:
    """(n, t) prices with each missing or non-positive one replaced by the row's last usable one
    before it; NaN until a row's first usable price."""
    values = np.asarray(prices, dtype=np.float64)
    usable = np.isfinite(values) & (values > 0)
    positions = np.where(usable, np.arange(values.shape[-1]), -1)
    last = np.maximum.accumulate(positions, axis=-1)
    filled = np.take_along_axis(values, np.maximum(last, 0), axis=-1)
    return np.where(last >= 0, filled, np.nan)


def sector_levels(
    prices: FloatArray,
    sector_index: IntArray,
    winsor_share: float | None = None,
    winsor_min_clipped: int = 0,
) -> FloatArray:
    """(8, t) chain-linked equal-weighted level of each sector's members; NaN before its first bar
    with a member return, and throughout for a sector without one."""
    filled = forward_filled(prices)
    bars = filled.shape[1]
    levels = np.full((SECTOR_COUNT, bars), np.nan)
    if bars < 2:
        return levels
    returns = price_return(filled[:, 1:], filled[:, :-1])
    if winsor_share is not None:
        returns = winsorized_returns(returns, sector_index, winsor_share, winsor_min_clipped)
    means = sector_means(returns, sector_index)
    known = np.isfinite(means)
    # With prices carried forward a member that has begun has a return at every later bar: a bar
    # without any lies before the sector's first, so it only delays the base.
    growth = np.where(known, 1.0 + means, 1.0)
    chained = np.concatenate((np.ones((SECTOR_COUNT, 1)), np.cumprod(growth, axis=1)), axis=1)
    first = np.where(np.any(known, axis=1), np.argmax(known, axis=1), bars)
    begun = np.arange(bars)[np.newaxis, :] >= first[:, np.newaxis]
    levels[begun] = chained[begun]
    return levels


def _rolling_z(values: FloatArray, window: int, relative: bool) -> FloatArray:
    """(k, t) z-score of each value against the `window` values ending at it (population deviation);
    NaN without a full window of finite values, 0 where the window is flat. Flat means a deviation
    within FLAT_TOLERANCE of the window's mean (`relative`, for levels) or of 1 (for rates)."""
    scores = np.full(values.shape, np.nan)
    if values.shape[1] < window:
        return scores
    windows = sliding_window_view(values, window, axis=1)
    mean = windows.mean(axis=2)
    deviation = windows.std(axis=2)
    scale = np.abs(mean) if relative else np.ones_like(mean)
    latest = values[:, window - 1 :]
    flat = deviation <= FLAT_TOLERANCE * scale
    z = np.divide(latest - mean, deviation, out=np.zeros_like(mean), where=~flat & np.isfinite(deviation))
    scores[:, window - 1 :] = np.where(np.isfinite(mean), z, np.nan)
    return scores


@dataclass(frozen=True, slots=True)
class Rotation:
    """(k, t) RS-Ratio and RS-Momentum per series and bar; NaN where a bar has too little history."""

    rs_ratio: FloatArray
    rs_momentum: FloatArray


def relative_rotation(
    levels: FloatArray, benchmark: FloatArray, ratio_period: int, momentum_period: int
) -> Rotation:
    """RS-Ratio and RS-Momentum of (k, t) `levels` against the (t,) `benchmark` prices."""
    series = np.atleast_2d(np.asarray(levels, dtype=np.float64))
    reference = forward_filled(np.asarray(benchmark, dtype=np.float64)[np.newaxis, :])
    strength = np.full(series.shape, np.nan)
    usable = np.isfinite(series) & (series > 0) & np.isfinite(reference)
    np.divide(100.0 * series, reference, out=strength, where=usable)
    ratio = CENTRE + _rolling_z(strength, ratio_period, relative=True)
    change = np.full(series.shape, np.nan)
    change[:, 1:] = 100.0 * (ratio[:, 1:] / ratio[:, :-1] - 1.0)
    momentum = CENTRE + _rolling_z(change, momentum_period, relative=False)
    return Rotation(rs_ratio=ratio, rs_momentum=momentum)


def quadrant_indices(rs_ratio: FloatArray, rs_momentum: FloatArray) -> IntArray:
    """Index into QUADRANTS of each point (leading, weakening, lagging, improving); -1 where either
    coordinate is unknown. 100 itself counts as strong on both axes."""
    strong = rs_ratio >= CENTRE
    rising = rs_momentum >= CENTRE
    index = np.where(strong, np.where(rising, 0, 1), np.where(rising, 3, 2))
    known = np.isfinite(rs_ratio) & np.isfinite(rs_momentum)
    return np.where(known, index, NO_QUADRANT).astype(np.int64)


def quadrant_of(rs_ratio: float, rs_momentum: float) -> Quadrant | None:
    """The quadrant of one point; None when either coordinate is unknown."""
    index = int(quadrant_indices(np.array([rs_ratio]), np.array([rs_momentum]))[0])
    return None if index == NO_QUADRANT else QUADRANTS[index]


def too_little_data_reason(bars_known: int, bars_needed: int, bar_word: str) -> str:
    """Why a sector has no point: how many bars it has against how many the first point needs."""
    return (
        f"Too little data: {bars_known} {bar_word} of the sector and IWM, {bars_needed} needed "
        "for the first point"
    )
