"""Colour history: after each colour, how often the sector went down or up the next session, its mean
next-session return, and whether that is an edge by the rule of docs/methodology.md ("What the
colours have been measured to mean").

Arrays in, numbers out, on the backtest's (sessions x sectors) layout and with its statistics
(`analytics.backtest`): a cell counts when the sector showed a colour (code >= 0) and its next
session's return has a direction; the baseline is every such cell, whatever its colour.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from sectorlights.analytics.backtest import HitRate, MeanReturn, directional_hits, hit_rate, mean_return
from sectorlights.domain.frame import FloatArray, IntArray
from sectorlights.domain.vocabulary import COLORS, Color

UP, DOWN, NEITHER = 1, -1, 0
# The way each colour leans: reds call falls, greens rises, blue neutral neither.
LEAN_BY_COLOR: dict[Color, int] = {
    Color.DARK_RED: DOWN,
    Color.LIGHT_RED: DOWN,
    Color.BLUE_NEUTRAL: NEITHER,
    Color.LIGHT_GREEN: UP,
    Color.DARK_GREEN: UP,
}


class Edge(StrEnum):
    YES = "yes"
    NO = "no"
    TOO_FEW = "too_few"


@dataclass(frozen=True, slots=True)
class EdgeRule:
    """When a colour's next sessions count as an edge (all of them must hold):

    - it leans one way and was shown on at least `min_sessions` sessions (the day-block bootstrap
      resamples sessions, so they are what a sample is made of);
    - the share of its next sessions that went its way has a lower bound above `coin`, and above the
      upper bound of the same share over every coloured cell (always up for a green, always down for
      a red: the drift a colour must beat). Each bound is the more cautious of Wilson and the
      day-block bootstrap;
    - the bootstrap interval of its mean next-session return lies wholly on its side of 0, so the
      moves its way are not outweighed by larger ones the other way.
    """

    min_sessions: int = 50
    coin: float = 0.5


@dataclass(frozen=True, slots=True)
class ColourOutcome:
    color: Color
    lean: int  # UP, DOWN or NEITHER
    sessions: int  # sessions with at least one counted cell of this colour
    up: HitRate  # share of counted cells whose next session rose
    down: HitRate  # ... fell
    mean_next: MeanReturn  # mean next-session return of every cell of this colour with one
    edge: Edge
    reason: str


@dataclass(frozen=True, slots=True)
class ColourHistoryStats:
    sessions: int  # sessions with at least one counted cell
    baseline_up: HitRate  # every counted cell, whatever its colour
    baseline_down: HitRate
    by_color: list[ColourOutcome]  # in COLORS order
    rule: EdgeRule


def cautious_low(rate: HitRate) -> float | None:
    """The lower of the Wilson and bootstrap lower bounds (None when either is unknown)."""
    lows = (rate.wilson.low, rate.bootstrap.low)
    return None if None in lows else min(low for low in lows if low is not None)


def cautious_high(rate: HitRate) -> float | None:
    """The higher of the Wilson and bootstrap upper bounds (None when either is unknown)."""
    highs = (rate.wilson.high, rate.bootstrap.high)
    return None if None in highs else max(high for high in highs if high is not None)


def _pct(share: float | None) -> str:
    return "n/a" if share is None else f"{share * 100:.1f} %"


def edge_verdict(
    lean: int, toward: HitRate, baseline: HitRate, mean: MeanReturn, sessions: int, rule: EdgeRule
) -> tuple[Edge, str]:
    """The rule of `EdgeRule` for one colour: `toward` is the share of its next sessions that went
    its way, `baseline` the same share over every coloured cell; the reason says what decided."""
    if lean == NEITHER:
        return Edge.NO, "leans neither way, so it calls no direction"
    if sessions < rule.min_sessions:
        return (
            Edge.TOO_FEW,
            f"shown on {sessions} sessions, fewer than the {rule.min_sessions} the rule needs",
        )
    way = "up" if lean == UP else "down"
    low, drift_high = cautious_low(toward), cautious_high(baseline)
    mean_side = mean.bootstrap.low if lean == UP else mean.bootstrap.high
    failed = []
    if low is None or low <= rule.coin:
        failed.append(f"not above {_pct(rule.coin)}")
    if low is None or drift_high is None or low <= drift_high:
        failed.append(f"not above {_pct(drift_high)}, the upper bound of {way} after any colour")
    if mean_side is None or mean_side * lean <= 0:
        failed.append(f"its mean next-session return's interval {_interval_pct(mean)} reaches 0")
    found = f"next session {way} {_pct(toward.rate)} of {toward.total:,} (lower bound {_pct(low)})"
    if failed:
        return Edge.NO, f"{found}: {'; '.join(failed)}"
    return Edge.YES, (
        f"{found}, above {_pct(rule.coin)} and {_pct(drift_high)} after any colour; mean next-session "
        f"return {_interval_pct(mean)}"
    )


def _interval_pct(mean: MeanReturn) -> str:
    low, high = mean.bootstrap.low, mean.bootstrap.high
    return "n/a" if low is None or high is None else f"{low:+.3f} to {high:+.3f} %"


def colour_history(
    colors: IntArray,
    next_return_pct: FloatArray,
    seed: int,
    resamples: int = 2000,
    rule: EdgeRule | None = None,
) -> ColourHistoryStats:
    """Per colour what the next session did. `colors` (S, K) are colour codes (index into COLORS,
    -1 where the sector showed none), `next_return_pct` (S, K) the sector's next-session return."""
    rule = rule or EdgeRule()
    rose, moved = directional_hits(np.ones_like(next_return_pct), next_return_pct)
    fell, _ = directional_hits(-np.ones_like(next_return_pct), next_return_pct)
    counted = moved & (colors >= 0)
    baseline = {UP: hit_rate(rose, counted, seed, resamples), DOWN: hit_rate(fell, counted, seed, resamples)}
    outcomes = []
    for code, color in enumerate(COLORS):
        cells = counted & (colors == code)
        sessions = int(cells.any(axis=1).sum())
        up, down = hit_rate(rose, cells, seed, resamples), hit_rate(fell, cells, seed, resamples)
        mean = mean_return(next_return_pct, colors == code, seed)
        lean = LEAN_BY_COLOR[color]
        toward = up if lean == UP else down
        edge, reason = edge_verdict(lean, toward, baseline.get(lean, baseline[UP]), mean, sessions, rule)
        outcomes.append(ColourOutcome(color, lean, sessions, up, down, mean, edge, reason))
    return ColourHistoryStats(
        sessions=int(counted.any(axis=1).sum()),
        baseline_up=baseline[UP],
        baseline_down=baseline[DOWN],
        by_color=outcomes,
        rule=rule,
    )


def rule_text(rule: EdgeRule) -> str:
    """The rule of `EdgeRule` in one paragraph, with its parameters."""
    return (
        f"A colour has an edge when it leans one way (red down, green up), was shown on at least "
        f"{rule.min_sessions} sessions, the share of its next sessions that went its way has a lower "
        f"bound above {rule.coin * 100:g} % and above the upper bound of that share over every "
        "coloured sector-session (always up for a green, always down for a red), each bound the more "
        "cautious of Wilson and the day-block bootstrap, and the bootstrap interval of its mean "
        "next-session return lies wholly on its side of 0. Blue neutral leans neither way and has none."
    )
