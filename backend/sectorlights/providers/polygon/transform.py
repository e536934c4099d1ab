"""Polygon/Massive payloads (decoded JSON) to the records of `source.py`: pure, no I/O.

Every function takes what the vendor sent, keeps the usable rows and reports each row it leaves out
as a `RejectedRow` (missing fields, prices that are not finite or not positive, negative volumes,
duplicate tickers: the first row wins). One bad row never fails a call; a payload that is not the
expected shape at all raises ProviderError. Whole-market endpoints (snapshot, grouped daily) are
validated with numpy: one pass in Python pulls the fields out, the checks run on arrays, and only
the rejected rows are looked at again to word their reason.

Units: snapshot `updated` is in nanoseconds; aggregate `t` is in milliseconds; `sic_code` is a string.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from datetime import time as dt_time
from typing import Any

import numpy as np
import numpy.typing as npt

from sectorlights.domain.market import (
    DailyBars,
    MinuteBars,
    NewsInsight,
    NewsItem,
    Sentiment,
    TickerReference,
)
from sectorlights.domain.sessions import NEW_YORK
from sectorlights.providers.base import Extracted, ProviderError, RejectedRow
from sectorlights.providers.polygon.source import (
    FloatArray,
    SnapshotRows,
    TickerRow,
)

MARKET_STATUS = "marketstatus"
SNAPSHOT = "snapshot"
GROUPED_DAILY = "grouped_daily"
TICKERS = "tickers"
TICKER_DETAILS = "ticker_details"
FLOAT = "float"
MINUTE_BARS = "minute_bars"
NEWS = "news"

NS_PER_MS = 1_000_000
NS_PER_SECOND = 1_000_000_000
_ERROR_STATUSES = frozenset({"ERROR", "NOT_AUTHORIZED", "NOT_FOUND"})
_SENTIMENTS = {sentiment.value: sentiment for sentiment in Sentiment}

Json = Any  # decoded JSON: dict, list, str, int, float, bool or None
BoolArray = npt.NDArray[np.bool_]


# --- reading JSON values --------------------------------------------------------------------------


def number(value: Json) -> float:
    """A JSON number as float: NaN when missing or not a number, +inf when present but not finite.

    The two sentinels keep "absent" apart from "present but absurd" through the array checks.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return math.nan
    result = float(value)
    return result if math.isfinite(result) else math.inf


def nested_number(row: Json, outer: str, inner: str) -> float:
    """`row[outer][inner]` as `number` does it."""
    if not isinstance(row, dict):
        return math.nan
    part = row.get(outer)
    return number(part.get(inner)) if isinstance(part, dict) else math.nan


