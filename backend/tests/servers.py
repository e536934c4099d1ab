"""Run the real `sectorlights` command as a subprocess, the way `make run` does."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.services import free_port

BACKEND_DIR = Path(__file__).resolve().parents[1]


def sectorlights_command() -> list[str]:
    installed = Path(sys.executable).with_name("sectorlights")
    if installed.exists():
        return [str(installed)]
    found = shutil.which("sectorlights")
    return [found] if found else [sys.executable, "-m", "sectorlights.cli"]


def command_env(extra: Mapping[str, str]) -> dict[str, str]:
    """The parent's environment without any SectorLights settings, plus `extra`."""
    names = ("DATABASE_URL", "REDIS_URL", "POLYGON_API_KEY", "MASSIVE_API_KEY", "FMP_API_KEY")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SECTORLIGHTS_") and k not in names}
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


def _wait_until_ready(
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


@contextmanager
def _running(
    command: list[str], env: Mapping[str, str], cwd: Path, ready_path: str, timeout_secs: float, what: str
) -> Iterator[str]:
    """`sectorlights COMMAND --port P` on a free port until `ready_path` answers; yields its base URL."""
    port = free_port()
    log_path = cwd / f"{what}-{port}.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        [*sectorlights_command(), *command, "--port", str(port)],
        env=command_env(env),
        cwd=cwd,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_ready(process, base_url + ready_path, log_path, timeout_secs, what)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@contextmanager
def running_server(
    env: Mapping[str, str], cwd: Path, ready_path: str = "/api/sectors", timeout_secs: float = 120
) -> Iterator[str]:
    """Migrate, serve on a free port, wait until `ready_path` answers 200; yields the base URL."""
    migrated = run_command(["migrate"], env, cwd)
    if migrated.returncode != 0:
        raise AssertionError(f"migrate failed: {migrated.stderr}")
    with _running(["serve"], env, cwd, ready_path, timeout_secs, "server") as base_url:
        yield base_url


@contextmanager
def running_sim_vendor(env: Mapping[str, str], cwd: Path, timeout_secs: float = 60) -> Iterator[str]:
    """`sectorlights sim-vendor` on a free port, ready to answer; yields its base URL."""
    with _running(
        ["sim-vendor"], env, cwd, "/v1/marketstatus/now?apiKey=k", timeout_secs, "vendor"
    ) as base_url:
        yield base_url
