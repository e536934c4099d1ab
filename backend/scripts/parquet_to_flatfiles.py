"""Turn a daily OHLCV parquet (`date,open,high,low,close,volume,ticker[,kind]`) into Polygon
`day_aggs_v1` flat files plus a listings CSV for the flatfiles provider, for validation runs.

    ../.venv/bin/python scripts/parquet_to_flatfiles.py \\
        ../../shared/data/real/ohlcv_daily_sp600_etfs_2005_2017.parquet \\
        ../../shared/data/real/sec_tickers_exchange_sic.csv OUT --since 2014-12-01

Needs pyarrow (`pip install -e 'backend[data]'`); the product does not. Listings: name and SIC from
the SEC file (first row per ticker), exchange Nasdaq -> XNAS, NYSE -> XNYS; tickers of kind `etf` (or
missing from the SEC file and named IWM/XL*) are ETFs on ARCX. The sources have no share counts, so
every common stock gets `--assumed-shares` (market cap = that x the last close): an assumption, not
data, stated wherever results are reported.
"""

from __future__ import annotations

import argparse
import csv
import gzip
from collections import defaultdict
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow.parquet as pq

from sectorlights.providers.flatfiles.listings import OPTIONAL_COLUMNS, REQUIRED_COLUMNS
from sectorlights.storage.ingestion import EXPECTED_HEADER

HEADER = ",".join(EXPECTED_HEADER)
LISTINGS_HEADER = [*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS]
EXCHANGES = {"Nasdaq": "XNAS", "NYSE": "XNYS"}
NEW_YORK = ZoneInfo("America/New_York")


def window_start_ns(day: date) -> int:
    """The vendor's day-bar convention: the bar starts at 00:00 America/New_York."""
    return int(datetime.combine(day, time(0, 0), NEW_YORK).timestamp()) * 1_000_000_000


def read_sec(path: Path) -> dict[str, dict[str, str]]:
    rows: dict[str, dict[str, str]] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            rows.setdefault(row["ticker"].upper(), row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("parquet", type=Path)
    parser.add_argument("sec_csv", type=Path, help="sec_tickers_exchange_sic.csv")
    parser.add_argument("out", type=Path)
    parser.add_argument("--since", type=date.fromisoformat, default=date(2000, 1, 1))
    parser.add_argument("--until", type=date.fromisoformat, default=date(2100, 1, 1))
    parser.add_argument("--assumed-shares", type=int, default=20_000_000)
    arguments = parser.parse_args()

    table = pq.read_table(arguments.parquet).to_pydict()
    kinds = table.get("kind", ["stock"] * len(table["ticker"]))
    by_day: dict[date, list[str]] = defaultdict(list)
    kind_of: dict[str, str] = {}
    for index, day in enumerate(table["date"]):
        if not arguments.since <= day <= arguments.until:
            continue
        ticker = str(table["ticker"][index]).upper()
        kind_of[ticker] = str(kinds[index])
        values = [table[name][index] for name in ("open", "close", "high", "low")]
        opened, closed, high, low = (repr(float(value)) for value in values)
        volume = int(table["volume"][index])
        by_day[day].append(f"{ticker},{volume},{opened},{closed},{high},{low},{window_start_ns(day)},")
    for day, rows in sorted(by_day.items()):
        target = arguments.out / "us_stocks_sip" / "day_aggs_v1" / f"{day:%Y}" / f"{day:%m}"
        target.mkdir(parents=True, exist_ok=True)
        with gzip.open(target / f"{day:%Y-%m-%d}.csv.gz", "wt", newline="") as handle:
            handle.write(HEADER + "\n" + "\n".join(sorted(rows)) + "\n")

    sec = read_sec(arguments.sec_csv)
    listings = []
    for ticker in sorted(kind_of):
        row = sec.get(ticker)
        if kind_of[ticker] == "etf" or (row is None and (ticker == "IWM" or ticker.startswith("XL"))):
            listings.append([ticker, ticker, "ETF", "ARCX", "", "", "", "", ""])
        elif row is not None and row["exchange"] in EXCHANGES:
            listings.append(
                [
                    ticker,
                    row["name"],
                    "CS",
                    EXCHANGES[row["exchange"]],
                    "",
                    str(arguments.assumed_shares),
                    "",
                    row["sic"],
                    row["industry_title"],
                ]
            )
    with (arguments.out / "listings.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(LISTINGS_HEADER)
        writer.writerows(listings)
    print(f"{len(by_day)} day files, {len(listings)} listings of {len(kind_of)} tickers in {arguments.out}")


if __name__ == "__main__":
    main()
