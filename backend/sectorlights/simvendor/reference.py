"""Reference data the sim vendor adds to the simulated listings: FMP sectors and industries, exchange
names, and deterministic identifiers (CIK, FIGI, CUSIP, ISIN) and company details.

FMP's 11 sectors are assigned so that DESIGN §5's mapping (`FMP_SECTOR_TO_SECTOR`) gives back the sector
that drives each listing's moves: communication services fall under technology, real estate under
financial, consumer defensive under consumer_discretionary.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sectorlights.domain.vocabulary import Sector

_T, _H, _E, _F = Sector.TECHNOLOGY, Sector.HEALTHCARE, Sector.ENERGY, Sector.FINANCIAL
_C, _I, _M, _U = Sector.CONSUMER_DISCRETIONARY, Sector.INDUSTRIALS, Sector.MATERIALS, Sector.UTILITIES

TECHNOLOGY = "Technology"
COMMUNICATION_SERVICES = "Communication Services"
HEALTHCARE = "Healthcare"
ENERGY = "Energy"
FINANCIAL_SERVICES = "Financial Services"
REAL_ESTATE = "Real Estate"
CONSUMER_CYCLICAL = "Consumer Cyclical"
CONSUMER_DEFENSIVE = "Consumer Defensive"
INDUSTRIALS = "Industrials"
BASIC_MATERIALS = "Basic Materials"
UTILITIES = "Utilities"

# DESIGN §5: FMP's 11 sectors onto our 8.
FMP_SECTOR_TO_SECTOR: dict[str, Sector] = {
    TECHNOLOGY: _T,
    COMMUNICATION_SERVICES: _T,
    HEALTHCARE: _H,
    ENERGY: _E,
    FINANCIAL_SERVICES: _F,
    REAL_ESTATE: _F,
    CONSUMER_CYCLICAL: _C,
    CONSUMER_DEFENSIVE: _C,
    INDUSTRIALS: _I,
    BASIC_MATERIALS: _M,
    UTILITIES: _U,
}

_DEFAULT_BY_SECTOR: dict[Sector, tuple[str, str]] = {
    _T: (TECHNOLOGY, "Software - Application"),
    _H: (HEALTHCARE, "Biotechnology"),
    _E: (ENERGY, "Oil & Gas Exploration & Production"),
    _F: (FINANCIAL_SERVICES, "Banks - Regional"),
    _C: (CONSUMER_CYCLICAL, "Specialty Retail"),
    _I: (INDUSTRIALS, "Industrial - Machinery"),
    _M: (BASIC_MATERIALS, "Chemicals"),
    _U: (UTILITIES, "Regulated Electric"),
}


def _industries(sector: str, *rows: tuple[str, str]) -> dict[str, tuple[str, str]]:
    return {code: (sector, industry) for code, industry in rows}


# FMP sector and industry of each SIC code the simulated market uses (reference.py).
FMP_BY_SIC: dict[str, tuple[str, str]] = {
    **_industries(
        TECHNOLOGY,
        ("7372", "Software - Application"),
        ("7370", "Information Technology Services"),
        ("7371", "Information Technology Services"),
        ("7373", "Software - Infrastructure"),
        ("7374", "Information Technology Services"),
        ("3674", "Semiconductors"),
        ("3571", "Computer Hardware"),
        ("3572", "Computer Hardware"),
        ("3576", "Communication Equipment"),
        ("3577", "Computer Hardware"),
        ("3661", "Communication Equipment"),
        ("3663", "Communication Equipment"),
        ("3669", "Communication Equipment"),
        ("3672", "Hardware, Equipment & Parts"),
        ("3679", "Hardware, Equipment & Parts"),
        ("3825", "Technical Instruments"),
        ("3826", "Technical Instruments"),
        ("3829", "Technical Instruments"),
    ),
    **_industries(
        COMMUNICATION_SERVICES,
        ("4812", "Telecommunications Services"),
        ("4813", "Telecommunications Services"),
        ("4899", "Telecommunications Services"),
        ("2741", "Publishing"),
        ("7812", "Entertainment"),
        ("4841", "Broadcasting"),
    ),
    **_industries(
        HEALTHCARE,
        ("2834", "Drug Manufacturers - Specialty & Generic"),
        ("2836", "Biotechnology"),
        ("2835", "Medical - Diagnostics & Research"),
        ("3841", "Medical - Devices"),
        ("3845", "Medical - Devices"),
        ("3842", "Medical - Instruments & Supplies"),
        ("3851", "Medical - Instruments & Supplies"),
        ("8731", "Biotechnology"),
        ("8000", "Medical - Care Facilities"),
        ("8011", "Medical - Care Facilities"),
        ("8062", "Medical - Care Facilities"),
        ("8071", "Medical - Diagnostics & Research"),
        ("8090", "Medical - Healthcare Information Services"),
        ("2833", "Drug Manufacturers - Specialty & Generic"),
        ("5122", "Medical - Distribution"),
    ),
    **_industries(
        ENERGY,
        ("1311", "Oil & Gas Exploration & Production"),
        ("1381", "Oil & Gas Drilling"),
        ("1382", "Oil & Gas Equipment & Services"),
        ("1389", "Oil & Gas Equipment & Services"),
        ("2911", "Oil & Gas Refining & Marketing"),
        ("1221", "Coal"),
        ("5172", "Oil & Gas Refining & Marketing"),
        ("5171", "Oil & Gas Midstream"),
        ("2990", "Oil & Gas Refining & Marketing"),
    ),
    **_industries(
        FINANCIAL_SERVICES,
        ("6022", "Banks - Regional"),
        ("6021", "Banks - Regional"),
        ("6035", "Banks - Regional"),
        ("6036", "Banks - Regional"),
        ("6199", "Financial - Credit Services"),
        ("6141", "Financial - Credit Services"),
        ("6153", "Financial - Credit Services"),
        ("6162", "Financial - Mortgages"),
        ("6211", "Financial - Capital Markets"),
        ("6282", "Asset Management"),
        ("6311", "Insurance - Life"),
        ("6331", "Insurance - Property & Casualty"),
        ("6411", "Insurance - Brokers"),
        ("6770", "Shell Companies"),
    ),
    **_industries(REAL_ESTATE, ("6798", "REIT - Diversified"), ("6500", "Real Estate - Services")),
    **_industries(
        CONSUMER_CYCLICAL,
        ("5812", "Restaurants"),
        ("5651", "Apparel - Retail"),
        ("5621", "Apparel - Retail"),
        ("5961", "Specialty Retail"),
        ("5990", "Specialty Retail"),
        ("5731", "Specialty Retail"),
        ("5734", "Specialty Retail"),
        ("5940", "Specialty Retail"),
        ("2300", "Apparel - Manufacturers"),
        ("2330", "Apparel - Manufacturers"),
        ("3140", "Apparel - Footwear & Accessories"),
        ("2510", "Furnishings, Fixtures & Appliances"),
        ("3630", "Furnishings, Fixtures & Appliances"),
        ("3651", "Furnishings, Fixtures & Appliances"),
        ("3711", "Auto - Manufacturers"),
        ("3714", "Auto - Parts"),
        ("3751", "Auto - Recreational Vehicles"),
        ("3944", "Leisure"),
        ("3949", "Leisure"),
        ("7011", "Travel Lodging"),
        ("7900", "Leisure"),
        ("7990", "Leisure"),
    ),
    **_industries(
        CONSUMER_DEFENSIVE,
        ("5411", "Grocery Stores"),
        ("2080", "Beverages - Non-Alcoholic"),
        ("2000", "Packaged Foods"),
        ("2090", "Packaged Foods"),
        ("2111", "Tobacco"),
        ("2844", "Household & Personal Products"),
        ("8200", "Education & Training Services"),
        ("0100", "Agricultural Farm Products"),
    ),
    **_industries(
        INDUSTRIALS,
        ("1600", "Engineering & Construction"),
        ("1531", "Engineering & Construction"),
        ("1623", "Engineering & Construction"),
        ("1700", "Engineering & Construction"),
        ("3440", "Manufacturing - Metal Fabrication"),
        ("3490", "Manufacturing - Metal Fabrication"),
        ("3510", "Industrial - Machinery"),
        ("3530", "Agricultural - Machinery"),
        ("3559", "Industrial - Machinery"),
        ("3560", "Industrial - Machinery"),
        ("3569", "Industrial - Machinery"),
        ("3585", "Construction"),
        ("3620", "Electrical Equipment & Parts"),
        ("3621", "Electrical Equipment & Parts"),
        ("3690", "Electrical Equipment & Parts"),
        ("3720", "Aerospace & Defense"),
        ("3728", "Aerospace & Defense"),
        ("3760", "Aerospace & Defense"),
        ("3790", "Industrial - Machinery"),
        ("3812", "Aerospace & Defense"),
        ("4011", "Railroads"),
        ("4213", "Trucking"),
        ("4400", "Marine Shipping"),
        ("4412", "Marine Shipping"),
        ("4512", "Airlines, Airports & Air Services"),
        ("4522", "Airlines, Airports & Air Services"),
        ("4731", "Integrated Freight & Logistics"),
        ("4953", "Waste Management"),
        ("5045", "Industrial - Distribution"),
        ("5065", "Industrial - Distribution"),
        ("5080", "Industrial - Distribution"),
        ("7359", "Rental & Leasing Services"),
        ("7361", "Staffing & Employment Services"),
        ("7380", "Specialty Business Services"),
        ("7389", "Specialty Business Services"),
        ("8711", "Engineering & Construction"),
        ("8741", "Consulting Services"),
        ("8742", "Consulting Services"),
    ),
    **_industries(
        BASIC_MATERIALS,
        ("1000", "Industrial Materials"),
        ("1040", "Gold"),
        ("1090", "Industrial Materials"),
        ("1400", "Construction Materials"),
        ("2400", "Paper, Lumber & Forest Products"),
        ("2600", "Paper, Lumber & Forest Products"),
        ("2621", "Paper, Lumber & Forest Products"),
        ("2650", "Paper, Lumber & Forest Products"),
        ("2800", "Chemicals"),
        ("2810", "Chemicals"),
        ("2821", "Chemicals - Specialty"),
        ("2860", "Chemicals"),
        ("2870", "Agricultural Inputs"),
        ("2890", "Chemicals - Specialty"),
        ("3080", "Chemicals - Specialty"),
        ("3089", "Chemicals - Specialty"),
        ("3221", "Construction Materials"),
        ("3241", "Construction Materials"),
        ("3272", "Construction Materials"),
        ("3310", "Steel"),
        ("3312", "Steel"),
        ("3330", "Industrial Materials"),
        ("3334", "Aluminum"),
    ),
    **_industries(
        UTILITIES,
        ("4911", "Regulated Electric"),
        ("4931", "Diversified Utilities"),
        ("4924", "Regulated Gas"),
        ("4932", "Diversified Utilities"),
        ("4941", "Regulated Water"),
        ("4991", "Renewable Utilities"),
        ("4922", "Regulated Gas"),
        ("4923", "Regulated Gas"),
        ("4900", "Diversified Utilities"),
    ),
}


def fmp_sector_and_industry(security_type: str, sic_code: str | None, sector: Sector) -> tuple[str, str]:
    """FMP's sector and industry of a listing; funds have none, as at FMP."""
    if security_type in ("ETF", "FUND"):
        return "", ""
    if sic_code is not None and sic_code in FMP_BY_SIC:
        fmp_sector, industry = FMP_BY_SIC[sic_code]
        if FMP_SECTOR_TO_SECTOR[fmp_sector] == sector:
            return fmp_sector, industry
    return _DEFAULT_BY_SECTOR[sector]


