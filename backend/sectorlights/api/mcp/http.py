"""`/mcp`: the MCP server over streamable HTTP, in the app, behind the API's own bearer check.

Stateless and answered with plain JSON: every request stands alone, so any replica behind the proxy
answers it and no stream is held open. The Host and Origin checks against DNS rebinding are the
app's (PerimeterMiddleware, as for `/api`), not the SDK's, so the served names are configured once.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import HTTPException
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from sectorlights.api.auth import current_user
from sectorlights.api.errors import REFUSED_ERRORS, error_response, refusal
from sectorlights.api.mcp.callers import USER_STATE, HttpCallers
from sectorlights.api.mcp.server import build_server
from sectorlights.engine.container import Container

PATH = "/mcp"
# Stateless, the SDK says "Terminating session: None" at INFO after every request.
logging.getLogger("mcp.server.streamable_http").setLevel(logging.WARNING)
NOT_SERVING = "MCP: the server is starting or stopping; try again shortly"


class McpEndpoint:
    """The ASGI endpoint at `/mcp`; it serves while `serving` runs (the app's lifespan)."""

    def __init__(self) -> None:
        self._manager: StreamableHTTPSessionManager | None = None

    @asynccontextmanager
    async def serving(self, container: Container) -> AsyncIterator[None]:
        server = build_server(container, HttpCallers())
        # Builds the session manager; the Starlette app it returns is not used, the endpoint is this.
        server.streamable_http_app(
            streamable_http_path=PATH,
            stateless_http=True,
            json_response=True,
            transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
        )
        manager = server.session_manager
        async with manager.run():
            self._manager = manager
            try:
                yield
            finally:
                self._manager = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        manager = self._manager
        if manager is None:
            await error_response(503, NOT_SERVING)(scope, receive, send)
            return
        try:
            # The API's own check: the local user with auth off, else the bearer token's user.
            user = await current_user(Request(scope, receive))
        except HTTPException as refused:
            response = error_response(refused.status_code, str(refused.detail), refused.headers)
            await response(scope, receive, send)
            return
        except REFUSED_ERRORS as error:
            answer = refusal(error)
            if answer is None:
                raise
            await error_response(answer.status_code, answer.detail, answer.headers)(scope, receive, send)
            return
        state = {**scope.get("state", {}), USER_STATE: user}
        await manager.handle_request({**scope, "state": state}, receive, send)
