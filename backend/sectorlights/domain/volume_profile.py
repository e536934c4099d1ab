"""The typical intraday volume profile of a 04:00-20:00 ET extended session, with no calendar.

Kept apart from `sessions` so that the analytics can convert a span of session minutes into a share
of a day's volume without depending on the exchange calendar.
"""

from __future__ import annotations

import functools

import numpy as np
import numpy.typing as npt

MINUTES_PER_SESSION = 16 * 60
PREMARKET_MINUTES = 330  # 04:00-09:30
REGULAR_MINUTES = 390  # 09:30-16:00
PREMARKET_SHARE = 0.05
REGULAR_SHARE = 0.92
AFTER_HOURS_SHARE = 0.03


@functools.cache
def cumulative_volume_profile() -> npt.NDArray[np.float64]:
    """Cumulative share of a day's volume at each whole minute since 04:00 (961 values, 0 ... ~1).

    Thin extended hours, U-shaped regular session. Read-only (one array for every caller): copy
    before changing it.
    """
    minutes = np.arange(MINUTES_PER_SESSION, dtype=np.float64)
    weights = np.empty(MINUTES_PER_SESSION)
    pre = minutes < PREMARKET_MINUTES
    post = minutes >= PREMARKET_MINUTES + REGULAR_MINUTES
    regular = ~pre & ~post
    position = (minutes[regular] - PREMARKET_MINUTES) / REGULAR_MINUTES  # 0 at the open, 1 at the close
    weights[regular] = 1.0 + 4.0 * (2.0 * position - 1.0) ** 2
    weights[regular] *= REGULAR_SHARE / weights[regular].sum()
    weights[pre] = PREMARKET_SHARE / pre.sum()
    weights[post] = AFTER_HOURS_SHARE / post.sum()
    profile = np.concatenate([[0.0], np.cumsum(weights)])
    profile.setflags(write=False)
    return profile


def volume_fraction_after_minutes(elapsed_minutes: float) -> float:
    """Share of a typical day's volume traded in the first `elapsed_minutes` of the extended session."""
    profile = cumulative_volume_profile()
    return float(np.interp(elapsed_minutes, np.arange(profile.size, dtype=np.float64), profile))
