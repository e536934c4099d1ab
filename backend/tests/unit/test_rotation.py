"""A run's rotation graph (engine/rotation_measure.py, rotation_bars.py) over the simulated market, and
what the API reads of it (engine/rotation.py): the bars it is drawn from, the half hours it reads
and where they come from, the reasons a sector has too few points, and the refusals."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from sectorlights.analytics.analysis import analyze
from sectorlights.config.criteria import ScoreParams
from sectorlights.config.rotation import MAX_TAIL
from sectorlights.domain.market import DailyBars, IntradaySnapshot, Listing, MinuteBars
from sectorlights.domain.results import AnalysisResult
from sectorlights.domain.rotation import Quadrant, RotationInterval
from sectorlights.domain.sessions import session_bounds
from sectorlights.domain.vocabulary import SECTORS
from sectorlights.engine.frame_builder import DailyBarsCache, SnapshotMemory, build_frame
from sectorlights.engine.lookups import InvalidParameter, NoAnalysisYet
from sectorlights.engine.queries import NotFound
from sectorlights.engine.rotation import NOT_MEASURED, RotationViews
from sectorlights.engine.rotation_bars import Bars, half_hour_marks
from sectorlights.engine.rotation_measure import (
    NO_MEMBERS,
    REMEMBERED_NOTE,
    RotationSources,
    measure_rotation,
    rotation_graph,
    with_rotation,
)
from sectorlights.providers.base import ProviderCapabilities
from sectorlights.providers.simulated.provider import SimulatedProvider
from sectorlights.storage.repository import Repository
from tests.databases import migrated_sqlite
from tests.samples import members, rotation_graphs, run_record, snapshot

NEW_YORK = ZoneInfo("America/New_York")
AT = datetime(2026, 11, 24, 11, 7, tzinfo=NEW_YORK)
PARAMS = ScoreParams()


def ny(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=NEW_YORK)


class NowOnly:
    """The simulated market behind a vendor that answers only for now, like Polygon's snapshot."""

    name = "now-only"
    capabilities = ProviderCapabilities(historical_snapshots=False)

    def __init__(self, inner: SimulatedProvider) -> None:
        self.inner = inner

    def listings(self, as_of: datetime) -> list[Listing]:
        return self.inner.listings(as_of)

    def daily_bars(self, sessions: Sequence[date]) -> list[DailyBars]:
        return self.inner.daily_bars(sessions)

    def intraday_snapshot(self, at: datetime) -> IntradaySnapshot:
        return self.inner.intraday_snapshot(at)

    def minute_bars(self, symbol: str, session: date) -> MinuteBars:
        raise AssertionError("the graph never asks for one symbol's minutes")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@pytest.fixture(scope="module")
def market() -> tuple[SimulatedProvider, Any, AnalysisResult]:
    provider = SimulatedProvider(listing_count=1200)
    frame = build_frame(provider, AT, 25, DailyBarsCache())
    return provider, frame, analyze(frame)


# --- the half hours ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("anchor", "count", "first", "last"),
    [
        # The half hour ending at the run is its own price; one ending within 5 minutes is too.
        (ny(24, 11, 7), 3, ny(24, 10), ny(24, 11)),
        (ny(24, 11, 3), 3, ny(24, 9, 30), ny(24, 10, 30)),
        (ny(24, 11, 0), 2, ny(24, 10), ny(24, 10, 30)),
        # Before 04:35 the previous session's evening: 2026-11-23 was a Monday.
        (ny(24, 4, 10), 2, ny(23, 19, 30), ny(23, 20)),
        (ny(24, 4, 40), 2, ny(23, 20), ny(24, 4, 30)),
        # A whole session back and beyond, over a weekend.
        (ny(23, 5, 0), 33, ny(20, 4, 30), ny(23, 4, 30)),
        # Thanksgiving (26th) is no session: the 27th's marks reach back to the 25th.
        (ny(27, 4, 45), 1, ny(27, 4, 30), ny(27, 4, 30)),
        (ny(27, 4, 30), 1, ny(25, 20), ny(25, 20)),
    ],
)
def test_half_hour_marks(anchor: datetime, count: int, first: datetime, last: datetime) -> None:
    marks = half_hour_marks(anchor, count)
    assert len(marks) == count
    assert (marks[0], marks[-1]) == (first, last)
    assert marks == sorted(marks)
    assert all(mark.astimezone(NEW_YORK).minute in {0, 30} for mark in marks)
    assert all(
        session_bounds(mark.astimezone(NEW_YORK).date()).extended_open
        < mark
        <= session_bounds(mark.astimezone(NEW_YORK).date()).extended_close
        for mark in marks
    )


