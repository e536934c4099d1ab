"""What the `universe` command reports: a frame from the configured provider, the universe exactly as
`analyze` selects it, and one symbol's criteria.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import sqlalchemy

from sectorlights.analytics.analysis import select_members
from sectorlights.analytics.classification import Classification, classify
from sectorlights.analytics.performance import stock_returns
from sectorlights.analytics.universe import (
    DEFAULT_CRITERIA,
    MICRO_CAP_TIER,
    SMALL_CAP_TIER,
    UniverseSelection,
    screen_listings,
)
from sectorlights.config.criteria import UniverseCriteria
from sectorlights.domain.frame import MarketFrame
from sectorlights.domain.vocabulary import SECTORS, TIMEFRAMES, Tier
from sectorlights.settings import Settings

_TIER_NAMES = {MICRO_CAP_TIER: Tier.MICRO_CAP.value, SMALL_CAP_TIER: Tier.SMALL_CAP.value}


@dataclass(frozen=True, slots=True)
class CurrentMarket:
    """The frame the next analysis would see and the classification inputs it would get."""

    frame: MarketFrame
    provider_name: str
    overrides: Mapping[str, str]
    fmp_sectors: Mapping[str, str]


def build_current_frame(settings: Settings) -> CurrentMarket:
    """The frame the next analysis would see: configured provider, the clock's now (SIM_NOW honoured)."""
    from sectorlights.core.clock import clock_from_settings
    from sectorlights.engine.configured import build_classification_sources
    from sectorlights.engine.frame_builder import DailyBarsCache, build_frame
    from sectorlights.providers.base import MemorySectorReferenceStore
    from sectorlights.providers.registry import build_provider
    from sectorlights.storage.database import create_database_engine
    from sectorlights.storage.tables import sector_reference

    clock = clock_from_settings(
        settings.provider.sim_now, settings.provider.sim_speed, settings.provider.sim_epoch
    )
    database = create_database_engine(settings.database.effective_url)
    try:
        provider = build_provider(settings.provider, clock, database)
        now = clock.now().astimezone(UTC)
        frame = build_frame(provider, now, settings.engine.history_sessions, DailyBarsCache())
        # An inspection works on a database that was never migrated; FMP answers are then not kept.
        migrated = sqlalchemy.inspect(database).has_table(sector_reference.name)
        store = None if migrated else MemorySectorReferenceStore()
        sources = build_classification_sources(settings, database, store)
        inputs = sources.inputs(frame.symbols[screen_listings(frame).mask].tolist(), datetime.now(UTC))
        return CurrentMarket(frame, provider.name, inputs.overrides, inputs.fmp_sectors)
    finally:
        database.dispose()


@dataclass(frozen=True, slots=True)
class UniverseReport:
    """The universe of one frame, selected the way `analyze` selects it."""

    frame: MarketFrame
    selection: UniverseSelection
    classification: Classification
    criteria: UniverseCriteria
    overrides: Mapping[str, str] | None = None
    fmp_sectors: Mapping[str, str] | None = None

    def row_of(self, symbol: str) -> int | None:
        rows = np.flatnonzero(self.frame.symbols == symbol.upper())
        return int(rows[0]) if rows.size else None

    def funnel(self) -> list[dict[str, Any]]:
        """Each stage with how many listings remain and how many it removed."""
        stages = []
        previous: int | None = None
        for stage in self.selection.funnel:
            removed = 0 if previous is None else previous - stage.remaining
            stages.append({"stage": stage.stage, "remaining": stage.remaining, "removed": removed})
            previous = stage.remaining
        return stages

    def excluded_by_reason(self) -> dict[str, int]:
        reasons = self.selection.exclusion_reason[~self.selection.mask].tolist()
        return dict(sorted(Counter(str(reason) for reason in reasons).items()))

    def tier_counts(self) -> dict[str, int]:
        tiers = self.selection.tier[self.selection.mask].tolist()
        return {name: tiers.count(tier) for tier, name in _TIER_NAMES.items()}

    def sector_counts(self) -> dict[str, int]:
        sectors = self.classification.sector_index[self.selection.mask].tolist()
        return {sector.value: sectors.count(index) for index, sector in enumerate(SECTORS)}

    def member(self, row: int) -> dict[str, Any]:
        frame, selection, classification = self.frame, self.selection, self.classification
        sector = classification.sector_at(row)
        return {
            "symbol": str(frame.symbols[row]),
            "name": str(frame.names[row]),
            "tier": _TIER_NAMES.get(int(selection.tier[row])),
            "sector": None if sector is None else sector.value,
            "market_cap": _number(frame.market_cap[row]),
            "avg_daily_volume": _number(selection.avg_daily_volume[row]),
            "price": _number(frame.last_price[row]),
            "float_shares": _number(frame.float_shares[row]),
            "gap_share": _number(selection.gap_share[row]),
            "classification_confidence": _number(classification.confidence[row]),
            "classification_source": str(classification.source[row]),
        }

    def members(self) -> list[dict[str, Any]]:
        rows = self.selection.member_rows
        ordered = rows[np.argsort(self.frame.symbols[rows], kind="stable")]
        return [self.member(int(row)) for row in ordered.tolist()]

    def as_json(self) -> dict[str, Any]:
        return {
            "as_of": self.frame.as_of.isoformat(),
            "funnel": [
                {"stage": stage.stage, "remaining": stage.remaining} for stage in self.selection.funnel
            ],
            "members": self.members(),
            "excluded_by_reason": self.excluded_by_reason(),
        }


