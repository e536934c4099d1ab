"""Pure transforms of FMP stable-API JSON into records; bad rows become RejectedRows, never exceptions.

Every function takes the decoded JSON body (FMP answers a list of objects) and the endpoint label
used in rejections. No I/O, no clock.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

from sectorlights.providers.base import Extracted, RejectedRow
from sectorlights.providers.fmp.records import EtfHolding, FmpFloat, FmpProfile

# More shares than this in one company is not a real number (the largest floats are ~1.5e10).
_MAX_SHARES = 1e13
# No company is worth more than this many dollars (largest ~4e12).
_MAX_MARKET_CAP = 1e14


class _BadValueError(ValueError):
    """A field holds something that is not a usable value; the message is the rejection reason."""


def _number(
    row: dict[str, Any], key: str, *, low: float | None = 0.0, high: float | None = None
) -> float | None:
    """The field as a float; None when absent or empty; _BadValueError when not a finite number in range."""
    value = row.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise _BadValueError(f"{key} is not a number ({value!r})")
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise _BadValueError(f"{key} is not a number ({value!r})") from None
    else:
        raise _BadValueError(f"{key} is not a number ({type(value).__name__})")
    if not math.isfinite(number):
        raise _BadValueError(f"{key} is not finite ({value!r})")
    if low is not None and number < low:
        raise _BadValueError(f"{key} is below {low:g} ({number:g})")
    if high is not None and number > high:
        raise _BadValueError(f"{key} is absurd ({number:g})")
    return number


def _text(row: dict[str, Any], key: str) -> str | None:
    value = row.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _BadValueError(f"{key} is not text ({type(value).__name__})")
    stripped = value.strip()
    return stripped or None


def _flag(row: dict[str, Any], key: str, default: bool) -> bool:
    value = row.get(key)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise _BadValueError(f"{key} is not true/false ({value!r})")


def _symbol(row: Any, key: str = "symbol") -> str:
    if not isinstance(row, dict):
        raise _BadValueError(f"row is not an object ({type(row).__name__})")
    symbol = _text(row, key)
    if symbol is None:
        raise _BadValueError(f"missing {key}")
    return symbol.upper()


def _rows(payload: Any, endpoint: str) -> tuple[list[Any], list[RejectedRow]]:
    """FMP's list of rows; anything else is one rejection (an object with "Error Message" included)."""
    if isinstance(payload, list):
        return payload, []
    if isinstance(payload, dict) and not payload:
        return [], []
    return [], [RejectedRow(endpoint, "", f"expected a list of rows, got {type(payload).__name__}")]


def _row_symbol(row: Any, key: str = "symbol") -> str:
    """The row's symbol as sent, for a rejection ("" when there is none)."""
    if isinstance(row, dict):
        value = row.get(key)
        if isinstance(value, str):
            return value
    return ""


def profiles(payload: Any, endpoint: str = "/profile") -> Extracted[list[FmpProfile]]:
    """`/profile?symbol=` and `/company-screener` rows (the screener has no averageVolume)."""
    rows, rejected = _rows(payload, endpoint)
    result: list[FmpProfile] = []
    for row in rows:
        try:
            symbol = _symbol(row)
            exchange = _text(row, "exchangeShortName") or _text(row, "exchange")
            result.append(
                FmpProfile(
                    symbol=symbol,
                    company_name=_text(row, "companyName") or symbol,
                    sector=_text(row, "sector"),
                    industry=_text(row, "industry"),
                    market_cap=_number(row, "marketCap", high=_MAX_MARKET_CAP),
                    average_volume=_number(row, "averageVolume", high=_MAX_SHARES),
                    price=_number(row, "price", high=1e7),
                    exchange=exchange,
                    is_etf=_flag(row, "isEtf", False),
                    is_actively_trading=_flag(row, "isActivelyTrading", True),
                )
            )
        except _BadValueError as problem:
            rejected.append(RejectedRow(endpoint, _row_symbol(row), str(problem)))
    return Extracted(result, rejected)


def _float_date(row: dict[str, Any]) -> date | None:
    value = _text(row, "date")
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value).date()  # "2025-09-21 22:26:51" or "2025-09-21"
    except ValueError:
        raise _BadValueError(f"date is not a date ({value!r})") from None


def floats(payload: Any, endpoint: str = "/shares-float") -> Extracted[list[FmpFloat]]:
    """`/shares-float?symbol=` and `/shares-float-all` rows; freeFloat stays a percentage."""
    rows, rejected = _rows(payload, endpoint)
    result: list[FmpFloat] = []
    for row in rows:
        try:
            symbol = _symbol(row)
            float_shares = _number(row, "floatShares", high=_MAX_SHARES)
            if float_shares is None:
                raise _BadValueError("missing floatShares")
            outstanding = _number(row, "outstandingShares", high=_MAX_SHARES)
            if outstanding is not None and outstanding > 0 and float_shares > outstanding * 1.01:
                raise _BadValueError(
                    f"floatShares {float_shares:g} exceeds outstandingShares {outstanding:g}"
                )
            result.append(
                FmpFloat(
                    symbol=symbol,
                    float_shares=float_shares,
                    free_float_percent=_number(row, "freeFloat", high=100.0),
                    outstanding_shares=outstanding,
                    date=_float_date(row),
                )
            )
        except _BadValueError as problem:
            rejected.append(RejectedRow(endpoint, _row_symbol(row), str(problem)))
    return Extracted(result, rejected)


def etf_holdings(payload: Any, etf: str, endpoint: str = "/etf/holdings") -> Extracted[list[EtfHolding]]:
    """`/etf/holdings?symbol=` rows: `asset` is the member, `weightPercentage` a percentage."""
    rows, rejected = _rows(payload, endpoint)
    result: list[EtfHolding] = []
    for row in rows:
        try:
            if isinstance(row, dict) and not _text(row, "asset") and _text(row, "name"):
                raise _BadValueError(f"missing asset ({_text(row, 'name')}: cash or an unlisted holding)")
            symbol = _symbol(row, "asset")
            weight = _number(row, "weightPercentage", low=-100.0, high=100.0)
            if weight is None:
                raise _BadValueError("missing weightPercentage")
            result.append(
                EtfHolding(
                    etf=etf.upper(),
                    symbol=symbol,
                    weight_percent=weight,
                    shares=_number(row, "sharesNumber", low=None, high=_MAX_SHARES),
                )
            )
        except _BadValueError as problem:
            rejected.append(RejectedRow(endpoint, _row_symbol(row, "asset"), str(problem)))
    return Extracted(result, rejected)
