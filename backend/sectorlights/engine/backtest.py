"""The backtest runner: the grid as of each session's close, built in this process from imported flat
files, next to what the sector's members did the following session. Nothing is stored: no run, no
history row, so no retention pass runs either."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date

import numpy as np

from sectorlights.analytics.backtest import BacktestInputs, BoolArray
from sectorlights.analytics.shorting import Candidates
from sectorlights.analytics.variants import SessionVariants
from sectorlights.config.squeeze_risk import SQUEEZE_RISK_LEVELS
from sectorlights.domain.frame import FloatArray, IntArray
from sectorlights.domain.market import DailyBars
from sectorlights.domain.results import AnalysisResult
from sectorlights.domain.sessions import next_session, previous_sessions, session_bounds
from sectorlights.domain.vocabulary import COLORS, SECTORS, TIMEFRAMES, Timeframe
from sectorlights.engine.backtest_shorting import concatenated, intraday_entries, session_candidates
from sectorlights.engine.backtest_variants import lookback_bars, variants_for_session
from sectorlights.engine.frame_builder import DailyBarsCache, aligned, build_frame
from sectorlights.engine.pipeline import AnalysisInputs, analyze_market
from sectorlights.providers.base import MarketDataProvider, ProviderError

# (sessions done, sessions to do, the session just done)
BacktestProgress = Callable[[int, int, date], None]


class BacktestError(ValueError):
    """The backtest cannot run as asked (no bars, no session in range); the message says why."""


@dataclass(frozen=True, slots=True)
class SessionOutcome:
    """One scored session: the grid as of its close and the sectors' returns around it."""

    session: date
    next_session: date
    scores: FloatArray  # (K,)
    colors: IntArray  # (K,)
    timeframe_scores: FloatArray  # (K, T)
    member_counts: IntArray  # (K,)
    same_day_pct: FloatArray  # (K,) equal-weight mean of the members' session return
    next_equal_pct: FloatArray  # (K,) equal-weight mean of the members' next-session return
    next_volume_pct: FloatArray  # (K,) the same, weighted by each member's next-session volume
    benchmark_same_day_pct: float
    # (K,) the card showed its colour (not "Insufficient data", which reads blue neutral)
    colour_shown: BoolArray
    # The literature's simple predictors and the benchmark's next return (engine/backtest_variants.py).
    variants: SessionVariants | None = None
    # The shorting study's candidates of this session (engine/backtest_shorting.py).
    candidates: Candidates | None = None
    # (K,) the cards' squeeze-risk level (index into SQUEEZE_RISK_LEVELS, -1 unmeasured) and ratio
    squeeze_level: IntArray | None = None
    volatility_ratio: FloatArray | None = None


@dataclass(frozen=True, slots=True)
class BacktestRun:
    outcomes: list[SessionOutcome]
    # Sessions in range left out, with why (history or next session not imported).
    skipped: dict[str, str]
    seconds: float

    def candidates(self) -> Candidates:
        """Every session's short candidates, their session index the row in `outcomes`."""
        return concatenated([row.candidates for row in self.outcomes if row.candidates is not None])

    def volatility_ratios(self) -> FloatArray:
        """Every sector-session's volatility ratio (NaN unmeasured), for the window's own terciles."""
        ratios = [row.volatility_ratio for row in self.outcomes if row.volatility_ratio is not None]
        return np.concatenate(ratios) if ratios else np.zeros(0)

    def inputs(self, weighting: str) -> BacktestInputs:
        """The statistics' inputs, next returns equal-weighted ("equal") or volume-weighted ("volume")."""
        rows = self.outcomes
        nxt = [row.next_equal_pct if weighting == "equal" else row.next_volume_pct for row in rows]
        return BacktestInputs(
            scores=np.array([row.scores for row in rows]).reshape(len(rows), len(SECTORS)),
            colors=np.array([row.colors for row in rows], dtype=np.int64).reshape(len(rows), len(SECTORS)),
            timeframe_scores=np.array([row.timeframe_scores for row in rows]).reshape(
                len(rows), len(SECTORS), len(TIMEFRAMES)
            ),
            same_day_return_pct=np.array([row.same_day_pct for row in rows]).reshape(len(rows), len(SECTORS)),
            next_return_pct=np.array(nxt).reshape(len(rows), len(SECTORS)),
            benchmark_same_day_pct=np.array([row.benchmark_same_day_pct for row in rows], dtype=np.float64),
        )


def eligible_sessions(
    imported: Sequence[date], first: date, last: date, history_sessions: int
) -> tuple[list[date], dict[str, str]]:
    """Imported sessions in [first, last] whose history and next session are imported too."""
    have = set(imported)
    chosen: list[date] = []
    skipped: dict[str, str] = {}
    for session in sorted(day for day in have if first <= day <= last):
        missing = [day for day in previous_sessions(session, history_sessions) if day not in have]
        if missing:
            skipped[session.isoformat()] = (
                f"{len(missing)} of the {history_sessions} prior sessions not imported"
            )
        elif next_session(session) not in have:
            skipped[session.isoformat()] = f"next session {next_session(session).isoformat()} not imported"
        else:
            chosen.append(session)
    return chosen, skipped


def member_returns_pct(
    symbols: Sequence[str], before: DailyBars, after: DailyBars
) -> tuple[FloatArray, FloatArray]:
    """Close-to-close return in percent of each symbol from `before` to `after`, and its `after` volume."""
    wanted = np.array(sorted(set(symbols)), dtype=np.str_)
    start = aligned(wanted, before.symbols, before.close)
    end = aligned(wanted, after.symbols, after.close)
    volume = aligned(wanted, after.symbols, after.volume)
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.where(start > 0, (end / start - 1.0) * 100.0, np.nan)
    order = np.searchsorted(wanted, np.array(list(symbols), dtype=np.str_))
    return change[order], volume[order]


