"""The soak's processes, each one the soak can stop and start again on the same port: a PostgreSQL
cluster of its own (the machine's shared server is not restarted under other tests), a redis-server of
its own, the sim vendor, and `sectorlights serve` replicas, all on one simulated clock
(SECTORLIGHTS_SIM_EPOCH), so a restarted replica resumes the simulated time instead of starting over.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.servers import command_env, migrate, sectorlights_command, wait_until_ready
from tests.services import free_port, unavailable, wait_for_port


def _postgres_bin(name: str) -> str:
    found = shutil.which(name) or next(
        (str(path) for path in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)),
        None,
    )
    if found is None:
        unavailable(f"PostgreSQL's {name} is not installed (apt-get install postgresql)")
        raise AssertionError("unreachable")
    return found


class PostgresCluster:
    """A PostgreSQL cluster of its own on a free port, trust auth, in a folder of its own that is
    removed when it stops. PostgreSQL refuses to run as root, so as root it runs as the `postgres`
    user (hence not under the caller's folder, which that user may not be able to enter)."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="sectorlights-soak-postgres-"))
        self.folder.chmod(0o755)
        self.data = self.folder / "data"
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self._as: list[str] = []
        if os.geteuid() == 0:
            self._as = ["runuser", "-u", "postgres", "--"]

    def _run(self, *args: str) -> None:
        done = subprocess.run([*self._as, *args], capture_output=True, text=True, check=False, timeout=120)
        if done.returncode != 0:
            unavailable(f"{' '.join(args[:2])} failed: {done.stderr.strip()[-500:]}")

    def init(self) -> None:
        if self._as:
            user = pwd.getpwnam("postgres")
            os.chown(self.folder, user.pw_uid, user.pw_gid)
        self._run(
            _postgres_bin("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8"
        )
        self.start()

    def _ctl(self, *args: str) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = str(self.folder / "postgres.log")
        self._run(_postgres_bin("pg_ctl"), "-D", str(self.data), "-o", options, "-l", log, "-w", *args)

    def start(self) -> None:
        self._ctl("start")

    def restart(self) -> None:
        """A real restart: every connection is cut, new ones are refused until it is back."""
        self._ctl("-m", "fast", "restart")

    def stop(self) -> None:
        with contextlib.suppress(BaseException):
            self._ctl("-m", "immediate", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)

    def pids(self) -> list[int]:
        pid_file = self.data / "postmaster.pid"
        with contextlib.suppress(OSError, ValueError):
            postmaster = int(pid_file.read_text().split()[0])
            children = Path(f"/proc/{postmaster}/task/{postmaster}/children").read_text().split()
            return [postmaster, *map(int, children)]
        return []

    def size_bytes(self) -> int:
        return sum(path.stat().st_size for path in self.data.rglob("*") if path.is_file())


class RedisServer:
    """A redis-server of its own keeping nothing on disk: a restart empties it, as on a cache node."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            unavailable("redis-server is not installed")
            raise AssertionError("unreachable")
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        wait_for_port(self.process, self.port, "redis-server", timeout_secs=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def restart(self, down_secs: float) -> None:
        self.stop()
        time.sleep(down_secs)
        self.start()


@dataclass
class Process:
    """One `sectorlights` process on a fixed port that can be killed and started again; every start
    appends to the same log."""

    name: str
    command: list[str]
    env: Mapping[str, str]
    folder: Path
    ready_path: str
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.folder / f"{self.name}.log"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None and self.process.poll() is None else None

    def start(self, timeout_secs: float = 120) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("a") as log:
            self.process = subprocess.Popen(
                [*sectorlights_command(), *self.command, "--port", str(self.port)],
                env=command_env(self.env),
                cwd=self.folder,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.starts += 1
        wait_until_ready(
            self.process, self.base_url + self.ready_path, self.log_path, timeout_secs, self.name
        )

    def kill(self) -> None:
        """SIGKILL, as when the host or the container dies: no shutdown runs."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


@dataclass
class Stack:
    postgres: PostgresCluster
    redis: RedisServer
    vendor: Process
    replicas: list[Process]


def is_up(url: str) -> bool:
    with contextlib.suppress(httpx.HTTPError):
        return httpx.get(url, timeout=5).status_code == 200
    return False


@contextmanager
def running_stack(market: Mapping[str, str], engine: Mapping[str, str], folder: Path) -> Iterator[Stack]:
    """PostgreSQL, Redis and the sim vendor on `market` (the simulated market and its clock), the
    database migrated, then two replicas on `market` and `engine` through the vendor's Polygon API."""
    with ExitStack() as stack:
        postgres = PostgresCluster()
        stack.callback(postgres.stop)  # also removes the folder when initdb fails
        postgres.init()
        redis = RedisServer()
        redis.start()
        stack.callback(redis.stop)
        vendor = Process("vendor", ["sim-vendor"], market, folder / "vendor", "/v1/marketstatus/now?apiKey=k")
        vendor.start(60)
        stack.callback(vendor.stop)
        env = {
            **market,
            **engine,
            "DATABASE_URL": postgres.url,
            "REDIS_URL": redis.url,
            "SECTORLIGHTS_PROVIDER": "polygon",
            "POLYGON_API_KEY": "soak-key",
            "POLYGON_BASE_URL": vendor.base_url,
        }
        migrate(env, folder)
        replicas = [
            Process(f"app-{index}", ["serve"], env, folder / f"app-{index}", "/health") for index in (1, 2)
        ]
        for replica in replicas:
            replica.start()
            stack.callback(replica.stop)
        yield Stack(postgres, redis, vendor, replicas)
