"""Checks of the sector classification against market data (DESIGN §6).

1. ETF correlation: a stock is plausibly in the right sector when its daily returns move most
   closely with one of its own sector's ETF proxies (XL* and the small-cap PSC*). Either the raw
   returns are correlated, or the residuals left after removing each series' beta to IWM; the
   measurement in docs/classification.md chose raw returns (`REMOVE_BENCHMARK_BETA`).
2. Gap-frequency profile: how often each sector's members open >= 5% away from the previous
   close, turned into the labels that `SECTOR_MAPPING` configures (very_low ... extreme), so the
   configured label can be compared with what the market does.

Every function is vectorised over stocks; nothing here reads the clock or does I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from sectorlights.analytics.performance import daily_returns
from sectorlights.analytics.universe import gap_shares
from sectorlights.config.criteria import GapFrequencyThresholds
from sectorlights.config.sectors import SECTOR_MAPPING
from sectorlights.domain.frame import FloatArray, IntArray, StrArray
from sectorlights.domain.vocabulary import SECTORS, Sector

BoolArray = npt.NDArray[np.bool_]

NO_SECTOR = -1
SECTOR_COUNT = len(SECTORS)

# Our 8 sectors fold 11 GICS sectors (DESIGN §5), so the SPDR funds of the folded-in sectors are
# proxies too: a consumer-staples stock is ours as consumer_discretionary and should move with XLP
# at least as much as with XLY; likewise real estate (XLRE) for financial and communication
# services (XLC) for technology.
EXTRA_SECTOR_PROXIES: Mapping[str, Sector] = MappingProxyType(
    {
        "XLP": Sector.CONSUMER_DISCRETIONARY,
        "XLRE": Sector.FINANCIAL,
        "XLC": Sector.TECHNOLOGY,
    }
)


def _build_proxy_sectors() -> Mapping[str, int]:
    by_symbol: dict[str, int] = {}
    for sector, info in SECTOR_MAPPING.items():
        by_symbol[info.etf_proxy] = SECTORS.index(sector)
        by_symbol[info.small_cap_etf_proxy] = SECTORS.index(sector)
    for symbol, sector in EXTRA_SECTOR_PROXIES.items():
        by_symbol[symbol] = SECTORS.index(sector)
    return MappingProxyType(by_symbol)


# Sector index (into SECTORS) of every symbol that serves as a sector proxy.
PROXY_SECTOR_INDEX: Mapping[str, int] = _build_proxy_sectors()
_PROXY_SYMBOLS = np.asarray(sorted(PROXY_SECTOR_INDEX), dtype=np.str_)
_PROXY_SYMBOL_SECTORS = np.asarray(
    [PROXY_SECTOR_INDEX[symbol] for symbol in _PROXY_SYMBOLS.tolist()], dtype=np.int64
)

# Whether callers should pass IWM to `validate_with_etfs` (residual returns) or None (raw returns).
# On real S&P 600 prices of 2015-2017 against the XL* funds, removing IWM beta lowered the share of
# stocks whose best proxy is their own sector's over 20- and 60-session windows (33.8% against 36.0%,
# 43.8% against 46.3%; lower in 31 of 36 twenty-session windows) and tied over the whole period
# (61.1%): a beta estimated from a few weeks adds noise, and the large-cap XL* residuals share a
# large-minus-small move. Worth measuring again once the small-cap PSC* funds are in the data.
REMOVE_BENCHMARK_BETA = False

# A variance this small relative to the sum of squares it came from is rounding noise left by the
# sum-based formulas, not movement: a flat series must come out as "cannot correlate".
_RELATIVE_VARIANCE_FLOOR = 1e-10

GAP_FREQUENCY_LEVELS: tuple[str, ...] = ("very_low", "low", "moderate", "high", "extreme")
_GAP_LEVEL_INDEX: Mapping[str, int] = MappingProxyType(
    {level: index for index, level in enumerate(GAP_FREQUENCY_LEVELS)}
)


@dataclass(frozen=True, slots=True)
class EtfValidation:
    """Per stock (m rows) and per sector (8, in `SECTORS` order) results of `validate_with_etfs`.

    best_sector_index: sector whose proxy correlates best with the stock; the stock's own sector
        when one of its proxies ties for best; -1 when no proxy could be measured.
    own_correlation: best correlation among the proxies of the stock's own sector; NaN unmeasured.
    agrees: measured and the best proxy belongs to the stock's own sector.
    measured: the stock is classified and at least one proxy of its own sector shares enough
        sessions with it (a sector without a usable proxy cannot confirm or contradict anyone).
    sector_agreement: share of measured members that agree; NaN where none is measured.
    sector_measured: measured member count.
    """

    best_sector_index: IntArray
    own_correlation: FloatArray
    agrees: BoolArray
    measured: BoolArray
    sector_agreement: FloatArray
    sector_measured: IntArray


def proxy_rows(symbols: StrArray) -> tuple[IntArray, IntArray]:
    """Rows of `symbols` that are sector proxies, and each one's sector index.

    Proxies are the XL* and PSC* funds of SECTOR_MAPPING plus `EXTRA_SECTOR_PROXIES` (XLP, XLRE,
    XLC). Symbols match exactly (upper case); rows come back in ascending order.
    """
    values = np.asarray(symbols, dtype=np.str_).reshape(-1)
    positions = np.minimum(np.searchsorted(_PROXY_SYMBOLS, values), _PROXY_SYMBOLS.size - 1)
    is_proxy = _PROXY_SYMBOLS[positions] == values
    rows = np.flatnonzero(is_proxy).astype(np.int64)
    return rows, _PROXY_SYMBOL_SECTORS[positions[rows]]


def _masked_mean(values: FloatArray, known: BoolArray) -> FloatArray:
    count = known.sum(axis=1)
    total = np.where(known, values, 0.0).sum(axis=1)
    mean = np.zeros(values.shape[0])
    np.divide(total, count, out=mean, where=count > 0)
    return mean


def residual_returns(returns: FloatArray, benchmark_returns: FloatArray) -> FloatArray:
    """Returns with each row's beta to the benchmark removed: r - beta x benchmark.

    Beta is estimated per row over the sessions where both are known; NaN on the other sessions,
    and on every session of a row whose beta cannot be estimated (fewer than 2 shared sessions
    or a flat benchmark over them).
    """
    benchmark = np.asarray(benchmark_returns, dtype=np.float64)
    known = np.isfinite(returns) & np.isfinite(benchmark)[np.newaxis, :]
    stacked_benchmark = np.broadcast_to(benchmark, returns.shape)
    centred_returns = np.where(known, returns - _masked_mean(returns, known)[:, np.newaxis], 0.0)
    centred_benchmark = np.where(
        known, stacked_benchmark - _masked_mean(stacked_benchmark, known)[:, np.newaxis], 0.0
    )
    covariance = (centred_returns * centred_benchmark).sum(axis=1)
    benchmark_variance = (centred_benchmark * centred_benchmark).sum(axis=1)
    benchmark_squares = np.where(known, stacked_benchmark * stacked_benchmark, 0.0).sum(axis=1)
    estimable = (known.sum(axis=1) >= 2) & (benchmark_variance > _RELATIVE_VARIANCE_FLOOR * benchmark_squares)
    beta = np.full(returns.shape[0], np.nan)
    np.divide(covariance, benchmark_variance, out=beta, where=estimable)
    residual = np.full(returns.shape, np.nan)
    np.subtract(returns, beta[:, np.newaxis] * stacked_benchmark, out=residual, where=known)
    return residual


def pairwise_correlation(left: FloatArray, right: FloatArray, min_sessions: int) -> FloatArray:
    """(m, k) Pearson correlation of every left row with every right row (columns are sessions).

    Each pair uses only the sessions where both rows are known, by masked sums in matrix
    products, so one stock's missing days do not shrink every other pair. NaN where a pair
    shares fewer than max(min_sessions, 2) sessions or either row is flat over them.
    """
    left_known = np.isfinite(left)
    right_known = np.isfinite(right)
    # Centring each row on its own mean first keeps the sum-based variance formulas from
    # cancelling catastrophically; the pairwise means are still subtracted below.
    left_values = np.where(left_known, left - _masked_mean(left, left_known)[:, np.newaxis], 0.0)
    right_values = np.where(right_known, right - _masked_mean(right, right_known)[:, np.newaxis], 0.0)
    left_mask = left_known.astype(np.float64)
    right_mask = right_known.astype(np.float64)

    shared_sessions = left_mask @ right_mask.T
    left_sum = left_values @ right_mask.T
    right_sum = left_mask @ right_values.T
    left_squares = (left_values * left_values) @ right_mask.T
    right_squares = left_mask @ (right_values * right_values).T
    cross = left_values @ right_values.T

    safe_sessions = np.maximum(shared_sessions, 1.0)
    covariance = cross - left_sum * right_sum / safe_sessions
    left_variance = left_squares - left_sum * left_sum / safe_sessions
    right_variance = right_squares - right_sum * right_sum / safe_sessions
    usable = (
        (shared_sessions >= max(min_sessions, 2))
        & (left_variance > _RELATIVE_VARIANCE_FLOOR * left_squares)
        & (right_variance > _RELATIVE_VARIANCE_FLOOR * right_squares)
    )
    correlation = np.full(shared_sessions.shape, np.nan)
    np.divide(
        covariance,
        np.sqrt(np.where(usable, left_variance * right_variance, 1.0)),
        out=correlation,
        where=usable,
    )
    # Rounding can push a perfect correlation a hair past +-1.
    np.clip(correlation, -1.0, 1.0, out=correlation)
    return correlation


def _check_sector_index(sector_index: IntArray, lowest: int, what: str) -> IntArray:
    indices = np.asarray(sector_index, dtype=np.int64).reshape(-1)
    if indices.size and (indices.min() < lowest or indices.max() >= SECTOR_COUNT):
        raise ValueError(f"{what} must lie in [{lowest}, {SECTOR_COUNT - 1}]")
    return indices


def _per_sector_shares(sector_index: IntArray, counted: BoolArray, hits: BoolArray) -> FloatArray:
    totals = np.bincount(sector_index[counted], minlength=SECTOR_COUNT)
    hit_counts = np.bincount(sector_index[hits], minlength=SECTOR_COUNT)
    shares = np.full(SECTOR_COUNT, np.nan)
    np.divide(hit_counts, totals, out=shares, where=totals > 0)
    return shares


def validate_with_etfs(
    stock_closes: FloatArray,
    stock_sector_index: IntArray,
    proxy_closes: FloatArray,
    proxy_sector_index: IntArray,
    benchmark_close: FloatArray | None,
    min_sessions: int = 15,
) -> EtfValidation:
    """Whether each stock's daily returns correlate best with a proxy of its own sector.

    stock_closes (m, d) and proxy_closes (k, d) are daily closes, oldest first, NaN unknown;
    stock_sector_index (m,) is -1 for unclassified stocks; proxy_sector_index (k,) gives each
    proxy's sector (see `proxy_rows`). With benchmark_close (d,), the IWM closes, each series'
    beta to IWM is removed before correlating, so that the market's common move cannot make every
    proxy look alike; None correlates raw returns, which measured better (`REMOVE_BENCHMARK_BETA`).
    min_sessions is the fewest daily returns a stock and a proxy must share for their correlation
    to count. Correlations use daily simple returns over the d columns given.
    """
    stocks = np.asarray(stock_closes, dtype=np.float64)
    proxies = np.asarray(proxy_closes, dtype=np.float64)
    if stocks.ndim != 2 or proxies.ndim != 2:
        raise ValueError("stock_closes and proxy_closes must be 2-D (rows, sessions)")
    if stocks.shape[1] != proxies.shape[1]:
        raise ValueError(f"stocks ({stocks.shape[1]}) and proxies ({proxies.shape[1]}) differ in sessions")
    stock_sectors = _check_sector_index(stock_sector_index, NO_SECTOR, "stock_sector_index")
    proxy_sectors = _check_sector_index(proxy_sector_index, 0, "proxy_sector_index")
    if stock_sectors.shape[0] != stocks.shape[0]:
        raise ValueError(
            f"stock_sector_index ({stock_sectors.shape[0]}) and stocks ({stocks.shape[0]}) differ"
        )
    if proxy_sectors.shape[0] != proxies.shape[0]:
        raise ValueError(
            f"proxy_sector_index ({proxy_sectors.shape[0]}) and proxies ({proxies.shape[0]}) differ"
        )

    stock_returns = daily_returns(stocks)
    proxy_returns = daily_returns(proxies)
    if benchmark_close is not None:
        benchmark = np.asarray(benchmark_close, dtype=np.float64)
        if benchmark.shape != (stocks.shape[1],):
            raise ValueError(f"benchmark_close must have shape ({stocks.shape[1]},), got {benchmark.shape}")
        benchmark_returns = daily_returns(benchmark[np.newaxis, :])[0]
        stock_returns = residual_returns(stock_returns, benchmark_returns)
        proxy_returns = residual_returns(proxy_returns, benchmark_returns)

    correlation = pairwise_correlation(stock_returns, proxy_returns, min_sessions)
    ranked = np.where(np.isfinite(correlation), correlation, -np.inf)
    best_correlation = ranked.max(axis=1, initial=-np.inf)
    own_proxy = proxy_sectors[np.newaxis, :] == stock_sectors[:, np.newaxis]
    own_best = np.where(own_proxy, ranked, -np.inf).max(axis=1, initial=-np.inf)

    measured = (stock_sectors != NO_SECTOR) & np.isfinite(own_best)
    # Comparing values rather than argmax positions keeps ties (two identical proxies) from
    # depending on the proxies' row order.
    agrees = measured & (own_best >= best_correlation)
    best_proxy = np.argmax(ranked, axis=1) if proxy_sectors.size else np.zeros(stocks.shape[0], np.int64)
    best_sector = np.where(
        np.isfinite(best_correlation),
        proxy_sectors[best_proxy] if proxy_sectors.size else NO_SECTOR,
        NO_SECTOR,
    )
    best_sector = np.where(agrees, stock_sectors, best_sector).astype(np.int64)
    own_correlation = np.where(np.isfinite(own_best), own_best, np.nan)

    sector_for_count = np.maximum(stock_sectors, 0)
    return EtfValidation(
        best_sector_index=best_sector,
        own_correlation=own_correlation,
        agrees=agrees,
        measured=measured,
        sector_agreement=_per_sector_shares(sector_for_count, measured, agrees),
        sector_measured=np.bincount(sector_for_count[measured], minlength=SECTOR_COUNT).astype(np.int64),
    )


def sector_gap_profile(gap_share: FloatArray, sector_index: IntArray) -> tuple[FloatArray, IntArray]:
    """(8,) mean gap share of each sector's members (NaN where none measured) and (8,) member counts.

    A gap share is the share of a stock's sessions with a >= 5% opening gap (for example from
    `analytics.universe.gap_shares` or `average_gap_share`). Stocks with a NaN share or no sector
    (-1) are left out; the mean weighs every member equally.
    """
    shares = np.asarray(gap_share, dtype=np.float64).reshape(-1)
    sectors = _check_sector_index(sector_index, NO_SECTOR, "sector_index")
    if shares.shape != sectors.shape:
        raise ValueError(f"gap_share ({shares.shape[0]}) and sector_index ({sectors.shape[0]}) differ")
    counted = np.isfinite(shares) & (sectors != NO_SECTOR)
    counts = np.bincount(sectors[counted], minlength=SECTOR_COUNT).astype(np.int64)
    totals = np.bincount(sectors[counted], weights=shares[counted], minlength=SECTOR_COUNT)
    means = np.full(SECTOR_COUNT, np.nan)
    np.divide(totals, counts, out=means, where=counts > 0)
    return means, counts


def gap_frequency_levels(sector_gap_share: FloatArray, thresholds: GapFrequencyThresholds) -> StrArray:
    """(8,) measured level per sector ('' where unmeasured).

    A share equal to a level's upper bound still belongs to that level.
    """
    shares = np.asarray(sector_gap_share, dtype=np.float64)
    bounds = np.asarray(thresholds.upper_bounds, dtype=np.float64)
    level_index = np.searchsorted(bounds, np.where(np.isfinite(shares), shares, 0.0), side="left")
    levels = np.asarray(GAP_FREQUENCY_LEVELS, dtype=np.str_)[level_index]
    return np.where(np.isfinite(shares), levels, "").astype(np.str_)


def _level_indices(levels: Sequence[str] | StrArray, what: str) -> IntArray:
    values: list[str] = np.asarray(levels, dtype=np.str_).reshape(-1).tolist()
    unknown = sorted({level for level in values if level and level not in _GAP_LEVEL_INDEX})
    if unknown:
        raise ValueError(f"{what} holds unknown gap-frequency levels {unknown}; use {GAP_FREQUENCY_LEVELS}")
    return np.asarray([_GAP_LEVEL_INDEX.get(level, -1) for level in values], dtype=np.int64)


def gap_level_distance(measured: StrArray, configured: Sequence[str]) -> IntArray:
    """(8,) measured level index minus configured level index; 0 where unmeasured.

    0 means the configured label matches; positive means the sector gaps more than configured.
    """
    measured_index = _level_indices(measured, "measured")
    configured_index = _level_indices(configured, "configured")
    if measured_index.shape != configured_index.shape:
        raise ValueError(
            f"measured ({measured_index.shape[0]}) and configured ({configured_index.shape[0]}) differ"
        )
    if np.any(configured_index < 0):
        raise ValueError("every configured gap-frequency level must be set")
    return np.where(measured_index >= 0, measured_index - configured_index, 0).astype(np.int64)


def average_gap_share(
    daily_open: FloatArray,
    daily_close: FloatArray,
    gap_threshold: float,
    window_sessions: int,
) -> FloatArray:
    """(n,) mean over consecutive `window_sessions`-session windows of the gap share in each window.

    Windows end at the latest session and step back by `window_sessions`; a window needs one more
    close than it has sessions (the gap is measured from the previous close), so a leftover
    stretch at the start is dropped. Each window counts once whatever its measurable sessions;
    a stock with no measurable window is NaN. Loops over windows, never over stocks.
    """
    opens = np.asarray(daily_open, dtype=np.float64)
    closes = np.asarray(daily_close, dtype=np.float64)
    if opens.shape != closes.shape or opens.ndim != 2:
        raise ValueError("daily_open and daily_close must be 2-D and of the same shape")
    if window_sessions < 1:
        raise ValueError("window_sessions must be at least 1")
    total = np.zeros(opens.shape[0])
    windows = np.zeros(opens.shape[0], dtype=np.int64)
    for end in range(opens.shape[1], window_sessions, -window_sessions):
        share = gap_shares(opens[:, :end], closes[:, :end], gap_threshold, window_sessions)
        known = np.isfinite(share)
        total[known] += share[known]
        windows += known
    mean = np.full(opens.shape[0], np.nan)
    np.divide(total, windows, out=mean, where=windows > 0)
    return mean
