"""Whether the API needs a token and whose the caller's is; tickets that open `/ws` without one in
its URL."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from sectorlights.api.auth import bearer_token, ticket_credential
from sectorlights.api.deps import ContainerDep, UserDep
from sectorlights.api.errors import error_responses
from sectorlights.engine.ws_tickets import TicketStoreError

router = APIRouter(prefix="/api", tags=["session"])


class Session(BaseModel):
    auth: Literal["off", "required"] = Field(description="required: every /api call needs a token")
    user: str | None = Field(
        description="whose the caller's bearer token is; null when auth is required and the caller "
        "sent no valid token (`local` with auth off)"
    )


class WsTicket(BaseModel):
    ticket: str = Field(description="open `/ws?ticket=<ticket>` with it, once")
    expires_in_secs: float = Field(description="seconds the ticket stays valid")


@router.get("/session")
async def get_session(request: Request, container: ContainerDep) -> Session:
    """Open to everyone, so the dashboard can tell before it has a token whether it needs one: the
    auth mode, and the user of the caller's `Authorization: Bearer` token (null without a valid one;
    never a 401)."""
    settings = request.app.state.settings
    if settings.server.auth == "off":
        return Session(auth="off", user="local")
    try:
        token = bearer_token(request.headers.get("authorization"))
    except HTTPException:
        return Session(auth="required", user=None)
    return Session(auth="required", user=await container.users.authenticate(token))


@router.post("/ws-ticket", responses=error_responses(401))
async def create_ws_ticket(request: Request, user: UserDep, container: ContainerDep) -> WsTicket:
    """A short-lived ticket that opens one `/ws` socket as the caller (`/ws?ticket=...`, used once):
    browsers cannot send a header on a WebSocket, and a token in a URL would be logged."""
    credential = await ticket_credential(request, user)
    try:
        ticket = await container.ws_tickets.issue(credential)
    except TicketStoreError:
        raise HTTPException(
            status_code=503, detail="tickets cannot be issued now; try again", headers={"Retry-After": "1"}
        ) from None
    return WsTicket(ticket=ticket, expires_in_secs=container.ws_tickets.ttl_secs)
