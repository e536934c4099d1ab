"""Universe selection: the spec's cases, inclusive boundaries, first failed criterion, funnel, size cap."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from sectorlights.analytics.universe import (
    MICRO_CAP_TIER,
    NO_TIER,
    SMALL_CAP_TIER,
    average_daily_volume,
    gap_shares,
    select_universe,
)
from sectorlights.config.criteria import UniverseCriteria
from tests.unit.frames import Stock, build_frame, random_frame


def _selected(stock: Stock) -> tuple[bool, str, int]:
    selection = select_universe(build_frame([stock]))
    return bool(selection.mask[0]), str(selection.exclusion_reason[0]), int(selection.tier[0])


@pytest.mark.parametrize(
    ("stock", "included", "reason"),
    [
        # The spec's worked examples (market cap, average volume, price).
        (Stock("SOUN", market_cap=180e6, avg_volume=2.1e6, price=5.20), True, ""),
        (Stock("BBAI", market_cap=120e6, avg_volume=950e3, price=3.80), False, "avg_daily_volume"),
        (Stock("PRPL", market_cap=450e6, avg_volume=1.8e6, price=4.10), True, ""),
        (Stock("KOSS", market_cap=85e6, avg_volume=3.2e6, price=8.90), True, ""),
        # Market cap is inclusive at both ends.
        (Stock("LOW", market_cap=10_000_000.0), True, ""),
        (Stock("HIGH", market_cap=2_000_000_000.0), True, ""),
        (Stock("TINY", market_cap=9_999_999.0), False, "market_cap"),
        (Stock("BIG", market_cap=2_000_000_001.0), False, "market_cap"),
        (Stock("NOCAP", market_cap=math.nan), False, "market_cap"),
        # Volume and price boundaries are inclusive.
        (Stock("VOL", avg_volume=1_000_000.0), True, ""),
        (Stock("THIN", avg_volume=999_999.0), False, "avg_daily_volume"),
        (Stock("TWO", price=2.00), True, ""),
        (Stock("HUND", price=100.00), True, ""),
        (Stock("PENNY", price=1.99), False, "price"),
        (Stock("DEAR", price=100.01), False, "price"),
        (Stock("NOPX", price=math.nan), False, "price"),
        # Float must exceed 5M (micro) / 10M (small) where known.
        (Stock("MF5", market_cap=100e6, float_shares=5_000_000.0), False, "float"),
        (Stock("MF5P", market_cap=100e6, float_shares=5_000_001.0), True, ""),
        (Stock("SF10", market_cap=500e6, float_shares=10_000_000.0), False, "float"),
        (Stock("SF10P", market_cap=500e6, float_shares=10_000_001.0), True, ""),
        (Stock("NOFL", market_cap=500e6, float_shares=math.nan), True, ""),
        # Type and exchange.
        (Stock("ETF1", security_type="ETF"), False, "security_type"),
        (Stock("OTC1", exchange="OTC"), False, "exchange"),
        (Stock("BATS1", exchange="BATS"), False, "exchange"),
        (Stock("AMEX", exchange="XASE"), True, ""),
        (Stock("ARCA", exchange="ARCX"), True, ""),
        (Stock("NYSE", exchange="XNYS"), True, ""),
        # The first failed criterion is the one recorded.
        (
            Stock("MANY", security_type="WARRANT", exchange="OTC", market_cap=1e6, price=0.5),
            False,
            "security_type",
        ),
        (Stock("CAPVOL", market_cap=5e6, avg_volume=10.0, price=0.5), False, "market_cap"),
        (Stock("VOLPX", avg_volume=10.0, price=0.5, float_shares=1.0), False, "avg_daily_volume"),
    ],
)
def test_universe_criteria(stock: Stock, included: bool, reason: str) -> None:
    selected, exclusion_reason, _ = _selected(stock)
    assert (selected, exclusion_reason) == (included, reason)


@pytest.mark.parametrize(
    ("market_cap", "tier"),
    [
        (10_000_000.0, MICRO_CAP_TIER),
        (299_999_999.0, MICRO_CAP_TIER),
        (300_000_000.0, SMALL_CAP_TIER),
        (2_000_000_000.0, SMALL_CAP_TIER),
        (2_000_000_001.0, NO_TIER),
        (math.nan, NO_TIER),
    ],
)
def test_market_cap_tiers(market_cap: float, tier: int) -> None:
    assert _selected(Stock("X", market_cap=market_cap))[2] == tier


def test_funnel_counts_each_stage() -> None:
    frame = build_frame(
        [
            Stock("ETF1", security_type="ETF"),
            Stock("OTC1", exchange="OTC"),
            Stock("BIG", market_cap=5e9),
            Stock("BBAI", avg_volume=950e3),
            Stock("PENNY", price=1.5),
            Stock("LOWF", float_shares=1e6),
            Stock("SOUN"),
            Stock("KOSS", market_cap=85e6),
        ]
    )
    selection = select_universe(frame)
    assert [(stage.stage, stage.remaining) for stage in selection.funnel] == [
        ("listings", 8),
        ("common_stock", 7),
        ("exchange", 6),
        ("market_cap", 5),
        ("avg_daily_volume", 4),
        ("price", 3),
        ("float", 2),
        ("size_cap", 2),
    ]
    assert selection.size == 2
    assert frame.symbols[selection.mask].tolist() == ["SOUN", "KOSS"]


def test_sector_stage_sits_between_float_and_size_cap() -> None:
    frame = build_frame([Stock("SOUN"), Stock("NOSEC"), Stock("KOSS")])
    selection = select_universe(frame, sector_index=np.array([0, -1, 4]))
    assert [stage.stage for stage in selection.funnel][-3:] == ["float", "sector", "size_cap"]
    assert selection.exclusion_reason.tolist() == ["", "sector", ""]


def test_size_cap_keeps_the_most_gap_prone_then_the_most_traded() -> None:
    frame = build_frame(
        [
            Stock("CALM", gap_sessions=0, avg_volume=9e6),
            Stock("GAPPY", gap_sessions=6),
            Stock("SOME_A", gap_sessions=2, avg_volume=1.5e6),
            Stock("SOME_B", gap_sessions=2, avg_volume=3e6),
            Stock("SOME_C", gap_sessions=2, avg_volume=1.2e6),
        ]
    )
    selection = select_universe(frame, replace(UniverseCriteria(), max_size=3))
    assert frame.symbols[selection.mask].tolist() == ["GAPPY", "SOME_A", "SOME_B"]
    assert selection.exclusion_reason.tolist() == ["size_cap", "", "", "", "size_cap"]
    assert selection.funnel[-1].remaining == 3


def test_gap_share_counts_big_opens_over_the_last_20_sessions() -> None:
    closes = np.full((1, 25), 10.0)
    opens = np.full((1, 25), 10.0)
    opens[0, -1] = 10.5  # exactly +5%
    opens[0, -2] = 9.5  # exactly -5%
    opens[0, -3] = 10.49  # below the threshold
    opens[0, -21] = 20.0  # outside the 20-session window
    assert gap_shares(opens, closes, 0.05)[0] == pytest.approx(2 / 20)


def test_gap_share_skips_unknown_sessions_and_is_nan_without_any() -> None:
    closes = np.array([[10.0, np.nan, 10.0, 10.0], [np.nan] * 4])
    opens = np.array([[10.0, 10.0, 11.0, 12.0], [10.0] * 4])
    shares = gap_shares(opens, closes, 0.05)
    # Row 0: the open after the unknown close cannot be measured; 1 gap out of 2 measurable.
    assert shares[0] == pytest.approx(0.5)
    assert math.isnan(shares[1])


def test_average_daily_volume_uses_the_latest_sessions_and_skips_gaps() -> None:
    volumes = np.array(
        [
            [5e6] * 5 + [1e6] * 20,
            [np.nan] * 5 + [2e6] * 10 + [np.nan] * 5 + [4e6] * 5,
            [np.nan] * 25,
        ]
    )
    average = average_daily_volume(volumes, 20)
    assert average[0] == pytest.approx(1e6)
    assert average[1] == pytest.approx((10 * 2e6 + 5 * 4e6) / 15)
    assert math.isnan(average[2])


def test_selection_of_a_large_messy_market_is_consistent() -> None:
    frame = random_frame(3000, seed=7)
    selection = select_universe(frame)
    assert selection.size == selection.funnel[-1].remaining
    assert np.all((selection.exclusion_reason == "") == selection.mask)
    remaining = [stage.remaining for stage in selection.funnel]
    assert remaining == sorted(remaining, reverse=True)
    members = selection.mask
    assert np.all(frame.market_cap[members] >= 10e6)
    assert np.all(frame.market_cap[members] <= 2e9)
    assert np.all(selection.avg_daily_volume[members] >= 1e6)
    assert np.all(np.isin(selection.tier[members], [MICRO_CAP_TIER, SMALL_CAP_TIER]))
