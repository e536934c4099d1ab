"""The intraday backtest: the grid as of chosen New York times of sessions with imported minute bars,
next to what the sector's members did over the following 4 hours (capped at the regular close), and
intraday momentum (first half hour against last half hour). Like the daily backtest it builds the
grid with the product's own frame and analysis in this process and stores nothing.

A session needs its own minute bars and its prior sessions' day bars, but no next session: the
outcome lies inside the session."""

from __future__ import annotations

import time as timer
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import numpy as np

from sectorlights.analytics.intraday import (
    bar_span_ns,
    forward_window_end,
    half_hour_returns_pct,
    momentum_window,
    window_volume,
)
from sectorlights.config.sectors import BENCHMARK_SYMBOL
from sectorlights.domain.frame import FloatArray, MarketFrame, StrArray
from sectorlights.domain.market import DailyBars
from sectorlights.domain.results import AnalysisResult
from sectorlights.domain.sessions import NEW_YORK, is_session, next_session, previous_sessions, session_bounds
from sectorlights.domain.vocabulary import SECTORS
from sectorlights.engine.backtest import (
    BacktestProgress,
    BacktestRun,
    SessionOutcome,
    score_session,
    sector_means,
)
from sectorlights.engine.frame_builder import DailyBarsCache, aligned, build_frame
from sectorlights.engine.pipeline import AnalysisInputs, analyze_market
from sectorlights.providers.base import MarketDataProvider, ProviderError

FORWARD_WINDOW = timedelta(hours=4)


def time_label(moment: time) -> str:
    return moment.strftime("%H:%M")


def sessions_between(first: date, last: date) -> list[date]:
    """NYSE sessions from `first` to `last`, inclusive."""
    day = first if is_session(first) else next_session(first)
    found: list[date] = []
    while day <= last:
        found.append(day)
        day = next_session(day)
    return found


def skip_reason(
    session: date,
    start: datetime,
    end: datetime,
    imported: set[date],
    minute_span: tuple[datetime, datetime] | None,
    history_sessions: int,
) -> str | None:
    """Why the grid at `start` cannot be scored up to `end` on `session`, or None when it can.

    `minute_span` is the end of the session's first and of its last minute bar (the benchmark's: the
    grid and its baselines need it), None when it has none."""
    close = session_bounds(session).regular_close
    if start >= close:
        return f"early close at {close:%H:%M}: {start:%H:%M} is not in that session's regular hours"
    if minute_span is None:
        return f"no minute bars imported: import minute_aggs_v1/{session:%Y/%m/%Y-%m-%d}.csv.gz"
    missing = [day for day in previous_sessions(session, history_sessions) if day not in imported]
    if missing:
        return f"{len(missing)} of the {history_sessions} prior sessions' day bars not imported"
    first, last = (moment.astimezone(NEW_YORK) for moment in minute_span)
    if first > start:
        return f"the first minute bar ({BENCHMARK_SYMBOL}'s) ends at {first:%H:%M}, after {start:%H:%M}"
    if last < end:
        return (
            f"the last minute bar ({BENCHMARK_SYMBOL}'s) ends at {last:%H:%M}, before the window ends "
            f"at {end.astimezone(NEW_YORK):%H:%M}"
        )
    return None


@dataclass(frozen=True, slots=True)
class MomentumOutcome:
    session: date
    first_pct: FloatArray  # (K,) members' equal-weight return, previous close -> 10:00
    last_pct: FloatArray  # (K,) the same, last half hour
    benchmark_first_pct: float
    benchmark_last_pct: float


@dataclass(frozen=True, slots=True)
class IntradayRun:
    # Per time ("10:00"): its scored sessions, as the daily statistics read them (the "same day" return
    # is the return so far today, the "next" one the forward window's), and the sessions skipped.
    by_time: dict[str, BacktestRun]
    windows: dict[str, list[str]]  # per time, the distinct forward windows scored ("10:00-14:00")
    momentum: list[MomentumOutcome]
    momentum_skipped: dict[str, str]
    seconds: float


def _bars_at(session: date, symbols: StrArray, price: FloatArray, volume: FloatArray) -> DailyBars:
    """Minute closes and volumes at an instant in the shape the session scoring reads (only the
    close and volume are used)."""
    return DailyBars(session, symbols, price, price, price, price, volume)


