"""One full analysis of a market frame: universe -> classification -> returns -> scores -> rankings.

Everything here is a pure function of the frame and the parameters; "now" is `frame.as_of`.
Returns in the result are percent (fraction x 100) rounded to 4 decimals; scores and confidences
are rounded to 4 decimals before their colors are chosen, so a displayed score and its color agree.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sectorlights.analytics.catalysts import NewsCounts, catalyst_densities
from sectorlights.analytics.classification import Classification, classify
from sectorlights.analytics.performance import (
    SECTOR_COUNT,
    TIMEFRAME_COLUMN,
    SectorReturns,
    benchmark_returns,
    measured_volatility_weights,
    relative_volume,
    sector_medians,
    sector_returns,
    stock_returns,
    volatility_weight_array,
)
from sectorlights.analytics.ranking import SectorTopStocks, rank_scores, top_stocks
from sectorlights.analytics.sentiment import (
    color_for_score,
    color_indices_for_scores,
    composite_scores,
    direction_for_color_indices,
    insufficient_data_reason,
    mean_disagreements,
    missing_timeframe_reason,
    range_positions,
    sector_confidences,
    technical_contexts,
    timeframe_scale_array,
    timeframe_scores,
    timeframe_weight_array,
    volume_confirmations,
)
from sectorlights.analytics.squeeze_risk import (
    NO_LEVEL,
    member_volatility_pct,
    sector_volatility_ratio,
    squeeze_risk_levels,
)
from sectorlights.analytics.universe import (
    DEFAULT_CRITERIA,
    UniverseSelection,
    apply_size_cap,
    apply_stage,
    screen_listings,
)
from sectorlights.analytics.validation import (
    REMOVE_BENCHMARK_BETA,
    EtfValidation,
    gap_frequency_levels,
    gap_level_distance,
    proxy_rows,
    sector_gap_profile,
    validate_with_etfs,
)
from sectorlights.config.criteria import GapFrequencyThresholds, RankingParams, ScoreParams, UniverseCriteria
from sectorlights.config.sectors import BENCHMARK_SYMBOL, SECTOR_MAPPING
from sectorlights.config.squeeze_risk import (
    DEFAULT_SQUEEZE_RISK_BOUNDS,
    SQUEEZE_HISTORY,
    SQUEEZE_RISK_LEVELS,
    SqueezeRiskBounds,
)
from sectorlights.config.volatility_weights import VolatilityWeightConfig
from sectorlights.domain.frame import FloatArray, IntArray, MarketFrame, StrArray
from sectorlights.domain.results import (
    AnalysisResult,
    EtfCheck,
    GapProfile,
    SectorCard,
    SectorFactors,
    SectorSqueezeRisk,
    TimeframeResult,
    TopStock,
    UniverseMember,
)
from sectorlights.domain.vocabulary import (
    COLORS,
    SECTORS,
    SIGNAL_BY_COLOR,
    TIMEFRAMES,
    Tier,
    Timeframe,
)
from sectorlights.domain.volume_profile import volume_fraction_after_minutes

DEFAULT_SCORE_PARAMS = ScoreParams()
DEFAULT_RANKING_PARAMS = RankingParams()
DEFAULT_VOLATILITY = VolatilityWeightConfig()
DEFAULT_GAP_THRESHOLDS = GapFrequencyThresholds()

DECIMALS = 4
_TIERS = (Tier.MICRO_CAP, Tier.SMALL_CAP)
_DAY_1 = TIMEFRAME_COLUMN[Timeframe.DAY_1]


@dataclass(frozen=True, slots=True)
class _MemberMetrics:
    """Per-member arrays, in symbol order so that sums do not depend on the frame's row order."""

    rows: IntArray  # rows of the frame
    sector_index: IntArray
    returns: FloatArray  # (m, 4) fractions
    relative_volumes: FloatArray
    rank: FloatArray  # 0-10
    etf: EtfValidation


