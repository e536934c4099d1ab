"""A timeframe without data has no score (None, with the reason), never 0.0; the composite is
re-weighted over the timeframes that have data."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from sectorlights.analytics.analysis import analyze
from sectorlights.analytics.sentiment import composite_scores, missing_timeframe_reason
from sectorlights.config.criteria import ScoreParams
from sectorlights.domain.vocabulary import SECTORS, Sector, Timeframe
from tests.unit.frames import Stock, benchmark, build_frame


@pytest.mark.parametrize(
    ("timeframe", "members", "reason"),
    [
        (Timeframe.MIN_30, 0, "no member stocks in this sector"),
        (Timeframe.WEEK_1, 0, "no member stocks in this sector"),
        (Timeframe.MIN_30, 4, "no intraday prices 30 minutes earlier (day bars only, or no snapshot yet)"),
        (Timeframe.DAY_1, 4, "no member has a close 1 session back (too little history)"),
        (Timeframe.DAY_3, 1, "no member has a close 3 sessions back (too little history)"),
        (Timeframe.WEEK_1, 9, "no member has a close 5 sessions back (too little history)"),
    ],
)
def test_reasons(timeframe: Timeframe, members: int, reason: str) -> None:
    assert missing_timeframe_reason(timeframe, members) == reason


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        # 30m, 1d, 3d, 1w with example weights 0.1, 0.3, 0.3, 0.3.
        ([0.5, 0.5, 0.5, 0.5], 0.5),
        ([np.nan, 0.6, 0.3, 0.0], 0.3),  # not (0.18 + 0.09) = 0.27 with the 30m as 0
        ([np.nan, np.nan, np.nan, -0.4], -0.4),
        ([1.0, np.nan, np.nan, np.nan], 1.0),
        ([np.nan, np.nan, np.nan, np.nan], 0.0),
    ],
)
def test_composite_over_the_timeframes_with_data(scores: list[float], expected: float) -> None:
    weights = np.array([0.1, 0.3, 0.3, 0.3])
    assert composite_scores(np.array([scores]), weights)[0] == pytest.approx(expected)


def test_a_day_bars_only_market_leaves_the_30m_window_empty_not_zero() -> None:
    moves = {"change_30m": 0.01, "change_1d": 0.03, "change_3d": 0.02, "change_1w": 0.04}
    # Five members: enough for a colour under the default minimum of 5.
    stocks = [Stock(f"T{index}", sic_code=7372, relative_volume=1.5, **moves) for index in range(5)]
    frame = build_frame([*stocks, benchmark(change_1d=0.0)])
    day_only = replace(frame, price_30m_ago=np.full(frame.size, np.nan))

    full = analyze(frame).sectors[SECTORS.index(Sector.TECHNOLOGY)]
    result = analyze(day_only).sectors[SECTORS.index(Sector.TECHNOLOGY)]

    cell = result.timeframes[Timeframe.MIN_30]
    assert (cell.score, cell.color, cell.return_pct) == (None, None, None)
    assert cell.missing_reason is not None and "30 minutes earlier" in cell.missing_reason
    weights = ScoreParams().timeframe_weights
    daily = [Timeframe.DAY_1, Timeframe.DAY_3, Timeframe.WEEK_1]
    for timeframe in daily:
        assert result.timeframes[timeframe].score == full.timeframes[timeframe].score
        assert result.timeframes[timeframe].missing_reason is None
    scores = [result.timeframes[timeframe].score for timeframe in daily]
    assert all(score is not None for score in scores)
    expected = sum(weights[tf] * (s or 0.0) for tf, s in zip(daily, scores, strict=True)) / sum(
        weights[tf] for tf in daily
    )
    assert result.score == pytest.approx(expected, abs=1e-3)
