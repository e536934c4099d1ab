"""Catalyst density (DESIGN §6): news count and news sentiment agreeing with a sector's move.

Per sector and timeframe the multiplier is

    strength = (positive - negative) / max(articles, members x full_articles_per_stock)
    factor   = 1 + (high - 1) x sign(move) x strength    when the news agrees with the move
             = 1 + (1 - low) x sign(move) x strength     when it goes against it

clipped to the range (low, high) = (0.9, 1.1). `strength` is the net sentiment
(positive - negative) / articles times the news intensity min(articles / (members x full), 1):
below saturation the neutral articles cancel out of the product, so routine news neither helps
nor hurts, and at saturation the factor is set by the net sentiment alone. An article's sentiment
toward a ticker is the vendor's insight when there is one, else a finance lexicon's reading of
its title (`lexicon_sentiments`). The news window is the caller's: `FULL_ARTICLES_PER_STOCK` is
calibrated for the 24 hours before the analysis instant.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sectorlights.config.criteria import ScoreParams
from sectorlights.domain.frame import FloatArray, IntArray, StrArray
from sectorlights.domain.market import NewsItem, Sentiment

POSITIVE, NEUTRAL, NEGATIVE = 1, 0, -1

# Saturation at one article a day for every ten member stocks: on an ordinary simulated day a
# sector's members get one article per thirty stocks, mostly neutral or mixed (factors within 2% of
# 1.0), while an FDA approval wave brings healthcare one net positive article per eight stocks, which
# saturates and lets the net sentiment alone decide (1.08). Denser real news feeds saturate sooner,
# and then the factor is 1 + 0.1 x the net sentiment toward the move.
FULL_ARTICLES_PER_STOCK = ScoreParams().catalyst_full_articles_per_stock

_SENTIMENT_SIGN: dict[Sentiment, int] = {
    Sentiment.POSITIVE: POSITIVE,
    Sentiment.NEUTRAL: NEUTRAL,
    Sentiment.NEGATIVE: NEGATIVE,
}

# ----- lexicon -------------------------------------------------------------------------------------
#
# Entries are phrases of space-separated token patterns: a word matches itself, "stem*" any word
# starting with the stem, "word?" the word or nothing, and "..." up to `_GAP_TOKENS` other words
# ("raises full-year 2025 guidance"). Stems are kept for prefixes that do not start unrelated words
# ("surg*" would read every "surgical" headline as good news), inflections are spelled out otherwise.
# Every matched entry counts once, whatever its length, so a headline with one good and one bad item
# ("beats estimates but cuts guidance") reads as neutral.

_POSITIVE_ENTRIES = (
    # Loughran-McDonald-style positive words as they appear in market headlines.
    "beat beats beating tops topped exceed* surpass* outperform* upgrad* record",
    "strong stronger strongest strength strengthen* robust upbeat bullish optimism optimistic",
    "success* achiev* win wins won winning award awarded awards improv* rebound* recover*",
    "accelerat* boost boosts boosted boosting gain gains gained gaining surge surges surged surging",
    "soar soars soared soaring jump jumps jumped jumping rally rallies rallied rallying",
    "climb climbs climbed climbing rise rises rising rose higher profitable milestone",
    "approv* clears cleared clearance breakthrough* uplist* buyback* favorable favourable",
    # Market phrases.
    "fda approval|fda clearance|fast track|orphan drug|priority review|positive topline",
    "positive results|positive data|meet* primary? endpoint*|met primary? endpoint*|commercial launch",
    "rais* ... guidance|rais* ... outlook|rais* ... forecast|rais* ... dividend|rais* price target",
    "guidance raised|outlook raised|price target raised|above estimates|above expectations",
    "better than expected|ahead of expectations|narrow* loss|narrower loss|regain* compliance",
    "share repurchase|repurchase program|contract win|shares up|stock up",
)
_NEGATIVE_ENTRIES = (
    "miss misses missed missing downgrad* underperform* disappoint* weak weaker weakness weaken*",
    "fail fails failed failing failure loss losses lowers lowered lowering cut cuts cutting",
    "drop drops dropped dropping fall falls falling fell slide slides slid sliding slump slumps slumped",
    "sink sinks sank sinking plunge plunges plunged plunging plummet* tumbl* crash crashes crashed",
    "declin* warn warns warned warning warnings halt halts halted halting suspend* suspension",
    "terminat* discontinu* delay delays delayed reject rejects rejected rejection recall recalls",
    "recalled bankrupt* insolven* dilut* delist* default defaults defaulted lawsuit* sue sues sued",
    "investigat* probe probes subpoena* fraud* restat* impair* layoff* restructur* resign resigns",
    "resigned resignation deficien* noncomplian* breach* violat* penalt* shortfall* downturn* adverse",
    "concern concerns death deaths crl offering",
    # Market phrases: capital raises dilute small-cap holders, regulatory setbacks.
    "complete response letter|complete response|clinical hold|public offering|secondary offering",
    "direct offering|registered direct|private placement|at the market|reverse split",
    "reverse stock split|going concern|class action|chapter 11|guidance cut|outlook cut",
    "price target cut|below estimates|below expectations|worse than expected|short report",
    "short seller|profit warning|loss widens|wider loss|steps down|shares down|stock down|lay off",
    "record loss|record low",
)
# Phrases that contain a sentiment word but carry none: they take their words out of play.
_NEUTRAL_ENTRIES = (
    "initial public offering|product offering|service offering|services offering|no change",
    "record date|gains access|beat the market",
)
_NEGATORS = (
    "not|no|never|without|nor|cannot|can't|won't|doesn't|didn't|don't|isn't|wasn't|aren't|weren't",
    "hasn't|haven't|hadn't|unable to|yet to",
)
# A failure to do something is bad news even when the thing itself is not in the lexicon.
_FAILURE_NEGATORS = ("fails to|failed to|fail to|failing to",)
# Words and marks that end a clause: a negation does not reach past them.
_CLAUSE_BREAKS = frozenset({",", ";", ":", "!", "?", "|", "but", "while", "although", "though", "despite"})
# A negation flips the sentiment entries that start within this many words after it
# ("fails to win FDA approval", "not yet approved").
_NEGATION_SCOPE_TOKENS = 3
_GAP_TOKENS = 3
_GAP = "..."
# All-caps words in a mixed-case headline are tickers or acronyms (a ticker "WIN" is no news); these
# acronyms still count.
_SENTIMENT_ACRONYMS = frozenset({"crl"})
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[,;:!?|]", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class _Entry:
    patterns: tuple[str, ...]
    polarity: int
    negator: bool = False


def _entries(lines: Sequence[str], polarity: int, negator: bool = False) -> list[_Entry]:
    phrases = [phrase for line in lines for phrase in (line.split("|") if "|" in line else line.split())]
    return [_Entry(tuple(phrase.split()), polarity, negator) for phrase in phrases]


def _first_key(pattern: str) -> str:
    return pattern.rstrip("?")


def _build_index() -> dict[str, tuple[_Entry, ...]]:
    """Entries by the pattern of their first word, longest phrase first."""
    entries = (
        _entries(_POSITIVE_ENTRIES, POSITIVE)
        + _entries(_NEGATIVE_ENTRIES, NEGATIVE)
        + _entries(_NEUTRAL_ENTRIES, NEUTRAL)
        + _entries(_NEGATORS, NEUTRAL, negator=True)
        + _entries(_FAILURE_NEGATORS, NEGATIVE, negator=True)
    )
    index: dict[str, list[_Entry]] = {}
    for entry in entries:
        if entry.patterns[0].endswith("?") or entry.patterns[0] == _GAP:
            raise ValueError(f"lexicon phrase {' '.join(entry.patterns)!r} must start with a word")
        index.setdefault(_first_key(entry.patterns[0]), []).append(entry)
    return {key: tuple(sorted(group, key=lambda entry: -len(entry.patterns))) for key, group in index.items()}


_INDEX = _build_index()
_LONGEST_STEM = max(len(key) for key in _INDEX)


def _word_matches(pattern: str, token: str) -> bool:
    if pattern.endswith("*"):
        return token.startswith(pattern[:-1])
    return token == pattern


def _match_end(patterns: tuple[str, ...], tokens: Sequence[str], start: int) -> int:
    """End (exclusive) of the shortest match of `patterns` at `start`; -1 when none."""
    if not patterns:
        return start
    pattern, rest = patterns[0], patterns[1:]
    if pattern == _GAP:
        for skip in range(_GAP_TOKENS + 1):
            if start + skip > len(tokens) or any(
                token in _CLAUSE_BREAKS for token in tokens[start : start + skip]
            ):
                break
            end = _match_end(rest, tokens, start + skip)
            if end >= 0:
                return end
        return -1
    optional = pattern.endswith("?")
    word = pattern.rstrip("?")
    if start < len(tokens) and _word_matches(word, tokens[start]):
        end = _match_end(rest, tokens, start + 1)
        if end >= 0:
            return end
    return _match_end(rest, tokens, start) if optional else -1


def _candidates(token: str) -> list[tuple[_Entry, ...]]:
    """Entry groups whose first word can match `token`: the word itself, then its stems, longest first."""
    groups = [_INDEX[token]] if token in _INDEX else []
    for length in range(min(len(token), _LONGEST_STEM), 0, -1):
        group = _INDEX.get(token[:length] + "*")
        if group is not None:
            groups.append(group)
    return groups


def _longest_entry_at(tokens: Sequence[str], start: int, skip_words: bool) -> tuple[_Entry, int] | None:
    best: tuple[_Entry, int] | None = None
    for group in _candidates(tokens[start]):
        for entry in group:
            if skip_words and len(entry.patterns) == 1 and not entry.negator:
                continue
            end = _match_end(entry.patterns, tokens, start)
            if end > start and (best is None or end > best[1]):
                best = (entry, end)
    return best


@functools.lru_cache(maxsize=8192)
def _text_sentiment(text: str) -> int:
    raw_tokens = _TOKEN.findall(text.replace("\u2019", "'"))
    letters = [char for char in text if char.isalpha()]
    shouting = bool(letters) and sum(char.isupper() for char in letters) >= 0.8 * len(letters)
    tokens = [token.lower() for token in raw_tokens]
    # Tickers and acronyms in a mixed-case headline never count as single sentiment words.
    acronym = [
        not shouting
        and len(raw) > 1
        and raw.isupper()
        and raw.isalpha()
        and raw.lower() not in _SENTIMENT_ACRONYMS
        for raw in raw_tokens
    ]
    total = 0
    position = 0
    # Negation in force: how many more words it reaches, and the failure polarity still owed.
    negation_left = 0
    pending_failure = 0
    while position < len(tokens):
        token = tokens[position]
        if token in _CLAUSE_BREAKS:
            total += pending_failure
            negation_left, pending_failure = 0, 0
            position += 1
            continue
        found = _longest_entry_at(tokens, position, skip_words=acronym[position])
        if found is None:
            negation_left = max(negation_left - 1, 0)
            if negation_left == 0:
                total += pending_failure
                pending_failure = 0
            position += 1
            continue
        entry, end = found
        if entry.negator:
            total += pending_failure
            negation_left, pending_failure = _NEGATION_SCOPE_TOKENS, entry.polarity
        elif entry.polarity != NEUTRAL:
            if negation_left > 0:
                total -= entry.polarity
                pending_failure = 0
            else:
                total += entry.polarity
        if not entry.negator:
            negation_left = max(negation_left - (end - position), 0)
        position = end
    total += pending_failure
    return (total > 0) - (total < 0)


def lexicon_sentiments(texts: Sequence[str]) -> IntArray:
    """+1 / 0 / -1 per headline from a finance lexicon.

    Loughran-McDonald-style positive and negative words plus market phrases ('fda approval',
    'beats', 'downgrade', 'public offering', 'dilution', 'misses', 'recall', 'bankruptcy',
    'guidance raised', 'complete response letter', ...). A negation ('not', 'no', 'fails to',
    'unable to', ...) flips the entries within the next three words of its clause ('not approved' is
    negative, 'no dilution' positive); 'fails to' with nothing to flip is negative on its own. The
    headline's sentiment is the sign of its entries' sum, so an even mix reads as neutral.
    """
    return np.fromiter((_text_sentiment(text) for text in texts), dtype=np.int64, count=len(texts))


# ----- counts --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NewsCounts:
    """Per symbol (aligned with the `symbols` passed in): articles mentioning it, and how many were
    positive / negative toward it."""

    articles: FloatArray  # (n,)
    positive: FloatArray  # (n,)
    negative: FloatArray  # (n,)


def _insight_signs(item: NewsItem) -> dict[str, int]:
    """Sentiment per ticker from the article's insights; disagreeing insights for one ticker cancel."""
    totals: dict[str, int] = {}
    for insight in item.insights:
        totals[insight.ticker] = totals.get(insight.ticker, 0) + _SENTIMENT_SIGN.get(
            insight.sentiment, NEUTRAL
        )
    return {ticker: (total > 0) - (total < 0) for ticker, total in totals.items()}