@dataclass(frozen=True, slots=True)
class _SectorScores:
    """(8, 4) rounded timeframe scores (NaN = no data), (8,) composite, confidence, color index,
    and the multipliers that produced them."""

    timeframe_scores: FloatArray
    composite: FloatArray
    confidence: FloatArray
    color_index: IntArray
    insufficient: npt.NDArray[np.bool_]  # (8,) fewer members than `min_members`
    min_members: int
    median_relative_volume: FloatArray  # (8,)
    volume_confirmation: FloatArray  # (8,)
    catalyst_density: FloatArray  # (8, 4)
    technical_context: FloatArray  # (8, 4)


@dataclass(frozen=True, slots=True)
class _SectorNews:
    """(8,) article counts of each sector's members and their net sentiment (NaN without news)."""

    articles: IntArray
    net_sentiment: FloatArray


@dataclass(frozen=True, slots=True)
class _SectorProfiles:
    """Measured context of each sector: its gap profile, its ETF check and its news."""

    gap_share: FloatArray  # (8,)
    gap_measured: IntArray
    gap_level: StrArray
    gap_level_difference: IntArray
    proxy_symbols: list[list[str]]
    news: _SectorNews
    volatility_ratio: FloatArray  # (8,) analytics.squeeze_risk
    squeeze_level: IntArray


@dataclass(frozen=True, slots=True)
class Selection:
    """The universe of a frame and the classification it was selected with."""

    selection: UniverseSelection
    classification: Classification


def _round(values: FloatArray) -> FloatArray:
    # Adding 0.0 turns the -0.0 that rounding leaves behind into 0.0.
    return np.round(values, DECIMALS) + 0.0


def _percent(fraction: float) -> float | None:
    return round(fraction * 100.0, DECIMALS) + 0.0 if math.isfinite(fraction) else None


def _rounded_or_none(value: float) -> float | None:
    return round(value, DECIMALS) + 0.0 if math.isfinite(value) else None


def _member_rows(frame: MarketFrame, selection: UniverseSelection) -> IntArray:
    rows = selection.member_rows
    return rows[np.argsort(frame.symbols[rows], kind="stable")]


def _news_rows(
    news: NewsCounts | None, rows: IntArray, sector_index: IntArray, proxies: tuple[IntArray, IntArray]
) -> tuple[NewsCounts, IntArray]:
    """News counts of the members and of the sector ETF proxies, with their sectors.

    Sector-wide stories ("tech stocks slide") are tagged with the sector's ETFs rather than its
    members, so a proxy's articles count toward its sector like a member's.
    """
    proxy_index, proxy_sectors = proxies
    news_rows = np.concatenate((rows, proxy_index))
    sectors = np.concatenate((sector_index, proxy_sectors))
    if news is None:
        empty = np.zeros(news_rows.shape[0])
        return NewsCounts(articles=empty, positive=empty, negative=empty), sectors
    counts = NewsCounts(
        articles=news.articles[news_rows],
        positive=news.positive[news_rows],
        negative=news.negative[news_rows],
    )
    return counts, sectors


def _sector_news(news: NewsCounts, sector_index: IntArray) -> _SectorNews:
    classified = sector_index >= 0
    sectors = sector_index[classified]

    def total(values: FloatArray) -> FloatArray:
        return np.bincount(sectors, weights=values[classified], minlength=SECTOR_COUNT).astype(np.float64)

    articles = total(news.articles)
    net = np.full(SECTOR_COUNT, np.nan)
    np.divide(total(news.positive) - total(news.negative), articles, out=net, where=articles > 0)
    return _SectorNews(articles=articles.astype(np.int64), net_sentiment=net)


