"""The sim vendor: the simulated market over HTTP in Polygon/Massive's and FMP's exact response shapes.

`create_vendor_app` serves the endpoints SectorLights uses (DESIGN §5) with the vendors' auth, error
bodies and `next_url` pagination, the API docs index Polygon's MCP server builds its allowlist from
(`/docs/rest/llms-full.txt`, listing those endpoints; endpoint name `docs` for faults and counters),
plus injectable faults (faults.py) and control endpoints under
`/_control/` (faults, per-endpoint request counters, reset) for tests and benchmarks. `serve_vendor`
runs it with uvicorn (`sectorlights sim-vendor`).
"""

from __future__ import annotations

import asyncio
import base64
import bisect
import copy
import hashlib
import itertools
import json
import threading
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import numpy as np
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from sectorlights.core.clock import Clock, clock_from_settings
from sectorlights.domain.sessions import NEW_YORK, current_session, is_session, session_bounds
from sectorlights.providers.simulated.news import Article
from sectorlights.providers.simulated.provider import SimulatedProvider
from sectorlights.settings import ProviderSettings
from sectorlights.simvendor import docs_index
from sectorlights.simvendor.faults import (
    DOCS_ENDPOINT,
    ENDPOINTS,
    FAULT_OPTIONS,
    FaultConfig,
    FaultDecision,
    parse_fault_option,
)
from sectorlights.simvendor.payloads import Row, VendorMarket

__all__ = [
    "ENDPOINTS",
    "FAULT_OPTIONS",
    "FaultConfig",
    "create_vendor_app",
    "parse_fault_option",
    "serve_vendor",
]

MAX_TICKERS_LIMIT = 1000
MAX_FLOAT_LIMIT = 5000
MAX_AGGS_LIMIT = 50_000
MAX_NEWS_LIMIT = 1000
MAX_FMP_LIMIT = 10_000
NEWS_DEFAULT_LOOKBACK = timedelta(days=60)
MAX_AGG_RANGE_DAYS = 1000

POLYGON_MESSAGES: dict[int, str] = {
    400: "Bad request",
    401: "API Key was not provided",
    403: "You are not entitled to this data. Please upgrade your plan at https://polygon.io/pricing",
    404: "Data not found.",
    429: (
        "You've exceeded the maximum requests per minute, please wait or upgrade your subscription "
        "to continue. https://polygon.io/pricing"
    ),
    500: "Internal server error",
    502: "Bad gateway",
    503: "Service unavailable",
    504: "Gateway timeout",
}
FMP_MESSAGES: dict[int, str] = {
    401: (
        "Invalid API KEY. Feel free to create a Free API Key or visit "
        "https://site.financialmodelingprep.com/faqs?search=why-is-my-api-key-invalid for more information."
    ),
    403: "Exclusive Endpoint : This endpoint is not available under your current subscription.",
    429: (
        "Limit Reach . Please upgrade your plan or visit our documentation for more details at "
        "https://site.financialmodelingprep.com/"
    ),
}


class VendorError(Exception):
    """A request the vendor refuses: answered with the vendor's error body."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


# ----- malformed rows ---------------------------------------------------------------------------

Path = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RowSpec:
    """Where an endpoint's rows keep their identity, price and volume, for malformed rows."""

    key: str
    missing: str
    prices: tuple[Path, ...] = ()
    volumes: tuple[Path, ...] = ()


ROW_SPECS: dict[str, RowSpec] = {
    "marketstatus": RowSpec(key="serverTime", missing="market"),
    "snapshot": RowSpec(
        key="ticker",
        missing="day",
        prices=(("lastTrade", "p"), ("min", "c"), ("day", "c")),
        volumes=(("day", "v"),),
    ),
    "grouped": RowSpec(key="T", missing="c", prices=(("c",),), volumes=(("v",),)),
    "tickers": RowSpec(key="ticker", missing="type"),
    "ticker_details": RowSpec(
        key="ticker",
        missing="market_cap",
        prices=(("market_cap",),),
        volumes=(("weighted_shares_outstanding",),),
    ),
    "float": RowSpec(
        key="ticker", missing="free_float", prices=(("free_float_percent",),), volumes=(("free_float",),)
    ),
    "minute_aggs": RowSpec(key="t", missing="c", prices=(("c",),), volumes=(("v",),)),
    "news": RowSpec(key="id", missing="published_utc"),
    "fmp_profile": RowSpec(
        key="symbol", missing="sector", prices=(("price",),), volumes=(("averageVolume",),)
    ),
    "fmp_screener": RowSpec(key="symbol", missing="marketCap", prices=(("price",),), volumes=(("volume",),)),
    "fmp_float": RowSpec(
        key="symbol", missing="floatShares", prices=(("freeFloat",),), volumes=(("floatShares",),)
    ),
    "fmp_etf_holdings": RowSpec(
        key="asset", missing="weightPercentage", prices=(("marketValue",),), volumes=(("sharesNumber",),)
    ),
}


