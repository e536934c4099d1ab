"""Universe selection (DESIGN §6): the liquid US small caps worth a trader's attention.

Every listing runs through the criteria in a fixed order; an excluded listing records the first
criterion it failed, and the funnel reports how many listings were left after each stage.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from sectorlights.config.criteria import UniverseCriteria
from sectorlights.domain.frame import FloatArray, IntArray, MarketFrame, StrArray
from sectorlights.domain.results import FunnelStage

BoolArray = npt.NDArray[np.bool_]

MICRO_CAP_TIER = 0
SMALL_CAP_TIER = 1
NO_TIER = -1

# The spec measures gap-proneness over a month of sessions.
GAP_LOOKBACK_SESSIONS = 20

# A gap of exactly the threshold (open 10.50 after a 10.00 close) must count even though
# 10.5 / 10.0 - 1 is not exactly 0.05 in binary floating point.
_RATIO_TOLERANCE = 1e-9

_REASON_DTYPE = "<U16"

DEFAULT_CRITERIA = UniverseCriteria()


@dataclass(frozen=True, slots=True)
class UniverseSelection:
    """Which rows of a frame are in the universe, why the others are not, and the funnel.

    `tier` is set for every row whose market cap is inside the small-cap range (members are a
    subset); `exclusion_reason` is '' for members. Volumes are shares per session; dollar volume is
    average daily volume x last price in USD.
    """

    mask: BoolArray
    tier: IntArray
    exclusion_reason: StrArray
    avg_daily_volume: FloatArray
    avg_dollar_volume_usd: FloatArray
    gap_share: FloatArray
    funnel: list[FunnelStage]

    @property
    def member_rows(self) -> IntArray:
        return np.flatnonzero(self.mask).astype(np.int64)

    @property
    def size(self) -> int:
        return int(np.count_nonzero(self.mask))


def average_daily_volume(daily_volume: FloatArray, sessions: int) -> FloatArray:
    """Mean shares per session over the last `sessions` completed sessions, skipping unknown days.

    NaN when none of those sessions has a volume (a negative volume counts as unknown).
    """
    window = daily_volume[:, daily_volume.shape[1] - min(max(sessions, 0), daily_volume.shape[1]) :]
    known = np.isfinite(window) & (window >= 0)
    total = np.where(known, window, 0.0).sum(axis=1)
    count = known.sum(axis=1)
    average = np.full(daily_volume.shape[0], np.nan)
    np.divide(total, count, out=average, where=count > 0)
    return average


def gap_shares(
    daily_open: FloatArray,
    daily_close: FloatArray,
    gap_threshold: float,
    sessions: int = GAP_LOOKBACK_SESSIONS,
) -> FloatArray:
    """Share of the last `sessions` sessions whose open gapped >= `gap_threshold` from the prior close.

    Sessions without both prices are left out of the share; NaN when no session can be measured.
    """
    session_count = daily_close.shape[1]
    measured = min(max(sessions, 0), max(session_count - 1, 0))
    opens = daily_open[:, session_count - measured :]
    previous_closes = daily_close[:, session_count - measured - 1 : session_count - 1]
    measurable = np.isfinite(opens) & np.isfinite(previous_closes) & (opens > 0) & (previous_closes > 0)
    gap_size = np.zeros(opens.shape)
    np.divide(opens, previous_closes, out=gap_size, where=measurable)
    gapped = measurable & (np.abs(gap_size - 1.0) >= gap_threshold - _RATIO_TOLERANCE)
    count = measurable.sum(axis=1)
    share = np.full(daily_close.shape[0], np.nan)
    np.divide(gapped.sum(axis=1), count, out=share, where=count > 0)
    return share


def market_cap_tiers(market_cap_usd: FloatArray, criteria: UniverseCriteria) -> IntArray:
    """0 micro cap [$10M, $300M), 1 small cap [$300M, $2B], -1 outside or unknown."""
    in_range = (market_cap_usd >= criteria.min_market_cap) & (market_cap_usd <= criteria.max_market_cap)
    tiers = np.full(market_cap_usd.shape[0], NO_TIER, dtype=np.int64)
    tiers[in_range & (market_cap_usd < criteria.micro_small_boundary)] = MICRO_CAP_TIER
    tiers[in_range & (market_cap_usd >= criteria.micro_small_boundary)] = SMALL_CAP_TIER
    return tiers


def _dollar_volume(avg_daily_volume_shares: FloatArray, price_usd: FloatArray) -> FloatArray:
    known = np.isfinite(avg_daily_volume_shares) & np.isfinite(price_usd)
    dollar_volume_usd = np.full(price_usd.shape, np.nan)
    np.multiply(avg_daily_volume_shares, price_usd, out=dollar_volume_usd, where=known)
    return dollar_volume_usd


def _criterion_masks(
    frame: MarketFrame, criteria: UniverseCriteria, tiers: IntArray, avg_daily_volume_shares: FloatArray
) -> list[tuple[str, str, BoolArray]]:
    """(funnel stage, exclusion reason, rows that pass) for each criterion, in the order applied."""
    price_usd = frame.last_price
    minimum_float_shares = np.where(
        tiers == SMALL_CAP_TIER, criteria.min_float_small, criteria.min_float_micro
    )
    float_unknown = ~np.isfinite(frame.float_shares)
    return [
        ("common_stock", "security_type", frame.security_types == criteria.security_type),
        ("exchange", "exchange", np.isin(frame.exchanges, np.asarray(criteria.exchanges, dtype=np.str_))),
        ("market_cap", "market_cap", tiers != NO_TIER),
        ("avg_daily_volume", "avg_daily_volume", avg_daily_volume_shares >= criteria.min_avg_daily_volume),
        ("price", "price", (price_usd >= criteria.min_price) & (price_usd <= criteria.max_price)),
        ("float", "float", float_unknown | (frame.float_shares > minimum_float_shares)),
    ]


def screen_listings(frame: MarketFrame, criteria: UniverseCriteria = DEFAULT_CRITERIA) -> UniverseSelection:
    """Apply the per-listing criteria (type, exchange, cap, volume, price, float); no size cap yet."""
    avg_daily_volume_shares = average_daily_volume(frame.daily_volume, criteria.avg_volume_sessions)
    tiers = market_cap_tiers(frame.market_cap, criteria)
    remaining = np.ones(frame.size, dtype=np.bool_)
    reasons = np.full(frame.size, "", dtype=_REASON_DTYPE)
    funnel = [FunnelStage(stage="listings", remaining=frame.size)]
    for stage, reason, passes in _criterion_masks(frame, criteria, tiers, avg_daily_volume_shares):
        reasons[remaining & ~passes] = reason
        remaining &= passes
        funnel.append(FunnelStage(stage=stage, remaining=int(np.count_nonzero(remaining))))
    return UniverseSelection(
        mask=remaining,
        tier=tiers,
        exclusion_reason=reasons,
        avg_daily_volume=avg_daily_volume_shares,
        avg_dollar_volume_usd=_dollar_volume(avg_daily_volume_shares, frame.last_price),
        gap_share=gap_shares(frame.daily_open, frame.daily_close, criteria.gap_threshold),
        funnel=funnel,
    )


def apply_stage(selection: UniverseSelection, stage: str, passes: BoolArray) -> UniverseSelection:
    """Narrow a selection by one more criterion; `stage` is both the funnel stage and the reason."""
    reasons = selection.exclusion_reason.copy()
    reasons[selection.mask & ~passes] = stage
    remaining = selection.mask & passes
    funnel = [*selection.funnel, FunnelStage(stage=stage, remaining=int(np.count_nonzero(remaining)))]
    return replace(selection, mask=remaining, exclusion_reason=reasons, funnel=funnel)


def apply_size_cap(selection: UniverseSelection, symbols: StrArray, max_size: int) -> UniverseSelection:
    """Keep at most `max_size` members, preferring gap-prone names, then higher dollar volume.

    The symbol breaks the remaining ties so the outcome does not depend on row order.
    """
    rows = np.flatnonzero(selection.mask)
    keep = np.zeros_like(selection.mask)
    if rows.size <= max_size:
        keep[rows] = True
    else:
        gap_share = np.nan_to_num(selection.gap_share[rows], nan=-1.0)
        dollar_volume = np.nan_to_num(selection.avg_dollar_volume_usd[rows], nan=-1.0)
        priority = np.lexsort((symbols[rows], -dollar_volume, -gap_share))
        keep[rows[priority[: max(max_size, 0)]]] = True
    return apply_stage(selection, "size_cap", keep)


def select_universe(
    frame: MarketFrame,
    criteria: UniverseCriteria = DEFAULT_CRITERIA,
    *,
    sector_index: IntArray | None = None,
) -> UniverseSelection:
    """The full selection: per-listing criteria, then (when given) a known sector, then the size cap.

    `sector_index` (one per row, -1 = unclassified) adds the 'sector' stage after 'float'.
    """
    selection = screen_listings(frame, criteria)
    if sector_index is not None:
        selection = apply_stage(selection, "sector", sector_index >= 0)
    return apply_size_cap(selection, frame.symbols, criteria.max_size)