def _score_sectors(
    frame: MarketFrame,
    rows: IntArray,
    sector_index: IntArray,
    returns: FloatArray,
    relative_volumes: FloatArray,
    per_sector: SectorReturns,
    volatility_weights: FloatArray,
    news: tuple[NewsCounts, IntArray],
    params: ScoreParams,
    freshness: float,
) -> _SectorScores:
    median_relative_volume = sector_medians(relative_volumes, sector_index)
    confirmation = volume_confirmations(median_relative_volume, params.volume_confirmation_range)
    positions = range_positions(frame.last_price[rows], frame.daily_high[rows], frame.daily_low[rows])
    direction = np.sign(np.nan_to_num(per_sector.weighted))
    context = technical_contexts(sector_medians(positions, sector_index), direction, params)
    news_counts, news_sectors = news
    catalyst = catalyst_densities(
        news_counts,
        news_sectors,
        per_sector.weighted,
        params.catalyst_density_range,
        params.catalyst_full_articles_per_stock,
    )
    raw_scores = timeframe_scores(
        per_sector.weighted,
        timeframe_scale_array(params),
        volatility_weights[:, np.newaxis],
        confirmation[:, np.newaxis],
        catalyst,
        context,
    )
    timeframe_weights = timeframe_weight_array(params)
    composite = _round(composite_scores(raw_scores, timeframe_weights))
    disagreement = (
        mean_disagreements(
            per_sector.weighted, per_sector.plain, timeframe_scale_array(params), timeframe_weights
        )
        if params.confidence_penalties
        else None
    )
    confidence = sector_confidences(
        composite, raw_scores, returns[:, _DAY_1], sector_index, freshness, disagreement
    )
    # Too few members to tell the sector from its loudest stock: neutral, no colour, no confidence.
    insufficient = np.bincount(sector_index[sector_index >= 0], minlength=SECTOR_COUNT) < params.min_members
    composite = np.where(insufficient, 0.0, composite)
    return _SectorScores(
        timeframe_scores=_round(raw_scores),
        composite=composite,
        confidence=_round(np.where(insufficient, 0.0, confidence)),
        color_index=color_indices_for_scores(composite),
        insufficient=insufficient,
        min_members=params.min_members,
        median_relative_volume=median_relative_volume,
        volume_confirmation=confirmation,
        catalyst_density=catalyst,
        technical_context=context,
    )


def _timeframe_results(
    per_sector: SectorReturns, scores: _SectorScores, sector: int, members: int
) -> dict[Timeframe, TimeframeResult]:
    """Each timeframe's result; one without data has no score, colour or weight in the composite."""
    results = {}
    for column, timeframe in enumerate(TIMEFRAMES):
        score = float(scores.timeframe_scores[sector, column])
        known = math.isfinite(score)
        results[timeframe] = TimeframeResult(
            return_pct=_percent(float(per_sector.weighted[sector, column])),
            plain_mean_pct=_percent(float(per_sector.plain[sector, column])),
            adjusted_return_pct=_percent(float(per_sector.adjusted[sector, column])),
            alpha_pct=_percent(float(per_sector.alpha[sector, column])),
            score=score if known else None,
            color=color_for_score(score) if known else None,
            missing_reason=None if known else missing_timeframe_reason(timeframe, members),
        )
    return results


def _by_timeframe(values: FloatArray) -> dict[Timeframe, float]:
    return {timeframe: round(float(values[column]), DECIMALS) for column, timeframe in enumerate(TIMEFRAMES)}


def _factors(scores: _SectorScores, news: _SectorNews, sector: int) -> SectorFactors:
    return SectorFactors(
        median_relative_volume=_rounded_or_none(float(scores.median_relative_volume[sector])),
        volume_confirmation=round(float(scores.volume_confirmation[sector]), DECIMALS),
        catalyst_density=_by_timeframe(scores.catalyst_density[sector]),
        technical_context=_by_timeframe(scores.technical_context[sector]),
        news_articles=int(news.articles[sector]),
        news_net_sentiment=_rounded_or_none(float(news.net_sentiment[sector])),
    )


def _ranked(frame: MarketFrame, stocks: _MemberMetrics, rows: IntArray) -> list[TopStock]:
    return [
        TopStock(
            symbol=str(frame.symbols[member]),
            name=str(frame.names[member]),
            change_pct=_percent(float(stocks.returns[row, _DAY_1])) or 0.0,
            relative_volume=_rounded_or_none(float(stocks.relative_volumes[row])),
            rank_score=round(float(stocks.rank[row]), DECIMALS),
        )
        for row, member in zip(rows.tolist(), stocks.rows[rows].tolist(), strict=True)
    ]


