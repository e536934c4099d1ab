"""Real 2017 flat files, imported and analysed end to end, checked against a plain recomputation.

The day files hold real daily OHLCV of 120 S&P 600 stocks, IWM and the XL* ETFs for the 35
sessions 2017-09-25 to 2017-11-10; the one minute file (2017-11-10) is synthetic, built from those
daily bars (tests/fixtures/flatfiles/SOURCE.md). The listings come from SEC data
(tests/fixtures/real/SOURCE.md) and carry no share counts, so the full-analysis tests add an
assumed 20,000,000 shares per common stock to get market caps; that number is ours, not data.
"""

from __future__ import annotations

import csv
import gzip
import math
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine

from sectorlights.analytics.analysis import analyze
from sectorlights.analytics.performance import sector_returns, stock_returns
from sectorlights.domain.frame import MarketFrame
from sectorlights.domain.results import AnalysisResult
from sectorlights.domain.sessions import NEW_YORK
from sectorlights.domain.vocabulary import SECTORS, Sector, Timeframe
from sectorlights.engine.frame_builder import DailyBarsCache, build_frame
from sectorlights.providers.base import ProviderError
from sectorlights.providers.flatfiles import FlatFilesProvider
from sectorlights.storage.bars import BarsRepository
from sectorlights.storage.ingestion import ImportReport, import_flatfiles
from tests.databases import migrated_sqlite

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FLATFILES = FIXTURES / "flatfiles"
LISTINGS = FIXTURES / "real" / "flatfiles_listings.csv"
DAY_FILES = sorted((FLATFILES / "us_stocks_sip" / "day_aggs_v1").rglob("*.csv.gz"))
MINUTE_FILE = FLATFILES / "us_stocks_sip" / "minute_aggs_v1" / "2017" / "11" / "2017-11-10.csv.gz"

LAST_SESSION = date(2017, 11, 10)  # the session with minute bars
DAY_ONLY_SESSION = date(2017, 11, 9)
HISTORY_SESSIONS = 25
ASSUMED_SHARES = 20_000_000  # not data: the sources have no share counts
SESSIONS_BACK = {Timeframe.DAY_1: 1, Timeframe.DAY_3: 3, Timeframe.WEEK_1: 5}
ADV_SESSIONS = 20
RELATIVE_VOLUME_CLIP = (0.25, 4.0)


def evening(day: date) -> datetime:
    return datetime.combine(day, time(20, 0), NEW_YORK)


# ----- the database, imported once per module -----


@dataclass(frozen=True)
class Imported:
    engine: Engine
    bars: BarsRepository
    first: ImportReport
    second: ImportReport


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Imported]:
    folder = tmp_path_factory.mktemp("flatfiles")
    with migrated_sqlite(folder / "bars.db") as engine:
        bars = BarsRepository(engine)
        first = import_flatfiles([FLATFILES], bars)
        second = import_flatfiles([FLATFILES], bars)
        yield Imported(engine, bars, first, second)


