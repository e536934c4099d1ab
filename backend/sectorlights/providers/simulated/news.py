"""News of the simulated market: one article per catalyst, scenario headlines and routine news.

Catalyst articles carry the vendor-style `insights` (sentiment toward each ticker and a one-sentence
reasoning) that match the move: approvals and beats are positive, rejections, misses and offerings
negative. FDA decisions and offerings are published at 04:00 ET of the session they move; earnings
just after the previous session's close. Every article, its id and its time are a pure function of
(seed, session), like the prices.
"""

from __future__ import annotations

import functools
import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np

from sectorlights.config.sectors import BENCHMARK_SYMBOL, SECTOR_MAPPING
from sectorlights.domain.market import NewsInsight, NewsItem, Sentiment
from sectorlights.domain.sessions import (
    MINUTES_PER_SESSION,
    current_session,
    next_session,
    previous_sessions,
    session_bounds,
)
from sectorlights.domain.vocabulary import SECTORS, Sector
from sectorlights.providers.simulated.market import Catalyst, CatalystKind, SimulatedMarket, Stream

NEWS_DOMAIN = "https://news.sectorlights.example"
SESSION_CACHE_SIZE = 128
MAX_SESSIONS_SCANNED = 400
ROUTINE_ARTICLES_PER_SESSION = (6, 12)  # inclusive range


@dataclass(frozen=True, slots=True)
class Publisher:
    name: str
    homepage_url: str
    logo_url: str
    favicon_url: str


def _publisher(name: str, slug: str) -> Publisher:
    return Publisher(
        name=name,
        homepage_url=f"https://{slug}.sectorlights.example/",
        logo_url=f"{NEWS_DOMAIN}/assets/logos/{slug}.svg",
        favicon_url=f"{NEWS_DOMAIN}/assets/favicons/{slug}.ico",
    )


# Fictional outlets: the simulated news must never pass for a real publisher's.
PUBLISHERS: tuple[Publisher, ...] = (
    _publisher("Simulated Newswire", "newswire"),
    _publisher("SimMarkets Daily", "simmarkets"),
    _publisher("Small Cap Sim Report", "smallcapsim"),
    _publisher("SimBio Wire", "simbio"),
)
_WIRE, _DAILY, _SMALL_CAPS, _BIO = PUBLISHERS
AUTHORS: tuple[str, ...] = (
    "Dana Whitfield",
    "Marcus Ortega",
    "Priya Raman",
    "Tomás Lindqvist",
    "Evelyn Hart",
    "Samuel Okafor",
    "Staff Writer",
)
INDICATIONS: tuple[str, ...] = (
    "non-small cell lung cancer",
    "moderate-to-severe plaque psoriasis",
    "Duchenne muscular dystrophy",
    "type 2 diabetes",
    "chronic kidney disease",
    "major depressive disorder",
    "acute myeloid leukemia",
    "dry eye disease",
    "migraine prevention",
    "hereditary angioedema",
)
CONFERENCES: tuple[str, ...] = (
    "Annual Growth Stock",
    "Small-Cap Opportunities",
    "Global Technology and Healthcare",
    "Emerging Growth",
    "Winter Investor",
)


@dataclass(frozen=True, slots=True)
class Article:
    """One simulated article with everything the vendor's news endpoint returns."""

    article_id: str
    published_at: datetime  # UTC
    title: str
    author: str
    publisher: Publisher
    description: str
    keywords: tuple[str, ...]
    tickers: tuple[str, ...]
    insights: tuple[NewsInsight, ...]
    article_url: str
    amp_url: str
    image_url: str

    def to_news_item(self) -> NewsItem:
        return NewsItem(
            news_id=self.article_id,
            published_at=self.published_at,
            title=self.title,
            publisher=self.publisher.name,
            tickers=self.tickers,
            insights=self.insights,
            url=self.article_url,
        )


def _digest(*parts: object) -> bytes:
    return hashlib.sha256("|".join(str(part) for part in parts).encode()).digest()


def _pick(options: tuple[str, ...], digest: bytes, byte: int) -> str:
    return options[digest[byte] % len(options)]


