"""The calling user's preferences."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from fastapi import APIRouter

from sectorlights.api.deps import ContainerDep, RateLimitDep, UserDep
from sectorlights.domain.preferences import Preferences
from sectorlights.storage.users import UserStore

router = APIRouter(prefix="/api", tags=["preferences"])


@router.get("/preferences")
async def get_preferences(user: UserDep, container: ContainerDep) -> Preferences:
    """The caller's freshness tolerance and the scheduled runs they follow (defaults until saved)."""
    return await asyncio.to_thread(UserStore(container.database).preferences, user)


@router.put("/preferences")
async def put_preferences(
    preferences: Preferences, user: UserDep, container: ContainerDep, limiter: RateLimitDep
) -> Preferences:
    """Replace the caller's preferences; unknown fields and out-of-range values are refused."""
    limiter.take(user)
    store = UserStore(container.database)
    return await asyncio.to_thread(store.save_preferences, user, preferences, datetime.now(UTC))
