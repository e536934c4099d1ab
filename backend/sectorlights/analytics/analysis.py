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

from sectorlights.analytics.classification import Classification, classify
from sectorlights.analytics.performance import (
    SECTOR_COUNT,
    TIMEFRAME_COLUMN,
    SectorReturns,
    benchmark_returns,
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
    range_positions,
    sector_confidences,
    technical_contexts,
    timeframe_scale_array,
    timeframe_scores,
    timeframe_weight_array,
    volume_confirmations,
)
from sectorlights.analytics.universe import (
    DEFAULT_CRITERIA,
    UniverseSelection,
    apply_size_cap,
    apply_stage,
    screen_listings,
)
from sectorlights.config.criteria import RankingParams, ScoreParams, UniverseCriteria
from sectorlights.config.sectors import BENCHMARK_SYMBOL, SECTOR_MAPPING
from sectorlights.config.volatility_weights import VolatilityWeightConfig
from sectorlights.domain.frame import FloatArray, IntArray, MarketFrame
from sectorlights.domain.results import (
    AnalysisResult,
    RankedStock,
    SectorResult,
    TimeframeResult,
    UniverseMember,
)
from sectorlights.domain.vocabulary import (
    COLORS,
    SECTORS,
    SIGNAL_BY_COLOR,
    TIMEFRAMES,
    Sector,
    Tier,
    Timeframe,
)

DEFAULT_SCORE_PARAMS = ScoreParams()
DEFAULT_RANKING_PARAMS = RankingParams()
DEFAULT_VOLATILITY = VolatilityWeightConfig()

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


@dataclass(frozen=True, slots=True)
class _SectorScores:
    """(8, 4) rounded timeframe scores (NaN = no data) and (8,) composite, confidence, color index."""

    timeframe_scores: FloatArray
    composite: FloatArray
    confidence: FloatArray
    color_index: IntArray


def _round(values: FloatArray) -> FloatArray:
    # Adding 0.0 turns the -0.0 that rounding leaves behind into 0.0.
    return np.round(values, DECIMALS) + 0.0


def _percent(fraction: float) -> float | None:
    return round(fraction * 100.0, DECIMALS) + 0.0 if math.isfinite(fraction) else None


def _rounded_or_none(value: float) -> float | None:
    return round(value, DECIMALS) + 0.0 if math.isfinite(value) else None


def _catalyst_densities(catalyst_density: Mapping[Sector, float] | None, params: ScoreParams) -> FloatArray:
    """(8,) catalyst multipliers, 1.0 where no news has been scored, clipped to the allowed range."""
    given = catalyst_density or {}
    low, high = params.catalyst_density_range
    return np.clip(np.array([given.get(sector, 1.0) for sector in SECTORS], dtype=np.float64), low, high)


def _member_rows(frame: MarketFrame, selection: UniverseSelection) -> IntArray:
    rows = selection.member_rows
    return rows[np.argsort(frame.symbols[rows], kind="stable")]


def _score_sectors(
    frame: MarketFrame,
    rows: IntArray,
    sector_index: IntArray,
    returns: FloatArray,
    relative_volumes: FloatArray,
    per_sector: SectorReturns,
    volatility_weights: FloatArray,
    catalyst_density: FloatArray,
    params: ScoreParams,
    freshness: float,
) -> _SectorScores:
    confirmation = volume_confirmations(
        sector_medians(relative_volumes, sector_index), params.volume_confirmation_range
    )
    positions = range_positions(frame.last_price[rows], frame.daily_high[rows], frame.daily_low[rows])
    direction = np.sign(np.nan_to_num(per_sector.weighted))
    context = technical_contexts(sector_medians(positions, sector_index), direction, params)
    raw_scores = timeframe_scores(
        per_sector.weighted,
        timeframe_scale_array(params),
        volatility_weights[:, np.newaxis],
        confirmation[:, np.newaxis],
        catalyst_density[:, np.newaxis],
        context,
    )
    composite = _round(composite_scores(raw_scores, timeframe_weight_array(params)))
    confidence = sector_confidences(composite, raw_scores, returns[:, _DAY_1], sector_index, freshness)
    return _SectorScores(
        timeframe_scores=_round(raw_scores),
        composite=composite,
        confidence=_round(confidence),
        color_index=color_indices_for_scores(composite),
    )