def text(value: Json) -> str | None:
    """A non-empty JSON string, stripped; None otherwise."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _field(row: Json, key: str) -> Json:
    return row.get(key) if isinstance(row, dict) else None


def payload_items(payload: Json, endpoint: str, key: str) -> list[Json]:
    """The list under `key` of a response object (empty when the key is absent)."""
    payload = _checked_object(payload, endpoint)
    items = payload.get(key)
    if items is None:
        return []
    if not isinstance(items, list):
        raise ProviderError(f"polygon {endpoint}: `{key}` is a {type(items).__name__}, expected a list")
    return items


def _checked_object(payload: Json, endpoint: str) -> dict[str, Json]:
    if not isinstance(payload, dict):
        raise ProviderError(
            f"polygon {endpoint}: unexpected payload (a {type(payload).__name__}, expected an object)"
        )
    status = payload.get("status")
    if isinstance(status, str) and status.upper() in _ERROR_STATUSES:
        message = text(payload.get("error")) or text(payload.get("message")) or "no message"
        raise ProviderError(f"polygon {endpoint}: vendor status {status}: {message}")
    return payload


def _describe_price(value: float, name: str) -> str:
    if math.isnan(value):
        return f"missing {name}"
    if not math.isfinite(value):
        return f"{name} is not a finite number"
    return f"{name} is {'zero' if value == 0 else 'negative'}"


# --- whole-market endpoints (vectorised) ----------------------------------------------------------


def _first_occurrences(keys: npt.NDArray[Any], candidates: BoolArray) -> BoolArray:
    """Among rows where `candidates` holds, True for the first row of each key."""
    keep = np.zeros(keys.shape[0], dtype=bool)
    indices = np.flatnonzero(candidates)
    if indices.size:
        _, first = np.unique(keys[indices], return_index=True)
        keep[indices[first]] = True
    return keep


def snapshot_rows(payload: Json) -> Extracted[SnapshotRows]:
    """`GET /v2/snapshot/locale/us/markets/stocks/tickers` to columns.

    Last price = lastTrade.p, else min.c, else day.c (zeros count as absent: the vendor zeroes `day`
    and `min` when it clears the snapshot); session volume = day.v (required, not negative).
    """
    rows = payload_items(payload, SNAPSHOT, "tickers")
    size = len(rows)
    symbols = [text(_field(row, "ticker")) or "" for row in rows]
    last_trade = np.fromiter((nested_number(row, "lastTrade", "p") for row in rows), np.float64, size)
    minute_close = np.fromiter((nested_number(row, "min", "c") for row in rows), np.float64, size)
    day_close = np.fromiter((nested_number(row, "day", "c") for row in rows), np.float64, size)
    volume = np.fromiter((nested_number(row, "day", "v") for row in rows), np.float64, size)
    previous = np.fromiter((nested_number(row, "prevDay", "c") for row in rows), np.float64, size)
    updated = np.fromiter((_nanoseconds(_field(row, "updated")) for row in rows), np.int64, size)

    price = np.full(size, np.nan)
    decided = np.zeros(size, dtype=bool)
    for candidate in (last_trade, minute_close, day_close):
        take = ~decided & ~np.isnan(candidate) & (candidate != 0)
        price[take] = candidate[take]
        decided |= take
    symbol_array = np.array(symbols, dtype=np.str_) if size else np.array([], dtype=np.str_)
    valid = (symbol_array != "") & np.isfinite(price) & (price > 0) & np.isfinite(volume) & (volume >= 0)
    keep = _first_occurrences(symbol_array, valid)
    previous = np.where(np.isfinite(previous) & (previous > 0), previous, np.nan)

    rejected: list[RejectedRow] = []
    for index in np.flatnonzero(~keep).tolist():
        if not valid[index]:
            reason = _snapshot_reason(symbols[index], price[index], volume[index])
        else:
            reason = "duplicate ticker (kept the first row)"
        rejected.append(RejectedRow(SNAPSHOT, symbols[index] or "?", reason))
    value = SnapshotRows(
        symbols=symbol_array[keep],
        last_price=price[keep],
        session_volume=volume[keep],
        previous_close=previous[keep],
        updated_ns=updated[keep],
    )
    return Extracted(value, rejected)


def _snapshot_reason(symbol: str, price: float, volume: float) -> str:
    if not symbol:
        return "missing ticker"
    if not (math.isfinite(price) and price > 0):
        if math.isnan(price):
            return "missing price (lastTrade.p, min.c and day.c are absent or zero)"
        return _describe_price(price, "last price")
    if math.isnan(volume):
        return "missing day.v"
    return "day.v is not a finite number" if not math.isfinite(volume) else "day.v is negative"


def _nanoseconds(value: Json) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        return 0
    return value if 0 <= value < 2**63 else 0


_BAR_FIELDS = (("o", "open"), ("h", "high"), ("l", "low"), ("c", "close"))


def _bar_columns(rows: Sequence[Json]) -> dict[str, FloatArray]:
    size = len(rows)
    columns = {
        key: np.fromiter((number(_field(row, key)) for row in rows), np.float64, size)
        for key, _ in _BAR_FIELDS
    }
    columns["v"] = np.fromiter((number(_field(row, "v")) for row in rows), np.float64, size)
    return columns


def _bar_validity(columns: Mapping[str, FloatArray]) -> BoolArray:
    valid = np.isfinite(columns["v"]) & (columns["v"] >= 0)
    for key, _ in _BAR_FIELDS:
        valid &= np.isfinite(columns[key]) & (columns[key] > 0)
    return valid & (columns["h"] >= columns["l"])


def _bar_reason(columns: Mapping[str, FloatArray], index: int) -> str:
    for key, name in _BAR_FIELDS:
        value = float(columns[key][index])
        if not (math.isfinite(value) and value > 0):
            return _describe_price(value, f"{name} ({key})")
    volume = float(columns["v"][index])
    if math.isnan(volume):
        return "missing volume (v)"
    if not math.isfinite(volume):
        return "volume (v) is not a finite number"
    if volume < 0:
        return "volume (v) is negative"
    return "high (h) is below low (l)"


def grouped_daily_bars(session: date, payload: Json) -> Extracted[DailyBars]:
    """`GET /v2/aggs/grouped/locale/us/market/stocks/{date}` to a DailyBars set (T, o, h, l, c, v)."""
    rows = payload_items(payload, GROUPED_DAILY, "results")
    symbols = [text(_field(row, "T")) or "" for row in rows]
    symbol_array = np.array(symbols, dtype=np.str_) if rows else np.array([], dtype=np.str_)
    columns = _bar_columns(rows)
    valid = (symbol_array != "") & _bar_validity(columns)
    keep = _first_occurrences(symbol_array, valid)
    rejected: list[RejectedRow] = []
    for index in np.flatnonzero(~keep).tolist():
        if not symbols[index]:
            reason = "missing ticker (T)"
        elif not valid[index]:
            reason = _bar_reason(columns, index)
        else:
            reason = "duplicate ticker (kept the first row)"
        rejected.append(RejectedRow(GROUPED_DAILY, symbols[index] or "?", f"{session}: {reason}"))
    bars = DailyBars(
        session=session,
        symbols=symbol_array[keep],
        open=columns["o"][keep],
        high=columns["h"][keep],
        low=columns["l"][keep],
        close=columns["c"][keep],
        volume=columns["v"][keep],
    )
    return Extracted(bars, rejected)


# --- per-row endpoints ----------------------------------------------------------------------------


def ticker_rows(rows: Iterable[Json]) -> Extracted[list[TickerRow]]:
    """`GET /v3/reference/tickers` rows: ticker, type and primary_exchange are required."""
    result: list[TickerRow] = []
    rejected: list[RejectedRow] = []
    seen: set[str] = set()
    for row in rows:
        symbol = text(_field(row, "ticker"))
        security_type = text(_field(row, "type"))
        exchange = text(_field(row, "primary_exchange"))
        reason = None
        if symbol is None:
            reason = "missing ticker"
        elif security_type is None:
            reason = "missing type"
        elif exchange is None:
            reason = "missing primary_exchange"
        elif symbol in seen:
            reason = "duplicate ticker (kept the first row)"
        if reason is not None or symbol is None or security_type is None or exchange is None:
            rejected.append(RejectedRow(TICKERS, symbol or "?", reason or "unusable row"))
            continue
        seen.add(symbol)
        active = _field(row, "active")
        result.append(
            TickerRow(
                symbol=symbol,
                name=text(_field(row, "name")) or "",
                security_type=security_type,
                primary_exchange=exchange,
                active=active if isinstance(active, bool) else True,
            )
        )
    return Extracted(result, rejected)


def ticker_reference(symbol: str, payload: Json, fetched_at: datetime) -> Extracted[TickerReference | None]:
    """`GET /v3/reference/tickers/{symbol}` to a TickerReference (stored under `symbol`).

    Market cap and weighted shares outstanding are optional (ETFs and new listings have none) but
    must be finite and positive when present; `sic_code` is kept as the vendor's digit string.
    """
    results = _checked_object(payload, TICKER_DETAILS).get("results")
    if not isinstance(results, dict) or not results:
        return Extracted(None, [RejectedRow(TICKER_DETAILS, symbol, "missing results")])
    optional: dict[str, float | None] = {}
    for key in ("market_cap", "weighted_shares_outstanding"):
        raw = results.get(key)
        if raw is None:
            optional[key] = None
            continue
        value = number(raw)
        if not (math.isfinite(value) and value > 0):
            reason = f"{key} is {'not a number' if math.isnan(value) else _describe_value(value)}"
            return Extracted(None, [RejectedRow(TICKER_DETAILS, symbol, reason)])
        optional[key] = value
    reference = TickerReference(
        symbol=symbol,
        name=text(results.get("name")) or "",
        security_type=text(results.get("type")) or "",
        primary_exchange=text(results.get("primary_exchange")) or "",
        market_cap=optional["market_cap"],
        shares_outstanding=optional["weighted_shares_outstanding"],
        sic_code=_sic_code(results.get("sic_code")),
        sic_description=text(results.get("sic_description")),
        fetched_at=fetched_at,
    )
    return Extracted(reference)


def _describe_value(value: float) -> str:
    if not math.isfinite(value):
        return "not a finite number"
    return "zero" if value == 0 else "negative"


def _sic_code(value: Json) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return str(value)
    code = text(value)
    return code if code is not None and code.isdigit() else None


def float_shares(rows: Iterable[Json]) -> Extracted[dict[str, float]]:
    """`GET /stocks/vX/float` rows to {ticker: free_float shares} (finite, positive)."""
    result: dict[str, float] = {}
    rejected: list[RejectedRow] = []
    for row in rows:
        symbol = text(_field(row, "ticker"))
        value = number(_field(row, "free_float"))
        if symbol is None:
            rejected.append(RejectedRow(FLOAT, "?", "missing ticker"))
        elif math.isnan(value):
            rejected.append(RejectedRow(FLOAT, symbol, "missing free_float"))
        elif not (math.isfinite(value) and value > 0):
            rejected.append(RejectedRow(FLOAT, symbol, f"free_float is {_describe_value(value)}"))
        elif symbol in result:
            rejected.append(RejectedRow(FLOAT, symbol, "duplicate ticker (kept the first row)"))
        else:
            result[symbol] = value
    return Extracted(result, rejected)


def minute_bars(
    symbol: str,
    session: date,
    rows: Sequence[Json],
    window_ns: tuple[int, int] | None = None,
) -> Extracted[MinuteBars]:
    """`GET /v2/aggs/ticker/{symbol}/range/1/minute/...` rows (o, h, l, c, v, t in ms) to MinuteBars.

    Bars are sorted by time; a repeated minute keeps its first bar; bars outside `window_ns`
    ([start, end) in nanoseconds: the session's calendar day in New York) are dropped without a
    rejection (the vendor has no stock trades outside 04:00-20:00 ET anyway).
    """
    size = len(rows)
    columns = _bar_columns(rows)
    raw_times = [_field(row, "t") for row in rows]
    has_time = np.fromiter(
        (isinstance(t, int) and not isinstance(t, bool) and 0 < t < 2**63 // NS_PER_MS for t in raw_times),
        bool,
        size,
    )
    starts = np.fromiter((t if ok else 0 for t, ok in zip(raw_times, has_time, strict=True)), np.int64, size)
    starts = starts * NS_PER_MS
    valid = has_time & _bar_validity(columns)
    keep = _first_occurrences(starts, valid)
    rejected: list[RejectedRow] = []
    for index in np.flatnonzero(~keep).tolist():
        if not has_time[index]:
            reason = "missing start time (t)"
        elif not valid[index]:
            reason = _bar_reason(columns, index)
        else:
            reason = "duplicate minute (kept the first bar)"
        when = raw_times[index] if has_time[index] else "?"
        rejected.append(RejectedRow(MINUTE_BARS, symbol, f"bar t={when} ms: {reason}"))
    if window_ns is not None:
        keep &= (starts >= window_ns[0]) & (starts < window_ns[1])
    indices = np.flatnonzero(keep)
    indices = indices[np.argsort(starts[indices], kind="stable")]
    bars = MinuteBars(
        symbol=symbol,
        session=session,
        window_start_ns=starts[indices].astype(np.int64),
        open=columns["o"][indices],
        high=columns["h"][indices],
        low=columns["l"][indices],
        close=columns["c"][indices],
        volume=columns["v"][indices],
    )
    return Extracted(bars, rejected)


def day_window_ns(session: date) -> tuple[int, int]:
    """[00:00, 24:00) New York time of `session`, in nanoseconds since the epoch (for `minute_bars`)."""
    start = datetime.combine(session, dt_time(0, 0), NEW_YORK)
    end = datetime.combine(session + timedelta(days=1), dt_time(0, 0), NEW_YORK)
    return int(start.timestamp()) * NS_PER_SECOND, int(end.timestamp()) * NS_PER_SECOND


def news_items(
    rows: Iterable[Json], since: datetime | None = None, until: datetime | None = None
) -> Extracted[list[NewsItem]]:
    """`GET /v2/reference/news` rows to NewsItems; id, published_utc and title are required.

    Insights with an unknown sentiment are skipped (the article stays); articles outside
    [since, until) are dropped without a rejection.
    """
    result: list[NewsItem] = []
    rejected: list[RejectedRow] = []
    seen: set[str] = set()
    for row in rows:
        news_id = text(_field(row, "id"))
        title = text(_field(row, "title"))
        published = _timestamp(_field(row, "published_utc"))
        tickers = tuple(
            symbol for symbol in (text(t) for t in _list(_field(row, "tickers"))) if symbol is not None
        )
        label = tickers[0] if tickers else "?"
        reason = None
        if news_id is None:
            reason = "missing id"
        elif published is None:
            reason = "missing or unreadable published_utc"
        elif title is None:
            reason = "missing title"
        elif news_id in seen:
            reason = "duplicate article id (kept the first row)"
        if reason is not None or news_id is None or published is None or title is None:
            rejected.append(RejectedRow(NEWS, label, f"article {news_id or '?'}: {reason}"))
            continue
        seen.add(news_id)
        if (since is not None and published < since) or (until is not None and published >= until):
            continue
        publisher = _field(row, "publisher")
        result.append(
            NewsItem(
                news_id=news_id,
                published_at=published,
                title=title,
                publisher=text(_field(publisher, "name")) or "",
                tickers=tickers,
                insights=tuple(_insights(_field(row, "insights"))),
                url=text(_field(row, "article_url")),
            )
        )
    return Extracted(result, rejected)


def _insights(value: Json) -> Iterable[NewsInsight]:
    for item in _list(value):
        ticker = text(_field(item, "ticker"))
        label = text(_field(item, "sentiment"))
        sentiment = _SENTIMENTS.get(label.lower()) if label is not None else None
        if ticker is None or sentiment is None:
            continue
        yield NewsInsight(
            ticker=ticker,
            sentiment=sentiment,
            reasoning=text(_field(item, "sentiment_reasoning")) or "",
        )


def _list(value: Json) -> list[Json]:
    return value if isinstance(value, list) else []


def _timestamp(value: Json) -> datetime | None:
    raw = text(value)
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def market_status(payload: Json) -> Extracted[str]:
    """`GET /v1/marketstatus/now`: the `market` field (open, closed, extended-hours)."""
    market = text(_checked_object(payload, MARKET_STATUS).get("market"))
    if market is None:
        raise ProviderError("polygon marketstatus: missing `market` in the response")
    return Extracted(market)