def _sector_result(
    frame: MarketFrame,
    sector: int,
    stocks: _MemberMetrics,
    per_sector: SectorReturns,
    scores: _SectorScores,
    top: SectorTopStocks,
    volatility_weights: FloatArray,
    volatility: VolatilityWeightConfig,
    profiles: _SectorProfiles,
) -> SectorCard:
    info = SECTOR_MAPPING[SECTORS[sector]]
    color = COLORS[int(scores.color_index[sector])]
    gap_level = str(profiles.gap_level[sector])
    members = int(np.count_nonzero(stocks.sector_index == sector))
    return SectorCard(
        sector=SECTORS[sector],
        label=info.label,
        etf_proxy=info.etf_proxy,
        score=float(scores.composite[sector]),
        color=color,
        signal=SIGNAL_BY_COLOR[color],
        confidence=float(scores.confidence[sector]),
        stock_count=members,
        insufficient_data=bool(scores.insufficient[sector]),
        insufficient_reason=(
            insufficient_data_reason(members, scores.min_members) if scores.insufficient[sector] else None
        ),
        volatility_weight=round(float(volatility_weights[sector]), DECIMALS),
        timeframes=_timeframe_results(per_sector, scores, sector, members),
        top_bullish=_ranked(frame, stocks, top.bullish_rows),
        top_bearish=_ranked(frame, stocks, top.bearish_rows),
        bullish_note=top.bullish_note,
        bearish_note=top.bearish_note,
        volatility_weight_source=volatility.weights_source,
        factors=_factors(scores, profiles.news, sector),
        gap_profile=GapProfile(
            configured=info.gap_frequency,
            measured=gap_level or None,
            gap_share_pct=_percent(float(profiles.gap_share[sector])),
            stocks_measured=int(profiles.gap_measured[sector]),
            level_difference=int(profiles.gap_level_difference[sector]),
        ),
        etf_check=EtfCheck(
            proxies=profiles.proxy_symbols[sector],
            agreement=_rounded_or_none(float(stocks.etf.sector_agreement[sector])),
            stocks_measured=int(stocks.etf.sector_measured[sector]),
        ),
        squeeze_risk=_squeeze_risk(profiles, sector),
    )


def _squeeze_risk(profiles: _SectorProfiles, sector: int) -> SectorSqueezeRisk:
    code = int(profiles.squeeze_level[sector])
    level = None if code == NO_LEVEL else SQUEEZE_RISK_LEVELS[code]
    history = SQUEEZE_HISTORY.get(level) if level is not None else None
    return SectorSqueezeRisk(
        level=level,
        volatility_ratio=_rounded_or_none(float(profiles.volatility_ratio[sector])),
        squeezed_pct=None if history is None else history.squeezed_pct,
        normal_squeezed_pct=None if history is None else history.normal_squeezed_pct,
    )


def _members(
    frame: MarketFrame,
    stocks: _MemberMetrics,
    selection: UniverseSelection,
    classification: Classification,
    volatility_weights: FloatArray,
) -> list[UniverseMember]:
    rows = stocks.rows
    etf_agrees = [
        bool(agrees) if measured else None
        for agrees, measured in zip(stocks.etf.agrees.tolist(), stocks.etf.measured.tolist(), strict=True)
    ]
    columns = zip(
        frame.symbols[rows].tolist(),
        frame.names[rows].tolist(),
        frame.exchanges[rows].tolist(),
        selection.tier[rows].tolist(),
        stocks.sector_index.tolist(),
        frame.market_cap[rows].tolist(),
        selection.avg_daily_volume[rows].tolist(),
        frame.float_shares[rows].tolist(),
        frame.sic_codes[rows].tolist(),
        classification.confidence[rows].tolist(),
        classification.source[rows].tolist(),
        etf_agrees,
        _round(selection.gap_share[rows]).tolist(),
        _round(stocks.returns * 100.0).tolist(),
        _round(stocks.relative_volumes).tolist(),
        _round(stocks.rank).tolist(),
        strict=True,
    )
    weights = _round(volatility_weights).tolist()
    return [
        UniverseMember(
            symbol=symbol,
            name=name,
            exchange=exchange,
            tier=_TIERS[tier],
            sector=SECTORS[sector],
            market_cap=market_cap,
            avg_daily_volume=avg_daily_volume,
            float_shares=float_shares if math.isfinite(float_shares) else None,
            sic_code=sic_code if sic_code >= 0 else None,
            volatility_multiplier=weights[sector],
            classification_confidence=confidence,
            classification_source=source,
            etf_agrees=agrees,
            gap_share=gap_share if math.isfinite(gap_share) else None,
            returns_pct={
                timeframe: value if math.isfinite(value) else None
                for timeframe, value in zip(TIMEFRAMES, returns_pct, strict=True)
            },
            relative_volume=relative if math.isfinite(relative) else None,
            rank_score=rank,
        )
        for (
            symbol,
            name,
            exchange,
            tier,
            sector,
            market_cap,
            avg_daily_volume,
            float_shares,
            sic_code,
            confidence,
            source,
            agrees,
            gap_share,
            returns_pct,
            relative,
            rank,
        ) in columns
    ]


