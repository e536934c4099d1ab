"""Turn daily OHLCV parquets (`ticker,date,open,high,low,close,volume[,kind]`) into Polygon
`day_aggs_v1` flat files plus a listings CSV for the flatfiles provider, for validation runs.

The S&P 600 set (stocks and ETFs in one file):

    ../.venv/bin/python scripts/parquet_to_flatfiles.py \\
        ../../shared/data/real/ohlcv_daily_sp600_etfs_2005_2017.parquet \\
        ../../shared/data/real/sec_tickers_exchange_sic.csv OUT --since 2014-12-01

The 2008-2017 US set (stocks from one file, IWM and the XL* ETFs from the other, small caps
approximated by a yearly reconstitution):

    ../.venv/bin/python scripts/parquet_to_flatfiles.py \\
        ../../shared/data/real/us_stocks_daily_2008_2017.parquet \\
        ../../shared/data/real/sec_tickers_exchange_sic.csv OUT \\
        --etfs ../../shared/data/real/ohlcv_daily_sp600_etfs_2005_2017.parquet --reconstitute

Needs pyarrow (`pip install -e 'backend[data]'`); the product does not.

Listings: name and SIC from the SEC file (first row per ticker), exchange Nasdaq -> XNAS, NYSE ->
XNYS; tickers of kind `etf` (or missing from the SEC file and named IWM/XL*) are ETFs on ARCX.
The sources have no share counts, so every common stock gets `--assumed-shares` (market cap = that
x the last close; 20,000,000 with the product's $10M-$2B cap range admits $0.50-$100): an
assumption, not data, stated wherever results are reported.

`--etfs FILE` (repeatable) takes only IWM and the XL* sector ETFs from FILE, and only on sessions
the first parquet has (after --since/--until), so no session holds ETFs alone: the backtest would
count such a session as imported history.

`--reconstitute`: the small-cap approximation for sources without sizes
(sectorlights/analytics/reconstitution.py). For each calendar year Y every stock of the first
parquet (not the ETFs) with at least 20 sessions in the ranking window is ranked by its median
daily dollar volume (close x volume) over that window: all of Y-1, or, for the first year of the
data (2008 for the US set), that year's first 20 sessions, which all come before the first session
the backtest can score (it needs 25 prior sessions). The top `--exclude-top` (1,000, the size of
the Russell 1000; set by that index, not fitted to results) are left out for all of Y, as the
Russell's annual reconstitution does. A member is written for Y's sessions plus
`--lead-sessions` (40) before Y's first session, so its history exists on Y's first session, and
`--trail-sessions` (1) after Y's last, so the last session has its next-session outcome.
Edge effects: the windows overlap, and a day file holds every stock whose window covers it, so the
last 40 sessions of Y-1 also hold Y's entrants (chosen on all of Y-1: a look-ahead in membership of
at most 40 sessions for those stocks) and Y's first session holds Y-1's leavers. The counts per
turn of the year are printed and written to reconstitution.csv; members.csv lists each year's
ranking. The product's universe filters (common stock, exchange, assumed cap, >= 1M shares
average volume, $2-$100 price, sector) still apply to what is written.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from sectorlights.analytics.reconstitution import (
    ReconstitutionRules,
    YearMembers,
    boundary_overlap,
    reconstitute,
    written_mask,
)
from sectorlights.providers.flatfiles.listings import OPTIONAL_COLUMNS, REQUIRED_COLUMNS
from sectorlights.storage.ingestion import EXPECTED_HEADER

HEADER = ",".join(EXPECTED_HEADER)
LISTINGS_HEADER = [*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS]
EXCHANGES = {"Nasdaq": "XNAS", "NYSE": "XNYS"}
NEW_YORK = ZoneInfo("America/New_York")
# The benchmark and the sector ETFs the product reads (as the flatfiles provider types them).
ETF_PATTERN = re.compile(r"^(IWM|XL[A-Z]{1,2})$")
PRICE_COLUMNS = ("open", "close", "high", "low")


def window_start_ns(day: date) -> int:
    """The vendor's day-bar convention: the bar starts at 00:00 America/New_York."""
    return int(datetime.combine(day, time(0, 0), NEW_YORK).timestamp()) * 1_000_000_000


