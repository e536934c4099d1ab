"""Who is calling: the single local user on the embedded default, a token's user with
`SECTORLIGHTS_AUTH=required`; and a per-user budget for the actions that cost something."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import HTTPException, Request, Security, WebSocket
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.requests import HTTPConnection

from sectorlights.domain.preferences import LOCAL_USER

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


@dataclass
class UserRateLimiter:
    """A token bucket per user: `per_minute` actions on average, bursts of up to `burst`."""

    per_minute: float
    burst: float = 3.0
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)

    def take(self, user: str, now_secs: float | None = None) -> None:
        """Spend one action; 429 with Retry-After when the user's bucket is empty."""
        now = time.monotonic() if now_secs is None else now_secs
        rate = self.per_minute / 60.0
        tokens, last = self._buckets.get(user, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * rate)
        if tokens < 1.0:
            wait_secs = math.ceil((1.0 - tokens) / rate)
            self._buckets[user] = (tokens, now)
            raise HTTPException(
                status_code=429,
                detail=(
                    f"too many requests for user {user}: at most {self.per_minute:g} a minute; "
                    f"retry in {wait_secs} s"
                ),
                headers={"Retry-After": str(wait_secs)},
            )
        self._buckets[user] = (tokens - 1.0, now)
