"""The replay runner on its own: one replay at a time, a refusal before anything starts, a failure
recorded on its run, and a stop that leaves no run `running`."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import HTTPException
from sqlalchemy import Engine

from sectorlights.core.clock import FrozenClock
from sectorlights.core.executor import BoundedExecutor
from sectorlights.domain.sessions import NEW_YORK, previous_sessions
from sectorlights.domain.snapshot import RunStatus, RunTrigger
from sectorlights.engine.frame_builder import DailyBarsCache
from sectorlights.engine.pipeline import AnalysisInputs
from sectorlights.engine.replay_request import ReplayRequestError
from sectorlights.engine.replays import ReplayBusyError, ReplayRunner, ReplaySources
from sectorlights.metrics import Metrics
from sectorlights.providers.base import ProviderCapabilities, ProviderError
from sectorlights.settings import AnalysisSettings
from sectorlights.storage.database import create_database_engine, migrate
from sectorlights.storage.repository import INTERRUPTED_ERROR, Repository
from tests.unit.test_replay_request import ImportedBars

WALL_NOW = datetime(2026, 12, 4, 9, 0, tzinfo=NEW_YORK)
DAY = date(2017, 11, 9)


class HeldProvider:
    """Flat files whose listings wait until released, then fail: a replay held in flight."""

    name = "flatfiles"
    capabilities = ProviderCapabilities(listings=True, daily_bars=True, intraday_snapshot=True)

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()

    def listings(self, _as_of: datetime) -> list[Any]:
        self.entered.set()
        self.release.wait(timeout=30)
        raise ProviderError("flat files: listings unreadable")

    def drain_rejections(self) -> list[Any]:
        return []


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Engine]:
    engine = create_database_engine(f"sqlite:///{tmp_path / 'replays.db'}")
    migrate(engine)
    yield engine
    engine.dispose()


def _runner(database: Engine, provider: HeldProvider, instance: str | None = None) -> ReplayRunner:
    imported = ImportedBars([*previous_sessions(DAY, 25), DAY])
    sources = ReplaySources(
        provider=provider,  # type: ignore[arg-type]
        inputs=AnalysisInputs.from_settings(AnalysisSettings(), sources=None),  # type: ignore[arg-type]
        bars=imported,  # type: ignore[arg-type]
        bars_cache=DailyBarsCache(),
        history_sessions=25,
    )
    return ReplayRunner(
        sources,
        Repository(database),
        FrozenClock(WALL_NOW),
        Metrics(),
        BoundedExecutor("replays", 1),
        instance,
    )


async def _held(provider: HeldProvider) -> None:
    assert await asyncio.to_thread(provider.entered.wait, 30)


async def test_one_replay_at_a_time_and_its_failure_is_on_its_run(database: Engine) -> None:
    provider = HeldProvider()
    runner = _runner(database, provider)
    first, instant = await runner.start("2017-11-09", None)
    assert (first.trigger, first.status) == (RunTrigger.REPLAY, RunStatus.RUNNING)
    assert first.provider == "flatfiles"
    assert instant.at == datetime(2017, 11, 9, 16, 0, tzinfo=NEW_YORK)
    await _held(provider)

    admitted: list[str] = []

    def admit(name: str) -> Callable[[], Awaitable[None]]:
        async def record() -> None:
            admitted.append(name)

        return record

    with pytest.raises(ReplayBusyError) as busy:
        await runner.start("2017-11-10", "12:00", admit=admit("second"))
    assert first.run_id in busy.value.detail and "one replay runs at a time" in busy.value.detail
    assert admitted == []
    # A request that is wrong in itself says so, busy or not.
    with pytest.raises(ReplayRequestError, match="not a NYSE session"):
        await runner.start("2017-11-11", None)

    provider.release.set()
    finished = await runner.wait_for(first.run_id)
    assert finished.status == RunStatus.FAILED
    assert finished.error == "ProviderError: flat files: listings unreadable"
    assert finished.trigger == RunTrigger.REPLAY
    failures = runner.metrics.registry.get_sample_value(
        "sectorlights_analysis_runs_total", {"trigger": "replay", "status": "failed"}
    )
    assert failures == 1

    # No longer busy: the next replay starts.
    second, _ = await runner.start("2017-11-09", "20:00", admit=admit("third"))
    assert admitted == ["third"] and second.run_id != first.run_id
    assert (await runner.wait_for(second.run_id)).status == RunStatus.FAILED


async def test_nothing_starts_when_the_budget_refuses(database: Engine) -> None:
    runner = _runner(database, HeldProvider())

    async def refuse() -> None:
        raise HTTPException(status_code=429, detail="too many requests")

    with pytest.raises(HTTPException):
        await runner.start("2017-11-09", None, admit=refuse)
    assert Repository(database).list_runs() == []


async def test_missing_bars_refuse_before_a_run_is_recorded(database: Engine) -> None:
    runner = _runner(database, HeldProvider())
    with pytest.raises(ReplayRequestError) as refused:
        await runner.start("2016-06-24", None)
    assert refused.value.missing_data and refused.value.fields == ("date",)
    assert "day_aggs_v1/2016/06/2016-06-24.csv.gz" in refused.value.problem
    assert Repository(database).list_runs() == []


async def test_stopping_mid_replay_fails_its_run(database: Engine) -> None:
    provider = HeldProvider()
    runner = _runner(database, provider)
    run, _ = await runner.start("2017-11-09", None)
    await _held(provider)
    await runner.stop()
    provider.release.set()
    stored = Repository(database).get_run(run.run_id)
    assert stored is not None and stored.status == RunStatus.FAILED and stored.error == INTERRUPTED_ERROR


@pytest.mark.parametrize(
    ("runner_instance", "restarted", "failed"),
    [
        # The replay's process is the one restarting: it cannot be alive.
        ("replica-a:8000", "replica-a:8000", True),
        # Another instance's replay, or the CLI's, may be: its heartbeat (fresh here) decides.
        ("replica-a:8000", "replica-b:8000", False),
        (None, "replica-a:8000", False),
    ],
)
async def test_a_replay_in_flight_is_failed_by_the_restart_of_its_instance(
    database: Engine, runner_instance: str | None, restarted: str, failed: bool
) -> None:
    provider = HeldProvider()
    runner = _runner(database, provider, runner_instance)
    run, _ = await runner.start("2017-11-09", None)
    await _held(provider)
    try:
        restarting = Repository(database).fail_abandoned_runs(WALL_NOW, restarted_instance=restarted)
        assert restarting == int(failed)
        stored = Repository(database).get_run(run.run_id)
        assert stored is not None
        assert (stored.status, stored.error) == (
            (RunStatus.FAILED, INTERRUPTED_ERROR) if failed else (RunStatus.RUNNING, None)
        )
    finally:
        provider.release.set()
        await runner.wait_for(run.run_id)
