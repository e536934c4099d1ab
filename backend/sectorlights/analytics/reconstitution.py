"""A small-cap universe without market caps: a yearly reconstitution by dollar volume.

Validation sources without share counts (`../shared/data/real/us_stocks_daily_2008_2017.parquet`)
cannot say which stocks are small caps. This approximates the Russell indexes' annual
reconstitution with dollar volume in place of market cap (docs/validation.md, the US set):

- For each calendar year Y, every stock with at least `min_ranking_sessions` sessions in the
  ranking window is ranked by its **median daily dollar volume** (close x volume) there. The
  window is all of Y-1's sessions; the first year of the data has no Y-1, so its window is its own
  first `first_year_sessions` sessions (a stock must then have a bar on `min_ranking_sessions` of
  them).
- The `exclude_top` largest (1,000: the size of the Russell 1000, the large and mid caps above the
  Russell 2000) are left out for all of Y; ties go by symbol. The rest are Y's members. A stock
  with too few sessions in the window is not ranked and is not a member (its size is unknown: an
  IPO joins at the next reconstitution, as the Russell's annual one would have it).
- A member's bars are written for Y's sessions, plus `lead_sessions` before Y's first session (the
  history the grid reads back, so the member is fully formed on Y's first session) and
  `trail_sessions` after Y's last (the next-session outcome of Y's last session). The written
  windows of consecutive years overlap; a stock is written on a session when any year's window
  that it is a member of covers it.

Nothing here reads a file: symbols, session years and a dense (stocks x sessions) dollar-volume
matrix come in, boolean masks go out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sectorlights.domain.frame import FloatArray, IntArray, StrArray

BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class ReconstitutionRules:
    # The Russell 1000's size: set by that index, not fitted to any result.
    exclude_top: int = 1_000
    # About a month of sessions, so one spike does not rank a stock.
    min_ranking_sessions: int = 20
    first_year_sessions: int = 20
    # The product reads 25 prior sessions by default (SECTORLIGHTS_HISTORY_SESSIONS); 40 leaves room
    # for a longer history setting.
    lead_sessions: int = 40
    # The backtest reads one session after the scored one.
    trail_sessions: int = 1

    def __post_init__(self) -> None:
        for name in ("exclude_top", "min_ranking_sessions", "first_year_sessions"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}")
        if self.lead_sessions < 0 or self.trail_sessions < 0:
            raise ValueError("lead_sessions and trail_sessions must be >= 0")
        if self.min_ranking_sessions > self.first_year_sessions:
            raise ValueError(
                f"min_ranking_sessions ({self.min_ranking_sessions}) cannot exceed "
                f"first_year_sessions ({self.first_year_sessions}): nobody could be ranked in the first year"
            )


@dataclass(frozen=True, slots=True)
class YearMembers:
    """One year's reconstitution: which stocks are members, and what the ranking saw."""

    year: int
    ranking_columns: IntArray  # session columns of the ranking window
    median_dollar_volume_usd: FloatArray  # per stock, NaN when not ranked
    ranked: BoolArray  # enough sessions in the window to be ranked
    members: BoolArray  # ranked and below the top `exclude_top`
    cutoff_usd: float  # the smallest excluded median (NaN when none is excluded)
    written_columns: IntArray  # session columns over which members are written


def ranking_columns(session_years: IntArray, year: int, first_year_sessions: int) -> IntArray:
    """Columns of the ranking window for `year`: all of year-1, or `year`'s first sessions when the
    data start in `year` (sessions are in time order)."""
    previous = np.flatnonzero(session_years == year - 1)
    if previous.size > 0:
        return previous.astype(np.int64)
    if session_years.size > 0 and int(session_years.min()) == year:
        return np.flatnonzero(session_years == year)[:first_year_sessions].astype(np.int64)
    return np.zeros(0, dtype=np.int64)


def written_columns(session_years: IntArray, year: int, lead_sessions: int, trail_sessions: int) -> IntArray:
    """Columns over which `year`'s members are written: the year, `lead_sessions` before and
    `trail_sessions` after, clipped to the sessions there are."""
    inside = np.flatnonzero(session_years == year)
    if inside.size == 0:
        return np.zeros(0, dtype=np.int64)
    start = max(int(inside[0]) - lead_sessions, 0)
    stop = min(int(inside[-1]) + 1 + trail_sessions, session_years.size)
    return np.arange(start, stop, dtype=np.int64)


