"""Run the real `sectorlights` command as a subprocess, the way `make run` does, or an app on a real
uvicorn in a thread."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from tests.services import free_port

BACKEND_DIR = Path(__file__).resolve().parents[1]


def sectorlights_command() -> list[str]:
    installed = Path(sys.executable).with_name("sectorlights")
    if installed.exists():
        return [str(installed)]
    found = shutil.which("sectorlights")
    return [found] if found else [sys.executable, "-m", "sectorlights.cli"]


# What SectorLights reads besides its SECTORLIGHTS_ variables.
UNPREFIXED_SETTINGS = (
    "DATABASE_URL",
    "REDIS_URL",
    "POLYGON_API_KEY",
    "MASSIVE_API_KEY",
    "FMP_API_KEY",
    "POLYGON_BASE_URL",
    "MASSIVE_API_BASE_URL",
    "FMP_BASE_URL",
    "MASSIVE_LLMS_TXT_URL",
    "MASSIVE_MAX_TABLES",
    "MASSIVE_MAX_ROWS",
)


def is_setting(name: str) -> bool:
    """Whether SectorLights reads the environment variable `name`."""
    return name.startswith("SECTORLIGHTS_") or name in UNPREFIXED_SETTINGS


def command_env(extra: Mapping[str, str]) -> dict[str, str]:
    """The parent's environment without any SectorLights settings, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not is_setting(k)}
    env.update(extra)
    return env


def run_command(
    args: list[str], env: Mapping[str, str], cwd: Path, timeout_secs: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*sectorlights_command(), *args],
        env=command_env(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout_secs,
        check=False,
    )


def wait_until_ready(
    process: subprocess.Popen[bytes], url: str, log_path: Path, timeout_secs: float, what: str
) -> None:
    """Poll `url` until it answers 200; AssertionError with the log when the process dies or times out."""
    deadline = time.monotonic() + timeout_secs
    while True:
        if process.poll() is not None:
            raise AssertionError(f"{what} exited: {log_path.read_text()}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not ready: {log_path.read_text()}")
        time.sleep(0.2)


@dataclass
class RunningProcess:
    """A started `sectorlights` process: where it answers, the process itself and its log."""

    base_url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text()


@contextmanager
def running_process(
    command: list[str],
    env: Mapping[str, str],
    cwd: Path,
    ready_path: str,
    timeout_secs: float,
    what: str,
    port: int | None = None,
    program: list[str] | None = None,
) -> Iterator[RunningProcess]:
    """`sectorlights COMMAND --port P` (a free port unless `port` is given; the project's
    `sectorlights` unless `program` is given) until `ready_path` answers; yields the process, stopped
    afterwards unless it already exited. The log is appended to, so the same port and directory can
    serve again."""
    port = free_port() if port is None else port
    log_path = cwd / f"{what}-{port}.log"
    with log_path.open("a") as log:
        process = subprocess.Popen(
            [*(program or sectorlights_command()), *command, "--port", str(port)],
            env=command_env(env),
            cwd=cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        running = RunningProcess(f"http://127.0.0.1:{port}", process, log_path)
        try:
            wait_until_ready(process, running.base_url + ready_path, log_path, timeout_secs, what)
            yield running
        finally:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=5)


def migrate(env: Mapping[str, str], cwd: Path) -> None:
    """`sectorlights migrate`; AssertionError with its stderr when it fails."""
    migrated = run_command(["migrate"], env, cwd)
    if migrated.returncode != 0:
        raise AssertionError(f"migrate failed: {migrated.stderr}")


def wait_run(base_url: str, run_id: str, timeout_secs: float = 60) -> None:
    """Until the analysis run `run_id` of the server at `base_url` is no longer running."""
    deadline = time.monotonic() + timeout_secs
    while httpx.get(f"{base_url}/api/analysis/{run_id}", timeout=30).json()["status"] == "running":
        assert time.monotonic() < deadline, f"run {run_id} did not finish"
        time.sleep(0.1)


@contextmanager
def running_server(
    env: Mapping[str, str], cwd: Path, ready_path: str = "/api/sectors", timeout_secs: float = 120
) -> Iterator[str]:
    """Migrate, serve on a free port, wait until `ready_path` answers 200; yields the base URL."""
    migrate(env, cwd)
    with running_process(["serve"], env, cwd, ready_path, timeout_secs, "server") as server:
        yield server.base_url


@contextmanager
def running_sim_vendor(env: Mapping[str, str], cwd: Path, timeout_secs: float = 60) -> Iterator[str]:
    """`sectorlights sim-vendor` on a free port, ready to answer; yields its base URL."""
    with running_process(
        ["sim-vendor"], env, cwd, "/v1/marketstatus/now?apiKey=k", timeout_secs, "vendor"
    ) as vendor:
        yield vendor.base_url


@contextmanager
def uvicorn_in_thread(
    app: Any, timeout_secs: float = 30, **config: Any
) -> Iterator[tuple[str, uvicorn.Server]]:
    """`app` on a real uvicorn in a daemon thread on a free 127.0.0.1 port, with `config` passed on
    to `uvicorn.Config` (`ws=...`, `log_level=...`, ...); yields its base URL and the server,
    stopped afterwards."""
    port = free_port()
    settings = {"log_level": "warning"} | config
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, **settings))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout_secs
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}", server
    finally:
        server.should_exit = True
        thread.join(timeout=15)
