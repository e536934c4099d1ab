"""Assemble the aligned MarketFrame the analytics need from one provider."""

from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Protocol

import numpy as np

from sectorlights.domain.frame import FloatArray, MarketFrame, StrArray
from sectorlights.domain.market import DailyBars, IntradaySnapshot, validate_daily_bars, validate_snapshot
from sectorlights.domain.sessions import (
    clamp_to_session,
    current_session,
    expected_volume_fraction,
    previous_sessions,
    session_bounds,
)
from sectorlights.providers.base import MarketDataProvider, NoIntradayDataError

WINDOW_30M = timedelta(minutes=30)
#: The shortest span the 30-minute return is taken over (the snapshot memory's tolerance short of 30
#: minutes). Shorter — a first run, or the first minutes after the 04:00 ET pre-market open — there is
#: no 30-minute history: the column has no value and says why, never a return over seconds (≈ 0.0).
MIN_SPAN_30M = timedelta(minutes=20)

ProgressCallback = Callable[[str, float], None]

#: How long remembered snapshots are kept: the rotation graph's half-hour bars reach back one whole
#: 04:00-20:00 session's worth (32 half hours, up to a day of wall time across the night) on vendors
#: that only answer "now"; the 30m window needs 30 minutes.
SNAPSHOT_KEEP_SECS = 25 * 3600


class DailyBarsCache:
    """Completed sessions never change, so each is fetched from the vendor once.

    Thread-safe: the analysis and the move watcher read it from their own worker threads."""

    def __init__(self, max_sessions: int = 80) -> None:
        self._max_sessions = max_sessions
        self._bars: OrderedDict[tuple[str, date], DailyBars] = OrderedDict()
        self._lock = threading.Lock()

    def fetch(self, provider: MarketDataProvider, sessions: Sequence[date]) -> list[DailyBars]:
        with self._lock:
            return self._fetch(provider, sessions)

    def _fetch(self, provider: MarketDataProvider, sessions: Sequence[date]) -> list[DailyBars]:
        missing = [session for session in sessions if (provider.name, session) not in self._bars]
        if missing:
            for bars in provider.daily_bars(missing):
                validate_daily_bars(bars)
                self._bars[(provider.name, bars.session)] = bars
            while len(self._bars) > self._max_sessions:
                self._bars.popitem(last=False)
        return [
            self._bars[(provider.name, session)]
            for session in sessions
            if (provider.name, session) in self._bars
        ]


class RecentSnapshots(Protocol):
    """Where runs remember whole-market snapshots for the 30m window (this process, or Redis)."""

    def remember(self, snapshot: IntradaySnapshot) -> None: ...

    def closest(self, target: datetime, session: date) -> IntradaySnapshot | None: ...


class SnapshotMemory:
    """Recent snapshots, for vendors that only answer "now": the 30m window looks back in here."""

    def __init__(self, keep_secs: float = SNAPSHOT_KEEP_SECS, tolerance_secs: float = 10 * 60) -> None:
        self._keep_secs = keep_secs
        self._tolerance_secs = tolerance_secs
        self._snapshots: list[IntradaySnapshot] = []

    def remember(self, snapshot: IntradaySnapshot) -> None:
        self._snapshots.append(snapshot)
        newest = max(item.at for item in self._snapshots)
        self._snapshots = [
            item for item in self._snapshots if (newest - item.at).total_seconds() <= self._keep_secs
        ]

    def closest(self, target: datetime, session: date) -> IntradaySnapshot | None:
        """The remembered snapshot of `session` nearest to `target`, within the tolerance."""
        candidates = [
            item
            for item in self._snapshots
            if item.session == session and abs((item.at - target).total_seconds()) <= self._tolerance_secs
        ]
        return min(candidates, key=lambda item: abs((item.at - target).total_seconds()), default=None)


