"""The shorting study: how a short candidate behaved the next session, by its sector's colour.

Arrays in, numbers out. One row per (scored session, candidate stock); a row may belong to several
candidate kinds (a runner that is also a top bullish name). Returns are the stock's, in percent, so a
short seller gains when they are negative. Intervals: Wilson 95 % for rates (rows treated as
independent) and a day-block bootstrap for rates and means (whole sessions resampled, since one
day's candidates move together); the bootstrap is the one to read.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sectorlights.analytics.backtest import (
    BoolArray,
    HitRate,
    MeanReturn,
    bootstrap_ratio,
    session_hit_rate,
)
from sectorlights.analytics.intervals import Interval
from sectorlights.config.squeeze_risk import SQUEEZE_RISK_LEVELS
from sectorlights.domain.frame import FloatArray, IntArray
from sectorlights.domain.vocabulary import COLORS, SECTORS, Color

RUNNER_MIN_PCT = 10.0  # a runner closed at least this far above the previous close
GAPPER_MIN_PCT = 5.0  # a gapper opened at least this far above the previous close
SQUEEZE_MIN_PCT = 10.0  # a squeeze: the next session's high at least this far above its open
KINDS = ("top_bearish", "top_bullish", "runner", "gapper")
ALL_KINDS = "any"
NO_COLOUR = "no_colour"  # the card said "Insufficient data": no colour was shown
NEUTRAL = Color.BLUE_NEUTRAL.value
# A colour is compared with neutral only when both have candidates on this many sessions: the colour
# history's edge rule uses the same floor (EdgeRule.min_sessions), so a handful of days cannot read
# as a separation through a bootstrap interval of width 0.
MIN_SESSIONS_TO_COMPARE = 50
UNMEASURED = "unmeasured"  # the sector had too few members with 20 sessions of history
NORMAL_RISK = SQUEEZE_RISK_LEVELS[1]


@dataclass(frozen=True, slots=True)
class Candidates:
    """N candidate rows over S scored sessions."""

    session_index: IntArray  # (N,) 0..S-1, the scored session the row belongs to
    sector: IntArray  # (N,) index into SECTORS
    color: IntArray  # (N,) index into COLORS of the sector's shown colour, -1 where none was shown
    kinds: BoolArray  # (N, len(KINDS))
    close: FloatArray  # (N,) the scored session's close: the close-to-close entry
    next_open: FloatArray  # (N,) the next session's open: the open-to-close entry
    next_high: FloatArray
    next_close: FloatArray
    # The short entered after the first 15 minutes of the next session and held 4 hours, where minute
    # bars exist (intraday_short_entries); NaN otherwise.
    intraday_pct: FloatArray
    intraday_excursion_pct: FloatArray
    # The sector's squeeze risk on the scored session (analytics/squeeze_risk.py): index into
    # SQUEEZE_RISK_LEVELS, -1 unmeasured; and its volatility ratio (NaN unmeasured).
    squeeze_level: IntArray
    volatility_ratio: FloatArray


@dataclass(frozen=True, slots=True)
class ShortOutcomes:
    open_to_close_pct: FloatArray  # next open to next close
    close_to_close_pct: FloatArray  # scored close to next close
    adverse_excursion_pct: FloatArray  # next high over the next open: what a short at the open sat through
    squeezed: BoolArray  # adverse excursion >= SQUEEZE_MIN_PCT
    valid: BoolArray  # every price present and positive


@dataclass(frozen=True, slots=True)
class GroupStats:
    count: int
    sessions: int  # sessions with at least one row
    open_to_close: MeanReturn
    close_to_close: MeanReturn
    adverse_excursion: MeanReturn
    closed_up: HitRate  # next close above next open: a short at the open lost
    squeezed: HitRate


@dataclass(frozen=True, slots=True)
class ShortingStats:
    # kind ("any" first, then KINDS) -> colour name (COLORS then NO_COLOUR) -> stats
    by_color: dict[str, dict[str, GroupStats]]
    # kind -> sector name -> stats
    by_sector: dict[str, dict[str, GroupStats]]
    # kind -> colour -> {"squeeze": ..., "open_to_close": ...}: "above" / "below" when the colour's
    # interval lies wholly above / below neutral's (for rates each bound the more cautious of Wilson
    # and the bootstrap), "overlaps", or "too_few" (under MIN_SESSIONS_TO_COMPARE sessions on a side)
    versus_neutral: dict[str, dict[str, dict[str, str]]]
    # kind -> colour -> the intraday short's mean return and excursion; rows with minute bars only
    intraday_by_color: dict[str, dict[str, tuple[MeanReturn, MeanReturn]]]
    intraday_rows: int
    # kind -> squeeze-risk level (SQUEEZE_RISK_LEVELS, then UNMEASURED) -> stats
    by_squeeze_risk: dict[str, dict[str, GroupStats]]
    # kind -> level -> the comparison with the "normal" level, as versus_neutral with colours
    squeeze_risk_versus_normal: dict[str, dict[str, dict[str, str]]]
    # every candidate: colour -> level -> stats (does the level say more than the colour already does?)
    by_color_and_squeeze_risk: dict[str, dict[str, GroupStats]]


def candidate_flags(
    previous_close: FloatArray, open_price: FloatArray, close: FloatArray
) -> tuple[BoolArray, BoolArray]:
    """(runner, gapper) per stock for one session: close or open against the previous close."""
    with np.errstate(divide="ignore", invalid="ignore"):
        day_pct = np.where(previous_close > 0, (close / previous_close - 1.0) * 100.0, np.nan)
        gap_pct = np.where(previous_close > 0, (open_price / previous_close - 1.0) * 100.0, np.nan)
    return (
        np.nan_to_num(day_pct, nan=-np.inf) >= RUNNER_MIN_PCT,
        np.nan_to_num(gap_pct, nan=-np.inf) >= GAPPER_MIN_PCT,
    )


def _pct(end: FloatArray, start: FloatArray, valid: BoolArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(valid, (end / start - 1.0) * 100.0, np.nan)


def short_outcomes(candidates: Candidates) -> ShortOutcomes:
    prices = np.stack([candidates.close, candidates.next_open, candidates.next_high, candidates.next_close])
    valid = np.all(np.isfinite(prices) & (prices > 0), axis=0)
    excursion = _pct(candidates.next_high, candidates.next_open, valid)
    return ShortOutcomes(
        open_to_close_pct=_pct(candidates.next_close, candidates.next_open, valid),
        close_to_close_pct=_pct(candidates.next_close, candidates.close, valid),
        adverse_excursion_pct=excursion,
        squeezed=valid & (np.nan_to_num(excursion, nan=-np.inf) >= SQUEEZE_MIN_PCT),
        valid=valid,
    )


def _mean(
    values: FloatArray, sessions: IntArray, total_sessions: int, seed: int, resamples: int
) -> MeanReturn:
    count = int(values.shape[0])
    sums = np.bincount(sessions, weights=values, minlength=total_sessions).astype(np.float64)
    counts = np.bincount(sessions, minlength=total_sessions).astype(np.float64)
    return MeanReturn(
        count=count,
        mean_pct=None if count == 0 else float(values.mean()),
        bootstrap=bootstrap_ratio(sums, counts, seed, resamples),
    )


def _rate(hits: BoolArray, sessions: IntArray, total_sessions: int, seed: int, resamples: int) -> HitRate:
    per_hits = np.bincount(sessions, weights=hits.astype(np.float64), minlength=total_sessions)
    per_rows = np.bincount(sessions, minlength=total_sessions)
    return session_hit_rate(per_hits.astype(np.float64), per_rows.astype(np.float64), seed, resamples)


def group_stats(
    candidates: Candidates,
    outcomes: ShortOutcomes,
    mask: BoolArray,
    total_sessions: int,
    seed: int,
    resamples: int = 2000,
) -> GroupStats:
    """Every figure for the rows in `mask` that have all their prices."""
    rows = mask & outcomes.valid
    sessions = candidates.session_index[rows]

    def mean(values: FloatArray) -> MeanReturn:
        return _mean(values[rows], sessions, total_sessions, seed, resamples)

    return GroupStats(
        count=int(rows.sum()),
        sessions=int(np.unique(sessions).shape[0]),
        open_to_close=mean(outcomes.open_to_close_pct),
        close_to_close=mean(outcomes.close_to_close_pct),
        adverse_excursion=mean(outcomes.adverse_excursion_pct),
        closed_up=_rate(outcomes.open_to_close_pct[rows] > 0, sessions, total_sessions, seed, resamples),
        squeezed=_rate(outcomes.squeezed[rows], sessions, total_sessions, seed, resamples),
    )


def interval_side(interval: Interval, reference: Interval) -> int:
    """+1 / -1 when `interval` lies wholly above / below `reference`; 0 if they overlap or one is missing."""
    if None in (interval.low, interval.high, reference.low, reference.high):
        return 0
    assert interval.low is not None and interval.high is not None
    assert reference.low is not None and reference.high is not None
    if interval.low > reference.high:
        return 1
    if interval.high < reference.low:
        return -1
    return 0


def cautious(rate: HitRate) -> Interval:
    """The wider of the Wilson and the bootstrap bounds on each side."""
    lows = [bound for bound in (rate.wilson.low, rate.bootstrap.low) if bound is not None]
    highs = [bound for bound in (rate.wilson.high, rate.bootstrap.high) if bound is not None]
    return Interval(min(lows) if lows else None, max(highs) if highs else None)


def versus_neutral(group: GroupStats, neutral: GroupStats) -> dict[str, str]:
    if min(group.sessions, neutral.sessions) < MIN_SESSIONS_TO_COMPARE:
        return {"squeeze": "too_few", "open_to_close": "too_few"}
    words = {1: "above", -1: "below", 0: "overlaps"}
    return {
        "squeeze": words[interval_side(cautious(group.squeezed), cautious(neutral.squeezed))],
        "open_to_close": words[interval_side(group.open_to_close.bootstrap, neutral.open_to_close.bootstrap)],
    }


def squeeze_risk_masks(candidates: Candidates) -> dict[str, BoolArray]:
    masks = {level: candidates.squeeze_level == code for code, level in enumerate(SQUEEZE_RISK_LEVELS)}
    masks[UNMEASURED] = candidates.squeeze_level < 0
    return masks


def kind_masks(candidates: Candidates) -> dict[str, BoolArray]:
    masks = {ALL_KINDS: np.asarray(candidates.kinds.any(axis=1), dtype=np.bool_)}
    masks.update({kind: candidates.kinds[:, column] for column, kind in enumerate(KINDS)})
    return masks


def shorting_stats(
    candidates: Candidates, total_sessions: int, seed: int, resamples: int = 2000
) -> ShortingStats:
    outcomes = short_outcomes(candidates)
    colour_masks = {color.value: candidates.color == code for code, color in enumerate(COLORS)}
    colour_masks[NO_COLOUR] = candidates.color < 0
    by_color: dict[str, dict[str, GroupStats]] = {}
    by_sector: dict[str, dict[str, GroupStats]] = {}
    versus: dict[str, dict[str, dict[str, str]]] = {}
    intraday: dict[str, dict[str, tuple[MeanReturn, MeanReturn]]] = {}
    with_minutes = np.isfinite(candidates.intraday_pct) & np.isfinite(candidates.intraday_excursion_pct)
    for kind, kind_mask in kind_masks(candidates).items():
        intraday[kind] = {}
        for name, mask in colour_masks.items():
            rows = kind_mask & mask & with_minutes
            sessions = candidates.session_index[rows]
            intraday[kind][name] = (
                _mean(candidates.intraday_pct[rows], sessions, total_sessions, seed, resamples),
                _mean(candidates.intraday_excursion_pct[rows], sessions, total_sessions, seed, resamples),
            )
        by_color[kind] = {
            name: group_stats(candidates, outcomes, kind_mask & mask, total_sessions, seed, resamples)
            for name, mask in colour_masks.items()
        }
        by_sector[kind] = {
            sector.value: group_stats(
                candidates, outcomes, kind_mask & (candidates.sector == code), total_sessions, seed, resamples
            )
            for code, sector in enumerate(SECTORS)
        }
        versus[kind] = {
            name: versus_neutral(stats, by_color[kind][NEUTRAL])
            for name, stats in by_color[kind].items()
            if name != NEUTRAL
        }
    risk_masks = squeeze_risk_masks(candidates)
    by_risk = {
        kind: {
            level: group_stats(candidates, outcomes, kind_mask & mask, total_sessions, seed, resamples)
            for level, mask in risk_masks.items()
        }
        for kind, kind_mask in kind_masks(candidates).items()
    }
    every = kind_masks(candidates)[ALL_KINDS]
    return ShortingStats(
        by_color=by_color,
        by_sector=by_sector,
        versus_neutral=versus,
        intraday_by_color=intraday,
        intraday_rows=int(with_minutes.sum()),
        by_squeeze_risk=by_risk,
        squeeze_risk_versus_normal={
            kind: {
                level: versus_neutral(stats, levels[NORMAL_RISK])
                for level, stats in levels.items()
                if level != NORMAL_RISK
            }
            for kind, levels in by_risk.items()
        },
        by_color_and_squeeze_risk={
            name: {
                level: group_stats(candidates, outcomes, every & mask & risk, total_sessions, seed, resamples)
                for level, risk in risk_masks.items()
                if level != UNMEASURED
            }
            for name, mask in colour_masks.items()
        },
    )


def intraday_short_entries(
    owner: IntArray,
    minute_of_day: IntArray,
    open_price: FloatArray,
    high: FloatArray,
    close: FloatArray,
    candidates: int,
    *,
    session_open_minute: int = 570,
    session_close_minute: int = 960,
    wait_minutes: int = 15,
    hold_minutes: int = 240,
) -> tuple[FloatArray, FloatArray]:
    """(return %, adverse excursion %) of a short entered after the first `wait_minutes` of the session.

    Rows are minute bars (New York minute of the day a bar starts, prices), `owner` the candidate each
    belongs to. Entry: the open of the first bar starting at or after the open + `wait_minutes`.
    Exit: the close of the last bar starting before entry + `hold_minutes`, capped at the regular
    close. Excursion: the highest high from entry to exit over the entry. NaN where a candidate has
    no bar to enter on."""
    entry_start = session_open_minute + wait_minutes
    eligible = (minute_of_day >= entry_start) & (minute_of_day < session_close_minute)
    big = np.iinfo(np.int64).max
    entry_minute = np.full(candidates, big, dtype=np.int64)
    np.minimum.at(entry_minute, owner[eligible], minute_of_day[eligible])
    has_entry = entry_minute < big
    end_minute = np.minimum(entry_minute + hold_minutes, session_close_minute)
    in_hold = eligible & (minute_of_day >= entry_minute[owner]) & (minute_of_day < end_minute[owner])
    # Sort held bars by (owner, minute): the first of each owner is the entry, the last the exit.
    order = np.lexsort((minute_of_day[in_hold], owner[in_hold]))
    held_owner = owner[in_hold][order]
    first = np.r_[True, held_owner[1:] != held_owner[:-1]] if held_owner.size else held_owner.astype(bool)
    last = np.r_[held_owner[1:] != held_owner[:-1], True] if held_owner.size else held_owner.astype(bool)
    entry = np.full(candidates, np.nan)
    exit_price = np.full(candidates, np.nan)
    peak = np.full(candidates, -np.inf)
    entry[held_owner[first]] = open_price[in_hold][order][first]
    exit_price[held_owner[last]] = close[in_hold][order][last]
    np.maximum.at(peak, held_owner, high[in_hold][order])
    usable = has_entry & np.isfinite(entry) & (entry > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        returns = np.where(usable, (exit_price / entry - 1.0) * 100.0, np.nan)
        excursion = np.where(usable, (peak / entry - 1.0) * 100.0, np.nan)
    return returns, excursion
