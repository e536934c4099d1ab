"""WebSocket frames built once per event and written as they are to every client that can take them.

A server frame is unmasked (RFC 6455 §5.1), so the bytes of one message are the same for every
connection that negotiated no extension: the hub frames each event once instead of once per client.
"""

from __future__ import annotations

import struct
from typing import Protocol

_FIN_TEXT = 0x81
_SHORT_LENGTH_LIMIT = 126
_MEDIUM_LENGTH_LIMIT = 1 << 16


class FrameWriter(Protocol):
    """Writes pre-built frames straight to one client's transport, below the ASGI send."""

    def write_frame(self, frame: bytes) -> bool:
        """Write `frame` (one or more whole frames, back to back) now; False (nothing written) when
        it cannot: the connection is closing, its
        write buffer is full, or it negotiated an extension (permessage-deflate) that changes the bytes
        per connection. The caller then sends the message the ordinary way."""
        ...


def text_frame(payload: bytes) -> bytes:
    """One final, unmasked, uncompressed text frame carrying the UTF-8 `payload` (RFC 6455 §5.2)."""
    length = len(payload)
    if length < _SHORT_LENGTH_LIMIT:
        header = struct.pack("!BB", _FIN_TEXT, length)
    elif length < _MEDIUM_LENGTH_LIMIT:
        header = struct.pack("!BBH", _FIN_TEXT, 126, length)
    else:
        header = struct.pack("!BBQ", _FIN_TEXT, 127, length)
    return header + payload
