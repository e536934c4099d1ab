"""The scanner, news and chart services (engine/scanner.py, news_feed.py, charts.py,
snapshot_holder.py) over the simulated market with a vendor that can fail: live figures, one vendor
call for many readers, the last good figures marked stale, a 503 when nothing is held, the run's
figures when the provider has no live snapshot, and the news shared by the scanner and the news
routes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from sectorlights.analytics.catalysts import news_counts, ticker_sentiments
from sectorlights.core.clock import FrozenClock
from sectorlights.core.executor import BoundedExecutor
from sectorlights.domain.market import (
    DailyBars,
    IntradaySnapshot,
    MinuteBars,
    NewsInsight,
    NewsItem,
    Sentiment,
)
from sectorlights.domain.trader_views import ScannerSort
from sectorlights.domain.vocabulary import SECTORS, Sector
from sectorlights.engine.charts import StockCharts
from sectorlights.engine.frame_builder import DailyBarsCache
from sectorlights.engine.lookups import InvalidParameter, NoAnalysisYet, VendorUnavailable
from sectorlights.engine.move_watcher import MoveWatcher
from sectorlights.engine.news_feed import NewsFeed, NewsViews, articles_about, headline_counts
from sectorlights.engine.queries import NotFound
from sectorlights.engine.scanner import ScannerService
from sectorlights.engine.scanner_table import ScannerQuery
from sectorlights.engine.snapshot_holder import SnapshotHolder
from sectorlights.providers.base import NoIntradayDataError, ProviderCapabilities, ProviderError
from sectorlights.providers.simulated.provider import SimulatedProvider

NEW_YORK = ZoneInfo("America/New_York")
SESSION = date(2026, 11, 24)
AT_0405 = datetime(2026, 11, 24, 4, 5, tzinfo=NEW_YORK)


class Vendor:
    """The overnight_gaps market, counting calls, which can fail like an outage or lack snapshots."""

    name = "simulated"

    def __init__(self, snapshots: bool = True) -> None:
        self.inner = SimulatedProvider(listing_count=400, scenario="overnight_gaps", scenario_session=SESSION)
        self.capabilities = ProviderCapabilities(historical_snapshots=True, minute_bars=True, news=True)
        self.failing = False
        self.snapshots = snapshots
        self.calls: dict[str, int] = {}

    def _call(self, endpoint: str) -> None:
        self.calls[endpoint] = self.calls.get(endpoint, 0) + 1
        if self.failing:
            raise ProviderError(f"{endpoint}: HTTP 503 from vendor")

    def daily_bars(self, sessions: Sequence[date]) -> list[DailyBars]:
        self._call("daily_bars")
        return self.inner.daily_bars(sessions)

    def intraday_snapshot(self, at: datetime) -> IntradaySnapshot:
        self._call("snapshot")
        if not self.snapshots:
            raise NoIntradayDataError("no minute bars imported for that session")
        return self.inner.intraday_snapshot(at)

    def minute_bars(self, symbol: str, session: date) -> MinuteBars:
        self._call("minute_bars")
        return self.inner.minute_bars(symbol, session)

    def news(self, since: datetime, until: datetime, limit: int = 1000) -> list[NewsItem]:
        self._call("news")
        return self.inner.news(since, until, limit)


class Store:
    """The repository's reads the views use: the latest universe, members and exclusions."""

    def __init__(self, members: list[dict[str, Any]]) -> None:
        self.members = members

    def universe_members(
        self, sector: Sector | None = None, offset: int = 0, limit: int | None = None
    ) -> tuple[list[dict[str, Any]], int]:
        rows = [row for row in self.members if sector is None or row["sector"] == sector.value]
        return rows, len(rows)

    def member(self, symbol: str) -> dict[str, Any] | None:
        return next((row for row in self.members if row["symbol"] == symbol), None)

    def exclusion(self, symbol: str) -> str | None:
        return "price" if symbol == "EXCL" else None


class Grids:
    def __init__(self, grid: dict[str, Any] | None) -> None:
        self.grid = grid

    async def latest_grid(self) -> dict[str, Any] | None:
        return self.grid


class Ticks:
    """A monotonic clock moved by hand."""

    def __init__(self) -> None:
        self.secs = 0.0

    def __call__(self) -> float:
        return self.secs


