"""Sector classification: SIC lookup table, name keywords, confidence and source."""

from __future__ import annotations

import numpy as np
import pytest

from sectorlights.analytics.classification import (
    SIC_SECTOR_TABLE,
    classify,
    classify_symbols,
    keyword_sectors,
)
from sectorlights.config.sectors import sector_for_sic
from sectorlights.domain.vocabulary import SECTORS, Sector
from tests.unit.frames import Stock, build_frame


def test_sic_table_agrees_with_sector_for_sic_on_every_code() -> None:
    expected = [sector_for_sic(code) for code in range(10_000)]
    table = [SECTORS[index] if index >= 0 else None for index in SIC_SECTOR_TABLE.tolist()]
    assert table == expected


@pytest.mark.parametrize(
    ("name", "sic_code", "sector", "confidence", "source"),
    [
        # The spec's cases: SOUN (prepackaged software) and OCUL (pharmaceutical preparations).
        ("SoundHound AI, Inc.", 7372, Sector.TECHNOLOGY, 0.95, "sic"),
        ("Ocular Therapeutix, Inc.", 2834, Sector.HEALTHCARE, 0.95, "sic"),
        ("SoundHound", 7372, Sector.TECHNOLOGY, 0.9, "sic"),
        # A keyword of another sector does not override the SIC code.
        ("Digital Bancorp", 6022, Sector.FINANCIAL, 0.95, "sic"),
        ("Purple Innovation", 2510, Sector.CONSUMER_DISCRETIONARY, 0.9, "sic"),
        ("Blue Software Holdings", 2834, Sector.HEALTHCARE, 0.9, "sic"),
        # Unknown or unmapped SIC codes fall back to the name.
        ("Acme Therapeutics", -1, Sector.HEALTHCARE, 0.6, "keyword"),
        ("C3.ai", None, Sector.TECHNOLOGY, 0.6, "keyword"),
        ("Bio-Path Holdings", None, Sector.HEALTHCARE, 0.6, "keyword"),
        ("First Capital Bancorp", 9999, Sector.FINANCIAL, 0.6, "keyword"),
        ("Gulf Oil & Gas Partners", None, Sector.ENERGY, 0.6, "keyword"),
        ("Northern Power Utilities", None, Sector.UTILITIES, 0.6, "keyword"),
        ("Summit Gold Mining", None, Sector.MATERIALS, 0.6, "keyword"),
        ("Harbor Restaurant Brands", None, Sector.CONSUMER_DISCRETIONARY, 0.6, "keyword"),
        ("Apex Aerospace Industries", None, Sector.INDUSTRIALS, 0.6, "keyword"),
        ("Out of range", 12_000, None, 0.0, "none"),
        # Keywords match at word starts only: no "ai" in "Airlines", no "bio" in "Symbiotic".
        ("Delta Air Lines", None, None, 0.0, "none"),
        ("Symbiotic Holdings", None, None, 0.0, "none"),
        ("Main Street Airlines Group", None, Sector.INDUSTRIALS, 0.6, "keyword"),
        ("Plain Holdings", None, None, 0.0, "none"),
    ],
)
def test_classify_symbols(
    name: str, sic_code: int | None, sector: Sector | None, confidence: float, source: str
) -> None:
    result = classify_symbols([name], [sic_code])
    assert result.sector_at(0) == sector
    assert result.confidence[0] == pytest.approx(confidence)
    assert result.source[0] == source


def test_first_keyword_sector_wins_when_a_name_names_several() -> None:
    # Healthcare comes before technology in the keyword table.
    assert SECTORS[int(keyword_sectors(np.array(["Digital Health Partners"]))[0])] == Sector.HEALTHCARE


def test_classify_frame_and_rows_subset() -> None:
    frame = build_frame(
        [
            Stock("SOUN", name="SoundHound AI, Inc.", sic_code=7372),
            Stock("OCUL", name="Ocular Therapeutix, Inc.", sic_code=2834),
            Stock("NONE", name="Plain Holdings", sic_code=-1),
        ]
    )
    everything = classify(frame)
    assert [everything.sector_at(row) for row in range(3)] == [Sector.TECHNOLOGY, Sector.HEALTHCARE, None]
    subset = classify(frame, rows=np.array([False, True, False]))
    assert subset.sector_index.tolist() == [-1, SECTORS.index(Sector.HEALTHCARE), -1]
    assert subset.source.tolist() == ["none", "sic", "none"]


def test_mismatched_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="differ in length"):
        classify_symbols(["A", "B"], [7372])


def test_empty_input() -> None:
    result = classify_symbols([], [])
    assert result.sector_index.shape == (0,)