def read_sec(path: Path) -> dict[str, dict[str, str]]:
    rows: dict[str, dict[str, str]] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            rows.setdefault(row["ticker"].upper(), row)
    return rows


@dataclass
class Rows:
    """Bars as columns: tickers upper-cased, dates as datetime64[D], prices as read (text keeps
    float32's shortest form), `is_etf` per row."""

    ticker: np.ndarray[Any, Any]
    day: np.ndarray[Any, Any]
    prices: dict[str, np.ndarray[Any, Any]]
    volume: np.ndarray[Any, Any]
    is_etf: np.ndarray[Any, Any]

    def take(self, keep: np.ndarray[Any, Any]) -> Rows:
        return Rows(
            self.ticker[keep],
            self.day[keep],
            {name: values[keep] for name, values in self.prices.items()},
            self.volume[keep],
            self.is_etf[keep],
        )

    @staticmethod
    def concat(parts: Sequence[Rows]) -> Rows:
        return Rows(
            np.concatenate([part.ticker for part in parts]),
            np.concatenate([part.day for part in parts]),
            {name: np.concatenate([part.prices[name] for part in parts]) for name in PRICE_COLUMNS},
            np.concatenate([part.volume for part in parts]),
            np.concatenate([part.is_etf for part in parts]),
        )


def read_parquet(path: Path, since: date, until: date, sec_tickers: set[str]) -> tuple[Rows, bool]:
    """The rows of `path` between `since` and `until`, and whether it has a `kind` column. A row is
    an ETF when its kind is `etf`, or when its ticker is IWM/XL* and not an SEC-listed company
    (XLNX is a stock)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    missing = {"ticker", "date", *PRICE_COLUMNS, "volume"} - set(table.column_names)
    if missing:
        raise SystemExit(f"{path}: missing columns {', '.join(sorted(missing))}")
    day = table.column("date").to_numpy().astype("datetime64[D]")
    keep = (day >= np.datetime64(since)) & (day <= np.datetime64(until))
    ticker = pc.utf8_upper(table.column("ticker").cast(pa.string())).to_numpy().astype(np.str_)
    has_kind = "kind" in table.column_names
    kinds = table.column("kind").cast(pa.string()).to_numpy().astype(np.str_) if has_kind else None
    names = np.unique(ticker)
    named_like_etf = np.array(
        [bool(ETF_PATTERN.match(name)) and name not in sec_tickers for name in names], dtype=np.bool_
    )
    is_etf = named_like_etf[np.searchsorted(names, ticker)]
    if kinds is not None:
        is_etf |= kinds == "etf"
    rows = Rows(
        ticker,
        day,
        {name: table.column(name).to_numpy() for name in PRICE_COLUMNS},
        table.column("volume").to_numpy().astype(np.int64),
        is_etf,
    )
    return rows.take(keep), has_kind


def etf_rows(path: Path, sessions: np.ndarray[Any, Any], since: date, until: date) -> Rows:
    """The rows of kind `etf` named IWM or XL* in `path`, on `sessions` only."""
    rows, has_kind = read_parquet(path, since, until, set())
    if not has_kind:
        raise SystemExit(f"{path}: --etfs needs a `kind` column (etf/stock) to tell the ETFs apart")
    named = np.array([bool(ETF_PATTERN.match(name)) for name in rows.ticker], dtype=np.bool_)
    return rows.take(rows.is_etf & named & np.isin(rows.day, sessions))


def small_caps(rows: Rows, rules: ReconstitutionRules, out: Path) -> Rows:
    """The stock rows each year's reconstitution writes (ETF rows pass through); reports written."""
    stocks = ~rows.is_etf
    symbols, symbol_index = np.unique(rows.ticker[stocks], return_inverse=True)
    sessions, session_index = np.unique(rows.day[stocks], return_inverse=True)
    dollar_volume = np.full((symbols.size, sessions.size), np.nan)
    closes = rows.prices["close"][stocks].astype(np.float64)
    dollar_volume[symbol_index, session_index] = closes * rows.volume[stocks]
    has_bar = np.isfinite(dollar_volume)
    session_years = sessions.astype("datetime64[Y]").astype(np.int64) + 1970
    years = reconstitute(symbols, session_years, dollar_volume, rules)
    written = written_mask(years, has_bar)
    keep = rows.is_etf.copy()
    keep[np.flatnonzero(stocks)] = written[symbol_index, session_index]
    write_reports(out, symbols, sessions, session_years, years, has_bar)
    return rows.take(keep)


