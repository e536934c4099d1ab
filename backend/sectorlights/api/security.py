"""The app's perimeter, checked before routing: whose page may drive the API, how large a body may
be, and the headers every response carries.

With auth off nothing identifies a caller, so any web page the user visits could drive the API from
their browser. Two browser facts close that: a page on another site reaches this server under its
own host name (DNS rebinding), so only loopback names (and SECTORLIGHTS_ALLOWED_HOSTS) are served;
and a browser names the page's origin on every cross-site POST and WebSocket handshake, so a
state-changing request or a `/ws` handshake whose Origin is not this server's is refused. Clients
that are not browsers (curl, scripts) send no Origin and are unaffected. With auth required a
request needs a bearer token, which a browser never adds by itself, so neither check applies.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sectorlights.settings import ServerSettings

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
WS_POLICY_VIOLATION = 1008
# A close reason is at most 123 bytes: the WebSocket refusals are named briefly.
WS_REASONS = {400: "Host not served with SECTORLIGHTS_AUTH=off", 403: "Origin is not this server"}

# Everything from this server: no inline script or style, no framing, no plugins.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
)


def host_name(value: str) -> str:
    """The lower-case name of a Host header or an allowed-host entry, without port or brackets."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1:].partition("]")[0]
    name, colon, port = value.rpartition(":")
    # Exactly one colon and digits after it: a port. More colons: a bare IPv6 address.
    if colon and ":" not in name and port.isdigit():
        return name
    return value


def _host_and_port(value: str) -> tuple[str, int | None] | None:
    """A Host header as (name, explicit port or None); None when it is not a host[:port]."""
    value = value.strip().lower()
    if value.startswith("["):
        name, bracket, rest = value[1:].partition("]")
        port = rest.removeprefix(":") if rest.startswith(":") else None
        if not bracket or (rest and port is None):
            return None
    else:
        name, colon, port = value.partition(":")
        if not colon:
            port = None
    if not name or (port is not None and not port.isdigit()):
        return None
    return name, int(port) if port is not None else None


def same_origin(origin: str, host: str) -> bool:
    """Whether the Origin header names the server the Host header names: same host name and port
    (an Origin without a port is at its scheme's default port)."""
    if origin == "null":
        return False
    try:
        parts = urlsplit(origin)
        origin_port = parts.port
    except ValueError:
        return False
    default_port = DEFAULT_PORTS.get(parts.scheme)
    served = _host_and_port(host)
    if default_port is None or parts.hostname is None or served is None:
        return False
    name, port = served
    if parts.hostname != name:
        return False
    origin_port = origin_port if origin_port is not None else default_port
    # A Host without a port is at the default port of whatever scheme the browser used.
    return origin_port == port if port is not None else origin_port == default_port


@dataclass(frozen=True, slots=True)
class Perimeter:
    """What the middleware enforces, from the server settings."""

    auth_off: bool
    allowed_hosts: frozenset[str]
    max_body_bytes: int

    @classmethod
    def of(cls, server: ServerSettings) -> Perimeter:
        return cls(
            auth_off=server.auth == "off",
            allowed_hosts=LOOPBACK_HOSTS | {host_name(name) for name in server.allowed_hosts},
            max_body_bytes=server.max_body_bytes,
        )

    def refusal(self, scope: Scope, headers: dict[bytes, bytes]) -> tuple[int, str] | None:
        """Why a request or handshake is refused (status, detail), or None."""
        if not self.auth_off:
            return None
        host = headers.get(b"host", b"").decode("latin-1")
        if host_name(host) not in self.allowed_hosts:
            return 400, (
                f"Host: {host!r} is not served with SECTORLIGHTS_AUTH=off (only localhost, 127.0.0.1, "
                "[::1] and SECTORLIGHTS_ALLOWED_HOSTS)"
            )
        origin = headers.get(b"origin")
        if origin is None or (scope["type"] == "http" and scope["method"] not in UNSAFE_METHODS):
            return None
        if not same_origin(origin.decode("latin-1"), host):
            return 403, f"Origin: {origin.decode('latin-1')!r} is not this server; refused with auth off"
        return None


def _json_error(status: int, detail: str) -> tuple[list[tuple[bytes, bytes]], bytes]:
    body = json.dumps({"detail": detail}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"),
        *SECURITY_HEADERS,
    ]
    return headers, body


class PerimeterMiddleware:
    """Host and Origin checks with auth off, the body cap, and the security headers. Plain ASGI,
    inside the frame writer (which needs the server's own send) and outside everything else."""

    def __init__(self, app: ASGIApp, server: ServerSettings) -> None:
        self.app = app
        self.perimeter = Perimeter.of(server)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        refusal = self.perimeter.refusal(scope, headers)
        if scope["type"] == "websocket":
            if refusal is not None:
                # Before the handshake is accepted: the server answers it with a 403.
                await send(
                    {"type": "websocket.close", "code": WS_POLICY_VIOLATION, "reason": WS_REASONS[refusal[0]]}
                )
                return
            await self.app(scope, receive, send)
            return
        if refusal is None:
            refusal, receive = await self._bounded_body(headers, receive)
        if refusal is not None:
            await self._refuse(send, *refusal)
            return
        await self.app(scope, receive, _with_security_headers(send))

    async def _bounded_body(
        self, headers: dict[bytes, bytes], receive: Receive
    ) -> tuple[tuple[int, str] | None, Receive]:
        """413 for a body over the cap, by its Content-Length or, when streamed, as it arrives; a
        body within it is read here (at most the cap) and handed on as one message."""
        limit = self.perimeter.max_body_bytes
        too_large = (413, f"request body: larger than {limit} bytes (SECTORLIGHTS_MAX_BODY_BYTES)")
        length = headers.get(b"content-length")
        if length is not None:
            if not length.strip().isdigit():
                return (400, "Content-Length: not a number"), receive
            if int(length) > limit:
                return too_large, receive
        if (length is None or int(length) == 0) and b"transfer-encoding" not in headers:
            return None, receive
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                # The client left: hand the disconnect on.
                return None, _replay([message], receive)
            chunk: bytes = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return too_large, receive
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return None, _replay(
            [{"type": "http.request", "body": b"".join(chunks), "more_body": False}], receive
        )

    @staticmethod
    async def _refuse(send: Send, status: int, detail: str) -> None:
        headers, body = _json_error(status, detail)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _replay(messages: Iterable[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed


def _with_security_headers(send: Send) -> Send:
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            present = {name.lower() for name, _ in message.get("headers", [])}
            extra = [(name, value) for name, value in SECURITY_HEADERS if name not in present]
            message = {**message, "headers": [*message.get("headers", []), *extra]}
        await send(message)

    return sending
