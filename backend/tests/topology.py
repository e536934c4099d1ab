"""What deploy/compose.yaml describes, as processes on this machine: one PostgreSQL and one Redis,
migrated once (the `migrate` service), `sectorlights serve` replicas, and nginx with a config derived
from deploy/nginx.conf in front of them. Used by the end-to-end topology tests and by `make bench`."""

from __future__ import annotations

import getpass
import re
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from sectorlights.settings import REPO_ROOT
from tests.servers import RunningProcess, migrate, running_process, wait_run, wait_until_ready
from tests.services import (
    free_port,
    nginx_binary,
    throwaway_postgres_database,
    throwaway_redis_server,
)

NGINX_CONF = REPO_ROOT / "deploy" / "nginx.conf"
# Debian's nginx keeps its temporary files under /var/lib/nginx: here they go under the prefix.
TEMP_PATHS = "".join(
    f"\n    {kind}_temp_path temp/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
)


def substitute(pattern: str, replacement: str, text: str) -> str:
    """`text` with the one match of `pattern` replaced; AssertionError when deploy/nginx.conf no
    longer has exactly one, so a changed config cannot silently go untested."""
    replaced, count = re.subn(pattern, replacement, text)
    assert count == 1, f"deploy/nginx.conf: expected one match of {pattern!r}, found {count}"
    return replaced


def local_proxy_config(config: str, replica_ports: Sequence[int], listen_port: int) -> str:
    """deploy/nginx.conf with its upstream on the replicas' local ports (compose's `app:8000`, with
    the same parameters) and its server on a local port."""
    upstream = substitute(
        r"server app:8000( [^;]*)?;",
        "; ".join(rf"server 127.0.0.1:{port}\1" for port in replica_ports) + ";",
        config,
    )
    listening = substitute(r"listen 80;", f"listen 127.0.0.1:{listen_port};", upstream)
    return substitute(r"http \{", "http {" + TEMP_PATHS, listening)


@contextmanager
def running_nginx(nginx: str, config: str, folder: Path, port: int) -> Iterator[str]:
    """`nginx` in the foreground with `config`, everything it writes under `folder`; yields its URL."""
    folder.mkdir()
    (folder / "temp").mkdir()
    conf = folder / "nginx.conf"
    conf.write_text(config, encoding="utf-8")
    log_path = folder / "nginx.log"
    # `user`: run as root, nginx would hand its workers to `nobody`, who cannot enter the test's
    # folder; not root, nginx ignores it.
    globals_ = f"daemon off; pid {folder}/nginx.pid; error_log {log_path} warn; user {getpass.getuser()};"
    with log_path.open("a") as log:
        process = subprocess.Popen(
            [nginx, "-p", str(folder), "-c", str(conf), "-g", globals_],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(process, url + "/proxy-livez", log_path, 15, "nginx")
        yield url
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=10)


@dataclass
class Topology:
    proxy_url: str
    replicas: list[RunningProcess]


@contextmanager
def running_topology(env: Mapping[str, str], folder: Path, replica_count: int = 2) -> Iterator[Topology]:
    """A fresh PostgreSQL database and Redis, migrated, `replica_count` replicas with `env` on them
    and nginx in front (its files under `folder`), each replica's start-up run over: the runs the
    caller starts are the only ones live. nginx is skipped (`unavailable`) when not installed."""
    nginx = nginx_binary()
    with ExitStack() as stack:
        database_url = stack.enter_context(throwaway_postgres_database())
        redis_url = stack.enter_context(throwaway_redis_server())
        env = {**env, "DATABASE_URL": database_url, "REDIS_URL": redis_url}
        migrate(env, folder)
        replicas = []
        for index in range(1, replica_count + 1):
            (folder / f"app-{index}").mkdir()
            replicas.append(
                stack.enter_context(
                    running_process(["serve"], env, folder / f"app-{index}", "/api/sectors", 120, "server")
                )
            )
        ports = [int(replica.base_url.rsplit(":", 1)[1]) for replica in replicas]
        port = free_port()
        config = local_proxy_config(NGINX_CONF.read_text(encoding="utf-8"), ports, port)
        proxy_url = stack.enter_context(running_nginx(nginx, config, folder / "proxy", port))
        for replica in replicas:
            latest = httpx.get(replica.base_url + "/api/analysis/latest", timeout=30).json()
            wait_run(replica.base_url, latest["run"]["run_id"])
        yield Topology(proxy_url, replicas)
