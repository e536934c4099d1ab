"""Real `sectorlights serve` processes on PostgreSQL and Redis losing a part of themselves: the server
killed mid-run, Redis going away and coming back, and two engines sharing one schedule."""

from __future__ import annotations

import re
import signal
import socket
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import redis
from sqlalchemy import create_engine, insert, select

from sectorlights.cache.base import SNAPSHOT_KEY
from sectorlights.storage.repository import RUN_STALE_AFTER
from sectorlights.storage.tables import analysis_runs
from tests.conftest import SIM_NOW
from tests.servers import RunningProcess, migrate, running_process, running_sim_vendor
from tests.services import free_port, redis_server_process, throwaway_postgres_database

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.timeout(120)]

T = TypeVar("T")

FROZEN = {
    "SECTORLIGHTS_SIM_NOW": SIM_NOW.isoformat(),
    "SECTORLIGHTS_SIM_LISTINGS": "1500",
    "SECTORLIGHTS_SCHEDULE": "off",
}
INTERRUPTED = "interrupted: the process stopped mid-run"


def poll(probe: Callable[[], T | None], timeout_secs: float, what: str, every_secs: float = 0.2) -> T:
    """`probe()` until it returns something other than None; AssertionError after `timeout_secs`."""
    deadline = time.monotonic() + timeout_secs
    while True:
        try:
            found = probe()
        except httpx.TransportError:
            found = None
        if found is not None:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_secs:.0f} s waiting for {what}")
        time.sleep(every_secs)


def get(url: str) -> httpx.Response:
    return httpx.get(url, timeout=10)


def serving(
    env: Mapping[str, str], cwd: Path, ready_path: str = "/api/sectors", port: int | None = None
) -> AbstractContextManager[RunningProcess]:
    """`sectorlights serve` on `port` (else a free one) until `ready_path` answers 200 (the database
    is migrated first); yields the process so a test can kill it. Always stopped afterwards."""
    return running_process(["serve"], env, cwd, ready_path, 90, "server", port=port)


@pytest.fixture
def postgres_env() -> Iterator[dict[str, str]]:
    """DATABASE_URL of a fresh PostgreSQL database, dropped afterwards."""
    with throwaway_postgres_database() as url:
        yield {"DATABASE_URL": url.replace("postgresql+psycopg://", "postgresql://", 1)}