@dataclass(eq=False)
class IntradayRunner:
    """Replays instants of minute-bar sessions through the product's frame and analysis."""

    provider: MarketDataProvider
    inputs: AnalysisInputs
    history_sessions: int
    _cache: DailyBarsCache = field(init=False)

    def __post_init__(self) -> None:
        self._cache = DailyBarsCache(max_sessions=self.history_sessions + 8)

    def run(
        self,
        sessions: Sequence[date],
        times: Sequence[time],
        imported: Iterable[date],
        minute_sessions: Iterable[date],
        progress: BacktestProgress | None = None,
    ) -> IntradayRun:
        started = timer.perf_counter()
        have, with_minutes = set(imported), set(minute_sessions)
        scored: dict[str, list[SessionOutcome]] = {time_label(at): [] for at in times}
        skipped: dict[str, dict[str, str]] = {time_label(at): {} for at in times}
        windows: dict[str, list[str]] = {time_label(at): [] for at in times}
        momentum: list[MomentumOutcome] = []
        momentum_skipped: dict[str, str] = {}
        for done, session in enumerate(sessions, start=1):
            span = self._minute_span(session) if session in with_minutes else None
            # Minute bars of other symbols only: say so rather than "none imported".
            no_benchmark = (
                f"{BENCHMARK_SYMBOL} has no minute bars that session: the grid's benchmark and "
                "the coverage check need them"
                if session in with_minutes and span is None
                else None
            )
            grids: dict[datetime, tuple[MarketFrame, AnalysisResult]] = {}
            bounds = session_bounds(session)
            for at_time in times:
                label, at = time_label(at_time), datetime.combine(session, at_time, NEW_YORK)
                end = forward_window_end(at, bounds.regular_close, FORWARD_WINDOW)
                reason = no_benchmark or skip_reason(session, at, end, have, span, self.history_sessions)
                try:
                    if reason is None:
                        scored[label].append(self._score_at(session, at, end, grids))
                        window = f"{at:%H:%M}-{end:%H:%M}"
                        if window not in windows[label]:
                            windows[label].append(window)
                except ProviderError as error:
                    reason = str(error)
                if reason is not None:
                    skipped[label][session.isoformat()] = reason
            halves = momentum_window(bounds.regular_open, bounds.regular_close)
            reason = no_benchmark or skip_reason(
                session, halves.first_end, halves.close, have, span, self.history_sessions
            )
            try:
                if reason is None:
                    momentum.append(self._momentum(session, grids))
            except ProviderError as error:
                reason = str(error)
            if reason is not None:
                momentum_skipped[session.isoformat()] = reason
            if progress is not None:
                progress(done, len(sessions), session)
        seconds = timer.perf_counter() - started
        return IntradayRun(
            by_time={label: BacktestRun(scored[label], skipped[label], seconds) for label in scored},
            windows=windows,
            momentum=momentum,
            momentum_skipped=momentum_skipped,
            seconds=seconds,
        )

    def _minute_span(self, session: date) -> tuple[datetime, datetime] | None:
        # The benchmark's bars stand for the session's coverage: the grid and its baselines need it.
        span = bar_span_ns(self.provider.minute_bars(BENCHMARK_SYMBOL, session).window_start_ns)
        if span is None:
            return None
        return datetime.fromtimestamp(span[0] / 1e9, UTC), datetime.fromtimestamp(span[1] / 1e9, UTC)

    def _grid(
        self, at: datetime, grids: dict[datetime, tuple[MarketFrame, AnalysisResult]]
    ) -> tuple[MarketFrame, AnalysisResult]:
        if at not in grids:
            frame = build_frame(self.provider, at.astimezone(UTC), self.history_sessions, self._cache)
            grids[at] = frame, analyze_market(self.provider, frame, self.inputs, wall_now=at.astimezone(UTC))
        return grids[at]

    def _prior_close(self, session: date) -> DailyBars:
        return self._cache.fetch(self.provider, previous_sessions(session, 1))[0]

    def _score_at(
        self,
        session: date,
        at: datetime,
        end: datetime,
        grids: dict[datetime, tuple[MarketFrame, AnalysisResult]],
    ) -> SessionOutcome:
        """The grid at `at`; its members' return so far today and over [at, end]."""
        frame, result = self._grid(at, grids)
        later = self.provider.intraday_snapshot(end.astimezone(UTC))
        volume_before = aligned(later.symbols, frame.symbols, frame.session_volume)
        now = _bars_at(session, frame.symbols, frame.last_price, frame.session_volume)
        forward = _bars_at(
            session, later.symbols, later.last_price, window_volume(volume_before, later.session_volume)
        )
        return score_session(result, session, (self._prior_close(session), now, forward))

    def _momentum(
        self, session: date, grids: dict[datetime, tuple[MarketFrame, AnalysisResult]]
    ) -> MomentumOutcome:
        """The members of the grid at 10:00 (when the signal is known) over the two half hours."""
        bounds = session_bounds(session)
        halves = momentum_window(bounds.regular_open, bounds.regular_close)
        frame, result = self._grid(halves.first_end, grids)
        late = self.provider.intraday_snapshot(halves.last_start.astimezone(UTC))
        final = self.provider.intraday_snapshot(halves.close.astimezone(UTC))
        prior = self._prior_close(session)
        first_pct, last_pct = half_hour_returns_pct(
            aligned(frame.symbols, prior.symbols, prior.close),
            frame.last_price,
            aligned(frame.symbols, late.symbols, late.last_price),
            aligned(frame.symbols, final.symbols, final.last_price),
        )
        rows = np.searchsorted(frame.symbols, np.array([member.symbol for member in result.members]))
        codes = [SECTORS.index(member.sector) for member in result.members]
        # Both halves over the same members: one without either price is left out of both.
        both = np.isfinite(first_pct[rows]) & np.isfinite(last_pct[rows])
        ones = np.ones(len(codes))
        first_mean, _ = sector_means(codes, np.where(both, first_pct[rows], np.nan), ones)
        last_mean, _ = sector_means(codes, np.where(both, last_pct[rows], np.nan), ones)
        benchmark = np.flatnonzero(frame.symbols == BENCHMARK_SYMBOL)
        return MomentumOutcome(
            session=session,
            first_pct=first_mean,
            last_pct=last_mean,
            benchmark_first_pct=float(first_pct[benchmark[0]]) if benchmark.size else np.nan,
            benchmark_last_pct=float(last_pct[benchmark[0]]) if benchmark.size else np.nan,
        )