def _set_path(row: Row, path: Path, value: object) -> None:
    target: Any = row
    for part in path[:-1]:
        target = target.get(part) if isinstance(target, dict) else None
        if target is None:
            return
    if isinstance(target, dict) and path[-1] in target:
        target[path[-1]] = value


def _get_path(row: Row, path: Path) -> object:
    target: Any = row
    for part in path:
        target = target.get(part) if isinstance(target, dict) else None
    return target


def malform_rows(
    faults: FaultConfig, endpoint: str, rows: list[Row], share: float, single: bool = False
) -> list[Row]:
    """A copy of `rows` with a seeded share of them broken (missing field, negative volume, null
    price, or the row duplicated; a single object loses a field instead of being duplicated)."""
    spec = ROW_SPECS[endpoint]
    out: list[Row] = []
    for row in rows:
        kind = faults.malformation(endpoint, str(row.get(spec.key)), share)
        if kind is None:
            out.append(row)
            continue
        broken = copy.deepcopy(row)
        if kind == "negative_volume" and spec.volumes:
            for path in spec.volumes:
                value = _get_path(broken, path)
                if isinstance(value, int | float):
                    _set_path(broken, path, -abs(value) - 1)
        elif kind == "null_price" and spec.prices:
            for path in spec.prices:
                _set_path(broken, path, None)
        elif kind == "duplicated_ticker" and not single:
            out.append(broken)
            broken = copy.deepcopy(row)
        else:
            broken.pop(spec.missing, None)
        out.append(broken)
    return out


# ----- request parsing ----------------------------------------------------------------------------


def _encode_cursor(state: Mapping[str, object]) -> str:
    raw = json.dumps(state, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _decode_cursor(cursor: str) -> dict[str, Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        state = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise VendorError(400, "Invalid cursor parameter") from error
    if not isinstance(state, dict):
        raise VendorError(400, "Invalid cursor parameter")
    return state


class _Query:
    """Query parameters with the vendor's validation messages."""

    def __init__(self, params: Mapping[str, str]) -> None:
        self.params = params

    def text(self, name: str) -> str | None:
        value = self.params.get(name)
        return value if value not in (None, "") else None

    def boolean(self, name: str, default: bool) -> bool:
        value = self.text(name)
        if value is None:
            return default
        lowered = value.lower()
        if lowered in ("true", "1"):
            return True
        if lowered in ("false", "0"):
            return False
        raise VendorError(400, f"Invalid value for parameter '{name}': expected true or false, got {value!r}")

    def integer(self, name: str, default: int, low: int, high: int) -> int:
        value = self.text(name)
        if value is None:
            return default
        try:
            number = int(value)
        except ValueError:
            raise VendorError(400, f"Invalid value for parameter '{name}': expected an integer") from None
        if not low <= number <= high:
            raise VendorError(400, f"Invalid value for parameter '{name}': must be between {low} and {high}")
        return number

    def number(self, name: str) -> float | None:
        value = self.text(name)
        if value is None:
            return None
        try:
            return float(value)
        except ValueError:
            raise VendorError(400, f"Invalid value for parameter '{name}': expected a number") from None

    def choice(self, name: str, default: str, allowed: tuple[str, ...]) -> str:
        value = self.text(name) or default
        if value not in allowed:
            raise VendorError(
                400, f"Invalid value for parameter '{name}': allowed values are {', '.join(allowed)}"
            )
        return value


def _parse_day(name: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise VendorError(400, f"Could not parse the {name} parameter: '{value}'. Use YYYY-MM-DD") from None


def _parse_bound_ms(name: str, value: str, end_of_day: bool) -> int:
    """A date (its start, or its last millisecond) or a Unix millisecond timestamp."""
    if value.isdigit():
        return int(value)
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise VendorError(
            400, f"Could not parse the time parameter: '{name}'. Use YYYY-MM-DD or Unix MS Timestamps"
        ) from None
    start = datetime.combine(day, time(0), NEW_YORK)
    if end_of_day:
        start += timedelta(days=1) - timedelta(milliseconds=1)
    return round(start.timestamp() * 1000)


def _parse_instant(name: str, value: str) -> datetime:
    if value.isdigit():
        number = int(value)
        # Nanoseconds, milliseconds or seconds since the epoch, by magnitude.
        seconds = number / 1e9 if number > 1e15 else number / 1e3 if number > 1e11 else float(number)
        return datetime.fromtimestamp(seconds, UTC)
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise VendorError(400, f"Could not parse the {name} parameter: '{value}'") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC) if "T" in value else datetime.combine(parsed.date(), time(0), UTC)
    return parsed


# ----- the vendor -------------------------------------------------------------------------------


@dataclass(slots=True)
class Payload:
    """A successful answer: the body, and the rows faults may break (a list inside the body)."""

    body: object
    rows_key: str | None = None  # the key of the row list in a dict body; None for a list body
    single: bool = False  # the rows are one object under rows_key (ticker details)
    encoded: bytes | None = None  # a cached encoding of an unbroken body


@dataclass
class _Counters:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ENDPOINTS, 0))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, endpoint: str) -> None:
        with self.lock:
            self.counts[endpoint] += 1

    def snapshot(self) -> dict[str, int]:
        with self.lock:
            return dict(self.counts)

    def reset(self) -> None:
        with self.lock:
            self.counts = dict.fromkeys(ENDPOINTS, 0)