def _quarter_label(session: date) -> str:
    """The quarter companies report in a given month (results arrive the quarter after)."""
    return ("Fourth-Quarter", "First-Quarter", "Second-Quarter", "Third-Quarter")[(session.month - 1) // 3]


def _slug(title: str, article_id: str) -> str:
    words = "".join(char.lower() if char.isalnum() else "-" for char in title).split("-")
    return "-".join(word for word in words if word)[:80] + "-" + article_id[:8]


class NewsDesk:
    """Writes the simulated market's news, session by session (cached)."""

    def __init__(self, market: SimulatedMarket) -> None:
        self._market = market
        universe = market.universe
        self._names = universe.names
        self._symbols: list[str] = universe.symbols.tolist()
        self._rows = {symbol: row for row, symbol in enumerate(self._symbols)}
        self._sector_index: list[int] = universe.sector_index.tolist()
        self._base_cap = (universe.shares_outstanding * universe.base_price).tolist()
        self._operating = np.flatnonzero(np.isin(universe.security_types, ["CS", "ADRC"]))
        self._session_articles = functools.lru_cache(maxsize=SESSION_CACHE_SIZE)(self._compute_session)

    def session_articles(self, session: date) -> tuple[Article, ...]:
        """The articles about `session`'s moves and news, oldest first (some precede its 04:00 start)."""
        return self._session_articles(session)

    def articles(
        self,
        since: datetime,
        until: datetime,
        limit: int,
        ticker: str | None = None,
        newest_first: bool = True,
    ) -> list[Article]:
        """Articles published in [since, until) (about `ticker` if given), up to `limit`."""
        if since.tzinfo is None or until.tzinfo is None:
            raise ValueError("a timezone-aware datetime is required")
        if limit <= 0 or until <= since:
            return []
        try:
            if newest_first:
                found = self._scan_backward(since, until, limit, ticker)
            else:
                found = self._scan_forward(since, until, limit, ticker)
        except (ValueError, IndexError):  # outside the exchange calendar
            return []
        found.sort(key=lambda article: (article.published_at, article.article_id), reverse=newest_first)
        return found[:limit]

    # ----- scanning -----------------------------------------------------------------------------

    def _matching(
        self, session: date, since: datetime, until: datetime, ticker: str | None
    ) -> Iterable[Article]:
        for article in self._session_articles(session):
            if since <= article.published_at < until and (ticker is None or ticker in article.tickers):
                yield article

    def _scan_backward(
        self, since: datetime, until: datetime, limit: int, ticker: str | None
    ) -> list[Article]:
        # The next session's earnings news is published at this session's close.
        session = next_session(current_session(until))
        found: list[Article] = []
        for _ in range(MAX_SESSIONS_SCANNED):
            found.extend(self._matching(session, since, until, ticker))
            earlier = previous_sessions(session, 1)
            if not earlier:
                break
            # Nothing about an earlier session is published after that session's 20:00.
            bound = session_bounds(earlier[0]).extended_close
            if bound < since or sum(1 for article in found if article.published_at > bound) >= limit:
                break
            session = earlier[0]
        return found

    def _scan_forward(
        self, since: datetime, until: datetime, limit: int, ticker: str | None
    ) -> list[Article]:
        session = current_session(since)
        found: list[Article] = []
        for _ in range(MAX_SESSIONS_SCANNED):
            found.extend(self._matching(session, since, until, ticker))
            # Nothing about a later session is published before this session's regular close.
            bound = session_bounds(session).regular_close
            if bound >= until or sum(1 for article in found if article.published_at < bound) >= limit:
                break
            session = next_session(session)
        return found

    # ----- writing ------------------------------------------------------------------------------

    def _compute_session(self, session: date) -> tuple[Article, ...]:
        articles = [self._catalyst_article(session, catalyst) for catalyst in self._market.catalysts(session)]
        shock = self._market.scenario
        if shock is not None and shock.headline is not None and self._market.scenario_active(session):
            articles.append(self._headline_article(session, shock.headline, shock.headline_sentiment))
        articles.extend(self._routine_articles(session))
        articles.sort(key=lambda article: (article.published_at, article.article_id))
        return tuple(articles)

    def _make(
        self,
        session: date,
        tag: str,
        published_at: datetime,
        title: str,
        description: str,
        keywords: tuple[str, ...],
        insights: tuple[NewsInsight, ...],
        publisher: Publisher,
    ) -> Article:
        article_id = hashlib.sha256(
            f"sectorlights-sim|{self._market.seed}|{session.isoformat()}|{tag}".encode()
        ).hexdigest()
        slug = _slug(title, article_id)
        url = f"{NEWS_DOMAIN}/{session:%Y/%m/%d}/{slug}"
        return Article(
            article_id=article_id,
            published_at=published_at.astimezone(UTC),
            title=title,
            author=_pick(AUTHORS, bytes.fromhex(article_id), 0),
            publisher=publisher,
            description=description,
            keywords=keywords,
            tickers=tuple(insight.ticker for insight in insights),
            insights=insights,
            article_url=url,
            amp_url=f"{url}?amp=1",
            image_url=f"{NEWS_DOMAIN}/images/{article_id[:16]}.jpg",
        )

    def _catalyst_article(self, session: date, catalyst: Catalyst) -> Article:
        symbol = catalyst.symbol
        row = self._rows[symbol]
        name = self._names[row]
        digest = _digest(self._market.seed, session, symbol, int(catalyst.kind))
        offset = timedelta(seconds=int.from_bytes(digest[:2], "big") % 120)
        move_pct = abs(math.expm1(catalyst.log_move)) * 100.0
        kind = catalyst.kind
        publisher = _WIRE
        if kind in (CatalystKind.EARNINGS_BEAT, CatalystKind.EARNINGS_MISS):
            earlier = previous_sessions(session, 1)
            close = (
                session_bounds(earlier[0]).regular_close if earlier else session_bounds(session).extended_open
            )
            published = (
                close + timedelta(minutes=5) + timedelta(seconds=int.from_bytes(digest[2:4], "big") % 1500)
            )
            quarter = _quarter_label(session)
            estimate = round(0.05 + (digest[4] % 60) / 100.0, 2)
            revenue = max(1.0, self._base_cap[row] / 1e6 * (0.04 + (digest[5] % 40) / 1000.0))
            if kind == CatalystKind.EARNINGS_BEAT:
                actual = round(estimate + 0.02 + (digest[6] % 20) / 100.0, 2)
                title = f"{name} Tops {quarter} Estimates and Raises Full-Year Outlook"
                description = (
                    f"{name} ({symbol}) reported earnings of ${actual:.2f} a share against ${estimate:.2f} "
                    f"expected on revenue of ${revenue:,.1f} million, and raised its full-year guidance."
                )
                sentiment = Sentiment.POSITIVE
                reasoning = (
                    f"{name} beat earnings and revenue estimates and raised its outlook, which points "
                    "to stronger demand than analysts expected."
                )
                keywords: tuple[str, ...] = ("earnings", "guidance", "beat")
            else:
                actual = round(estimate - 0.03 - (digest[6] % 20) / 100.0, 2)
                title = f"{name} Misses {quarter} Estimates, Lowers Guidance"
                description = (
                    f"{name} ({symbol}) reported earnings of ${actual:.2f} a share against ${estimate:.2f} "
                    f"expected on revenue of ${revenue:,.1f} million, and cut its full-year outlook."
                )
                sentiment = Sentiment.NEGATIVE
                reasoning = (
                    f"{name} missed estimates and lowered its guidance, a sign of weakening business "
                    "momentum that tends to weigh on the shares."
                )
                keywords = ("earnings", "guidance", "miss")
            publisher = _SMALL_CAPS
        else:
            published = session_bounds(session).extended_open + offset
            drug = f"{symbol[:2].upper()}-{100 + int.from_bytes(digest[2:4], 'big') % 900}"
            indication = _pick(INDICATIONS, digest, 4)
            if kind == CatalystKind.FDA_APPROVAL:
                title = f"{name} Wins FDA Approval for {drug} in {indication.capitalize()}"
                description = (
                    f"The U.S. Food and Drug Administration approved {drug}, {name}'s treatment for "
                    f"{indication}; the company plans a commercial launch within months."
                )
                sentiment = Sentiment.POSITIVE
                reasoning = (
                    f"The FDA approved {name}'s {drug}, removing the main regulatory risk and opening "
                    "a commercial market for the company."
                )
                keywords = ("FDA", "approval", "biotech", indication)
                publisher = _BIO
            elif kind == CatalystKind.FDA_REJECTION:
                title = f"{name} Receives Complete Response Letter From FDA for {drug}"
                description = (
                    f"The FDA declined to approve {drug} for {indication} and asked {name} for "
                    "additional clinical data before it resubmits."
                )
                sentiment = Sentiment.NEGATIVE
                reasoning = (
                    f"The FDA rejected {drug}, delaying any launch and raising doubts about how long "
                    f"{name}'s cash will last."
                )
                keywords = ("FDA", "complete response letter", "biotech", indication)
                publisher = _BIO
            else:
                amount = max(5.0, self._base_cap[row] / 1e6 * (0.05 + (digest[5] % 10) / 100.0))
                title = f"{name} Prices ${amount:,.0f} Million Public Offering of Common Stock"
                description = (
                    f"{name} ({symbol}) priced an underwritten public offering of common stock at a "
                    f"discount of about {move_pct:.0f}% to the last close; it plans to use the proceeds "
                    "for general corporate purposes."
                )
                sentiment = Sentiment.NEGATIVE
                reasoning = (
                    f"The discounted share sale dilutes existing holders of {symbol} and signals that "
                    "the company needs cash."
                )
                keywords = ("offering", "dilution", "capital raise")
        insight = NewsInsight(ticker=symbol, sentiment=sentiment, reasoning=reasoning)
        return self._make(
            session,
            f"catalyst|{symbol}|{int(kind)}",
            published,
            title,
            description,
            keywords,
            (insight,),
            publisher,
        )

    def _headline_article(
        self,
        session: date,
        headline: tuple[str, str],
        sentiments: tuple[tuple[Sector, str], ...],
    ) -> Article:
        title, description = headline
        insights = [
            NewsInsight(
                ticker=BENCHMARK_SYMBOL,
                sentiment=Sentiment.NEUTRAL,
                reasoning="The article describes sector moves; the small-cap index as a whole is mixed.",
            )
        ]
        for sector, sentiment in sentiments:
            info = SECTOR_MAPPING[sector]
            direction = "gains" if sentiment == Sentiment.POSITIVE else "losses"
            for etf in (info.etf_proxy, info.small_cap_etf_proxy):
                insights.append(
                    NewsInsight(
                        ticker=etf,
                        sentiment=Sentiment(sentiment),
                        reasoning=f"The article reports broad {direction} in {info.label.lower()} stocks, "
                        f"which {etf} tracks.",
                    )
                )
        return self._make(
            session,
            "headline",
            session_bounds(session).extended_open + timedelta(minutes=1),
            title,
            description,
            ("small caps", "sector rotation", "pre-market"),
            tuple(insights),
            _DAILY,
        )

    def _routine_articles(self, session: date) -> list[Article]:
        """Neutral corporate and roundup news at random times of the session."""
        rng = np.random.default_rng([self._market.seed, Stream.NEWS, session.toordinal()])
        low, high = ROUTINE_ARTICLES_PER_SESSION
        count = int(rng.integers(low, high + 1))
        rows = rng.choice(self._operating, size=(count, 3), replace=True).tolist()
        seconds = rng.integers(0, MINUTES_PER_SESSION * 60, count).tolist()
        templates = rng.integers(0, 5, count).tolist()
        start = session_bounds(session).extended_open
        articles = []
        for index, (picked, second, template) in enumerate(zip(rows, seconds, templates, strict=True)):
            published = start + timedelta(seconds=second)
            symbol = self._symbols[picked[0]]
            name = self._names[picked[0]]
            digest = _digest(self._market.seed, session, "routine", index)
            neutral = (
                f"The announcement is routine corporate news with no clear effect on {symbol}'s "
                "business outlook."
            )
            tickers = [symbol]
            if template == 0:
                conference = _pick(CONFERENCES, digest, 0)
                title = f"{name} to Present at the {conference} Investor Conference"
                description = (
                    f"{name} ({symbol}) said management will present at the {conference} conference "
                    "and hold one-on-one meetings with investors."
                )
                keywords: tuple[str, ...] = ("investor conference", "presentation")
            elif template == 1:
                title = f"{name} Appoints New Chief Financial Officer"
                description = (
                    f"{name} ({symbol}) named a new chief financial officer, effective next month, "
                    "succeeding an executive who is retiring."
                )
                keywords = ("management", "appointment")
            elif template == 2:
                quarter = _quarter_label(session + timedelta(days=45))
                title = f"{name} Schedules {quarter} Earnings Release and Conference Call"
                description = f"{name} ({symbol}) will report results after the close and host a call."
                keywords = ("earnings date", "conference call")
            elif template == 3:
                title = f"{name} Announces Date of Annual Meeting of Shareholders"
                description = f"{name} ({symbol}) set the record and meeting dates for its annual meeting."
                keywords = ("annual meeting", "shareholders")
            else:
                sector = SECTORS[self._sector_index[picked[0]]]
                peers = [
                    self._symbols[row]
                    for row in picked
                    if SECTORS[self._sector_index[row]] == sector and self._symbols[row] != symbol
                ]
                tickers = [symbol, *dict.fromkeys(peers)]
                label = SECTOR_MAPPING[sector].label
                title = f"{label} Small Caps to Watch This Week: {', '.join(tickers)}"
                description = (
                    f"A look at {label.lower()} names with upcoming events, including "
                    f"{', '.join(tickers)}; no rating changes are involved."
                )
                keywords = ("stocks to watch", label.lower())
                neutral = (
                    "The article lists the stock among sector names to watch without taking a view "
                    "on its direction."
                )
            insights = tuple(
                NewsInsight(ticker=ticker, sentiment=Sentiment.NEUTRAL, reasoning=neutral)
                for ticker in tickers
            )
            articles.append(
                self._make(
                    session,
                    f"routine|{index}",
                    published,
                    title,
                    description,
                    keywords,
                    insights,
                    PUBLISHERS[digest[1] % len(PUBLISHERS)],
                )
            )
        return articles