def median_dollar_volume(dollar_volume_usd: FloatArray, columns: IntArray) -> tuple[FloatArray, IntArray]:
    """Per stock, the median over `columns` of the sessions with a dollar volume, and how many."""
    window = dollar_volume_usd[:, columns]
    known = np.isfinite(window)
    counts = known.sum(axis=1).astype(np.int64)
    medians = np.full(dollar_volume_usd.shape[0], np.nan)
    rows = counts > 0
    if bool(rows.any()):
        medians[rows] = np.nanmedian(window[rows], axis=1)
    return medians, counts


def small_cap_members(
    symbols: StrArray,
    median_usd: FloatArray,
    sessions_counted: IntArray,
    exclude_top: int,
    min_ranking_sessions: int,
) -> tuple[BoolArray, BoolArray, float]:
    """(ranked, members, cut-off): the ranked stocks below the `exclude_top` largest medians.

    Ties are broken by symbol, so the result does not depend on row order."""
    ranked = (sessions_counted >= min_ranking_sessions) & np.isfinite(median_usd)
    rows = np.flatnonzero(ranked)
    order = rows[np.lexsort((symbols[rows], -median_usd[rows]))]
    excluded = order[:exclude_top]
    members = ranked.copy()
    members[excluded] = False
    cutoff = float(median_usd[excluded[-1]]) if excluded.size > 0 else float("nan")
    return ranked, members, cutoff


def reconstitute(
    symbols: StrArray, session_years: IntArray, dollar_volume_usd: FloatArray, rules: ReconstitutionRules
) -> list[YearMembers]:
    """Every calendar year of `session_years`, in order; `dollar_volume_usd` is (stocks, sessions)
    with NaN where a stock has no bar."""
    if dollar_volume_usd.shape != (symbols.size, session_years.size):
        raise ValueError(
            f"dollar volume is {dollar_volume_usd.shape}, expected ({symbols.size}, {session_years.size})"
        )
    years: list[YearMembers] = []
    for year in sorted({int(value) for value in session_years}):
        columns = ranking_columns(session_years, year, rules.first_year_sessions)
        medians, counts = median_dollar_volume(dollar_volume_usd, columns)
        ranked, members, cutoff = small_cap_members(
            symbols, medians, counts, rules.exclude_top, rules.min_ranking_sessions
        )
        years.append(
            YearMembers(
                year=year,
                ranking_columns=columns,
                median_dollar_volume_usd=np.where(ranked, medians, np.nan),
                ranked=ranked,
                members=members,
                cutoff_usd=cutoff,
                written_columns=written_columns(
                    session_years, year, rules.lead_sessions, rules.trail_sessions
                ),
            )
        )
    return years


def written_mask(years: Sequence[YearMembers], has_bar: BoolArray) -> BoolArray:
    """(stocks, sessions): a bar is written when a year whose member the stock is covers the session."""
    mask = np.zeros(has_bar.shape, dtype=np.bool_)
    for year in years:
        rows = np.flatnonzero(year.members)
        mask[np.ix_(rows, year.written_columns)] = True
    return mask & has_bar


def boundary_overlap(
    previous: YearMembers, current: YearMembers, session_years: IntArray, has_bar: BoolArray
) -> tuple[int, int]:
    """(entrants, leavers) at the turn from `previous` to `current`: stocks written on sessions of
    the other year than their own reconstitution's, because of the lead and the trail windows.

    Entrants are `current`'s members that were not `previous`'s and have a bar in `current`'s lead
    (sessions of `previous`'s year); leavers are `previous`'s members that are not `current`'s and
    have a bar in `previous`'s trail (sessions of `current`'s year)."""
    lead = current.written_columns[session_years[current.written_columns] < current.year]
    trail = previous.written_columns[session_years[previous.written_columns] > previous.year]
    entrants = current.members & ~previous.members & has_bar[:, lead].any(axis=1)
    leavers = previous.members & ~current.members & has_bar[:, trail].any(axis=1)
    return int(entrants.sum()), int(leavers.sum())
