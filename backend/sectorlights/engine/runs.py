"""Analysis runs: one at a time, joined when already in flight, computed in a worker thread, then
published; runs a dead process left `running` are failed."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sectorlights.core.clock import Clock
from sectorlights.core.executor import BoundedExecutor
from sectorlights.core.state_log import StateLog
from sectorlights.core.tasks import stop_task
from sectorlights.domain.events import EventType
from sectorlights.domain.snapshot import AnalysisRun, RunStatus, RunTrigger
from sectorlights.engine.computation import SnapshotComputer
from sectorlights.engine.frame_builder import ProgressCallback
from sectorlights.engine.grid import GridReader
from sectorlights.engine.maintenance import HistoryRetention
from sectorlights.engine.publisher import GridPublisher
from sectorlights.metrics import Metrics
from sectorlights.storage.repository import INTERRUPTED_ERROR, Repository
from sectorlights.storage.retention import KeptRun

logger = logging.getLogger(__name__)

# `analysis_progress` events go out on every stage change and at least this many percent apart.
PROGRESS_EVENT_STEP_PCT = 5.0
# A run in flight refreshes its heartbeat this often (and on every progress step); the repository
# counts a run as abandoned once its heartbeat is older than RUN_STALE_AFTER (30 s).
HEARTBEAT_INTERVAL_SECS = 10.0
# How often to look for runs a dead process left `running` (besides once at start, which also fails
# this instance's own at once), so one killed with another instance's process is failed within
# RUN_STALE_AFTER plus this of the next replica's start.
ABANDONED_SWEEP_INTERVAL_SECS = 15.0


async def settled_run(
    repository: Repository, run_id: str, task: asyncio.Task[Any] | None, task_run_id: str | None
) -> AnalysisRun:
    """The stored record of `run_id`, once `task` (running `task_run_id`) has ended if it is that
    run; KeyError when no such run is stored. A failure of the task is recorded on the run."""
    if task is not None and task_run_id == run_id:
        with contextlib.suppress(Exception):
            await asyncio.shield(task)
    run = await asyncio.to_thread(repository.get_run, run_id)
    if run is None:
        raise KeyError(run_id)
    return run


async def keep_heartbeat(repository: Repository, wall_clock: Clock, run_id: str) -> None:
    """Keep a run's heartbeat fresh while it is in flight, even through a long silent stage."""
    heartbeats = StateLog(logger)
    while True:
        await asyncio.sleep(HEARTBEAT_INTERVAL_SECS)
        try:
            await asyncio.to_thread(repository.heartbeat, run_id, wall_clock.now())
        except Exception as error:
            heartbeats.failed("analysis %s: heartbeat not recorded: %s", run_id, error)
        else:
            heartbeats.recovered("analysis %s: heartbeat recorded again", run_id)


class RunInterruptedError(RuntimeError):
    """Raised in a run's thread once the process is stopping, so it stores nothing more."""


def _progress_payload(run: AnalysisRun, stage: str, percent: float) -> dict[str, Any]:
    return {"run_id": run.run_id, "trigger": run.trigger.value, "stage": stage, "percent": percent}


