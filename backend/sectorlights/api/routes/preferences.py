"""The calling user's preferences."""

from __future__ import annotations

from fastapi import APIRouter

from sectorlights.api.deps import ContainerDep, RateLimitDep, UserDep
from sectorlights.api.errors import error_responses
from sectorlights.domain.preferences import Preferences

router = APIRouter(prefix="/api", tags=["preferences"])


@router.get("/preferences", responses=error_responses(401))
async def get_preferences(user: UserDep, container: ContainerDep) -> Preferences:
    """The caller's freshness tolerance and the scheduled runs they follow (defaults until saved)."""
    return await container.users.preferences(user)


@router.put("/preferences", responses=error_responses(401, 422, 429))
async def put_preferences(
    preferences: Preferences, user: UserDep, container: ContainerDep, limiter: RateLimitDep
) -> Preferences:
    """Replace the caller's preferences; unknown fields and out-of-range values are refused."""
    await limiter.take("preferences")
    return await container.users.save_preferences(user, preferences)
