"""The bars behind the backtest's variant predictors: each universe member's and the benchmark's closes
21 and 5 sessions before a scored session, the session before, the session and the next one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np

from sectorlights.analytics.variants import WINDOW, SessionVariants, session_variants
from sectorlights.config.sectors import BENCHMARK_SYMBOL
from sectorlights.domain.frame import FloatArray
from sectorlights.domain.market import DailyBars
from sectorlights.domain.results import AnalysisResult
from sectorlights.domain.sessions import previous_sessions
from sectorlights.domain.vocabulary import SECTORS
from sectorlights.engine.frame_builder import DailyBarsCache, aligned
from sectorlights.providers.base import MarketDataProvider

# The sessions before the scored one that only the variants need (the day before is already read).
LOOKBACK_SESSIONS = tuple(-offset for offset in WINDOW if offset < -1)
LONGEST_LOOKBACK_SESSIONS = max(LOOKBACK_SESSIONS)


def lookback_bars(provider: MarketDataProvider, cache: DailyBarsCache, session: date) -> list[DailyBars]:
    """The day bars 21 and 5 sessions before `session`, oldest first.

    The runner's cache already holds them when its history window reaches back 21 sessions (the
    engine's `history_sessions` is at least 21), so this reads nothing new. The provider's
    ProviderError names a session that is not imported; none come back before the calendar starts."""
    earlier = previous_sessions(session, LONGEST_LOOKBACK_SESSIONS)
    if len(earlier) < LONGEST_LOOKBACK_SESSIONS:
        return []
    return cache.fetch(provider, [earlier[-offset] for offset in LOOKBACK_SESSIONS])


def window_closes(symbols: Sequence[str], bars: Sequence[DailyBars]) -> FloatArray:
    """(n, len(bars)) closes of `symbols` in their order, NaN where a bar set has no row."""
    wanted = np.array(sorted(set(symbols)), dtype=np.str_)
    closes = np.column_stack([aligned(wanted, day.symbols, day.close) for day in bars])
    order = np.searchsorted(wanted, np.array(list(symbols), dtype=np.str_))
    return closes[order].reshape(len(symbols), len(bars))


def variants_for_session(result: AnalysisResult, bars: Sequence[DailyBars]) -> SessionVariants | None:
    """The variant predictors of the universe members of `result`; `bars` are the day bars of the
    sessions in `WINDOW`, oldest first. None when one of them is missing."""
    if len(bars) != len(WINDOW):
        return None
    symbols = [member.symbol for member in result.members]
    sectors = np.array([SECTORS.index(member.sector) for member in result.members], dtype=np.int64)
    return session_variants(
        sectors,
        window_closes(symbols, bars),
        window_closes([BENCHMARK_SYMBOL], bars).reshape(-1),
        len(SECTORS),
    )