# Polygon MIC -> (FMP exchange, FMP exchange full name); Nasdaq tiers follow the market cap.
FMP_EXCHANGE: dict[str, tuple[str, str]] = {
    "XNYS": ("NYSE", "New York Stock Exchange"),
    "XASE": ("AMEX", "NYSE American"),
    "ARCX": ("AMEX", "New York Stock Exchange Arca"),
    "BATS": ("CBOE", "CBOE BZX"),
    "OTC": ("OTC", "Other OTC"),
}


def fmp_exchange(mic: str, market_cap: float) -> tuple[str, str]:
    if mic == "XNAS":
        if market_cap >= 1.5e9:
            return "NASDAQ", "NASDAQ Global Select"
        return (
            ("NASDAQ", "NASDAQ Global Market") if market_cap >= 3e8 else ("NASDAQ", "NASDAQ Capital Market")
        )
    return FMP_EXCHANGE.get(mic, ("OTC", "Other OTC"))


# Polygon's participant ids of the primary exchanges (lastTrade.x).
POLYGON_EXCHANGE_ID: dict[str, int] = {"XASE": 1, "XNYS": 10, "ARCX": 11, "XNAS": 12, "BATS": 19, "OTC": 4}

_FIGI_ALPHABET = "BCDFGHJKLMNPQRSTVWXYZ0123456789"
_CITIES: tuple[tuple[str, str, str, str], ...] = (
    ("Austin", "TX", "78701", "512"),
    ("Boston", "MA", "02110", "617"),
    ("San Diego", "CA", "92121", "858"),
    ("Denver", "CO", "80202", "303"),
    ("Houston", "TX", "77002", "713"),
    ("Raleigh", "NC", "27601", "919"),
    ("Minneapolis", "MN", "55402", "612"),
    ("Phoenix", "AZ", "85004", "602"),
    ("Columbus", "OH", "43215", "614"),
    ("Salt Lake City", "UT", "84101", "801"),
    ("Nashville", "TN", "37203", "615"),
    ("Pittsburgh", "PA", "15222", "412"),
)
_STREETS: tuple[str, ...] = (
    "Main Street",
    "Commerce Drive",
    "Park Avenue",
    "Innovation Way",
    "Market Street",
)
_FIRST_NAMES: tuple[str, ...] = ("Alex", "Jordan", "Morgan", "Taylor", "Casey", "Riley", "Jamie", "Avery")
_LAST_NAMES: tuple[str, ...] = ("Reed", "Hayes", "Porter", "Quinn", "Bennett", "Foster", "Sutton", "Mercer")


