"""Why a sector has its colour: the drill-down's card and members, and each member's pull on the
sector's volume-weighted return, so the stocks that moved it can be named."""

from __future__ import annotations

import math

import numpy as np

from sectorlights.analytics.performance import member_pulls, volume_weights
from sectorlights.config.criteria import ScoreParams
from sectorlights.domain.explanations import SectorColourReason, SectorMover
from sectorlights.domain.frame import FloatArray
from sectorlights.domain.responses import Constituent
from sectorlights.domain.vocabulary import TIMEFRAMES, Sector
from sectorlights.engine.queries import MarketQueries
from sectorlights.engine.query_rows import returns_pct

# Per timeframe, the members named as having moved the sector.
MOVERS_PER_TIMEFRAME = 5


def _float(value: float | None) -> float:
    return math.nan if value is None else value


class SectorExplanations:
    """Reads what the drill-down reads (`MarketQueries.sector`) and weighs the members as the
    analysis that coloured the sector did (`params`: the configured score rules)."""

    def __init__(
        self, queries: MarketQueries, params: ScoreParams, movers: int = MOVERS_PER_TIMEFRAME
    ) -> None:
        self.queries = queries
        self.params = params
        self.movers = movers

    async def explain(self, sector: Sector) -> SectorColourReason:
        """NotReady before the first grid, NotFound for a sector the latest grid lacks (as the
        drill-down)."""
        detail = await self.queries.sector(sector)
        members = detail.constituents
        returns = np.array(
            [[_float(value) for value in returns_pct(member.model_dump()).values()] for member in members],
            dtype=np.float64,
        ).reshape(len(members), len(TIMEFRAMES))
        volumes = np.array([_float(member.relative_volume) for member in members], dtype=np.float64)
        pulls = member_pulls(returns, volumes, self.params)
        weights = volume_weights(volumes, self.params.relative_volume_clip)
        movers = {
            timeframe: self._largest(members, returns[:, column], weights, pulls[:, column])
            for column, timeframe in enumerate(TIMEFRAMES)
        }
        return SectorColourReason(
            run_id=detail.run_id,
            as_of=detail.as_of,
            data_source=detail.data_source,
            sector=detail.sector,
            timeframe_weights=self.params.timeframe_weights,
            movers=movers,
        )

    def _largest(
        self,
        members: list[Constituent],
        returns: FloatArray,
        weights: FloatArray,
        pulls: FloatArray,
    ) -> list[SectorMover]:
        """The members with the largest pulls either way, largest first; ties by symbol."""
        usable = [row for row in range(len(members)) if math.isfinite(pulls[row])]
        usable.sort(key=lambda row: (-abs(float(pulls[row])), members[row].symbol))
        return [
            SectorMover(
                symbol=members[row].symbol,
                name=members[row].name,
                change_pct=float(returns[row]),
                relative_volume=members[row].relative_volume,
                volume_weight=round(float(weights[row]), 4),
                pull_pct=round(float(pulls[row]), 4),
            )
            for row in usable[: self.movers]
        ]
