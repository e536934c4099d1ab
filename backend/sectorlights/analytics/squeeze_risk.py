"""A sector's squeeze risk: how volatile its members have been, against the whole universe.

The shorting study (docs/validation.md) found that the darkest colours mark wider next sessions in
both directions rather than a direction, so a short seller's question "how likely is a squeeze
here?" is one of volatility. The measure:

* each member's **volatility**: the standard deviation of its last `VOLATILITY_SESSIONS` daily
  close-to-close returns, in percent (NaN with fewer than `MIN_RETURNS` of them);
* the sector's **volatility ratio**: the median of its members' volatilities over the median of every
  member's, so a market-wide calm or storm moves every sector together and the ratio says only how
  this sector stands today (NaN with fewer than `MIN_MEMBERS` members measured);
* the **level**: low, normal or high by the ratio against two bounds fixed from the development
  window of the study (config/squeeze_risk.py), never from the window it is judged on.

Arrays in, arrays out; no clock.
"""

from __future__ import annotations

import numpy as np

from sectorlights.config.squeeze_risk import SQUEEZE_RISK_LEVELS, SqueezeRiskBounds
from sectorlights.domain.frame import FloatArray, IntArray

VOLATILITY_SESSIONS = 20
MIN_RETURNS = 15
MIN_MEMBERS = 3
NO_LEVEL = -1


def member_volatility_pct(daily_close: FloatArray) -> FloatArray:
    """(N,) standard deviation (ddof 1) of each row's last `VOLATILITY_SESSIONS` daily returns, in
    percent, from (N, T) closes (NaN gaps skipped); NaN with fewer than `MIN_RETURNS` returns."""
    closes = np.asarray(daily_close, dtype=np.float64)
    if closes.ndim != 2:
        raise ValueError(f"daily_close must be (stocks, sessions), got shape {closes.shape}")
    window = closes[:, -(VOLATILITY_SESSIONS + 1) :]
    with np.errstate(invalid="ignore", divide="ignore"):
        returns = (window[:, 1:] / window[:, :-1] - 1.0) * 100.0
    returns = np.where(np.isfinite(returns), returns, np.nan)
    counts = np.count_nonzero(np.isfinite(returns), axis=1)
    volatility = np.full(closes.shape[0], np.nan)
    enough = counts >= MIN_RETURNS
    if enough.any():
        volatility[enough] = np.nanstd(returns[enough], axis=1, ddof=1)
    return volatility


def sector_volatility_ratio(
    member_volatility: FloatArray, sector_index: IntArray, sector_count: int
) -> FloatArray:
    """(sector_count,) median member volatility of each sector over the median of all members (those
    with a sector); NaN where a sector has fewer than `MIN_MEMBERS` measured members."""
    volatility = np.asarray(member_volatility, dtype=np.float64).reshape(-1)
    sectors = np.asarray(sector_index, dtype=np.int64).reshape(-1)
    if volatility.shape != sectors.shape:
        raise ValueError(f"member_volatility ({volatility.size}) and sector_index ({sectors.size}) differ")
    measured = np.isfinite(volatility) & (sectors >= 0)
    ratios = np.full(sector_count, np.nan)
    if not measured.any():
        return ratios
    overall = float(np.median(volatility[measured]))
    if overall <= 0:
        return ratios
    for sector in range(sector_count):
        values = volatility[measured & (sectors == sector)]
        if values.size >= MIN_MEMBERS:
            ratios[sector] = float(np.median(values)) / overall
    return ratios


def squeeze_risk_levels(ratios: FloatArray, bounds: SqueezeRiskBounds) -> IntArray:
    """Index into SQUEEZE_RISK_LEVELS per ratio (a ratio equal to a bound belongs to the lower
    level), `NO_LEVEL` where the ratio is NaN."""
    values = np.asarray(ratios, dtype=np.float64)
    finite = np.isfinite(values)
    levels = np.searchsorted(np.asarray(bounds.upper_bounds), np.where(finite, values, 0.0), side="left")
    return np.where(finite, levels, NO_LEVEL).astype(np.int64)


def tercile_bounds(ratios: FloatArray) -> SqueezeRiskBounds:
    """The bounds that split the finite `ratios` into three equal shares (a study window's own)."""
    values = np.asarray(ratios, dtype=np.float64)
    finite = values[np.isfinite(values)]
    if finite.size < len(SQUEEZE_RISK_LEVELS):
        raise ValueError(f"need at least {len(SQUEEZE_RISK_LEVELS)} measured ratios, got {finite.size}")
    low, high = np.quantile(finite, [1 / 3, 2 / 3])
    return SqueezeRiskBounds(low_max=float(low), normal_max=float(high))
