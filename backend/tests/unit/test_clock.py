"""The simulated clocks: frozen, accelerated from its own start, and accelerated from a shared epoch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sectorlights.core.clock import AcceleratedClock, FrozenClock, SystemClock, clock_from_settings
from sectorlights.settings import ProviderSettings

START = datetime(2025, 11, 25, 3, 50, tzinfo=UTC)
EPOCH = datetime(2026, 12, 4, 21, 0, tzinfo=UTC)


class Wall:
    """A wall clock the test moves."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


@pytest.mark.parametrize(
    ("frozen_at", "speed", "epoch", "kind"),
    [
        (None, 1.0, None, SystemClock),
        (START, 1.0, None, FrozenClock),
        (START, 60.0, None, AcceleratedClock),
        (START, 60.0, EPOCH, AcceleratedClock),
        (START, 1.0, EPOCH, AcceleratedClock),
    ],
)
def test_the_settings_pick_the_clock(
    frozen_at: datetime | None, speed: float, epoch: datetime | None, kind: type
) -> None:
    assert isinstance(clock_from_settings(frozen_at, speed, epoch), kind)


@given(
    speed=st.floats(min_value=0.5, max_value=5_000),
    made_after_secs=st.floats(min_value=0, max_value=3_600),
    read_after_secs=st.floats(min_value=0, max_value=3_600),
)
def test_clocks_on_one_epoch_agree_whenever_they_were_made(
    speed: float, made_after_secs: float, read_after_secs: float
) -> None:
    """A replica restarted mid-soak reads the same simulated time as one that never stopped."""
    wall = Wall(EPOCH)
    first = AcceleratedClock(START, speed, epoch=EPOCH, wall=wall)
    wall.at = EPOCH + timedelta(seconds=made_after_secs)
    restarted = AcceleratedClock(START, speed, epoch=EPOCH, wall=wall)
    wall.at += timedelta(seconds=read_after_secs)
    assert first.now() == restarted.now()
    expected = START + timedelta(seconds=(made_after_secs + read_after_secs) * speed)
    # Datetimes hold whole microseconds of wall time, each worth `speed` of them simulated.
    assert abs((first.now() - expected).total_seconds()) <= 2e-6 * speed + 1e-6


def test_without_an_epoch_each_clock_starts_at_its_own_start() -> None:
    ticks = iter([100.0, 110.0])
    clock = AcceleratedClock(START, 60.0, monotonic=lambda: next(ticks))
    assert clock.now() == START + timedelta(minutes=10)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("SECTORLIGHTS_SIM_EPOCH", "2026-12-04T21:00:00", "needs a time zone"),
        ("SECTORLIGHTS_SIM_EPOCH", "yesterday", "SECTORLIGHTS_SIM_EPOCH"),
    ],
)
def test_a_bad_epoch_is_refused_by_name(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=message):
        ProviderSettings()


def test_a_naive_epoch_is_refused_by_the_clock() -> None:
    with pytest.raises(ValueError, match="epoch needs a timezone"):
        AcceleratedClock(START, 2.0, epoch=datetime(2026, 12, 4, 21, 0))
