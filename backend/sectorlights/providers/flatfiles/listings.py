"""The listings CSV of the flatfiles provider (`SECTORLIGHTS_FLATFILES_LISTINGS`).

Flat files carry prices only, so reference data comes from a CSV with this header (any column order;
extra columns are ignored):

    symbol,name,type,exchange,market_cap,shares_outstanding,float_shares,sic_code

- symbol: the ticker as in the flat files (required).
- name: company or fund name.
- type: Polygon/Massive type code: CS (common stock), ETF, ADRC, PFD, ... (required).
- exchange: primary exchange MIC: XNAS, XNYS, XASE, ARCX, BATS, or OTC (required).
- market_cap: USD; may be blank, and then it is shares_outstanding x the last imported close.
- shares_outstanding, float_shares: shares; may be blank (unknown).
- sic_code: SEC SIC code as text (leading zeros kept), may be blank.
- sic_description (optional column): the SIC industry title.

A later row for the same symbol replaces an earlier one.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from sectorlights.core.csv_header import normalised_reader

REQUIRED_COLUMNS: tuple[str, ...] = (
    "symbol",
    "name",
    "type",
    "exchange",
    "market_cap",
    "shares_outstanding",
    "float_shares",
    "sic_code",
)
OPTIONAL_COLUMNS: tuple[str, ...] = ("sic_description",)
LISTINGS_HEADER = ",".join(REQUIRED_COLUMNS)


class ListingsFileError(ValueError):
    """The listings CSV is missing or malformed; the message names the file (and line)."""


@dataclass(frozen=True, slots=True)
class ListingRow:
    symbol: str
    name: str
    security_type: str
    exchange: str
    market_cap: float | None
    shares_outstanding: float | None
    float_shares: float | None
    sic_code: str | None
    sic_description: str | None


def _optional_number(path: Path, line: int, column: str, text: str) -> float | None:
    text = text.strip().replace(",", "")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise ListingsFileError(f"{path}, line {line}: {column} {text!r} is not a number") from None
    if not math.isfinite(value) or value < 0:
        raise ListingsFileError(f"{path}, line {line}: {column} {text!r} must be a non-negative number")
    return value


def _optional_text(text: str | None) -> str | None:
    if text is None:
        return None
    stripped = text.strip()
    return stripped or None


def read_listings_csv(path: Path) -> list[ListingRow]:
    """Every row of the file; ListingsFileError when it is missing, its header is wrong or a value is bad."""
    try:
        handle = path.open("r", encoding="utf-8-sig", newline="")
    except OSError as error:
        raise ListingsFileError(f"{path}: cannot open: {error.strerror or error}") from None
    try:
        with handle:
            return _read(path, handle)
    except (csv.Error, UnicodeDecodeError) as error:
        raise ListingsFileError(f"{path}: not a readable CSV file: {error}") from None


def _read(path: Path, handle: TextIO) -> list[ListingRow]:
    reader, missing = normalised_reader(handle, REQUIRED_COLUMNS)
    if missing:
        raise ListingsFileError(
            f"{path}: wrong header (missing {', '.join(missing)}); expected {LISTINGS_HEADER}"
            f" (and optionally {','.join(OPTIONAL_COLUMNS)})"
        )
    rows: dict[str, ListingRow] = {}
    for record in reader:
        line = reader.line_num
        symbol = (record.get("symbol") or "").strip()
        security_type = (record.get("type") or "").strip()
        exchange = (record.get("exchange") or "").strip()
        if not symbol:
            raise ListingsFileError(f"{path}, line {line}: symbol is empty")
        if not security_type or not exchange:
            raise ListingsFileError(f"{path}, line {line}: {symbol}: type and exchange are required")
        rows[symbol] = ListingRow(
            symbol=symbol,
            name=(record.get("name") or "").strip() or symbol,
            security_type=security_type,
            exchange=exchange,
            market_cap=_optional_number(path, line, "market_cap", record.get("market_cap") or ""),
            shares_outstanding=_optional_number(
                path, line, "shares_outstanding", record.get("shares_outstanding") or ""
            ),
            float_shares=_optional_number(path, line, "float_shares", record.get("float_shares") or ""),
            sic_code=_optional_text(record.get("sic_code")),
            sic_description=_optional_text(record.get("sic_description")),
        )
    return list(rows.values())
