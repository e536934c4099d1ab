"""Confidence intervals shared by the backtest and the classification cross-validation."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Z_95 = 1.959963984540054


@dataclass(frozen=True, slots=True)
class Interval:
    low: float | None
    high: float | None


def wilson_interval(hits: int, total: int, z: float = Z_95) -> Interval:
    """Wilson score interval for a proportion; (None, None) with no trials."""
    if total <= 0:
        return Interval(None, None)
    rate = hits / total
    denominator = 1.0 + z * z / total
    centre = (rate + z * z / (2 * total)) / denominator
    half = z * np.sqrt(rate * (1 - rate) / total + z * z / (4 * total * total)) / denominator
    # At 0 or n hits the bound is exactly 0 or 1; pin it so rounding cannot exclude the rate.
    low = 0.0 if hits == 0 else max(0.0, float(centre - half))
    high = 1.0 if hits == total else min(1.0, float(centre + half))
    return Interval(min(low, rate), max(high, rate))
