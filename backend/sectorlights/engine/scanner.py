"""The gap and mover scanner: every stock of the latest universe by its move since the previous
regular close, with its volumes, sector colour and newest headline.

Figures come from a whole-market snapshot no older than the move watcher's poll interval (market
time): the newest one this process took (the move watcher offers each of its snapshots to the
`SnapshotHolder`), else one taken now on the vendor threads. Previous closes come from the engine's
`DailyBarsCache` (the bars the analysis fetched: no extra call). The whole table is built at most
once per `cache_secs` (real seconds) however many browsers ask, and filtered per request by
`analytics.scanner`. A vendor failure keeps the last good table, marked stale with the reason; with
none held it is a 503 naming the cause. A provider without live snapshots (imported flat files
before the close) gives the latest run's stored figures instead, marked `source="run"`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np

from sectorlights.analytics.performance import relative_volume
from sectorlights.analytics.scanner import ScannerColumns, dollar_volume, gap_pct, scan
from sectorlights.core.clock import Clock
from sectorlights.core.executor import BoundedExecutor
from sectorlights.domain.frame import FloatArray, StrArray
from sectorlights.domain.market import IntradaySnapshot, validate_snapshot
from sectorlights.domain.sessions import (
    clamp_to_session,
    current_session,
    expected_volume_fraction,
    previous_sessions,
    session_bounds,
)
from sectorlights.domain.trader_views import ScannerPage, ScannerSource
from sectorlights.domain.vocabulary import SECTORS, Sector
from sectorlights.domain.volume_profile import volume_fraction_after_minutes
from sectorlights.engine.frame_builder import DailyBarsCache, aligned
from sectorlights.engine.lookups import LatestGrid, VendorUnavailable, require_grid
from sectorlights.engine.news_feed import NewsFeed, headline_counts
from sectorlights.engine.scanner_table import ScannerQuery, ScannerTable, number_or_nan, scanner_row
from sectorlights.engine.snapshot_holder import SnapshotHolder
from sectorlights.providers.base import MarketDataProvider, NoIntradayDataError, ProviderUnsupportedError
from sectorlights.storage.repository import Repository

logger = logging.getLogger(__name__)

SCANNER_CACHE_SECS = 3.0
HEADLINE_LOOKBACK = timedelta(hours=24)


class ScannerService:
    def __init__(
        self,
        provider: MarketDataProvider,
        clock: Clock,
        repository: Repository,
        grids: LatestGrid,
        bars_cache: DailyBarsCache,
        news: NewsFeed,
        snapshots: SnapshotHolder,
        vendor_calls: BoundedExecutor,
        *,
        max_snapshot_age_secs: float,
        relative_volume_floor_minutes: float,
        cache_secs: float = SCANNER_CACHE_SECS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """`max_snapshot_age_secs`: the move watcher's poll interval; a held snapshot older than
        that (market time) is not reused."""
        self._provider = provider
        self._clock = clock
        self._repository = repository
        self._grids = grids
        self._bars_cache = bars_cache
        self._news = news
        self._snapshots = snapshots
        self._vendor_calls = vendor_calls
        self.max_snapshot_age_secs = max_snapshot_age_secs
        self._volume_floor = volume_fraction_after_minutes(relative_volume_floor_minutes)
        self.cache_secs = cache_secs
        self._monotonic = monotonic
        self._lock = asyncio.Lock()
        self._table: ScannerTable | None = None
        self._built_at_secs = -float("inf")
        self._members: tuple[str, list[dict[str, Any]]] | None = None  # (run_id, rows)

    async def page(self, query: ScannerQuery) -> ScannerPage:
        table = await self._current()
        result = scan(
            table.columns,
            sort=query.sort,
            limit=query.limit,
            min_gap_pct=query.min_gap_pct,
            min_dollar_volume=query.min_dollar_volume,
            sector_index=None if query.sector is None else SECTORS.index(query.sector),
        )
        return ScannerPage(
            as_of=table.as_of.astimezone(UTC),
            session=table.session,
            source=table.source,
            stale=table.stale_reason is not None,
            stale_reason=table.stale_reason,
            run_id=table.run_id,
            news_since=table.news_since.astimezone(UTC),
            news_error=table.news_error,
            sort=query.sort,
            total=result.total,
            rows=[scanner_row(table, index) for index in result.rows.tolist()],
        )

    async def _current(self) -> ScannerTable:
        table = self._table
        if table is not None and self._monotonic() - self._built_at_secs < self.cache_secs:
            return table
        async with self._lock:
            table = self._table
            if table is not None and self._monotonic() - self._built_at_secs < self.cache_secs:
                return table
            grid = await require_grid(self._grids)
            members = await self._universe(grid["run_id"])
            try:
                table = await self._build(grid, members)
            except VendorUnavailable as error:
                if self._table is None:
                    raise
                logger.warning("scanner: %s; serving the figures of %s", error.detail, self._table.as_of)
                # A failing vendor is asked again after the cache interval, not on every request.
                table = replace(self._table, stale_reason=error.detail)
            self._table, self._built_at_secs = table, self._monotonic()
            return table

    async def _universe(self, run_id: str) -> list[dict[str, Any]]:
        if self._members is None or self._members[0] != run_id:
            rows, _total = await asyncio.to_thread(self._repository.universe_members)
            self._members = (run_id, rows)
        return self._members[1]

    async def _build(self, grid: dict[str, Any], members: list[dict[str, Any]]) -> ScannerTable:
        symbols = np.array([row["symbol"] for row in members], dtype=np.str_)
        snapshot = await self._snapshot() if self._provider.capabilities.intraday_snapshot else None
        if snapshot is None:
            return await self._from_run(grid, members, symbols)
        closes = await self._previous_closes(snapshot.session)
        price = aligned(symbols, snapshot.symbols, snapshot.last_price)
        volume = aligned(symbols, snapshot.symbols, snapshot.session_volume)
        previous_close = aligned(symbols, closes[0], closes[1])
        premarket = self._snapshots.premarket_volume(snapshot.session)
        premarket_volume = (
            np.full(symbols.shape, np.nan)
            if premarket is None
            else aligned(symbols, premarket[0], premarket[1])
        )
        average = np.array([float(row["avg_daily_volume"]) for row in members], dtype=np.float64)
        relative = relative_volume(
            volume, average, expected_volume_fraction(snapshot.at), volume_fraction_floor=self._volume_floor
        )
        gaps = gap_pct(price, previous_close)
        return await self._table_of(
            grid, members, snapshot.at, snapshot.session, "snapshot",
            (price, previous_close, volume, premarket_volume, gaps, relative),
        )  # fmt: skip

    async def _from_run(
        self, grid: dict[str, Any], members: list[dict[str, Any]], symbols: StrArray
    ) -> ScannerTable:
        """The latest run's stored figures: its 1-day change (since the previous close) and relative
        volume; prices and volumes are not stored with a run."""
        unknown = np.full(symbols.shape, np.nan)
        gaps = np.array([number_or_nan(row.get("change_1d_pct")) for row in members], dtype=np.float64)
        relative = np.array([number_or_nan(row.get("relative_volume")) for row in members], dtype=np.float64)
        as_of = datetime.fromisoformat(grid["as_of"])
        return await self._table_of(
            grid, members, as_of, current_session(as_of), "run",
            (unknown, unknown, unknown, unknown, gaps, relative),
        )  # fmt: skip

    async def _table_of(
        self,
        grid: dict[str, Any],
        members: list[dict[str, Any]],
        as_of: datetime,
        session: date,
        source: ScannerSource,
        figures: tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray],
    ) -> ScannerTable:
        price, previous_close, volume, premarket_volume, gaps, relative = figures
        earlier = previous_sessions(session, 1)
        close_at = session_bounds(earlier[0]).regular_close if earlier else as_of - HEADLINE_LOOKBACK
        news_since = min(close_at, as_of - HEADLINE_LOOKBACK)
        news_error = None
        try:
            items = await self._news.between(news_since, as_of + timedelta(seconds=1))
        except VendorUnavailable as error:
            # Headlines only explain a move: the figures are served without them, saying why.
            items, news_error = [], error.detail
        counts = headline_counts(items, {row["symbol"] for row in members})
        sector_index = np.array([SECTORS.index(Sector(row["sector"])) for row in members], dtype=np.int64)
        return ScannerTable(
            as_of=as_of,
            session=session,
            source=source,
            run_id=grid["run_id"],
            news_since=news_since,
            members=members,
            colors={card["sector"]: (card["color"], card["signal"]) for card in grid["sectors"]},
            price=price,
            previous_close=previous_close,
            session_volume=volume,
            premarket_volume=premarket_volume,
            columns=ScannerColumns(
                gap_pct=gaps,
                dollar_volume=dollar_volume(price, volume),
                relative_volume=relative,
                volume=volume,
                sector_index=sector_index,
            ),
            headlines=counts.newest,
            news_counts=counts.counts,
            news_error=news_error,
        )

    async def _snapshot(self) -> IntradaySnapshot | None:
        """A whole-market snapshot of the current session no older than the poll interval; None when
        the provider has no live snapshot (the run's figures are used then)."""
        now = self._clock.now()
        held = self._snapshots.latest()
        if (
            held is not None
            and held.session == current_session(now)
            and 0 <= (clamp_to_session(now) - held.at).total_seconds() <= self.max_snapshot_age_secs
        ):
            return held
        try:
            snapshot = await self._vendor_calls.run(self._provider.intraday_snapshot, clamp_to_session(now))
            validate_snapshot(snapshot)
        except (NoIntradayDataError, ProviderUnsupportedError):
            return None
        except Exception as error:  # any vendor failure: the last good table, or a 503 naming it
            raise VendorUnavailable(f"market snapshot: {error}") from error
        self._snapshots.offer(snapshot)
        return snapshot

    async def _previous_closes(self, session: date) -> tuple[StrArray, FloatArray]:
        earlier = previous_sessions(session, 1)
        if not earlier:
            raise VendorUnavailable(f"previous closes: no session before {session.isoformat()}")
        try:
            bar_sets = await self._vendor_calls.run(self._bars_cache.fetch, self._provider, earlier)
        except Exception as error:  # any vendor failure: the last good table, or a 503 naming it
            raise VendorUnavailable(f"previous closes ({earlier[0].isoformat()}): {error}") from error
        if not bar_sets:
            raise VendorUnavailable(f"previous closes: no daily bars for {earlier[0].isoformat()}")
        return bar_sets[0].symbols, np.asarray(bar_sets[0].close, dtype=np.float64)