def write_reports(
    out: Path,
    symbols: np.ndarray[Any, Any],
    sessions: np.ndarray[Any, Any],
    session_years: np.ndarray[Any, Any],
    years: list[YearMembers],
    has_bar: np.ndarray[Any, Any],
) -> None:
    out.mkdir(parents=True, exist_ok=True)
    summary = []
    for index, year in enumerate(years):
        entrants, leavers = (
            boundary_overlap(years[index - 1], year, session_years, has_bar) if index else (0, 0)
        )
        window = year.ranking_columns
        summary.append(
            {
                "year": year.year,
                "ranking_from": str(sessions[window[0]]) if window.size else "",
                "ranking_to": str(sessions[window[-1]]) if window.size else "",
                "ranking_sessions": window.size,
                "ranked": int(year.ranked.sum()),
                "members": int(year.members.sum()),
                "cutoff_median_dollar_volume_usd": round(year.cutoff_usd),
                "written_from": str(sessions[year.written_columns[0]]),
                "written_to": str(sessions[year.written_columns[-1]]),
                "entrants_written_in_previous_year": entrants,
                "previous_year_leavers_written_this_year": leavers,
            }
        )
    with (out / "reconstitution.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(summary[0]))
        writer.writeheader()
        writer.writerows(summary)
    with (out / "members.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["year", "ticker", "rank", "median_dollar_volume_usd", "member"])
        for year in years:
            rows = np.flatnonzero(year.ranked)
            order = rows[np.lexsort((symbols[rows], -year.median_dollar_volume_usd[rows]))]
            for rank, row in enumerate(order, start=1):
                median = round(float(year.median_dollar_volume_usd[row]))
                writer.writerow([year.year, symbols[row], rank, median, int(year.members[row])])
    for line in summary:
        print(
            f"{line['year']}: ranked {line['ranked']} on {line['ranking_sessions']} sessions "
            f"({line['ranking_from']}..{line['ranking_to']}), {line['members']} members below "
            f"${line['cutoff_median_dollar_volume_usd']:,} median dollar volume, written "
            f"{line['written_from']}..{line['written_to']}; {line['entrants_written_in_previous_year']} "
            f"entrants written early, {line['previous_year_leavers_written_this_year']} leavers written late"
        )


def write_day_files(rows: Rows, out: Path) -> int:
    text = {name: values.astype(np.str_) for name, values in rows.prices.items()}
    volume = rows.volume.astype(np.str_)
    order = np.lexsort((rows.ticker, rows.day))
    days, starts = np.unique(rows.day[order], return_index=True)
    bounds = [*starts.tolist(), order.size]
    for position, numpy_day in enumerate(days):
        day = numpy_day.astype(date)
        picked = order[bounds[position] : bounds[position + 1]]
        start_ns = window_start_ns(day)
        lines = [
            f"{rows.ticker[i]},{volume[i]},{text['open'][i]},{text['close'][i]},"
            f"{text['high'][i]},{text['low'][i]},{start_ns},"
            for i in picked
        ]
        target = out / "us_stocks_sip" / "day_aggs_v1" / f"{day:%Y}" / f"{day:%m}"
        target.mkdir(parents=True, exist_ok=True)
        with gzip.open(target / f"{day:%Y-%m-%d}.csv.gz", "wt", newline="") as handle:
            handle.write(HEADER + "\n" + "\n".join(lines) + "\n")
    return int(days.size)


def write_listings(rows: Rows, sec: dict[str, dict[str, str]], out: Path, assumed_shares: int) -> int:
    etf_tickers = set(rows.ticker[rows.is_etf].tolist())
    listings = []
    for ticker in sorted(set(rows.ticker.tolist())):
        row = sec.get(ticker)
        if ticker in etf_tickers:
            listings.append([ticker, ticker, "ETF", "ARCX", "", "", "", "", ""])
        elif row is not None and row["exchange"] in EXCHANGES:
            listings.append(
                [
                    ticker,
                    row["name"],
                    "CS",
                    EXCHANGES[row["exchange"]],
                    "",
                    str(assumed_shares),
                    "",
                    row["sic"],
                    row["industry_title"],
                ]
            )
    with (out / "listings.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(LISTINGS_HEADER)
        writer.writerows(listings)
    return len(listings)


def parse_arguments(argv: Sequence[str] | None) -> tuple[argparse.Namespace, ReconstitutionRules | None]:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], epilog=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("parquet", type=Path, help="stocks (and, with a `kind` column, ETFs)")
    parser.add_argument("sec_csv", type=Path, help="sec_tickers_exchange_sic.csv")
    parser.add_argument("out", type=Path)
    parser.add_argument(
        "--etfs", type=Path, action="append", default=[], help="take IWM and XL* ETFs from this parquet"
    )
    parser.add_argument("--since", type=date.fromisoformat, default=date(2000, 1, 1), help="first day kept")
    parser.add_argument("--until", type=date.fromisoformat, default=date(2100, 1, 1), help="last day kept")
    parser.add_argument(
        "--assumed-shares", type=int, default=20_000_000, help="shares given to every stock (20,000,000)"
    )
    parser.add_argument("--reconstitute", action="store_true", help="the yearly small-cap approximation")
    defaults = ReconstitutionRules()
    for flag, what in (
        ("--exclude-top", "stocks left out each year, largest median dollar volume first"),
        ("--min-ranking-sessions", "sessions a stock needs in the ranking window to be ranked"),
        ("--first-year-sessions", "the first year's ranking window, in its own first sessions"),
        ("--lead-sessions", "sessions written before each year's first"),
        ("--trail-sessions", "sessions written after each year's last"),
    ):
        default = getattr(defaults, flag[2:].replace("-", "_"))
        parser.add_argument(flag, type=int, default=default, help=f"{what} ({default:,})")
    arguments = parser.parse_args(argv)
    for path in [arguments.parquet, arguments.sec_csv, *arguments.etfs]:
        if not path.is_file():
            parser.error(f"no such file: {path}")
    if arguments.since > arguments.until:
        parser.error(f"--since {arguments.since} is after --until {arguments.until}")
    if arguments.assumed_shares <= 0:
        parser.error(f"--assumed-shares must be positive, got {arguments.assumed_shares}")
    if not arguments.reconstitute:
        return arguments, None
    try:
        rules = ReconstitutionRules(
            exclude_top=arguments.exclude_top,
            min_ranking_sessions=arguments.min_ranking_sessions,
            first_year_sessions=arguments.first_year_sessions,
            lead_sessions=arguments.lead_sessions,
            trail_sessions=arguments.trail_sessions,
        )
    except ValueError as error:
        parser.error(str(error))
    return arguments, rules


def main(argv: Sequence[str] | None = None) -> None:
    arguments, rules = parse_arguments(argv)
    sec = read_sec(arguments.sec_csv)
    rows, _ = read_parquet(arguments.parquet, arguments.since, arguments.until, set(sec))
    sessions = np.unique(rows.day)
    for path in arguments.etfs:
        extra = etf_rows(path, sessions, arguments.since, arguments.until)
        both = sorted(set(extra.ticker.tolist()) & set(rows.ticker.tolist()))
        if both:
            raise SystemExit(f"{path}: {', '.join(both[:5])} already come from {arguments.parquet}")
        rows = Rows.concat([rows, extra])
    if rules is not None:
        rows = small_caps(rows, rules, arguments.out)
    days = write_day_files(rows, arguments.out)
    listed = write_listings(rows, sec, arguments.out, arguments.assumed_shares)
    tickers = np.unique(rows.ticker).size
    print(f"{days} day files, {listed} listings of {tickers} tickers in {arguments.out}", file=sys.stdout)


if __name__ == "__main__":
    main()
