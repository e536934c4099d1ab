"""Build the Polygon/Massive REST provider from settings (registered as "polygon" in the registry)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sectorlights.providers.polygon.market_data import PolygonMarketData, snapshot_tolerance
from sectorlights.providers.polygon.rest import PolygonRestSource
from sectorlights.providers.resilience import RetryPolicy
from sectorlights.settings import ConfigurationError, ProviderSettings

if TYPE_CHECKING:
    from sectorlights.providers.registry import ProviderContext

# Reference data is fetched a few tickers at a time; the rate limiter still bounds the total rate.
DETAIL_WORKERS = 4
# The one Polygon/Massive account: its REST and MCP clients draw on the same request budget.
BUDGET_NAME = "polygon"


def create_polygon_provider(settings: ProviderSettings, context: ProviderContext) -> PolygonMarketData:
    """The REST provider; ConfigurationError naming POLYGON_API_KEY when no key is set."""
    key = settings.polygon_api_key.get_secret_value().strip() if settings.polygon_api_key else ""
    if not key:
        raise ConfigurationError(
            "configuration error: POLYGON_API_KEY: the polygon provider needs an API key"
        )
    source = PolygonRestSource(
        api_key=key,
        base_url=settings.polygon_base_url,
        timeout_secs=settings.polygon_timeout_secs,
        calls=RetryPolicy.from_settings(settings).guarded_calls(
            budget=context.budgets(BUDGET_NAME, settings.polygon_requests_per_minute),
            vendor="polygon",
            observer=context.observer,
        ),
    )
    return PolygonMarketData(
        source,
        name="polygon",
        reference_store=context.reference_store,
        clock=context.clock,
        reference_refresh_days=settings.reference_refresh_days,
        detail_workers=DETAIL_WORKERS,
        snapshot_tolerance=snapshot_tolerance(settings.sim_speed),
    )
