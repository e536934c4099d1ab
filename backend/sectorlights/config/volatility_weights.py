"""Sector volatility multipliers: the spec's static weights, weights measured from history, or both.

- `static`: the spec's table below.
- `dynamic`: each sector's realised volatility relative to the benchmark's over the last
  `lookback_sessions` sessions (the standard deviation of the sector's equal-weighted daily return
  divided by IWM's), clipped to `dynamic_bounds`. A sector with fewer than `min_stocks` members or
  too short a history keeps its static weight.
- `hybrid`: (1 - `hybrid_blend`) x static + `hybrid_blend` x dynamic, so the spec's judgement anchors
  the weight and the market's recent behaviour moves it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from sectorlights.domain.vocabulary import Sector

WeightsSource = Literal["static", "dynamic", "hybrid"]
WEIGHTS_SOURCES: tuple[WeightsSource, ...] = ("static", "dynamic", "hybrid")

STATIC_VOLATILITY_WEIGHTS: dict[Sector, float] = {
    Sector.HEALTHCARE: 1.5,
    Sector.TECHNOLOGY: 1.3,
    Sector.ENERGY: 1.2,
    Sector.CONSUMER_DISCRETIONARY: 1.2,
    Sector.FINANCIAL: 1.1,
    Sector.INDUSTRIALS: 1.0,
    Sector.MATERIALS: 0.9,
    Sector.UTILITIES: 0.7,
}


@dataclass(frozen=True, slots=True)
class VolatilityWeightConfig:
    """Configuration manager for sector volatility weights."""

    weights_source: WeightsSource = "static"
    static_weights: dict[Sector, float] = field(default_factory=lambda: dict(STATIC_VOLATILITY_WEIGHTS))
    hybrid_blend: float = 0.5
    dynamic_bounds: tuple[float, float] = (0.5, 2.0)
    lookback_sessions: int = 20
    min_stocks: int = 5
    # Fewer sessions than this with a sector and a benchmark return leave the static weight in place.
    min_sessions: int = 10

    def __post_init__(self) -> None:
        if self.weights_source not in WEIGHTS_SOURCES:
            raise ValueError(f"weights_source must be one of {', '.join(WEIGHTS_SOURCES)}")
        if not 0.0 <= self.hybrid_blend <= 1.0:
            raise ValueError("hybrid_blend must be within [0, 1]")
        low, high = self.dynamic_bounds
        if not 0.0 < low <= high:
            raise ValueError("dynamic_bounds must be 0 < low <= high")

    def get_weight_for_sector(
        self, sector: Sector | str, measured: Mapping[Sector, float] | None = None
    ) -> float:
        """Volatility weight for a sector; 1.0 for a name that is not one of ours.

        `measured` holds the dynamic weights that could be measured (already clipped); the static
        weight stands in for a sector missing there, and for every sector when the source is static.
        """
        try:
            known = Sector(sector)
        except ValueError:
            return 1.0
        static = self.static_weights.get(known, 1.0)
        if self.weights_source == "static" or measured is None or known not in measured:
            return static
        dynamic = measured[known]
        if self.weights_source == "dynamic":
            return dynamic
        return (1.0 - self.hybrid_blend) * static + self.hybrid_blend * dynamic


def get_weight_for_sector(sector: Sector | str) -> float:
    """The spec's module-level accessor for the static weights."""
    return VolatilityWeightConfig().get_weight_for_sector(sector)
