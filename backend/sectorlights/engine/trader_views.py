"""The trader's views built once: the scanner, the news behind moves, price bars for charts, and the
sectors' rotation graph."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sectorlights.core.clock import Clock
from sectorlights.core.executor import BoundedExecutor
from sectorlights.engine.charts import StockCharts
from sectorlights.engine.frame_builder import DailyBarsCache
from sectorlights.engine.heatmap import MemberHeatmap
from sectorlights.engine.lookups import LatestGrid
from sectorlights.engine.news_feed import NewsFeed, NewsViews
from sectorlights.engine.rotation import RotationViews
from sectorlights.engine.scanner import ScannerService
from sectorlights.engine.snapshot_holder import SnapshotHolder
from sectorlights.providers.base import MarketDataProvider
from sectorlights.settings import Settings
from sectorlights.storage.repository import Repository


@dataclass(frozen=True, slots=True)
class TraderViews:
    scanner: ScannerService
    news: NewsViews
    charts: StockCharts
    # The move watcher offers its snapshots here, so the scanner reuses them.
    snapshots: SnapshotHolder
    heatmap: MemberHeatmap
    rotation: RotationViews


def build_trader_views(
    settings: Settings,
    provider: MarketDataProvider,
    clock: Clock,
    repository: Repository,
    grids: LatestGrid,
    bars_cache: DailyBarsCache,
    vendor_calls: BoundedExecutor,
) -> TraderViews:
    snapshots = SnapshotHolder()
    feed = NewsFeed(provider, clock, vendor_calls)
    scanner = ScannerService(
        provider,
        clock,
        repository,
        grids,
        bars_cache,
        feed,
        snapshots,
        vendor_calls,
        max_snapshot_age_secs=settings.engine.move_poll_secs,
        relative_volume_floor_minutes=settings.analysis.relative_volume_floor_minutes,
    )
    news = NewsViews(feed, repository, grids, clock, timedelta(hours=settings.analysis.news_lookback_hours))
    charts = StockCharts(
        provider, clock, repository, grids, bars_cache, vendor_calls, settings.engine.history_sessions
    )
    return TraderViews(
        scanner, news, charts, snapshots, MemberHeatmap(repository, grids), RotationViews(repository, grids)
    )