def members_of(vendor: Vendor) -> list[dict[str, Any]]:
    """Every common stock of the simulated market as a universe row, sectors round-robin."""
    universe = vendor.inner.market.universe
    rows = []
    for row, symbol in enumerate(universe.symbols.tolist()):
        if universe.security_types[row] != "CS":
            continue
        rows.append(
            {
                "symbol": symbol,
                "name": universe.names[row],
                "exchange": str(universe.exchanges[row]),
                "sector": SECTORS[int(universe.sector_index[row]) % len(SECTORS)].value,
                "market_cap": 5e8,
                "avg_daily_volume": 2e6,
                "float_shares": None,
                "change_1d_pct": float(row % 7) - 3.0,
                "relative_volume": 1.0 + row % 3,
            }
        )
    return rows


GRID = {
    "run_id": "run-1",
    "as_of": AT_0405.isoformat(),
    "sectors": [
        {"sector": sector.value, "color": "light_green", "signal": "AVOID_SHORTS", "factors": None}
        for sector in SECTORS
    ],
}


@pytest.fixture
async def executor() -> AsyncIterator[BoundedExecutor]:
    pool = BoundedExecutor("test-vendor", 2)
    yield pool
    await pool.close(5)


def scanner_of(
    vendor: Vendor,
    executor: BoundedExecutor,
    grid: dict[str, Any] | None = GRID,
    holder: SnapshotHolder | None = None,
    ticks: Ticks | None = None,
    at: datetime = AT_0405,
) -> ScannerService:
    clock = FrozenClock(at)
    ticks = ticks or Ticks()
    return ScannerService(
        vendor,  # type: ignore[arg-type]
        clock,
        Store(members_of(vendor)),  # type: ignore[arg-type]
        Grids(grid),
        DailyBarsCache(),
        NewsFeed(vendor, clock, executor, monotonic=ticks),  # type: ignore[arg-type]
        holder or SnapshotHolder(),
        executor,
        max_snapshot_age_secs=15.0,
        relative_volume_floor_minutes=5.0,
        monotonic=ticks,
    )


async def test_the_scanner_lists_the_largest_gap_first_with_its_headline(executor: BoundedExecutor) -> None:
    vendor = Vendor()
    page = await scanner_of(vendor, executor).page(ScannerQuery(limit=500))
    assert page.source == "snapshot" and not page.stale and page.session == SESSION
    gaps = [abs(row.gap_pct) for row in page.rows if row.gap_pct is not None]
    assert gaps == sorted(gaps, reverse=True)
    top = page.rows[0]
    assert top.gap_pct is not None and abs(top.gap_pct) > 15
    assert top.headline is not None and top.news_count >= 1
    assert top.price is not None and top.previous_close is not None
    assert top.gap_pct == pytest.approx((top.price / top.previous_close - 1) * 100)
    # Before 09:30 every share traded is pre-market.
    assert top.premarket_volume == top.session_volume
    assert top.dollar_volume == pytest.approx(top.price * (top.session_volume or 0))
    assert top.sector_color == "light_green"


async def test_filters_and_sorts_reach_the_page(executor: BoundedExecutor) -> None:
    scanner = scanner_of(Vendor(), executor)
    page = await scanner.page(
        ScannerQuery(min_gap_pct=3.0, sector=Sector.TECHNOLOGY, sort=ScannerSort.GAP_DOWN, limit=3)
    )
    assert page.total >= len(page.rows)
    assert all(row.sector == Sector.TECHNOLOGY and abs(row.gap_pct or 0) >= 3.0 for row in page.rows)
    downs = [row.gap_pct for row in page.rows]
    assert downs == sorted(downs)  # type: ignore[type-var]


async def test_many_readers_cost_one_snapshot_until_the_cache_expires(executor: BoundedExecutor) -> None:
    vendor, ticks = Vendor(), Ticks()
    scanner = scanner_of(vendor, executor, ticks=ticks, at=datetime(2026, 11, 24, 10, 0, tzinfo=NEW_YORK))
    for _ in range(5):
        await scanner.page(ScannerQuery())
    assert vendor.calls["snapshot"] == 1 and vendor.calls["news"] == 1
    ticks.secs += scanner.cache_secs
    # The frozen clock has not moved: the held snapshot is no older than the poll interval.
    await scanner.page(ScannerQuery())
    assert vendor.calls["snapshot"] == 1


