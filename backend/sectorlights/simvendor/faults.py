"""Faults the sim vendor can inject, per endpoint: rate limits, server errors, latency, bad rows and
cut-off bodies. Every fault is deterministic: counters count requests down, and the malformed rows are
chosen by a seeded hash of the row's identity, so a run can be replayed exactly.
"""

from __future__ import annotations

import math
import threading
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import TypeVar

T = TypeVar("T")

POLYGON_ENDPOINTS: tuple[str, ...] = (
    "marketstatus",
    "snapshot",
    "grouped",
    "tickers",
    "ticker_details",
    "float",
    "minute_aggs",
    "news",
)
FMP_ENDPOINTS: tuple[str, ...] = ("fmp_profile", "fmp_screener", "fmp_float", "fmp_etf_holdings")
# The API docs index Polygon's MCP server builds its endpoint allowlist from (not a data endpoint).
DOCS_ENDPOINT = "docs"
ENDPOINTS: tuple[str, ...] = POLYGON_ENDPOINTS + FMP_ENDPOINTS + (DOCS_ENDPOINT,)
ALL_ENDPOINTS = "*"

MALFORMATIONS: tuple[str, ...] = ("missing_field", "negative_volume", "null_price", "duplicated_ticker")


@dataclass(slots=True)
class EndpointFaults:
    """The faults of one endpoint (or of every endpoint, under `*`)."""

    status_429_count: int = 0  # the next N requests get 429 with Retry-After
    status_500_count: int = 0  # the next N requests (after any 429s) get 500
    always_status: int | None = None  # every request gets this status (e.g. 500, 503)
    delay_ms: float = 0.0  # added latency of every request
    malformed_share: float = (
        0.0  # share of rows with a missing field, negative volume, null price or a duplicate
    )
    truncated_json: bool = False  # bodies cut off mid-way
    retry_after_secs: int = 1  # the Retry-After header of a 429

    def as_dict(self) -> dict[str, object]:
        return {item.name: getattr(self, item.name) for item in fields(self)}


FAULT_OPTIONS: tuple[str, ...] = tuple(item.name for item in fields(EndpointFaults))
_DEFAULTS = EndpointFaults()


def _check_endpoint(endpoint: str) -> None:
    if endpoint != ALL_ENDPOINTS and endpoint not in ENDPOINTS:
        raise ValueError(f"unknown endpoint {endpoint!r} (allowed: {', '.join((ALL_ENDPOINTS, *ENDPOINTS))})")


