"""A timeframe without data has no score (None, with the reason), never 0.0; the composite is
re-weighted over the timeframes that have data."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import numpy as np
import pytest

from sectorlights.analytics.analysis import analyze
from sectorlights.analytics.sentiment import composite_scores, missing_timeframe_reason
from sectorlights.config.criteria import ScoreParams
from sectorlights.domain.sessions import NEW_YORK
from sectorlights.domain.vocabulary import SECTORS, Sector, Timeframe
from sectorlights.engine.frame_builder import DailyBarsCache, SnapshotMemory
from sectorlights.engine.frame_builder import build_frame as build_market_frame
from sectorlights.providers.simulated.provider import SimulatedProvider
from tests.unit.frames import Stock, benchmark, build_frame


@pytest.mark.parametrize(
    ("timeframe", "members", "reason"),
    [
        (Timeframe.MIN_30, 0, "no member stocks in this sector"),
        (Timeframe.WEEK_1, 0, "no member stocks in this sector"),
        (
            Timeframe.MIN_30,
            4,
            "no price from 30 minutes earlier yet (first run, early pre-market, or day bars only)",
        ),
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


@pytest.mark.parametrize(
    ("et_time", "has_30m"),
    [
        # The pre-market opens at 04:00 ET: minutes later there is no price from 30 minutes before,
        # and a return over those few minutes (about 0.0) is not a 30-minute one.
        ("04:00:15", False),
        ("04:05", False),
        ("04:19", False),
        ("04:25", True),
        ("10:00", True),
    ],
)
def test_the_30m_window_needs_a_price_from_about_30_minutes_before(et_time: str, has_30m: bool) -> None:
    hour, minute, *second = (int(part) for part in et_time.split(":"))
    now = datetime(2026, 11, 24, hour, minute, *second, tzinfo=NEW_YORK)
    provider = SimulatedProvider(listing_count=200, scenario="overnight_gaps")
    frame = build_market_frame(provider, now, 30, DailyBarsCache())
    assert bool(np.isfinite(frame.price_30m_ago).any()) == has_30m
    if not has_30m:
        cell = analyze(frame).sectors[SECTORS.index(Sector.TECHNOLOGY)].timeframes[Timeframe.MIN_30]
        assert (cell.return_pct, cell.score) == (None, None)
        assert cell.missing_reason is not None and "30 minutes earlier" in cell.missing_reason


def test_a_first_run_with_only_its_own_snapshot_has_no_30m_return() -> None:
    """A vendor that answers only "now": the memory holds just this run's snapshot."""
    now = datetime(2026, 11, 24, 4, 5, tzinfo=NEW_YORK)
    provider = SimulatedProvider(listing_count=200)
    provider.capabilities = replace(provider.capabilities, historical_snapshots=False)
    frame = build_market_frame(provider, now, 30, DailyBarsCache(), snapshot_memory=SnapshotMemory())
    assert not np.isfinite(frame.price_30m_ago).any()


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