def news_counts(items: Sequence[NewsItem], symbols: StrArray) -> NewsCounts:
    """Count each article once per ticker it names that is in `symbols` (sorted or not).

    The article's insight for that ticker decides its sentiment; an article without an insight for the
    ticker is scored by `lexicon_sentiments` on its title. An article names the tickers in its
    `tickers` and in its insights; an article id seen twice is counted once; tickers not in `symbols`
    are ignored. A symbol listed twice in `symbols` is counted on its first row.
    """
    size = int(symbols.shape[0])
    row_of: dict[str, int] = {}
    for row, symbol in enumerate(symbols.tolist()):
        row_of.setdefault(symbol, row)
    rows: list[int] = []
    signs: list[int] = []
    # Mentions without an insight: (position in rows, index into titles), scored in one batch.
    unscored: list[tuple[int, int]] = []
    titles: list[str] = []
    seen_ids: set[str] = set()
    for item in items:
        if item.news_id in seen_ids:
            continue
        seen_ids.add(item.news_id)
        by_insight = _insight_signs(item)
        title_index = -1
        for ticker in dict.fromkeys((*item.tickers, *by_insight)):
            ticker_row = row_of.get(ticker)
            if ticker_row is None:
                continue
            sign = by_insight.get(ticker)
            if sign is None:
                if title_index < 0:
                    title_index = len(titles)
                    titles.append(item.title)
                unscored.append((len(rows), title_index))
                sign = NEUTRAL
            rows.append(ticker_row)
            signs.append(sign)
    sign_array = np.asarray(signs, dtype=np.int64)
    if unscored:
        positions, title_indices = np.asarray(unscored, dtype=np.int64).T
        sign_array[positions] = lexicon_sentiments(titles)[title_indices]
    row_array = np.asarray(rows, dtype=np.int64)
    return NewsCounts(
        articles=np.bincount(row_array, minlength=size).astype(np.float64),
        positive=np.bincount(row_array[sign_array > 0], minlength=size).astype(np.float64),
        negative=np.bincount(row_array[sign_array < 0], minlength=size).astype(np.float64),
    )


