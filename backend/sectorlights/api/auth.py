"""Who is calling: the single local user on the embedded default, a token's user with
`SECTORLIGHTS_AUTH=required`; and a budget per caller (a user, or a client address with auth off)
for each action that costs something."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import HTTPException, Request, Security, WebSocket, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.requests import HTTPConnection

from sectorlights.domain.credentials import UserCredential
from sectorlights.domain.preferences import LOCAL_USER
from sectorlights.engine.action_limits import Action, ActionLimiter, ActionLimitError
from sectorlights.engine.ws_tickets import TicketStoreError

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


class WebSocketRefusedError(Exception):
    """Why a `/ws` connection is not let in, and the close code that says so."""

    def __init__(self, reason: str, code: int = status.WS_1008_POLICY_VIOLATION) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


@dataclass(frozen=True, slots=True)
class WebSocketCaller:
    """Who opened a `/ws` socket; `credential` (None with auth off) is re-checked while it is open."""

    user: str
    credential: UserCredential | None


async def websocket_caller(websocket: WebSocket) -> WebSocketCaller:
    """The caller of a WebSocket: an `Authorization: Bearer` header (non-browser clients), else a
    `?ticket=` from `POST /api/ws-ticket` (redeemed once). The header wins over any query credential;
    `?token=` is refused, as a long-lived token in a URL ends up in logs and history.
    WebSocketRefusedError naming the problem when auth is required and neither lets the caller in."""
    if websocket.app.state.settings.server.auth == "off":
        return WebSocketCaller(LOCAL_USER, None)
    users = websocket.app.state.container.users
    header = websocket.headers.get("authorization")
    if header is not None:
        try:
            token = bearer_token(header)
        except HTTPException as refused:
            raise WebSocketRefusedError(str(refused.detail)) from None
        credential: UserCredential | None = await users.credential(token)
        if credential is None:
            raise WebSocketRefusedError("Authorization: unknown token")
        return WebSocketCaller(credential.user, credential)
    if "token" in websocket.query_params:
        raise WebSocketRefusedError(
            "?token= is not accepted: get a ticket from POST /api/ws-ticket and open /ws?ticket=..."
        )
    ticket = websocket.query_params.get("ticket")
    if not ticket:
        raise WebSocketRefusedError(
            "Authorization: missing; open /ws?ticket=... (POST /api/ws-ticket) or send "
            "`Authorization: Bearer <token>`"
        )
    try:
        credential = await websocket.app.state.container.ws_tickets.redeem(ticket)
    except TicketStoreError:
        raise WebSocketRefusedError(
            "tickets cannot be checked now; try again", status.WS_1013_TRY_AGAIN_LATER
        ) from None
    # A ticket issued just before its user was removed or its token rotated does not open a socket.
    if credential is None or credential not in await users.current({credential}):
        raise WebSocketRefusedError("ticket unknown, used or expired: get a new one from POST /api/ws-ticket")
    return WebSocketCaller(credential.user, credential)


async def ticket_credential(request: Request, user: str) -> UserCredential:
    """The credential a `/ws` ticket of this request's caller stands for: its user and token digest
    (an empty digest with auth off, where sockets are not re-checked)."""
    if request.app.state.settings.server.auth == "off":
        return UserCredential(user, "")
    token = bearer_token(request.headers.get("authorization"))
    credential: UserCredential = request.app.state.container.users.credential_of(user, token)
    return credential


def rate_subject(connection: HTTPConnection, user: str) -> str:
    """Whose allowance an action spends: the user's with auth required; with auth off everyone is
    the same local user, so the client's address (the proxy's X-Forwarded-For, where uvicorn trusts
    the proxy: SECTORLIGHTS_FORWARDED_ALLOW_IPS)."""
    address = connection.client.host if connection.client is not None else "unknown"
    return caller_subject(connection.app.state.settings.server.auth == "required", user, address)


def caller_subject(auth_required: bool, user: str, client: str) -> str:
    """The rate-limit subject of a caller: `user NAME` with auth required, else `client ADDRESS`."""
    return f"user {user}" if auth_required else f"client {client}"


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
