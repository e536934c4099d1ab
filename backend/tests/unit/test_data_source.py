"""How a run's data source is labelled: live, simulated, or a replay of a past session."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import cast

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sectorlights.engine.computation import REPLAY_LAG, data_source_for
from sectorlights.providers.base import MarketDataProvider, ProviderCapabilities

WALL = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)


def provider(name: str, simulated: bool = False) -> MarketDataProvider:
    return cast(
        MarketDataProvider, SimpleNamespace(name=name, capabilities=ProviderCapabilities(simulated=simulated))
    )


@pytest.mark.parametrize(
    ("name", "simulated", "as_of", "label", "replay_of"),
    [
        ("polygon", False, WALL, "Live data (polygon)", None),
        ("polygon", False, WALL - timedelta(minutes=59), "Live data (polygon)", None),
        # 2016-06-24 21:00 UTC is 17:00 in New York, the Brexit-vote session.
        (
            "flatfiles",
            False,
            datetime(2016, 6, 24, 21, 0, tzinfo=UTC),
            "Replay of 2016-06-24",
            date(2016, 6, 24),
        ),
        # 01:00 UTC on the 11th is still the 10th in New York.
        (
            "flatfiles",
            False,
            datetime(2017, 11, 11, 1, 0, tzinfo=UTC),
            "Replay of 2017-11-10",
            date(2017, 11, 10),
        ),
        ("polygon", False, WALL - timedelta(days=2), "Replay of 2026-12-02", date(2026, 12, 2)),
        # The simulated market is never a replay of real history, whatever its clock says.
        ("simulated", True, datetime(2016, 6, 24, 21, 0, tzinfo=UTC), "Simulated data", None),
        ("simulated", True, WALL, "Simulated data", None),
    ],
)
def test_labels(name: str, simulated: bool, as_of: datetime, label: str, replay_of: date | None) -> None:
    source = data_source_for(provider(name, simulated), as_of, WALL)
    assert (source.provider, source.simulated, source.label, source.replay_of) == (
        name,
        simulated,
        label,
        replay_of,
    )


@given(lag_secs=st.floats(min_value=0.0, max_value=10 * 365 * 86_400.0))
def test_real_data_is_a_replay_exactly_when_it_lags_the_wall_clock(lag_secs: float) -> None:
    as_of = WALL - timedelta(seconds=lag_secs)
    source = data_source_for(provider("polygon"), as_of, WALL)
    assert (source.replay_of is not None) == (timedelta(seconds=lag_secs) > REPLAY_LAG)
    assert source.label.startswith("Replay of ") == (source.replay_of is not None)
    assert "Live" not in source.label or source.replay_of is None
