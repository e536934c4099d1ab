"""Pre-built `/ws` frames written straight to uvicorn's transport (the hub's `FrameWriter`).

Every ASGI send of a message costs a task switch, Starlette's and the middlewares' send wrappers, a
UTF-8 encode and a framing per client; with 1,000 clients that was most of an event's delivery time.
When the app runs on uvicorn's sans-I/O websockets protocol, the outermost middleware hands the hub
a writer over that connection's transport, so the hub writes the frame it built once per event.

Compression: a connection that negotiated permessage-deflate has its own compressor state, so the
shared bytes do not apply to it; its writer declines and the hub sends through ASGI as before.
`sectorlights serve` turns permessage-deflate off, so in practice every connection takes the frames.
"""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

from sectorlights.live.frames import FrameWriter

#: The key of the writer in the ASGI scope's `extensions`.
FRAME_WRITER_EXTENSION = "sectorlights.frame_writer"


class _SansIOFrameWriter:
    def __init__(self, protocol: WebSocketsSansIOProtocol) -> None:
        self._protocol = protocol

    def write_frame(self, frame: bytes) -> bool:
        protocol = self._protocol
        connection = protocol.conn
        if (
            protocol.close_sent
            or protocol.disconnected
            or not protocol.handshake_complete
            or protocol.initial_response is not None
            # Paused by the transport's high-water mark: the hub queues and its send waits.
            or not protocol.writable.is_set()
            or protocol.transport.is_closing()
            # By name: websockets comes with uvicorn and is not a dependency of its own here.
            or connection.state.name != "OPEN"
            or connection.extensions
        ):
            return False
        protocol.transport.write(frame)
        return True


class FrameWriterMiddleware:
    """Outermost middleware: puts a `FrameWriter` in a WebSocket scope's extensions when the server's
    send is uvicorn's sans-I/O protocol (other servers and test clients get none)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            protocol = getattr(send, "__self__", None)
            if isinstance(protocol, WebSocketsSansIOProtocol):
                extensions: dict[str, Any] = {**(scope.get("extensions") or {})}
                extensions[FRAME_WRITER_EXTENSION] = _SansIOFrameWriter(protocol)
                scope = {**scope, "extensions": extensions}
        await self.app(scope, receive, send)


def frame_writer(websocket: WebSocket) -> FrameWriter | None:
    """The writer `FrameWriterMiddleware` left for this connection, if any."""
    writer: FrameWriter | None = (websocket.scope.get("extensions") or {}).get(FRAME_WRITER_EXTENSION)
    return writer
