"""Sector classification: SIC lookup table, name keywords, confidence and source."""

from __future__ import annotations

import numpy as np
import pytest

from sectorlights.analytics.classification import (
    SIC_SECTOR_TABLE,
    classify,
    classify_symbols,
    confusion_matrix,
    external_sectors,
    keyword_sectors,
)
from sectorlights.config.sectors import load_classification_overrides, sector_for_sic
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
        # A keyword of only another sector lowers the confidence in the SIC code.
        ("Blue Software Holdings", 2834, Sector.HEALTHCARE, 0.7, "sic"),
        # A catch-all SIC code (miscellaneous manufacturing) yields to a keyword of another sector.
        ("Array Technologies, Inc.", 3990, Sector.TECHNOLOGY, 0.6, "keyword"),
        ("VirTra, Inc.", 3990, Sector.CONSUMER_DISCRETIONARY, 0.9, "sic"),
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


@pytest.mark.parametrize(
    ("name", "sic_code", "fmp", "override", "sector", "confidence", "source"),
    [
        # An override beats everything, at full confidence.
        ("SoundHound AI, Inc.", 7372, "Healthcare", "energy", Sector.ENERGY, 1.0, "override"),
        ("PureCycle Technologies", 2821, None, Sector.INDUSTRIALS, Sector.INDUSTRIALS, 1.0, "override"),
        # An FMP (or GICS) sector beats SIC: 0.95 when the SIC code agrees, 0.8 otherwise.
        ("SoundHound AI, Inc.", 7372, "Communication Services", None, Sector.TECHNOLOGY, 0.95, "fmp"),
        ("Ocular Therapeutix, Inc.", 2834, "Health Care", None, Sector.HEALTHCARE, 0.95, "fmp"),
        ("Koss Corporation", 3651, "Consumer Cyclical", None, Sector.CONSUMER_DISCRETIONARY, 0.8, "fmp"),
        ("Plain Holdings", None, "Real Estate", None, Sector.FINANCIAL, 0.8, "fmp"),
        ("Plain Holdings", None, "consumer staples", None, Sector.CONSUMER_DISCRETIONARY, 0.8, "fmp"),
        # Unknown or empty outside names fall through to SIC.
        ("Ocular Therapeutix, Inc.", 2834, "Not A Sector", "", Sector.HEALTHCARE, 0.95, "sic"),
        ("Ocular Therapeutix, Inc.", 2834, "", None, Sector.HEALTHCARE, 0.95, "sic"),
        ("Acme Therapeutics", None, None, None, Sector.HEALTHCARE, 0.6, "keyword"),
        ("Plain Holdings", None, None, None, None, 0.0, "none"),
    ],
)
def test_sources_in_priority_order(
    name: str,
    sic_code: int | None,
    fmp: str | None,
    override: str | None,
    sector: Sector | None,
    confidence: float,
    source: str,
) -> None:
    result = classify_symbols([name], [sic_code], fmp_sectors=[fmp], overrides=[override])
    assert result.sector_at(0) == sector
    assert result.confidence[0] == pytest.approx(confidence)
    assert result.source[0] == source


def test_every_fmp_and_gics_sector_name_maps() -> None:
    names = {
        "Technology": Sector.TECHNOLOGY,
        "Communication Services": Sector.TECHNOLOGY,
        "Information Technology": Sector.TECHNOLOGY,
        "Healthcare": Sector.HEALTHCARE,
        "Health Care": Sector.HEALTHCARE,
        "Energy": Sector.ENERGY,
        "Financial Services": Sector.FINANCIAL,
        "Financials": Sector.FINANCIAL,
        "Real Estate": Sector.FINANCIAL,
        "Consumer Cyclical": Sector.CONSUMER_DISCRETIONARY,
        "Consumer Defensive": Sector.CONSUMER_DISCRETIONARY,
        "Consumer Discretionary": Sector.CONSUMER_DISCRETIONARY,
        "Consumer Staples": Sector.CONSUMER_DISCRETIONARY,
        "Industrials": Sector.INDUSTRIALS,
        "Basic Materials": Sector.MATERIALS,
        "Materials": Sector.MATERIALS,
        "Utilities": Sector.UTILITIES,
    }
    indices = external_sectors(list(names))
    assert [SECTORS[index] for index in indices.tolist()] == list(names.values())
    assert external_sectors([None, "", " utilities ", "Crypto"]).tolist() == [
        -1,
        -1,
        SECTORS.index(Sector.UTILITIES),
        -1,
    ]


def test_classify_frame_with_fmp_sectors_and_overrides() -> None:
    frame = build_frame(
        [
            Stock("SOUN", name="SoundHound AI, Inc.", sic_code=7372),
            Stock("OCUL", name="Ocular Therapeutix, Inc.", sic_code=2834),
            Stock("NONE", name="Plain Holdings", sic_code=-1),
        ]
    )
    result = classify(frame, fmp_sectors={"NONE": "Utilities"}, overrides={"OCUL": Sector.MATERIALS})
    assert [result.sector_at(row) for row in range(3)] == [
        Sector.TECHNOLOGY,
        Sector.MATERIALS,
        Sector.UTILITIES,
    ]
    assert result.source.tolist() == ["sic", "override", "fmp"]
    assert result.confidence.tolist() == pytest.approx([0.95, 1.0, 0.8])


def test_outside_sectors_of_the_wrong_length_are_refused() -> None:
    with pytest.raises(ValueError, match="fmp_sectors"):
        classify_symbols(["A"], [7372], fmp_sectors=["Energy", "Energy"])


def test_overrides_file_loads_into_our_sectors() -> None:
    overrides = load_classification_overrides()
    assert overrides
    assert all(isinstance(sector, Sector) for sector in overrides.values())
    assert overrides["PCT"] == Sector.INDUSTRIALS


def test_confusion_matrix_counts_true_rows_and_predicted_columns() -> None:
    tech, health = SECTORS.index(Sector.TECHNOLOGY), SECTORS.index(Sector.HEALTHCARE)
    matrix = confusion_matrix(
        np.array([tech, tech, health, health, -1]), np.array([tech, health, health, -1, tech])
    )
    assert matrix.shape == (8, 8)
    assert matrix[tech, tech] == 1
    assert matrix[tech, health] == 1
    assert matrix[health, health] == 1
    assert matrix.sum() == 3


def test_long_and_non_ascii_names_keep_rows_apart() -> None:
    names = ["Ünïcödé Holdings " * 10, "Zürich Bio", "x" * 200 + " Software", "Café Restaurant Brands"]
    assert [SECTORS[index] for index in keyword_sectors(np.array(names)).tolist()[1:]] == [
        Sector.HEALTHCARE,
        Sector.TECHNOLOGY,
        Sector.CONSUMER_DISCRETIONARY,
    ]
    assert keyword_sectors(np.array(names))[0] == -1