async def test_the_move_watchers_snapshot_is_reused(executor: BoundedExecutor) -> None:
    vendor, holder = Vendor(), SnapshotHolder()
    holder.offer(vendor.inner.intraday_snapshot(AT_0405 - timedelta(seconds=10)))
    page = await scanner_of(vendor, executor, holder=holder).page(ScannerQuery())
    assert "snapshot" not in vendor.calls
    assert page.as_of == AT_0405 - timedelta(seconds=10)


async def test_a_snapshot_older_than_the_poll_interval_is_not_reused(executor: BoundedExecutor) -> None:
    vendor, holder = Vendor(), SnapshotHolder()
    holder.offer(vendor.inner.intraday_snapshot(AT_0405 - timedelta(seconds=16)))
    page = await scanner_of(vendor, executor, holder=holder).page(ScannerQuery())
    assert vendor.calls["snapshot"] == 1 and page.as_of == AT_0405


async def test_a_vendor_failure_keeps_the_last_good_page_marked_stale(executor: BoundedExecutor) -> None:
    vendor, ticks = Vendor(), Ticks()
    # A moving clock: each build needs a new snapshot.
    scanner = scanner_of(vendor, executor, ticks=ticks)
    good = await scanner.page(ScannerQuery())
    vendor.failing = True
    scanner._clock = FrozenClock(AT_0405 + timedelta(minutes=1))  # type: ignore[assignment]
    ticks.secs += scanner.cache_secs
    stale = await scanner.page(ScannerQuery())
    assert stale.stale and "HTTP 503" in (stale.stale_reason or "")
    assert stale.as_of == good.as_of and stale.rows == good.rows
    vendor.failing = False
    ticks.secs += scanner.cache_secs
    recovered = await scanner.page(ScannerQuery())
    assert not recovered.stale and recovered.stale_reason is None
    assert recovered.as_of == AT_0405 + timedelta(minutes=1)


async def test_a_vendor_failure_with_nothing_held_is_unavailable(executor: BoundedExecutor) -> None:
    vendor = Vendor()
    vendor.failing = True
    with pytest.raises(VendorUnavailable, match="market snapshot: snapshot: HTTP 503"):
        await scanner_of(vendor, executor).page(ScannerQuery())


async def test_news_failing_alone_leaves_the_figures(executor: BoundedExecutor) -> None:
    vendor = Vendor()
    scanner = scanner_of(vendor, executor)
    original = vendor.news

    def failing_news(*args: Any) -> list[NewsItem]:
        raise ProviderError("news: HTTP 500 from vendor")

    vendor.news = failing_news  # type: ignore[method-assign]
    page = await scanner.page(ScannerQuery())
    vendor.news = original  # type: ignore[method-assign]
    assert not page.stale and page.rows[0].gap_pct is not None
    assert "HTTP 500" in (page.news_error or "")
    assert all(row.headline is None and row.news_count == 0 for row in page.rows)


async def test_without_live_snapshots_the_runs_figures_are_served(executor: BoundedExecutor) -> None:
    vendor = Vendor(snapshots=False)
    page = await scanner_of(vendor, executor).page(ScannerQuery(limit=500))
    assert page.source == "run" and page.as_of == AT_0405
    assert all(row.price is None and row.dollar_volume is None for row in page.rows)
    assert abs(page.rows[0].gap_pct or 0) == 3.0  # the largest stored 1-day change


async def test_no_analysis_yet(executor: BoundedExecutor) -> None:
    with pytest.raises(NoAnalysisYet):
        await scanner_of(Vendor(), executor, grid=None).page(ScannerQuery())


# ----- the snapshot holder -------------------------------------------------------------------------


def snapshot_at(hour: int, minute: int, volume: float, session: date = SESSION) -> IntradaySnapshot:
    return IntradaySnapshot(
        at=datetime.combine(session, datetime.min.time(), NEW_YORK).replace(hour=hour, minute=minute),
        session=session,
        symbols=np.array(["AAA"]),
        last_price=np.array([10.0]),
        session_volume=np.array([volume]),
    )


def test_the_holder_keeps_the_newest_and_the_last_premarket_snapshot() -> None:
    holder = SnapshotHolder()
    assert holder.latest() is None and holder.premarket_volume(SESSION) is None
    holder.offer(snapshot_at(9, 29, 500.0))
    holder.offer(snapshot_at(9, 30, 600.0))  # 09:30:00 still counts as pre-market
    holder.offer(snapshot_at(9, 45, 9000.0))
    holder.offer(snapshot_at(9, 0, 100.0))  # late and older: neither latest nor pre-market
    latest = holder.latest()
    assert latest is not None and latest.at.minute == 45
    premarket = holder.premarket_volume(SESSION)
    assert premarket is not None and premarket[1].tolist() == [600.0]
    assert holder.premarket_volume(date(2026, 11, 25)) is None


