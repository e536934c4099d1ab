"""`/ws`: live updates (DESIGN §8)."""

from __future__ import annotations

import asyncio
import contextlib
import re
from typing import Annotated

from fastapi import APIRouter, Query, WebSocket, WebSocketDisconnect, status

from sectorlights.api.auth import WebSocketRefusedError, websocket_caller
from sectorlights.api.deps import HubDep
from sectorlights.api.frames import frame_writer
from sectorlights.domain.messages import WsSchema, ws_schema
from sectorlights.live.hub import CredentialRevokedError

router = APIRouter(tags=["live"])

# The schemas never change while the process runs.
WS_SCHEMA = ws_schema()
# A seq is a whole number; 15 digits stay below JavaScript's largest exact integer and Redis's ids.
SINCE = re.compile(r"[0-9]{1,15}")
BAD_SINCE = "since: expected the last seq received, a whole number from 0 to 999999999999999"


@router.get("/api/ws-schema")
async def get_ws_schema() -> WsSchema:
    """A JSON Schema (draft 2020-12) per `/ws` message type: snapshot, sector_update,
    significant_move, top_stocks_change, analysis_progress and heartbeat."""
    return WS_SCHEMA


@router.websocket("/ws")
async def live_updates(
    websocket: WebSocket,
    hub: HubDep,
    since: Annotated[str | None, Query(description="the last seq received; replays what followed")] = None,
) -> None:
    """A snapshot on connect (or the events after `since`), then every update and a heartbeat.
    With SECTORLIGHTS_AUTH=required: `?ticket=` from `POST /api/ws-ticket`, or an `Authorization`
    header (which wins); the socket is closed (1008) once its user is removed or its token rotated."""
    try:
        caller = await websocket_caller(websocket)
    except WebSocketRefusedError as refused:
        await websocket.close(code=refused.code, reason=refused.reason)
        return
    await websocket.accept()
    # Checked once accepted, so the client gets the close code and its reason.
    if since is not None and not SINCE.fullmatch(since):
        await websocket.close(code=status.WS_1008_POLICY_VIOLATION, reason=BAD_SINCE)
        return
    since_seq = None if since is None else int(since)

    async def until_client_leaves() -> None:
        # Messages from the client are not part of the protocol; reading them notices the close.
        with contextlib.suppress(WebSocketDisconnect):
            while True:
                await websocket.receive_text()

    sender = asyncio.create_task(hub.serve(websocket, since_seq, frame_writer(websocket), caller.credential))
    listener = asyncio.create_task(until_client_leaves())
    done, pending = await asyncio.wait({sender, listener}, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
    for task in done:
        error = task.exception()
        if isinstance(error, CredentialRevokedError):
            with contextlib.suppress(Exception):
                await websocket.close(code=status.WS_1008_POLICY_VIOLATION, reason=str(error))
            return
        if error is not None and not isinstance(error, WebSocketDisconnect | RuntimeError):
            raise error