class SimVendor:
    """The vendor's state: market data, clock, faults, counters and response caches."""

    def __init__(self, provider: SimulatedProvider, clock: Clock, faults: FaultConfig) -> None:
        self.provider = provider
        self.data = VendorMarket(provider)
        self.clock = clock
        self.faults = faults
        self.counters = _Counters()
        self._ids = itertools.count(1)
        self._id_lock = threading.Lock()
        self._snapshot_cache: tuple[tuple[object, ...], bytes] | None = None
        self._grouped_cache: dict[tuple[date, bool, bool], bytes] = {}

    def request_id(self) -> str:
        with self._id_lock:
            number = next(self._ids)
        return hashlib.md5(
            f"sim-vendor|{self.provider.seed}|{number}".encode(), usedforsecurity=False
        ).hexdigest()

    def now(self) -> datetime:
        moment = self.clock.now()
        if moment.tzinfo is None:
            raise ValueError("the vendor clock must be timezone-aware")
        return moment

    # ----- Polygon endpoints ----------------------------------------------------------------------

    def market_status(self, query: _Query, fresh: bool) -> Payload:
        del query, fresh
        return Payload(self.data.market_status(self.now()))

    def snapshot(self, query: _Query, fresh: bool) -> Payload:
        now = self.now()
        include_otc = query.boolean("include_otc", False)
        wanted = query.text("tickers")
        session, at, _, _ = self.data.state(now)
        key = (session, at, include_otc, wanted)
        rows = np.arange(self.data.size) if include_otc else self.data.listed_rows
        if wanted is not None:
            symbols = {symbol.strip() for symbol in wanted.split(",") if symbol.strip()}
            rows = np.array(
                sorted(
                    self.data.rows[symbol]
                    for symbol in symbols
                    if symbol in self.data.rows
                    and (include_otc or not self.data.is_otc[self.data.rows[symbol]])
                ),
                dtype=np.int64,
            )
        cached = self._snapshot_cache
        if not fresh and cached is not None and cached[0] == key:
            return Payload(None, encoded=cached[1])
        tickers = self.data.snapshot_rows(now, rows)
        payload = Payload({"count": len(tickers), "status": "OK", "tickers": tickers}, rows_key="tickers")
        if not fresh:
            payload.encoded = _encode(payload.body)
            self._snapshot_cache = (key, payload.encoded)
        return payload

    def grouped(self, query: _Query, fresh: bool, day_text: str) -> Payload:
        day = _parse_day("date", day_text)
        adjusted = query.boolean("adjusted", True)
        include_otc = query.boolean("include_otc", False)
        now = self.now()
        # A session's bars (volume 04:00-20:00) are complete at 20:00 ET; until then there are none.
        if not is_session(day) or now < session_bounds(day).extended_close:
            return Payload(
                {
                    "queryCount": 0,
                    "resultsCount": 0,
                    "adjusted": adjusted,
                    "status": "OK",
                    "request_id": self.request_id(),
                }
            )
        key = (day, adjusted, include_otc)
        if not fresh and key in self._grouped_cache:
            return Payload(
                None, encoded=self._grouped_cache[key].replace(b"@REQUEST_ID@", self.request_id().encode())
            )
        rows = np.arange(self.data.size) if include_otc else self.data.listed_rows
        results = self.data.grouped_rows(day, rows)
        body = {
            "queryCount": len(results),
            "resultsCount": len(results),
            "adjusted": adjusted,
            "results": results,
            "status": "OK",
            "request_id": "@REQUEST_ID@",
            "count": len(results),
        }
        if not fresh:
            encoded = _encode(body)
            if len(self._grouped_cache) >= 8:
                self._grouped_cache.pop(next(iter(self._grouped_cache)))
            self._grouped_cache[key] = encoded
            return Payload(None, encoded=encoded.replace(b"@REQUEST_ID@", self.request_id().encode()))
        body["request_id"] = self.request_id()
        return Payload(body, rows_key="results")

    def tickers(self, query: _Query, fresh: bool, base_url: str) -> Payload:
        del fresh
        cursor = query.text("cursor")
        state: dict[str, Any] = _decode_cursor(cursor) if cursor else {}
        if not cursor:
            state = {
                "ticker": query.text("ticker"),
                "type": query.text("type"),
                "market": query.text("market"),
                "exchange": query.text("exchange"),
                "search": query.text("search"),
                "active": query.boolean("active", True),
                "order": query.choice("order", "asc", ("asc", "desc")),
                "limit": query.integer("limit", 100, 1, MAX_TICKERS_LIMIT),
                "after": None,
            }
            query.choice("sort", "ticker", ("ticker",))
        data = self.data
        search = (state.get("search") or "").lower()
        matches = [
            row
            for row in range(data.size)
            if state.get("active", True)
            and (state.get("ticker") is None or data.symbols[row] == state["ticker"])
            and (state.get("type") is None or data.types[row] == state["type"])
            and (state.get("market") is None or ("otc" if data.is_otc[row] else "stocks") == state["market"])
            and (state.get("exchange") is None or data.exchanges[row] == state["exchange"])
            and (not search or search in data.symbols[row].lower() or search in data.names[row].lower())
        ]
        descending = state.get("order") == "desc"
        if descending:
            matches.reverse()
        start = 0
        after = state.get("after")
        if after is not None:
            keys = [data.symbols[row] for row in matches]
            if descending:
                start = next((index for index, symbol in enumerate(keys) if symbol < after), len(keys))
            else:
                start = bisect.bisect_right(keys, after)
        limit = int(state.get("limit", 100))
        page = matches[start : start + limit]
        updated = f"{current_session(self.now()).isoformat()}T00:00:00Z"
        results = [data.ticker_row(row, updated) for row in page]
        body: dict[str, object] = {
            "results": results,
            "status": "OK",
            "request_id": self.request_id(),
            "count": len(results),
        }
        if start + limit < len(matches):
            state["after"] = data.symbols[page[-1]]
            body["next_url"] = f"{base_url}/v3/reference/tickers?cursor={_encode_cursor(state)}"
        return Payload(body, rows_key="results")

    def ticker_details(self, query: _Query, fresh: bool, ticker: str) -> Payload:
        del query, fresh
        row = self.data.rows.get(ticker)
        if row is None:
            raise VendorError(404, "Ticker not found.")
        return Payload(
            {
                "results": self.data.ticker_details(row, self.now()),
                "status": "OK",
                "request_id": self.request_id(),
            },
            rows_key="results",
            single=True,
        )

    def floats(self, query: _Query, fresh: bool, base_url: str) -> Payload:
        del fresh
        cursor = query.text("cursor")
        state: dict[str, Any] = _decode_cursor(cursor) if cursor else {}
        if not cursor:
            state = {
                "ticker": query.text("ticker"),
                "limit": query.integer("limit", 100, 1, MAX_FLOAT_LIMIT),
                "after": None,
            }
        data = self.data
        rows = data.float_rows()
        if state.get("ticker") is not None:
            rows = [row for row in rows if data.symbols[row] == state["ticker"]]
        start = 0
        if state.get("after") is not None:
            start = bisect.bisect_right([data.symbols[row] for row in rows], state["after"])
        limit = int(state.get("limit", 100))
        page = rows[start : start + limit]
        effective = current_session(self.now()).replace(day=1).isoformat()
        results = [result for row in page if (result := data.float_row(row, effective)) is not None]
        body: dict[str, object] = {"request_id": self.request_id(), "results": results, "status": "OK"}
        if start + limit < len(rows):
            state["after"] = data.symbols[page[-1]]
            body["next_url"] = f"{base_url}/stocks/vX/float?cursor={_encode_cursor(state)}"
        return Payload(body, rows_key="results")

    def minute_aggs(
        self,
        query: _Query,
        fresh: bool,
        base_url: str,
        ticker: str,
        multiplier: str,
        timespan: str,
        start_text: str,
        end_text: str,
    ) -> Payload:
        del fresh
        if multiplier != "1" or timespan != "minute":
            raise VendorError(400, "The simulated vendor serves 1-minute aggregates only (range/1/minute)")
        cursor = query.text("cursor")
        if cursor:
            state = _decode_cursor(cursor)
            limit, order, adjusted = (
                int(state.get("limit", 5000)),
                str(state.get("sort", "asc")),
                bool(state.get("adjusted", True)),
            )
        else:
            limit = query.integer("limit", 5000, 1, MAX_AGGS_LIMIT)
            order = query.choice("sort", "asc", ("asc", "desc"))
            adjusted = query.boolean("adjusted", True)
        first_ms = _parse_bound_ms("from", start_text, end_of_day=False)
        last_ms = _parse_bound_ms("to", end_text, end_of_day=True)
        request_id = self.request_id()
        empty: dict[str, object] = {
            "ticker": ticker,
            "queryCount": 0,
            "resultsCount": 0,
            "adjusted": adjusted,
            "status": "OK",
            "request_id": request_id,
        }
        if ticker not in self.data.rows or last_ms < first_ms:
            return Payload(empty)
        now_ms = round(self.now().timestamp() * 1000)
        first_day = datetime.fromtimestamp(first_ms / 1000, NEW_YORK).date()
        last_day = min(
            datetime.fromtimestamp(last_ms / 1000, NEW_YORK).date(),
            datetime.fromtimestamp(now_ms / 1000, NEW_YORK).date(),
            first_day + timedelta(days=MAX_AGG_RANGE_DAYS),
        )
        days = [first_day + timedelta(days=offset) for offset in range((last_day - first_day).days + 1)]
        if order == "desc":
            days.reverse()
        results: list[Row] = []
        for day in days:
            if not is_session(day):
                continue
            bars = self.data.minute_rows(ticker, day, first_ms, last_ms, now_ms)
            results.extend(reversed(bars) if order == "desc" else bars)
            if len(results) > limit:
                break
        if not results:
            return Payload(empty)
        body: dict[str, object] = {
            "ticker": ticker,
            "queryCount": min(len(results), limit),
            "resultsCount": min(len(results), limit),
            "adjusted": adjusted,
            "results": results[:limit],
            "status": "OK",
            "request_id": request_id,
            "count": min(len(results), limit),
        }
        if len(results) > limit:
            following = int(results[limit]["t"])  # type: ignore[call-overload]
            page_cursor = _encode_cursor({"limit": limit, "sort": order, "adjusted": adjusted})
            start, end = (following, end_text) if order == "asc" else (start_text, following)
            body["next_url"] = (
                f"{base_url}/v2/aggs/ticker/{ticker}/range/1/minute/{start}/{end}?cursor={page_cursor}"
            )
        return Payload(body, rows_key="results")

    def news(self, query: _Query, fresh: bool, base_url: str) -> Payload:
        del fresh
        cursor = query.text("cursor")
        now = self.now()
        if cursor:
            state = _decode_cursor(cursor)
        else:
            until = now + timedelta(microseconds=1)
            if (value := query.text("published_utc.lt")) is not None:
                until = min(until, _parse_instant("published_utc.lt", value))
            if (value := query.text("published_utc.lte")) is not None:
                until = min(until, _parse_instant("published_utc.lte", value) + timedelta(seconds=1))
            since = until - NEWS_DEFAULT_LOOKBACK
            if (value := query.text("published_utc.gte")) is not None:
                since = _parse_instant("published_utc.gte", value)
            if (value := query.text("published_utc.gt")) is not None:
                since = _parse_instant("published_utc.gt", value) + timedelta(seconds=1)
            if (value := query.text("published_utc")) is not None:
                since = _parse_instant("published_utc", value)
                until = min(until, since + timedelta(days=1 if "T" not in value else 0, seconds=1))
            order = query.choice("order", "desc", ("asc", "desc", "ascending", "descending"))
            query.choice("sort", "published_utc", ("published_utc",))
            state = {
                "since": since.isoformat(),
                "until": until.isoformat(),
                "ticker": query.text("ticker"),
                "order": "asc" if order.startswith("asc") else "desc",
                "limit": query.integer("limit", 10, 1, MAX_NEWS_LIMIT),
                "marker": None,
            }
        since = datetime.fromisoformat(str(state["since"]))
        until = datetime.fromisoformat(str(state["until"]))
        limit = int(state["limit"])
        newest_first = state["order"] == "desc"
        marker = state.get("marker")
        if marker is not None:
            marker_time = datetime.fromisoformat(str(marker[0]))
            if newest_first:
                until = min(until, marker_time + timedelta(seconds=1))
            else:
                since = max(since, marker_time)
        ticker = state.get("ticker")
        found = self.provider.news_desk.articles(
            since, until, limit + 64, ticker=ticker, newest_first=newest_first
        )
        if marker is not None:
            position = (datetime.fromisoformat(str(marker[0])), str(marker[1]))

            def beyond(article: Article) -> bool:
                key = (article.published_at, article.article_id)
                return key < position if newest_first else key > position

            found = [article for article in found if beyond(article)]
        page = found[:limit]
        body: dict[str, object] = {"count": len(page)}
        if len(found) > limit:
            last = page[-1]
            state["marker"] = [last.published_at.isoformat(), last.article_id]
            body["next_url"] = f"{base_url}/v2/reference/news?cursor={_encode_cursor(state)}"
        body["request_id"] = self.request_id()
        body["results"] = [VendorMarket.news_row(article) for article in page]
        body["status"] = "OK"
        return Payload(body, rows_key="results")

    # ----- FMP endpoints --------------------------------------------------------------------------

    def fmp_profile(self, query: _Query, fresh: bool) -> Payload:
        del fresh
        symbols = query.text("symbol")
        if symbols is None:
            raise VendorError(400, "Invalid or missing query parameter: symbol")
        now = self.now()
        rows = [self.data.rows[symbol] for symbol in symbols.split(",") if symbol in self.data.rows]
        return Payload([self.data.profile(row, now) for row in rows])

    def fmp_screener(self, query: _Query, fresh: bool) -> Payload:
        del fresh
        data = self.data
        now = self.now()
        caps, price, volume = data.screener_columns(now)
        mask = np.ones(data.size, dtype=bool)
        for name, values, above in (
            ("marketCapMoreThan", caps, True),
            ("marketCapLowerThan", caps, False),
            ("priceMoreThan", price, True),
            ("priceLowerThan", price, False),
            ("volumeMoreThan", volume, True),
            ("volumeLowerThan", volume, False),
            ("betaMoreThan", data.market.universe.market_beta, True),
            ("betaLowerThan", data.market.universe.market_beta, False),
        ):
            bound = query.number(name)
            if bound is not None:
                mask &= values >= bound if above else values <= bound
        for name, column in (("sector", data.fmp_sector), ("industry", data.fmp_industry)):
            wanted = query.text(name)
            if wanted is not None:
                mask &= np.array([value.lower() == wanted.lower() for value in column])
        if (exchanges := query.text("exchange")) is not None:
            allowed = {exchange.strip().upper() for exchange in exchanges.split(",")}
            mask &= np.array([exchange in allowed for exchange in data.fmp_exchange])
        types = data.market.universe.security_types
        for name, kind in (("isEtf", "ETF"), ("isFund", "FUND")):
            if query.text(name) is not None:
                mask &= (types == kind) == query.boolean(name, False)
        if query.text("isActivelyTrading") is not None and not query.boolean("isActivelyTrading", True):
            mask[:] = False
        if (country := query.text("country")) is not None and country.upper() != "US":
            mask[:] = False
        limit = query.integer("limit", 1000, 1, MAX_FMP_LIMIT)
        rows = np.flatnonzero(mask)
        rows = rows[np.argsort(-caps[rows], kind="stable")][:limit]
        return Payload(data.screener_rows(rows, now))

    def fmp_float(self, query: _Query, fresh: bool) -> Payload:
        del fresh
        symbol = query.text("symbol")
        if symbol is None:
            raise VendorError(400, "Invalid or missing query parameter: symbol")
        row = self.data.rows.get(symbol)
        result = self.data.fmp_float_row(row, self._fmp_stamp()) if row is not None else None
        return Payload([result] if result is not None else [])

    def fmp_float_all(self, query: _Query, fresh: bool) -> Payload:
        del fresh
        page = query.integer("page", 0, 0, 1_000_000)
        limit = query.integer("limit", 1000, 1, MAX_FLOAT_LIMIT)
        stamp = self._fmp_stamp()
        rows = self.data.float_rows()[page * limit : (page + 1) * limit]
        return Payload(
            [result for row in rows if (result := self.data.fmp_float_row(row, stamp)) is not None]
        )

    def fmp_etf_holdings(self, query: _Query, fresh: bool) -> Payload:
        del fresh
        symbol = query.text("symbol")
        if symbol is None:
            raise VendorError(400, "Invalid or missing query parameter: symbol")
        return Payload(self.data.etf_holdings(symbol, self.now()))

    def _fmp_stamp(self) -> str:
        session = current_session(self.now())
        return datetime.combine(session, time(6, 0), NEW_YORK).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


