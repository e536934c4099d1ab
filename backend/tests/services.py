"""Throwaway PostgreSQL databases and Redis servers for tests.

With CI=true a missing service fails the test instead of skipping it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

IN_CI = os.environ.get("CI", "").lower() == "true"
POSTGRES_ADMIN_URL = os.environ.get(
    "SECTORLIGHTS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def unavailable(reason: str) -> None:
    """Fail in CI, skip elsewhere."""
    if IN_CI:
        pytest.fail(f"service needed in CI is missing: {reason}")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def nginx_binary() -> str:
    """Debian's nginx (the deployment's proxy); unavailable() when it is not installed."""
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if nginx is None:
        unavailable("nginx is not installed (apt-get install nginx-light)")
        raise AssertionError("unreachable")
    return nginx


@contextmanager
def throwaway_postgres_database() -> Iterator[str]:
    """A fresh database on the local PostgreSQL server, dropped afterwards; yields its URL."""
    admin = create_engine(
        POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5}
    )
    name = f"sectorlights_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        admin.dispose()
        unavailable(f"PostgreSQL at {make_url(POSTGRES_ADMIN_URL).render_as_string()}: {error}")
    try:
        yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def wait_for_port(process: subprocess.Popen[bytes], port: int, what: str, timeout_secs: float) -> None:
    """Return once `process` accepts connections on `port`; unavailable() when it exits or times out."""
    deadline = time.monotonic() + timeout_secs
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                output = process.stderr.read() if process.poll() is not None and process.stderr else b""
                unavailable(f"{what} did not start on port {port}: {output.decode()[-500:]}".rstrip(": "))
            time.sleep(0.05)


@contextmanager
def redis_server_process(port: int | None = None) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A redis-server of our own (on `port`, else a free one) that a test may stop, pause or
    restart, stopped afterwards; yields its URL and process."""
    binary = shutil.which("redis-server")
    if binary is None:
        unavailable("redis-server is not installed")
        raise AssertionError("unreachable")
    port = free_port() if port is None else port
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(process, port, "redis-server", timeout_secs=10)
        yield f"redis://127.0.0.1:{port}/0", process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGCONT)  # a paused server cannot stop
            process.terminate()
            process.wait(timeout=10)


@contextmanager
def throwaway_redis_server() -> Iterator[str]:
    """A redis-server of our own on a free port, stopped afterwards; yields its URL."""
    with redis_server_process() as (url, _process):
        yield url


class TcpProxy:
    """A TCP forwarder on a free 127.0.0.1 port to `target`, which a test can cut (connections
    dropped, new ones refused, as when the server behind it stops) and restore on the same port:
    a shared server (the local PostgreSQL) seen to go away and come back, without stopping it."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()

    def restore(self) -> None:
        """Listen (again) on `port`."""
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        """Drop every connection and stop listening: new connections are refused."""
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
            listener.close()
        with self._lock:
            connections, self._connections = self._connections, set()
        for connection in connections:
            _drop(connection)

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _address = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._connections |= {client, upstream}
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            with self._lock:
                self._connections -= {source, sink}
            _drop(source)
            _drop(sink)


def _drop(connection: socket.socket) -> None:
    with contextlib.suppress(OSError):
        connection.shutdown(socket.SHUT_RDWR)
    connection.close()


@contextmanager
def tcp_proxy(target_host: str, target_port: int) -> Iterator[TcpProxy]:
    """A `TcpProxy` listening to `target`, cut afterwards."""
    proxy = TcpProxy(target_host, target_port)
    proxy.restore()
    try:
        yield proxy
    finally:
        proxy.cut()


TIMESCALEDB_SERVER = Path(__file__).parent / "timescaledb" / "server.mjs"


@contextmanager
def throwaway_timescaledb_server() -> Iterator[str]:
    """A TimescaleDB engine of our own (PGlite with TimescaleDB over the PostgreSQL protocol, in
    memory) on a free port, stopped afterwards; yields its URL. It serves one connection at a time,
    so an engine on it needs a pool of one (`timescaledb_engine`)."""
    node = shutil.which("node")
    modules = TIMESCALEDB_SERVER.parent / "node_modules"
    if node is None or not modules.is_dir():
        unavailable(f"TimescaleDB test engine needs node and `npm ci` in {TIMESCALEDB_SERVER.parent.name}/")
        raise AssertionError("unreachable")
    port = free_port()
    process = subprocess.Popen(
        [node, str(TIMESCALEDB_SERVER), str(port)],
        cwd=TIMESCALEDB_SERVER.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        # The WebAssembly engine takes a few seconds to start.
        wait_for_port(process, port, "TimescaleDB test engine", timeout_secs=60)
        # Any password is accepted; the engine does not speak TLS.
        yield f"postgresql+psycopg://postgres:test@127.0.0.1:{port}/postgres?sslmode=disable"
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=10)
