"""In-process cache: the embedded default."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from typing import Any

from sectorlights.cache.base import encode_document


class MemoryCache:
    """A dict with expiry; documents are kept encoded, so callers cannot mutate what is cached and
    reads cost what a Redis read would (a decode)."""

    backend = "memory"

    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._monotonic = monotonic
        self._entries: dict[str, tuple[float, Any]] = {}

    def _live(self, key: str) -> Any | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires_at, value = entry
        if expires_at <= self._monotonic():
            del self._entries[key]
            return None
        return value

    async def get_json(self, key: str) -> Any | None:
        raw = await self.get_raw(key)
        return None if raw is None else json.loads(raw)

    async def get_raw(self, key: str) -> bytes | None:
        value = self._live(key)
        return value if isinstance(value, bytes) else None

    async def put_many(
        self, documents: Mapping[str, Any], sets: Mapping[str, set[str]], ttl_secs: int
    ) -> None:
        expires_at = self._monotonic() + ttl_secs
        for key, document in documents.items():
            self._entries[key] = (expires_at, encode_document(document))
        for key, members in sets.items():
            self._entries[key] = (expires_at, set(members))

    async def get_set(self, key: str) -> set[str]:
        value = self._live(key)
        return set(value) if isinstance(value, set) else set()

    async def ttl_secs(self, key: str) -> float | None:
        if self._live(key) is None:
            return None
        return self._entries[key][0] - self._monotonic()

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        self._entries.clear()
