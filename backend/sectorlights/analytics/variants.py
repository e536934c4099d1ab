"""The literature's simple sector predictors, scored like the composite on the same cells.

Arrays in, numbers out. Per session, each universe member's closes on a fixed window of sessions
(`WINDOW`) give per-sector predictors: breadth (share of members up on the session), momentum over
1W and 1M (equal-weight mean member return), short-term reversal (minus momentum) and relative
strength against the benchmark over 1D and 1W. Stacked over sessions they are scored with the same
hit rates, intervals, rank correlation and mean returns as the composite (analytics/backtest.py),
against the next session's sector return, absolute or in excess of the benchmark's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from sectorlights.analytics.backtest import (
    BacktestInputs,
    BoolArray,
    HitRate,
    MeanReturn,
    RankCorrelation,
    directional_hits,
    hit_rate,
    mean_return,
    rank_correlation,
)
from sectorlights.domain.frame import FloatArray, IntArray

WEEK_SESSIONS = 5
MONTH_SESSIONS = 21
# Columns of the closes handed to `session_variants`: sessions counted from the scored one (0).
WINDOW = (-MONTH_SESSIONS, -WEEK_SESSIONS, -1, 0, 1)
MONTH_AGO, WEEK_AGO, DAY_AGO, SESSION, NEXT = range(len(WINDOW))
# Breadth calls up when more than this share of the members rose.
BREADTH_MIDPOINT = 0.5


@dataclass(frozen=True, slots=True)
class SessionVariants:
    """One session's raw predictors per sector (K,), NaN where the sector had no usable member."""

    breadth_share: FloatArray  # members up on the session / members with a session return
    momentum_1w_pct: FloatArray
    momentum_1m_pct: FloatArray
    relative_strength_1d_pct: FloatArray  # sector's 1D return minus the benchmark's
    relative_strength_1w_pct: FloatArray
    benchmark_next_pct: float  # the benchmark's next-session return, NaN when unknown


@dataclass(frozen=True, slots=True)
class VariantInputs:
    """`SessionVariants` stacked over S sessions: (S, K), the benchmark's next return (S,)."""

    breadth_share: FloatArray
    momentum_1w_pct: FloatArray
    momentum_1m_pct: FloatArray
    relative_strength_1d_pct: FloatArray
    relative_strength_1w_pct: FloatArray
    benchmark_next_pct: FloatArray


@dataclass(frozen=True, slots=True)
class VariantScore:
    """One predictor against one outcome."""

    hit_rate: HitRate  # every cell where it calls and the outcome has a sign
    # Only the cells where the composite calls too: a paired comparison with the composite.
    on_composite_cells: HitRate
    rank_correlation: RankCorrelation
    mean_next_when_up: MeanReturn  # the outcome's mean where the predictor calls up
    mean_next_when_down: MeanReturn


def window_returns_pct(closes: FloatArray, start: int, end: int) -> FloatArray:
    """Per row, percent return from column `start` to `end`; NaN unless both closes are known and > 0."""
    first, last = closes[:, start], closes[:, end]
    out = np.full(first.shape, np.nan)
    np.divide(last, first, out=out, where=np.isfinite(first) & (first > 0) & np.isfinite(last))
    return (out - 1.0) * 100.0


def sector_mean(sectors: IntArray, values: FloatArray, sector_count: int) -> FloatArray:
    """(K,) mean of the finite `values` of each sector's rows; NaN for a sector without one."""
    usable = np.isfinite(values)
    counts = np.bincount(sectors[usable], minlength=sector_count)
    sums = np.bincount(sectors[usable], weights=values[usable], minlength=sector_count)
    means = np.full(sector_count, np.nan)
    np.divide(sums, counts, out=means, where=counts > 0)
    return means


