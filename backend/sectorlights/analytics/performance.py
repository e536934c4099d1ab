"""Timeframe returns per stock and per sector (DESIGN §6). Returns are fractions (0.036 = +3.6%).

Per-stock returns live in an (n, 4) array whose columns follow `TIMEFRAMES` (30m, 1d, 3d, 1w);
per-sector values live in (8, 4) arrays whose rows follow `SECTORS`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sectorlights.config.criteria import ScoreParams
from sectorlights.config.sectors import BENCHMARK_SYMBOL
from sectorlights.config.volatility_weights import VolatilityWeightConfig
from sectorlights.domain.frame import FloatArray, IntArray, MarketFrame
from sectorlights.domain.vocabulary import SECTORS, TIMEFRAMES, Timeframe

SECTOR_COUNT = len(SECTORS)
TIMEFRAME_COUNT = len(TIMEFRAMES)
TIMEFRAME_COLUMN: dict[Timeframe, int] = {timeframe: column for column, timeframe in enumerate(TIMEFRAMES)}

# How many completed sessions back each daily timeframe's reference close lies:
# daily_close[:, -1] is the previous session's close.
SESSIONS_BACK: dict[Timeframe, int] = {Timeframe.DAY_1: 1, Timeframe.DAY_3: 3, Timeframe.WEEK_1: 5}

# A stock without a usable relative volume still counts, at the weight of an ordinary day.
UNKNOWN_RELATIVE_VOLUME_WEIGHT = 1.0


def price_return(price_now: FloatArray, price_before: FloatArray) -> FloatArray:
    """price_now / price_before - 1; NaN when either price is missing or not positive."""
    usable = np.isfinite(price_now) & np.isfinite(price_before) & (price_now > 0) & (price_before > 0)
    ratio = np.full(price_now.shape, np.nan)
    np.divide(price_now, price_before, out=ratio, where=usable)
    return ratio - 1.0


def stock_returns(last_price: FloatArray, price_30m_ago: FloatArray, daily_close: FloatArray) -> FloatArray:
    """(n, 4) returns for 30m, 1d, 3d, 1w; NaN where the reference price is missing or too old."""
    returns = np.full((last_price.shape[0], TIMEFRAME_COUNT), np.nan)
    returns[:, TIMEFRAME_COLUMN[Timeframe.MIN_30]] = price_return(last_price, price_30m_ago)
    session_count = daily_close.shape[1]
    for timeframe, sessions_back in SESSIONS_BACK.items():
        if session_count >= sessions_back:
            returns[:, TIMEFRAME_COLUMN[timeframe]] = price_return(last_price, daily_close[:, -sessions_back])
    return returns


def frame_returns(frame: MarketFrame) -> FloatArray:
    """(n, 4) timeframe returns of every row of a frame."""
    return stock_returns(frame.last_price, frame.price_30m_ago, frame.daily_close)


def one_day_returns(frame: MarketFrame) -> FloatArray:
    """Last price against the previous regular-session close, per row."""
    if frame.daily_close.shape[1] == 0:
        return np.full(frame.size, np.nan)
    return price_return(frame.last_price, frame.daily_close[:, -1])


def relative_volume(
    session_volume: FloatArray,
    avg_daily_volume: FloatArray,
    volume_fraction_expected: float,
    *,
    volume_fraction_floor: float,
) -> FloatArray:
    """Volume so far / volume expected by now (average daily volume x expected share of the day).

    Until the expected share reaches `volume_fraction_floor`, the ratio is taken over that floor
    instead, the part of it still to come counted at its typical volume. Right after 04:00 the
    expectation is close to zero, so a single early print would otherwise read as thousands of times
    the usual volume; padding at the typical pace (rather than only raising the denominator) keeps a
    stock trading as usual at 1 instead of reading as nearly idle in the first minutes. NaN when the
    volume so far is unknown or negative, or when nothing is expected (unknown or non-positive average).
    """
    share = max(volume_fraction_expected, volume_fraction_floor)
    still_to_come = avg_daily_volume * (share - volume_fraction_expected)
    expected_volume = avg_daily_volume * share
    usable = (
        np.isfinite(session_volume)
        & (session_volume >= 0)
        & np.isfinite(expected_volume)
        & (expected_volume > 0)
    )
    ratio = np.full(session_volume.shape, np.nan)
    np.divide(session_volume + still_to_come, expected_volume, out=ratio, where=usable)
    return ratio


def benchmark_returns(frame: MarketFrame, benchmark_symbol: str = BENCHMARK_SYMBOL) -> FloatArray:
    """(4,) returns of the benchmark row, computed like any stock's; NaN when it is not in the frame."""
    rows = np.flatnonzero(frame.symbols == benchmark_symbol)
    if rows.size == 0:
        return np.full(TIMEFRAME_COUNT, np.nan)
    row = rows[:1]
    return stock_returns(frame.last_price[row], frame.price_30m_ago[row], frame.daily_close[row]).reshape(-1)


