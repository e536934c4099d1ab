"""Parts built from settings alone, for the container and for the CLI commands that need them
without a running service: classification inputs, the colour history, what replays read, and the
market schedule."""

from __future__ import annotations

from sqlalchemy import Engine

from sectorlights.config.colour_history import (
    COLOUR_HISTORY_FILE,
    ColourHistoryFileError,
    load_colour_history,
)
from sectorlights.config.sectors import OverridesFileError
from sectorlights.core.clock import Clock
from sectorlights.domain.colour_history import ColourHistory
from sectorlights.engine.classification_sources import ClassificationSources
from sectorlights.engine.frame_builder import DailyBarsCache
from sectorlights.engine.leader import RunLock
from sectorlights.engine.pipeline import AnalysisInputs
from sectorlights.engine.replays import ReplaySources
from sectorlights.engine.runs import RunCoordinator
from sectorlights.engine.scheduler import AnalysisScheduler, SchedulerSettings
from sectorlights.providers.base import SectorReferenceStore
from sectorlights.providers.registry import build_provider
from sectorlights.providers.resilience import CallObserver
from sectorlights.settings import ConfigurationError, Settings
from sectorlights.storage.bars import BarsRepository
from sectorlights.storage.reference_store import SqlSectorReferenceStore


def build_classification_sources(
    settings: Settings,
    database: Engine,
    store: SectorReferenceStore | None = None,
    observer: CallObserver | None = None,
) -> ClassificationSources:
    """Overrides (the configured file) and FMP sectors (stored; looked up when FMP_API_KEY is set)."""
    from sectorlights.providers.fmp.client import create_fmp_reference

    try:
        return ClassificationSources(
            store or SqlSectorReferenceStore(database),
            create_fmp_reference(settings.provider, observer=observer),
            settings.analysis.classification_overrides,
            settings.analysis.fmp_lookups_per_run,
            settings.analysis.sector_refresh_days,
        )
    except OverridesFileError as error:
        raise ConfigurationError(
            f"configuration error: SECTORLIGHTS_CLASSIFICATION_OVERRIDES: {error}"
        ) from None


def load_configured_colour_history(settings: Settings) -> ColourHistory:
    """The configured colour history (the shipped one by default); ConfigurationError naming the
    setting, the file and the problem when it cannot be used."""
    try:
        return load_colour_history(settings.server.colour_history or COLOUR_HISTORY_FILE)
    except ColourHistoryFileError as error:
        raise ConfigurationError(f"configuration error: SECTORLIGHTS_COLOUR_HISTORY: {error}") from None


def replay_sources(
    settings: Settings, clock: Clock, database: Engine, observer: CallObserver
) -> ReplaySources:
    """Replays read the flat files imported into this database, whatever provider the live runs use
    (with SECTORLIGHTS_FLATFILES_LISTINGS as their reference data), with their own classification
    inputs and bars cache."""
    flatfiles = settings.provider.model_copy(update={"name": "flatfiles"})
    sources = build_classification_sources(settings, database, observer=observer)
    return ReplaySources(
        provider=build_provider(flatfiles, clock, database),
        inputs=AnalysisInputs.from_settings(settings.analysis, sources),
        bars=BarsRepository(database),
        bars_cache=DailyBarsCache(),
        history_sessions=settings.engine.history_sessions,
    )


def build_scheduler(
    settings: Settings, clock: Clock, run_lock: RunLock, runs: RunCoordinator
) -> AnalysisScheduler | None:
    """The market schedule, when it is the one configured."""
    if settings.engine.schedule != "market":
        return None
    return AnalysisScheduler(
        runs.run_scheduled,
        clock,
        run_lock,
        SchedulerSettings(
            retry_delays_secs=settings.engine.schedule_retry_delays_secs,
            clock_speed=settings.provider.sim_speed,
        ),
        runs.last_completed_at,
    )
