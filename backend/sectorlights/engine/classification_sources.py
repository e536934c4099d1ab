"""The classification inputs an analysis gets besides SIC codes and names: overrides and FMP sectors.

FMP answers one symbol per request, so its sectors are kept in the database (`sector_reference`)
and each run asks only for a bounded number of symbols it has never asked about, or whose answer
has aged out; a vendor failure leaves the stored sectors in use.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

from sectorlights.config.sectors import CLASSIFICATION_OVERRIDES_FILE, load_classification_overrides
from sectorlights.domain.market import SectorAnswers, SectorReference
from sectorlights.domain.vocabulary import Sector
from sectorlights.providers.base import RejectedRow, SectorReferenceStore

logger = logging.getLogger(__name__)

FMP_SOURCE = "fmp"
# A symbol FMP gave no sector for may have failed for a passing reason: ask again sooner.
UNKNOWN_SECTOR_RETRY = timedelta(days=1)


class SectorLookup(Protocol):
    """An outside classifier (FmpReference): our sector of each symbol it answered for."""

    def lookup_sectors(self, symbols: Iterable[str]) -> SectorAnswers: ...

    def drain_rejections(self) -> list[RejectedRow]: ...


@dataclass(frozen=True, slots=True)
class ClassificationInputs:
    """What `analyze` receives: symbol -> sector name per source, and what this run asked for."""

    overrides: Mapping[str, str]
    fmp_sectors: Mapping[str, str]
    fmp_requested: int
    fmp_still_unknown: int


class ClassificationSources:
    """Overrides from a file, and FMP sectors from the store refreshed through a lookup (optional)."""

    def __init__(
        self,
        store: SectorReferenceStore,
        lookup: SectorLookup | None = None,
        overrides_file: Path | None = None,
        lookups_per_run: int = 200,
        refresh_days: float = 30.0,
    ) -> None:
        self.store = store
        self.lookup = lookup
        self.overrides_file = overrides_file or CLASSIFICATION_OVERRIDES_FILE
        # Read once at start-up: a broken file stops start-up with a message naming it.
        self.overrides: dict[str, str] = {
            symbol: sector.value
            for symbol, sector in load_classification_overrides(self.overrides_file).items()
        }
        self.lookups_per_run = lookups_per_run
        self.refresh = timedelta(days=refresh_days)

    def _due(self, symbols: Sequence[str], stored: Mapping[str, SectorReference], now: datetime) -> list[str]:
        """Symbols to ask for: never asked first, then the oldest answers that aged out."""
        never = [symbol for symbol in symbols if symbol not in stored and symbol not in self.overrides]

        def aged(reference: SectorReference) -> bool:
            keep = self.refresh if reference.sector is not None else UNKNOWN_SECTOR_RETRY
            return now - reference.fetched_at > keep

        old = sorted(
            (reference for reference in stored.values() if aged(reference)),
            key=lambda reference: reference.fetched_at,
        )
        return (never + [reference.symbol for reference in old])[: self.lookups_per_run]

    def inputs(self, symbols: Sequence[str], now: datetime) -> ClassificationInputs:
        """The overrides, and FMP sectors for `symbols` after asking FMP for the ones that are due."""
        wanted = list(dict.fromkeys(symbols))
        stored = self.store.get_many(wanted, FMP_SOURCE)
        requested = 0
        if self.lookup is not None and self.lookups_per_run > 0:
            due = self._due(wanted, stored, now)
            if due:
                requested = len(due)
                try:
                    answers = self.lookup.lookup_sectors(due)
                except Exception as error:  # the stored sectors keep serving; the run goes on
                    logger.warning("FMP sectors not refreshed (%d asked): %s", len(due), error)
                    answers = SectorAnswers({}, frozenset())
                # Only answers are stored: a symbol whose request failed keeps what the store has.
                fresh = [
                    SectorReference(symbol, FMP_SOURCE, _value(answers.sectors.get(symbol)), now)
                    for symbol in due
                    if symbol in answers.sectors or symbol in answers.without_sector
                ]
                if len(fresh) < len(due):
                    logger.warning("FMP answered for %d of %d symbols asked", len(fresh), len(due))
                self.store.put_many(fresh)
                stored = {**stored, **{reference.symbol: reference for reference in fresh}}
        fmp_sectors = {symbol: reference.sector for symbol, reference in stored.items() if reference.sector}
        unknown = sum(1 for symbol in wanted if symbol not in fmp_sectors and symbol not in self.overrides)
        return ClassificationInputs(
            overrides=self.overrides,
            fmp_sectors=fmp_sectors,
            fmp_requested=requested,
            fmp_still_unknown=unknown if self.lookup is not None else 0,
        )

    def drain_rejections(self) -> list[RejectedRow]:
        return [] if self.lookup is None else self.lookup.drain_rejections()


def _value(sector: Sector | None) -> str | None:
    return None if sector is None else Sector(sector).value