def session_variants(
    sectors: IntArray, member_closes: FloatArray, benchmark_closes: FloatArray, sector_count: int
) -> SessionVariants:
    """The predictors of one session from its members' closes (n, len(WINDOW)), their sector codes
    (n,) and the benchmark's closes (len(WINDOW),), columns in `WINDOW` order."""
    day = window_returns_pct(member_closes, DAY_AGO, SESSION)
    benchmark = benchmark_closes.reshape(1, -1)
    benchmark_day = float(window_returns_pct(benchmark, DAY_AGO, SESSION)[0])
    benchmark_week = float(window_returns_pct(benchmark, WEEK_AGO, SESSION)[0])
    up = np.where(np.isfinite(day), (day > 0).astype(np.float64), np.nan)
    week = sector_mean(sectors, window_returns_pct(member_closes, WEEK_AGO, SESSION), sector_count)
    return SessionVariants(
        breadth_share=sector_mean(sectors, up, sector_count),
        momentum_1w_pct=week,
        momentum_1m_pct=sector_mean(
            sectors, window_returns_pct(member_closes, MONTH_AGO, SESSION), sector_count
        ),
        relative_strength_1d_pct=sector_mean(sectors, day, sector_count) - benchmark_day,
        relative_strength_1w_pct=week - benchmark_week,
        benchmark_next_pct=float(window_returns_pct(benchmark, SESSION, NEXT)[0]),
    )


def stack_sessions(rows: Sequence[SessionVariants | None], sector_count: int) -> VariantInputs:
    """Sessions stacked in order; a session without variants (None) is NaN throughout."""
    blank = np.full(sector_count, np.nan)

    def column(name: str) -> FloatArray:
        values = [blank if row is None else getattr(row, name) for row in rows]
        return np.array(values, dtype=np.float64).reshape(len(rows), sector_count)

    return VariantInputs(
        breadth_share=column("breadth_share"),
        momentum_1w_pct=column("momentum_1w_pct"),
        momentum_1m_pct=column("momentum_1m_pct"),
        relative_strength_1d_pct=column("relative_strength_1d_pct"),
        relative_strength_1w_pct=column("relative_strength_1w_pct"),
        benchmark_next_pct=np.array(
            [np.nan if row is None else row.benchmark_next_pct for row in rows], dtype=np.float64
        ),
    )


def predictors(variants: VariantInputs) -> dict[str, FloatArray]:
    """Each variant as a signed (S, K) predictor: its sign is the call, 0 or NaN no call."""
    return {
        "breadth": variants.breadth_share - BREADTH_MIDPOINT,
        "momentum_1w": variants.momentum_1w_pct,
        "momentum_1m": variants.momentum_1m_pct,
        "reversal_1w": -variants.momentum_1w_pct,
        "reversal_1m": -variants.momentum_1m_pct,
        "relative_strength_1d": variants.relative_strength_1d_pct,
        "relative_strength_1w": variants.relative_strength_1w_pct,
    }


def excess_inputs(inputs: BacktestInputs, benchmark_next_pct: FloatArray) -> BacktestInputs:
    """The same inputs with the next return replaced by its excess over the benchmark's next return."""
    return replace(inputs, next_return_pct=inputs.next_return_pct - benchmark_next_pct[:, np.newaxis])


def score_predictor(
    predictor: FloatArray, outcome: FloatArray, composite_valid: BoolArray, seed: int, resamples: int = 2000
) -> VariantScore:
    """One predictor's hit rates, rank correlation and the outcome's mean by call."""
    hits, valid = directional_hits(predictor, outcome)
    return VariantScore(
        hit_rate=hit_rate(hits, valid, seed, resamples),
        on_composite_cells=hit_rate(hits, valid & composite_valid, seed, resamples),
        rank_correlation=rank_correlation(predictor, outcome, seed),
        mean_next_when_up=mean_return(outcome, predictor > 0, seed),
        mean_next_when_down=mean_return(outcome, predictor < 0, seed),
    )


def score_variants(
    variants: VariantInputs, composite: FloatArray, outcome: FloatArray, seed: int, resamples: int = 2000
) -> dict[str, VariantScore]:
    """Every variant against `outcome` (S, K), on the cells the composite `composite` (S, K) is scored on."""
    _, composite_valid = directional_hits(composite, outcome)
    return {
        name: score_predictor(predictor, outcome, composite_valid, seed, resamples)
        for name, predictor in predictors(variants).items()
    }