def _exclusions(frame: MarketFrame, selection: UniverseSelection) -> dict[str, str]:
    excluded = np.flatnonzero(~selection.mask)
    return dict(
        zip(frame.symbols[excluded].tolist(), selection.exclusion_reason[excluded].tolist(), strict=True)
    )


def select_members(
    frame: MarketFrame,
    criteria: UniverseCriteria = DEFAULT_CRITERIA,
    *,
    fmp_sectors: Mapping[str, str] | None = None,
    overrides: Mapping[str, str] | None = None,
    screened: UniverseSelection | None = None,
) -> Selection:
    """Screen the listings, classify those that pass, require a sector, then apply the size cap.

    `screened` is `screen_listings(frame, criteria)` when the caller already has it (the engine
    screens first to know which symbols need an FMP sector).
    """
    screened = screened if screened is not None else screen_listings(frame, criteria)
    # Only listings that pass the per-listing criteria need a sector, which keeps the name search small.
    classification = classify(frame, fmp_sectors=fmp_sectors, overrides=overrides, rows=screened.mask)
    with_sector = apply_stage(screened, "sector", classification.sector_index >= 0)
    return Selection(apply_size_cap(with_sector, frame.symbols, criteria.max_size), classification)


def _benchmark_close(frame: MarketFrame) -> FloatArray | None:
    rows = np.flatnonzero(frame.symbols == BENCHMARK_SYMBOL)
    return None if rows.size == 0 else frame.daily_close[int(rows[0])]


def _etf_validation(
    frame: MarketFrame,
    rows: IntArray,
    sector_index: IntArray,
    proxy_and_sectors: tuple[IntArray, IntArray],
    benchmark_close: FloatArray | None,
) -> tuple[EtfValidation, list[list[str]]]:
    proxies, proxy_sectors = proxy_and_sectors
    validation = validate_with_etfs(
        frame.daily_close[rows],
        sector_index,
        frame.daily_close[proxies],
        proxy_sectors,
        benchmark_close if REMOVE_BENCHMARK_BETA else None,
    )
    proxy_symbols: list[list[str]] = [[] for _ in SECTORS]
    for symbol, sector in zip(frame.symbols[proxies].tolist(), proxy_sectors.tolist(), strict=True):
        proxy_symbols[sector].append(symbol)
    return validation, [sorted(symbols) for symbols in proxy_symbols]