def daily_returns(daily_close: FloatArray) -> FloatArray:
    """(n, d - 1) close-to-close returns of consecutive sessions; NaN unless both closes are known and > 0."""
    prices = np.asarray(daily_close, dtype=np.float64)
    if prices.ndim != 2:
        raise ValueError(f"closes must be 2-D (rows, sessions), got shape {prices.shape}")
    if prices.shape[1] < 2:
        return np.zeros((prices.shape[0], 0))
    return price_return(prices[:, 1:], prices[:, :-1])


def _masked_sample_std(values: FloatArray, usable: npt.NDArray[np.bool_]) -> FloatArray:
    """Row-wise sample standard deviation over the `usable` cells; NaN for rows with fewer than 2."""
    count = usable.sum(axis=1)
    safe = np.where(usable, values, 0.0)
    mean = np.divide(safe.sum(axis=1), count, out=np.zeros(count.shape), where=count > 0)
    squares = np.where(usable, (safe - mean[:, np.newaxis]) ** 2, 0.0).sum(axis=1)
    std = np.full(count.shape, np.nan)
    np.divide(squares, count - 1, out=std, where=count >= 2)
    return np.sqrt(std)


def _membership(sector_index: IntArray) -> FloatArray:
    """(8, n) one-hot: 1 where a row belongs to a sector; unclassified rows (-1) belong to none."""
    classified = sector_index >= 0
    members = np.zeros((SECTOR_COUNT, sector_index.shape[0]))
    members[sector_index[classified], np.flatnonzero(classified)] = 1.0
    return members


def sector_means(values: FloatArray, sector_index: IntArray) -> FloatArray:
    """(8, k) equal-weighted mean of each column of (n, k) `values` over every sector's rows, skipping
    NaN and unclassified rows; NaN where a sector has no value in a column."""
    members = _membership(sector_index)
    known = np.isfinite(values)
    totals = members @ np.where(known, values, 0.0)
    counts = members @ known.astype(np.float64)
    means = np.full(totals.shape, np.nan)
    np.divide(totals, counts, out=means, where=counts > 0)
    return means


def measured_volatility_weights(
    daily_close: FloatArray,
    sector_index: IntArray,
    benchmark_close: FloatArray | None,
    volatility: VolatilityWeightConfig,
) -> FloatArray:
    """(8,) dynamic volatility weights: sector volatility / benchmark volatility, clipped; NaN unmeasured.

    A sector's daily return is the equal-weighted mean of its members' close-to-close returns over
    the last `lookback_sessions` sessions; its volatility is the sample standard deviation of that
    series over the sessions where the benchmark has a return too. Sectors with fewer than
    `min_stocks` members or `min_sessions` usable sessions, and every sector when the benchmark is
    unknown or flat, are NaN (the caller keeps their static weight).
    """
    weights = np.full(SECTOR_COUNT, np.nan)
    if benchmark_close is None:
        return weights
    window = min(volatility.lookback_sessions + 1, daily_close.shape[1])
    returns = daily_returns(daily_close[:, daily_close.shape[1] - window :])
    benchmark = daily_returns(benchmark_close[np.newaxis, benchmark_close.shape[0] - window :])[0]
    members = _membership(sector_index)
    sector_daily = sector_means(returns, sector_index)
    usable = np.isfinite(sector_daily) & np.isfinite(benchmark)[np.newaxis, :]
    sessions = usable.sum(axis=1)
    sector_sigma = _masked_sample_std(sector_daily, usable)
    benchmark_sigma = _masked_sample_std(np.broadcast_to(benchmark, sector_daily.shape), usable)
    measurable = (
        (members.sum(axis=1) >= volatility.min_stocks)
        & (sessions >= volatility.min_sessions)
        & np.isfinite(benchmark_sigma)
        & (benchmark_sigma > 0)
        & np.isfinite(sector_sigma)
    )
    low, high = volatility.dynamic_bounds
    ratio = np.divide(sector_sigma, benchmark_sigma, out=np.full(SECTOR_COUNT, np.nan), where=measurable)
    weights[measurable] = np.clip(ratio[measurable], low, high)
    return weights


