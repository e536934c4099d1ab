"""How old an analysis is and what to tell the trader about it (DESIGN §7)."""

from __future__ import annotations

from typing import Any

from sectorlights.domain.vocabulary import Freshness

FRESH_SECS = 2 * 3600
STALE_SECS = 4 * 3600

FAILED_RUN_ADVICE = (
    "The latest analysis failed (see last_error); this grid is from an earlier run. "
    "Run a fresh analysis once the cause is fixed."
)


def classify_freshness(age_secs: float) -> Freshness:
    """< 2 h fresh, 2-4 h aging, > 4 h stale."""
    if age_secs < FRESH_SECS:
        return Freshness.FRESH
    if age_secs <= STALE_SECS:
        return Freshness.AGING
    return Freshness.STALE


def recommendation(freshness: Freshness, failed_run_error: str | None = None) -> str:
    if failed_run_error is not None:
        return FAILED_RUN_ADVICE
    return {
        Freshness.FRESH: "Analysis is current.",
        Freshness.AGING: "Analysis available; refresh recommended if there was major news since.",
        Freshness.STALE: "Analysis is stale; run a fresh analysis.",
    }[freshness]


def grid_freshness(age_secs: float, failed_run_error: str | None) -> dict[str, Any]:
    """What a served grid says about itself, in agreement: after a failed run the grid is not the
    latest analysis whatever its age, so it is stale in every field (freshness, `stale`, the
    recommendation) and `last_error` says why."""
    freshness = Freshness.STALE if failed_run_error is not None else classify_freshness(age_secs)
    return {
        "age_secs": round(age_secs, 1),
        "freshness": freshness.value,
        "recommendation": recommendation(freshness, failed_run_error),
        "stale": freshness == Freshness.STALE,
        "last_error": failed_run_error,
    }