def _boolean(name: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in (
        "1",
        "true",
        "yes",
        "on",
        "0",
        "false",
        "no",
        "off",
    ):
        return value.strip().lower() in ("1", "true", "yes", "on")
    raise ValueError(f"{name}: expected true or false, got {value!r}")


def _number(name: str, value: object, *, integer: bool) -> float:
    if isinstance(value, bool):
        raise ValueError(f"{name}: expected a number, got {value!r}")
    try:
        number = float(value) if isinstance(value, int | float | str) else float("nan")
    except ValueError:
        number = float("nan")
    if math.isnan(number) or (integer and not number.is_integer()):
        kind = "a whole number" if integer else "a number"
        raise ValueError(f"{name}: expected {kind}, got {value!r}")
    return number


def coerce_option(name: str, value: object) -> object:
    """The typed value of one fault option; ValueError naming the option and the allowed values."""
    if name not in FAULT_OPTIONS:
        raise ValueError(f"unknown fault option {name!r} (allowed: {', '.join(FAULT_OPTIONS)})")
    if name == "truncated_json":
        return _boolean(name, value)
    if name == "always_status":
        if value is None or (isinstance(value, str) and value.strip().lower() in ("", "none", "null", "off")):
            return None
        status = int(_number(name, value, integer=True))
        if not 400 <= status <= 599:
            raise ValueError(f"always_status: expected an HTTP error status 400-599 or none, got {value!r}")
        return status
    if name in ("status_429_count", "status_500_count", "retry_after_secs"):
        count = int(_number(name, value, integer=True))
        if count < 0:
            raise ValueError(f"{name}: expected a whole number >= 0, got {value!r}")
        return count
    number = _number(name, value, integer=False)
    if name == "malformed_share" and not 0.0 <= number <= 1.0:
        raise ValueError(f"malformed_share: expected a share between 0 and 1, got {value!r}")
    if number < 0.0:
        raise ValueError(f"{name}: expected a number >= 0, got {value!r}")
    return number


def parse_fault_option(text: str) -> tuple[str, dict[str, object]]:
    """`snapshot:status_500_count=3` or `*:delay_ms=200,truncated_json` -> (endpoint, options)."""
    endpoint, separator, assignments = text.partition(":")
    endpoint = endpoint.strip()
    if not separator or not assignments.strip():
        raise ValueError(
            f"fault {text!r}: expected ENDPOINT:OPTION=VALUE[,OPTION=VALUE...], "
            "e.g. snapshot:status_500_count=3 or '*:delay_ms=200'"
        )
    _check_endpoint(endpoint)
    options: dict[str, object] = {}
    for assignment in assignments.split(","):
        name, equals, value = assignment.partition("=")
        name = name.strip()
        if not equals:
            if name != "truncated_json":
                raise ValueError(f"fault {text!r}: option {name!r} needs a value ({name}=...)")
            value = "true"
        options[name] = coerce_option(name, value.strip())
    return endpoint, options


def _first(values: list[T], default: T) -> T:
    """The first value that differs from the default (the endpoint's own, then `*`'s)."""
    return next((value for value in values if value != default), default)


@dataclass(frozen=True, slots=True)
class FaultDecision:
    """What to do with one request."""

    delay_ms: float = 0.0
    status: int | None = None  # an error status to answer with instead of the data
    retry_after_secs: int = 1
    malformed_share: float = 0.0
    truncated_json: bool = False


@dataclass
class FaultConfig:
    """Faults per endpoint name (or `*`); mutable at runtime, thread-safe to consume."""

    endpoints: dict[str, EndpointFaults] = field(default_factory=dict)
    seed: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def update(self, endpoint: str, options: Mapping[str, object]) -> None:
        """Set some options of an endpoint's faults (the others keep their values)."""
        _check_endpoint(endpoint)
        typed = {name: coerce_option(name, value) for name, value in options.items()}
        with self._lock:
            faults = self.endpoints.setdefault(endpoint, EndpointFaults())
            for name, value in typed.items():
                setattr(faults, name, value)

    def remove(self, endpoint: str) -> None:
        _check_endpoint(endpoint)
        with self._lock:
            self.endpoints.pop(endpoint, None)

    def clear(self) -> None:
        with self._lock:
            self.endpoints.clear()

    def as_dict(self) -> dict[str, dict[str, object]]:
        with self._lock:
            return {name: faults.as_dict() for name, faults in sorted(self.endpoints.items())}

    @classmethod
    def from_options(cls, options: list[str], seed: int = 0) -> FaultConfig:
        """A config from `--fault` option strings (see `parse_fault_option`)."""
        config = cls(seed=seed)
        for text in options:
            endpoint, values = parse_fault_option(text)
            config.update(endpoint, values)
        return config

    def decide(self, endpoint: str) -> FaultDecision:
        """The faults of one request to `endpoint`, consuming the 429 and 500 counters.

        An endpoint's own option wins over `*` when it is set; the counters of the endpoint are
        used before those of `*`.
        """
        with self._lock:
            own = self.endpoints.get(endpoint)
            shared = self.endpoints.get(ALL_ENDPOINTS)
            rules = [rule for rule in (own, shared) if rule is not None]

            status = _first([rule.always_status for rule in rules], None)
            if status is None:
                if (holder := next((rule for rule in rules if rule.status_429_count > 0), None)) is not None:
                    holder.status_429_count -= 1
                    status = 429
                elif (
                    holder := next((rule for rule in rules if rule.status_500_count > 0), None)
                ) is not None:
                    holder.status_500_count -= 1
                    status = 500
            return FaultDecision(
                delay_ms=_first([rule.delay_ms for rule in rules], _DEFAULTS.delay_ms),
                status=status,
                retry_after_secs=_first(
                    [rule.retry_after_secs for rule in rules], _DEFAULTS.retry_after_secs
                ),
                malformed_share=_first([rule.malformed_share for rule in rules], _DEFAULTS.malformed_share),
                truncated_json=_first([rule.truncated_json for rule in rules], _DEFAULTS.truncated_json),
            )

    def malformation(self, endpoint: str, key: str, share: float) -> str | None:
        """The malformation of the row identified by `key`, or None: a seeded, stable choice."""
        if share <= 0.0:
            return None
        digest = zlib.crc32(f"{self.seed}|{endpoint}|{key}".encode())
        if (digest & 0xFFFFFF) / float(1 << 24) >= share:
            return None
        return MALFORMATIONS[(digest >> 24) % len(MALFORMATIONS)]