# ----- densities -----------------------------------------------------------------------------------


def _known_counts(values: FloatArray) -> FloatArray:
    return np.where(np.isfinite(values), np.maximum(values, 0.0), 0.0)


def catalyst_densities(
    counts: NewsCounts,
    sector_index: IntArray,
    sector_returns: FloatArray,
    density_range: tuple[float, float] = (0.9, 1.1),
    full_articles_per_stock: float = FULL_ARTICLES_PER_STOCK,
) -> FloatArray:
    """(8, 4) multiplier per sector and timeframe; 1.0 with no news or a flat/unknown move.

    `counts` is aligned with the member rows of `sector_index` ((m,), -1 unclassified);
    `sector_returns` is (8, 4) per sector and timeframe (fractions, NaN unknown). Per sector:
    net sentiment = (positive - negative) / articles of its members, intensity =
    min(articles / (members x full_articles_per_stock), 1), strength = net x intensity in [-1, 1];
    factor = 1 + (high - 1) x sign(move) x strength when that is >= 0, else 1 + (1 - low) x
    sign(move) x strength, clipped to `density_range`: news agreeing with the move strengthens it
    (up to `high`), news against it weakens it (down to `low`). The factor never falls when an
    agreeing article is added. Unknown (non-finite) counts are no news.
    """
    low, high = density_range
    if not low <= 1.0 <= high:
        raise ValueError(f"catalyst density range {density_range} must contain 1.0")
    if not (full_articles_per_stock > 0 and np.isfinite(full_articles_per_stock)):
        raise ValueError(f"full_articles_per_stock must be positive, not {full_articles_per_stock}")
    member_count = int(sector_index.shape[0])
    for name in ("articles", "positive", "negative"):
        if getattr(counts, name).shape != (member_count,):
            raise ValueError(f"news counts ({name}) and sector_index ({member_count}) differ in length")
    if sector_returns.ndim != 2:
        raise ValueError("sector_returns must be (sectors, timeframes)")
    sector_count = int(sector_returns.shape[0])
    if member_count and int(sector_index.max()) >= sector_count:
        raise ValueError(f"sector_index refers to a sector beyond the {sector_count} of sector_returns")

    classified = sector_index >= 0
    sectors = sector_index[classified]
    members = np.bincount(sectors, minlength=sector_count).astype(np.float64)
    articles = np.bincount(
        sectors, weights=_known_counts(counts.articles)[classified], minlength=sector_count
    )
    net_articles = np.bincount(
        sectors,
        weights=(_known_counts(counts.positive) - _known_counts(counts.negative))[classified],
        minlength=sector_count,
    )
    # net x intensity = (positive - negative) / max(articles, members x full): the neutral articles
    # only matter once the sector's news is saturated.
    capacity = np.maximum(articles, members * full_articles_per_stock)
    strength = np.zeros(sector_count)
    np.divide(net_articles, capacity, out=strength, where=capacity > 0)
    direction = np.sign(np.where(np.isnan(sector_returns), 0.0, sector_returns))
    agreement = np.clip(direction * strength[:, np.newaxis], -1.0, 1.0)
    factor = 1.0 + np.where(agreement >= 0, (high - 1.0) * agreement, (1.0 - low) * agreement)
    return np.clip(factor, low, high)


# ----- one article toward one ticker ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TickerSentiments:
    """Per (article, ticker) pair: the sign counted by `news_counts`, and whether the vendor's insight
    gave it (else the lexicon read the title)."""

    signs: IntArray  # (n,) +1 / 0 / -1
    from_vendor: npt.NDArray[np.bool_]  # (n,)


def ticker_sentiments(pairs: Sequence[tuple[NewsItem, str]]) -> TickerSentiments:
    """The sentiment of each article toward its ticker, exactly as `news_counts` counts it: the
    article's insight for that ticker when there is one (disagreeing insights cancel), else the
    lexicon's reading of its title."""
    signs = np.zeros(len(pairs), dtype=np.int64)
    from_vendor = np.zeros(len(pairs), dtype=bool)
    unscored: list[int] = []
    for position, (item, ticker) in enumerate(pairs):
        sign = _insight_signs(item).get(ticker)
        if sign is None:
            unscored.append(position)
        else:
            signs[position] = sign
            from_vendor[position] = True
    if unscored:
        signs[unscored] = lexicon_sentiments([pairs[position][0].title for position in unscored])
    return TickerSentiments(signs=signs, from_vendor=from_vendor)
