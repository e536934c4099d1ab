"""The 8 sectors: ETF proxies, the spec's examples, gap frequency and the SIC code mapping."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from sectorlights.domain.vocabulary import Sector


@dataclass(frozen=True, slots=True)
class SectorInfo:
    label: str
    etf_proxy: str
    small_cap_etf_proxy: str
    small_cap_examples: tuple[str, ...]
    gap_frequency: str


SECTOR_MAPPING: dict[Sector, SectorInfo] = {
    Sector.TECHNOLOGY: SectorInfo("Technology", "XLK", "PSCT", ("SOUN", "BBAI", "PATH", "SMCI"), "high"),
    Sector.HEALTHCARE: SectorInfo("Healthcare", "XLV", "PSCH", ("OCUL", "KPTI", "DTIL", "VRTX"), "extreme"),
    Sector.ENERGY: SectorInfo("Energy", "XLE", "PSCE", ("GREE", "HIVE", "BTCS", "SID"), "moderate"),
    Sector.FINANCIAL: SectorInfo("Financial", "XLF", "PSCF", ("SOFI", "UPST", "AFRM", "LC"), "moderate"),
    Sector.CONSUMER_DISCRETIONARY: SectorInfo(
        "Consumer Discretionary", "XLY", "PSCD", ("PRPL", "EXPR", "GME", "AMC"), "high"
    ),
    Sector.INDUSTRIALS: SectorInfo("Industrials", "XLI", "PSCI", ("BLDE", "STRL", "PTRA", "FSR"), "low"),
    Sector.MATERIALS: SectorInfo("Materials", "XLB", "PSCM", ("TLOFF", "SID", "SCCO", "FCX"), "low"),
    Sector.UTILITIES: SectorInfo("Utilities", "XLU", "PSCU", ("NOVA", "CWEN", "BEPC", "NEP"), "very_low"),
}

BENCHMARK_SYMBOL = "IWM"

_T, _H, _E, _F = Sector.TECHNOLOGY, Sector.HEALTHCARE, Sector.ENERGY, Sector.FINANCIAL
_C, _I, _M, _U = Sector.CONSUMER_DISCRETIONARY, Sector.INDUSTRIALS, Sector.MATERIALS, Sector.UTILITIES

# Inclusive SIC ranges; the first range that contains a code wins, so specific ranges come first.
# Communication services (publishing, telecom, media) count as technology and consumer staples as
# consumer_discretionary, as DESIGN §5 maps FMP's 11 sectors onto our 8.
SIC_RANGES: tuple[tuple[int, int, Sector], ...] = (
    (1000, 1099, _M),  # metal mining
    (1200, 1399, _E),  # coal, crude petroleum, natural gas, oil field services
    (1400, 1499, _M),  # non-metallic minerals
    (1500, 1799, _I),  # construction
    (2400, 2499, _M),  # lumber and wood
    (2600, 2699, _M),  # paper
    (2700, 2799, _T),  # publishing
    (2830, 2836, _H),  # pharmaceuticals and biologicals
    (2840, 2844, _C),  # soaps and cosmetics
    (2800, 2899, _M),  # chemicals
    (2900, 2999, _E),  # petroleum refining
    (3000, 3099, _M),  # rubber and plastics
    (3100, 3199, _C),  # leather
    (3200, 3399, _M),  # stone, glass, primary metals
    (3400, 3499, _I),  # fabricated metal products
    (3570, 3579, _T),  # computers and office equipment
    (3559, 3559, _T),  # special industry machinery: mostly semiconductor equipment
    (3500, 3599, _I),  # industrial machinery
    (3630, 3639, _C),  # household appliances
    (3640, 3649, _I),  # electric lighting and wiring equipment
    (3651, 3652, _T),  # household audio and video (consumer electronics)
    (3600, 3629, _I),  # electrical equipment
    (3640, 3689, _T),  # communications equipment, semiconductors, electronic components
    (3690, 3699, _I),  # miscellaneous electrical
    (3710, 3716, _C),  # motor vehicles
    (3751, 3751, _C),  # motorcycles and bicycles
    (3700, 3799, _I),  # aircraft, ships, railroad equipment
    (3812, 3812, _I),  # defense electronics
    (3826, 3826, _H),  # laboratory analytical instruments (life sciences tools)
    (3841, 3851, _H),  # medical instruments and supplies
    (3873, 3873, _C),  # watches
    (3822, 3823, _I),  # environmental controls and industrial process instruments
    (3800, 3899, _T),  # measuring and photographic instruments
    (3900, 3999, _C),  # toys, jewelry, sporting goods
    (0, 999, _C),  # agriculture
    (2000, 2399, _C),  # food, tobacco, textiles, apparel
    (2500, 2599, _C),  # furniture
    (4000, 4799, _I),  # transportation
    (4800, 4899, _T),  # telecommunications and broadcasting
    (4950, 4959, _I),  # waste management
    (4900, 4999, _U),  # electric, gas, water utilities
    (5122, 5122, _H),  # drugs wholesale
    (5140, 5149, _C),  # groceries and related products wholesale (food distributors)
    (5171, 5172, _E),  # petroleum wholesale
    (5000, 5199, _I),  # wholesale
    (5200, 5999, _C),  # retail
    (6794, 6794, _T),  # patent owners and lessors (mostly technology licensing)
    (6000, 6799, _F),  # finance, insurance, real estate
    (7370, 7379, _T),  # computer services and software
    (7310, 7319, _T),  # advertising (media, as communication services)
    (7389, 7389, _T),  # business services n.e.c. (mostly payments and internet services today)
    (7300, 7399, _I),  # business services
    (7800, 7899, _T),  # motion pictures
    (7000, 7999, _C),  # hotels, personal services, amusement
    (8000, 8099, _H),  # health services
    (8734, 8734, _H),  # testing laboratories (mostly diagnostics)
    (8731, 8731, _H),  # commercial biological research
    (8200, 8299, _C),  # education
    (8000, 8999, _I),  # engineering, legal and management services
    (9995, 9995, _F),  # non-operating establishments (shells)
)


# The entries of SIC_RANGES that were chosen while reading the development labels
# (tests/fixtures/real/classification_labels.csv), each with what its codes mapped to before (None:
# the next range that covers them). Cross-validation re-decides each one on the training folds
# (analytics/classification_cv.py), so their share of the accuracy is measured out of fold.
LABEL_TUNED_SIC_RANGES: tuple[tuple[int, int, Sector | None], ...] = (
    (3559, 3559, None),
    (3640, 3649, None),
    (3651, 3652, _C),
    (3826, 3826, None),
    (3822, 3823, None),
    (5140, 5149, None),
    (6794, 6794, None),
    (7310, 7319, None),
    (7389, 7389, None),
    (8734, 8734, None),
)

# The SEC's catch-all codes (miscellaneous, n.e.c., blank checks, shells, generic service groups):
# they say little about the business, so a company-name keyword of another sector beats them.
WEAK_SIC_CODES: frozenset[int] = frozenset(
    {
        3990,  # miscellaneous manufacturing industries
        5190,  # wholesale: miscellaneous nondurable goods
        5990,  # retail: retail stores, n.e.c.
        6770,  # blank checks
        7200,  # services: personal services
        7380,  # services: miscellaneous business services
        7389,  # services: business services, n.e.c.
        8900,  # services: services, n.e.c.
        9995,  # non-operating establishments
    }
)

# Sector names of outside classifiers folded into our 8 (DESIGN §5): FMP's 11 sectors, the GICS
# sector names (as FinanceDatabase spells them) and our own sector values. Looked up case-folded.
EXTERNAL_SECTOR_NAMES: dict[str, Sector] = {
    # FMP
    "technology": _T,
    "communication services": _T,
    "healthcare": _H,
    "energy": _E,
    "financial services": _F,
    "real estate": _F,
    "consumer cyclical": _C,
    "consumer defensive": _C,
    "industrials": _I,
    "basic materials": _M,
    "utilities": _U,
    # GICS
    "information technology": _T,
    "health care": _H,
    "financials": _F,
    "consumer discretionary": _C,
    "consumer staples": _C,
    "materials": _M,
    # Ours
    **{sector.value: sector for sector in Sector},
}

# Curated per-symbol exceptions (symbol,sector,reason): the first classification source.
CLASSIFICATION_OVERRIDES_FILE = Path(__file__).with_name("classification_overrides.csv")


class OverridesFileError(ValueError):
    """The overrides file cannot be used; the message names the file, the line and the problem."""


OVERRIDE_COLUMNS = ("symbol", "sector", "reason")


def load_classification_overrides(path: Path = CLASSIFICATION_OVERRIDES_FILE) -> dict[str, Sector]:
    """Symbol -> sector from an overrides CSV (header symbol,sector,reason; sector is one of ours)."""
    allowed = ", ".join(sector.value for sector in Sector)
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            missing = [column for column in OVERRIDE_COLUMNS if column not in (reader.fieldnames or [])]
            if missing:
                raise OverridesFileError(
                    f"{path}: missing column(s) {', '.join(missing)}; expected {','.join(OVERRIDE_COLUMNS)}"
                )
            overrides: dict[str, Sector] = {}
            for line, row in enumerate(reader, start=2):
                symbol = (row["symbol"] or "").strip().upper()
                if not symbol:
                    continue
                value = (row["sector"] or "").strip()
                try:
                    overrides[symbol] = Sector(value)
                except ValueError:
                    raise OverridesFileError(
                        f"{path}: line {line}: unknown sector {value!r} for {symbol} (allowed: {allowed})"
                    ) from None
            return overrides
    except OSError as error:
        raise OverridesFileError(f"{path}: cannot read ({error.strerror})") from None
    except (UnicodeDecodeError, csv.Error) as error:
        raise OverridesFileError(f"{path}: not a readable CSV ({error})") from None


def sector_for_sic(sic_code: int) -> Sector | None:
    """The sector a SIC code maps to, or None when no range covers it."""
    for low, high, sector in SIC_RANGES:
        if low <= sic_code <= high:
            return sector
    return None
