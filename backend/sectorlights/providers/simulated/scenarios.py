"""Named market days layered on the simulated market from one session onward.

A scenario changes the innovations of every session from its first session on: it can damp the
ordinary moves, move whole sectors (part as a 04:00 ET gap, part over the regular session), and add
catalysts (FDA approvals, earnings gaps). Sessions before it are the ordinary seeded market, so the
history the analysis looks back on is unchanged. The extra moves are sized so that the analysis
shows the intended colors while the named tickers stay inside their price bands.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sectorlights.domain.vocabulary import SECTORS, Sector

FloatArray = npt.NDArray[np.float64]

QUIET_DAY = "quiet_day"
FDA_APPROVAL_WAVE = "fda_approval_wave"
TECH_SELLOFF_HEALTHCARE_ROTATION = "tech_selloff_healthcare_rotation"
OVERNIGHT_GAPS = "overnight_gaps"


@dataclass(frozen=True, slots=True)
class ScenarioShock:
    """What a scenario does to each of its sessions."""

    name: str
    # Scales the session's ordinary market, sector and idiosyncratic moves and its intraday wiggles.
    damping: float = 1.0
    keep_catalysts: bool = True
    # Sector log moves: the gap shows at 04:00 ET, the drift builds over the regular session.
    sector_gap: tuple[tuple[Sector, float], ...] = ()
    sector_drift: tuple[tuple[Sector, float], ...] = ()
    # Share of the healthcare operating companies (with FDA exposure) that get an approval at 04:00.
    fda_approval_share: float = 0.0
    # Exchange-listed, liquid common stocks that gap 17-40% at 04:00 on earnings.
    gap_count: int = 0
    log_volume_shift: float = 0.0
    # A market-wide article published at 04:01 ET: (title, description), sentiment per sector.
    headline: tuple[str, str] | None = None
    headline_sentiment: tuple[tuple[Sector, str], ...] = ()

    def sector_vector(self, moves: tuple[tuple[Sector, float], ...]) -> FloatArray:
        vector = np.zeros(len(SECTORS))
        for sector, move in moves:
            vector[SECTORS.index(sector)] += move
        return vector


SCENARIOS: dict[str, ScenarioShock] = {
    QUIET_DAY: ScenarioShock(
        name=QUIET_DAY,
        damping=0.25,
        keep_catalysts=False,
        log_volume_shift=-0.2,
        headline=(
            "Small Caps Drift in a Quiet Session as Traders Wait for Fresh Catalysts",
            "Trading in small caps is thin and ranges are narrow across every sector, with no major "
            "company news or economic data to move prices.",
        ),
    ),
    FDA_APPROVAL_WAVE: ScenarioShock(
        name=FDA_APPROVAL_WAVE,
        sector_gap=((Sector.HEALTHCARE, 0.045),),
        sector_drift=((Sector.HEALTHCARE, 0.01),),
        fda_approval_share=0.1,
        headline=(
            "Biotech Stocks Surge as FDA Clears a Wave of New Drug Approvals Overnight",
            "The FDA announced a cluster of approvals before the open, lifting small-cap healthcare "
            "names across the board in pre-market trading.",
        ),
        headline_sentiment=((Sector.HEALTHCARE, "positive"),),
    ),
    TECH_SELLOFF_HEALTHCARE_ROTATION: ScenarioShock(
        name=TECH_SELLOFF_HEALTHCARE_ROTATION,
        sector_gap=((Sector.TECHNOLOGY, -0.04), (Sector.HEALTHCARE, 0.035)),
        sector_drift=((Sector.TECHNOLOGY, -0.02), (Sector.HEALTHCARE, 0.02)),
        headline=(
            "Tech Stocks Slide as Investors Rotate Into Healthcare",
            "Technology shares fall sharply before the open while healthcare names gain, as money "
            "moves out of richly valued growth stocks into defensive sectors.",
        ),
        headline_sentiment=((Sector.TECHNOLOGY, "negative"), (Sector.HEALTHCARE, "positive")),
    ),
    OVERNIGHT_GAPS: ScenarioShock(name=OVERNIGHT_GAPS, gap_count=12),
}

SCENARIO_NAMES: tuple[str, ...] = tuple(SCENARIOS)


def scenario_shock(name: str | None) -> ScenarioShock | None:
    """The shock of a scenario name; None for None; ValueError naming the allowed names otherwise."""
    if name is None:
        return None
    try:
        return SCENARIOS[name]
    except KeyError:
        raise ValueError(
            f"unknown simulated scenario {name!r} (allowed: {', '.join(SCENARIO_NAMES)})"
        ) from None
