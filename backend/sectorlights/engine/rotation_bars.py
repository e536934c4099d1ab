"""The bars the rotation graph is drawn from, for chosen rows of a run's frame.

Daily: the completed sessions' closes the frame holds, then the run's own price. Intraday: the closes
of the half hours before the run (04:30, 05:00, ... 20:00 ET of each session, reaching back into the
previous sessions), then the run's own price. Half-hour closes come from the provider when it can
answer for a past instant (the simulated market, flat files with minute bars); otherwise from the
snapshots this service remembered of its own runs (the snapshot memory behind the 30m column). The
half hours are read newest first and stop at the first one without data, so the bars are consecutive.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from sectorlights.domain.frame import FloatArray, IntArray, MarketFrame
from sectorlights.domain.market import IntradaySnapshot, validate_snapshot
from sectorlights.domain.sessions import (
    clamp_to_session,
    current_session,
    previous_sessions,
    session_bounds,
)
from sectorlights.engine.frame_builder import RecentSnapshots, aligned
from sectorlights.providers.base import MarketDataProvider, NoIntradayDataError

logger = logging.getLogger(__name__)

HALF_HOUR = timedelta(minutes=30)
# A half hour ending this close to the run is left out: the run's own price is that bar's close.
MIN_LAST_BAR = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class Bars:
    """Prices of the chosen rows at each bar's close, oldest first: (rows, bars), NaN unknown."""

    times: tuple[datetime, ...]
    prices: FloatArray


def daily_bars(frame: MarketFrame, rows: IntArray) -> Bars:
    """The sessions' closes, then the run's price (the session in progress, or the latest close)."""
    times = (*(session_bounds(session).regular_close for session in frame.sessions), frame.as_of)
    prices = np.column_stack((frame.daily_close[rows], frame.last_price[rows]))
    return Bars(times=times, prices=prices)


def half_hour_marks(anchor: datetime, count: int) -> list[datetime]:
    """The latest `count` half-hour closes of extended hours (04:30-20:00 ET) at least MIN_LAST_BAR
    before `anchor`, oldest first; they reach back over as many sessions as it takes."""
    session = current_session(anchor)
    marks: list[datetime] = []
    sessions_back = count // 32 + 2
    for day in [session, *reversed(previous_sessions(session, sessions_back))]:
        bounds = session_bounds(day)
        mark = bounds.extended_close
        while mark > bounds.extended_open and len(marks) < count:
            if mark <= anchor - MIN_LAST_BAR:
                marks.append(mark)
            mark -= HALF_HOUR
        if len(marks) >= count:
            break
    return marks[::-1]


def _snapshot_at(
    provider: MarketDataProvider, memory: RecentSnapshots | None, mark: datetime
) -> IntradaySnapshot | None:
    if provider.capabilities.historical_snapshots:
        try:
            snapshot = provider.intraday_snapshot(mark)
            validate_snapshot(snapshot)
        except NoIntradayDataError:
            return None
        except Exception as error:  # the graph loses its older bars; the run goes on
            logger.warning("rotation: no half-hour close at %s: %s", mark.isoformat(), error)
            return None
        return snapshot
    if memory is None:
        return None
    return memory.closest(mark, current_session(mark))


def half_hour_bars(
    provider: MarketDataProvider,
    frame: MarketFrame,
    rows: IntArray,
    memory: RecentSnapshots | None,
    count: int,
) -> Bars:
    """Up to `count` consecutive half-hour closes before the run, then the run's price."""
    anchor = clamp_to_session(frame.as_of)
    times: list[datetime] = [frame.as_of]
    columns: list[FloatArray] = [frame.last_price[rows]]
    for mark in reversed(half_hour_marks(anchor, count)):
        snapshot = _snapshot_at(provider, memory, mark)
        if snapshot is None:
            break
        times.append(mark)
        columns.append(aligned(frame.symbols, snapshot.symbols, snapshot.last_price)[rows])
    return Bars(times=tuple(reversed(times)), prices=np.column_stack(columns[::-1]))