def _number(value: float) -> float | None:
    number = float(value)
    return number if math.isfinite(number) else None


def select_universe_report(
    frame: MarketFrame,
    criteria: UniverseCriteria = DEFAULT_CRITERIA,
    *,
    overrides: Mapping[str, str] | None = None,
    fmp_sectors: Mapping[str, str] | None = None,
) -> UniverseReport:
    """The universe exactly as `analyze` selects it (`select_members`), with the same inputs."""
    chosen = select_members(frame, criteria, fmp_sectors=fmp_sectors, overrides=overrides)
    return UniverseReport(frame, chosen.selection, chosen.classification, criteria, overrides, fmp_sectors)


@dataclass(frozen=True, slots=True)
class CriterionCheck:
    criterion: str
    threshold: str
    value: str
    passed: bool


def _money(value: float) -> str:
    return "unknown" if not math.isfinite(value) else f"${value:,.0f}"


def _shares(value: float) -> str:
    return "unknown" if not math.isfinite(value) else f"{value:,.0f}"


def criterion_checks(report: UniverseReport, row: int) -> list[CriterionCheck]:
    """Every universe criterion for one listing, in the order applied, each judged on its own."""
    frame, selection, criteria = report.frame, report.selection, report.criteria
    tier = int(selection.tier[row])
    market_cap = float(frame.market_cap[row])
    volume = float(selection.avg_daily_volume[row])
    price = float(frame.last_price[row])
    float_shares = float(frame.float_shares[row])
    min_float = criteria.min_float_small if tier == SMALL_CAP_TIER else criteria.min_float_micro
    sector = report.classification.sector_at(row)
    reason = str(selection.exclusion_reason[row])
    return [
        CriterionCheck(
            "security_type",
            f"== {criteria.security_type}",
            str(frame.security_types[row]),
            str(frame.security_types[row]) == criteria.security_type,
        ),
        CriterionCheck(
            "exchange",
            "in " + ", ".join(criteria.exchanges),
            str(frame.exchanges[row]),
            str(frame.exchanges[row]) in criteria.exchanges,
        ),
        CriterionCheck(
            "market_cap",
            f"{_money(criteria.min_market_cap)} <= cap <= {_money(criteria.max_market_cap)}",
            _money(market_cap) + (f" ({_TIER_NAMES[tier]})" if tier in _TIER_NAMES else ""),
            tier in _TIER_NAMES,
        ),
        CriterionCheck(
            "avg_daily_volume",
            f">= {_shares(criteria.min_avg_daily_volume)} ({criteria.avg_volume_sessions} sessions)",
            _shares(volume),
            math.isfinite(volume) and volume >= criteria.min_avg_daily_volume,
        ),
        CriterionCheck(
            "price",
            f"${criteria.min_price:.2f} <= price <= ${criteria.max_price:.2f}",
            "unknown" if not math.isfinite(price) else f"${price:.2f}",
            math.isfinite(price) and criteria.min_price <= price <= criteria.max_price,
        ),
        CriterionCheck(
            "float",
            f"> {_shares(min_float)} shares (unknown passes, flagged)",
            _shares(float_shares),
            not math.isfinite(float_shares) or float_shares > min_float,
        ),
        CriterionCheck(
            "sector", "classified", "none" if sector is None else sector.value, sector is not None
        ),
        CriterionCheck(
            "size_cap",
            f"top {criteria.max_size:,} by gap share, then dollar volume",
            "n/a" if reason not in ("", "size_cap") else ("kept" if reason == "" else "cut"),
            reason != "size_cap",
        ),
    ]