def volatility_weight_array(
    volatility: VolatilityWeightConfig, measured: FloatArray | None = None
) -> FloatArray:
    """(8,) volatility weights in `SECTORS` order; `measured` (8,) dynamic weights, NaN = not measured."""
    by_sector = (
        None
        if measured is None
        else {
            sector: float(value)
            for sector, value in zip(SECTORS, measured.tolist(), strict=True)
            if np.isfinite(value)
        }
    )
    return np.array(
        [volatility.get_weight_for_sector(sector, by_sector) for sector in SECTORS], dtype=np.float64
    )


def volume_weights(relative_volumes: FloatArray, clip: tuple[float, float]) -> FloatArray:
    """Weight of each stock in its sector's mean: relative volume clipped to `clip`, 1 when unknown."""
    clipped = np.clip(relative_volumes, clip[0], clip[1])
    return np.where(np.isfinite(clipped), clipped, UNKNOWN_RELATIVE_VOLUME_WEIGHT)


def _sorted_by_sector(values: FloatArray, sector_index: IntArray) -> tuple[FloatArray, IntArray, IntArray]:
    """Usable values sorted by (sector, value), with each sector's count and first position."""
    usable = (sector_index >= 0) & np.isfinite(values)
    usable_values = values[usable]
    usable_sectors = sector_index[usable]
    order = np.lexsort((usable_values, usable_sectors))
    counts = np.bincount(usable_sectors, minlength=SECTOR_COUNT)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    return usable_values[order], counts, starts


