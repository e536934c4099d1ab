"""Replays of past sessions, for `sectorlights replay` and `POST /api/replays`: one at a time, over
imported flat files in this database whatever provider the live runs use, stored as runs to open
read-only.

A replay is never the live grid. It writes no cache document, publishes nothing on the live event
bus, leaves the universe tables, the sector and stock history, the move watcher's universe and the
live grid's failure state alone, and runs no retention; its run carries the `replay` trigger, which
the queries of the latest run and the served grid leave out.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sectorlights.core.clock import Clock
from sectorlights.core.executor import BoundedExecutor
from sectorlights.core.tasks import stop_task
from sectorlights.domain.snapshot import AnalysisRun, RunStatus, RunTrigger, SectorSnapshot
from sectorlights.engine.computation import AnalysisMoment, FrameSources, compute_snapshot
from sectorlights.engine.frame_builder import DailyBarsCache
from sectorlights.engine.pipeline import AnalysisInputs
from sectorlights.engine.replay_request import ReplayInstant, missing_bars, replay_instant
from sectorlights.engine.runs import keep_heartbeat, settled_run
from sectorlights.metrics import Metrics
from sectorlights.providers.base import MarketDataProvider
from sectorlights.storage.bars import BarsRepository
from sectorlights.storage.repository import INTERRUPTED_ERROR, Repository

logger = logging.getLogger(__name__)


class ReplayBusyError(RuntimeError):
    """Another replay is in flight in this process; `detail` says which."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


@dataclass(frozen=True, slots=True)
class ReplaySources:
    """What replays analyse with: a flat-files provider over this database's imported bars, and
    classification inputs and a bars cache of their own (a live run may be computing meanwhile)."""

    provider: MarketDataProvider
    inputs: AnalysisInputs
    bars: BarsRepository
    bars_cache: DailyBarsCache
    history_sessions: int


@dataclass(eq=False)
class ReplayRunner:
    sources: ReplaySources
    repository: Repository
    # Real time: what "the past" and run bookkeeping are measured by.
    wall_clock: Clock
    metrics: Metrics
    # A replay computes like a run: on the engine's threads, not the API's.
    vendor_calls: BoundedExecutor
    # Recorded on its replays' runs, so a restart of this instance fails those left `running` too
    # (RunCoordinator.start); None in the CLI.
    instance: str | None = None
    _task: asyncio.Task[AnalysisRun] | None = field(default=None, init=False, repr=False)
    _run: tuple[AnalysisRun, ReplayInstant] | None = field(default=None, init=False, repr=False)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock, init=False, repr=False)
    _progress: dict[str, tuple[str, float]] = field(default_factory=dict, init=False, repr=False)

    async def start(
        self, day_text: str, time_text: str | None, admit: Callable[[], Awaitable[None]] | None = None
    ) -> tuple[AnalysisRun, ReplayInstant]:
        """Check the request (ReplayRequestError naming the field), then start its run; returns the
        run and the instant it analyses at once. ReplayBusyError while another replay runs; `admit`
        (a rate limit) is called only when the replay would start, and nothing starts if it raises."""
        instant = replay_instant(day_text, time_text, self.wall_clock.now())
        async with self._lock:
            if self._task is not None and not self._task.done() and self._run is not None:
                running, at = self._run
                raise ReplayBusyError(
                    f"busy: the replay of {at.at.isoformat()} (run {running.run_id}) is still running; "
                    "one replay runs at a time, try again when it has finished"
                )
            refused = await asyncio.to_thread(
                missing_bars, self.sources.bars, instant, self.sources.history_sessions
            )
            if refused is not None:
                raise refused
            if admit is not None:
                await admit()
            run = AnalysisRun(
                run_id=str(uuid.uuid4()),
                trigger=RunTrigger.REPLAY,
                status=RunStatus.RUNNING,
                stage="queued",
                progress_pct=0.0,
                provider=self.sources.provider.name,
                started_at=self.wall_clock.now(),
            )
            await asyncio.to_thread(self.repository.create_run, run, self.instance)
            self._run = (run, instant)
            self._task = asyncio.create_task(self._execute(run, instant), name=f"replay-{run.run_id}")
            return run, instant

    async def wait_for(self, run_id: str) -> AnalysisRun:
        """Wait for the replay `run_id` (when it is the one in flight) and return its record."""
        in_flight = self._run[0].run_id if self._run is not None else None
        return await settled_run(self.repository, run_id, self._task, in_flight)

    def progress(self, run_id: str) -> tuple[str, float] | None:
        """The stage and percent of the replay in flight (they are stored as well)."""
        return self._progress.get(run_id)

    async def stop(self) -> None:
        # A replay failing as it is cancelled has already been recorded as failed.
        await stop_task(self._task, suppress=(asyncio.CancelledError, Exception))

    async def _execute(self, run: AnalysisRun, instant: ReplayInstant) -> AnalysisRun:
        started = time.perf_counter()
        heartbeat = asyncio.create_task(
            keep_heartbeat(self.repository, self.wall_clock, run.run_id), name=f"heartbeat-{run.run_id}"
        )
        try:
            snapshot = await self.vendor_calls.run(self._compute_and_store, run, instant)
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                await asyncio.to_thread(
                    self.repository.fail_run, run.run_id, INTERRUPTED_ERROR, self.wall_clock.now()
                )
            raise
        except Exception as error:
            message = f"{type(error).__name__}: {error}"
            logger.error("replay %s of %s failed: %s", run.run_id, instant.at.isoformat(), message)
            await asyncio.to_thread(self.repository.fail_run, run.run_id, message, self.wall_clock.now())
            self._count(RunStatus.FAILED, started)
            # Told through the run's record (nobody awaits this task), not raised.
            return run
        finally:
            heartbeat.cancel()
            self._progress.pop(run.run_id, None)
        self._count(RunStatus.SUCCEEDED, started)
        logger.info(
            "replay %s of %s done: %d stocks", run.run_id, snapshot.as_of.isoformat(), snapshot.universe_size
        )
        return run

    def _compute_and_store(self, run: AnalysisRun, instant: ReplayInstant) -> SectorSnapshot:
        def report(stage: str, percent: float) -> None:
            self._progress[run.run_id] = (stage, percent)
            self.repository.update_progress(run.run_id, stage, percent, self.wall_clock.now())

        sources = self.sources
        snapshot, _result, rotation = compute_snapshot(
            sources.provider,
            sources.inputs,
            AnalysisMoment(run, instant.at, self.wall_clock),
            # No snapshot memory: flat files answer any past instant, and one replay must not see
            # the instants an earlier replay analysed.
            FrameSources(sources.history_sessions, sources.bars_cache, None),
            report,
        )
        report("saving", 90.0)
        self.repository.commit_replay(snapshot, self.wall_clock.now(), rotation.values())
        return snapshot

    def _count(self, status: RunStatus, started: float) -> None:
        self.metrics.analysis_runs.labels(RunTrigger.REPLAY.value, status.value).inc()
        self.metrics.analysis_run_duration.labels(status.value).observe(time.perf_counter() - started)