@pytest.fixture(scope="module")
def sized_listings(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real listings with the assumed share count on every common stock (market cap left blank)."""
    with LISTINGS.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if row["type"] == "CS":
            row["shares_outstanding"] = str(ASSUMED_SHARES)
    path = tmp_path_factory.mktemp("listings") / "listings.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


# ----- the independent recomputation: csv + gzip + arithmetic, nothing from sectorlights -----


@dataclass(frozen=True)
class RawMarket:
    sessions: list[date]  # every day file's date, oldest first
    close: dict[str, dict[date, float]]
    volume: dict[str, dict[date, float]]
    # From the minute file, at a given instant: the last close of bars that had ended, and volume.
    minute_rows: dict[str, list[tuple[datetime, float, float]]]

    def minute_state(self, symbol: str, at: datetime) -> tuple[float, float]:
        price, volume = math.nan, 0.0
        for start, close, bar_volume in self.minute_rows[symbol]:
            if start + timedelta(minutes=1) <= at:
                price, volume = close, volume + bar_volume
        return price, volume


def read_raw_market() -> RawMarket:
    close: dict[str, dict[date, float]] = defaultdict(dict)
    volume: dict[str, dict[date, float]] = defaultdict(dict)
    sessions = []
    for path in DAY_FILES:
        day = date.fromisoformat(path.name.removesuffix(".csv.gz"))
        sessions.append(day)
        with gzip.open(path, "rt", newline="") as handle:
            for row in csv.DictReader(handle):
                close[row["ticker"]][day] = float(row["close"])
                volume[row["ticker"]][day] = float(row["volume"])
    minute_rows: dict[str, list[tuple[datetime, float, float]]] = defaultdict(list)
    with gzip.open(MINUTE_FILE, "rt", newline="") as handle:
        for row in csv.DictReader(handle):
            start = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(
                microseconds=int(row["window_start"]) // 1000
            )
            minute_rows[row["ticker"]].append((start, float(row["close"]), float(row["volume"])))
    for rows in minute_rows.values():
        rows.sort()
    return RawMarket(sorted(sessions), close, volume, minute_rows)


@pytest.fixture(scope="module")
def raw() -> RawMarket:
    return read_raw_market()


@dataclass(frozen=True)
class Expected:
    """Per sector and timeframe: plain mean and volume-weighted mean of stock returns (fractions)."""

    plain: dict[tuple[str, Timeframe], float]
    weighted: dict[tuple[str, Timeframe], float]
    benchmark: dict[Timeframe, float]


def winsorised(values: list[float]) -> list[float]:
    """docs/methodology.md §5: the k = max(1, ceil(5 % of n)) lowest and highest pulled in to the
    next ones, k at most (n - 1) // 2."""
    ordered = sorted(values)
    trimmed = min(max(1, math.ceil(0.05 * len(values))), (len(values) - 1) // 2)
    low, high = ordered[trimmed], ordered[len(values) - 1 - trimmed]
    return [min(max(value, low), high) for value in values]


def recompute(
    raw: RawMarket, members: dict[str, str], session: date, from_minutes: bool, benchmark: str = "IWM"
) -> Expected:
    """Returns as DESIGN §6 defines them, straight from the file values.

    Latest price: the minute file's last close by 20:00 (else the session's day close); 30 minutes
    earlier: its last close by 19:30 (else the day close again). 1d/3d/1w: against the regular close
    1, 3 and 5 sessions back; each sector's returns winsorised. Weight: the day's volume / the
    20-session average volume (the whole day's volume is expected by 20:00), clipped to [0.25, 4].
    """
    previous = [day for day in raw.sessions if day < session]

    def returns(symbol: str) -> tuple[dict[Timeframe, float], float]:
        if from_minutes:
            latest, day_volume = raw.minute_state(symbol, evening(session))
            earlier, _ = raw.minute_state(symbol, evening(session) - timedelta(minutes=30))
        else:
            latest = earlier = raw.close[symbol][session]
            day_volume = raw.volume[symbol][session]
        out = {Timeframe.MIN_30: latest / earlier - 1.0}
        for timeframe, back in SESSIONS_BACK.items():
            out[timeframe] = latest / raw.close[symbol][previous[-back]] - 1.0
        window = previous[-ADV_SESSIONS:]
        average_volume = sum(raw.volume[symbol][day] for day in window) / len(window)
        weight = min(max(day_volume / average_volume, RELATIVE_VOLUME_CLIP[0]), RELATIVE_VOLUME_CLIP[1])
        return out, weight

    plain: dict[tuple[str, Timeframe], float] = {}
    weighted: dict[tuple[str, Timeframe], float] = {}
    by_sector: dict[str, list[str]] = defaultdict(list)
    for symbol, sector in members.items():
        by_sector[sector].append(symbol)
    for sector, symbols in by_sector.items():
        stock = [returns(symbol) for symbol in sorted(symbols)]
        for timeframe in Timeframe:
            values = winsorised([item[0][timeframe] for item in stock])
            weights = [item[1] for item in stock]
            plain[(sector, timeframe)] = sum(values) / len(values)
            weighted[(sector, timeframe)] = sum(w * v for w, v in zip(weights, values, strict=True)) / sum(
                weights
            )
    bench, _ = returns(benchmark)
    return Expected(plain, weighted, bench)


def percent(fraction: float) -> float:
    return round(fraction * 100.0, 4) + 0.0


# ----- tests -----


def test_the_real_files_import_cleanly_and_reimport_changes_nothing(imported: Imported) -> None:
    first, second = imported.first, imported.second
    assert len(first.files) == 36
    kinds = [report.kind for report in first.files]
    assert kinds.count("day") == 35 and kinds.count("minute") == 1
    day_reports = [report for report in first.files if report.kind == "day"]
    assert all(report.rows_read == report.imported == report.new_rows == 131 for report in day_reports)
    (minute_report,) = [report for report in first.files if report.kind == "minute"]
    assert minute_report.rows_read == minute_report.imported == minute_report.new_rows == 55_675
    assert minute_report.dates == (LAST_SESSION,)
    assert first.skipped == {} and second.skipped == {}
    assert (second.rows_read, second.imported, second.new_rows) == (first.rows_read, first.imported, 0)
    assert imported.bars.sessions()[0] == date(2017, 9, 25) and len(imported.bars.sessions()) == 35
    assert len(imported.bars.symbols()) == 131


def run(
    imported: Imported, listings: Path, at: datetime
) -> tuple[FlatFilesProvider, MarketFrame, AnalysisResult]:
    provider = FlatFilesProvider(imported.bars, listings)
    frame = build_frame(provider, at, HISTORY_SESSIONS, DailyBarsCache())
    return provider, frame, analyze(frame)


def check_against_raw(frame: MarketFrame, result: AnalysisResult, expected: Expected) -> None:
    members = {member.symbol: member.sector.value for member in result.members}
    for sector_result in result.sectors:
        sector = sector_result.sector.value
        for timeframe, detail in sector_result.timeframes.items():
            if sector_result.stock_count == 0:
                assert detail.plain_mean_pct is None
                continue
            plain = expected.plain[(sector, timeframe)]
            weighted = expected.weighted[(sector, timeframe)]
            assert detail.plain_mean_pct is not None and detail.return_pct is not None
            assert abs(detail.plain_mean_pct - percent(plain)) <= 1e-9, (sector, timeframe)
            assert abs(detail.return_pct - percent(weighted)) <= 1e-9, (sector, timeframe)
            adjusted = weighted * sector_result.volatility_weight
            assert detail.alpha_pct is not None
            assert abs(detail.alpha_pct - percent(adjusted - expected.benchmark[timeframe])) <= 1e-9
    for timeframe, value in result.benchmark_returns_pct.items():
        assert value is not None and abs(value - percent(expected.benchmark[timeframe])) <= 1e-9

    # Unrounded: the analytics' own sector means over the frame's rows agree to 1e-9 (fractions).
    rows = np.array([frame.index_of(symbol) for symbol in sorted(members)], dtype=np.int64)
    sector_index = np.array([SECTORS.index(Sector(members[s])) for s in sorted(members)], dtype=np.int64)
    per_stock = stock_returns(frame.last_price[rows], frame.price_30m_ago[rows], frame.daily_close[rows])
    unrounded = sector_returns(
        per_stock,
        sector_index,
        np.full(rows.size, np.nan),
        np.ones(len(SECTORS)),
    )
    for position, sector_enum in enumerate(SECTORS):
        for column, timeframe in enumerate(Timeframe):
            key = (sector_enum.value, timeframe)
            if key in expected.plain:
                assert abs(unrounded.plain[position, column] - expected.plain[key]) <= 1e-9, key


def test_a_full_analysis_at_2017_11_10_20h_matches_the_raw_files(
    imported: Imported, sized_listings: Path, raw: RawMarket
) -> None:
    provider, frame, result = run(imported, sized_listings, evening(LAST_SESSION))
    assert provider.capabilities.historical_snapshots
    assert frame.current_session == LAST_SESSION
    assert len(frame.sessions) == HISTORY_SESSIONS and frame.sessions[-1] == DAY_ONLY_SESSION
    funnel = {stage.stage: stage.remaining for stage in result.funnel}
    assert funnel["listings"] == 131 and funnel["common_stock"] == 120
    assert funnel["avg_daily_volume"] < funnel["market_cap"]  # real volumes thin the list
    assert len(result.members) == funnel["size_cap"] >= 60
    populated = [sector for sector in result.sectors if sector.stock_count > 0]
    assert len(result.sectors) == 8 and len(populated) >= 7
    assert all(-1.0 <= sector.score <= 1.0 for sector in result.sectors)
    assert all(sector.top_bullish or sector.top_bearish for sector in populated)
    # The synthetic after-hours drift makes the 30-minute window non-trivial.
    assert any(abs(sector.timeframes[Timeframe.MIN_30].plain_mean_pct or 0.0) > 0 for sector in populated)

    members = {member.symbol: member.sector.value for member in result.members}
    check_against_raw(frame, result, recompute(raw, members, LAST_SESSION, from_minutes=True))


def test_a_session_without_minutes_is_analysed_from_its_day_bars_after_the_close(
    imported: Imported, sized_listings: Path, raw: RawMarket
) -> None:
    _, frame, result = run(imported, sized_listings, evening(DAY_ONLY_SESSION))
    assert frame.last_price[frame.index_of("IWM")] == raw.close["IWM"][DAY_ONLY_SESSION]
    members = {member.symbol: member.sector.value for member in result.members}
    assert len(members) >= 60
    check_against_raw(frame, result, recompute(raw, members, DAY_ONLY_SESSION, from_minutes=False))


def test_intraday_without_minutes_says_what_to_import(imported: Imported, sized_listings: Path) -> None:
    provider = FlatFilesProvider(imported.bars, sized_listings)
    noon = datetime.combine(DAY_ONLY_SESSION, time(12, 0), NEW_YORK)
    with pytest.raises(ProviderError, match="no minute bars imported for 2017-11-09: import minute_aggs_v1"):
        build_frame(provider, noon, HISTORY_SESSIONS, DailyBarsCache())


def test_intraday_with_minutes_at_midday(imported: Imported, sized_listings: Path, raw: RawMarket) -> None:
    noon = datetime.combine(LAST_SESSION, time(12, 0), NEW_YORK)
    _, frame, result = run(imported, sized_listings, noon)
    for symbol in ("IWM", "AAP"):
        price, volume = raw.minute_state(symbol, noon)
        earlier, _ = raw.minute_state(symbol, noon - timedelta(minutes=30))
        row = frame.index_of(symbol)
        assert (frame.last_price[row], frame.session_volume[row], frame.price_30m_ago[row]) == (
            price,
            volume,
            earlier,
        )
    assert len(result.members) > 0


def test_real_listings_without_share_counts_leave_the_universe_empty(imported: Imported) -> None:
    _, _, result = run(imported, LISTINGS, evening(LAST_SESSION))
    funnel = {stage.stage: stage.remaining for stage in result.funnel}
    assert funnel["exchange"] == 120 and funnel["market_cap"] == 0
    assert result.members == [] and all(sector.stock_count == 0 for sector in result.sectors)
    # IWM is still there for the benchmark.
    assert result.benchmark_returns_pct[Timeframe.DAY_1] is not None
