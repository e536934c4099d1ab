"""The market schedule driving the real app on an accelerated clock: the missed instant at start-up,
then each scheduled instant as the clock reaches it, every one recorded in analysis_runs."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sectorlights.api.app import create_app
from sectorlights.domain.snapshot import RunStatus, RunTrigger
from sectorlights.engine.container import Container
from sectorlights.settings import load_settings
from tests.integration.apps import environment, sqlite_url


def test_the_schedule_runs_the_missed_and_the_next_instant(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    environment(monkeypatch, sqlite_url(tmp_path), tmp_path / "no-frontend", run_on_start=False)
    # 06:29:00 ET, a minute of market time per real second: the 04:00 full run was missed (and is
    # preferred over the missed 06:00 intraday one while it is useful, until 08:00); 06:30 comes in 1 s.
    monkeypatch.setenv("SECTORLIGHTS_SIM_NOW", "2026-11-24T06:29:00-05:00")
    monkeypatch.setenv("SECTORLIGHTS_SIM_SPEED", "60")
    monkeypatch.setenv("SECTORLIGHTS_SCHEDULE", "market")
    with TestClient(create_app(load_settings())) as client:
        container: Container = client.app.state.container  # type: ignore[attr-defined]
        scheduler = container.analysis.scheduler
        assert scheduler is not None
        deadline = time.monotonic() + 60
        while len(scheduler.outcomes) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        outcomes = list(scheduler.outcomes)
        runs = container.repository.list_runs(limit=10)
    assert [outcome.scheduled.at.strftime("%H:%M") for outcome in outcomes[:2]] == ["04:00", "06:30"]
    assert all(outcome.status.value == "succeeded" for outcome in outcomes[:2])
    scheduled = [run for run in runs if run.trigger == RunTrigger.SCHEDULED]
    assert len(scheduled) >= 2
    assert all(run.status == RunStatus.SUCCEEDED for run in scheduled[-2:])
    assert not [run for run in runs if run.trigger in {RunTrigger.STARTUP, RunTrigger.INTERVAL}]
