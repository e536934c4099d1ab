"""Sector classification (DESIGN §6): SIC code first, company-name keywords as the fallback.

Sources and confidence: a mapped SIC code gives 0.9 (0.95 when the name carries a keyword of that
same sector), name keywords alone give 0.6, nothing gives 0. Curated overrides and FMP sectors are
applied by the engine before analysis; this module only sees what the frame carries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sectorlights.config.sectors import SIC_RANGES
from sectorlights.domain.frame import FloatArray, IntArray, MarketFrame, StrArray
from sectorlights.domain.vocabulary import SECTORS, Sector

BoolArray = npt.NDArray[np.bool_]

NO_SECTOR = -1
SIC_CODE_COUNT = 10_000

SIC_CONFIDENCE = 0.9
SIC_AND_KEYWORD_CONFIDENCE = 0.95
KEYWORD_CONFIDENCE = 0.6

SOURCE_SIC = "sic"
SOURCE_KEYWORD = "keyword"
SOURCE_NONE = "none"


def _build_sic_table() -> npt.NDArray[np.int8]:
    table = np.full(SIC_CODE_COUNT, NO_SECTOR, dtype=np.int8)
    # SIC_RANGES lets the first matching range win, so paint the ranges last-to-first.
    for low, high, sector in reversed(SIC_RANGES):
        table[max(low, 0) : min(high, SIC_CODE_COUNT - 1) + 1] = SECTORS.index(sector)
    table.flags.writeable = False
    return table


# Sector index per 4-digit SIC code (-1 unmapped), so a whole column is classified by one lookup.
SIC_SECTOR_TABLE = _build_sic_table()

# Patterns are searched in " " + normalised name + " ": a leading space anchors a pattern at the
# start of a word ("bio" finds "BioSciences" but not "Symbiotic"), a trailing space also anchors its
# end (" ai " finds "SoundHound AI" but not "Airlines"). When a name hits several sectors, the
# first sector in this table wins.
NAME_KEYWORDS: tuple[tuple[Sector, tuple[str, ...]], ...] = (
    (
        Sector.HEALTHCARE,
        (
            " therapeut",
            " pharma",
            " bio",
            " medic",
            " health",
            " clinical",
            " genomic",
            " oncolog",
            " diagnostic",
            " surgical",
        ),
    ),
    (
        Sector.TECHNOLOGY,
        (
            " software",
            " ai ",
            " semiconductor",
            " technolog",
            " digital",
            " data",
            " cyber",
            " cloud",
            " comput",
            " telecom",
            " communications ",
            " robotic",
            " quantum",
        ),
    ),
    (
        Sector.FINANCIAL,
        (
            " bank",
            " banc",
            " financ",
            " capital",
            " insur",
            " credit",
            " lending",
            " realty",
            " reit ",
            " investment",
        ),
    ),
    (Sector.ENERGY, (" energy", " oil ", " oilfield", " gas ", " petrol", " solar", " drilling")),
    (Sector.UTILITIES, (" utilit", " power ", " electric ", " water ")),
    (
        Sector.MATERIALS,
        (
            " mining",
            " gold ",
            " metal",
            " steel",
            " chemical",
            " minerals",
            " lithium",
            " silver ",
            " copper ",
            " materials",
        ),
    ),
    (
        Sector.CONSUMER_DISCRETIONARY,
        (
            " retail",
            " apparel",
            " restaurant",
            " foods",
            " brands",
            " entertainment",
            " stores",
            " fashion",
            " hotel",
            " resort",
            " casino",
            " beverage",
        ),
    ),
    (
        Sector.INDUSTRIALS,
        (
            " industr",
            " aerospace",
            " logistics",
            " machinery",
            " construction",
            " engineering",
            " defense",
            " airline",
            " freight",
            " shipping",
            " transport",
        ),
    ),
)

# Punctuation that separates words in company names ("C3.ai", "Bio-Path", "AT&T").
_WORD_SEPARATORS = ",.-/&()"
_SPACE = ord(" ")


def _build_ascii_table() -> npt.NDArray[np.uint32]:
    table = np.arange(128, dtype=np.uint32)
    table[ord("A") : ord("Z") + 1] += ord("a") - ord("A")
    table[[ord(separator) for separator in _WORD_SEPARATORS]] = _SPACE
    # NUL is the padding of numpy strings: as a space it ends the last word of every name.
    table[0] = _SPACE
    return table


# Lower-cases ASCII letters and blanks separators in one lookup over the names' code points.
_ASCII_TABLE = _build_ascii_table()


@dataclass(frozen=True, slots=True)
class Classification:
    """Per row: index into `SECTORS` (-1 none), confidence in [0, 1] and the deciding source."""

    sector_index: IntArray
    confidence: FloatArray
    source: StrArray

    def sector_at(self, row: int) -> Sector | None:
        index = int(self.sector_index[row])
        return SECTORS[index] if index >= 0 else None


def sic_sectors(sic_codes: IntArray) -> IntArray:
    """Sector index per SIC code; -1 for unknown (negative), out-of-range or unmapped codes."""
    codes = np.asarray(sic_codes, dtype=np.int64)
    valid = (codes >= 0) & (codes < SIC_CODE_COUNT)
    sectors = np.full(codes.shape, NO_SECTOR, dtype=np.int64)
    sectors[valid] = SIC_SECTOR_TABLE[codes[valid]]
    return sectors


def _searchable_names(names: StrArray) -> StrArray:
    """Lower-case names with word separators as spaces, padded with spaces at both ends.

    Works on the UTF-32 code points directly: numpy's per-string lower/replace cost ~10x more.
    """
    text = np.asarray(names, dtype=np.str_)
    width = max(text.dtype.itemsize // 4, 1)
    code_points = np.ascontiguousarray(text, dtype=f"<U{width}").view(np.uint32).reshape(-1, width)
    mapped = np.where(code_points < 128, _ASCII_TABLE[np.minimum(code_points, 127)], code_points)
    padded = np.full((mapped.shape[0], width + 2), _SPACE, dtype=np.uint32)
    padded[:, 1:-1] = mapped
    return padded.view(f"<U{width + 2}").reshape(-1)


def _mentions(searchable_names: StrArray, patterns: tuple[str, ...]) -> BoolArray:
    found = np.zeros(searchable_names.shape, dtype=np.bool_)
    for pattern in patterns:
        found |= np.strings.find(searchable_names, pattern) >= 0
    return found


def _keyword_sectors(searchable_names: StrArray) -> IntArray:
    sectors = np.full(searchable_names.shape, NO_SECTOR, dtype=np.int64)
    for sector, patterns in NAME_KEYWORDS:
        undecided = np.flatnonzero(sectors == NO_SECTOR)
        if undecided.size == 0:
            break
        sectors[undecided[_mentions(searchable_names[undecided], patterns)]] = SECTORS.index(sector)
    return sectors


def keyword_sectors(names: StrArray) -> IntArray:
    """Sector index per company name from its keywords; -1 when no keyword matches."""
    return _keyword_sectors(_searchable_names(names))


def _keywords_agree(searchable_names: StrArray, sic_sector_index: IntArray) -> BoolArray:
    """Whether each name carries a keyword of the sector its SIC code maps to."""
    agree = np.zeros(searchable_names.shape, dtype=np.bool_)
    for sector, patterns in NAME_KEYWORDS:
        rows = np.flatnonzero(sic_sector_index == SECTORS.index(sector))
        agree[rows] = _mentions(searchable_names[rows], patterns)
    return agree


def _as_sic_array(sic_codes: Sequence[int | None] | IntArray) -> IntArray:
    if isinstance(sic_codes, np.ndarray):
        return sic_codes.astype(np.int64, copy=False)
    return np.asarray([NO_SECTOR if code is None else code for code in sic_codes], dtype=np.int64)


def classify_symbols(
    names: Sequence[str] | StrArray,
    sic_codes: Sequence[int | None] | IntArray,
    *,
    rows: BoolArray | None = None,
) -> Classification:
    """Classify listings from their names and SIC codes (None or -1 = unknown).

    `rows` limits the work to some listings; the others come back unclassified.
    """
    name_array = np.asarray(names, dtype=np.str_)
    sic_array = _as_sic_array(sic_codes)
    if name_array.shape != sic_array.shape:
        raise ValueError(
            f"names ({name_array.shape[0]}) and sic_codes ({sic_array.shape[0]}) differ in length"
        )
    selected = np.ones(name_array.shape, dtype=np.bool_) if rows is None else rows
    selected_rows = np.flatnonzero(selected)

    by_sic = sic_sectors(sic_array[selected_rows])
    searchable_names = _searchable_names(name_array[selected_rows])
    use_sic = by_sic != NO_SECTOR
    # Each name is searched only for what can change its outcome: listings with a mapped SIC code
    # for their own sector's keywords (agreement), the others for every sector's.
    by_keyword = np.full(by_sic.shape, NO_SECTOR, dtype=np.int64)
    by_keyword[~use_sic] = _keyword_sectors(searchable_names[~use_sic])
    agree = _keywords_agree(searchable_names, by_sic)
    use_keyword = ~use_sic & (by_keyword != NO_SECTOR)

    chosen = np.where(use_sic, by_sic, by_keyword)
    confidence = np.select(
        [use_sic & agree, use_sic, use_keyword],
        [SIC_AND_KEYWORD_CONFIDENCE, SIC_CONFIDENCE, KEYWORD_CONFIDENCE],
        default=0.0,
    )
    source = np.select([use_sic, use_keyword], [SOURCE_SIC, SOURCE_KEYWORD], default=SOURCE_NONE)

    sector_index = np.full(name_array.shape, NO_SECTOR, dtype=np.int64)
    confidences = np.zeros(name_array.shape, dtype=np.float64)
    sources = np.full(name_array.shape, SOURCE_NONE, dtype="<U7")
    sector_index[selected_rows] = chosen
    confidences[selected_rows] = confidence
    sources[selected_rows] = source
    return Classification(sector_index=sector_index, confidence=confidences, source=sources)


def classify(frame: MarketFrame, *, rows: BoolArray | None = None) -> Classification:
    """Classify every row of a frame (or only `rows`)."""
    return classify_symbols(frame.names, frame.sic_codes, rows=rows)
