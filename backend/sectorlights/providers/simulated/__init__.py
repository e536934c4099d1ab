"""The built-in simulated market: a deterministic, seeded stand-in for a market-data vendor."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sectorlights.domain.sessions import session_of_today
from sectorlights.providers.simulated.market import Catalyst, CatalystKind, SessionPath, SimulatedMarket
from sectorlights.providers.simulated.provider import SimulatedProvider
from sectorlights.providers.simulated.scenarios import SCENARIO_NAMES

if TYPE_CHECKING:
    from sectorlights.providers.registry import ProviderContext
    from sectorlights.settings import ProviderSettings


def create_simulated_provider(settings: ProviderSettings, context: ProviderContext) -> SimulatedProvider:
    """The simulated provider of the settings; a scenario starts at the session of the clock's day (at
    02:00 ET on a Monday, that Monday: the Friday before stays as it was, so the history does not
    change under a process started in the night)."""
    return SimulatedProvider(
        seed=settings.sim_seed,
        listing_count=settings.sim_listing_count,
        scenario=settings.sim_scenario,
        scenario_session=session_of_today(context.clock.now()),
    )


__all__ = [
    "SCENARIO_NAMES",
    "Catalyst",
    "CatalystKind",
    "SessionPath",
    "SimulatedMarket",
    "SimulatedProvider",
    "create_simulated_provider",
]
