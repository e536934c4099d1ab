"""Build the held-out classification labels from `../shared/data/real/` (never used to tune).

FinanceDatabase's labelled NGM/NCM/ASE equities whose symbol is NOT in the development labels
(`tests/fixtures/real/classification_labels.csv`), joined to the SEC's SIC codes: by ticker first,
else by normalised company name (a delisted or renamed ticker often keeps its company name). Rows
whose SEC company (CIK) also stands behind a development symbol (warrants, units, preferred shares
of a development company) are dropped too, so no company is in both sets.

    ../.venv/bin/python scripts/classification_holdout.py OUT.csv
    ../.venv/bin/sectorlights classify --evaluate OUT.csv

Writes `symbol,name,sic,label,gics_sector` like the development labels. The held-out figure is the
`configured` line of the evaluation (the shipped rules, nothing fitted); the lines that learn from
labels are fitted on the held-out rows' own folds there and are not held-out figures. Score it
once per classifier change, and never look at its rows while changing the classifier.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

from sectorlights.config.sectors import EXTERNAL_SECTOR_NAMES

REAL = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "real"
DEVELOPMENT = (
    Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "real" / "classification_labels.csv"
)
_LEGAL_SUFFIX = re.compile(r"\b(inc|corp|corporation|co|company|ltd|limited|plc|llc|lp|the)\b")


def normalised_name(name: str) -> str:
    text = re.sub(r"[^a-z0-9 ]", " ", name.lower().replace("&", " and "))
    return " ".join(_LEGAL_SUFFIX.sub(" ", text).split())


def main(out: Path) -> int:
    with (REAL / "sec_tickers_exchange_sic.csv").open(newline="", encoding="utf-8") as handle:
        sec_rows = [row for row in csv.DictReader(handle) if row["sic"]]
    by_ticker: dict[str, dict[str, str]] = {}
    by_name: dict[str, dict[str, str]] = {}
    for row in sec_rows:
        by_ticker.setdefault(row["ticker"], row)
        by_name.setdefault(normalised_name(row["name"]), row)
    with DEVELOPMENT.open(newline="", encoding="utf-8") as handle:
        development = {row["symbol"] for row in csv.DictReader(handle)}
    development_ciks = {by_ticker[symbol]["cik"] for symbol in development if symbol in by_ticker}
    kept: list[tuple[str, str, str, str, str]] = []
    seen_ciks: set[str] = set()
    with (REAL / "financedatabase_us_NGM_NCM_ASE_equities.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            symbol, sector = row["symbol"], row["sector"]
            if not sector or symbol in development:
                continue
            sec = by_ticker.get(symbol) or by_name.get(normalised_name(row["name"]))
            if sec is None or sec["cik"] in development_ciks or sec["cik"] in seen_ciks:
                continue
            seen_ciks.add(sec["cik"])  # one row per company: share classes would count it twice
            label = EXTERNAL_SECTOR_NAMES[sector.casefold()].value
            kept.append((symbol, row["name"], str(int(sec["sic"])), label, sector))
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("symbol", "name", "sic", "label", "gics_sector"))
        writer.writerows(sorted(kept))
    print(f"{len(kept)} held-out rows written to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: classification_holdout.py OUT.csv")
    sys.exit(main(Path(sys.argv[1])))
