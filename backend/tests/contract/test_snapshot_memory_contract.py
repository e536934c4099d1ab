"""One contract for the snapshot memory behind the 30m column: the process's own and the Redis one
(where two replicas' memories are one)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
import redis

from sectorlights.domain.market import IntradaySnapshot
from sectorlights.domain.sessions import current_session
from sectorlights.engine.frame_builder import RecentSnapshots, SnapshotMemory
from sectorlights.engine.snapshot_store import (
    RedisSnapshotMemory,
    create_snapshot_memory,
    decode_snapshot,
    encode_snapshot,
)
from tests.services import free_port

BASE = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)  # 10:00 ET
Replica = Callable[[], RecentSnapshots]


@pytest.fixture(params=["memory", "redis"])
def replica(request: pytest.FixtureRequest) -> Iterator[Replica]:
    """Makes the memory of one replica; replicas of the Redis kind share theirs."""
    if request.param == "memory":
        shared = SnapshotMemory(keep_secs=3 * 3600, tolerance_secs=600)
        yield lambda: shared
        return
    url = request.getfixturevalue("redis_url")
    redis.Redis.from_url(url).flushdb()
    clients: list[redis.Redis] = []

    def on_redis() -> RecentSnapshots:
        client = redis.Redis.from_url(url)
        clients.append(client)
        return RedisSnapshotMemory(client, keep_secs=3 * 3600, tolerance_secs=600)

    yield on_redis
    for client in clients:
        client.close()


def snapshot(minutes: float, price: float, symbols: tuple[str, ...] = ("AAA", "BBB")) -> IntradaySnapshot:
    at = BASE + timedelta(minutes=minutes)
    return IntradaySnapshot(
        at=at,
        session=current_session(at),
        symbols=np.array(symbols, dtype=np.str_),
        last_price=np.full(len(symbols), price),
        session_volume=np.arange(len(symbols), dtype=np.float64) * 1000.0,
    )


@pytest.mark.parametrize(
    ("target_minutes", "expected_price"),
    [
        (33.0, 3.0),
        (29.0, 2.0),
        (0.0, 1.0),
        (-9.0, 1.0),
        (45.0, 3.0),
        (46.0, None),
        (-11.0, None),
        (120.0, None),
    ],
)
def test_the_nearest_snapshot_of_the_session_within_the_tolerance(
    replica: Replica, target_minutes: float, expected_price: float | None
) -> None:
    memory = replica()
    for minutes, price in ((0, 1.0), (25, 2.0), (35, 3.0)):
        memory.remember(snapshot(minutes, price))
    target = BASE + timedelta(minutes=target_minutes)
    found = replica().closest(target, current_session(BASE))
    if expected_price is None:
        assert found is None
        return
    assert found is not None and float(found.last_price[0]) == expected_price
    assert found.symbols.tolist() == ["AAA", "BBB"] and found.session_volume.tolist() == [0.0, 1000.0]


def test_snapshots_older_than_kept_are_forgotten(replica: Replica) -> None:
    memory = replica()
    for minutes, price in ((0, 1.0), (25, 2.0), (35, 3.0), (300, 4.0)):
        memory.remember(snapshot(minutes, price))
    assert replica().closest(BASE + timedelta(minutes=33), current_session(BASE)) is None
    found = replica().closest(BASE + timedelta(minutes=300), current_session(BASE))
    assert found is not None and float(found.last_price[0]) == 4.0


def test_another_session_is_not_an_answer(replica: Replica) -> None:
    replica().remember(snapshot(0, 1.0))
    other_session = current_session(BASE) - timedelta(days=1)
    assert replica().closest(BASE, other_session) is None


def test_what_one_replica_remembers_the_other_finds(replica: Replica) -> None:
    one, other = replica(), replica()
    one.remember(snapshot(0, 1.0))
    other.remember(snapshot(31, 2.0))
    found = other.closest(BASE + timedelta(minutes=1), current_session(BASE))
    assert found is not None and float(found.last_price[0]) == 1.0


@pytest.mark.parametrize("symbols", [(), ("A",), ("AAAA", "B.WS", "BRK.B", "Ä")])
def test_encoding_round_trips(symbols: tuple[str, ...]) -> None:
    original = snapshot(0, 12.5, symbols)
    back = decode_snapshot(encode_snapshot(original), original.at, original.session)
    assert back.symbols.tolist() == list(symbols)
    assert np.array_equal(back.last_price, original.last_price)
    assert np.array_equal(back.session_volume, original.session_volume)


def test_without_redis_the_process_memory_answers(caplog: pytest.LogCaptureFixture) -> None:
    dead = redis.Redis(port=free_port(), socket_connect_timeout=0.5, socket_timeout=0.5)
    memory = RedisSnapshotMemory(dead)
    with caplog.at_level(logging.WARNING, logger="sectorlights.engine.snapshot_store"):
        memory.remember(snapshot(0, 1.0))
        found = memory.closest(BASE, current_session(BASE))
    assert found is not None and float(found.last_price[0]) == 1.0
    assert len([r for r in caplog.records if "redis unreachable" in r.message]) == 1


def test_redis_is_chosen_when_configured(redis_url: str) -> None:
    assert isinstance(create_snapshot_memory(None), SnapshotMemory)
    assert isinstance(create_snapshot_memory(redis_url), RedisSnapshotMemory)
