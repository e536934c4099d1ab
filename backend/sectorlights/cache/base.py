"""The cache contract and the spec's key layout."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Protocol

SNAPSHOT_KEY = "snapshot:latest"
UNIVERSE_KEY = "universe:stocks"


def sector_sentiment_key(sector: str) -> str:
    return f"sector:{sector}:sentiment"


def sector_top_stocks_key(sector: str) -> str:
    return f"sector:{sector}:top_stocks"


def encode_document(document: Any) -> bytes:
    """The one JSON encoding of a cached document: what the cache stores and the API sends."""
    return json.dumps(document, separators=(",", ":")).encode()


class CacheError(RuntimeError):
    """The cache is unreachable or refused a command."""


class Cache(Protocol):
    """Key/value JSON documents and string sets with TTLs."""

    backend: str

    async def get_json(self, key: str) -> Any | None:
        """The document at `key`, or None when missing or expired."""
        ...

    async def get_raw(self, key: str) -> bytes | None:
        """The document at `key` as its stored JSON (`encode_document`), or None; no parsing, so
        hot reads can be sent as they are."""
        ...

    async def put_many(
        self, documents: Mapping[str, Any], sets: Mapping[str, set[str]], ttl_secs: int
    ) -> None:
        """Write documents and replace sets together, all expiring after `ttl_secs`."""
        ...

    async def get_set(self, key: str) -> set[str]:
        """Members of the set at `key` (empty when missing)."""
        ...

    async def ttl_secs(self, key: str) -> float | None:
        """Seconds until `key` expires; None when it does not exist."""
        ...

    async def ping(self) -> None:
        """Raise CacheError when the cache cannot be reached."""
        ...

    async def close(self) -> None: ...