def _timeframe_results(
    per_sector: SectorReturns, scores: _SectorScores, sector: int
) -> dict[Timeframe, TimeframeResult]:
    results = {}
    for column, timeframe in enumerate(TIMEFRAMES):
        score = float(scores.timeframe_scores[sector, column])
        known_score = score if math.isfinite(score) else 0.0
        results[timeframe] = TimeframeResult(
            return_pct=_percent(float(per_sector.weighted[sector, column])),
            plain_mean_pct=_percent(float(per_sector.plain[sector, column])),
            adjusted_return_pct=_percent(float(per_sector.adjusted[sector, column])),
            alpha_pct=_percent(float(per_sector.alpha[sector, column])),
            score=known_score,
            color=color_for_score(known_score),
        )
    return results


def _ranked(frame: MarketFrame, stocks: _MemberMetrics, rows: IntArray) -> list[RankedStock]:
    return [
        RankedStock(
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
) -> SectorResult:
    info = SECTOR_MAPPING[SECTORS[sector]]
    color = COLORS[int(scores.color_index[sector])]
    return SectorResult(
        sector=SECTORS[sector],
        label=info.label,
        etf_proxy=info.etf_proxy,
        score=float(scores.composite[sector]),
        color=color,
        signal=SIGNAL_BY_COLOR[color],
        confidence=float(scores.confidence[sector]),
        stock_count=int(np.count_nonzero(stocks.sector_index == sector)),
        volatility_weight=float(volatility_weights[sector]),
        timeframes=_timeframe_results(per_sector, scores, sector),
        top_bullish=_ranked(frame, stocks, top.bullish_rows),
        top_bearish=_ranked(frame, stocks, top.bearish_rows),
        bullish_note=top.bullish_note,
        bearish_note=top.bearish_note,
    )


def _members(
    frame: MarketFrame,
    stocks: _MemberMetrics,
    selection: UniverseSelection,
    classification: Classification,
    volatility_weights: FloatArray,
) -> list[UniverseMember]:
    rows = stocks.rows
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
        strict=True,
    )
    weights = volatility_weights.tolist()
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
        ) in columns
    ]


def analyze(
    frame: MarketFrame,
    criteria: UniverseCriteria = DEFAULT_CRITERIA,
    score_params: ScoreParams = DEFAULT_SCORE_PARAMS,
    ranking_params: RankingParams = DEFAULT_RANKING_PARAMS,
    volatility: VolatilityWeightConfig = DEFAULT_VOLATILITY,
    freshness: float = 1.0,
    catalyst_density: Mapping[Sector, float] | None = None,
) -> AnalysisResult:
    """Analyse one market frame: every sector (in vocabulary order, empty ones included) and the universe.

    `freshness` in [0, 1] is how current the data is (it feeds confidence); `catalyst_density`
    per sector defaults to 1.0 until news is scored.
    """
    screened = screen_listings(frame, criteria)
    # Only listings that pass the per-listing criteria need a sector, which keeps the name search small.
    classification = classify(frame, rows=screened.mask)
    with_sector = apply_stage(screened, "sector", classification.sector_index >= 0)
    selection = apply_size_cap(with_sector, frame.symbols, criteria.max_size)

    rows = _member_rows(frame, selection)
    sector_index = classification.sector_index[rows]
    last_price = frame.last_price[rows]
    returns = stock_returns(last_price, frame.price_30m_ago[rows], frame.daily_close[rows])
    relative_volumes = relative_volume(
        frame.session_volume[rows], selection.avg_daily_volume[rows], frame.volume_fraction_expected
    )
    volatility_weights = volatility_weight_array(volatility)
    benchmark = benchmark_returns(frame)
    per_sector = sector_returns(
        returns, sector_index, relative_volumes, volatility_weights, benchmark, score_params
    )
    scores = _score_sectors(
        frame,
        rows,
        sector_index,
        returns,
        relative_volumes,
        per_sector,
        volatility_weights,
        _catalyst_densities(catalyst_density, score_params),
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
    stocks = _MemberMetrics(rows, sector_index, returns, relative_volumes, rank)
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
            _sector_result(frame, sector, stocks, per_sector, scores, tops[sector], volatility_weights)
            for sector in range(SECTOR_COUNT)
        ],
        funnel=selection.funnel,
        members=_members(frame, stocks, selection, classification, volatility_weights),
    )
