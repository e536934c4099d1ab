"""API users and their preferences for the routes, off the event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Set
from datetime import UTC, datetime

from sectorlights.domain.credentials import UserCredential
from sectorlights.domain.preferences import Preferences
from sectorlights.storage.users import UserStore, token_digest


class UserService:
    def __init__(self, store: UserStore) -> None:
        self.store = store

    async def authenticate(self, token: str) -> str | None:
        """The user a token belongs to, or None."""
        return await asyncio.to_thread(self.store.authenticate, token)

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
        return await asyncio.to_thread(self.store.preferences, user)

    async def save_preferences(self, user: str, preferences: Preferences) -> Preferences:
        return await asyncio.to_thread(self.store.save_preferences, user, preferences, datetime.now(UTC))
