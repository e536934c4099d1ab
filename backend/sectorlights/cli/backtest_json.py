"""The backtest's figures as JSON and as summary text, shared by the daily, variant and intraday
parts of `sectorlights backtest`."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sectorlights.analytics.backtest import BacktestStats, HitRate
    from sectorlights.engine.backtest import BacktestRun


def median_members(outcome: BacktestRun) -> dict[str, float | None]:
    """Per sector, the median universe member count over the scored sessions."""
    import numpy as np

    from sectorlights.domain.vocabulary import SECTORS

    if not outcome.outcomes:
        return {sector.value: None for sector in SECTORS}
    counts = np.array([row.member_counts for row in outcome.outcomes])
    return {sector.value: float(np.median(counts[:, index])) for index, sector in enumerate(SECTORS)}


def stats_json(stats: BacktestStats) -> dict[str, Any]:
    """The statistics as JSON, sectors and timeframes keyed by name."""
    from sectorlights.domain.vocabulary import SECTORS, TIMEFRAMES

    document = asdict(stats)
    document["by_sector"] = dict(zip([s.value for s in SECTORS], document["by_sector"], strict=True))
    document["by_timeframe"] = dict(zip([t.value for t in TIMEFRAMES], document["by_timeframe"], strict=True))
    return document


def pct(rate: dict[str, Any] | HitRate) -> str:
    """A hit rate for the text summary: rate, bootstrap interval and cell count."""
    values = rate if isinstance(rate, dict) else asdict(rate)
    if values["rate"] is None:
        return "n/a"
    boot = values["bootstrap"]
    interval = "" if boot["low"] is None else f" (95% {boot['low'] * 100:.1f}-{boot['high'] * 100:.1f})"
    return f"{values['rate'] * 100:.1f}%{interval} of {values['total']:,}"