# --- a run's graph -------------------------------------------------------------------------------


def test_a_run_measures_both_intervals_from_its_members_and_iwm(market: Any) -> None:
    provider, frame, result = market
    graphs = measure_rotation(provider, frame, result, RotationSources(None, PARAMS))

    day, intraday = graphs[RotationInterval.DAY], graphs[RotationInterval.MIN_30]
    assert (day.benchmark, day.ratio_period, day.momentum_period) == ("IWM", 10, 5)
    closes = [session_bounds(session).regular_close for session in frame.sessions]
    for graph in (day, intraday):
        assert [entry.sector for entry in graph.sectors] == list(SECTORS)
        for entry in graph.sectors:
            # 26 daily bars and 33 half-hour bars each give at least the 12 points a run keeps.
            assert len(entry.points) == MAX_TAIL and entry.reason is None
            times = [point.time for point in entry.points]
            assert times == sorted(times) and times[-1] == AT
            last = entry.points[-1]
            expected = {
                (True, True): Quadrant.LEADING,
                (True, False): Quadrant.WEAKENING,
                (False, False): Quadrant.LAGGING,
                (False, True): Quadrant.IMPROVING,
            }[(last.rs_ratio >= 100, last.rs_momentum >= 100)]
            assert entry.quadrant is expected
    assert [point.time for point in day.sectors[0].points[:-1]] == closes[-(MAX_TAIL - 1) :]
    assert [point.time for point in intraday.sectors[0].points[-3:-1]] == [ny(24, 10, 30), ny(24, 11)]

    cards = with_rotation(result.sectors, graphs)
    for card, daily, half_hourly in zip(cards, day.sectors, intraday.sectors, strict=True):
        assert (card.rotation.day, card.rotation.intraday) == (daily.quadrant, half_hourly.quadrant)


def test_a_vendor_that_answers_only_for_now_draws_from_the_remembered_snapshots(market: Any) -> None:
    provider, frame, result = market
    now_only = NowOnly(provider)
    empty = measure_rotation(now_only, frame, result, RotationSources(SnapshotMemory(), PARAMS))
    # Daily bars are the same whatever the vendor's snapshots; the half hours are missing.
    assert (
        empty[RotationInterval.DAY]
        == measure_rotation(provider, frame, result, RotationSources(None, PARAMS))[RotationInterval.DAY]
    )
    for entry in empty[RotationInterval.MIN_30].sectors:
        assert entry.points == [] and entry.quadrant is None
        assert entry.reason == (
            "Too little data: 1 half hours of the sector and IWM, 15 needed for the first point"
            + REMEMBERED_NOTE
        )

    memory = SnapshotMemory()
    for mark in half_hour_marks(AT, 32)[-20:]:  # the service ran for the last ten hours
        memory.remember(provider.intraday_snapshot(mark))
    remembered = measure_rotation(now_only, frame, result, RotationSources(memory, PARAMS))
    reference = measure_rotation(provider, frame, result, RotationSources(None, PARAMS))
    for got, full in zip(
        remembered[RotationInterval.MIN_30].sectors, reference[RotationInterval.MIN_30].sectors, strict=True
    ):
        # 21 bars give 7 points, the same as the provider's own half hours give at those bars.
        assert len(got.points) == 21 - 15 + 1
        assert got.points == full.points[-len(got.points) :]


