"""A real `sectorlights serve` with SECTORLIGHTS_AUTH=required on PostgreSQL and Redis, polled by 20
clients while the database or Redis goes away for 20 s: every answer is a 200 or a JSON 503 with
Retry-After (never a 500), the grid keeps being served, and the log says when the outage started
and when it ended instead of once per request."""

from __future__ import annotations

import contextlib
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from tests.conftest import FROZEN
from tests.integration.test_resilience_processes import poll
from tests.servers import RunningProcess, migrate, run_command, running_process
from tests.services import (
    TcpProxy,
    free_port,
    redis_server_process,
    tcp_proxy,
    throwaway_postgres_database,
)

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.timeout(240)]

POLLERS = 20
OUTAGE_SECS = 20.0
POLL_EVERY_SECS = 0.2
# What an outage may add to the log: a line as each watched part (the API's database, the run
# sweep, the heartbeat, the event bus, the cache...) starts failing and one as it recovers.
MAX_OUTAGE_LOG_LINES = 16
ROUTES = ("/api/sectors", "/api/preferences")


@dataclass(frozen=True)
class Answer:
    path: str
    status: int
    content_type: str
    retry_after: str | None
    body: str
    during_outage: bool


@dataclass
class Pollers:
    """`POLLERS` threads, each asking every route in turn until stopped; every answer is kept."""

    base_url: str
    token: str
    answers: list[Answer] = field(default_factory=list)
    outage: threading.Event = field(default_factory=threading.Event)
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _poll(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        with httpx.Client(base_url=self.base_url, headers=headers, timeout=30) as client:
            while not self._stop.is_set():
                for path in ROUTES:
                    during_outage = self.outage.is_set()
                    try:
                        response = client.get(path)
                    except httpx.TransportError as error:
                        answer = Answer(path, 0, "", None, repr(error), during_outage)
                    else:
                        answer = Answer(
                            path,
                            response.status_code,
                            response.headers.get("content-type", ""),
                            response.headers.get("retry-after"),
                            response.text[:300],
                            during_outage,
                        )
                    with self._lock:
                        self.answers.append(answer)
                self._stop.wait(POLL_EVERY_SECS)

    @classmethod
    @contextmanager
    def running(cls, base_url: str, token: str) -> Iterator[Pollers]:
        pollers = cls(base_url, token)
        threads = [threading.Thread(target=pollers._poll, daemon=True) for _ in range(POLLERS)]
        for thread in threads:
            thread.start()
        try:
            yield pollers
        finally:
            pollers._stop.set()
            for thread in threads:
                thread.join(timeout=60)


@dataclass
class Deployment:
    server: RunningProcess
    token: str
    database: TcpProxy
    redis_port: int
    redis_process: subprocess.Popen[bytes]


def answered(base_url: str, token: str) -> bool:
    headers = {"Authorization": f"Bearer {token}"}
    return all(httpx.get(base_url + path, headers=headers, timeout=10).status_code == 200 for path in ROUTES)


def outage(
    deployment: Deployment, stop: Callable[[], None], start: Callable[[], None]
) -> tuple[list[Answer], list[str]]:
    """Poll through `stop()`, OUTAGE_SECS, `start()` and the recovery; the answers, and the log lines
    written from the stop until every route answered 200 again."""
    server, token = deployment.server, deployment.token
    poll(lambda: answered(server.base_url, token) or None, 60, "the first grid")
    with Pollers.running(server.base_url, token) as pollers:
        time.sleep(2)  # every poller has asked before the outage
        before = len(server.log().splitlines())
        pollers.outage.set()
        stop()
        time.sleep(OUTAGE_SECS)
        start()
        pollers.outage.clear()
        poll(lambda: answered(server.base_url, token) or None, 60, "the service to recover")
        time.sleep(2)  # the recovery's own lines
    lines = server.log().splitlines()[before:]
    return pollers.answers, lines


def refused(answers: list[Answer]) -> list[Answer]:
    """The answers that are neither a 200 nor the API's JSON 503 with Retry-After."""
    return [
        answer
        for answer in answers
        if not (
            answer.status == 200
            or (
                answer.status == 503
                and answer.content_type.startswith("application/json")
                and answer.retry_after is not None
                and answer.retry_after.isdigit()
                and '"detail"' in answer.body
            )
        )
    ]


@pytest.fixture
def deployment(tmp_path: Path) -> Iterator[Deployment]:
    """`sectorlights serve` with auth required, its database behind a proxy that can be cut, its
    own redis-server on a fixed port, and a user's token."""
    redis_port = free_port()
    with (
        throwaway_postgres_database() as url,
        tcp_proxy(make_url(url).host or "127.0.0.1", make_url(url).port or 5432) as proxy,
    ):
        proxied = make_url(url).set(drivername="postgresql", port=proxy.port)
        env = FROZEN | {
            "DATABASE_URL": proxied.render_as_string(hide_password=False),
            "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "SECTORLIGHTS_AUTH": "required",
        }
        migrate(env, tmp_path)
        added = run_command(["users", "add", "alice"], env, tmp_path)
        assert added.returncode == 0, added.stderr
        token = added.stdout.strip()
        with (
            redis_server_process(redis_port) as (_redis_url, redis_process),
            running_process(["serve"], env, tmp_path, "/livez", 90, "server") as server,
        ):
            yield Deployment(server, token, proxy, redis_port, redis_process)


def report(answers: list[Answer], lines: list[str]) -> str:
    counts: dict[tuple[str, int, bool], int] = {}
    for answer in answers:
        key = (answer.path, answer.status, answer.during_outage)
        counts[key] = counts.get(key, 0) + 1
    wrong = refused(answers)[:3]
    return f"answers {counts}; wrong e.g. {wrong}; {len(lines)} log lines:\n" + "\n".join(lines[:40])


def test_a_database_outage_is_answered_cleanly_and_logged_once(deployment: Deployment) -> None:
    """The grid is in Redis and the token was seen before the outage: /api/sectors keeps answering
    200; the preferences (in the database) answer JSON 503 with Retry-After; nothing is a 500."""
    answers, lines = outage(deployment, deployment.database.cut, deployment.database.restore)
    summary = report(answers, lines)
    assert answers and not refused(answers), summary
    during = [answer for answer in answers if answer.during_outage]
    assert {answer.path for answer in during} == set(ROUTES), summary
    assert all(answer.status == 200 for answer in during if answer.path == "/api/sectors"), summary
    assert any(answer.status == 503 for answer in during if answer.path == "/api/preferences"), summary
    assert "Traceback" not in "\n".join(lines), summary
    assert len(lines) <= MAX_OUTAGE_LOG_LINES, summary
    assert any("database" in line.lower() for line in lines), summary
    print(summary)  # the numbers, with -s


def test_a_redis_outage_serves_the_grid_from_the_database_and_is_logged_once(
    deployment: Deployment,
) -> None:
    """The grid is read from the database while Redis is away, and Redis is refilled once a new
    (empty) one answers on the same port."""
    with contextlib.ExitStack() as restarted:

        def stop() -> None:
            deployment.redis_process.terminate()
            deployment.redis_process.wait(timeout=10)

        def start() -> None:
            restarted.enter_context(redis_server_process(deployment.redis_port))

        answers, lines = outage(deployment, stop, start)
    summary = report(answers, lines)
    assert answers and not refused(answers), summary
    assert all(answer.status == 200 for answer in answers), summary
    assert "Traceback" not in "\n".join(lines), summary
    assert len(lines) <= MAX_OUTAGE_LOG_LINES, summary
    print(summary)  # the numbers, with -s