def _digest(*parts: object) -> bytes:
    return hashlib.sha256("|".join(str(part) for part in parts).encode()).digest()


def _figi(digest: bytes) -> str:
    return "BBG" + "".join(_FIGI_ALPHABET[byte % len(_FIGI_ALPHABET)] for byte in digest[:9])


def _cusip_check_digit(base: str) -> str:
    total = 0
    for position, char in enumerate(base):
        value = int(char) if char.isdigit() else ord(char) - ord("A") + 10
        if position % 2 == 1:
            value *= 2
        total += value // 10 + value % 10
    return str((10 - total % 10) % 10)


def _isin_check_digit(base: str) -> str:
    digits = "".join(str(int(char, 36)) for char in base)
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value // 10 + value % 10
    return str((10 - total % 10) % 10)


@dataclass(frozen=True, slots=True)
class Identity:
    """Deterministic identifiers of a simulated listing (fictional, but well-formed)."""

    cik: str
    composite_figi: str
    share_class_figi: str
    cusip: str
    isin: str


def identity(seed: int, symbol: str) -> Identity:
    digest = _digest("identity", seed, symbol)
    cik = f"{1_000_000 + int.from_bytes(digest[:4], 'big') % 1_000_000:010d}"
    issuer = "".join("0123456789ABCDEFGHJKLMNPRSTUVWXYZ"[byte % 33] for byte in digest[10:16])
    cusip_base = issuer + f"{digest[16] % 100:02d}"
    cusip = cusip_base + _cusip_check_digit(cusip_base)
    isin_base = "US" + cusip
    return Identity(
        cik=cik,
        composite_figi=_figi(digest[20:29]),
        share_class_figi=_figi(digest[3:12]),
        cusip=cusip,
        isin=isin_base + _isin_check_digit(isin_base),
    )