# ----- HTTP layer ---------------------------------------------------------------------------------


def _encode(body: object) -> bytes:
    return json.dumps(body, separators=(",", ":")).encode()


def _error_body(family: str, status: int, message: str | None, request_id: str) -> object:
    if family == "fmp":
        return {"Error Message": message or FMP_MESSAGES.get(status, POLYGON_MESSAGES.get(status, "Error"))}
    text = message or POLYGON_MESSAGES.get(status, "Error")
    if status == 404:
        return {"status": "NOT_FOUND", "request_id": request_id, "message": text}
    if status == 403:
        return {"status": "NOT_AUTHORIZED", "request_id": request_id, "message": text}
    return {"status": "ERROR", "request_id": request_id, "error": text}


def _authorized(request: Request, family: str) -> bool:
    if family == "fmp":
        return bool(request.query_params.get("apikey"))
    if request.query_params.get("apiKey"):
        return True
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and bool(token.strip())


Builder = Callable[[_Query, bool], Payload]


def _fmp_route(vendor: SimVendor, endpoint: str, build: Builder) -> Callable[[Request], Awaitable[Response]]:
    async def route(request: Request) -> Response:
        return await _serve(vendor, request, endpoint, build)

    return route


async def _serve(vendor: SimVendor, request: Request, endpoint: str, build: Builder) -> Response:
    vendor.counters.add(endpoint)
    family = "fmp" if endpoint.startswith("fmp_") else "polygon"
    if not _authorized(request, family):
        return _error_response(vendor, family, 401, None)
    decision: FaultDecision = vendor.faults.decide(endpoint)
    if decision.delay_ms > 0:
        await asyncio.sleep(decision.delay_ms / 1000.0)
    if decision.status is not None:
        headers = {"Retry-After": str(decision.retry_after_secs)} if decision.status == 429 else None
        return _error_response(vendor, family, decision.status, None, headers)
    fresh = decision.malformed_share > 0.0
    query = _Query(request.query_params)
    try:
        payload = await run_in_threadpool(build, query, fresh)
    except VendorError as error:
        return _error_response(vendor, family, error.status, error.message)
    if payload.encoded is not None and not fresh:
        body = payload.encoded
    else:
        if fresh:
            _malform_payload(vendor.faults, endpoint, payload, decision.malformed_share)
        body = _encode(payload.body)
    if decision.truncated_json:
        body = body[: max(1, len(body) // 2)]
    return Response(content=body, media_type="application/json")


def _malform_payload(faults: FaultConfig, endpoint: str, payload: Payload, share: float) -> None:
    body = payload.body
    if isinstance(body, list):
        payload.body = malform_rows(faults, endpoint, body, share)
    elif isinstance(body, dict):
        if payload.rows_key is None:
            payload.body = malform_rows(faults, endpoint, [body], share, single=True)[0]
        elif payload.single and isinstance(body.get(payload.rows_key), dict):
            rows = [body[payload.rows_key]]
            body[payload.rows_key] = malform_rows(faults, endpoint, rows, share, single=True)[0]
        elif isinstance(body.get(payload.rows_key), list):
            body[payload.rows_key] = malform_rows(faults, endpoint, body[payload.rows_key], share)


def _error_response(
    vendor: SimVendor, family: str, status: int, message: str | None, headers: Mapping[str, str] | None = None
) -> Response:
    body = _error_body(family, status, message, vendor.request_id())
    return Response(content=_encode(body), status_code=status, media_type="application/json", headers=headers)


def _base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def create_vendor_app(provider: SimulatedProvider, clock: Clock, faults: FaultConfig) -> FastAPI:
    """The sim vendor as an ASGI app (see the module docstring for the endpoints)."""
    vendor = SimVendor(provider, clock, faults)
    app = FastAPI(title="SectorLights sim vendor", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.vendor = vendor

    @app.get("/v1/marketstatus/now")
    async def market_status(request: Request) -> Response:
        return await _serve(vendor, request, "marketstatus", vendor.market_status)

    @app.get("/v2/snapshot/locale/us/markets/stocks/tickers")
    async def snapshot(request: Request) -> Response:
        return await _serve(vendor, request, "snapshot", vendor.snapshot)

    @app.get("/v2/aggs/grouped/locale/us/market/stocks/{day}")
    async def grouped(request: Request, day: str) -> Response:
        return await _serve(
            vendor, request, "grouped", lambda query, fresh: vendor.grouped(query, fresh, day)
        )

    @app.get("/v3/reference/tickers")
    async def tickers(request: Request) -> Response:
        base = _base_url(request)
        return await _serve(
            vendor, request, "tickers", lambda query, fresh: vendor.tickers(query, fresh, base)
        )

    @app.get("/v3/reference/tickers/{ticker}")
    async def ticker_details(request: Request, ticker: str) -> Response:
        return await _serve(
            vendor,
            request,
            "ticker_details",
            lambda query, fresh: vendor.ticker_details(query, fresh, ticker),
        )

    @app.get("/stocks/vX/float")
    async def floats(request: Request) -> Response:
        base = _base_url(request)
        return await _serve(vendor, request, "float", lambda query, fresh: vendor.floats(query, fresh, base))

    @app.get("/v2/aggs/ticker/{ticker}/range/{multiplier}/{timespan}/{start}/{end}")
    async def minute_aggs(
        request: Request, ticker: str, multiplier: str, timespan: str, start: str, end: str
    ) -> Response:
        base = _base_url(request)
        return await _serve(
            vendor,
            request,
            "minute_aggs",
            lambda query, fresh: vendor.minute_aggs(
                query, fresh, base, ticker, multiplier, timespan, start, end
            ),
        )

    @app.get("/v2/reference/news")
    async def news(request: Request) -> Response:
        base = _base_url(request)
        return await _serve(vendor, request, "news", lambda query, fresh: vendor.news(query, fresh, base))

    docs = docs_index.render(docs_index.SIM_VENDOR_ENDPOINTS)

    @app.get(docs_index.SIM_VENDOR_PATH)
    async def docs_index_text() -> Response:
        """Public like massive.com's docs (no key); faults apply as to any endpoint."""
        vendor.counters.add(DOCS_ENDPOINT)
        decision = vendor.faults.decide(DOCS_ENDPOINT)
        if decision.delay_ms > 0:
            await asyncio.sleep(decision.delay_ms / 1000.0)
        if decision.status is not None:
            return _error_response(vendor, "polygon", decision.status, None)
        return PlainTextResponse(docs, media_type="text/markdown; charset=utf-8")

    fmp_routes = (
        ("/stable/profile", "fmp_profile", vendor.fmp_profile),
        ("/stable/company-screener", "fmp_screener", vendor.fmp_screener),
        ("/stable/shares-float", "fmp_float", vendor.fmp_float),
        ("/stable/shares-float-all", "fmp_float", vendor.fmp_float_all),
        ("/stable/etf/holdings", "fmp_etf_holdings", vendor.fmp_etf_holdings),
    )
    for path, endpoint, build in fmp_routes:
        app.add_api_route(path, _fmp_route(vendor, endpoint, build), methods=["GET"])

    # ----- control ------------------------------------------------------------------------------

    @app.get("/_control/faults")
    async def get_faults() -> JSONResponse:
        return JSONResponse(faults.as_dict())

    @app.post("/_control/faults")
    async def set_faults(request: Request) -> JSONResponse:
        """Body `{endpoint: {option: value, ...} | null}`: sets the given options, null removes."""
        try:
            changes = await request.json()
        except ValueError:
            return JSONResponse({"detail": "body: expected a JSON object"}, status_code=400)
        if not isinstance(changes, dict):
            return JSONResponse(
                {"detail": "body: expected a JSON object of endpoint -> options"}, status_code=400
            )
        try:
            for endpoint, options in changes.items():
                if options is None:
                    faults.remove(endpoint)
                elif isinstance(options, dict):
                    faults.update(endpoint, options)
                else:
                    raise ValueError(f"{endpoint}: expected an object of options or null")
        except ValueError as error:
            return JSONResponse({"detail": str(error)}, status_code=400)
        return JSONResponse(faults.as_dict())

    @app.delete("/_control/faults")
    async def clear_faults() -> JSONResponse:
        faults.clear()
        return JSONResponse(faults.as_dict())

    @app.get("/_control/requests")
    async def get_requests() -> JSONResponse:
        return JSONResponse(vendor.counters.snapshot())

    @app.post("/_control/reset")
    async def reset(request: Request) -> JSONResponse:
        """Zero the request counters and clear the faults (`?keep_faults=true` keeps them)."""
        vendor.counters.reset()
        if request.query_params.get("keep_faults", "").lower() not in ("true", "1"):
            faults.clear()
        return JSONResponse(vendor.counters.snapshot())

    return app


def serve_vendor(settings: ProviderSettings, host: str, port: int, faults: FaultConfig) -> None:
    """Run the sim vendor with uvicorn until interrupted (the `sectorlights sim-vendor` command)."""
    import uvicorn

    from sectorlights.providers.registry import ProviderContext
    from sectorlights.providers.simulated import create_simulated_provider

    clock = clock_from_settings(settings.sim_now, settings.sim_speed, settings.sim_epoch)
    provider = create_simulated_provider(settings, ProviderContext(clock=clock))
    app = create_vendor_app(provider, clock, faults)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
