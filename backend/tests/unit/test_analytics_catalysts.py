"""Catalyst density: the headline lexicon, news counts per symbol and the per-sector multiplier."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sectorlights.analytics.catalysts import (
    FULL_ARTICLES_PER_STOCK,
    NEGATIVE,
    NEUTRAL,
    POSITIVE,
    NewsCounts,
    catalyst_densities,
    lexicon_sentiments,
    news_counts,
)
from sectorlights.analytics.classification import classify_symbols
from sectorlights.config.criteria import ScoreParams, UniverseCriteria
from sectorlights.domain.frame import FloatArray, IntArray, StrArray
from sectorlights.domain.market import NewsInsight, NewsItem, Sentiment
from sectorlights.domain.sessions import NEW_YORK, previous_sessions
from sectorlights.domain.vocabulary import SECTORS, TIMEFRAMES, Sector, Timeframe
from sectorlights.providers.simulated import SimulatedProvider

SECTOR_COUNT = len(SECTORS)
TIMEFRAME_COUNT = len(TIMEFRAMES)
HEALTHCARE = SECTORS.index(Sector.HEALTHCARE)
ONE_DAY = TIMEFRAMES.index(Timeframe.DAY_1)
PUBLISHED = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
SIGNS = {Sentiment.POSITIVE: POSITIVE, Sentiment.NEUTRAL: NEUTRAL, Sentiment.NEGATIVE: NEGATIVE}


def item(
    news_id: str,
    title: str,
    tickers: tuple[str, ...],
    insights: tuple[tuple[str, Sentiment], ...] = (),
) -> NewsItem:
    return NewsItem(
        news_id=news_id,
        published_at=PUBLISHED,
        title=title,
        publisher="Test Wire",
        tickers=tickers,
        insights=tuple(NewsInsight(ticker, sentiment, "test") for ticker, sentiment in insights),
    )


def counts_of(articles: list[float], positive: list[float], negative: list[float]) -> NewsCounts:
    return NewsCounts(
        articles=np.asarray(articles, dtype=np.float64),
        positive=np.asarray(positive, dtype=np.float64),
        negative=np.asarray(negative, dtype=np.float64),
    )


def returns_with(sector: int, move: float) -> FloatArray:
    """(8, 4) returns: `move` for one sector over every timeframe, +1% for the others."""
    returns = np.full((SECTOR_COUNT, TIMEFRAME_COUNT), 0.01)
    returns[sector, :] = move
    return returns


# ----- lexicon -------------------------------------------------------------------------------------

HEADLINES: list[tuple[str, int]] = [
    # The simulated news desk's templates.
    ("Zentro Bio Inc. Wins FDA Approval for ZE-412 in Migraine prevention", POSITIVE),
    ("Zentro Bio Inc. Receives Complete Response Letter From FDA for ZE-412", NEGATIVE),
    ("Zentro Bio Inc. Tops Fourth-Quarter Estimates and Raises Full-Year Outlook", POSITIVE),
    ("Zentro Bio Inc. Misses Fourth-Quarter Estimates, Lowers Guidance", NEGATIVE),
    ("Zentro Bio Inc. Prices $48 Million Public Offering of Common Stock", NEGATIVE),
    ("Zentro Bio Inc. to Present at the Small-Cap Opportunities Investor Conference", NEUTRAL),
    ("Zentro Bio Inc. Appoints New Chief Financial Officer", NEUTRAL),
    ("Zentro Bio Inc. Schedules First-Quarter Earnings Release and Conference Call", NEUTRAL),
    ("Zentro Bio Inc. Announces Date of Annual Meeting of Shareholders", NEUTRAL),
    ("Biotech Stocks Surge as FDA Clears a Wave of New Drug Approvals Overnight", POSITIVE),
    ("Tech Stocks Slide as Investors Rotate Into Healthcare", NEGATIVE),
    ("Small Caps Drift in a Quiet Session as Traders Wait for Fresh Catalysts", NEUTRAL),
    # Tickers that spell lexicon words are not news; a shouted headline still is.
    ("Technology Small Caps to Watch This Week: WIN, GAIN, CUT", NEUTRAL),
    ("ZENTRO WINS FDA APPROVAL", POSITIVE),
    ("Acme Receives CRL for Lead Candidate", NEGATIVE),
    # Market phrases and Loughran-McDonald-style words.
    ("Acme Beats Third-Quarter Estimates", POSITIVE),
    ("Acme Guidance Raised After Strong Quarter", POSITIVE),
    ("Acme Raises 2027 Revenue Guidance", POSITIVE),
    ("Analyst Downgrades Acme to Sell", NEGATIVE),
    ("Acme Upgraded to Outperform at Big Bank", POSITIVE),
    ("Acme Announces Voluntary Recall of Infusion Pumps", NEGATIVE),
    ("Acme Files for Chapter 11 Bankruptcy Protection", NEGATIVE),
    ("Acme Warns of Dilution From Convertible Notes", NEGATIVE),
    ("Acme Announces 1-for-20 Reverse Stock Split", NEGATIVE),
    ("Acme Reports Narrower Loss on Record Revenue", POSITIVE),
    ("Acme Announces Initial Public Offering", NEUTRAL),
    ("Acme Expands Its Product Offering", NEUTRAL),
    ("Acme Meets Primary Endpoint in Phase 3 Trial", POSITIVE),
    ("Acme Receives Nasdaq Deficiency Notice", NEGATIVE),
    ("Acme Regains Compliance With Nasdaq Listing Rule", POSITIVE),
    # Negations.
    ("Acme Fails to Win FDA Approval", NEGATIVE),
    ("Acme Drug Not Approved by Regulators", NEGATIVE),
    ("FDA Does Not Approve Acme's Drug", NEGATIVE),
    ("FDA Doesn\u2019t Approve Acme\u2019s Drug", NEGATIVE),
    ("Acme Not Yet Approved in Europe", NEGATIVE),
    ("Acme Fails to Meet Primary Endpoint", NEGATIVE),
    ("Acme Fails to Impress Investors", NEGATIVE),
    ("Acme Unable to Regain Compliance", NEGATIVE),
    ("Acme Says No Dilution From Its New Credit Line", POSITIVE),
    ("Acme Sees No Recall Risk", POSITIVE),
    ("Acme Shares Are Not Falling", POSITIVE),
    # A negation stops at the end of its clause.
    ("Acme Wins Approval, No Comment From Rivals", POSITIVE),
    ("Acme Not Surprised, Approval Expected", POSITIVE),
    # Mixed headlines: an even mix is neutral, otherwise the majority decides.
    ("Acme Beats Estimates but Cuts Guidance", NEUTRAL),
    ("Acme Beats on Revenue, Misses on Earnings", NEUTRAL),
    ("Acme Beats Estimates, Raises Outlook Despite Weak Margins", POSITIVE),
    ("Acme Misses Estimates and Lowers Guidance Despite Record Sales", NEGATIVE),
    ("", NEUTRAL),
]


@pytest.mark.parametrize(("headline", "expected"), HEADLINES)
def test_lexicon_reads_headlines(headline: str, expected: int) -> None:
    assert lexicon_sentiments([headline]).tolist() == [expected]


def test_lexicon_returns_one_integer_per_headline() -> None:
    texts = [headline for headline, _ in HEADLINES]
    sentiments = lexicon_sentiments(texts)
    assert sentiments.dtype == np.int64
    assert sentiments.tolist() == [expected for _, expected in HEADLINES]
    assert lexicon_sentiments([]).shape == (0,)


# ----- counts --------------------------------------------------------------------------------------


def test_news_counts_count_each_article_once_per_named_member() -> None:
    symbols = np.array(["CCC", "AAA", "BBB"])  # not sorted on purpose
    items = [
        # Two members and one unknown ticker; insights for both members.
        item(
            "1",
            "Sector Roundup",
            ("AAA", "BBB", "ZZZ"),
            (("AAA", Sentiment.POSITIVE), ("BBB", Sentiment.NEGATIVE), ("ZZZ", Sentiment.POSITIVE)),
        ),
        # The insight beats the lexicon: a headline the lexicon reads as good news, a negative insight.
        item("2", "AAA Wins FDA Approval", ("AAA",), (("AAA", Sentiment.NEGATIVE),)),
        # No insight for CCC: the lexicon scores the title.
        item("3", "CCC Misses Estimates, Lowers Guidance", ("CCC", "AAA"), (("AAA", Sentiment.NEUTRAL),)),
        # The same article delivered twice, and a ticker named twice.
        item("4", "BBB Beats Estimates", ("BBB", "BBB"), ()),
        item("4", "BBB Beats Estimates", ("BBB", "BBB"), ()),
        # An insight names a ticker missing from `tickers`: the article still mentions it.
        item("5", "Market Wrap", (), (("CCC", Sentiment.POSITIVE),)),
        # Disagreeing insights for one ticker cancel out.
        item("6", "Two Views", ("BBB",), (("BBB", Sentiment.POSITIVE), ("BBB", Sentiment.NEGATIVE))),
        # Nothing in `symbols`.
        item("7", "ZZZ Files for Bankruptcy", ("ZZZ", "YYY"), ()),
    ]
    counts = news_counts(items, symbols)
    #                                   CCC  AAA  BBB
    assert counts.articles.tolist() == [2.0, 3.0, 3.0]
    assert counts.positive.tolist() == [1.0, 1.0, 1.0]
    assert counts.negative.tolist() == [1.0, 1.0, 1.0]
    for column in (counts.articles, counts.positive, counts.negative):
        assert column.dtype == np.float64


def test_news_counts_follow_the_symbols_order() -> None:
    items = [
        item("1", "AAA Beats Estimates", ("AAA",)),
        item("2", "BBB Prices Public Offering", ("BBB", "AAA"), (("AAA", Sentiment.POSITIVE),)),
        item("3", "CCC to Present at Conference", ("CCC",)),
    ]
    ordered = news_counts(items, np.array(["AAA", "BBB", "CCC"]))
    shuffled = news_counts(items, np.array(["CCC", "AAA", "BBB"]))
    order = [1, 2, 0]
    for name in ("articles", "positive", "negative"):
        assert getattr(shuffled, name)[order].tolist() == getattr(ordered, name).tolist()
    assert ordered.articles.tolist() == [2.0, 1.0, 1.0]
    assert ordered.positive.tolist() == [2.0, 0.0, 0.0]
    assert ordered.negative.tolist() == [0.0, 1.0, 0.0]


def test_news_counts_a_symbol_listed_twice_on_its_first_row() -> None:
    counts = news_counts([item("1", "AAA Beats Estimates", ("AAA",))], np.array(["AAA", "BBB", "AAA"]))
    assert counts.articles.tolist() == [1.0, 0.0, 0.0]
    assert counts.positive.tolist() == [1.0, 0.0, 0.0]


def test_news_counts_without_news_or_members() -> None:
    empty = news_counts([], np.array(["AAA", "BBB"]))
    assert empty.articles.tolist() == [0.0, 0.0]
    assert empty.positive.tolist() == [0.0, 0.0]
    nobody = news_counts([item("1", "AAA Beats Estimates", ("AAA",))], np.array([], dtype=np.str_))
    assert nobody.articles.shape == (0,)


# ----- densities -----------------------------------------------------------------------------------

# Forty healthcare members: with the default saturation of 0.1 articles per stock, four articles
# saturate the sector's news.
MEMBERS = 40
HEALTHCARE_MEMBERS = np.full(MEMBERS, HEALTHCARE, dtype=np.int64)


def spread(total: int) -> list[float]:
    """`total` articles spread over the forty members, one each from the first."""
    return [1.0 if row < total else 0.0 for row in range(MEMBERS)]


DENSITY_CASES: list[tuple[str, tuple[int, int, int], float, float]] = [
    # (case, (articles, positive, negative) over the sector, healthcare move, expected factor)
    ("no news", (0, 0, 0), 0.05, 1.0),
    ("neutral news only", (12, 0, 0), 0.05, 1.0),
    ("agreeing news at saturation", (4, 4, 0), 0.05, 1.1),
    ("agreeing news beyond saturation", (20, 20, 0), 0.05, 1.1),
    ("negative news on a fall", (4, 0, 4), -0.05, 1.1),
    ("news against the move", (4, 0, 4), 0.05, 0.9),
    ("positive news on a fall", (6, 6, 0), -0.05, 0.9),
    ("flat move", (4, 4, 0), 0.0, 1.0),
    ("unknown move", (4, 4, 0), np.nan, 1.0),
    # Below saturation only the net count matters: +1 net of a capacity of 4 articles.
    ("one agreeing article", (1, 1, 0), 0.05, 1.025),
    ("one net agreeing article among neutral ones", (3, 2, 1), 0.05, 1.025),
    # At saturation the neutral articles dilute: net 4 of 8 articles.
    ("saturated with neutral news", (8, 4, 0), 0.05, 1.05),
    ("mixed news cancels", (6, 3, 3), 0.05, 1.0),
]


@pytest.mark.parametrize(("case", "sector_counts", "move", "expected"), DENSITY_CASES)
def test_densities_table(
    case: str, sector_counts: tuple[int, int, int], move: float, expected: float
) -> None:
    articles, positive, negative = sector_counts
    counts = NewsCounts(
        articles=np.asarray(spread(articles)),
        positive=np.asarray(spread(positive)),
        negative=np.asarray([0.0] * positive + spread(negative)[: MEMBERS - positive]),
    )
    densities = catalyst_densities(counts, HEALTHCARE_MEMBERS, returns_with(HEALTHCARE, move))
    assert densities.shape == (SECTOR_COUNT, TIMEFRAME_COUNT)
    np.testing.assert_allclose(densities[HEALTHCARE], expected, rtol=0, atol=1e-12, err_msg=case)
    others = np.delete(densities, HEALTHCARE, axis=0)
    assert (others == 1.0).all(), "a sector without members has no news"


def test_each_timeframe_follows_its_own_move() -> None:
    counts = counts_of(spread(4), spread(4), [0.0] * MEMBERS)
    returns = np.zeros((SECTOR_COUNT, TIMEFRAME_COUNT))
    returns[HEALTHCARE] = [0.004, -0.02, 0.0, np.nan]
    densities = catalyst_densities(counts, HEALTHCARE_MEMBERS, returns)
    np.testing.assert_allclose(densities[HEALTHCARE], [1.1, 0.9, 1.0, 1.0], rtol=0, atol=1e-12)


def test_unclassified_members_are_ignored() -> None:
    sector_index = np.array([HEALTHCARE, -1, -1, 0], dtype=np.int64)
    counts = counts_of([0.0, 5.0, 5.0, 0.0], [0.0, 5.0, 5.0, 0.0], [0.0, 0.0, 0.0, 0.0])
    densities = catalyst_densities(counts, sector_index, np.full((SECTOR_COUNT, TIMEFRAME_COUNT), 0.02))
    assert (densities == 1.0).all()


def test_range_and_saturation_are_parameters() -> None:
    counts = counts_of(spread(4), [0.0] * MEMBERS, spread(4))
    up = returns_with(HEALTHCARE, 0.03)
    # An asymmetric range reaches both of its ends.
    np.testing.assert_allclose(
        catalyst_densities(counts, HEALTHCARE_MEMBERS, up, (0.8, 1.1))[HEALTHCARE], 0.8
    )
    agreeing = counts_of(spread(4), spread(4), [0.0] * MEMBERS)
    np.testing.assert_allclose(
        catalyst_densities(agreeing, HEALTHCARE_MEMBERS, up, (0.8, 1.1))[HEALTHCARE], 1.1
    )
    # Four articles over forty stocks are half of a saturation of 0.2 articles per stock.
    half = catalyst_densities(agreeing, HEALTHCARE_MEMBERS, up, full_articles_per_stock=0.2)
    np.testing.assert_allclose(half[HEALTHCARE], 1.05)
    # A range without room leaves every factor at 1.0.
    assert (catalyst_densities(agreeing, HEALTHCARE_MEMBERS, up, (1.0, 1.0)) == 1.0).all()


def test_default_range_is_the_configured_one() -> None:
    agreeing = counts_of(spread(4), spread(4), [0.0] * MEMBERS)
    low, high = ScoreParams().catalyst_density_range
    up = catalyst_densities(agreeing, HEALTHCARE_MEMBERS, returns_with(HEALTHCARE, 0.03))
    down = catalyst_densities(agreeing, HEALTHCARE_MEMBERS, returns_with(HEALTHCARE, -0.03))
    assert up[HEALTHCARE, 0] == pytest.approx(high)
    assert down[HEALTHCARE, 0] == pytest.approx(low)


def test_unknown_counts_are_no_news() -> None:
    counts = counts_of([np.nan] * MEMBERS, [np.inf] * MEMBERS, [np.nan] * MEMBERS)
    assert (catalyst_densities(counts, HEALTHCARE_MEMBERS, returns_with(HEALTHCARE, 0.03)) == 1.0).all()


@pytest.mark.parametrize(
    ("density_range", "saturation", "message"),
    [
        ((1.01, 1.1), FULL_ARTICLES_PER_STOCK, "must contain 1.0"),
        ((0.9, 0.99), FULL_ARTICLES_PER_STOCK, "must contain 1.0"),
        ((0.9, 1.1), 0.0, "must be positive"),
        ((0.9, 1.1), float("nan"), "must be positive"),
    ],
)
def test_densities_reject_bad_parameters(
    density_range: tuple[float, float], saturation: float, message: str
) -> None:
    counts = counts_of(spread(1), spread(1), [0.0] * MEMBERS)
    with pytest.raises(ValueError, match=message):
        catalyst_densities(
            counts, HEALTHCARE_MEMBERS, returns_with(HEALTHCARE, 0.01), density_range, saturation
        )


def test_densities_reject_misaligned_inputs() -> None:
    counts = counts_of([1.0, 0.0], [1.0, 0.0], [0.0, 0.0])
    returns = returns_with(HEALTHCARE, 0.01)
    with pytest.raises(ValueError, match="differ in length"):
        catalyst_densities(counts, np.array([HEALTHCARE], dtype=np.int64), returns)
    with pytest.raises(ValueError, match="beyond"):
        catalyst_densities(counts, np.array([HEALTHCARE, SECTOR_COUNT], dtype=np.int64), returns)
    with pytest.raises(ValueError, match="sectors, timeframes"):
        catalyst_densities(counts, np.array([0, 1], dtype=np.int64), returns[:, 0])


# ----- properties ----------------------------------------------------------------------------------

MOVES = st.sampled_from([-0.04, -0.001, 0.0, 0.002, 0.05, np.nan])


@st.composite
def member_news(draw: st.DrawFn) -> tuple[NewsCounts, IntArray, FloatArray]:
    size = draw(st.integers(1, 30))
    sector_index = draw(arrays(np.int64, size, elements=st.integers(-1, SECTOR_COUNT - 1)))
    # Each member's articles are its positive, negative and neutral ones.
    kinds = draw(arrays(np.float64, (size, 3), elements=st.integers(0, 12).map(float)))
    positive, negative, neutral = kinds.T
    returns = draw(arrays(np.float64, (SECTOR_COUNT, TIMEFRAME_COUNT), elements=MOVES))
    return NewsCounts(positive + negative + neutral, positive.copy(), negative.copy()), sector_index, returns


SATURATIONS = st.sampled_from([0.01, 0.05, FULL_ARTICLES_PER_STOCK, 0.5, 3.0])
RANGES = st.sampled_from([(0.9, 1.1), (0.8, 1.2), (0.95, 1.05), (0.7, 1.1)])


@settings(max_examples=80, deadline=None)
@given(member_news(), SATURATIONS, RANGES)
def test_densities_stay_in_range(
    news: tuple[NewsCounts, IntArray, FloatArray], saturation: float, density_range: tuple[float, float]
) -> None:
    counts, sector_index, returns = news
    densities = catalyst_densities(counts, sector_index, returns, density_range, saturation)
    low, high = density_range
    assert densities.shape == (SECTOR_COUNT, TIMEFRAME_COUNT)
    assert np.isfinite(densities).all()
    assert ((densities >= low) & (densities <= high)).all()
    without_move = ~(np.isfinite(returns) & (returns != 0))
    assert (densities[without_move] == 1.0).all()
    sectors_with_news = np.bincount(
        sector_index[sector_index >= 0], weights=counts.articles[sector_index >= 0], minlength=SECTOR_COUNT
    )
    assert (densities[sectors_with_news == 0] == 1.0).all()


@settings(max_examples=80, deadline=None)
@given(member_news(), SATURATIONS, st.data())
def test_more_agreeing_news_never_lowers_the_factor(
    news: tuple[NewsCounts, IntArray, FloatArray], saturation: float, data: st.DataObject
) -> None:
    counts, sector_index, returns = news
    row = data.draw(st.integers(0, sector_index.shape[0] - 1))
    sector = int(sector_index[row])
    if sector < 0:
        sector_index = sector_index.copy()
        sector_index[row] = sector = HEALTHCARE
    up = returns.copy()
    up[sector] = 0.03
    before = catalyst_densities(counts, sector_index, up, full_articles_per_stock=saturation)[sector]

    # One more positive article...
    added = counts.articles.copy()
    added[row] += 1
    more_positive = counts.positive.copy()
    more_positive[row] += 1
    with_added = NewsCounts(added, more_positive, counts.negative)
    after = catalyst_densities(with_added, sector_index, up, full_articles_per_stock=saturation)[sector]
    assert (after >= before - 1e-12).all()
    # ...and on a fall it never raises the factor.
    down = up.copy()
    down[sector] = -0.03
    down_before = catalyst_densities(counts, sector_index, down, full_articles_per_stock=saturation)[sector]
    down_after = catalyst_densities(with_added, sector_index, down, full_articles_per_stock=saturation)[
        sector
    ]
    assert (down_after <= down_before + 1e-12).all()

    # A neutral or negative article turning positive never lowers it either.
    if counts.articles[row] > counts.positive[row]:
        turned = counts.positive.copy()
        turned[row] += 1
        negative = counts.negative.copy()
        if counts.articles[row] - counts.positive[row] - counts.negative[row] < 1:
            negative[row] -= 1
        flipped = NewsCounts(counts.articles, turned, negative)
        after_flip = catalyst_densities(flipped, sector_index, up, full_articles_per_stock=saturation)[sector]
        assert (after_flip >= before - 1e-12).all()


@settings(max_examples=60, deadline=None)
@given(member_news(), st.data())
def test_densities_ignore_member_row_order(
    news: tuple[NewsCounts, IntArray, FloatArray], data: st.DataObject
) -> None:
    counts, sector_index, returns = news
    order = np.asarray(data.draw(st.permutations(range(sector_index.shape[0]))), dtype=np.int64)
    permuted = NewsCounts(counts.articles[order], counts.positive[order], counts.negative[order])
    np.testing.assert_array_equal(
        catalyst_densities(permuted, sector_index[order], returns),
        catalyst_densities(counts, sector_index, returns),
    )


@settings(max_examples=60, deadline=None)
@given(member_news())
def test_news_against_a_fall_mirrors_news_against_a_rise(
    news: tuple[NewsCounts, IntArray, FloatArray],
) -> None:
    counts, sector_index, returns = news
    mirrored = NewsCounts(counts.articles, counts.negative, counts.positive)
    np.testing.assert_allclose(
        catalyst_densities(mirrored, sector_index, -returns),
        catalyst_densities(counts, sector_index, returns),
        rtol=0,
        atol=1e-12,
    )


TICKERS = ("AAA", "BBB", "CCC", "DDD", "ZZZ")
TITLES = tuple(headline for headline, _ in HEADLINES[:20])
SENTIMENTS = st.sampled_from(tuple(Sentiment))


@st.composite
def articles(draw: st.DrawFn) -> list[NewsItem]:
    count = draw(st.integers(0, 15))
    found: list[NewsItem] = []
    for number in range(count):
        tickers = tuple(draw(st.lists(st.sampled_from(TICKERS), min_size=1, max_size=3)))
        distinct = tuple(dict.fromkeys(tickers))
        with_insight = draw(st.lists(st.sampled_from(distinct), max_size=len(distinct), unique=True))
        insights = tuple((ticker, draw(SENTIMENTS)) for ticker in with_insight)
        found.append(item(str(number), draw(st.sampled_from(TITLES)), tickers, insights))
    return found


@settings(max_examples=50, deadline=None)
@given(articles(), st.data())
def test_counts_ignore_article_order(items: list[NewsItem], data: st.DataObject) -> None:
    symbols = np.array(["DDD", "AAA", "CCC", "BBB"])
    shuffled = data.draw(st.permutations(items))
    expected = news_counts(items, symbols)
    counts = news_counts(shuffled, symbols)
    for name in ("articles", "positive", "negative"):
        np.testing.assert_array_equal(getattr(counts, name), getattr(expected, name))
    # Every mention of a member is counted, positive or negative at most once.
    mentions = [sum(ticker in dict.fromkeys(news.tickers) for news in items) for ticker in symbols.tolist()]
    assert counts.articles.tolist() == [float(total) for total in mentions]
    assert (counts.positive + counts.negative <= counts.articles).all()
    sector_index = np.array([0, HEALTHCARE, HEALTHCARE, 0], dtype=np.int64)
    returns = returns_with(HEALTHCARE, 0.02)
    np.testing.assert_array_equal(
        catalyst_densities(counts, sector_index, returns), catalyst_densities(expected, sector_index, returns)
    )


# ----- the simulated news desk ---------------------------------------------------------------------

SESSION = date(2026, 11, 24)  # the Tuesday of tests/conftest.py SIM_NOW
MIDDAY = datetime.combine(SESSION, time(12, 0), NEW_YORK)
ORDINARY = "ordinary"
FDA_WAVE = "fda_approval_wave"
ROTATION = "tech_selloff_healthcare_rotation"


@dataclass(frozen=True, slots=True)
class SimulatedDay:
    densities: FloatArray
    items: list[NewsItem]
    symbols: StrArray
    counts: NewsCounts


def sic_number(code: str | None) -> int | None:
    return int(code) if code is not None and code.isdigit() else None


def simulated_day(provider: SimulatedProvider) -> SimulatedDay:
    """Factors at midday from the last 24 hours of news over the operating common stocks in the cap band.

    The members stand in for the universe (price, cap and exchange criteria; volume is left out);
    the 1d sector move is the plain mean of the members' moves since the previous close, the other
    timeframes are left unknown.
    """
    criteria = UniverseCriteria()
    listings = provider.listings(MIDDAY)
    snapshot = provider.intraday_snapshot(MIDDAY)
    previous_close = provider.daily_bars(previous_sessions(SESSION, 1))[0].close
    last_price = snapshot.last_price
    in_band = np.array(
        [
            listing.security_type == criteria.security_type
            and listing.primary_exchange in criteria.exchanges
            and listing.market_cap is not None
            and criteria.min_market_cap <= listing.market_cap <= criteria.max_market_cap
            for listing in listings
        ]
    )
    in_band &= (last_price >= criteria.min_price) & (last_price <= criteria.max_price)
    rows = np.flatnonzero(in_band)
    classification = classify_symbols(
        [listings[row].name for row in rows.tolist()],
        [sic_number(listings[row].sic_code) for row in rows.tolist()],
    )
    classified = classification.sector_index >= 0
    rows = rows[classified]
    sector_index = classification.sector_index[classified]
    symbols = np.array([listings[row].symbol for row in rows.tolist()])
    assert (snapshot.symbols[rows] == symbols).all()
    moves = last_price[rows] / previous_close[rows] - 1.0
    returns = np.full((SECTOR_COUNT, TIMEFRAME_COUNT), np.nan)
    returns[:, ONE_DAY] = np.bincount(sector_index, weights=moves, minlength=SECTOR_COUNT) / np.bincount(
        sector_index, minlength=SECTOR_COUNT
    )
    items = provider.news(MIDDAY - timedelta(hours=24), MIDDAY)
    counts = news_counts(items, symbols)
    return SimulatedDay(catalyst_densities(counts, sector_index, returns), items, symbols, counts)


@pytest.fixture(scope="module")
def simulated() -> dict[str, SimulatedDay]:
    return {
        ORDINARY: simulated_day(SimulatedProvider()),
        FDA_WAVE: simulated_day(SimulatedProvider(scenario=FDA_WAVE, scenario_session=SESSION)),
        ROTATION: simulated_day(SimulatedProvider(scenario=ROTATION, scenario_session=SESSION)),
    }


def test_fda_approval_wave_strengthens_healthcare(simulated: dict[str, SimulatedDay]) -> None:
    wave = simulated[FDA_WAVE].densities
    ordinary = simulated[ORDINARY].densities
    assert wave[HEALTHCARE, ONE_DAY] >= 1.05
    assert wave[HEALTHCARE, ONE_DAY] > ordinary[HEALTHCARE, ONE_DAY]
    # Without a known move there is nothing for the news to agree with.
    assert (np.delete(wave, ONE_DAY, axis=1) == 1.0).all()


def test_ordinary_news_stays_close_to_one(simulated: dict[str, SimulatedDay]) -> None:
    assert (np.abs(simulated[ORDINARY].densities - 1.0) <= 0.02).all()
    for scenario in (FDA_WAVE, ROTATION):
        # The sectors the scenario leaves alone get the ordinary news flow.
        others = np.delete(simulated[scenario].densities, HEALTHCARE, axis=0)
        assert (np.abs(others - 1.0) <= 0.02).all(), scenario


def test_lexicon_reads_the_simulated_desk_like_its_insights(simulated: dict[str, SimulatedDay]) -> None:
    # The desk gives every article an insight per ticker; without them the titles tell the same story.
    for scenario, day in simulated.items():
        assert day.counts.positive.sum() > 0 and day.counts.negative.sum() > 0, scenario
        single_ticker = [news for news in day.items if len(news.tickers) == 1]
        expected = [SIGNS[news.insights[0].sentiment] for news in single_ticker]
        assert lexicon_sentiments([news.title for news in single_ticker]).tolist() == expected, scenario
        # Multi-ticker articles about members are neutral roundups, which the lexicon also reads as neutral.
        from_titles = news_counts([replace(news, insights=()) for news in day.items], day.symbols)
        for name in ("articles", "positive", "negative"):
            np.testing.assert_array_equal(
                getattr(from_titles, name), getattr(day.counts, name), err_msg=scenario
            )