def sector_means(
    sectors: Sequence[int], change: FloatArray, volume: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Per sector, the equal-weight and the volume-weighted mean of the members' returns."""
    equal = np.full(len(SECTORS), np.nan)
    weighted = np.full(len(SECTORS), np.nan)
    codes = np.array(sectors, dtype=np.int64)
    for index in range(len(SECTORS)):
        rows = (codes == index) & np.isfinite(change)
        if not bool(rows.any()):
            continue
        equal[index] = float(change[rows].mean())
        weights = np.where(np.isfinite(volume[rows]), volume[rows], 0.0)
        if weights.sum() > 0:
            weighted[index] = float((change[rows] * weights).sum() / weights.sum())
    return equal, weighted


def score_session(
    result: AnalysisResult, session: date, bars: tuple[DailyBars, DailyBars, DailyBars]
) -> SessionOutcome:
    """The grid of `result` and its members' returns: `bars` are the sessions before, of and after."""
    cards = {card.sector: card for card in result.sectors}
    scores = np.full(len(SECTORS), np.nan)
    colors = np.full(len(SECTORS), -1, dtype=np.int64)
    timeframe_scores = np.full((len(SECTORS), len(TIMEFRAMES)), np.nan)
    counts = np.zeros(len(SECTORS), dtype=np.int64)
    shown = np.zeros(len(SECTORS), dtype=np.bool_)
    squeeze_level = np.full(len(SECTORS), -1, dtype=np.int64)
    volatility_ratio = np.full(len(SECTORS), np.nan)
    for index, sector in enumerate(SECTORS):
        card = cards.get(sector)
        if card is None or card.stock_count == 0:
            continue
        if card.squeeze_risk.level is not None:
            squeeze_level[index] = SQUEEZE_RISK_LEVELS.index(card.squeeze_risk.level)
        if card.squeeze_risk.volatility_ratio is not None:
            volatility_ratio[index] = card.squeeze_risk.volatility_ratio
        scores[index] = card.score
        colors[index] = COLORS.index(card.color)
        counts[index] = card.stock_count
        shown[index] = not card.insufficient_data
        for column, timeframe in enumerate(TIMEFRAMES):
            result_tf = card.timeframes.get(timeframe)
            if result_tf is not None and result_tf.return_pct is not None:
                timeframe_scores[index, column] = result_tf.score
    symbols = [member.symbol for member in result.members]
    sectors = [SECTORS.index(member.sector) for member in result.members]
    same_change, same_volume = member_returns_pct(symbols, bars[0], bars[1])
    next_change, next_volume = member_returns_pct(symbols, bars[1], bars[2])
    same_equal, _ = sector_means(sectors, same_change, same_volume)
    next_equal, next_weighted = sector_means(sectors, next_change, next_volume)
    benchmark = result.benchmark_returns_pct.get(Timeframe.DAY_1)
    return SessionOutcome(
        session=session,
        next_session=bars[2].session,
        scores=scores,
        colors=colors,
        timeframe_scores=timeframe_scores,
        member_counts=counts,
        same_day_pct=same_equal,
        next_equal_pct=next_equal,
        next_volume_pct=next_weighted,
        benchmark_same_day_pct=np.nan if benchmark is None else float(benchmark),
        colour_shown=shown,
        squeeze_level=squeeze_level,
        volatility_ratio=volatility_ratio,
    )


@dataclass(eq=False)
class BacktestRunner:
    """Replays sessions through the product's own frame and analysis, one provider and bar cache."""

    provider: MarketDataProvider
    inputs: AnalysisInputs
    history_sessions: int
    # Sessions with imported minute bars: their candidates get the intraday entry too.
    minute_sessions: frozenset[date] = frozenset()

    def run(
        self, sessions: Sequence[date], skipped: dict[str, str], progress: BacktestProgress | None = None
    ) -> BacktestRun:
        started = time.perf_counter()
        # Room for the history window plus the scored and next sessions, so each is read once.
        cache = DailyBarsCache(max_sessions=self.history_sessions + 8)
        outcomes: list[SessionOutcome] = []
        skipped = dict(skipped)
        for done, session in enumerate(sessions, start=1):
            # At the end of the extended session the day bar holds all of the session's volume,
            # so relative volume compares like with like.
            close = session_bounds(session).extended_close.astimezone(UTC)
            try:
                frame = build_frame(self.provider, close, self.history_sessions, cache)
                result = analyze_market(self.provider, frame, self.inputs, wall_now=close)
                around = cache.fetch(self.provider, [previous_sessions(session, 1)[0], session])
                around += self.provider.daily_bars([next_session(session)])
                earlier = lookback_bars(self.provider, cache, session)
            except ProviderError as error:
                skipped[session.isoformat()] = str(error)
                continue
            bars = (around[0], around[1], around[2])
            outcome = score_session(result, session, bars)
            levels, ratios = outcome.squeeze_level, outcome.volatility_ratio
            squeeze = None if levels is None or ratios is None else (levels, ratios)
            candidates, symbols = session_candidates(
                result, len(outcomes), bars, outcome.colors, outcome.colour_shown, squeeze
            )
            if bars[2].session in self.minute_sessions:
                intraday, excursion = intraday_entries(self.provider, list(symbols), bars[2].session)
                candidates = replace(candidates, intraday_pct=intraday, intraday_excursion_pct=excursion)
            variants = variants_for_session(result, [*earlier, *around])
            outcomes.append(replace(outcome, variants=variants, candidates=candidates))
            if progress is not None:
                progress(done, len(sessions), session)
        return BacktestRun(outcomes, skipped, time.perf_counter() - started)