def explain(report: UniverseReport, row: int) -> list[str]:
    """Human-readable lines: criteria, first failure, classification and (members) returns."""
    frame, selection, classification = report.frame, report.selection, report.classification
    symbol = str(frame.symbols[row])
    reason = str(selection.exclusion_reason[row])
    lines = [f"{symbol}  {frame.names[row]}  as of {frame.as_of.isoformat()}"]
    for check in criterion_checks(report, row):
        status = "n/a" if check.value == "n/a" else "pass" if check.passed else "FAIL"
        lines.append(f"  {check.criterion:17} {status:4}  value {check.value:24} threshold {check.threshold}")
    if reason:
        failed = next(check for check in criterion_checks(report, row) if check.criterion == reason)
        lines.append(
            f"excluded: first failed criterion {failed.criterion}: {failed.value} (needs {failed.threshold})"
        )
    else:
        lines.append(f"member: yes ({_TIER_NAMES.get(int(selection.tier[row]), 'no tier')})")
    sector = classification.sector_at(row)
    lines.append(
        f"classification: sector {'none' if sector is None else sector.value}, "
        f"source {classification.source[row]}, confidence {float(classification.confidence[row]):.2f}"
        + (
            ""
            if bool(selection.mask[row]) or reason not in _BEFORE_CLASSIFICATION
            else " (computed for this report)"
        )
    )
    returns = _member_returns(report, row)
    if returns is not None:
        shown = "  ".join(
            f"{timeframe} {'n/a' if value is None else f'{value:+.2f}%'}"
            for timeframe, value in returns.items()
        )
        lines.append(f"returns: {shown}")
    return lines


def explain_json(report: UniverseReport, row: int) -> dict[str, Any]:
    """What `explain` shows, as data: every criterion, the first failed one, the listing's values
    and (members) its returns in percent per timeframe."""
    reason = str(report.selection.exclusion_reason[row])
    return {
        "as_of": report.frame.as_of.isoformat(),
        "listing": report.member(row),
        "member": bool(report.selection.mask[row]),
        "excluded_by": reason or None,
        "criteria": [asdict(check) for check in criterion_checks(report, row)],
        "returns_pct": _member_returns(report, row),
    }


def _member_returns(report: UniverseReport, row: int) -> dict[str, float | None] | None:
    """A member's return in percent per timeframe (None where unknown); None for a non-member."""
    if not bool(report.selection.mask[row]):
        return None
    frame = report.frame
    returns = stock_returns(
        frame.last_price[row : row + 1], frame.price_30m_ago[row : row + 1], frame.daily_close[row : row + 1]
    )[0]
    return {
        timeframe.value: _number(value * 100)
        for timeframe, value in zip(TIMEFRAMES, returns.tolist(), strict=True)
    }


# Classification only runs for listings that pass the per-listing criteria.
_BEFORE_CLASSIFICATION = {"security_type", "exchange", "market_cap", "avg_daily_volume", "price", "float"}


def classify_row_for_report(report: UniverseReport, row: int) -> UniverseReport:
    """Classify one listing that the per-listing criteria excluded, so `--explain` can show its sector."""
    if (
        bool(report.selection.mask[row])
        or str(report.selection.exclusion_reason[row]) not in _BEFORE_CLASSIFICATION
    ):
        return report
    only = np.zeros(report.frame.size, dtype=np.bool_)
    only[row] = True
    single = classify(report.frame, fmp_sectors=report.fmp_sectors, overrides=report.overrides, rows=only)
    merged = Classification(
        sector_index=np.where(only, single.sector_index, report.classification.sector_index),
        confidence=np.where(only, single.confidence, report.classification.confidence),
        source=np.where(only, single.source, report.classification.source),
    )
    return UniverseReport(
        report.frame, report.selection, merged, report.criteria, report.overrides, report.fmp_sectors
    )
