"""The squeeze-risk levels of a sector (analytics/squeeze_risk.py) and their bounds.

The bounds are the terciles of the sector volatility ratio over every sector-session of the shorting
study's development window (2008-2012, the 2,660-stock US set; docs/validation.md, "Squeeze risk"):
a third of the development window's sector-sessions are low, a third normal, a third high. They were
fixed from that window alone and then judged on 2013-2017.
"""

from __future__ import annotations

from dataclasses import dataclass

SQUEEZE_RISK_LEVELS = ("low", "normal", "high")


@dataclass(frozen=True, slots=True)
class SqueezeRiskBounds:
    """Upper bounds of the low and normal levels of the sector volatility ratio; above is high."""

    low_max: float
    normal_max: float

    def __post_init__(self) -> None:
        if not 0 < self.low_max < self.normal_max:
            raise ValueError(
                f"squeeze-risk bounds must rise from above 0: got {self.low_max} and {self.normal_max}"
            )

    @property
    def upper_bounds(self) -> tuple[float, float]:
        return (self.low_max, self.normal_max)


# The development window's terciles (2,446 measured sector-sessions of 2008-02-07 to 2012-12-31).
DEFAULT_SQUEEZE_RISK_BOUNDS = SqueezeRiskBounds(low_max=0.9252, normal_max=1.1223)


@dataclass(frozen=True, slots=True)
class SqueezeHistory:
    """What the study measured for one level in the held-out window (2013-2017): the share of every
    short candidate in a sector at that level whose next high reached 10 % over the open, and the
    same share at the normal level."""

    squeezed_pct: float
    normal_squeezed_pct: float


# Only the levels whose squeeze rate sat on the same side of normal's, intervals apart, in both the
# development and the held-out window (docs/validation.md, "Squeeze risk"); the card quotes them.
# Measured on 2026-12-04: over every candidate, high 4.5 % / 4.6 % and low 1.0 % / 1.3 % against
# normal's 2.6 % / 2.3 % (development / held out), each interval apart from normal's in both windows.
SQUEEZE_HISTORY: dict[str, SqueezeHistory] = {
    "high": SqueezeHistory(squeezed_pct=4.6, normal_squeezed_pct=2.3),
    "low": SqueezeHistory(squeezed_pct=1.3, normal_squeezed_pct=2.3),
}
