"""Overrides and FMP sectors as the engine feeds them to classification: budgets, refresh, failures."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sectorlights.config.sectors import OverridesFileError, load_classification_overrides
from sectorlights.domain.market import SectorAnswers, SectorReference
from sectorlights.domain.vocabulary import Sector
from sectorlights.engine.classification_sources import FMP_SOURCE, ClassificationSources
from sectorlights.providers.base import MemorySectorReferenceStore, ProviderError, RejectedRow

NOW = datetime(2026, 11, 24, 11, 37, tzinfo=UTC)
KNOWN = {"SOUN": Sector.TECHNOLOGY, "OCUL": Sector.HEALTHCARE, "PRPL": Sector.CONSUMER_DISCRETIONARY}


class RecordingLookup:
    """Stands in for FmpReference: answers from a table and records what it was asked."""

    def __init__(
        self,
        known: dict[str, Sector] | None = None,
        error: Exception | None = None,
        failing: frozenset[str] = frozenset(),
    ) -> None:
        self.known = KNOWN if known is None else known
        self.error = error
        self.failing = failing
        self.asked: list[list[str]] = []

    def lookup_sectors(self, symbols: Iterable[str]) -> SectorAnswers:
        asked = list(symbols)
        self.asked.append(asked)
        if self.error is not None:
            raise self.error
        answered = [symbol for symbol in asked if symbol not in self.failing]
        return SectorAnswers(
            {symbol: self.known[symbol] for symbol in answered if symbol in self.known},
            frozenset(symbol for symbol in answered if symbol not in self.known),
        )

    def drain_rejections(self) -> list[RejectedRow]:
        return [RejectedRow("fmp profile", "NOPE", "no profile")]


def sources(
    lookup: RecordingLookup | None, store: MemorySectorReferenceStore | None = None, **kwargs: object
) -> ClassificationSources:
    return ClassificationSources(store or MemorySectorReferenceStore(), lookup, **kwargs)  # type: ignore[arg-type]


def test_without_fmp_only_the_overrides_come_through() -> None:
    inputs = sources(None).inputs(["SOUN", "PCT"], NOW)
    assert inputs.fmp_sectors == {}
    assert inputs.overrides["PCT"] == "industrials"  # shipped overrides file
    assert (inputs.fmp_requested, inputs.fmp_still_unknown) == (0, 0)


def test_fmp_sectors_are_fetched_once_and_stored() -> None:
    lookup = RecordingLookup()
    store = MemorySectorReferenceStore()
    engine_sources = sources(lookup, store)
    first = engine_sources.inputs(["SOUN", "OCUL", "NOPE"], NOW)
    assert first.fmp_sectors == {"SOUN": "technology", "OCUL": "healthcare"}
    assert (first.fmp_requested, first.fmp_still_unknown) == (3, 1)
    assert store.get_many(["NOPE"], FMP_SOURCE)["NOPE"].sector is None
    again = engine_sources.inputs(["SOUN", "OCUL", "NOPE"], NOW + timedelta(hours=1))
    assert again.fmp_sectors == first.fmp_sectors
    assert again.fmp_requested == 0
    assert lookup.asked == [["SOUN", "OCUL", "NOPE"]]
    assert engine_sources.drain_rejections()[0].symbol == "NOPE"


def test_overridden_symbols_are_not_asked_for() -> None:
    lookup = RecordingLookup()
    sources(lookup).inputs(["PCT", "SOUN"], NOW)
    assert lookup.asked == [["SOUN"]]


def test_budget_asks_never_asked_symbols_first_then_the_oldest() -> None:
    store = MemorySectorReferenceStore()
    store.put_many(
        [
            SectorReference("OLD1", FMP_SOURCE, "energy", NOW - timedelta(days=40)),
            SectorReference("OLD2", FMP_SOURCE, "energy", NOW - timedelta(days=35)),
            SectorReference("NEW", FMP_SOURCE, "energy", NOW - timedelta(days=1)),
        ]
    )
    lookup = RecordingLookup()
    inputs = sources(lookup, store, lookups_per_run=3, refresh_days=30).inputs(
        ["NEW", "OLD2", "OLD1", "SOUN", "OCUL"], NOW
    )
    assert lookup.asked == [["SOUN", "OCUL", "OLD1"]]
    # OLD1 aged out and FMP no longer knows it; OLD2 is still served from the store until its turn.
    assert inputs.fmp_sectors == {
        "NEW": "energy",
        "OLD2": "energy",
        "SOUN": "technology",
        "OCUL": "healthcare",
    }


def test_unknown_sectors_are_retried_after_a_day() -> None:
    store = MemorySectorReferenceStore()
    store.put_many([SectorReference("SOUN", FMP_SOURCE, None, NOW - timedelta(hours=25))])
    lookup = RecordingLookup()
    assert sources(lookup, store).inputs(["SOUN"], NOW).fmp_sectors == {"SOUN": "technology"}
    store.put_many([SectorReference("OCUL", FMP_SOURCE, None, NOW - timedelta(hours=2))])
    sources(lookup, store).inputs(["OCUL"], NOW)
    assert lookup.asked == [["SOUN"]]


@pytest.mark.parametrize("error", [ProviderError("fmp profile: HTTP 500"), TimeoutError("read timed out")])
def test_a_failing_vendor_leaves_the_stored_sectors_in_use(error: Exception) -> None:
    store = MemorySectorReferenceStore()
    store.put_many([SectorReference("SOUN", FMP_SOURCE, "technology", NOW - timedelta(days=90))])
    inputs = sources(RecordingLookup(error=error), store).inputs(["SOUN", "OCUL"], NOW)
    assert inputs.fmp_sectors == {"SOUN": "technology"}
    assert inputs.fmp_requested == 2
    # Nothing was written: both are asked for again next run.
    assert store.get_many(["OCUL"], FMP_SOURCE) == {}


def test_symbols_whose_request_failed_keep_their_stored_sector() -> None:
    store = MemorySectorReferenceStore()
    store.put_many([SectorReference("SOUN", FMP_SOURCE, "technology", NOW - timedelta(days=90))])
    lookup = RecordingLookup(failing=frozenset({"SOUN", "OCUL"}))
    inputs = sources(lookup, store).inputs(["SOUN", "OCUL", "PRPL"], NOW)
    assert inputs.fmp_sectors == {"SOUN": "technology", "PRPL": "consumer_discretionary"}
    assert store.get_many(["SOUN"], FMP_SOURCE)["SOUN"].fetched_at == NOW - timedelta(days=90)
    assert store.get_many(["OCUL"], FMP_SOURCE) == {}


def test_zero_budget_never_calls_the_vendor() -> None:
    lookup = RecordingLookup()
    assert sources(lookup, lookups_per_run=0).inputs(["SOUN"], NOW).fmp_sectors == {}
    assert lookup.asked == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("symbol,sector,reason\nSOUN,tech,typo\n", "line 2: unknown sector 'tech' for SOUN"),
        ("symbol,reason\nSOUN,x\n", "missing column(s) sector"),
        ("", "missing column(s) symbol, sector, reason"),
    ],
)
def test_a_bad_overrides_file_is_named_with_its_problem(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "overrides.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(OverridesFileError, match=r"overrides\.csv") as raised:
        sources(None, overrides_file=path)
    assert message in str(raised.value)


def test_a_custom_overrides_file_replaces_the_shipped_one(tmp_path: Path) -> None:
    path = tmp_path / "overrides.csv"
    path.write_text(
        "symbol,sector,reason\nsoun,healthcare,test\n,energy,blank symbol skipped\n", encoding="utf-8"
    )
    assert load_classification_overrides(path) == {"SOUN": Sector.HEALTHCARE}
    inputs = sources(None, overrides_file=path).inputs(["SOUN"], NOW)
    assert inputs.overrides == {"SOUN": "healthcare"}


def test_a_missing_overrides_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(OverridesFileError, match=r"missing\.csv: cannot read"):
        load_classification_overrides(tmp_path / "missing.csv")
