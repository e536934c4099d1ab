"""Who calls a tool: a user, and whose allowance the on-demand run spends, as the API decides it.

Over HTTP the `/mcp` endpoint lets a caller in with the API's bearer check and leaves the user in
the request's state. Over stdio the process is the user's own; with SECTORLIGHTS_AUTH=required it
acts for the user of SECTORLIGHTS_MCP_TOKEN, checked against the user store on every call (as the API
checks every request), so a removed user or a rotated token stops working at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from starlette.requests import Request

from sectorlights.api.auth import caller_subject, rate_subject
from sectorlights.domain.preferences import LOCAL_USER
from sectorlights.engine.users import UserService

# Where the `/mcp` endpoint leaves the user it let in, in the request's state.
USER_STATE = "sectorlights_user"
# The client of a stdio server, for the rate-limit subject with auth off (no address to key on).
STDIO_CLIENT = "stdio"
UNKNOWN_TOKEN = (
    "SECTORLIGHTS_MCP_TOKEN: unknown token (SECTORLIGHTS_AUTH=required: a token from "
    "`sectorlights users add`)"
)
MISSING_TOKEN = (
    "SECTORLIGHTS_MCP_TOKEN: missing; SECTORLIGHTS_AUTH=required needs a token from `sectorlights users add`"
)


@dataclass(frozen=True, slots=True)
class Caller:
    user: str
    # Whose allowance of on-demand runs a request spends (`user NAME`, or `client ADDRESS` with auth off).
    subject: str


class Callers(Protocol):
    async def caller(self, context: Context[Any, Any]) -> Caller:
        """The caller of this tool call; ToolError naming why when it is not let in."""
        ...


class HttpCallers:
    """The user the `/mcp` endpoint let in; the subject as the API's rate limits name it."""

    async def caller(self, context: Context[Any, Any]) -> Caller:
        request = context.request_context.request
        if not isinstance(request, Request):
            raise ToolError("this server answers over HTTP only")
        user: str = getattr(request.state, USER_STATE)
        return Caller(user, rate_subject(request, user))


class StdioCallers:
    """The local user with auth off; with auth required, the user of the token the process got."""

    def __init__(self, users: UserService, auth_required: bool, token: str | None) -> None:
        self.users = users
        self.auth_required = auth_required
        self.token = token

    async def user(self) -> str:
        """The user this process acts for; ToolError naming the problem with the token."""
        if not self.auth_required:
            return LOCAL_USER
        if not self.token:
            raise ToolError(MISSING_TOKEN)
        user = await self.users.authenticate(self.token)
        if user is None:
            raise ToolError(UNKNOWN_TOKEN)
        return user

    async def caller(self, context: Context[Any, Any]) -> Caller:
        user = await self.user()
        return Caller(user, caller_subject(self.auth_required, user, STDIO_CLIENT))
