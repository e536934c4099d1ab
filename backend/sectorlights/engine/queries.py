"""What the API reads: the latest grid, sectors, stocks, the universe and the runs, as typed models.

The routes ask this one service and never the database or the cache; "not there" comes back as
`NotFound` or `NotReady`, which the API turns into 404 and 503.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any, Protocol

from sectorlights.cache.base import encode_document
from sectorlights.domain.responses import (
    AnalysisRunStatus,
    Constituent,
    LatestAnalysis,
    ScheduledAnalysis,
    SectorDetail,
    SectorGrid,
    SectorHistory,
    SectorSummary,
    StockClassification,
    StockDetail,
    StockHistory,
    StockMetrics,
    StoredRuns,
    UniversePage,
)
from sectorlights.domain.snapshot import AnalysisRun, RunStatus
from sectorlights.domain.vocabulary import Sector
from sectorlights.engine.freshness import grid_freshness
from sectorlights.engine.query_rows import history_entry, history_point, returns_pct, top_list_entry
from sectorlights.engine.run_history import UnknownRunError, stored_grid, stored_runs
from sectorlights.engine.schedule import ScheduledRun
from sectorlights.storage.repository import Repository

NO_GRID_YET = "No analysis yet: the first run is in progress."
DEFAULT_PAGE = 100


class NotFound(LookupError):  # noqa: N818 - named for the answer it becomes
    """What was asked for does not exist; `headers` go with the 404."""

    def __init__(self, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers


class NotReady(RuntimeError):  # noqa: N818 - named for the answer it becomes
    """Nothing to answer yet: the first analysis has not published a grid."""

    def __init__(self, detail: str = NO_GRID_YET) -> None:
        super().__init__(detail)
        self.detail = detail


class GridSource(Protocol):
    """What the queries need of the served grid: the latest one, its freshness, the last failure."""

    @property
    def last_failure(self) -> str | None: ...

    async def latest_grid(self) -> dict[str, Any] | None: ...

    async def latest_grid_as_of(self) -> tuple[bytes, datetime] | None: ...

    def freshness_fields(self, as_of: datetime) -> dict[str, Any]: ...


class RunProgress(Protocol):
    """The live stage and percent of a run in flight in this process."""

    def progress(self, run_id: str) -> tuple[str, float] | None: ...


class Schedule(Protocol):
    def next_runs(self, count: int) -> list[ScheduledRun]: ...


class MarketQueries:
    """Read-only answers over the repository and the analysis's latest grid."""

    def __init__(
        self,
        repository: Repository,
        grids: GridSource,
        runs: RunProgress,
        schedule: Schedule | None = None,
    ) -> None:
        """`schedule`: None when runs are not scheduled (interval refresh, or none)."""
        self.repository = repository
        self.grids = grids
        self.runs = runs
        self.schedule = schedule

    async def _grid(self) -> dict[str, Any]:
        grid = await self.grids.latest_grid()
        if grid is None:
            raise NotReady
        return grid

    async def grid_document(self) -> bytes:
        """The latest grid's JSON with its freshness fields, spliced into the cached bytes: this is
        the dashboard's hot read, and decoding and re-encoding the grid would dominate its cost."""
        latest = await self.grids.latest_grid_as_of()
        if latest is None:
            raise NotReady
        raw, as_of = latest
        return raw[:-1] + b"," + encode_document(self.grids.freshness_fields(as_of))[1:]

    async def sector(self, sector: Sector) -> SectorDetail:
        grid = await self._grid()
        card = next((card for card in grid["sectors"] if card["sector"] == sector.value), None)
        if card is None:
            raise NotFound(f"sector: {sector.value} is not in the latest analysis")
        members, total = await asyncio.to_thread(self.repository.universe_members, sector)
        return SectorDetail.model_validate(
            {
                "run_id": grid["run_id"],
                "as_of": grid["as_of"],
                "data_source": grid["data_source"],
                "sector": card,
                "constituent_count": total,
                "constituents": members,
            }
        )

    async def sector_history(
        self, sector: Sector, limit: int, since: datetime | None, until: datetime | None
    ) -> SectorHistory:
        rows = await asyncio.to_thread(self.repository.sector_history, sector, limit, since, until)
        return SectorHistory(
            sector=sector,
            since=since,
            until=until,
            limit=limit,
            count=len(rows),
            history=[history_entry(row) for row in rows],
        )

    async def stock(self, symbol: str) -> StockDetail:
        """A universe member; NotFound naming the exclusion reason (also as X-Exclusion-Reason)
        when the latest run left it out."""
        grid = await self._grid()
        member = await asyncio.to_thread(self.repository.member, symbol)
        if member is None:
            reason = await asyncio.to_thread(self.repository.exclusion, symbol)
            if reason is None:
                raise NotFound(f"{symbol} is not listed in the latest analysis")
            raise NotFound(
                f"{symbol} is not in the current universe: excluded by {reason}",
                headers={"X-Exclusion-Reason": reason},
            )
        card = next((card for card in grid["sectors"] if card["sector"] == member["sector"]), None)
        top_list = top_list_entry(grid, symbol)
        return StockDetail(
            symbol=symbol,
            in_universe=True,
            member=Constituent.model_validate(member),
            classification=StockClassification(
                sector=member["sector"],
                source=member["classification_source"],
                confidence=member["confidence"],
                sic_code=member["sic_code"],
            ),
            sector_card=None if card is None else SectorSummary.model_validate(card),
            metrics=StockMetrics(
                returns_pct=returns_pct(member),
                relative_volume=member.get("relative_volume"),
                rank_score=member.get("rank_score"),
            ),
            in_top_list=top_list is not None,
            top_list=top_list,
            run_id=grid["run_id"],
            as_of=grid["as_of"],
        )

    async def stock_history(
        self, symbol: str, limit: int, since: datetime | None, until: datetime | None
    ) -> StockHistory:
        rows = await asyncio.to_thread(self.repository.stock_history, symbol, limit, since, until)
        if not rows and not await asyncio.to_thread(self.repository.stock_history, symbol, 1):
            raise NotFound(f"{symbol} has no stored history")
        return StockHistory(symbol=symbol, count=len(rows), points=[history_point(row) for row in rows])

    async def universe(self, sector: Sector | None, offset: int, limit: int | None) -> UniversePage:
        """A page of the latest run's universe (DEFAULT_PAGE members unless `limit` says)."""
        grid = await self._grid()
        page = DEFAULT_PAGE if limit is None else limit
        members = await self._members(sector, offset, page)
        return UniversePage(
            run_id=grid["run_id"],
            as_of=grid["as_of"],
            universe_size=grid["universe_size"],
            funnel=grid["funnel"],
            sector=sector,
            total=members[1],
            offset=offset,
            limit=page,
            members=members[0],
        )

    async def universe_members(
        self, sector: Sector | None, offset: int, limit: int | None
    ) -> list[Constituent]:
        """The members for an export: every one from `offset` unless `limit` says."""
        await self._grid()
        members, _total = await self._members(sector, offset, limit)
        return members

    async def _members(
        self, sector: Sector | None, offset: int, limit: int | None
    ) -> tuple[list[Constituent], int]:
        rows, total = await asyncio.to_thread(self.repository.universe_members, sector, offset, limit)
        return [Constituent.model_validate(row) for row in rows], total

    def run_status(self, run: AnalysisRun) -> AnalysisRunStatus:
        """The run record, with the live stage and percent while it is running in this process."""
        body = run.model_dump()
        live = self.runs.progress(run.run_id) if run.status == RunStatus.RUNNING else None
        if live is not None:
            body["stage"], body["progress_pct"] = live[0], round(live[1], 1)
        return AnalysisRunStatus.model_validate(body)

    async def run(self, run_id: str) -> AnalysisRunStatus:
        run = await asyncio.to_thread(self.repository.get_run, run_id)
        if run is None:
            raise NotFound(f"run_id: no analysis run {run_id}")
        return self.run_status(run)

    async def stored_runs(self, limit: int, before: datetime | None) -> StoredRuns:
        return await stored_runs(self.repository, limit, before)

    async def stored_grid(self, run_id: str) -> SectorGrid:
        try:
            return await stored_grid(self.repository, self.grids, run_id)
        except UnknownRunError:
            raise NotFound(f"run_id: no stored successful run {run_id}") from None

    async def latest_analysis(self) -> LatestAnalysis:
        """The latest run, the served grid's freshness (fresh < 2 h, aging 2-4 h, stale > 4 h) and
        the next scheduled runs."""
        latest = await asyncio.to_thread(self.repository.latest_run)
        if latest is None:
            raise NotFound("No analysis has run yet: POST /api/analysis to start one.")
        grid = await self.grids.latest_grid()
        # The latest run's outcome, whichever process ran it; while one is running, the outcome of
        # this process's last run stands.
        if latest.status == RunStatus.FAILED:
            failure = latest.error or "the latest analysis failed"
        elif latest.status == RunStatus.SUCCEEDED:
            failure = None
        else:
            failure = self.grids.last_failure
        answer: dict[str, Any] = {
            "run": self.run_status(latest),
            "last_error": failure,
            "next_scheduled": [
                ScheduledAnalysis(at=item.at, kind=item.kind.value)
                for item in ([] if self.schedule is None else self.schedule.next_runs(3))
            ],
        }
        if grid is None:
            message = (
                "No completed analysis yet; the first run is in progress."
                if latest.status == RunStatus.RUNNING
                else "No completed analysis yet; run a fresh analysis."
            )
            return LatestAnalysis.model_validate(
                answer
                | {"grid_run_id": None, "as_of": None, "age_secs": None, "freshness": None}
                | {"recommendation": message}
            )
        age_secs = self.grids.freshness_fields(datetime.fromisoformat(grid["as_of"]))["age_secs"]
        fields = grid_freshness(age_secs, failure)
        return LatestAnalysis.model_validate(
            answer
            | {"grid_run_id": grid["run_id"], "as_of": grid["as_of"]}
            | {key: fields[key] for key in ("age_secs", "freshness", "recommendation")}
        )
