"""API users and their preferences for the routes, off the event loop."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sectorlights.domain.preferences import Preferences
from sectorlights.storage.users import UserStore


class UserService:
    def __init__(self, store: UserStore) -> None:
        self.store = store

    async def authenticate(self, token: str) -> str | None:
        """The user a token belongs to, or None."""
        return await asyncio.to_thread(self.store.authenticate, token)

    async def preferences(self, user: str) -> Preferences:
        """The user's preferences, the defaults until they save some."""
        return await asyncio.to_thread(self.store.preferences, user)

    async def save_preferences(self, user: str, preferences: Preferences) -> Preferences:
        return await asyncio.to_thread(self.store.save_preferences, user, preferences, datetime.now(UTC))
