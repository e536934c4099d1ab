"""`/ws`: live updates (DESIGN §8)."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Annotated

from fastapi import APIRouter, Query, WebSocket, WebSocketDisconnect, status

from sectorlights.api.auth import websocket_user
from sectorlights.api.deps import HubDep
from sectorlights.api.frames import frame_writer
from sectorlights.domain.messages import WsSchema, ws_schema

router = APIRouter(tags=["live"])

# The schemas never change while the process runs.
WS_SCHEMA = ws_schema()


@router.get("/api/ws-schema")
async def get_ws_schema() -> WsSchema:
    """A JSON Schema (draft 2020-12) per `/ws` message type: snapshot, sector_update,
    significant_move, top_stocks_change, analysis_progress and heartbeat."""
    return WS_SCHEMA


@router.websocket("/ws")
async def live_updates(
    websocket: WebSocket,
    hub: HubDep,
    since: Annotated[
        int | None, Query(ge=0, description="the last seq received; replays what followed")
    ] = None,
) -> None:
    """A snapshot on connect (or the events after `since`), then every update and a heartbeat."""
    user = await websocket_user(websocket)
    if user is None:
        await websocket.close(
            code=status.WS_1008_POLICY_VIOLATION, reason="Authorization: missing or unknown token"
        )
        return
    await websocket.accept()

    async def until_client_leaves() -> None:
        # Messages from the client are not part of the protocol; reading them notices the close.
        with contextlib.suppress(WebSocketDisconnect):
            while True:
                await websocket.receive_text()

    sender = asyncio.create_task(hub.serve(websocket, since, frame_writer(websocket)))
    listener = asyncio.create_task(until_client_leaves())
    done, pending = await asyncio.wait({sender, listener}, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
    for task in done:
        error = task.exception()
        if error is not None and not isinstance(error, WebSocketDisconnect | RuntimeError):
            raise error