# ----- news ----------------------------------------------------------------------------------------


def article(
    news_id: str, minutes: int, tickers: tuple[str, ...], title: str, *insights: NewsInsight
) -> NewsItem:
    return NewsItem(
        news_id=news_id,
        published_at=datetime(2026, 11, 24, 9, 0, tzinfo=UTC) + timedelta(minutes=minutes),
        title=title,
        publisher="Wire",
        tickers=tickers,
        insights=insights,
    )


ITEMS = [
    article("1", 0, ("AAA",), "AAA Wins FDA Approval", NewsInsight("AAA", Sentiment.POSITIVE, "approved")),
    article("2", 5, ("AAA", "BBB"), "AAA and BBB Announce Public Offering"),
    article("2", 5, ("AAA", "BBB"), "AAA and BBB Announce Public Offering"),  # a repeat
    article(
        "3",
        9,
        ("CCC",),
        "CCC Appoints New Chief Financial Officer",
        NewsInsight("BBB", Sentiment.NEUTRAL, "-"),
    ),
]


def test_headline_counts_name_the_newest_article_and_count_each_once() -> None:
    counts = headline_counts(ITEMS, {"AAA", "BBB", "CCC"})
    assert counts.counts == {"AAA": 2, "BBB": 2, "CCC": 1}
    assert counts.newest["AAA"][0] == "AAA and BBB Announce Public Offering"
    assert counts.newest["BBB"][1] == ITEMS[3].published_at  # named by the insight


def test_articles_about_are_newest_first_per_ticker() -> None:
    pairs = articles_about(ITEMS, ["AAA", "BBB"], limit=10)
    assert [(item.news_id, ticker) for item, ticker in pairs] == [
        ("3", "BBB"),
        ("2", "AAA"),
        ("2", "BBB"),
        ("1", "AAA"),
    ]
    assert len(articles_about(ITEMS, ["AAA", "BBB"], limit=2)) == 2


def test_each_articles_sentiment_is_the_one_the_catalyst_factor_counts() -> None:
    readings = ticker_sentiments([(ITEMS[0], "AAA"), (ITEMS[1], "AAA"), (ITEMS[3], "BBB")])
    assert readings.signs.tolist() == [1, -1, 0]  # the insight; the lexicon ("offering"); the insight
    assert readings.from_vendor.tolist() == [True, False, True]
    unique = [ITEMS[0], ITEMS[1], ITEMS[3]]
    symbols = np.array(["AAA", "BBB", "CCC"])
    counted = news_counts(unique, symbols)
    for row, symbol in enumerate(symbols.tolist()):
        pairs = articles_about(unique, [symbol], limit=10)
        signs = ticker_sentiments(pairs).signs
        assert counted.positive[row] == (signs > 0).sum() and counted.negative[row] == (signs < 0).sum()


async def test_the_news_feed_is_fetched_once_per_refresh(executor: BoundedExecutor) -> None:
    vendor, ticks = Vendor(), Ticks()
    feed = NewsFeed(vendor, FrozenClock(AT_0405), executor, monotonic=ticks)  # type: ignore[arg-type]
    for _ in range(3):
        await feed.between(AT_0405 - timedelta(days=1), AT_0405)
    assert vendor.calls["news"] == 1
    # Further back than the held window: fetched on its own.
    await feed.between(AT_0405 - timedelta(days=5), AT_0405)
    assert vendor.calls["news"] == 2
    ticks.secs += feed.refresh_secs
    await feed.between(AT_0405 - timedelta(days=1), AT_0405)
    assert vendor.calls["news"] == 3


