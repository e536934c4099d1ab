"""Polygon/Massive over REST, on the official `massive` client: the only module here that does I/O.

The client builds the URLs and follows `next_url`; we hook in underneath it, at its urllib3 pool,
so that every HTTP request it sends (each page included) goes through one policy:

    circuit breaker (per endpoint) -> retries with backoff -> rate limiter -> the request itself

Non-200 answers become `VendorError`s with the HTTP status and the vendor's message (the client
itself would only raise `BadResponse` with the body), bodies are decoded once and must be valid JSON
(the client would read a truncated body as "no results"), and the client's own urllib3 retries are
off. The API key travels in the Authorization header only and is scrubbed from every message.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import logging
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, date, datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

import urllib3
from massive import RESTClient

from sectorlights.domain.market import DailyBars, MinuteBars, NewsItem, TickerReference
from sectorlights.providers.base import Extracted, ProviderError, RejectedRow
from sectorlights.providers.polygon import transform
from sectorlights.providers.polygon.source import NEWS_PAGE_LIMIT, PagedLists, SnapshotRows, TickerRow
from sectorlights.providers.resilience import (
    GuardedCalls,
    MeteredCalls,
    VendorError,
    parse_retry_after,
    redact,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")

MINUTE_BARS_LIMIT = 50_000  # one session has at most 960 minutes: one page

# URL path prefix -> endpoint name (most specific first); names match transform's and check()'s.
_ENDPOINTS: tuple[tuple[str, str], ...] = (
    ("/v1/marketstatus/", transform.MARKET_STATUS),
    ("/v2/snapshot/locale/us/markets/stocks/tickers", transform.SNAPSHOT),
    ("/v2/aggs/grouped/", transform.GROUPED_DAILY),
    ("/v3/reference/tickers/", transform.TICKER_DETAILS),
    ("/v3/reference/tickers", transform.TICKERS),
    ("/stocks/vX/float", transform.FLOAT),
    ("/v2/aggs/ticker/", transform.MINUTE_BARS),
    ("/v2/reference/news", transform.NEWS),
)


def endpoint_name(path: str) -> str:
    """The endpoint a URL path belongs to (`snapshot`, `grouped_daily`, ...), else the path itself."""
    for prefix, name in _ENDPOINTS:
        if path.startswith(prefix):
            return name
    return path


@dataclasses.dataclass(frozen=True, slots=True)
class _Response:
    """What the client gets back from our pool: a 200 whose body is already decoded."""

    status: int
    headers: Mapping[str, str]
    data: bytes
    payload: Any


class _Client(RESTClient):  # type: ignore[misc]  # massive ships no type information
    """The official client, reading the payload our pool already decoded (and checked) once."""

    def _decode(self, resp: Any) -> Any:
        if isinstance(resp, _Response):
            return resp.payload
        return super()._decode(resp)


class _MeteredPool:
    """Stands in for the client's urllib3 PoolManager: sends each request through `calls`."""

    def __init__(
        self,
        pool: Any,
        *,
        calls: GuardedCalls,
        timeout_secs: float,
        secrets: tuple[str, ...],
    ) -> None:
        self.pool = pool
        self._calls = calls
        self._timeout = urllib3.Timeout(connect=timeout_secs, read=timeout_secs)
        self._timeout_secs = timeout_secs
        self._secrets = secrets

    def request(
        self,
        method: str,
        url: str,
        fields: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        **_: Any,
    ) -> _Response:
        path = urlsplit(url).path
        name = endpoint_name(path)
        label = f"polygon {name}"
        return self._calls.call(
            name, label, f"{label} ({method} {path})", lambda: self._send(method, url, fields, headers)
        )

    def _send(
        self,
        method: str,
        url: str,
        fields: Mapping[str, Any] | None,
        headers: Mapping[str, str] | None,
    ) -> _Response:
        try:
            response = self.pool.request(
                method,
                url,
                fields=dict(fields) if fields else None,
                headers=headers,
                retries=False,
                timeout=self._timeout,
                preload_content=True,
            )
        except urllib3.exceptions.NewConnectionError as error:  # a ConnectTimeoutError subclass, but not one
            detail = redact(str(error), self._secrets)
            raise VendorError(f"connection failed: {detail}", status=None) from None
        except urllib3.exceptions.TimeoutError as error:
            raise VendorError(
                f"timed out after {self._timeout_secs:g} s ({type(error).__name__})", status=None
            ) from None
        except urllib3.exceptions.HTTPError as error:
            detail = redact(str(error), self._secrets)
            raise VendorError(f"connection failed: {type(error).__name__}: {detail}", status=None) from None
        data: bytes = response.data or b""
        if response.status != 200:
            message = self._vendor_message(data) or response.reason or "no message"
            raise VendorError(
                message,
                status=response.status,
                vendor_message=message,
                retry_after_secs=parse_retry_after(response.headers.get("Retry-After")),
            )
        try:
            payload = json.loads(data)
        except ValueError as error:
            message = f"malformed JSON ({len(data)} bytes): {error}"
            raise VendorError(message, status=200, vendor_message=message, retryable=True) from None
        return _Response(status=200, headers=dict(response.headers), data=data, payload=payload)

    def _vendor_message(self, data: bytes) -> str:
        body = data.decode("utf-8", errors="replace")
        try:
            decoded = json.loads(body)
        except ValueError:
            return redact(body, self._secrets)
        if isinstance(decoded, dict):
            for key in ("error", "message", "status"):
                value = decoded.get(key)
                if isinstance(value, str) and value.strip():
                    return redact(value, self._secrets)
        return redact(body, self._secrets)

    def clear(self) -> None:
        self.pool.clear()


