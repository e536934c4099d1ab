"""Providers registered by name; `SECTORLIGHTS_PROVIDER` picks one."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine

from sectorlights.engine.clock import Clock, SystemClock
from sectorlights.providers.base import MarketDataProvider, MemoryReferenceStore, ReferenceStore
from sectorlights.settings import ConfigurationError, ProviderSettings

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ProviderContext:
    """What a provider may need besides its settings."""

    clock: Clock
    reference_store: ReferenceStore = field(default_factory=MemoryReferenceStore)
    database: Engine | None = None  # the flatfiles provider reads imported bars from here


ProviderFactory = Callable[[ProviderSettings, ProviderContext], MarketDataProvider]

_FACTORIES: dict[str, ProviderFactory] = {}


def register_provider(name: str, factory: ProviderFactory) -> None:
    _FACTORIES[name] = factory


def available_providers() -> list[str]:
    _register_builtin()
    return sorted(_FACTORIES)


def _register_builtin() -> None:
    if "simulated" not in _FACTORIES:

        def simulated(settings: ProviderSettings, context: ProviderContext) -> MarketDataProvider:
            from sectorlights.providers.simulated import SimulatedProvider

            return SimulatedProvider(seed=settings.sim_seed, listing_count=settings.sim_listing_count)

        register_provider("simulated", simulated)


def resolve_provider_name(settings: ProviderSettings) -> str:
    """The configured provider, else polygon when a key is set and polygon is available, else simulated."""
    _register_builtin()
    if settings.name is not None:
        return settings.name
    if settings.polygon_api_key is not None:
        if "polygon" in _FACTORIES:
            return "polygon"
        logger.warning(
            "POLYGON_API_KEY is set but the polygon provider is not available; serving simulated data"
        )
    return "simulated"


def create_provider(settings: ProviderSettings, context: ProviderContext | None = None) -> MarketDataProvider:
    """Build the configured provider; ConfigurationError names SECTORLIGHTS_PROVIDER when it is unknown."""
    name = resolve_provider_name(settings)
    factory = _FACTORIES.get(name)
    if factory is None:
        raise ConfigurationError(
            f"configuration error: SECTORLIGHTS_PROVIDER: provider {name!r} is not available "
            f"(available: {', '.join(available_providers())})"
        )
    return factory(settings, context if context is not None else ProviderContext(clock=SystemClock()))
