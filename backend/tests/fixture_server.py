"""A local HTTP server that replays recorded vendor responses, with faults on demand.

    with FixtureServer(FIXTURES / "client-python/test_rest/mocks") as server:
        client = RESTClient(api_key="test", base=server.base_url)
        server.inject("/v2/snapshot", status=429, retry_after=1)   # the next snapshot request
        ...
        assert server.requests == ["/v2/snapshot/locale/us/markets/stocks/tickers?include_otc=false", ...]

File naming follows the upstream client-python mocks (`test_rest/base.py` there): the URL path plus
`.json`; the first `&` in a file name stands for `?`; `;` stands for `:`; `<path>/index.json` serves
the bare path. A request is answered by, in order:

1. `routes[path]` (a file for an exact path, whatever the query; for fixtures named otherwise);
2. `<path>&<query>.json` whose query equals the request's (`apiKey` is ignored);
3. `<path>&<query>.json` whose parameters are all in the request (the most specific wins);
4. `<path>.json`, then `<path>/index.json`;
5. a 404 in the vendor's shape (`{"status": "NOT_FOUND", "message": ...}`).

`next_url` values in replayed bodies point back at this server, so pagination stays local.

Faults: `inject(path_prefix, status=..., count=..., delay_secs=..., body=..., retry_after=...)` queues
a fault for the next `count` requests whose path starts with `path_prefix` (faults queued for the
same requests apply in order). `status=None` serves the fixture (after `delay_secs`) unless `body` is
given; `body` replaces the response body (e.g. truncated JSON); `retry_after` adds a Retry-After header.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import parse_qsl, urlsplit, urlunsplit

IGNORED_PARAMS = frozenset({"apiKey", "apikey"})

FIXTURES = Path(__file__).resolve().parent / "fixtures"
# The upstream client-python mocks and the samples from Polygon's documentation.
POLYGON_MOCKS = FIXTURES / "polygon" / "client-python" / "test_rest" / "mocks"
POLYGON_DOCS = FIXTURES / "polygon" / "docs-samples" / "stocks"
FMP_FIXTURES = FIXTURES / "fmp"


@dataclass(slots=True)
class Fault:
    path_prefix: str
    remaining: int
    status: int | None = None
    delay_secs: float = 0.0
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


class FixtureServer:
    """Replays the fixture tree under `root` on 127.0.0.1 (a free port) while the context is open."""

    def __init__(self, root: Path, routes: Mapping[str, Path] | None = None) -> None:
        self.root = root
        self.routes: dict[str, Path] = dict(routes or {})
        self.requests: list[str] = []  # request targets in arrival order: path?query, apiKey removed
        self._faults: list[Fault] = []
        self._listings: dict[Path, tuple[int, dict[str, list[str]]]] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.base_url = ""

    # --- lifecycle --------------------------------------------------------------------------------

    def __enter__(self) -> FixtureServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        server.daemon_threads = True
        self._server = server
        self.base_url = f"http://127.0.0.1:{server.server_address[1]}"
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="fixture-server", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    # --- configuration ----------------------------------------------------------------------------

    def inject(
        self,
        path_prefix: str,
        *,
        status: int | None = None,
        count: int = 1,
        delay_secs: float = 0.0,
        body: str | bytes | None = None,
        retry_after: float | str | None = None,
    ) -> None:
        """Queue a fault for the next `count` requests whose path starts with `path_prefix`."""
        headers = {} if retry_after is None else {"Retry-After": str(retry_after)}
        raw = body.encode() if isinstance(body, str) else body
        with self._lock:
            self._faults.append(Fault(path_prefix, count, status, delay_secs, raw, headers))

    def route(self, path: str, file: Path) -> None:
        """Answer `path` (any query) with `file`."""
        self.routes[path] = file

    def hits(self, path_prefix: str) -> int:
        """How many requests so far had a path starting with `path_prefix`."""
        with self._lock:
            return sum(1 for target in self.requests if target.startswith(path_prefix))

    # --- serving ----------------------------------------------------------------------------------

    def _take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.remaining > 0 and path.startswith(fault.path_prefix):
                    fault.remaining -= 1
                    return fault
        return None

    def _record(self, path: str, params: list[tuple[str, str]]) -> None:
        query = "&".join(f"{key}={value}" for key, value in params)
        with self._lock:
            self.requests.append(f"{path}?{query}" if query else path)

    def answer(self, target: str) -> tuple[int, dict[str, str], bytes, float]:
        """(status, headers, body, delay) for one request target."""
        parts = urlsplit(target)
        path = parts.path
        params = [
            (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in IGNORED_PARAMS
        ]
        self._record(path, params)
        fault = self._take_fault(path)
        delay = fault.delay_secs if fault is not None else 0.0
        if fault is not None and (fault.status is not None or fault.body is not None):
            status = fault.status if fault.status is not None else 200
            body = fault.body
            if body is None:
                body = json.dumps({"status": "ERROR", "error": f"injected HTTP {status}"}).encode()
            return status, {"Content-Type": "application/json", **fault.headers}, body, delay
        file = self.resolve(path, params)
        if file is None:
            message = {"status": "NOT_FOUND", "message": f"no fixture for {path}"}
            return 404, {"Content-Type": "application/json"}, json.dumps(message).encode(), delay
        return 200, {"Content-Type": "application/json"}, self._rewritten(file.read_bytes()), delay

    def resolve(self, path: str, params: list[tuple[str, str]]) -> Path | None:
        """The fixture file that answers `path` with `params`, if any."""
        if path in self.routes:
            return self.routes[path]
        relative = path.lstrip("/").replace(":", ";")
        if not relative:
            return None
        base = self.root / relative
        wanted = sorted(params)
        best: tuple[int, Path] | None = None
        parent, stem = base.parent, base.name
        for name in self._query_files(parent).get(stem, ()):
            query = name[len(stem) + 1 : -len(".json")]
            have = sorted(parse_qsl(query, keep_blank_values=True))
            if have == wanted:
                return parent / name
            if all(item in wanted for item in have) and (best is None or len(have) > best[0]):
                best = (len(have), parent / name)
        if best is not None:
            return best[1]
        for candidate in (base.with_name(stem + ".json"), base / "index.json"):
            if candidate.is_file():
                return candidate
        return None

    def _query_files(self, directory: Path) -> dict[str, list[str]]:
        """{stem: names of `stem&query.json` files} in `directory` (cached until it changes)."""
        try:
            stamp = directory.stat().st_mtime_ns
        except OSError:
            return {}
        with self._lock:
            cached = self._listings.get(directory)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        index: dict[str, list[str]] = {}
        for entry in directory.iterdir():
            name = entry.name
            if "&" in name and name.endswith(".json"):
                index.setdefault(name.split("&", 1)[0], []).append(name)
        with self._lock:
            self._listings[directory] = (stamp, index)
        return index

    def _rewritten(self, body: bytes) -> bytes:
        """`body` with a top-level `next_url` pointing at this server."""
        if b'"next_url"' not in body:
            return body
        try:
            decoded = json.loads(body)
        except ValueError:
            return body
        next_url = decoded.get("next_url") if isinstance(decoded, dict) else None
        if not isinstance(next_url, str):
            return body
        ours = urlsplit(self.base_url)
        theirs = urlsplit(next_url)
        decoded["next_url"] = urlunsplit((ours.scheme, ours.netloc, theirs.path, theirs.query, ""))
        return json.dumps(decoded).encode()

    def sleep(self, seconds: float) -> None:
        """Wait `seconds`, or less when the server stops."""
        self._stopping.wait(seconds)


def _handler_for(server: FixtureServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive: the client's pool reuses connections
        disable_nagle_algorithm = True  # headers and body go out at once, no delayed-ACK stalls

        def do_GET(self) -> None:
            status, headers, body, delay = server.answer(self.path)
            if delay > 0:
                server.sleep(delay)
            try:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler
