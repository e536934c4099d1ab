"""What each colour has been followed by on real history: the colour history loaded at start-up."""

from __future__ import annotations

from fastapi import APIRouter

from sectorlights.api.deps import ContainerDep
from sectorlights.api.errors import error_responses
from sectorlights.domain.colour_history import ColourHistory

router = APIRouter(prefix="/api", tags=["colour history"])


@router.get("/colour-history", responses=error_responses(401))
async def get_colour_history(container: ContainerDep) -> ColourHistory:
    """After each colour, the share of next sessions the sector went down and up and its mean
    next-session return on a named set of real history, with intervals and an edge verdict by the
    rule it states. Written by `sectorlights backtest --summary`; `SECTORLIGHTS_COLOUR_HISTORY`
    picks the file."""
    return container.colour_history
