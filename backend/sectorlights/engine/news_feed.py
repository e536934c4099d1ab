"""The news behind a move: a stock's articles, a sector's catalyst headlines, and the scanner's
newest headline per stock, all read from one cached window of the market's news.

The provider's news endpoint answers the whole market over a time window (Polygon's
`/v2/reference/news` without a ticker), so one call of the last `window` (3 days) serves every
stock, sector and scanner row: it is fetched at most once per `refresh_secs` (real seconds) however
many browsers ask, on the vendor threads and within the vendor budget like every vendor call. A
window reaching further back than the held one is fetched on its own, uncached. The vendor's page
limit (`limit`, 1,000 articles) bounds the window: on a feed denser than that, a stock's older
articles fall off first.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sectorlights.analytics.catalysts import ticker_sentiments
from sectorlights.analytics.validation import PROXY_SECTOR_INDEX
from sectorlights.core.clock import Clock
from sectorlights.core.executor import BoundedExecutor
from sectorlights.domain.market import NewsItem, Sentiment
from sectorlights.domain.trader_views import (
    NewsArticle,
    SectorCatalyst,
    SectorNews,
    SectorNewsArticle,
    StockNews,
)
from sectorlights.domain.vocabulary import SECTORS, Sector
from sectorlights.engine.lookups import LatestGrid, VendorUnavailable, require_grid, require_listed
from sectorlights.providers.base import MarketDataProvider
from sectorlights.storage.repository import Repository

NEWS_WINDOW = timedelta(days=3)
NEWS_REFRESH_SECS = 60.0
NEWS_LIMIT = 1000
_SIGN_TO_SENTIMENT = {1: Sentiment.POSITIVE, 0: Sentiment.NEUTRAL, -1: Sentiment.NEGATIVE}


def named_tickers(item: NewsItem) -> list[str]:
    """Every ticker an article names, in its `tickers` and its insights, each once."""
    return list(dict.fromkeys((*item.tickers, *(insight.ticker for insight in item.insights))))


@dataclass(frozen=True, slots=True)
class HeadlineCounts:
    """Per symbol: articles naming it, and the newest of them (title, time)."""

    counts: dict[str, int]
    newest: dict[str, tuple[str, datetime]]


def headline_counts(items: Iterable[NewsItem], symbols: set[str]) -> HeadlineCounts:
    """Articles naming each of `symbols` (an article id counted once), and its newest headline."""
    counts: dict[str, int] = {}
    newest: dict[str, tuple[str, datetime]] = {}
    seen: set[str] = set()
    for item in items:
        if item.news_id in seen:
            continue
        seen.add(item.news_id)
        for ticker in named_tickers(item):
            if ticker not in symbols:
                continue
            counts[ticker] = counts.get(ticker, 0) + 1
            held = newest.get(ticker)
            if held is None or item.published_at > held[1]:
                newest[ticker] = (item.title, item.published_at)
    return HeadlineCounts(counts, newest)


def articles_about(
    items: Sequence[NewsItem], tickers: Sequence[str], limit: int
) -> list[tuple[NewsItem, str]]:
    """(article, ticker) for each of `tickers` an article names, newest first, at most `limit`."""
    wanted = set(tickers)
    pairs: list[tuple[NewsItem, str]] = []
    seen: set[str] = set()
    for item in sorted(items, key=lambda item: (item.published_at, item.news_id), reverse=True):
        if item.news_id in seen:
            continue
        seen.add(item.news_id)
        pairs.extend((item, ticker) for ticker in named_tickers(item) if ticker in wanted)
        if len(pairs) >= limit:
            break
    return pairs[:limit]


def article_fields(pairs: Sequence[tuple[NewsItem, str]]) -> list[dict[str, object]]:
    """The wire fields of each (article, ticker): its sentiment toward that ticker as the catalyst
    factor counts it (the vendor's insight, else the lexicon's reading of the title)."""
    readings = ticker_sentiments(pairs)
    fields = []
    for (item, ticker), sign, vendor in zip(
        pairs, readings.signs.tolist(), readings.from_vendor.tolist(), strict=True
    ):
        reasoning = next((insight.reasoning for insight in item.insights if insight.ticker == ticker), None)
        fields.append(
            {
                "id": item.news_id,
                "published_at": item.published_at,
                "title": item.title,
                "publisher": item.publisher,
                "url": item.url,
                "tickers": named_tickers(item),
                "sentiment": _SIGN_TO_SENTIMENT[sign],
                "sentiment_source": "vendor" if vendor else "headline",
                "reasoning": reasoning if vendor else None,
                "ticker": ticker,
            }
        )
    return fields


@dataclass(frozen=True, slots=True)
class _Held:
    fetched_at_secs: float  # monotonic
    since: datetime
    until: datetime
    items: list[NewsItem]


class NewsFeed:
    """The market's recent news, fetched once per `refresh_secs` for every reader."""

    def __init__(
        self,
        provider: MarketDataProvider,
        clock: Clock,
        vendor_calls: BoundedExecutor,
        *,
        window: timedelta = NEWS_WINDOW,
        refresh_secs: float = NEWS_REFRESH_SECS,
        limit: int = NEWS_LIMIT,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._provider = provider
        self._clock = clock
        self._vendor_calls = vendor_calls
        self.window = window
        self.refresh_secs = refresh_secs
        self.limit = limit
        self._monotonic = monotonic
        self._held: _Held | None = None
        self._lock = asyncio.Lock()

    async def between(self, since: datetime, until: datetime) -> list[NewsItem]:
        """Articles published in [since, until); VendorUnavailable when the vendor fails."""
        if not self._provider.capabilities.news:
            return []
        held = await self._recent()
        if since >= held.since:
            return [item for item in held.items if since <= item.published_at < until]
        return await self._fetch(since, until)

    async def _recent(self) -> _Held:
        held = self._held
        if held is not None and self._monotonic() - held.fetched_at_secs < self.refresh_secs:
            return held
        async with self._lock:
            held = self._held
            if held is not None and self._monotonic() - held.fetched_at_secs < self.refresh_secs:
                return held
            now = self._clock.now()
            items = await self._fetch(now - self.window, now)
            self._held = _Held(self._monotonic(), now - self.window, now, items)
            return self._held

    async def _fetch(self, since: datetime, until: datetime) -> list[NewsItem]:
        try:
            return await self._vendor_calls.run(self._provider.news, since, until, self.limit)
        except Exception as error:  # any vendor failure is one 503 naming it
            raise VendorUnavailable(f"news: {error}") from error


class NewsViews:
    """`GET /api/stocks/{symbol}/news` and `GET /api/sectors/{sector}/news`."""

    def __init__(
        self, feed: NewsFeed, repository: Repository, grids: LatestGrid, clock: Clock, lookback: timedelta
    ) -> None:
        """`lookback`: the catalyst factor's news window (SECTORLIGHTS_NEWS_LOOKBACK_HOURS)."""
        self.feed = feed
        self._repository = repository
        self._grids = grids
        self._clock = clock
        self._lookback = lookback

    async def stock(self, symbol: str, limit: int) -> StockNews:
        """The stock's articles of the feed's window (3 days), newest first."""
        await require_listed(self._repository, self._grids, symbol)
        until = self._clock.now().astimezone(UTC)
        since = until - self.feed.window
        pairs = articles_about(await self.feed.between(since, until), [symbol], limit)
        items = [NewsArticle.model_validate(fields) for fields in article_fields(pairs)]
        return StockNews(symbol=symbol, since=since, until=until, count=len(items), items=items)

    async def sector(self, sector: Sector, limit: int) -> SectorNews:
        """The articles behind the sector's catalyst factor in the latest run: those naming its
        members or its ETF proxies in the `lookback` before the run's market time, one item per
        (article, ticker) as the factor counts them, newest first."""
        grid = await require_grid(self._grids)
        card = next((card for card in grid["sectors"] if card["sector"] == sector.value), None)
        as_of = datetime.fromisoformat(grid["as_of"])
        members, _total = await asyncio.to_thread(self._repository.universe_members, sector)
        # Sector-wide stories are tagged with the sector's ETFs; the factor counts them as members.
        proxies = [symbol for symbol, index in PROXY_SECTOR_INDEX.items() if SECTORS[index] == sector]
        tickers = [row["symbol"] for row in members] + sorted(proxies)
        since = as_of - self._lookback
        pairs = articles_about(await self.feed.between(since, as_of), tickers, limit)
        factors = None if card is None else card.get("factors")
        catalyst = (
            None
            if factors is None
            else SectorCatalyst(
                catalyst_density=factors["catalyst_density"],
                news_articles=factors["news_articles"],
                news_net_sentiment=factors["news_net_sentiment"],
            )
        )
        items = [SectorNewsArticle.model_validate(fields) for fields in article_fields(pairs)]
        return SectorNews(
            sector=sector,
            run_id=grid["run_id"],
            as_of=as_of,
            since=since,
            until=as_of,
            catalyst=catalyst,
            count=len(items),
            items=items,
        )
