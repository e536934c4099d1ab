"""Backtest statistics: how often a sector's sign called the next session's sector return.

Arrays in, numbers out. Rows are sessions, columns sectors. A prediction is the sign of a score
(0 or NaN: no call); an outcome the sign of the next session's return (0 or NaN: nothing to call).
Only cells with both a call and an outcome count. Intervals: Wilson 95 % (cells treated as
independent) and a day-block bootstrap (whole sessions resampled with replacement, so the sectors of
one day, which move together, stay together); the bootstrap is the honest one of the two.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sectorlights.analytics.intervals import Interval, wilson_interval
from sectorlights.domain.frame import FloatArray, IntArray
from sectorlights.domain.vocabulary import COLORS, Color

BoolArray = npt.NDArray[np.bool_]

# Colour codes: the index into COLORS; -1 where a sector had no colour that session.
NEUTRAL_CODE = COLORS.index(Color.BLUE_NEUTRAL)
ROLLING_WINDOW_SESSIONS = 60


@dataclass(frozen=True, slots=True)
class HitRate:
    hits: int
    total: int
    rate: float | None
    wilson: Interval
    bootstrap: Interval


@dataclass(frozen=True, slots=True)
class MeanReturn:
    count: int
    mean_pct: float | None
    bootstrap: Interval


@dataclass(frozen=True, slots=True)
class RankCorrelation:
    # Spearman across sectors within each session, averaged over sessions with >= 3 usable sectors.
    per_session_mean: float | None
    sessions: int
    bootstrap: Interval
    # Spearman over every (session, sector) cell at once.
    pooled: float | None
    cells: int


@dataclass(frozen=True, slots=True)
class BacktestInputs:
    """Everything scored, aligned: S sessions x K sectors (x T timeframes)."""

    scores: FloatArray  # (S, K) composite score, NaN where none
    colors: IntArray  # (S, K) colour code (index into COLORS), -1 where none
    timeframe_scores: FloatArray  # (S, K, T), NaN where none
    same_day_return_pct: FloatArray  # (S, K) the sector's return on the scored session
    next_return_pct: FloatArray  # (S, K) the sector's return on the following session
    benchmark_same_day_pct: FloatArray  # (S,) IWM's return on the scored session


@dataclass(frozen=True, slots=True)
class BacktestStats:
    overall: HitRate
    non_neutral: HitRate
    by_color: dict[str, HitRate]
    by_sector: list[HitRate]  # in the column order of the inputs
    by_timeframe: list[HitRate]  # in the timeframe order of the inputs
    baselines: dict[str, HitRate]
    rank_correlation: RankCorrelation
    mean_next_return_by_color: dict[str, MeanReturn]
    rolling_hit_rate: list[float | None]  # per session, over the last ROLLING_WINDOW_SESSIONS


def bootstrap_ratio(
    numerator: FloatArray,
    denominator: FloatArray,
    seed: int,
    resamples: int = 2000,
    level: float = 0.95,
) -> Interval:
    """Percentile interval of sum(numerator) / sum(denominator) with sessions resampled whole.

    `numerator` and `denominator` hold one value per session; resamples whose denominator is 0 are
    dropped. (None, None) when nothing is left."""
    usable = denominator > 0
    if not bool(usable.any()):
        return Interval(None, None)
    sessions = numerator.shape[0]
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, sessions, size=(resamples, sessions))
    totals = denominator[picks].sum(axis=1)
    kept = totals > 0
    ratios = numerator[picks].sum(axis=1)[kept] / totals[kept]
    tail = (1.0 - level) / 2.0 * 100.0
    low, high = np.percentile(ratios, [tail, 100.0 - tail])
    return Interval(float(low), float(high))


def hit_rate(hits: BoolArray, valid: BoolArray, seed: int, resamples: int = 2000) -> HitRate:
    """Share of valid cells that are hits; `hits` and `valid` are (S, ...) with sessions first."""
    counted = hits & valid
    per_session_hits = counted.reshape(counted.shape[0], -1).sum(axis=1).astype(np.float64)
    per_session_valid = valid.reshape(valid.shape[0], -1).sum(axis=1).astype(np.float64)
    return session_hit_rate(per_session_hits, per_session_valid, seed, resamples)


def session_hit_rate(
    per_session_hits: FloatArray, per_session_valid: FloatArray, seed: int, resamples: int = 2000
) -> HitRate:
    """The hit rate from each session's hit and valid counts (the day-block bootstrap's units)."""
    total = int(per_session_valid.sum())
    hit_count = int(per_session_hits.sum())
    return HitRate(
        hits=hit_count,
        total=total,
        rate=None if total == 0 else hit_count / total,
        wilson=wilson_interval(hit_count, total),
        bootstrap=bootstrap_ratio(per_session_hits, per_session_valid, seed, resamples),
    )


def _sign(values: FloatArray) -> FloatArray:
    """+1, -1, or 0 for zero and NaN (no direction)."""
    return np.sign(np.nan_to_num(values, nan=0.0))


def directional_hits(predictor: FloatArray, outcome: FloatArray) -> tuple[BoolArray, BoolArray]:
    """(hits, valid): valid where both have a direction, hit where the directions agree."""
    called, happened = _sign(predictor), _sign(outcome)
    valid = (called != 0) & (happened != 0)
    return (called == happened) & valid, valid


def rank(values: FloatArray) -> FloatArray:
    """Ranks 1..n along the last axis, ties sharing their average rank."""
    order = np.argsort(values, axis=-1, kind="stable")
    ranks = np.empty_like(values)
    np.put_along_axis(ranks, order, np.arange(1, values.shape[-1] + 1, dtype=np.float64), axis=-1)
    if values.ndim == 1:
        for value in np.unique(values[np.isfinite(values)]):
            tied = values == value
            if int(tied.sum()) > 1:
                ranks[tied] = ranks[tied].mean()
        return ranks
    return np.stack([rank(row) for row in values])


def spearman(x: FloatArray, y: FloatArray) -> float | None:
    """Spearman correlation of two 1-D samples (NaN pairs dropped); None when undefined."""
    keep = np.isfinite(x) & np.isfinite(y)
    if int(keep.sum()) < 3:
        return None
    rx, ry = rank(x[keep]), rank(y[keep])
    rx, ry = rx - rx.mean(), ry - ry.mean()
    spread = float(np.sqrt((rx * rx).sum() * (ry * ry).sum()))
    return None if spread == 0.0 else float((rx * ry).sum() / spread)


def rank_correlation(scores: FloatArray, returns: FloatArray, seed: int) -> RankCorrelation:
    per_session = [spearman(scores[row], returns[row]) for row in range(scores.shape[0])]
    values = np.array([np.nan if value is None else value for value in per_session], dtype=np.float64)
    defined = np.isfinite(values)
    mean = float(values[defined].mean()) if bool(defined.any()) else None
    cells = int((np.isfinite(scores) & np.isfinite(returns)).sum())
    return RankCorrelation(
        per_session_mean=mean,
        sessions=int(defined.sum()),
        bootstrap=bootstrap_ratio(np.where(defined, values, 0.0), defined.astype(np.float64), seed),
        pooled=spearman(scores.ravel(), returns.ravel()),
        cells=cells,
    )


def mean_return(returns: FloatArray, mask: BoolArray, seed: int) -> MeanReturn:
    usable = mask & np.isfinite(returns)
    count = int(usable.sum())
    sums = np.where(usable, returns, 0.0).sum(axis=1)
    return MeanReturn(
        count=count,
        mean_pct=None if count == 0 else float(sums.sum() / count),
        bootstrap=bootstrap_ratio(sums, usable.sum(axis=1).astype(np.float64), seed),
    )


def rolling_rate(
    hits: BoolArray, valid: BoolArray, window: int = ROLLING_WINDOW_SESSIONS
) -> list[float | None]:
    """Per session, the hit rate over the `window` sessions ending there (None until one is full)."""
    per_hits = np.cumsum((hits & valid).sum(axis=1))
    per_valid = np.cumsum(valid.sum(axis=1))
    rates: list[float | None] = []
    for end in range(hits.shape[0]):
        if end + 1 < window:
            rates.append(None)
            continue
        start = end - window
        got = per_hits[end] - (per_hits[start] if start >= 0 else 0)
        of = per_valid[end] - (per_valid[start] if start >= 0 else 0)
        rates.append(None if of == 0 else float(got / of))
    return rates


def backtest_stats(inputs: BacktestInputs, seed: int, resamples: int = 2000) -> BacktestStats:
    """Every figure of the report from the aligned inputs; `seed` fixes the bootstrap."""
    nxt = inputs.next_return_pct
    hits, valid = directional_hits(inputs.scores, nxt)
    colored = inputs.colors >= 0
    by_color = {
        color.value: hit_rate(hits, valid & (inputs.colors == code), seed, resamples)
        for code, color in enumerate(COLORS)
    }
    up = np.ones_like(nxt)
    benchmark = np.broadcast_to(inputs.benchmark_same_day_pct[:, None], nxt.shape)
    baselines = {}
    for name, predictor in (
        ("always_up", up),
        ("yesterday_sign", inputs.same_day_return_pct),
        ("iwm_sign", benchmark),
    ):
        base_hits, base_valid = directional_hits(np.asarray(predictor, dtype=np.float64), nxt)
        baselines[name] = hit_rate(base_hits, base_valid, seed, resamples)
    timeframes = inputs.timeframe_scores.shape[2]
    by_timeframe = []
    for index in range(timeframes):
        tf_hits, tf_valid = directional_hits(inputs.timeframe_scores[:, :, index], nxt)
        by_timeframe.append(hit_rate(tf_hits, tf_valid, seed, resamples))
    return BacktestStats(
        overall=hit_rate(hits, valid, seed, resamples),
        non_neutral=hit_rate(hits, valid & colored & (inputs.colors != NEUTRAL_CODE), seed, resamples),
        by_color=by_color,
        by_sector=[
            hit_rate(hits[:, [column]], valid[:, [column]], seed, resamples) for column in range(nxt.shape[1])
        ],
        by_timeframe=by_timeframe,
        baselines=baselines,
        rank_correlation=rank_correlation(inputs.scores, nxt, seed),
        mean_next_return_by_color={
            color.value: mean_return(nxt, inputs.colors == code, seed) for code, color in enumerate(COLORS)
        },
        rolling_hit_rate=rolling_rate(hits, valid),
    )