def analyze(
    frame: MarketFrame,
    criteria: UniverseCriteria = DEFAULT_CRITERIA,
    score_params: ScoreParams = DEFAULT_SCORE_PARAMS,
    ranking_params: RankingParams = DEFAULT_RANKING_PARAMS,
    volatility: VolatilityWeightConfig = DEFAULT_VOLATILITY,
    freshness: float = 1.0,
    news: NewsCounts | None = None,
    *,
    fmp_sectors: Mapping[str, str] | None = None,
    overrides: Mapping[str, str] | None = None,
    gap_thresholds: GapFrequencyThresholds = DEFAULT_GAP_THRESHOLDS,
    screened: UniverseSelection | None = None,
    squeeze_bounds: SqueezeRiskBounds = DEFAULT_SQUEEZE_RISK_BOUNDS,
) -> AnalysisResult:
    """Analyse one market frame: every sector (in vocabulary order, empty ones included) and the universe.

    `freshness` in [0, 1] is how current the data is (it feeds confidence); `news` holds article
    counts per frame row (catalyst density is 1.0 without it); `fmp_sectors` and `overrides` map
    symbols to sector names for classification.
    """
    chosen = select_members(frame, criteria, fmp_sectors=fmp_sectors, overrides=overrides, screened=screened)
    selection, classification = chosen.selection, chosen.classification

    rows = _member_rows(frame, selection)
    sector_index = classification.sector_index[rows]
    last_price = frame.last_price[rows]
    returns = stock_returns(last_price, frame.price_30m_ago[rows], frame.daily_close[rows])
    relative_volumes = relative_volume(
        frame.session_volume[rows],
        selection.avg_daily_volume[rows],
        frame.volume_fraction_expected,
        volume_fraction_floor=volume_fraction_after_minutes(score_params.relative_volume_floor_minutes),
    )
    # Looked up once: the volatility weights, the news and the ETF check all use them.
    benchmark_close = _benchmark_close(frame)
    proxies = proxy_rows(frame.symbols)
    measured = (
        None
        if volatility.weights_source == "static"
        else measured_volatility_weights(frame.daily_close[rows], sector_index, benchmark_close, volatility)
    )
    volatility_weights = volatility_weight_array(volatility, measured)
    benchmark = benchmark_returns(frame)
    per_sector = sector_returns(
        returns, sector_index, relative_volumes, volatility_weights, benchmark, score_params
    )
    sector_news = _news_rows(news, rows, sector_index, proxies)
    scores = _score_sectors(
        frame,
        rows,
        sector_index,
        returns,
        relative_volumes,
        per_sector,
        volatility_weights,
        sector_news,
        score_params,
        freshness,
    )
    one_day_moves = returns[:, _DAY_1]
    rank = rank_scores(
        one_day_moves,
        relative_volumes,
        direction_for_color_indices(scores.color_index)[sector_index],
        frame.float_shares[rows],
        selection.avg_daily_volume[rows],
        last_price,
        ranking_params,
    )
    etf, proxy_symbols = _etf_validation(frame, rows, sector_index, proxies, benchmark_close)
    gap_share, gap_measured = sector_gap_profile(selection.gap_share[rows], sector_index)
    gap_level = gap_frequency_levels(gap_share, gap_thresholds)
    volatility_ratio = sector_volatility_ratio(
        member_volatility_pct(frame.daily_close[rows]), sector_index, SECTOR_COUNT
    )
    profiles = _SectorProfiles(
        gap_share=gap_share,
        gap_measured=gap_measured,
        gap_level=gap_level,
        gap_level_difference=gap_level_distance(
            gap_level, [SECTOR_MAPPING[sector].gap_frequency for sector in SECTORS]
        ),
        proxy_symbols=proxy_symbols,
        news=_sector_news(*sector_news),
        volatility_ratio=volatility_ratio,
        squeeze_level=squeeze_risk_levels(volatility_ratio, squeeze_bounds),
    )
    stocks = _MemberMetrics(rows, sector_index, returns, relative_volumes, rank, etf)
    tops = top_stocks(
        rank, one_day_moves, sector_index, frame.symbols[rows], scores.composite, ranking_params
    )
    return AnalysisResult(
        as_of=frame.as_of,
        current_session=frame.current_session,
        benchmark_symbol=BENCHMARK_SYMBOL,
        benchmark_returns_pct={
            timeframe: _percent(float(benchmark[column])) for column, timeframe in enumerate(TIMEFRAMES)
        },
        sectors=[
            _sector_result(
                frame,
                sector,
                stocks,
                per_sector,
                scores,
                tops[sector],
                volatility_weights,
                volatility,
                profiles,
            )
            for sector in range(SECTOR_COUNT)
        ],
        funnel=selection.funnel,
        members=_members(frame, stocks, selection, classification, volatility_weights),
        exclusions=_exclusions(frame, selection),
    )
