"""Financial Modeling Prep over HTTP (httpx): the only FMP module that does I/O.

Stable API only (`/api/v3` is refused for keys issued since 2025): `/profile?symbol=`,
`/company-screener`, `/shares-float?symbol=`, `/shares-float-all?page=&limit=`,
`/etf/holdings?symbol=`. The key travels as the `apikey` query parameter, as FMP documents it; it is
scrubbed from every message we raise and from httpx's request log. Each request goes through the
same policy as the Polygon transports:

    circuit breaker (per endpoint) -> retries with backoff -> rate limiter -> the request itself

429, 5xx, timeouts, dropped connections and unreadable JSON are retried; 401/403 fail at once naming
FMP_API_KEY; 402 (endpoint not in the plan) and other 4xx fail at once naming the endpoint.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import httpx

from sectorlights.domain.market import SectorAnswers
from sectorlights.domain.vocabulary import Sector
from sectorlights.providers.base import EndpointCheck, Extracted, ProviderError, RejectedRow
from sectorlights.providers.fmp import transform
from sectorlights.providers.fmp.records import EtfHolding, FmpFloat, FmpProfile, map_fmp_sector
from sectorlights.providers.resilience import (
    CallObserver,
    CircuitOpenError,
    GuardedCalls,
    MeteredCalls,
    RetryPolicy,
    VendorError,
    parse_retry_after,
    redact,
)
from sectorlights.settings import ProviderSettings

logger = logging.getLogger(__name__)

NAME = "fmp"
PROFILE = "/profile"
SCREENER = "/company-screener"
SHARES_FLOAT = "/shares-float"
SHARES_FLOAT_ALL = "/shares-float-all"
ETF_HOLDINGS = "/etf/holdings"
FLOAT_ALL_PAGE_LIMIT = 5000
MAX_FLOAT_PAGES = 100  # 500,000 rows: far more than FMP lists

_API_KEY_IN_URL = re.compile(r"(?i)(apikey=)[^&\s\"']+")


class _RedactApiKey(logging.Filter):
    """Removes `apikey=...` from httpx's request log lines (they carry the full URL)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.args = tuple(
                _API_KEY_IN_URL.sub(r"\1<redacted>", str(arg))
                if "apikey" in str(arg).lower() and not isinstance(arg, int | float)
                else arg
                for arg in (record.args if isinstance(record.args, tuple) else (record.args,))
            )
        if isinstance(record.msg, str) and "apikey" in record.msg.lower():
            record.msg = _API_KEY_IN_URL.sub(r"\1<redacted>", record.msg)
        return True


_REDACTOR = _RedactApiKey()


def _install_log_redaction() -> None:
    for name in ("httpx", "httpcore"):
        target = logging.getLogger(name)
        if _REDACTOR not in target.filters:
            target.addFilter(_REDACTOR)


