"""Who is calling: the single local user on the embedded default, a token's user with
`SECTORLIGHTS_AUTH=required`; and a budget per caller (a user, or a client address with auth off)
for each action that costs something."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import HTTPException, Request, Security, WebSocket
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.requests import HTTPConnection

from sectorlights.domain.preferences import LOCAL_USER
from sectorlights.engine.action_limits import Action, ActionLimiter, ActionLimitError

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


async def optional_user(
    request: Request,
    _declared: Annotated[HTTPAuthorizationCredentials | None, Security(BEARER_SCHEME)] = None,
) -> str | None:
    """The calling user, or None for a caller that sent no Authorization header while auth is
    required (it may see what is public, such as a health status); a header sent must be valid."""
    if request.app.state.settings.server.auth == "required" and "authorization" not in request.headers:
        return None
    return await current_user(request)


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


def rate_subject(connection: HTTPConnection, user: str) -> str:
    """Whose allowance an action spends: the user's with auth required; with auth off everyone is
    the same local user, so the client's address (the proxy's X-Forwarded-For, where uvicorn trusts
    the proxy: SECTORLIGHTS_FORWARDED_ALLOW_IPS)."""
    if connection.app.state.settings.server.auth == "required":
        return f"user {user}"
    address = connection.client.host if connection.client is not None else "unknown"
    return f"client {address}"


@dataclass(frozen=True, slots=True)
class CallerRateLimiter:
    """The engine's action limits for one caller, as HTTP: 429 with Retry-After when the caller has
    none of an action left."""

    limits: ActionLimiter
    subject: str

    async def take(self, action: Action) -> None:
        try:
            await self.limits.take(action, self.subject)
        except ActionLimitError as refused:
            raise HTTPException(
                status_code=429,
                detail=str(refused),
                headers={"Retry-After": str(refused.retry_after_secs)},
            ) from None