def winsorized_returns(
    returns: FloatArray, sector_index: IntArray, share: float, min_clipped: int
) -> FloatArray:
    """(n, 4) returns clipped per sector and timeframe to the range of its inner members.

    With c members with a return, the lowest and highest k = max(min_clipped, ceil(share x c))
    are pulled in to the (k + 1)-th lowest and highest, k capped so the range never inverts (a
    sector of 1 or 2 is left as it is). With `min_clipped` >= 1 a single stock can never lie
    outside the range of the others, so one outlier cannot move its sector against all the rest.
    NaN and unclassified rows are left as they are.
    """
    clipped = np.array(returns, dtype=np.float64, copy=True)
    classified = sector_index >= 0
    for column in range(returns.shape[1]):
        sorted_values, counts, starts = _sorted_by_sector(returns[:, column], sector_index)
        has_values = counts > 0
        trimmed = np.maximum(min_clipped, np.ceil(share * counts).astype(np.int64))
        trimmed = np.minimum(trimmed, np.maximum((counts - 1) // 2, 0))
        low = np.full(SECTOR_COUNT, -np.inf)
        high = np.full(SECTOR_COUNT, np.inf)
        low[has_values] = sorted_values[(starts + trimmed)[has_values]]
        high[has_values] = sorted_values[(starts + counts - 1 - trimmed)[has_values]]
        rows = classified & np.isfinite(returns[:, column])
        sectors = sector_index[rows]
        clipped[rows, column] = np.clip(returns[rows, column], low[sectors], high[sectors])
    return clipped


@dataclass(frozen=True, slots=True)
class SectorReturns:
    """(8, 4) per sector and timeframe, as fractions; NaN where no stock has a return.

    `alpha` is NaN where the benchmark's return is unknown; `benchmark` is (4,).
    """

    weighted: FloatArray
    plain: FloatArray
    adjusted: FloatArray
    alpha: FloatArray
    stock_counts: IntArray
    benchmark: FloatArray


def sector_returns(
    returns: FloatArray,
    sector_index: IntArray,
    relative_volumes: FloatArray,
    volatility_weights: FloatArray,
    benchmark: FloatArray | None = None,
    params: ScoreParams | None = None,
) -> SectorReturns:
    """Volume-weighted and plain mean return per sector and timeframe, skipping missing returns.

    Both means are taken over the winsorised member returns unless `params.winsor_share` is None.
    adjusted = weighted x the sector's volatility weight; alpha = adjusted - the benchmark return.
    Rows with `sector_index` -1 are ignored.
    """
    score = params or ScoreParams()
    clip = score.relative_volume_clip
    if score.winsor_share is not None:
        returns = winsorized_returns(returns, sector_index, score.winsor_share, score.winsor_min_clipped)
    weights = volume_weights(relative_volumes, clip)
    weighted = np.full((SECTOR_COUNT, TIMEFRAME_COUNT), np.nan)
    plain = np.full((SECTOR_COUNT, TIMEFRAME_COUNT), np.nan)
    counts = np.zeros((SECTOR_COUNT, TIMEFRAME_COUNT), dtype=np.int64)
    classified = sector_index >= 0
    for column in range(TIMEFRAME_COUNT):
        column_returns = returns[:, column]
        usable = classified & np.isfinite(column_returns)
        sectors = sector_index[usable]
        usable_returns = column_returns[usable]
        usable_weights = weights[usable]
        count = np.bincount(sectors, minlength=SECTOR_COUNT)
        weight_total = np.bincount(sectors, weights=usable_weights, minlength=SECTOR_COUNT)
        weighted_sum = np.bincount(sectors, weights=usable_weights * usable_returns, minlength=SECTOR_COUNT)
        plain_sum = np.bincount(sectors, weights=usable_returns, minlength=SECTOR_COUNT)
        has_returns = count > 0
        np.divide(weighted_sum, weight_total, out=weighted[:, column], where=has_returns)
        np.divide(plain_sum, count, out=plain[:, column], where=has_returns)
        counts[:, column] = count
    adjusted = weighted * volatility_weights[:, np.newaxis]
    benchmark_row = np.full(TIMEFRAME_COUNT, np.nan) if benchmark is None else benchmark
    alpha = adjusted - benchmark_row[np.newaxis, :]
    return SectorReturns(
        weighted=weighted,
        plain=plain,
        adjusted=adjusted,
        alpha=alpha,
        stock_counts=counts,
        benchmark=benchmark_row,
    )


def member_pulls(
    returns: FloatArray, relative_volumes: FloatArray, params: ScoreParams | None = None
) -> FloatArray:
    """(n, 4) what each member of one sector adds to the sector's volume-weighted return per
    timeframe: its weight x its return (winsorised as in `sector_returns`) / the sector's total weight
    over the members with a return, in the returns' units; NaN without a return. A timeframe's pulls
    sum to `sector_returns(...).weighted` of that sector, so the largest are the stocks that moved it."""
    score = params or ScoreParams()
    if score.winsor_share is not None:
        one_sector = np.zeros(len(returns), dtype=np.int64)
        returns = winsorized_returns(returns, one_sector, score.winsor_share, score.winsor_min_clipped)
    weights = volume_weights(relative_volumes, score.relative_volume_clip)[:, np.newaxis]
    usable = np.isfinite(returns)
    totals = np.where(usable, weights, 0.0).sum(axis=0)
    pulls = np.full(returns.shape, np.nan)
    np.divide(weights * returns, totals, out=pulls, where=usable)
    return pulls


def sector_medians(values: FloatArray, sector_index: IntArray) -> FloatArray:
    """(8,) median of `values` per sector, skipping NaN and unclassified rows; NaN for an empty sector.

    One sort of all rows by (sector, value) serves every sector at once.
    """
    sorted_values, counts, starts = _sorted_by_sector(values, sector_index)
    has_values = counts > 0
    lower_middle = (starts + (counts - 1) // 2)[has_values]
    upper_middle = (starts + counts // 2)[has_values]
    medians = np.full(SECTOR_COUNT, np.nan)
    medians[has_values] = (sorted_values[lower_middle] + sorted_values[upper_middle]) / 2.0
    return medians