def aligned(target: StrArray, source_symbols: StrArray, values: FloatArray) -> FloatArray:
    """`values` reordered onto the sorted, unique `target` symbols; NaN where the source has no row."""
    out = np.full(target.shape[0], np.nan)
    if source_symbols.size == 0 or target.size == 0:
        return out
    positions = np.searchsorted(target, source_symbols)
    positions = np.clip(positions, 0, target.shape[0] - 1)
    hit = target[positions] == source_symbols
    out[positions[hit]] = values[hit]
    return out


def build_frame(
    provider: MarketDataProvider,
    now: datetime,
    history_sessions: int,
    bars_cache: DailyBarsCache,
    progress: ProgressCallback | None = None,
    snapshot_memory: RecentSnapshots | None = None,
) -> MarketFrame:
    """Listings, completed daily bars, and the intraday state now and 30 minutes earlier."""

    def report(stage: str, percent: float) -> None:
        if progress is not None:
            progress(stage, percent)

    session = current_session(now)
    report("listings", 10.0)
    listings = sorted(provider.listings(now), key=lambda listing: listing.symbol)
    symbols = np.array([listing.symbol for listing in listings], dtype=np.str_)
    if symbols.size != np.unique(symbols).size:
        symbols, first = np.unique(symbols, return_index=True)
        listings = [listings[index] for index in first]

    report("daily_bars", 25.0)
    sessions = previous_sessions(session, history_sessions)
    bar_sets = bars_cache.fetch(provider, sessions)
    shape = (symbols.size, len(bar_sets))
    columns = {name: np.full(shape, np.nan) for name in ("open", "high", "low", "close", "volume")}
    for column_index, bars in enumerate(bar_sets):
        for name, matrix in columns.items():
            matrix[:, column_index] = aligned(symbols, bars.symbols, getattr(bars, name))

    report("intraday", 55.0)
    anchor = clamp_to_session(now)
    earlier = max(anchor - WINDOW_30M, session_bounds(session).extended_open)
    latest = provider.intraday_snapshot(anchor)
    validate_snapshot(latest)
    price_30m_ago = np.full(symbols.size, np.nan)
    before: IntradaySnapshot | None = None
    if provider.capabilities.historical_snapshots:
        # Day bars alone (a flat-file replay at a day-only session's close) say nothing about the
        # half hour before: that window is left without data instead of failing the run.
        with contextlib.suppress(NoIntradayDataError):
            before = provider.intraday_snapshot(earlier)
            validate_snapshot(before)
    elif snapshot_memory is not None:
        snapshot_memory.remember(latest)
        before = snapshot_memory.closest(earlier, session)
    if before is not None and anchor - before.at >= MIN_SPAN_30M:
        price_30m_ago = aligned(symbols, before.symbols, before.last_price)

    def optional(values: Sequence[float | None]) -> FloatArray:
        return np.array([np.nan if value is None else value for value in values], dtype=np.float64)

    return MarketFrame(
        as_of=now,
        current_session=session,
        sessions=tuple(bars.session for bars in bar_sets),
        symbols=symbols,
        names=np.array([listing.name for listing in listings], dtype=np.str_),
        security_types=np.array([listing.security_type for listing in listings], dtype=np.str_),
        exchanges=np.array([listing.primary_exchange for listing in listings], dtype=np.str_),
        market_cap=optional([listing.market_cap for listing in listings]),
        shares_outstanding=optional([listing.shares_outstanding for listing in listings]),
        float_shares=optional([listing.float_shares for listing in listings]),
        sic_codes=np.array([_sic_int(listing.sic_code) for listing in listings], dtype=np.int64),
        daily_open=columns["open"],
        daily_high=columns["high"],
        daily_low=columns["low"],
        daily_close=columns["close"],
        daily_volume=columns["volume"],
        last_price=aligned(symbols, latest.symbols, latest.last_price),
        price_30m_ago=price_30m_ago,
        session_volume=aligned(symbols, latest.symbols, latest.session_volume),
        volume_fraction_expected=expected_volume_fraction(anchor),
    )


def _sic_int(code: str | None) -> int:
    if code is None:
        return -1
    try:
        return int(code)
    except ValueError:
        return -1
