"""The built-in simulated market: a deterministic, seeded stand-in for a market-data vendor."""

from sectorlights.providers.simulated.market import Catalyst, CatalystKind, SessionPath, SimulatedMarket
from sectorlights.providers.simulated.provider import SimulatedProvider

__all__ = ["Catalyst", "CatalystKind", "SessionPath", "SimulatedMarket", "SimulatedProvider"]