@dataclass(frozen=True, slots=True)
class CompanyDetails:
    """Address, contacts and history of a simulated company."""

    address1: str
    city: str
    state: str
    postal_code: str
    phone_number: str
    homepage_url: str
    domain: str
    list_date: str
    total_employees: int
    ceo: str


def company_details(seed: int, symbol: str, name: str, market_cap: float) -> CompanyDetails:
    digest = _digest("company", seed, symbol)
    city, state, postal_code, area = _CITIES[digest[0] % len(_CITIES)]
    root = (
        "".join(char for char in name.split(" ", maxsplit=1)[0].lower() if char.isalnum()) or symbol.lower()
    )
    domain = f"{root}{symbol.lower()}.example"
    year = 1985 + digest[1] % 38
    return CompanyDetails(
        address1=f"{100 + int.from_bytes(digest[2:4], 'big') % 9000} {_STREETS[digest[4] % len(_STREETS)]}",
        city=city,
        state=state,
        postal_code=postal_code,
        phone_number=f"({area}) 555-{int.from_bytes(digest[5:7], 'big') % 10000:04d}",
        homepage_url=f"https://www.{domain}",
        domain=domain,
        list_date=f"{year}-{1 + digest[7] % 12:02d}-{1 + digest[8] % 28:02d}",
        total_employees=max(12, int(market_cap / (250_000 + 50_000 * (digest[9] % 8)))),
        ceo=f"{_FIRST_NAMES[digest[10] % len(_FIRST_NAMES)]} {_LAST_NAMES[digest[11] % len(_LAST_NAMES)]}",
    )
