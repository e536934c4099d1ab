"""Sector classification (DESIGN §6) from four sources, in priority order:

1. curated overrides (per symbol; the caller loads the file and passes the mapping in),
2. an outside sector name: FMP's 11 sectors or the GICS names, folded into our 8,
3. the SIC code mapping (`config.sectors.SIC_RANGES`),
4. company-name keywords.

The first source that knows a row decides its sector; the confidence comes from how the sources
agree: override 1.0; FMP 0.95 when the SIC code maps to the same sector, else 0.8; SIC 0.95 when
the name carries a keyword of that sector, 0.7 when it carries only other sectors' keywords, else
0.9; keywords alone 0.6; nothing 0. A catch-all SIC code (`WEAK_SIC_CODES`) yields to a keyword of
another sector. See docs/classification.md for the measured accuracy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sectorlights.config.sectors import EXTERNAL_SECTOR_NAMES, SIC_RANGES, WEAK_SIC_CODES
from sectorlights.domain.frame import FloatArray, IntArray, MarketFrame, StrArray
from sectorlights.domain.vocabulary import SECTORS, Sector

BoolArray = npt.NDArray[np.bool_]
SectorNames = Sequence[str | None] | StrArray

NO_SECTOR = -1
SIC_CODE_COUNT = 10_000

OVERRIDE_CONFIDENCE = 1.0
FMP_AND_SIC_CONFIDENCE = 0.95
FMP_CONFIDENCE = 0.8
SIC_CONFIDENCE = 0.9
SIC_AND_KEYWORD_CONFIDENCE = 0.95
SIC_AGAINST_KEYWORD_CONFIDENCE = 0.7
KEYWORD_CONFIDENCE = 0.6

SOURCE_OVERRIDE = "override"
SOURCE_FMP = "fmp"
SOURCE_SIC = "sic"
SOURCE_KEYWORD = "keyword"
SOURCE_NONE = "none"
_SOURCE_DTYPE = "<U8"


def build_sic_table(ranges: Sequence[tuple[int, int, Sector]] = SIC_RANGES) -> npt.NDArray[np.int8]:
    """Sector index per 4-digit SIC code from inclusive ranges where the first match wins."""
    table = np.full(SIC_CODE_COUNT, NO_SECTOR, dtype=np.int8)
    # The first matching range wins, so paint the ranges last-to-first.
    for low, high, sector in reversed(ranges):
        table[max(low, 0) : min(high, SIC_CODE_COUNT - 1) + 1] = SECTORS.index(sector)
    table.flags.writeable = False
    return table


# Sector index per 4-digit SIC code (-1 unmapped), so a whole column is classified by one lookup.
SIC_SECTOR_TABLE = build_sic_table()


def _build_weak_sic_table() -> BoolArray:
    table = np.zeros(SIC_CODE_COUNT, dtype=np.bool_)
    table[sorted(WEAK_SIC_CODES)] = True
    table.flags.writeable = False
    return table


# Whether each 4-digit SIC code is a catch-all that a name keyword of another sector overrides.
WEAK_SIC_TABLE = _build_weak_sic_table()

_FOLDED_SECTOR_NAMES: dict[str, int] = {
    name.casefold(): SECTORS.index(sector) for name, sector in EXTERNAL_SECTOR_NAMES.items()
}

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

# Punctuation that separates words in company names ("C3.ai", "Bio-Path", "AT&T"), blanked out
# together with lower-casing ASCII letters by one byte translation.
_WORD_SEPARATORS = b",.-/&()"
_BYTE_TABLE = bytes.maketrans(
    bytes(range(ord("A"), ord("Z") + 1)) + _WORD_SEPARATORS,
    bytes(range(ord("a"), ord("z") + 1)) + b" " * len(_WORD_SEPARATORS),
)
# Each name is searched as " name " inside one text; the newline keeps patterns within a name.
_NAME_SEPARATOR = " \n "
# Sector index (into SECTORS) of each row of NAME_KEYWORDS.
_KEYWORD_SECTOR_ORDER = np.asarray([SECTORS.index(sector) for sector, _ in NAME_KEYWORDS], dtype=np.int64)
_ENCODED_KEYWORDS = tuple(
    tuple(pattern.encode("ascii") for pattern in patterns) for _, patterns in NAME_KEYWORDS
)


@dataclass(frozen=True, slots=True)
class Classification:
    """Per row: index into `SECTORS` (-1 none), confidence in [0, 1] and the deciding source."""

    sector_index: IntArray
    confidence: FloatArray
    source: StrArray

    def sector_at(self, row: int) -> Sector | None:
        index = int(self.sector_index[row])
        return SECTORS[index] if index >= 0 else None


def sic_sectors(sic_codes: IntArray, sic_table: npt.NDArray[np.integer] | None = None) -> IntArray:
    """Sector index per SIC code; -1 for unknown (negative), out-of-range or unmapped codes.

    `sic_table` (10,000 sector indices, -1 unmapped) replaces the shipped `SIC_SECTOR_TABLE`, so
    cross-validation can classify with a table fitted on its training folds only.
    """
    table = SIC_SECTOR_TABLE if sic_table is None else sic_table
    if table.shape != (SIC_CODE_COUNT,):
        raise ValueError(f"sic_table has shape {table.shape}, expected ({SIC_CODE_COUNT},)")
    codes = np.asarray(sic_codes, dtype=np.int64)
    valid = (codes >= 0) & (codes < SIC_CODE_COUNT)
    sectors = np.full(codes.shape, NO_SECTOR, dtype=np.int64)
    sectors[valid] = table[codes[valid]]
    return sectors


def _occurrences(text: bytes, pattern: bytes) -> list[int]:
    positions: list[int] = []
    position = text.find(pattern)
    while position >= 0:
        positions.append(position)
        position = text.find(pattern, position + 1)
    return positions


def _keyword_mentions(names: StrArray) -> BoolArray:
    """(8, n): whether each name carries a keyword of each sector (rows in `SECTORS` order).

    All names are joined into one lower-cased byte string (non-ASCII characters become "?", so
    every name keeps its length) and each pattern is found with one fast substring scan; match
    positions map back to rows by binary search. This costs about as much as one pass over the
    text per pattern, whatever the longest name: numpy's per-string search pays the widest name for
    every row.
    """
    listed: list[str] = names.tolist()
    mentions = np.zeros((len(SECTORS), len(listed)), dtype=np.bool_)
    if not listed:
        return mentions
    text = (" " + _NAME_SEPARATOR.join(listed) + " ").encode("ascii", "replace").translate(_BYTE_TABLE)
    lengths = np.fromiter(map(len, listed), dtype=np.int64, count=len(listed))
    starts = np.zeros(len(listed), dtype=np.int64)
    np.cumsum(lengths[:-1] + len(_NAME_SEPARATOR), out=starts[1:])
    for sector_index, patterns in zip(_KEYWORD_SECTOR_ORDER.tolist(), _ENCODED_KEYWORDS, strict=True):
        positions = [position for pattern in patterns for position in _occurrences(text, pattern)]
        if positions:
            rows = np.searchsorted(starts, np.asarray(positions, dtype=np.int64), side="right") - 1
            mentions[sector_index, rows] = True
    return mentions


def _first_keyword_sectors(mentions: BoolArray) -> IntArray:
    """Per name, the first sector of NAME_KEYWORDS it mentions; -1 when none."""
    in_table_order = mentions[_KEYWORD_SECTOR_ORDER]
    found = in_table_order.any(axis=0)
    first = _KEYWORD_SECTOR_ORDER[np.argmax(in_table_order, axis=0)]
    return np.where(found, first, NO_SECTOR)


def keyword_sectors(names: StrArray) -> IntArray:
    """Sector index per company name from its keywords; -1 when no keyword matches."""
    return _first_keyword_sectors(_keyword_mentions(np.asarray(names, dtype=np.str_)))


def _as_sic_array(sic_codes: Sequence[int | None] | IntArray) -> IntArray:
    if isinstance(sic_codes, np.ndarray):
        return sic_codes.astype(np.int64, copy=False)
    return np.asarray([NO_SECTOR if code is None else code for code in sic_codes], dtype=np.int64)


def _as_name_array(names: SectorNames) -> StrArray:
    if isinstance(names, np.ndarray) and names.dtype.kind == "U":
        return names
    return np.asarray(["" if name is None else str(name) for name in names], dtype=np.str_)


def external_sectors(names: SectorNames) -> IntArray:
    """Sector index per outside sector name (FMP, GICS or ours, any case); -1 when empty or unknown."""
    values = _as_name_array(names)
    if values.size == 0:
        return np.zeros(0, dtype=np.int64)
    unique, inverse = np.unique(values, return_inverse=True)
    mapped = np.asarray(
        [_FOLDED_SECTOR_NAMES.get(name.strip().casefold(), NO_SECTOR) for name in unique.tolist()],
        dtype=np.int64,
    )
    return mapped[inverse.reshape(-1)]


def _external_column(names: SectorNames | None, size: int, what: str) -> IntArray:
    if names is None:
        return np.full(size, NO_SECTOR, dtype=np.int64)
    sectors = external_sectors(names)
    if sectors.shape != (size,):
        raise ValueError(f"{what} ({sectors.shape[0]}) and names ({size}) differ in length")
    return sectors


def classify_symbols(
    names: Sequence[str] | StrArray,
    sic_codes: Sequence[int | None] | IntArray,
    *,
    fmp_sectors: SectorNames | None = None,
    overrides: SectorNames | None = None,
    rows: BoolArray | None = None,
    sic_table: npt.NDArray[np.integer] | None = None,
) -> Classification:
    """Classify listings from their names and SIC codes (None or -1 = unknown).

    `fmp_sectors` and `overrides` hold one sector name per row (None or "" = not known): FMP's or
    the GICS names, or ours. `rows` limits the work to some listings; the others come back
    unclassified. `sic_table` replaces the shipped SIC code table (see `sic_sectors`).
    """
    name_array = np.asarray(names, dtype=np.str_)
    sic_array = _as_sic_array(sic_codes)
    size = name_array.shape[0]
    if sic_array.shape != name_array.shape:
        raise ValueError(f"names ({size}) and sic_codes ({sic_array.shape[0]}) differ in length")
    by_fmp_all = _external_column(fmp_sectors, size, "fmp_sectors")
    by_override_all = _external_column(overrides, size, "overrides")
    selected = np.ones(name_array.shape, dtype=np.bool_) if rows is None else rows
    selected_rows = np.flatnonzero(selected)

    by_override = by_override_all[selected_rows]
    by_fmp = by_fmp_all[selected_rows]
    codes = sic_array[selected_rows]
    by_sic = sic_sectors(codes, sic_table)
    use_override = by_override != NO_SECTOR
    use_fmp = ~use_override & (by_fmp != NO_SECTOR)
    needs_sic = ~use_override & ~use_fmp
    has_sic = needs_sic & (by_sic != NO_SECTOR)

    # Names matter only for rows that no override or FMP sector decides.
    search_rows = np.flatnonzero(needs_sic)
    mentions = np.zeros((len(SECTORS), by_sic.shape[0]), dtype=np.bool_)
    mentions[:, search_rows] = _keyword_mentions(name_array[selected_rows][search_rows])
    agree = has_sic & mentions[np.maximum(by_sic, 0), np.arange(by_sic.shape[0])]
    by_keyword = np.where(needs_sic, _first_keyword_sectors(mentions), NO_SECTOR)
    # A name that carries its SIC sector's keyword agrees, whatever else it mentions.
    disagree = has_sic & ~agree & (by_keyword != NO_SECTOR)
    weak = np.zeros(by_sic.shape, dtype=np.bool_)
    valid_codes = (codes >= 0) & (codes < SIC_CODE_COUNT)
    weak[valid_codes] = WEAK_SIC_TABLE[codes[valid_codes]]
    use_sic = has_sic & ~(weak & disagree)
    use_keyword = needs_sic & ~use_sic & (by_keyword != NO_SECTOR)

    conditions = [use_override, use_fmp, use_sic, use_keyword]
    chosen = np.select(conditions, [by_override, by_fmp, by_sic, by_keyword], default=NO_SECTOR)
    confidence = np.select(
        conditions,
        [
            np.full(by_sic.shape, OVERRIDE_CONFIDENCE),
            np.where(by_sic == by_fmp, FMP_AND_SIC_CONFIDENCE, FMP_CONFIDENCE),
            np.select(
                [agree, disagree],
                [SIC_AND_KEYWORD_CONFIDENCE, SIC_AGAINST_KEYWORD_CONFIDENCE],
                default=SIC_CONFIDENCE,
            ),
            np.full(by_sic.shape, KEYWORD_CONFIDENCE),
        ],
        default=0.0,
    )
    source = np.select(
        conditions, [SOURCE_OVERRIDE, SOURCE_FMP, SOURCE_SIC, SOURCE_KEYWORD], default=SOURCE_NONE
    )

    sector_index = np.full(name_array.shape, NO_SECTOR, dtype=np.int64)
    confidences = np.zeros(name_array.shape, dtype=np.float64)
    sources = np.full(name_array.shape, SOURCE_NONE, dtype=_SOURCE_DTYPE)
    sector_index[selected_rows] = chosen
    confidences[selected_rows] = confidence
    sources[selected_rows] = source
    return Classification(sector_index=sector_index, confidence=confidences, source=sources)


def _per_symbol(symbols: StrArray, by_symbol: Mapping[str, str] | None) -> list[str | None] | None:
    if by_symbol is None:
        return None
    return [by_symbol.get(symbol) for symbol in symbols.tolist()]


def classify(
    frame: MarketFrame,
    *,
    fmp_sectors: Mapping[str, str] | None = None,
    overrides: Mapping[str, str] | None = None,
    rows: BoolArray | None = None,
) -> Classification:
    """Classify every row of a frame (or only `rows`).

    `fmp_sectors` and `overrides` map symbols to sector names (FMP, GICS or ours; a `Sector` works).
    """
    return classify_symbols(
        frame.names,
        frame.sic_codes,
        fmp_sectors=_per_symbol(frame.symbols, fmp_sectors),
        overrides=_per_symbol(frame.symbols, overrides),
        rows=rows,
    )


def confusion_matrix(true_index: IntArray, predicted_index: IntArray) -> IntArray:
    """(8, 8) counts, rows the true sector and columns the predicted one (indices into `SECTORS`).

    Rows whose truth or prediction is -1 are left out.
    """
    truth = np.asarray(true_index, dtype=np.int64)
    predicted = np.asarray(predicted_index, dtype=np.int64)
    if truth.shape != predicted.shape:
        raise ValueError(f"true ({truth.shape[0]}) and predicted ({predicted.shape[0]}) differ in length")
    count = len(SECTORS)
    known = (truth >= 0) & (predicted >= 0)
    cells = np.bincount(truth[known] * count + predicted[known], minlength=count * count)
    return cells.reshape(count, count).astype(np.int64)