class PolygonRestSource(MeteredCalls, PagedLists):
    """`PolygonSource` over the vendor's REST API (see source.py for what each method returns)."""

    transport = "rest"

    def __init__(
        self,
        api_key: str,
        base_url: str,
        timeout_secs: float,
        calls: GuardedCalls,
    ) -> None:
        if not api_key:
            raise ValueError("the polygon REST source needs an API key")
        self.base_url = base_url.rstrip("/")
        self._client = _Client(
            api_key=api_key,
            base=self.base_url,
            connect_timeout=timeout_secs,
            read_timeout=timeout_secs,
            retries=0,  # ours is the one retry policy
            pagination=True,
        )
        self._calls = calls
        self._pool = _MeteredPool(
            self._client.client, calls=self._calls, timeout_secs=timeout_secs, secrets=(api_key,)
        )
        self._client.client = self._pool

    def __repr__(self) -> str:
        return f"PolygonRestSource(base_url={self.base_url!r})"

    def close(self) -> None:
        self._pool.clear()

    # --- PolygonSource ----------------------------------------------------------------------------

    def market_status(self) -> Extracted[str]:
        response = self._client.get_market_status(raw=True)
        return transform.market_status(response.payload)

    def snapshot(self) -> Extracted[SnapshotRows]:
        response = self._client.get_snapshot_all("stocks", raw=True)
        return transform.snapshot_rows(response.payload)

    def grouped_daily(self, session: date) -> Extracted[DailyBars]:
        response = self._client.get_grouped_daily_aggs(session.isoformat(), adjusted=True, raw=True)
        return transform.grouped_daily_bars(session, response.payload)

    def _tickers(self, limit: int | None, page: int) -> Extracted[list[TickerRow]]:
        rows = self._client.list_tickers(market="stocks", active=True, limit=page)
        return transform.ticker_rows(_rows(transform.TICKERS, rows, limit))

    def ticker_details(self, symbol: str, fetched_at: datetime) -> Extracted[TickerReference | None]:
        try:
            response = self._client.get_ticker_details(symbol, raw=True)
        except VendorError as error:
            if error.status == 404:
                reason = f"not found (HTTP 404: {error.vendor_message})"
                return Extracted(None, [RejectedRow(transform.TICKER_DETAILS, symbol, reason)])
            raise
        return transform.ticker_reference(symbol, response.payload, fetched_at)

    def _floats(self, limit: int | None, page: int) -> Extracted[dict[str, float]]:
        rows = self._client.list_stocks_floats(limit=page)
        return transform.float_shares(_rows(transform.FLOAT, rows, limit))

    def minute_bars(self, symbol: str, session: date) -> Extracted[MinuteBars]:
        day = session.isoformat()
        aggs = self._client.list_aggs(
            symbol, 1, "minute", day, day, adjusted=True, sort="asc", limit=MINUTE_BARS_LIMIT
        )
        rows = [
            {"o": a.open, "h": a.high, "l": a.low, "c": a.close, "v": a.volume, "t": a.timestamp}
            for a in _iterate(transform.MINUTE_BARS, aggs)
        ]
        return transform.minute_bars(symbol, session, rows, transform.day_window_ns(session))

    def news(self, since: datetime, until: datetime, limit: int) -> Extracted[list[NewsItem]]:
        if limit <= 0:
            return Extracted([])
        items = self._client.list_ticker_news(
            published_utc_gte=_iso_utc(since),
            published_utc_lt=_iso_utc(until),
            sort="published_utc",
            order="desc",
            limit=min(limit, NEWS_PAGE_LIMIT),
        )
        return transform.news_items(_rows(transform.NEWS, items, limit), since, until)


def _iterate(endpoint: str, models: Iterable[T]) -> Iterator[T]:
    """The client's paginated iterator; a row its models cannot read fails as a ProviderError."""
    try:
        yield from models
    except (TypeError, AttributeError, KeyError) as error:
        raise ProviderError(f"polygon {endpoint}: unreadable row in the response ({error})") from None


def _rows(endpoint: str, models: Iterable[Any], limit: int | None) -> list[Any]:
    """The client's model objects back as JSON-shaped dicts (their fields are the vendor's keys)."""
    iterator = _iterate(endpoint, models)
    if limit is not None:
        iterator = itertools.islice(iterator, limit)  # stops before the client asks for another page
    return [_as_dict(model) for model in iterator]


def _as_dict(model: Any) -> Any:
    if dataclasses.is_dataclass(model) and not isinstance(model, type):
        return dataclasses.asdict(model)
    return model


def _iso_utc(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("a timezone-aware datetime is required")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