def test_reasons_for_a_sector_without_points() -> None:
    times = tuple(datetime(2026, 11, 24, 4, tzinfo=NEW_YORK) + timedelta(minutes=30 * k) for k in range(6))
    rising = np.linspace(10.0, 11.0, 6)
    bars = Bars(times, np.vstack((rising, rising * 1.1, np.linspace(200.0, 201.0, 6))))
    graph = rotation_graph(bars, np.array([0, 0]), RotationInterval.MIN_30, PARAMS)
    technology, healthcare = graph.sectors[0], graph.sectors[1]
    assert (
        technology.reason
        == "Too little data: 6 half hours of the sector and IWM, 15 needed for the first point"
    )
    assert healthcare.reason == NO_MEMBERS
    assert all(entry.points == [] and entry.quadrant is None for entry in graph.sectors)


# --- reading it ----------------------------------------------------------------------------------


class Grids:
    def __init__(self, grid: dict[str, Any] | None) -> None:
        self.grid = grid

    async def latest_grid(self) -> dict[str, Any] | None:
        return self.grid


@pytest.fixture
def repository(tmp_path: Path) -> Any:
    with migrated_sqlite(tmp_path / "rotation.db") as engine:
        yield Repository(engine)


async def test_the_latest_runs_graph_with_its_tail(repository: Repository) -> None:
    views = RotationViews(repository, Grids(None))
    with pytest.raises(NoAnalysisYet):
        await views.graph(RotationInterval.DAY)

    run = run_record()
    repository.create_run(run)
    published = snapshot(run.run_id)
    repository.commit_run(published, members(), published.as_of, rotation=rotation_graphs())
    views = RotationViews(repository, Grids(published.model_dump(mode="json")))

    graph = await views.graph(RotationInterval.MIN_30, tail=2)
    assert (graph.run_id, graph.as_of, graph.tail, graph.interval) == (
        run.run_id,
        published.as_of,
        2,
        RotationInterval.MIN_30,
    )
    technology = graph.sectors[0]
    assert [point.rs_ratio for point in technology.points] == [100.6, 100.5]  # the last two, oldest first
    assert technology.reason is None
    longer = (await views.graph(RotationInterval.MIN_30, tail=5)).sectors[0]
    assert len(longer.points) == 3
    assert longer.reason == "Only 3 of 5 points: the first point needs 15 bars and 17 are held"
    assert graph.sectors[1].reason == "Too little data"


@pytest.mark.parametrize("tail", [0, MAX_TAIL + 1])
async def test_a_tail_out_of_range_is_refused(repository: Repository, tail: int) -> None:
    with pytest.raises(InvalidParameter, match=f"tail: must be from 1 to {MAX_TAIL}"):
        await RotationViews(repository, Grids(None)).graph(RotationInterval.DAY, tail)


async def test_a_run_from_before_the_graph_and_an_unknown_run(repository: Repository) -> None:
    run = run_record()
    repository.create_run(run)
    repository.commit_run(snapshot(run.run_id), members(), snapshot(run.run_id).as_of)
    views = RotationViews(repository, Grids(None))
    graph = await views.graph(RotationInterval.DAY, run_id=run.run_id)
    assert {entry.reason for entry in graph.sectors} == {NOT_MEASURED}
    assert all(entry.points == [] for entry in graph.sectors)
    with pytest.raises(NotFound, match="run_id"):
        await views.graph(RotationInterval.DAY, run_id="8c9a1e3c-0000-4000-8000-000000000000")


def test_the_regular_close_is_a_daily_bars_time() -> None:
    assert session_bounds(date(2026, 11, 27)).regular_close.time() == time(13, 0)
