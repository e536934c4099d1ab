"""API users and their preferences for the routes, off the event loop."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Set
from datetime import UTC, datetime

from sectorlights.domain.credentials import UserCredential
from sectorlights.domain.preferences import Preferences
from sectorlights.engine.outages import DatabaseUnavailable, DatabaseWatch
from sectorlights.storage.users import UserStore, token_digest

# How long a token the database confirmed may still be accepted while the database does not
# answer: a short outage does not lock every user out, and a long one does not keep a token alive
# that may have been revoked meanwhile.
TOKEN_CACHE_SECS = 60.0


class UserService:
    def __init__(
        self,
        store: UserStore,
        database_watch: DatabaseWatch | None = None,
        token_cache_secs: float = TOKEN_CACHE_SECS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        # The API's one watch on the database: its error handlers report to it as well.
        self.database_watch = database_watch if database_watch is not None else DatabaseWatch()
        self._token_cache_secs = token_cache_secs
        self._monotonic = monotonic
        # The token's SHA-256 (never the token) -> its user and when the database last confirmed it.
        self._confirmed: dict[str, tuple[str, float]] = {}

    async def authenticate(self, token: str) -> str | None:
        """The user a token belongs to, or None. The database is asked every time while it answers
        (a removed user is refused at once); while it does not, a token it confirmed within
        `token_cache_secs` is still accepted, and any other raises DatabaseUnavailable."""
        digest = token_digest(token)
        confirmed = self._confirmed.get(digest)
        fresh = confirmed is not None and self._monotonic() - confirmed[1] <= self._token_cache_secs
        # During an outage a confirmed token skips the database: every request would otherwise
        # wait for a connection attempt to fail first.
        if confirmed is not None and fresh and self.database_watch.failing:
            return confirmed[0]
        try:
            user = await self.database_watch.call(self.store.authenticate, token)
        except DatabaseUnavailable:
            if confirmed is not None and fresh:
                return confirmed[0]
            raise
        self._remember(digest, user)
        return user

    def _remember(self, digest: str, user: str | None) -> None:
        if user is None:
            self._confirmed.pop(digest, None)
            return
        now = self._monotonic()
        if len(self._confirmed) >= 10_000:  # bounded by live tokens: drop the expired ones
            self._confirmed = {
                key: entry
                for key, entry in self._confirmed.items()
                if now - entry[1] <= self._token_cache_secs
            }
        self._confirmed[digest] = (user, now)

    async def credential(self, token: str) -> UserCredential | None:
        """The user of a token with the token's digest (what a long-lived socket remembers), or None."""
        user = await self.authenticate(token)
        return None if user is None else UserCredential(user, token_digest(token))

    @staticmethod
    def credential_of(user: str, token: str) -> UserCredential:
        """The credential of a token already authenticated as `user`."""
        return UserCredential(user, token_digest(token))

    async def current(self, credentials: Set[UserCredential]) -> set[UserCredential]:
        """Those of `credentials` still valid: the user exists and the token was not rotated since."""
        digests = await asyncio.to_thread(self.store.token_digests, {item.user for item in credentials})
        return {item for item in credentials if digests.get(item.user) == item.token_sha256}

    async def preferences(self, user: str) -> Preferences:
        """The user's preferences, the defaults until they save some."""
        return await self.database_watch.call(self.store.preferences, user)

    async def save_preferences(self, user: str, preferences: Preferences) -> Preferences:
        return await self.database_watch.call(
            self.store.save_preferences, user, preferences, datetime.now(UTC)
        )
