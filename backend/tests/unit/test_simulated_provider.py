"""The simulated market: deterministic, realistic enough for the universe funnel, self-consistent."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
import pytest

from sectorlights.config.criteria import UniverseCriteria
from sectorlights.config.sectors import BENCHMARK_SYMBOL, SECTOR_MAPPING, sector_for_sic
from sectorlights.domain.market import DailyBars, Listing, validate_daily_bars, validate_snapshot
from sectorlights.domain.sessions import NEW_YORK, previous_sessions, session_bounds
from sectorlights.domain.vocabulary import SECTORS, Sector
from sectorlights.providers.base import MarketDataProvider, ProviderError
from sectorlights.providers.simulated import SimulatedProvider
from sectorlights.providers.simulated.reference import NAMED_TICKERS, SECTOR_ETFS, SIC_CODES_BY_SECTOR

REFERENCE_SESSION = date(2026, 11, 20)  # a Friday
SAMPLE_DATES = (date(2026, 2, 27), date(2026, 5, 29), date(2026, 8, 31), REFERENCE_SESSION)
EARLY_CLOSE = date(2026, 11, 27)  # the day after Thanksgiving closes at 13:00
THANKSGIVING = date(2026, 11, 26)


def new_york(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, second), NEW_YORK)


def sessions_through(last: date, count: int) -> list[date]:
    return [*previous_sessions(last, count - 1), last]


@pytest.fixture(scope="module")
def provider() -> SimulatedProvider:
    return SimulatedProvider()


@pytest.fixture(scope="module")
def rows(provider: SimulatedProvider) -> dict[str, int]:
    return {symbol: row for row, symbol in enumerate(provider.market.universe.symbols.tolist())}


@pytest.fixture(scope="module")
def recent_bars(provider: SimulatedProvider) -> list[DailyBars]:
    return provider.daily_bars(sessions_through(REFERENCE_SESSION, 25))


@pytest.fixture(scope="module")
def listings(provider: SimulatedProvider) -> list[Listing]:
    return provider.listings(new_york(REFERENCE_SESSION, 20))


def stack(bars: list[DailyBars], column: str) -> np.ndarray:
    return np.array([getattr(bar_set, column) for bar_set in bars])


# ----- contract and determinism -----------------------------------------------------------------


def test_implements_the_provider_contract(provider: SimulatedProvider) -> None:
    assert isinstance(provider, MarketDataProvider)
    assert provider.name == "simulated"
    assert provider.capabilities.simulated
    assert provider.capabilities.historical_snapshots
    health = provider.health()
    assert health.ok
    assert health.detail == "simulated market (seed 7)"


def test_same_seed_gives_the_same_market_in_any_call_order(
    provider: SimulatedProvider, recent_bars: list[DailyBars]
) -> None:
    fresh = SimulatedProvider(seed=7)
    # Ask in a different order than the module fixture did: a late snapshot first, then bars backwards.
    fresh_snapshot = fresh.intraday_snapshot(new_york(REFERENCE_SESSION, 11, 17, 23))
    fresh_bars = fresh.daily_bars(list(reversed(sessions_through(REFERENCE_SESSION, 25))))[::-1]
    for expected, actual in zip(recent_bars, fresh_bars, strict=True):
        for column in ("symbols", "open", "high", "low", "close", "volume"):
            assert np.array_equal(getattr(expected, column), getattr(actual, column)), column
    snapshot = provider.intraday_snapshot(new_york(REFERENCE_SESSION, 11, 17, 23))
    assert np.array_equal(snapshot.last_price, fresh_snapshot.last_price)
    assert np.array_equal(snapshot.session_volume, fresh_snapshot.session_volume)
    assert fresh.listings(new_york(REFERENCE_SESSION, 20)) == provider.listings(
        new_york(REFERENCE_SESSION, 20)
    )


def test_another_seed_gives_another_market(provider: SimulatedProvider) -> None:
    other = SimulatedProvider(seed=8)
    assert other.health().detail == "simulated market (seed 8)"
    assert not np.array_equal(other.market.universe.symbols, provider.market.universe.symbols)
    ours = provider.intraday_snapshot(new_york(REFERENCE_SESSION, 12))
    theirs = other.intraday_snapshot(new_york(REFERENCE_SESSION, 12))
    soun_ours = ours.last_price[ours.symbols == "SOUN"][0]
    soun_theirs = theirs.last_price[theirs.symbols == "SOUN"][0]
    assert soun_ours != soun_theirs


# ----- listings ---------------------------------------------------------------------------------


def test_listings_cover_the_market(listings: list[Listing]) -> None:
    assert len(listings) >= 8_000
    symbols = [listing.symbol for listing in listings]
    assert len(set(symbols)) == len(symbols)
    assert all(symbol == symbol.upper() and symbol.isalpha() for symbol in symbols)
    types = Counter(listing.security_type for listing in listings)
    exchanges = Counter(listing.primary_exchange for listing in listings)
    assert set(types) == {"CS", "ETF", "ADRC", "PFD", "WARRANT", "RIGHT", "UNIT", "FUND"}
    assert types.most_common(1)[0][0] == "CS"
    assert set(exchanges) == {"XNAS", "XNYS", "XASE", "ARCX", "BATS", "OTC"}
    assert all(listing.name for listing in listings)


def test_a_small_market_keeps_the_named_tickers_and_etfs() -> None:
    small = SimulatedProvider(seed=3, listing_count=200)
    listings = small.listings(new_york(REFERENCE_SESSION, 20))
    symbols = {listing.symbol for listing in listings}
    assert len(listings) == len(symbols) == 200
    assert {named.symbol for named in NAMED_TICKERS} <= symbols
    assert {etf.symbol for etf in SECTOR_ETFS} <= symbols
    with pytest.raises(ValueError, match="listing_count"):
        SimulatedProvider(listing_count=60)


def test_listing_reference_data_is_realistic(listings: list[Listing]) -> None:
    common = [listing for listing in listings if listing.security_type == "CS"]
    caps = np.array([listing.market_cap for listing in common], dtype=np.float64)
    assert caps.min() < 3e6 and caps.max() > 2e11
    assert 0.02 < np.mean([listing.float_shares is None for listing in common]) < 0.08
    assert 0.01 < np.mean([listing.sic_code is None for listing in common]) < 0.05
    for listing in common:
        assert listing.shares_outstanding is not None and listing.shares_outstanding > 0
        if listing.float_shares is not None:
            assert 0 < listing.float_shares <= listing.shares_outstanding


def test_every_sic_code_maps_to_the_sector_that_drives_the_stock(provider: SimulatedProvider) -> None:
    universe = provider.market.universe
    for code, sector_row in zip(universe.sic_codes, universe.sector_index.tolist(), strict=True):
        if code is not None:
            assert sector_for_sic(int(code)) == SECTORS[sector_row], code
    for sector, table in SIC_CODES_BY_SECTOR.items():
        assert all(sector_for_sic(int(entry.code)) == sector for entry in table)


def test_named_tickers_are_listed_with_their_sector_sic_codes(listings: list[Listing]) -> None:
    by_symbol = {listing.symbol: listing for listing in listings}
    for named in NAMED_TICKERS:
        listing = by_symbol[named.symbol]
        assert listing.name == named.name
        assert listing.sic_code is not None
        assert sector_for_sic(int(listing.sic_code)) == named.sector, named.symbol
    assert by_symbol["SOUN"].sic_code == "7372"
    assert by_symbol["PRPL"].sic_code == "2510"
    assert by_symbol["KOSS"].sic_code == "3651"
    assert by_symbol["OCUL"].sic_code == "2834"
    # Every example the sector mapping names exists (SID is filed under materials).
    for info in SECTOR_MAPPING.values():
        for symbol in info.small_cap_examples:
            assert symbol in by_symbol


def test_benchmark_and_sector_etfs_are_listed(listings: list[Listing]) -> None:
    by_symbol = {listing.symbol: listing for listing in listings}
    assert by_symbol[BENCHMARK_SYMBOL].primary_exchange == "ARCX"
    for info in SECTOR_MAPPING.values():
        assert by_symbol[info.etf_proxy].security_type == "ETF"
        assert by_symbol[info.etf_proxy].primary_exchange == "ARCX"
        assert by_symbol[info.small_cap_etf_proxy].security_type == "ETF"
        assert by_symbol[info.small_cap_etf_proxy].primary_exchange == "XNAS"
    assert len(SECTOR_ETFS) == 17


def test_market_cap_follows_the_last_regular_close(provider: SimulatedProvider, rows: dict[str, int]) -> None:
    before_close = provider.listings(new_york(REFERENCE_SESSION, 15, 59))
    after_close = provider.listings(new_york(REFERENCE_SESSION, 16, 0))
    overnight = provider.listings(new_york(REFERENCE_SESSION + timedelta(days=1), 3))
    previous, current = provider.daily_bars([*previous_sessions(REFERENCE_SESSION, 1), REFERENCE_SESSION])
    row = rows["SOUN"]
    shares = before_close[row].shares_outstanding
    assert shares is not None
    assert before_close[row].market_cap == shares * previous.close[row]
    assert after_close[row].market_cap == shares * current.close[row]
    assert overnight[row].market_cap == after_close[row].market_cap


# ----- the spec's named tickers -------------------------------------------------------------------


@pytest.mark.parametrize("day", SAMPLE_DATES)
def test_named_tickers_stay_near_their_base_level(
    provider: SimulatedProvider, rows: dict[str, int], day: date
) -> None:
    bars = provider.daily_bars(sessions_through(day, 20))
    listings = provider.listings(new_york(day, 20))
    average_volume = stack(bars, "volume").mean(axis=0)
    for named in NAMED_TICKERS:
        row = rows[named.symbol]
        assert bars[-1].close[row] == pytest.approx(named.price, rel=0.15), named.symbol
        assert listings[row].market_cap == pytest.approx(named.market_cap, rel=0.15), named.symbol
        assert average_volume[row] == pytest.approx(named.average_volume, rel=0.15), named.symbol


def test_bbai_stays_under_the_volume_floor_and_the_spec_inclusions_above_it(
    provider: SimulatedProvider, rows: dict[str, int]
) -> None:
    volume = stack(provider.daily_bars(sessions_through(REFERENCE_SESSION, 79)), "volume")
    rolling = np.array([volume[start : start + 20].mean(axis=0) for start in range(60)])
    assert rolling[:, rows["BBAI"]].max() < 0.99e6
    for symbol in ("SOUN", "PRPL", "KOSS"):
        assert rolling[:, rows[symbol]].min() >= 1e6, symbol


# ----- daily bars and intraday snapshots -----------------------------------------------------------


def test_daily_bars_are_consistent(recent_bars: list[DailyBars]) -> None:
    assert [bar_set.session for bar_set in recent_bars] == sessions_through(REFERENCE_SESSION, 25)
    for bar_set in recent_bars:
        validate_daily_bars(bar_set)
        assert bar_set.symbols.size >= 8_000
        assert np.all(bar_set.high >= np.maximum(bar_set.open, bar_set.close))
        assert np.all(bar_set.low <= np.minimum(bar_set.open, bar_set.close))
        assert np.all(bar_set.low > 0)
        assert np.all(bar_set.volume > 0)


def test_bars_match_the_intraday_path(provider: SimulatedProvider) -> None:
    bars = provider.daily_bars([REFERENCE_SESSION])[0]
    at_open = provider.intraday_snapshot(new_york(REFERENCE_SESSION, 9, 30))
    at_close = provider.intraday_snapshot(new_york(REFERENCE_SESSION, 16))
    at_end = provider.intraday_snapshot(new_york(REFERENCE_SESSION, 20))
    assert np.array_equal(at_open.last_price, bars.open)
    assert np.array_equal(at_close.last_price, bars.close)
    assert np.array_equal(at_end.session_volume, bars.volume)
    # Regular-hours prices stay inside the day's range.
    for hour, minute in ((9, 45), (11, 7), (13, 30), (15, 59)):
        snapshot = provider.intraday_snapshot(new_york(REFERENCE_SESSION, hour, minute, 30))
        assert np.all(snapshot.last_price <= bars.high)
        assert np.all(snapshot.last_price >= bars.low)


def test_prices_move_continuously_within_a_session(provider: SimulatedProvider) -> None:
    earlier = provider.intraday_snapshot(new_york(REFERENCE_SESSION, 11, 0))
    later = provider.intraday_snapshot(new_york(REFERENCE_SESSION, 11, 0, 20))
    change = np.abs(np.log(later.last_price / earlier.last_price))
    assert np.median(change) < 0.01
    assert not np.array_equal(earlier.last_price, later.last_price)


def test_off_hours_snapshot_is_the_last_20h_state(provider: SimulatedProvider) -> None:
    friday_end = provider.intraday_snapshot(new_york(REFERENCE_SESSION, 20))
    saturday_night = provider.intraday_snapshot(new_york(REFERENCE_SESSION + timedelta(days=1), 3))
    monday_early = provider.intraday_snapshot(new_york(REFERENCE_SESSION + timedelta(days=3), 3, 59, 59))
    for snapshot in (saturday_night, monday_early):
        assert snapshot.session == REFERENCE_SESSION
        assert np.array_equal(snapshot.last_price, friday_end.last_price)
        assert np.array_equal(snapshot.session_volume, friday_end.session_volume)
    monday_open = provider.intraday_snapshot(new_york(REFERENCE_SESSION + timedelta(days=3), 4))
    assert monday_open.session == REFERENCE_SESSION + timedelta(days=3)
    assert np.all(monday_open.session_volume == 0)


def test_snapshot_accepts_any_timezone_and_rejects_naive_times(provider: SimulatedProvider) -> None:
    local = provider.intraday_snapshot(new_york(REFERENCE_SESSION, 14, 5))
    utc = provider.intraday_snapshot(new_york(REFERENCE_SESSION, 14, 5).astimezone(UTC))
    validate_snapshot(utc)
    assert np.array_equal(local.last_price, utc.last_price)
    with pytest.raises(ValueError, match="timezone-aware"):
        provider.intraday_snapshot(datetime(2026, 11, 20, 14, 5))  # naive on purpose
    with pytest.raises(ValueError, match="timezone-aware"):
        provider.listings(datetime(2026, 11, 20, 14, 5))  # naive on purpose


def test_session_volume_rises_through_the_session(provider: SimulatedProvider) -> None:
    start = new_york(REFERENCE_SESSION, 4)
    volumes = np.array(
        [
            provider.intraday_snapshot(start + timedelta(minutes=minutes)).session_volume
            for minutes in range(0, 16 * 60 + 1, 20)
        ]
    )
    assert np.all(np.diff(volumes, axis=0) >= 0)
    assert np.all(volumes[0] == 0)
    # Most of the day trades in regular hours (the U-shaped profile).
    at_open = provider.intraday_snapshot(new_york(REFERENCE_SESSION, 9, 30)).session_volume
    assert np.median(at_open / volumes[-1]) < 0.15


def test_some_stocks_gap_15_percent_overnight(recent_bars: list[DailyBars]) -> None:
    gaps = stack(recent_bars, "open")[1:] / stack(recent_bars, "close")[:-1] - 1.0
    assert np.count_nonzero(np.abs(gaps) >= 0.15) >= 1
    assert np.count_nonzero(gaps >= 0.15) >= 1 and np.count_nonzero(gaps <= -0.15) >= 1


def test_catalyst_jumps_appear_at_4am(provider: SimulatedProvider, rows: dict[str, int]) -> None:
    named = {ticker.symbol for ticker in NAMED_TICKERS}
    big = [
        catalyst
        for catalyst in provider.market.catalysts(REFERENCE_SESSION)
        if abs(catalyst.log_move) > 0.2 and catalyst.symbol not in named
    ]
    assert big
    previous_end = provider.intraday_snapshot(new_york(REFERENCE_SESSION, 3, 59))
    at_four = provider.intraday_snapshot(new_york(REFERENCE_SESSION, 4))
    for catalyst in big[:10]:
        row = rows[catalyst.symbol]
        move = np.log(at_four.last_price[row] / previous_end.last_price[row])
        assert move == pytest.approx(catalyst.log_move, abs=0.01)


def test_iwm_follows_its_members(
    recent_bars: list[DailyBars], listings: list[Listing], rows: dict[str, int]
) -> None:
    criteria = UniverseCriteria()
    members = np.array(
        [
            listing.security_type == "CS"
            and listing.primary_exchange in criteria.exchanges
            and listing.market_cap is not None
            and criteria.min_market_cap <= listing.market_cap <= criteria.max_market_cap
            for listing in listings
        ]
    )
    returns = np.diff(np.log(stack(recent_bars, "close")), axis=0)
    member_mean = returns[:, members].mean(axis=1)
    assert np.corrcoef(returns[:, rows[BENCHMARK_SYMBOL]], member_mean)[0, 1] > 0.8
    for info in SECTOR_MAPPING.values():
        assert np.corrcoef(returns[:, rows[info.small_cap_etf_proxy]], member_mean)[0, 1] > 0.3


def test_volatility_is_in_the_small_cap_range(recent_bars: list[DailyBars], listings: list[Listing]) -> None:
    caps = np.array([listing.market_cap or 0.0 for listing in listings])
    common = np.array(
        [listing.security_type == "CS" and listing.primary_exchange != "OTC" for listing in listings]
    )
    daily_sigma = np.diff(np.log(stack(recent_bars, "close")), axis=0).std(axis=0)
    micro = common & (caps >= 1e7) & (caps < 3e8)
    small = common & (caps >= 3e8) & (caps <= 2e9)
    assert 0.04 <= np.median(daily_sigma[micro]) <= 0.065
    assert 0.025 <= np.median(daily_sigma[small]) <= 0.045


def test_universe_funnel_is_realistic(recent_bars: list[DailyBars], listings: list[Listing]) -> None:
    criteria = UniverseCriteria()
    average_volume = stack(recent_bars[-criteria.avg_volume_sessions :], "volume").mean(axis=0)
    price = recent_bars[-1].close
    caps = np.array([listing.market_cap or 0.0 for listing in listings])
    floats = np.array(
        [np.nan if listing.float_shares is None else listing.float_shares for listing in listings]
    )
    eligible = np.array(
        [
            listing.security_type == criteria.security_type and listing.primary_exchange in criteria.exchanges
            for listing in listings
        ]
    )
    in_cap_range = eligible & (caps >= criteria.min_market_cap) & (caps <= criteria.max_market_cap)
    liquid = in_cap_range & (average_volume >= criteria.min_avg_daily_volume)
    priced = liquid & (price >= criteria.min_price) & (price <= criteria.max_price)
    float_floor = np.where(
        caps < criteria.micro_small_boundary, criteria.min_float_micro, criteria.min_float_small
    )
    final = priced & (np.isnan(floats) | (floats > float_floor))
    assert 2_500 <= np.count_nonzero(in_cap_range) <= 3_500
    assert 1_600 <= np.count_nonzero(priced) <= 2_400
    assert 1_200 <= np.count_nonzero(final) <= 2_000
    sectors = [sector_for_sic(int(listing.sic_code)) if listing.sic_code else None for listing in listings]
    per_sector = Counter(sector for sector, keep in zip(sectors, final.tolist(), strict=True) if keep)
    assert min(per_sector[sector] for sector in SECTORS) >= 60
    ranked = sorted(SECTORS, key=lambda sector: per_sector[sector])
    assert set(ranked[-2:]) == {Sector.TECHNOLOGY, Sector.HEALTHCARE}
    assert {Sector.UTILITIES, Sector.MATERIALS} <= set(ranked[:3])


# ----- calendar -----------------------------------------------------------------------------------


def test_early_close_day_closes_at_1pm(provider: SimulatedProvider) -> None:
    assert session_bounds(EARLY_CLOSE).regular_close == new_york(EARLY_CLOSE, 13)
    bars = provider.daily_bars([EARLY_CLOSE])[0]
    at_close = provider.intraday_snapshot(new_york(EARLY_CLOSE, 13))
    assert np.array_equal(at_close.last_price, bars.close)
    after_hours = provider.intraday_snapshot(new_york(EARLY_CLOSE, 15))
    assert not np.array_equal(after_hours.last_price, bars.close)


def test_holiday_is_not_a_session(provider: SimulatedProvider) -> None:
    with pytest.raises(ProviderError, match="not an NYSE trading session"):
        provider.daily_bars([THANKSGIVING])
    with pytest.raises(ProviderError):
        provider.daily_bars([date(2026, 11, 21)])  # a Saturday
    holiday_noon = provider.intraday_snapshot(new_york(THANKSGIVING, 12))
    eve_end = provider.intraday_snapshot(new_york(THANKSGIVING - timedelta(days=1), 20))
    assert holiday_noon.session == THANKSGIVING - timedelta(days=1)
    assert np.array_equal(holiday_noon.last_price, eve_end.last_price)
