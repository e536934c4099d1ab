"""Who is calling: the single local user on the embedded default, a token's user with
`SECTORLIGHTS_AUTH=required`; and a per-user budget for the actions that cost something."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import HTTPException, Request, Security, WebSocket
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.requests import HTTPConnection

from sectorlights.domain.preferences import LOCAL_USER
from sectorlights.engine.action_limits import ActionLimiter, ActionLimitError

BEARER = "bearer"
# Declares the scheme in OpenAPI only: `current_user` reads the header itself, so that it can name
# what is wrong with it, and lets everyone in while auth is off.
BEARER_SCHEME = HTTPBearer(
    auto_error=False,
    scheme_name="bearerAuth",
    description="A token from `sectorlights users add`; required only with SECTORLIGHTS_AUTH=required.",
)


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(status_code=401, detail=detail, headers={"WWW-Authenticate": "Bearer"})


def bearer_token(header: str | None) -> str:
    """The token of an `Authorization: Bearer <token>` header; 401 naming what is wrong."""
    if not header:
        raise _unauthorized(
            "Authorization: missing; send `Authorization: Bearer <token>` (sectorlights users add)"
        )
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != BEARER or not token.strip():
        raise _unauthorized("Authorization: expected `Bearer <token>`")
    return token.strip()


async def current_user(
    request: Request,
    _declared: Annotated[HTTPAuthorizationCredentials | None, Security(BEARER_SCHEME)] = None,
) -> str:
    """The calling user; with auth off everyone is the local user."""
    settings = request.app.state.settings
    if settings.server.auth == "off":
        return LOCAL_USER
    token = bearer_token(request.headers.get("authorization"))
    user = await _token_user(request, token)
    if user is None:
        raise _unauthorized("Authorization: unknown token")
    return user


async def _token_user(connection: HTTPConnection, token: str) -> str | None:
    """The user a token belongs to, or None."""
    user: str | None = await connection.app.state.container.users.authenticate(token)
    return user


async def websocket_user(websocket: WebSocket) -> str | None:
    """The user of a WebSocket (a bearer header, or `?token=` since browsers cannot set headers
    on a WebSocket); None when auth is required and the token is missing or unknown."""
    if websocket.app.state.settings.server.auth == "off":
        return LOCAL_USER
    token = websocket.query_params.get("token")
    if not token:
        try:
            token = bearer_token(websocket.headers.get("authorization"))
        except HTTPException:
            return None
    return await _token_user(websocket, token)


@dataclass(frozen=True, slots=True)
class UserRateLimiter:
    """The engine's per-user action limits, as HTTP: 429 with Retry-After when a user has none left."""

    limits: ActionLimiter

    async def take(self, user: str) -> None:
        try:
            await self.limits.take(user)
        except ActionLimitError as refused:
            raise HTTPException(
                status_code=429,
                detail=str(refused),
                headers={"Retry-After": str(refused.retry_after_secs)},
            ) from None