def stored_runs(env: Mapping[str, str]) -> list[dict[str, Any]]:
    engine = create_engine(env["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1))
    columns = [column for column in analysis_runs.c if column.name != "result"]
    try:
        with engine.connect() as connection:
            rows = connection.execute(select(*columns).order_by(analysis_runs.c.started_at)).mappings()
            return [dict(row) for row in rows]
    finally:
        engine.dispose()


@dataclass(frozen=True)
class Restart:
    """The identities of a killed server and of the one started after it."""

    first: Mapping[str, str]
    second: Mapping[str, str]
    same_port: bool
    # The killed run is failed as soon as the second server answers (same identity), else only once
    # its heartbeat is stale.
    immediate: bool


RESTARTS = {
    "same SECTORLIGHTS_INSTANCE": Restart(
        {"SECTORLIGHTS_INSTANCE": "replica-a"}, {"SECTORLIGHTS_INSTANCE": "replica-a"}, False, True
    ),
    # Host name and port: a compose replica's container keeps its host name across restarts.
    "default identity, same port": Restart({}, {}, True, True),
    "another instance": Restart(
        {"SECTORLIGHTS_INSTANCE": "replica-a"}, {"SECTORLIGHTS_INSTANCE": "replica-b"}, False, False
    ),
}


def insert_live_run_of(instance: str, env: Mapping[str, str]) -> str:
    """A `running` run of another replica, alive: its heartbeat is ahead, so it stays fresh however
    long the next server takes to start."""
    run_id = str(uuid.uuid4())
    now = datetime.now(UTC)
    engine = create_engine(env["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.begin() as connection:
            connection.execute(
                insert(analysis_runs).values(
                    run_id=run_id,
                    trigger="on_demand",
                    status="running",
                    stage="daily_bars",
                    progress_pct=40.0,
                    provider="polygon",
                    started_at=now,
                    heartbeat_at=now + timedelta(minutes=10),
                    instance=instance,
                )
            )
    finally:
        engine.dispose()
    return run_id


@pytest.mark.parametrize("restart", RESTARTS.values(), ids=RESTARTS.keys())
def test_a_run_killed_with_its_server_is_failed_by_the_next_one(
    tmp_path: Path, postgres_env: dict[str, str], restart: Restart
) -> None:
    """SIGKILL mid-run leaves the run `running` with no one to finish it. The next server serves the
    previous grid at once. Restarted with the same identity, it fails the run before it answers;
    another instance cannot tell it from a live run of the dead one's, so its sweep fails it once
    its heartbeat is stale (~30-45 s), and a live run of another replica is left alone."""
    port = free_port() if restart.same_port else None
    with running_sim_vendor(FROZEN, tmp_path) as vendor:
        env = (
            postgres_env
            | FROZEN
            | {
                "SECTORLIGHTS_PROVIDER": "polygon",
                "POLYGON_API_KEY": "test-key",
                "POLYGON_BASE_URL": vendor,
            }
        )
        migrate(env, tmp_path)
        with serving(env | restart.first, tmp_path, port=port) as first:
            previous = get(f"{first.base_url}/api/sectors").json()["run_id"]
            # Every vendor call now takes a while: the next run spends tens of seconds on its bars.
            httpx.post(
                f"{vendor}/_control/faults", json={"*": {"delay_ms": 400}}, timeout=5
            ).raise_for_status()
            started = httpx.post(f"{first.base_url}/api/analysis", timeout=10)
            assert started.status_code == 202, started.text
            killed = started.json()["run_id"]

            def in_progress() -> dict[str, Any] | None:
                run: dict[str, Any] = get(f"{first.base_url}/api/analysis/{killed}").json()
                assert run["status"] == "running", run
                return run if run["progress_pct"] > 0 else None

            caught = poll(in_progress, 30, "the on-demand run to make progress")
            first.process.send_signal(signal.SIGKILL)
            first.process.wait(timeout=10)
        [row] = [row for row in stored_runs(env) if row["run_id"] == killed]
        assert row["status"] == "running" and row["heartbeat_at"] is not None
        other_replicas = insert_live_run_of("replica-c", env)

        with serving(env | restart.second, tmp_path, port=port) as second:
            # The previous grid, from the database, as soon as the new server answers.
            assert get(f"{second.base_url}/api/sectors").json()["run_id"] == previous
            answered = get(f"{second.base_url}/api/analysis/{killed}").json()
            if restart.immediate:
                assert answered["status"] == "failed", answered
            else:
                # Its heartbeat is seconds old: it is left alone until the heartbeat goes stale.
                assert answered["status"] == "running", answered

                def failed() -> dict[str, Any] | None:
                    run: dict[str, Any] = get(f"{second.base_url}/api/analysis/{killed}").json()
                    return run if run["status"] == "failed" else None

                # Stale 30 s after its last heartbeat; the sweep looks every 15 s.
                answered = poll(failed, 60, "the killed run to be marked failed", every_secs=0.5)
            assert answered["error"] == INTERRUPTED
            [after] = [row for row in stored_runs(env) if row["run_id"] == killed]
            identity = restart.first.get("SECTORLIGHTS_INSTANCE", f"{socket.gethostname()}:{port}")
            assert after["instance"] == identity
            # Failed before its heartbeat went stale only by the restart of its own instance.
            went_stale = after["heartbeat_at"] + RUN_STALE_AFTER
            assert (after["finished_at"] < went_stale) == restart.immediate, after
            # The live run of another replica, and the new server's own start-up run, are left alone.
            assert get(f"{second.base_url}/api/analysis/{other_replicas}").json()["status"] == "running"
            own = [row for row in stored_runs(env) if row["trigger"] == "startup"][1:]
            assert own and all(row["status"] != "failed" for row in own), own
    assert caught["stage"] != "queued"


def test_the_grid_survives_redis_going_away_and_the_cache_refills(
    tmp_path: Path, postgres_env: dict[str, str]
) -> None:
    port = free_port()
    redis_url = f"redis://127.0.0.1:{port}/0"
    env = postgres_env | FROZEN | {"REDIS_URL": redis_url}
    migrate(env, tmp_path)
    with redis_server_process(port) as (_url, first_redis), serving(env, tmp_path) as server:
        grid = get(f"{server.base_url}/api/sectors").json()
        assert get(f"{server.base_url}/health/redis").json()["status"] == "ok"
        assert redis.Redis.from_url(redis_url).exists(SNAPSHOT_KEY) == 1

        first_redis.terminate()
        first_redis.wait(timeout=10)
        served = get(f"{server.base_url}/api/sectors")
        assert served.status_code == 200
        assert served.json()["run_id"] == grid["run_id"]
        redis_health = get(f"{server.base_url}/health/redis")
        assert redis_health.status_code == 503
        assert (redis_health.json()["status"], redis_health.json()["backend"]) == ("error", "redis")
        health = get(f"{server.base_url}/health")
        assert health.status_code == 200
        assert health.json()["status"] == "degraded"
        assert health.json()["components"]["database"]["status"] == "ok"

        # A new, empty Redis on the same port: the service reconnects and refills the grid.
        with redis_server_process(port):
            poll(
                lambda: True if get(f"{server.base_url}/health/redis").status_code == 200 else None,
                20,
                "/health/redis to recover",
            )
            assert redis.Redis.from_url(redis_url).exists(SNAPSHOT_KEY) == 0
            again = get(f"{server.base_url}/api/sectors")
            assert again.status_code == 200 and again.json()["run_id"] == grid["run_id"]
            assert redis.Redis.from_url(redis_url).exists(SNAPSHOT_KEY) == 1
            assert get(f"{server.base_url}/health").json()["status"] == "ok"


SCHEDULED = re.compile(r"scheduled analysis for (\S+): run ([0-9a-f-]{36})")
CLAIMED_ELSEWHERE = re.compile(r"the run scheduled for (\S+) is claimed by another instance")


@pytest.mark.timeout(240)  # two engine start-ups on a loaded CI machine, then ~16 s of market clock
def test_two_engines_run_each_scheduled_instant_once(tmp_path: Path, postgres_env: dict[str, str]) -> None:
    """Two engines on one database and one Redis, on a market clock at 120x from 06:20 ET: the
    missed 04:00 full run, then the 06:30 and 07:00 intraday runs, each run by one of them."""
    port = free_port()
    env = (
        postgres_env
        | FROZEN
        | {
            "REDIS_URL": f"redis://127.0.0.1:{port}/0",
            "SECTORLIGHTS_SCHEDULE": "market",
            # 10 market minutes (5 s) before 06:30, so the catch-up run of 04:00 is over by then
            # even on a loaded machine (a run still going at 06:30 would cover that instant).
            "SECTORLIGHTS_SIM_NOW": "2026-11-24T06:20:00-05:00",
            "SECTORLIGHTS_SIM_SPEED": "120",
            "SECTORLIGHTS_RUN_ON_START": "false",
            "SECTORLIGHTS_MOVE_WATCH": "false",
        }
    )
    instants = ["2026-11-24T04:00:00-05:00", "2026-11-24T06:30:00-05:00", "2026-11-24T07:00:00-05:00"]
    migrate(env, tmp_path)
    with (
        redis_server_process(port),
        serving(env, tmp_path, ready_path="/health") as one,
        serving(env, tmp_path, ready_path="/health") as other,
    ):

        def reached(log: str) -> set[str]:
            """The instants an engine ran or found claimed by the other."""
            return {instant for instant, _ in SCHEDULED.findall(log)} | set(CLAIMED_ELSEWHERE.findall(log))

        def ran() -> bool | None:
            # Each engine's clock starts at its own start, so the later one reaches an instant later.
            first, second = (reached(server.log()) for server in (one, other))
            seen = instants[0] in first | second and set(instants[1:]) <= first & second
            # The runs of these instants are over (later instants may be running: at 120x a run
            # under load can outlast the 15 s between instants).
            ours = {
                run_id
                for server in (one, other)
                for instant, run_id in SCHEDULED.findall(server.log())
                if instant in instants
            }
            finished = bool(ours) and all(
                row["status"] != "running" for row in stored_runs(env) if row["run_id"] in ours
            )
            return True if seen and finished else None

        try:
            poll(ran, 150, "both engines to pass 07:00 ET", every_secs=0.5)
        except AssertionError as error:
            tails = "\n".join(f"--- {server.base_url}\n{server.log()[-4000:]}" for server in (one, other))
            raise AssertionError(f"{error}\n{tails}") from None
    logs = {server.base_url: server.log() for server in (one, other)}
    by_instant: dict[str, list[str]] = {}
    for log in logs.values():
        for instant, run_id in SCHEDULED.findall(log):
            by_instant.setdefault(instant, []).append(run_id)
    rows = {row["run_id"]: row for row in stored_runs(env)}
    assert {row["trigger"] for row in rows.values()} == {"scheduled"}, rows
    # One run per instant, recorded once: no instant was run by both engines.
    assert set(instants) <= set(by_instant)
    assert {instant: len(ids) for instant, ids in by_instant.items()} == dict.fromkeys(by_instant, 1)
    assert sorted(ids[0] for ids in by_instant.values()) == sorted(rows)
    assert all(rows[by_instant[instant][0]]["status"] == "succeeded" for instant in instants), rows
    # The clock-driven instants were reached by both engines: the one that lost the claim said so.
    for instant in instants[1:]:
        runners = [url for url, log in logs.items() if f"scheduled analysis for {instant}" in log]
        skippers = [url for url, log in logs.items() if instant in CLAIMED_ELSEWHERE.findall(log)]
        assert len(runners) == 1 and len(skippers) == 1 and runners != skippers, (instant, runners, skippers)
