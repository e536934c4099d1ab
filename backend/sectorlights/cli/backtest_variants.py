"""The backtest report's "variants" and "excess" blocks: the literature's simple predictors beside the
composite, and every predictor against the next-session return in excess of the benchmark's."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sectorlights.analytics.backtest import BacktestStats
    from sectorlights.engine.backtest import BacktestRun

OUTCOMES = {
    "absolute": "next-session sector return (equal-weight)",
    "excess": "next-session sector return minus IWM's (equal-weight)",
}
DEFINITIONS = {
    "breadth": "share of the sector's universe members up on the session, called by sign(share - 0.5)",
    "momentum_1w": "equal-weight mean member return over the last 5 sessions",
    "momentum_1m": "equal-weight mean member return over the last 21 sessions",
    "reversal_1w": "minus momentum_1w",
    "reversal_1m": "minus momentum_1m",
    "relative_strength_1d": "sector's equal-weight member return on the session minus IWM's",
    "relative_strength_1w": "sector's equal-weight member return over 5 sessions minus IWM's",
}


def variant_blocks(
    run: BacktestRun, seed: int, resamples: int, stats_json: Callable[[BacktestStats], dict[str, Any]]
) -> dict[str, Any]:
    """{"variants": every variant on both outcomes, "excess": the composite's statistics on the excess
    outcome}; both empty without a scored session. Same cells, seed and resamples as the composite."""
    from sectorlights.analytics.backtest import backtest_stats
    from sectorlights.analytics.variants import excess_inputs, score_variants, stack_sessions
    from sectorlights.domain.vocabulary import SECTORS

    if not run.outcomes:
        return {"variants": {}, "excess": {}}
    absolute = run.inputs("equal")
    stacked = stack_sessions([row.variants for row in run.outcomes], len(SECTORS))
    excess = excess_inputs(absolute, stacked.benchmark_next_pct)
    variants: dict[str, Any] = {"definitions": DEFINITIONS, "outcomes": OUTCOMES}
    for outcome, inputs in (("absolute", absolute), ("excess", excess)):
        scores = score_variants(stacked, inputs.scores, inputs.next_return_pct, seed, resamples)
        variants[outcome] = {name: asdict(score) for name, score in scores.items()}
    return {"variants": variants, "excess": stats_json(backtest_stats(excess, seed, resamples))}
