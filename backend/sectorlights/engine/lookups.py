"""What the trader's views share: their refusals, and the check that a symbol is listed.

The API turns `NoAnalysisYet` into 409, `VendorUnavailable` into 503 and `InvalidParameter` into 422,
each as the one error body naming the problem.
"""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

from sectorlights.engine.queries import NotFound
from sectorlights.storage.repository import Repository

NO_ANALYSIS_YET = "No analysis yet: the first run is in progress; try again once the grid is published."


class NoAnalysisYet(RuntimeError):  # noqa: N818 - named for the answer it becomes
    """The view needs the latest analysis's universe, and there is none yet."""

    def __init__(self, detail: str = NO_ANALYSIS_YET) -> None:
        super().__init__(detail)
        self.detail = detail


class VendorUnavailable(RuntimeError):  # noqa: N818 - named for the answer it becomes
    """The market-data vendor failed and nothing good is held to answer with; `detail` names the
    endpoint and the cause."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class InvalidParameter(ValueError):  # noqa: N818 - named for the answer it becomes
    """A parameter that passed its type check but names something that cannot be answered (a date
    that is not a session, a session in the future)."""

    def __init__(self, name: str, problem: str) -> None:
        super().__init__(f"{name}: {problem}")
        self.detail = f"{name}: {problem}"


class LatestGrid(Protocol):
    async def latest_grid(self) -> dict[str, Any] | None: ...


async def require_grid(grids: LatestGrid) -> dict[str, Any]:
    grid = await grids.latest_grid()
    if grid is None:
        raise NoAnalysisYet
    return grid


async def require_listed(repository: Repository, grids: LatestGrid, symbol: str) -> None:
    """NotFound unless the latest analysis listed `symbol` (a member, or a listing it left out)."""
    await require_grid(grids)
    if await asyncio.to_thread(repository.member, symbol) is not None:
        return
    if await asyncio.to_thread(repository.exclusion, symbol) is None:
        raise NotFound(f"symbol: {symbol} is not listed in the latest analysis")