async def test_stock_news_is_newest_first_and_refuses_unknown_symbols(executor: BoundedExecutor) -> None:
    vendor = Vendor()
    clock = FrozenClock(AT_0405)
    store = Store(members_of(vendor))
    views = NewsViews(NewsFeed(vendor, clock, executor), store, Grids(GRID), clock, timedelta(hours=24))  # type: ignore[arg-type]
    page = await scanner_of(vendor, executor).page(ScannerQuery())
    top = page.rows[0].symbol
    news = await views.stock(top, 20)
    assert news.items and news.items[0].title == page.rows[0].headline
    assert all(top in item.tickers for item in news.items)
    assert [item.published_at for item in news.items] == sorted(
        (item.published_at for item in news.items), reverse=True
    )
    assert news.until == AT_0405 and news.since == AT_0405 - timedelta(days=3)
    with pytest.raises(NotFound, match="ZZZZ is not listed"):
        await views.stock("ZZZZ", 20)
    assert (await views.stock("EXCL", 20)).symbol == "EXCL"  # listed, left out of the universe
    vendor.failing = True
    views.feed.refresh_secs = 0
    with pytest.raises(VendorUnavailable, match="news: news: HTTP 503"):
        await views.stock(top, 20)


# ----- charts --------------------------------------------------------------------------------------


def charts_of(vendor: Vendor, executor: BoundedExecutor, at: datetime = AT_0405) -> StockCharts:
    return StockCharts(
        vendor,  # type: ignore[arg-type]
        FrozenClock(at),
        Store(members_of(vendor)),  # type: ignore[arg-type]
        Grids(GRID),
        DailyBarsCache(),
        executor,
        history_sessions=25,
    )


async def test_minute_bars_stop_at_now_and_day_bars_precede_the_session(executor: BoundedExecutor) -> None:
    vendor = Vendor()
    symbol = members_of(vendor)[0]["symbol"]
    charts = charts_of(vendor, executor)
    minutes = await charts.bars(symbol, "minute", None)
    assert minutes.session == SESSION and minutes.count == len(minutes.bars) > 0
    times = [bar.time for bar in minutes.bars]
    assert times == sorted(times) and times[-1] < AT_0405.timestamp()
    assert times[0] >= datetime(2026, 11, 24, 4, 0, tzinfo=NEW_YORK).timestamp()
    days = await charts.bars(symbol, "day", None)
    assert days.session is None and 0 < days.count <= 25
    day_times = [bar.time for bar in days.bars]
    assert day_times == sorted(day_times)
    assert day_times[-1] == int(datetime(2026, 11, 23, tzinfo=UTC).timestamp())
    past = await charts.bars(symbol, "minute", date(2026, 11, 20))
    assert (
        past.session == date(2026, 11, 20)
        and past.bars[-1].time < datetime(2026, 11, 21, 1, 0, tzinfo=UTC).timestamp()
    )


@pytest.mark.parametrize(
    ("session", "message"),
    [(date(2026, 11, 22), "is not a NYSE trading session"), (date(2026, 11, 25), "has not begun yet")],
)
async def test_a_session_that_cannot_be_charted_is_refused(
    executor: BoundedExecutor, session: date, message: str
) -> None:
    vendor = Vendor()
    with pytest.raises(InvalidParameter, match=message):
        await charts_of(vendor, executor).bars(members_of(vendor)[0]["symbol"], "minute", session)


async def test_chart_errors(executor: BoundedExecutor) -> None:
    vendor = Vendor()
    charts = charts_of(vendor, executor)
    with pytest.raises(NotFound):
        await charts.bars("ZZZZ", "minute", None)
    vendor.failing = True
    with pytest.raises(VendorUnavailable, match=r"minute bars for .* HTTP 503"):
        await charts.bars(members_of(vendor)[0]["symbol"], "minute", None)
    with pytest.raises(VendorUnavailable, match="daily bars: daily_bars: HTTP 503"):
        await charts.bars(members_of(vendor)[0]["symbol"], "day", None)


async def test_the_move_watcher_offers_each_snapshot_it_polls(executor: BoundedExecutor) -> None:
    vendor, holder = Vendor(), SnapshotHolder()

    async def on_moves(moves: list[Any]) -> None:
        return None

    watcher = MoveWatcher(
        vendor.inner,
        FrozenClock(AT_0405),
        lambda: {row["symbol"]: row["sector"] for row in members_of(vendor)},
        on_moves,
        vendor_calls=executor,
        on_snapshot=holder.offer,
    )
    await watcher.poll_once(AT_0405)
    latest = holder.latest()
    assert latest is not None and latest.at == AT_0405
    # The scanner then reads the market without asking the vendor for a snapshot.
    await scanner_of(vendor, executor, holder=holder).page(ScannerQuery())
    assert "snapshot" not in vendor.calls