@dataclass(eq=False)
class RunCoordinator:
    """Starts or joins runs (whoever asks: the schedule, the refresh loop, a trader, the CLI) and
    follows them to their stored, published end."""

    repository: Repository
    computer: SnapshotComputer
    publisher: GridPublisher
    grid: GridReader
    retention: HistoryRetention
    # Real time: run bookkeeping uses it even when the market clock is frozen.
    wall_clock: Clock
    metrics: Metrics
    # Runs call the vendor: on these threads, not the ones API requests read the database with.
    vendor_calls: BoundedExecutor
    # This serving process's identity (SECTORLIGHTS_INSTANCE), recorded on its runs; None in the CLI.
    instance: str | None = None
    _in_flight: asyncio.Task[AnalysisRun] | None = field(default=None, init=False, repr=False)
    _in_flight_run: AnalysisRun | None = field(default=None, init=False, repr=False)
    _progress: dict[str, tuple[str, float]] = field(default_factory=dict, init=False, repr=False)
    _request_lock: asyncio.Lock = field(default_factory=asyncio.Lock, init=False, repr=False)
    _sweep_task: asyncio.Task[None] | None = field(default=None, init=False, repr=False)
    _stopping: bool = field(default=False, init=False, repr=False)

    async def start(self) -> None:
        """Mark runs a dead process left behind as failed, now and every few seconds after; show
        when the latest stored run succeeded until one of this process's runs does. Now, before
        this process starts any run, that includes every run of this instance still `running`."""
        await self._note_stored_success()
        if self.instance is not None:
            logger.info("serving as instance %s", self.instance)
        await self._fail_abandoned_runs(restarted_instance=self.instance)
        self._sweep_task = asyncio.create_task(self._sweep_loop(), name="sectorlights-abandoned-runs")

    async def stop(self) -> None:
        # A run's thread cannot be cancelled: it gives up at its next progress report instead.
        self._stopping = True
        for task in (self._sweep_task, self._in_flight):
            # A run failing as it is cancelled has already been recorded as failed.
            await stop_task(task, suppress=(asyncio.CancelledError, Exception))

    async def _fail_abandoned_runs(self, restarted_instance: str | None = None) -> None:
        """Fail the `running` runs whose heartbeat went stale: their process died (a live run of
        another replica sharing the database keeps its heartbeat fresh and is left alone); and those
        of `restarted_instance`, whose process this one replaces."""
        abandoned = await asyncio.to_thread(
            self.repository.fail_abandoned_runs,
            self.wall_clock.now(),
            restarted_instance=restarted_instance,
        )
        if abandoned:
            logger.warning("marked %d interrupted run(s) as failed", abandoned)

    async def _note_stored_success(self) -> None:
        try:
            run = await asyncio.to_thread(self.repository.latest_run, RunStatus.SUCCEEDED)
        except Exception as error:  # only a gauge: the first run here sets it
            logger.warning("latest successful run not read: %s", error)
            return
        if run is not None and run.finished_at is not None:
            self.metrics.note_successful_run(run.finished_at.timestamp())

    async def _sweep_loop(self) -> None:
        sweeps = StateLog(logger)
        while True:
            await asyncio.sleep(ABANDONED_SWEEP_INTERVAL_SECS)
            try:
                await self._fail_abandoned_runs()
            except Exception as error:  # a database hiccup: the next sweep tries again
                sweeps.failed("could not check for interrupted runs: %s", error)
            else:
                sweeps.recovered("checking for interrupted runs again")

    async def run_scheduled(self, trigger: RunTrigger, scheduled_for: datetime) -> AnalysisRun:
        """The scheduler's run: start or join one and wait for its record."""
        run = await self.request_run(trigger)
        logger.info("scheduled analysis for %s: run %s", scheduled_for.isoformat(), run.run_id)
        return await self.wait_for(run.run_id)

    async def last_completed_at(self) -> datetime | None:
        """When (on the market clock) the latest successful scheduled run's data is from. Only the
        schedule's own runs count: a replica killed in a scheduled run and started again re-runs
        that instant while it is still useful, even when an on-demand run has refreshed the grid
        since (the schedule's history then has every instant)."""
        run = await asyncio.to_thread(self.repository.latest_run, RunStatus.SUCCEEDED, RunTrigger.SCHEDULED)
        return None if run is None else run.as_of

    async def request_run(self, trigger: RunTrigger) -> AnalysisRun:
        """Start a run, or return the one already in flight."""
        run, _joined = await self.request_or_join(trigger)
        return run

    async def request_or_join(
        self, trigger: RunTrigger, admit: Callable[[], Awaitable[None]] | None = None
    ) -> tuple[AnalysisRun, bool]:
        """Start a run, or join the one already in flight; True when joined. `admit` is called only
        when a new run would start (a rate limit): if it raises, nothing starts."""
        # The lock spans the check and the insert: callers arriving during the insert join this run.
        async with self._request_lock:
            if self._in_flight is not None and not self._in_flight.done() and self._in_flight_run is not None:
                return self._in_flight_run, True
            if admit is not None:
                await admit()
            run = AnalysisRun(
                run_id=str(uuid.uuid4()),
                trigger=trigger,
                status=RunStatus.RUNNING,
                stage="queued",
                progress_pct=0.0,
                provider=self.computer.provider.name,
                started_at=self.wall_clock.now(),
            )
            await asyncio.to_thread(self.repository.create_run, run, self.instance)
            self._in_flight_run = run
            self._in_flight = asyncio.create_task(self._execute(run), name=f"analysis-{run.run_id}")
            self._in_flight.add_done_callback(_retrieve_failure)
            return run, False

    async def wait_for(self, run_id: str) -> AnalysisRun:
        """Wait for the in-flight run `run_id` (if it is the one running) and return its record."""
        in_flight = self._in_flight_run.run_id if self._in_flight_run is not None else None
        return await settled_run(self.repository, run_id, self._in_flight, in_flight)

    def progress(self, run_id: str) -> tuple[str, float] | None:
        return self._progress.get(run_id)

    def _count_run(self, run: AnalysisRun, status: RunStatus, started: float) -> None:
        self.metrics.analysis_runs.labels(run.trigger.value, status.value).inc()
        self.metrics.analysis_run_duration.labels(status.value).observe(time.perf_counter() - started)

    def _progress_reporter(self, run: AnalysisRun, loop: asyncio.AbstractEventLoop) -> ProgressCallback:
        """The analysis thread's progress callback: kept for `progress`, stored, and announced."""

        def report(stage: str, percent: float) -> None:
            if self._stopping:
                raise RunInterruptedError(INTERRUPTED_ERROR)
            previous = self._progress.get(run.run_id)
            self._progress[run.run_id] = (stage, percent)
            if previous is None or previous[0] != stage or percent - previous[1] >= PROGRESS_EVENT_STEP_PCT:
                self.publisher.emit_from_thread(
                    loop, EventType.ANALYSIS_PROGRESS, _progress_payload(run, stage, percent)
                )
            self.repository.update_progress(run.run_id, stage, percent, self.wall_clock.now())

        return report

    async def _execute(self, run: AnalysisRun) -> AnalysisRun:
        started = time.perf_counter()
        heartbeat = asyncio.create_task(
            keep_heartbeat(self.repository, self.wall_clock, run.run_id), name=f"heartbeat-{run.run_id}"
        )
        report = self._progress_reporter(run, asyncio.get_running_loop())
        previous = await self._grid_before_run()
        try:
            snapshot = await self.vendor_calls.run(self.computer.compute_and_store, run, report)
        except asyncio.CancelledError:
            # Stopping mid-run: record it now rather than leave it to another process's sweep.
            with contextlib.suppress(Exception):
                await asyncio.to_thread(
                    self.repository.fail_run, run.run_id, INTERRUPTED_ERROR, self.wall_clock.now()
                )
            raise
        except Exception as error:
            message = f"{type(error).__name__}: {error}"
            logger.error("analysis %s failed: %s", run.run_id, message)
            await asyncio.to_thread(self.repository.fail_run, run.run_id, message, self.wall_clock.now())
            await self.publisher.emit(
                EventType.ANALYSIS_PROGRESS, _progress_payload(run, "failed", 100.0) | {"error": message}
            )
            self.grid.run_failed(message)
            self._progress.pop(run.run_id, None)
            self._count_run(run, RunStatus.FAILED, started)
            raise
        finally:
            heartbeat.cancel()
        self._count_run(run, RunStatus.SUCCEEDED, started)
        self.metrics.note_successful_run(self.wall_clock.now().timestamp())
        for endpoint, rows in snapshot.data_quality.by_endpoint.items():
            self.metrics.vendor_rejected_rows.labels(endpoint).inc(rows)
        grid = await self.publisher.store(snapshot)
        self.grid.run_succeeded()
        await self.publisher.emit(EventType.ANALYSIS_PROGRESS, _progress_payload(run, "done", 100.0))
        await self.publisher.broadcast_changes(previous, grid)
        self._progress.pop(run.run_id, None)
        await self.retention.prune_if_due(KeptRun(run.run_id, snapshot.as_of))
        logger.info(
            "analysis %s done: %d stocks, as of %s",
            run.run_id,
            snapshot.universe_size,
            snapshot.as_of.isoformat(),
        )
        return run

    async def _grid_before_run(self) -> dict[str, Any] | None:
        """The grid a run replaces, to broadcast only what the run changed."""
        try:
            return await self.grid.latest_grid()
        except Exception as error:  # no previous grid: every sector is broadcast
            logger.warning("previous grid unavailable, broadcasting every sector: %s", error)
            return None


def _retrieve_failure(task: asyncio.Task[AnalysisRun]) -> None:
    """Mark a failed run's exception as seen: `_execute` logged it in one line and stored it, and a
    run nobody waits on (on-demand, a replay of the schedule) would otherwise end in asyncio's
    "Task exception was never retrieved" with the whole traceback when the task is freed."""
    if not task.cancelled():
        task.exception()
