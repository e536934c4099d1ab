"""How old an analysis is and what to tell the trader about it (DESIGN §7)."""

from __future__ import annotations

from sectorlights.domain.vocabulary import Freshness

FRESH_SECS = 2 * 3600
STALE_SECS = 4 * 3600


def classify_freshness(age_secs: float) -> Freshness:
    """< 2 h fresh, 2-4 h aging, > 4 h stale."""
    if age_secs < FRESH_SECS:
        return Freshness.FRESH
    if age_secs <= STALE_SECS:
        return Freshness.AGING
    return Freshness.STALE


def recommendation(freshness: Freshness) -> str:
    return {
        Freshness.FRESH: "Analysis is current.",
        Freshness.AGING: "Analysis available; refresh recommended if there was major news since.",
        Freshness.STALE: "Analysis is stale; run a fresh analysis.",
    }[freshness]
