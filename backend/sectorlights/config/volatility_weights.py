"""Sector volatility multipliers (the spec's static weights)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sectorlights.domain.vocabulary import Sector

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

    weights_source: str = "static"
    static_weights: dict[Sector, float] = field(default_factory=lambda: dict(STATIC_VOLATILITY_WEIGHTS))

    def get_weight_for_sector(self, sector: Sector | str) -> float:
        """Volatility weight for a sector; 1.0 for a name that is not one of ours."""
        try:
            return self.static_weights[Sector(sector)]
        except ValueError:
            return 1.0


def get_weight_for_sector(sector: Sector | str) -> float:
    """The spec's module-level accessor for the static weights."""
    return VolatilityWeightConfig().get_weight_for_sector(sector)