class FmpClient(MeteredCalls):
    """The five stable endpoints SectorLights uses, each returning records and rejected rows."""

    def __init__(
        self,
        api_key: str,
        base_url: str,
        timeout_secs: float,
        calls: GuardedCalls,
        *,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not api_key:
            raise ValueError("the FMP client needs an API key")
        if "/api/v3" in base_url:
            raise ValueError("FMP's /api/v3 is refused for new keys: use the stable API base URL")
        _install_log_redaction()
        self.base_url = base_url.rstrip("/")
        self._api_key = api_key
        self._timeout_secs = timeout_secs
        self._calls = calls
        self._http = httpx.Client(timeout=timeout_secs, transport=transport, follow_redirects=False)

    def __repr__(self) -> str:
        return f"FmpClient(base_url={self.base_url!r})"

    def close(self) -> None:
        self._http.close()

    # --- endpoints --------------------------------------------------------------------------------

    def profile(self, symbol: str) -> Extracted[list[FmpProfile]]:
        """`/profile?symbol=` (one symbol per request in the stable API)."""
        return transform.profiles(self.get_json(PROFILE, {"symbol": symbol}), PROFILE)

    def screener(self, **filters: str | int | float | bool) -> Extracted[list[FmpProfile]]:
        """`/company-screener` with FMP's filters (marketCapMoreThan=..., sector=..., limit=...)."""
        params = {key: _param(value) for key, value in filters.items()}
        return transform.profiles(self.get_json(SCREENER, params), SCREENER)

    def shares_float(self, symbol: str) -> Extracted[list[FmpFloat]]:
        """`/shares-float?symbol=`."""
        return transform.floats(self.get_json(SHARES_FLOAT, {"symbol": symbol}), SHARES_FLOAT)

    def shares_float_all(self, page: int, limit: int = FLOAT_ALL_PAGE_LIMIT) -> Extracted[list[FmpFloat]]:
        """`/shares-float-all?page=&limit=` (pages count from 0)."""
        payload = self.get_json(SHARES_FLOAT_ALL, {"page": str(page), "limit": str(limit)})
        return transform.floats(payload, SHARES_FLOAT_ALL)

    def etf_holdings(self, etf: str) -> Extracted[list[EtfHolding]]:
        """`/etf/holdings?symbol=`."""
        return transform.etf_holdings(self.get_json(ETF_HOLDINGS, {"symbol": etf}), etf, ETF_HOLDINGS)

    # --- HTTP -------------------------------------------------------------------------------------

    def get_json(self, path: str, params: Mapping[str, str]) -> Any:
        """The decoded JSON of `GET {base_url}{path}?{params}&apikey=...`, through the resilience policy."""
        label = f"{NAME} {path}"
        return self._calls.call(path, label, label, lambda: self._send(path, params))

    def _send(self, path: str, params: Mapping[str, str]) -> Any:
        try:
            response = self._http.get(f"{self.base_url}{path}", params={**params, "apikey": self._api_key})
        except httpx.TimeoutException as error:
            raise VendorError(
                f"timed out after {self._timeout_secs:g} s ({type(error).__name__})", status=None
            ) from None
        except httpx.TransportError as error:
            detail = redact(str(error), (self._api_key,))
            raise VendorError(f"connection failed: {type(error).__name__}: {detail}", status=None) from None
        body = response.text
        message = self._vendor_message(body)
        if response.status_code != 200:
            raise self._status_error(response.status_code, message, response.headers.get("Retry-After"))
        try:
            payload = response.json()
        except ValueError as error:
            detail = f"malformed JSON ({len(body)} bytes): {redact(str(error), (self._api_key,))}"
            raise VendorError(detail, status=200, vendor_message=detail, retryable=True) from None
        if isinstance(payload, dict) and ("Error Message" in payload or "error" in payload):
            # FMP sometimes answers 200 with an error object instead of rows.
            raise self._status_error(_status_for_message(message), message, None)
        return payload

    def _status_error(self, status: int, message: str, retry_after: str | None) -> VendorError:
        if status in (401, 403):
            detail = f"FMP refused the API key (check FMP_API_KEY): {message}"
            return VendorError(detail, status=status, vendor_message=detail, retryable=False)
        if status == 402:
            detail = f"not available on this FMP plan: {message}"
            return VendorError(detail, status=status, vendor_message=detail, retryable=False)
        return VendorError(
            message, status=status, vendor_message=message, retry_after_secs=parse_retry_after(retry_after)
        )

    def _vendor_message(self, body: str) -> str:
        text = body
        try:
            decoded = json.loads(body)
        except ValueError:
            decoded = None
        if isinstance(decoded, dict):
            for key in ("Error Message", "error", "message"):
                value = decoded.get(key)
                if isinstance(value, str) and value.strip():
                    text = value
                    break
        return redact(text, (self._api_key,)) or "no message"


def _status_for_message(message: str) -> int:
    lowered = message.lower()
    if "api key" in lowered or "apikey" in lowered:
        return 401
    if "limit reach" in lowered or "too many" in lowered:
        return 429
    if "restricted" in lowered or "subscription" in lowered:
        return 402
    return 400


def _param(value: str | int | float | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class FmpReference:
    """What SectorLights asks of FMP: sectors to validate classification, float, ETF membership."""

    def __init__(self, client: FmpClient, max_kept_rejections: int = 10_000) -> None:
        self.client = client
        self._rejections: list[RejectedRow] = []
        self._max_kept = max_kept_rejections
        self._lock = threading.Lock()

    def sector_for(self, symbols: Iterable[str]) -> dict[str, Sector]:
        """Our sector of each symbol FMP knows and classifies (see `lookup_sectors`)."""
        return self.lookup_sectors(symbols).sectors

    def lookup_sectors(self, symbols: Iterable[str]) -> SectorAnswers:
        """Ask FMP for each symbol's sector (one `/profile` request per symbol: the stable API takes a
        single `symbol`). A symbol that fails is skipped with a rejection and appears in neither
        field of the answer; a refused key fails the whole call; an open circuit stops early with
        what was found."""
        sectors: dict[str, Sector] = {}
        without_sector: set[str] = set()
        for symbol in dict.fromkeys(symbol.strip().upper() for symbol in symbols if symbol.strip()):
            try:
                rows = self._profile_rows(symbol)
            except CircuitOpenError as error:
                logger.warning("%s: sector lookups stopped: %s", NAME, error)
                break
            if rows is None:
                continue
            profile = next((row for row in rows if row.symbol == symbol), None)
            if profile is None:
                self._reject([RejectedRow(PROFILE, symbol, "no profile")])
                without_sector.add(symbol)
                continue
            sector = map_fmp_sector(profile.sector)
            if sector is None:
                reason = (
                    f"unknown FMP sector {profile.sector!r}" if profile.sector else "no sector in the profile"
                )
                self._reject([RejectedRow(PROFILE, symbol, reason)])
                without_sector.add(symbol)
                continue
            sectors[symbol] = sector
        return SectorAnswers(sectors, frozenset(without_sector))

    def profiles(self, symbols: Sequence[str]) -> list[FmpProfile]:
        """The profiles of `symbols` (failures skipped with a rejection, as in `sector_for`)."""
        found: list[FmpProfile] = []
        for symbol in symbols:
            found.extend(self._profile_rows(symbol) or [])
        return found

    def _profile_rows(self, symbol: str) -> list[FmpProfile] | None:
        """`symbol`'s profile rows, their rejected rows recorded; None, with a rejection, when the
        call failed. A refused key (401/403) is raised: no other symbol would fare better."""
        try:
            extracted = self.client.profile(symbol)
        except VendorError as error:
            if error.status in (401, 403):
                raise
            self._reject([RejectedRow(PROFILE, symbol, str(error))])
            return None
        self._reject(extracted.rejected)
        return extracted.value

    def floats_all(self) -> dict[str, float]:
        """Float shares of every symbol FMP lists, paging `/shares-float-all` until a short page."""
        result: dict[str, float] = {}
        for page in range(MAX_FLOAT_PAGES):
            extracted = self.client.shares_float_all(page, FLOAT_ALL_PAGE_LIMIT)
            self._reject(extracted.rejected)
            for row in extracted.value:
                result.setdefault(row.symbol, row.float_shares)
            if len(extracted.value) + len(extracted.rejected) < FLOAT_ALL_PAGE_LIMIT:
                return result
        raise ProviderError(f"{NAME} {SHARES_FLOAT_ALL}: more than {MAX_FLOAT_PAGES} pages; giving up")

    def etf_members(self, etf: str) -> list[EtfHolding]:
        """The holdings of one ETF (e.g. IWM for the Russell 2000)."""
        extracted = self.client.etf_holdings(etf)
        self._reject(extracted.rejected)
        return extracted.value

    def check(self, symbol: str = "AAPL", etf: str = "IWM") -> list[EndpointCheck]:
        """One light, timed request per endpoint; failures are reported, never raised. FMP is
        optional for the pipeline, so no check is required."""
        probes: list[tuple[str, Callable[[], int]]] = [
            (PROFILE, lambda: len(self.client.profile(symbol).value)),
            (SCREENER, lambda: len(self.client.screener(limit=5, isEtf=False, country="US").value)),
            (SHARES_FLOAT, lambda: len(self.client.shares_float(symbol).value)),
            (SHARES_FLOAT_ALL, lambda: len(self.client.shares_float_all(0, 10).value)),
            (ETF_HOLDINGS, lambda: len(self.client.etf_holdings(etf).value)),
        ]
        return [_probe(endpoint, fn) for endpoint, fn in probes]

    def drain_rejections(self) -> list[RejectedRow]:
        with self._lock:
            rejected, self._rejections = self._rejections, []
        return rejected

    def _reject(self, rows: Iterable[RejectedRow]) -> None:
        with self._lock:
            self._rejections.extend(rows)
            overflow = len(self._rejections) - self._max_kept
            if overflow > 0:
                del self._rejections[:overflow]


def _probe(endpoint: str, fn: Callable[[], int]) -> EndpointCheck:
    started = time.perf_counter()
    label = f"{NAME} {endpoint}"
    try:
        rows = fn()
    except Exception as error:  # a check reports, it never raises
        elapsed = (time.perf_counter() - started) * 1000.0
        return EndpointCheck(label, False, elapsed, 0, str(error) or type(error).__name__, required=False)
    elapsed = (time.perf_counter() - started) * 1000.0
    ok = rows > 0
    detail = f"{rows} rows" if ok else "answered, but with no usable rows"
    return EndpointCheck(label, ok, elapsed, rows, detail, required=False)


def create_fmp_reference(
    settings: ProviderSettings, policy: RetryPolicy | None = None, observer: CallObserver | None = None
) -> FmpReference | None:
    """FMP as configured (`FMP_API_KEY`, `FMP_BASE_URL`), or None when no key is set. FMP has no
    request budget of its own unless `policy` sets one (Polygon's budget is not FMP's); its
    requests are reported to `observer` (if any)."""
    if settings.fmp_api_key is None or not settings.fmp_api_key.get_secret_value():
        return None
    client = FmpClient(
        settings.fmp_api_key.get_secret_value(),
        settings.fmp_base_url,
        settings.polygon_timeout_secs,
        (policy or RetryPolicy()).guarded_calls(vendor=NAME, observer=observer),
    )
    return FmpReference(client)
