"""The flatfiles provider over imported bars: listings, bars, snapshots, checks and its factory."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from sectorlights.core.clock import FrozenClock
from sectorlights.domain.market import TickerReference
from sectorlights.domain.sessions import NEW_YORK
from sectorlights.providers.base import (
    MarketDataProvider,
    MemoryReferenceStore,
    ProviderError,
    ProviderUnsupportedError,
)
from sectorlights.providers.flatfiles import (
    LISTINGS_HEADER,
    FlatFilesProvider,
    ListingsFileError,
    create_flatfiles_provider,
    read_listings_csv,
)
from sectorlights.providers.registry import ProviderContext, build_provider
from sectorlights.settings import ConfigurationError, ProviderSettings
from sectorlights.storage.bars import BarsRepository, DailyBarRow, MinuteBarRow
from sectorlights.storage.reference_store import SqlReferenceStore

PREVIOUS = date(2017, 11, 9)
SESSION = date(2017, 11, 10)


def new_york(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), NEW_YORK)


@pytest.fixture
def bars(sqlite_database: Engine) -> BarsRepository:
    repository = BarsRepository(sqlite_database)
    for session, scale in ((PREVIOUS, 1.0), (SESSION, 1.1)):
        repository.upsert_daily(
            [
                DailyBarRow("AAA", session, 10 * scale, 11 * scale, 9 * scale, 10 * scale, 2e6 * scale),
                DailyBarRow("IWM", session, 146 * scale, 147 * scale, 145 * scale, 146 * scale, 3e7),
                DailyBarRow("XLK", session, 60 * scale, 61 * scale, 59 * scale, 60 * scale, 1e7),
            ]
        )
    return repository


def add_minutes(bars: BarsRepository) -> None:
    bars.upsert_minute(
        [
            MinuteBarRow("AAA", new_york(SESSION, 9, 30).astimezone(UTC), 10.0, 10.6, 10.0, 10.5, 1000.0),
            MinuteBarRow("AAA", new_york(SESSION, 10, 0).astimezone(UTC), 10.5, 10.8, 10.5, 10.7, 500.0),
        ]
    )


def write_listings(path: Path, rows: list[str], header: str = LISTINGS_HEADER) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


LISTING_ROWS = [
    "AAA,Alpha Corp,CS,XNAS,,50000000,30000000,0100",  # market cap from shares x last close
    "BBB,Beta Inc,CS,XNYS,750000000,,,",  # market cap given, no bars imported
    "IWM,iShares Russell 2000 ETF,ETF,ARCX,,,,",
]


# ----- the listings CSV -----


def test_listings_from_the_csv(tmp_path: Path, bars: BarsRepository) -> None:
    provider = FlatFilesProvider(bars, write_listings(tmp_path / "listings.csv", LISTING_ROWS))
    after_close = {listing.symbol: listing for listing in provider.listings(new_york(SESSION, 20))}
    assert list(after_close) == ["AAA", "BBB", "IWM"]
    alpha = after_close["AAA"]
    assert alpha.market_cap == pytest.approx(50_000_000 * 11.0)  # the session's close
    assert (alpha.name, alpha.security_type, alpha.primary_exchange) == ("Alpha Corp", "CS", "XNAS")
    assert (alpha.float_shares, alpha.sic_code, alpha.sic_description) == (30_000_000, "0100", None)
    assert after_close["BBB"].market_cap == 750_000_000
    assert after_close["IWM"].market_cap is None and after_close["IWM"].security_type == "ETF"
    # Before the regular close the last close is the previous session's.
    before_close = {listing.symbol: listing for listing in provider.listings(new_york(SESSION, 12))}
    assert before_close["AAA"].market_cap == pytest.approx(50_000_000 * 10.0)


def test_static_bars_step_the_closes_forward_to_the_same_market_caps(
    tmp_path: Path, sqlite_database: Engine
) -> None:
    """A backtest's provider carries the latest closes forward between calls; every market cap is
    the one a full search gives, whichever way the calls go."""
    repository = BarsRepository(sqlite_database)
    sessions = [date(2017, 11, day) for day in (1, 2, 3, 6, 7)]
    rows = [DailyBarRow("AAA", day, 10.0, 11.0, 9.0, 10.0 + index, 2e6) for index, day in enumerate(sessions)]
    rows.append(DailyBarRow("OLD", sessions[0], 5.0, 5.0, 5.0, 5.0, 1e6))  # stops trading
    rows += [
        DailyBarRow("NEW", day, 7.0, 7.0, 7.0, 7.0 + index, 1e6) for index, day in enumerate(sessions[2:])
    ]
    repository.upsert_daily(rows)
    listings = write_listings(
        tmp_path / "listings.csv",
        ["AAA,Alpha,CS,XNAS,,1000,,", "OLD,Old,CS,XNAS,,1000,,", "NEW,New,CS,XNAS,,1000,,"],
    )
    searched = FlatFilesProvider(repository, listings)
    stepped = FlatFilesProvider(repository, listings)
    stepped.assume_static_bars()
    moments = [
        new_york(sessions[1], 20),
        new_york(sessions[2], 20),
        new_york(sessions[2], 20),
        new_york(sessions[4], 20),  # two sessions on: the later close wins
        new_york(sessions[0], 20),  # back in time: searched again
        new_york(sessions[3], 12),  # before the close: the session before's
    ]
    for moment in moments:
        expected = {listing.symbol: listing.market_cap for listing in searched.listings(moment)}
        assert {listing.symbol: listing.market_cap for listing in stepped.listings(moment)} == expected
    assert expected == {"AAA": 12_000.0, "OLD": 5_000.0, "NEW": 7_000.0}  # as of 2017-11-03


def test_listings_csv_with_descriptions_extra_columns_and_any_order(tmp_path: Path) -> None:
    header = (
        "exchange,symbol,type,name,notes,sic_code,sic_description,market_cap,shares_outstanding,float_shares"
    )
    path = write_listings(
        tmp_path / "l.csv", ["XNAS,AAA,CS,Alpha,whatever,3674,SEMICONDUCTORS,1e9,,"], header
    )
    (row,) = read_listings_csv(path)
    assert (row.symbol, row.exchange, row.market_cap, row.sic_code, row.sic_description) == (
        "AAA",
        "XNAS",
        1e9,
        "3674",
        "SEMICONDUCTORS",
    )


@pytest.mark.parametrize(
    ("header", "rows", "message"),
    [
        ("symbol,name,type,exchange,market_cap", [], "missing shares_outstanding, float_shares, sic_code"),
        (LISTINGS_HEADER, ["AAA,Alpha,CS,XNAS,lots,,,"], "line 2: market_cap 'lots' is not a number"),
        (LISTINGS_HEADER, ["AAA,Alpha,CS,XNAS,-5,,,"], "non-negative"),
        (LISTINGS_HEADER, [",Alpha,CS,XNAS,,,,"], "symbol is empty"),
        (LISTINGS_HEADER, ["AAA,Alpha,,XNAS,,,,"], "type and exchange are required"),
    ],
)
def test_bad_listings_files_are_refused(tmp_path: Path, header: str, rows: list[str], message: str) -> None:
    path = write_listings(tmp_path / "l.csv", rows, header)
    with pytest.raises(ListingsFileError) as raised:
        read_listings_csv(path)
    assert message in str(raised.value)
    assert str(path) in str(raised.value)


# ----- without a listings CSV -----


def test_without_a_csv_every_imported_symbol_is_listed_and_a_warning_says_so(
    bars: BarsRepository, caplog: pytest.LogCaptureFixture
) -> None:
    provider = FlatFilesProvider(bars, None)
    with caplog.at_level(logging.WARNING):
        listings = {listing.symbol: listing for listing in provider.listings(new_york(SESSION, 20))}
        provider.listings(new_york(SESSION, 20))
    assert [(listing.security_type, listing.primary_exchange) for listing in listings.values()] == [
        ("CS", "UNKNOWN"),
        ("ETF", "ARCX"),
        ("ETF", "ARCX"),
    ]
    assert all(listing.market_cap is None for listing in listings.values())
    warnings = [record.getMessage() for record in caplog.records if record.levelno == logging.WARNING]
    assert len(warnings) == 1  # once per provider
    assert "SECTORLIGHTS_FLATFILES_LISTINGS" in warnings[0] and "unknown market cap" in warnings[0]


def test_without_a_csv_stored_reference_data_supplies_shares(bars: BarsRepository) -> None:
    store = MemoryReferenceStore()
    store.put_many(
        [
            TickerReference(
                "AAA", "Alpha Corp", "CS", "XNAS", None, 4e7, "3674", "SEMICONDUCTORS", datetime.now(UTC)
            )
        ]
    )
    provider = FlatFilesProvider(bars, None, reference_store=store)
    alpha = provider.listings(new_york(SESSION, 20))[0]
    assert (alpha.symbol, alpha.name, alpha.primary_exchange, alpha.sic_code) == (
        "AAA",
        "Alpha Corp",
        "XNAS",
        "3674",
    )
    assert alpha.market_cap == pytest.approx(4e7 * 11.0)


# ----- bars and snapshots -----


def test_daily_bars_in_the_order_asked_and_a_missing_session_named(bars: BarsRepository) -> None:
    provider = FlatFilesProvider(bars, None)
    sets = provider.daily_bars([SESSION, PREVIOUS])
    assert [item.session for item in sets] == [SESSION, PREVIOUS]
    assert sets[1].symbols.tolist() == ["AAA", "IWM", "XLK"]
    with pytest.raises(ProviderError, match="2017-11-08"):
        provider.daily_bars([date(2017, 11, 8)])


def test_snapshot_from_the_day_bar_after_the_close(bars: BarsRepository) -> None:
    provider = FlatFilesProvider(bars, None)
    assert provider.capabilities.historical_snapshots is False
    snapshot = provider.intraday_snapshot(new_york(SESSION, 16, 0))
    assert snapshot.session == SESSION
    assert snapshot.symbols.tolist() == ["AAA", "IWM", "XLK"]
    assert snapshot.last_price.tolist() == pytest.approx([11.0, 160.6, 66.0])
    assert snapshot.session_volume[0] == pytest.approx(2.2e6)


def test_snapshot_before_the_close_needs_minute_bars(bars: BarsRepository) -> None:
    provider = FlatFilesProvider(bars, None)
    with pytest.raises(ProviderError) as raised:
        provider.intraday_snapshot(new_york(SESSION, 15, 59))
    assert str(raised.value) == (
        "flat files: no minute bars imported for 2017-11-10: import minute_aggs_v1 files to analyse intraday"
    )
    with pytest.raises(ProviderError, match="no bars imported for 2017-11-13"):
        provider.intraday_snapshot(new_york(date(2017, 11, 13), 18))


def test_minutes_switch_on_historical_snapshots_and_minute_bars(bars: BarsRepository) -> None:
    provider = FlatFilesProvider(bars, None)
    assert not provider.capabilities.minute_bars
    with pytest.raises(ProviderUnsupportedError):
        provider.minute_bars("AAA", SESSION)
    add_minutes(bars)
    snapshot = provider.intraday_snapshot(new_york(SESSION, 10, 0))
    assert provider.capabilities.historical_snapshots and provider.capabilities.minute_bars
    assert (snapshot.symbols.tolist(), snapshot.last_price.tolist()) == (["AAA"], [10.5])
    assert snapshot.session_volume.tolist() == [1000.0]
    assert provider.minute_bars("AAA", SESSION).close.tolist() == [10.5, 10.7]
    # The previous session has no minutes: its day bar still answers after its close.
    assert provider.intraday_snapshot(new_york(PREVIOUS, 19, 30)).last_price[0] == 10.0


def test_news_rejections_health_and_checks(tmp_path: Path, bars: BarsRepository) -> None:
    provider = FlatFilesProvider(bars, write_listings(tmp_path / "l.csv", LISTING_ROWS))
    assert isinstance(provider, MarketDataProvider)
    assert provider.news(new_york(PREVIOUS, 4), new_york(SESSION, 20)) == []
    assert provider.capabilities.news is False
    assert provider.drain_rejections() == []
    health = provider.health()
    assert health.ok and "2 sessions imported" in health.detail
    add_minutes(bars)
    checks = {check.endpoint: check for check in provider.check()}
    assert set(checks) == {"daily_bars", "minute_bars", "listings", "news"}
    assert checks["daily_bars"].ok and checks["daily_bars"].rows == 2
    assert (
        "2017-11-09 to 2017-11-10" in checks["daily_bars"].detail
        and "3 symbols" in checks["daily_bars"].detail
    )
    assert checks["minute_bars"].rows == 1 and not checks["minute_bars"].required
    assert "1 of 2 sessions with daily bars have minutes" in checks["minute_bars"].detail
    assert checks["listings"].rows == 3


def test_checks_and_health_report_a_broken_database_without_raising(bars: BarsRepository) -> None:
    provider = FlatFilesProvider(bars, None)
    with bars.engine.begin() as connection:
        connection.execute(text("DROP TABLE daily_bars"))
        connection.execute(text("DROP TABLE minute_bars"))
    checks = provider.check()
    assert [check.ok for check in checks] == [False, False, False, True]
    assert "OperationalError" in checks[0].detail
    assert not provider.health().ok


def test_an_empty_database_is_reported(sqlite_database: Engine) -> None:
    provider = FlatFilesProvider(BarsRepository(sqlite_database), None)
    assert not provider.health().ok
    assert "sectorlights import-flatfiles" in provider.health().detail
    daily = provider.check()[0]
    assert (daily.ok, daily.rows) == (False, 0)


# ----- the factory -----


def test_factory_needs_a_database() -> None:
    context = ProviderContext(clock=FrozenClock(new_york(SESSION, 20)))
    with pytest.raises(ConfigurationError, match="flatfiles provider reads bars imported into the database"):
        create_flatfiles_provider(ProviderSettings(), context)


def test_factory_names_the_setting_for_a_missing_or_malformed_listings_file(
    tmp_path: Path, sqlite_database: Engine
) -> None:
    context = ProviderContext(clock=FrozenClock(new_york(SESSION, 20)), database=sqlite_database)
    missing = ProviderSettings(SECTORLIGHTS_FLATFILES_LISTINGS=str(tmp_path / "none.csv"))
    with pytest.raises(ConfigurationError) as raised:
        create_flatfiles_provider(missing, context)
    assert str(raised.value).startswith("configuration error: SECTORLIGHTS_FLATFILES_LISTINGS: ")
    assert LISTINGS_HEADER in str(raised.value)
    bad = write_listings(tmp_path / "bad.csv", ["AAA,Alpha"], header="symbol,name")
    wrong = ProviderSettings(SECTORLIGHTS_FLATFILES_LISTINGS=str(bad))
    with pytest.raises(ConfigurationError) as raised:
        create_flatfiles_provider(wrong, context)
    assert "SECTORLIGHTS_FLATFILES_LISTINGS" in str(raised.value) and "wrong header" in str(raised.value)


def test_factory_builds_a_provider(tmp_path: Path, sqlite_database: Engine) -> None:
    context = ProviderContext(clock=FrozenClock(new_york(SESSION, 20)), database=sqlite_database)
    listings = write_listings(tmp_path / "l.csv", LISTING_ROWS)
    provider = create_flatfiles_provider(
        ProviderSettings(SECTORLIGHTS_FLATFILES_LISTINGS=str(listings)), context
    )
    assert provider.name == "flatfiles"
    assert provider.listings_csv == listings
    assert create_flatfiles_provider(ProviderSettings(), context).listings_csv is None


def test_the_registry_builds_it_on_the_database(sqlite_database: Engine) -> None:
    settings = ProviderSettings(SECTORLIGHTS_PROVIDER="flatfiles")
    clock = FrozenClock(new_york(SESSION, 20))
    provider = build_provider(settings, clock, sqlite_database)
    assert isinstance(provider, FlatFilesProvider)
    assert isinstance(provider.reference_store, SqlReferenceStore)  # reference data outlives the process
    with pytest.raises(ConfigurationError, match="no database was given"):
        build_provider(settings, clock)
