"""The Relative Rotation Graph's periods and tail lengths, sized to the bars the product holds
(docs/methodology.md, "Sector rotation")."""

from __future__ import annotations

from dataclasses import dataclass

from sectorlights.domain.rotation import RotationInterval


@dataclass(frozen=True, slots=True)
class RotationParams:
    """RS-Ratio is the z-score of relative strength over `ratio_period` bars; RS-Momentum the z-score
    of RS-Ratio's one-bar rate of change over `momentum_period` bars. The first point needs
    `ratio_period + momentum_period` bars of both the sector and the benchmark."""

    ratio_period: int
    momentum_period: int

    def __post_init__(self) -> None:
        if self.ratio_period < 2 or self.momentum_period < 2:
            raise ValueError("a z-score needs a window of at least 2 bars")

    @property
    def bars_needed(self) -> int:
        return self.ratio_period + self.momentum_period


# Daily: the 25 completed sessions the analysis holds (SECTORLIGHTS_HISTORY_SESSIONS) plus the run's
# own price make 26 bars, enough for 12 points with a 10-session ratio and a 5-session momentum (two
# trading weeks and one). Intraday: 32 half-hour closes (one whole 04:00-20:00 session) plus the
# run's price make 33 bars, 19 points with a 5-hour ratio and a 2.5-hour momentum.
ROTATION_PARAMS: dict[RotationInterval, RotationParams] = {
    RotationInterval.DAY: RotationParams(ratio_period=10, momentum_period=5),
    RotationInterval.MIN_30: RotationParams(ratio_period=10, momentum_period=5),
}

# Half-hour closes read before the run's own price.
INTRADAY_BARS = 32

# Points a run stores per sector and interval; the API's `tail` asks for at most this many.
MAX_TAIL = 12
DEFAULT_TAIL = 5
