"""One analysis of a built frame with every input the engine gathers: classification sources, news,
volatility weights. The service and the tests that check scenarios end to end share this path."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sectorlights.analytics.analysis import analyze
from sectorlights.analytics.catalysts import NewsCounts, news_counts
from sectorlights.analytics.universe import screen_listings
from sectorlights.config.criteria import ScoreParams, score_params_for_rules
from sectorlights.config.volatility_weights import VolatilityWeightConfig
from sectorlights.domain.frame import MarketFrame
from sectorlights.domain.results import AnalysisResult
from sectorlights.engine.classification_sources import ClassificationSources
from sectorlights.providers.base import MarketDataProvider
from sectorlights.settings import AnalysisSettings

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[str, float], None]


@dataclass(frozen=True, slots=True)
class AnalysisInputs:
    """What a run adds to the frame; built once from the settings."""

    sources: ClassificationSources
    volatility: VolatilityWeightConfig
    news_lookback: timedelta
    score_params: ScoreParams

    @classmethod
    def from_settings(cls, settings: AnalysisSettings, sources: ClassificationSources) -> AnalysisInputs:
        return cls(
            sources=sources,
            volatility=VolatilityWeightConfig(
                weights_source=settings.volatility_weights, hybrid_blend=settings.volatility_hybrid_blend
            ),
            news_lookback=timedelta(hours=settings.news_lookback_hours),
            score_params=score_params_for_rules(
                settings.score_rules,
                ScoreParams(relative_volume_floor_minutes=settings.relative_volume_floor_minutes),
            ),
        )


def recent_news(
    provider: MarketDataProvider, frame: MarketFrame, now: datetime, lookback: timedelta
) -> NewsCounts | None:
    """Articles per listing over the lookback window; None (neutral catalysts) when unavailable."""
    if not provider.capabilities.news:
        return None
    try:
        items = provider.news(now - lookback, now)
    except Exception as error:  # news only nudges the scores: the run goes on without it
        logger.warning("news unavailable, catalyst density left neutral: %s", error)
        return None
    return news_counts(items, frame.symbols)


def analyze_market(
    provider: MarketDataProvider,
    frame: MarketFrame,
    inputs: AnalysisInputs,
    progress: ProgressCallback | None = None,
    wall_now: datetime | None = None,
) -> AnalysisResult:
    """Classification inputs for the listings that pass the screen, the news, then `analyze`.

    `wall_now` is the real time that stored outside sectors age by (the market clock may be frozen
    in the past); the frame's time by default.
    """

    def report(stage: str, percent: float) -> None:
        if progress is not None:
            progress(stage, percent)

    report("classification", 65.0)
    screened = screen_listings(frame)
    candidates = frame.symbols[screened.mask].tolist()
    classification = inputs.sources.inputs(candidates, wall_now or frame.as_of)
    report("news", 70.0)
    news = recent_news(provider, frame, frame.as_of, inputs.news_lookback)
    report("analysis", 75.0)
    return analyze(
        frame,
        score_params=inputs.score_params,
        volatility=inputs.volatility,
        news=news,
        fmp_sectors=classification.fmp_sectors,
        overrides=classification.overrides,
        screened=screened,
    )
