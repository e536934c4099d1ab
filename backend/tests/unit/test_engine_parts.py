"""Engine pieces: freshness classes, symbol alignment, cache TTLs, the clocks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from sectorlights.core.clock import FrozenClock, SystemClock
from sectorlights.domain.market import IntradaySnapshot
from sectorlights.domain.sessions import current_session
from sectorlights.domain.vocabulary import Freshness
from sectorlights.engine.frame_builder import SnapshotMemory
from sectorlights.engine.frame_builder import aligned as _aligned
from sectorlights.engine.freshness import classify_freshness, recommendation


@pytest.mark.parametrize(
    ("age", "freshness"),
    [
        (timedelta(0), Freshness.FRESH),
        (timedelta(hours=1, minutes=59), Freshness.FRESH),
        (timedelta(hours=2), Freshness.AGING),
        (timedelta(hours=2, minutes=37), Freshness.AGING),  # the spec's 6:37 AM trader
        (timedelta(hours=4), Freshness.AGING),
        (timedelta(hours=4, seconds=1), Freshness.STALE),
        (timedelta(days=3), Freshness.STALE),
    ],
)
def test_freshness_classes(age: timedelta, freshness: Freshness) -> None:
    assert classify_freshness(age.total_seconds()) == freshness
    assert recommendation(freshness)


def test_alignment_by_symbol() -> None:
    target = np.array(["AAA", "BBB", "CCC", "DDD"])
    source = np.array(["DDD", "ZZZ", "AAA", "CCC", "000"])
    values = np.array([4.0, 99.0, 1.0, 3.0, -1.0])
    aligned = _aligned(target, source, values)
    assert aligned[0] == 1.0 and aligned[2] == 3.0 and aligned[3] == 4.0
    assert np.isnan(aligned[1])
    assert np.isnan(_aligned(target, np.array([], dtype=np.str_), np.array([]))).all()


def test_clocks() -> None:
    at = datetime(2026, 11, 24, 11, 37, tzinfo=UTC)
    assert FrozenClock(at).now() == at
    assert SystemClock().now().tzinfo is not None
    with pytest.raises(ValueError, match="timezone-aware"):
        FrozenClock(datetime(2026, 11, 24))


def _snapshot(at: datetime, price: float) -> IntradaySnapshot:
    return IntradaySnapshot(
        at=at,
        session=current_session(at),
        symbols=np.array(["AAA"]),
        last_price=np.array([price]),
        session_volume=np.array([1.0]),
    )


def test_snapshot_memory_finds_the_nearest_snapshot_of_the_session() -> None:
    memory = SnapshotMemory(keep_secs=3 * 3600, tolerance_secs=600)
    base = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)  # 10:00 ET
    for minutes, price in ((0, 1.0), (25, 2.0), (35, 3.0), (300, 4.0)):
        memory.remember(_snapshot(base + timedelta(minutes=minutes), price))
    target = base + timedelta(minutes=33)
    found = memory.closest(target, current_session(target))
    # The 5-hour-later snapshot pushed the first ones out of the 3-hour window.
    assert found is None
    memory = SnapshotMemory(keep_secs=3 * 3600, tolerance_secs=600)
    for minutes, price in ((0, 1.0), (25, 2.0), (35, 3.0)):
        memory.remember(_snapshot(base + timedelta(minutes=minutes), price))
    found = memory.closest(base + timedelta(minutes=33), current_session(base))
    assert found is not None and found.last_price[0] == 3.0
    assert memory.closest(base + timedelta(hours=2), current_session(base)) is None
