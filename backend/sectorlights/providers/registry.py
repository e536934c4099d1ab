"""Providers registered by name; `SECTORLIGHTS_PROVIDER` picks one and `build_provider` builds it."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine

from sectorlights.core.clock import Clock
from sectorlights.providers.base import MarketDataProvider, MemoryReferenceStore, ReferenceStore
from sectorlights.providers.resilience import BudgetFactory, CallObserver, local_budget
from sectorlights.settings import ConfigurationError, ProviderSettings
from sectorlights.storage.reference_store import SqlReferenceStore


@dataclass(frozen=True, slots=True)
class ProviderContext:
    """What a provider may need besides its settings."""

    clock: Clock
    reference_store: ReferenceStore = field(default_factory=MemoryReferenceStore)
    database: Engine | None = None  # the flatfiles provider reads imported bars from here
    # Where vendor clients get their request budget (shared across replicas when Redis is configured).
    budgets: BudgetFactory = local_budget
    # Told of every vendor request and circuit (the container connects the metrics).
    observer: CallObserver | None = None


ProviderFactory = Callable[[ProviderSettings, ProviderContext], MarketDataProvider]

_FACTORIES: dict[str, ProviderFactory] = {}


def register_provider(name: str, factory: ProviderFactory) -> None:
    _FACTORIES[name] = factory


def available_providers() -> list[str]:
    _register_builtin()
    return sorted(_FACTORIES)


def _lazy(module: str, function: str) -> ProviderFactory:
    """A factory that imports its provider only when chosen (vendor clients are heavy imports)."""

    def factory(settings: ProviderSettings, context: ProviderContext) -> MarketDataProvider:
        created: MarketDataProvider = getattr(importlib.import_module(module), function)(settings, context)
        return created

    return factory


_BUILTIN: dict[str, tuple[str, str]] = {
    "simulated": ("sectorlights.providers.simulated", "create_simulated_provider"),
    "polygon": ("sectorlights.providers.polygon.factory", "create_polygon_provider"),
    "polygon_mcp": ("sectorlights.providers.polygon.mcp", "create_polygon_mcp_provider"),
    "flatfiles": ("sectorlights.providers.flatfiles", "create_flatfiles_provider"),
}


def _register_builtin() -> None:
    for name, (module, function) in _BUILTIN.items():
        if name not in _FACTORIES:
            register_provider(name, _lazy(module, function))


def resolve_provider_name(settings: ProviderSettings) -> str:
    """The configured provider, else polygon when an API key is set, else simulated."""
    if settings.name is not None:
        return settings.name
    return "polygon" if settings.polygon_api_key is not None else "simulated"


def build_provider(
    settings: ProviderSettings,
    clock: Clock,
    database: Engine | None = None,
    budgets: BudgetFactory = local_budget,
    observer: CallObserver | None = None,
) -> MarketDataProvider:
    """The configured provider on `clock`; with a database, reference data is kept in it between runs
    (and the flatfiles provider reads its imported bars from it), else in memory; vendor requests are
    reported to `observer`. ConfigurationError
    names SECTORLIGHTS_PROVIDER when the provider is unknown."""
    _register_builtin()
    name = resolve_provider_name(settings)
    factory = _FACTORIES.get(name)
    if factory is None:
        raise ConfigurationError(
            f"configuration error: SECTORLIGHTS_PROVIDER: provider {name!r} is not available "
            f"(available: {', '.join(available_providers())})"
        )
    store: ReferenceStore = MemoryReferenceStore() if database is None else SqlReferenceStore(database)
    context = ProviderContext(
        clock=clock, reference_store=store, database=database, budgets=budgets, observer=observer
    )
    return factory(settings, context)
