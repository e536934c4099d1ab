"""Fixed reference data of the simulated market: real SIC codes, sector behaviour, named tickers, ETFs.

The SIC codes and titles are the SEC's own list (titles as EDGAR spells them, which is also what
Polygon returns as `sic_description`); each code maps to its sector through `sector_for_sic`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sectorlights.domain.vocabulary import SECTORS, Sector

_T, _H, _E, _F = Sector.TECHNOLOGY, Sector.HEALTHCARE, Sector.ENERGY, Sector.FINANCIAL
_C, _I, _M, _U = Sector.CONSUMER_DISCRETIONARY, Sector.INDUSTRIALS, Sector.MATERIALS, Sector.UTILITIES

SECTOR_INDEX: dict[Sector, int] = {sector: index for index, sector in enumerate(SECTORS)}


@dataclass(frozen=True, slots=True)
class SicCode:
    code: str
    description: str
    # Relative frequency among the sector's simulated companies (biotech dominates healthcare, etc.).
    weight: float


def _codes(*rows: tuple[str, str, float]) -> tuple[SicCode, ...]:
    return tuple(SicCode(code, description, weight) for code, description, weight in rows)


SIC_CODES_BY_SECTOR: dict[Sector, tuple[SicCode, ...]] = {
    _T: _codes(
        ("7389", "SERVICES-BUSINESS SERVICES, NEC", 4),
        ("3559", "SPECIAL INDUSTRY MACHINERY, NEC", 3),
        ("3651", "HOUSEHOLD AUDIO & VIDEO EQUIPMENT", 1),
        ("7372", "SERVICES-PREPACKAGED SOFTWARE", 30),
        ("7370", "SERVICES-COMPUTER PROGRAMMING, DATA PROCESSING, ETC.", 10),
        ("7371", "SERVICES-COMPUTER PROGRAMMING SERVICES", 5),
        ("7373", "SERVICES-COMPUTER INTEGRATED SYSTEMS DESIGN", 5),
        ("7374", "SERVICES-COMPUTER PROCESSING & DATA PREPARATION", 5),
        ("3674", "SEMICONDUCTORS & RELATED DEVICES", 12),
        ("3571", "ELECTRONIC COMPUTERS", 2),
        ("3572", "COMPUTER STORAGE DEVICES", 2),
        ("3576", "COMPUTER COMMUNICATIONS EQUIPMENT", 3),
        ("3577", "COMPUTER PERIPHERAL EQUIPMENT, NEC", 3),
        ("3661", "TELEPHONE & TELEGRAPH APPARATUS", 2),
        ("3663", "RADIO & TV BROADCASTING & COMMUNICATIONS EQUIPMENT", 4),
        ("3669", "COMMUNICATIONS EQUIPMENT, NEC", 3),
        ("3672", "PRINTED CIRCUIT BOARDS", 2),
        ("3679", "ELECTRONIC COMPONENTS, NEC", 3),
        ("3825", "INSTRUMENTS FOR MEAS & TESTING OF ELECTRICITY & ELEC SIGNALS", 2),
        ("3829", "MEASURING & CONTROLLING DEVICES, NEC", 2),
        ("4812", "RADIOTELEPHONE COMMUNICATIONS", 2),
        ("4813", "TELEPHONE COMMUNICATIONS (NO RADIOTELEPHONE)", 5),
        ("4899", "COMMUNICATIONS SERVICES, NEC", 3),
        ("2741", "MISCELLANEOUS PUBLISHING", 2),
        ("7812", "SERVICES-MOTION PICTURE & VIDEO TAPE PRODUCTION", 2),
        ("4841", "CABLE & OTHER PAY TELEVISION SERVICES", 1),
    ),
    _H: _codes(
        ("3826", "LABORATORY ANALYTICAL INSTRUMENTS", 2),
        ("2834", "PHARMACEUTICAL PREPARATIONS", 40),
        ("2836", "BIOLOGICAL PRODUCTS, (NO DIAGNOSTIC SUBSTANCES)", 25),
        ("2835", "IN VITRO & IN VIVO DIAGNOSTIC SUBSTANCES", 5),
        ("3841", "SURGICAL & MEDICAL INSTRUMENTS & APPARATUS", 10),
        ("3845", "ELECTROMEDICAL & ELECTROTHERAPEUTIC APPARATUS", 6),
        ("3842", "ORTHOPEDIC, PROSTHETIC & SURGICAL APPLIANCES & SUPPLIES", 3),
        ("3851", "OPHTHALMIC GOODS", 1),
        ("8731", "SERVICES-COMMERCIAL PHYSICAL & BIOLOGICAL RESEARCH", 4),
        ("8000", "SERVICES-HEALTH SERVICES", 2),
        ("8011", "SERVICES-OFFICES & CLINICS OF DOCTORS OF MEDICINE", 1),
        ("8062", "SERVICES-GENERAL MEDICAL & SURGICAL HOSPITALS, NEC", 1),
        ("8071", "SERVICES-MEDICAL LABORATORIES", 2),
        ("8090", "SERVICES-MISC HEALTH & ALLIED SERVICES, NEC", 1),
        ("2833", "MEDICINAL CHEMICALS & BOTANICAL PRODUCTS", 1),
        ("5122", "WHOLESALE-DRUGS, PROPRIETARIES & DRUGGISTS' SUNDRIES", 1),
    ),
    _E: _codes(
        ("1311", "CRUDE PETROLEUM & NATURAL GAS", 45),
        ("1381", "DRILLING OIL & GAS WELLS", 8),
        ("1382", "OIL & GAS FIELD EXPLORATION SERVICES", 6),
        ("1389", "OIL & GAS FIELD SERVICES, NEC", 14),
        ("2911", "PETROLEUM REFINING", 10),
        ("1221", "BITUMINOUS COAL & LIGNITE SURFACE MINING", 6),
        ("5172", "WHOLESALE-PETROLEUM & PETROLEUM PRODUCTS (NO BULK STATIONS)", 6),
        ("5171", "WHOLESALE-PETROLEUM BULK STATIONS & TERMINALS", 3),
        ("2990", "MISCELLANEOUS PRODUCTS OF PETROLEUM & COAL", 2),
    ),
    _F: _codes(
        ("6022", "STATE COMMERCIAL BANKS", 25),
        ("6021", "NATIONAL COMMERCIAL BANKS", 8),
        ("6035", "SAVINGS INSTITUTION, FEDERALLY CHARTERED", 6),
        ("6036", "SAVINGS INSTITUTIONS, NOT FEDERALLY CHARTERED", 5),
        ("6199", "FINANCE SERVICES", 8),
        ("6141", "PERSONAL CREDIT INSTITUTIONS", 4),
        ("6153", "SHORT-TERM BUSINESS CREDIT INSTITUTIONS", 2),
        ("6162", "MORTGAGE BANKERS & LOAN CORRESPONDENTS", 3),
        ("6211", "SECURITY BROKERS, DEALERS & FLOTATION COMPANIES", 5),
        ("6282", "INVESTMENT ADVICE", 4),
        ("6311", "LIFE INSURANCE", 3),
        ("6331", "FIRE, MARINE & CASUALTY INSURANCE", 6),
        ("6411", "INSURANCE AGENTS, BROKERS & SERVICE", 2),
        ("6798", "REAL ESTATE INVESTMENT TRUSTS", 12),
        ("6500", "REAL ESTATE", 3),
        ("6770", "BLANK CHECKS", 4),
    ),
    _C: _codes(
        ("5812", "RETAIL-EATING PLACES", 6),
        ("5651", "RETAIL-FAMILY CLOTHING STORES", 3),
        ("5621", "RETAIL-WOMEN'S CLOTHING STORES", 2),
        ("5961", "RETAIL-CATALOG & MAIL-ORDER HOUSES", 6),
        ("5990", "RETAIL-RETAIL STORES, NEC", 3),
        ("5731", "RETAIL-RADIO, TV & CONSUMER ELECTRONICS STORES", 1),
        ("5734", "RETAIL-COMPUTER & COMPUTER SOFTWARE STORES", 1),
        ("5940", "RETAIL-MISCELLANEOUS SHOPPING GOODS STORES", 2),
        ("5411", "RETAIL-GROCERY STORES", 2),
        ("2080", "BEVERAGES", 3),
        ("2000", "FOOD AND KINDRED PRODUCTS", 3),
        ("2090", "MISCELLANEOUS FOOD PREPARATIONS & KINDRED PRODUCTS", 3),
        ("2111", "CIGARETTES", 1),
        ("2300", "APPAREL & OTHER FINISHED PRODS OF FABRICS & SIMILAR MATERIAL", 3),
        ("2330", "WOMEN'S, MISSES', AND JUNIORS OUTERWEAR", 1),
        ("3140", "FOOTWEAR, (NO RUBBER)", 1),
        ("2510", "HOUSEHOLD FURNITURE", 2),
        ("2844", "PERFUMES, COSMETICS & OTHER TOILET PREPARATIONS", 3),
        ("3630", "HOUSEHOLD APPLIANCES", 1),
        ("3711", "MOTOR VEHICLES & PASSENGER CAR BODIES", 4),
        ("3714", "MOTOR VEHICLE PARTS & ACCESSORIES", 4),
        ("3751", "MOTORCYCLES, BICYCLES & PARTS", 1),
        ("3944", "GAMES, TOYS & CHILDREN'S VEHICLES (NO DOLLS & BICYCLES)", 2),
        ("3949", "SPORTING & ATHLETIC GOODS, NEC", 2),
        ("7011", "HOTELS & MOTELS", 2),
        ("7900", "SERVICES-AMUSEMENT & RECREATION SERVICES", 2),
        ("7990", "SERVICES-MISCELLANEOUS AMUSEMENT & RECREATION", 3),
        ("8200", "SERVICES-EDUCATIONAL SERVICES", 3),
        ("0100", "AGRICULTURAL PRODUCTION-CROPS", 2),
    ),
    _I: _codes(
        ("1600", "HEAVY CONSTRUCTION OTHER THAN BLDG CONST - CONTRACTORS", 3),
        ("1531", "OPERATIVE BUILDERS", 2),
        ("1623", "WATER, SEWER, PIPELINE, COMM & POWER LINE CONSTRUCTION", 2),
        ("1700", "CONSTRUCTION - SPECIAL TRADE CONTRACTORS", 2),
        ("3440", "FABRICATED STRUCTURAL METAL PRODUCTS", 2),
        ("3490", "MISCELLANEOUS FABRICATED METAL PRODUCTS", 2),
        ("3510", "ENGINES & TURBINES", 2),
        ("3530", "CONSTRUCTION, MINING & MATERIALS HANDLING MACHINERY & EQUIP", 2),
        ("3560", "GENERAL INDUSTRIAL MACHINERY & EQUIPMENT", 3),
        ("3569", "GENERAL INDUSTRIAL MACHINERY & EQUIPMENT, NEC", 2),
        ("3585", "AIR-COND & WARM AIR HEATG EQUIP & COMM & INDL REFRIG EQUIP", 2),
        ("3620", "ELECTRICAL INDUSTRIAL APPARATUS", 2),
        ("3621", "MOTORS & GENERATORS", 2),
        ("3690", "MISCELLANEOUS ELECTRICAL MACHINERY, EQUIPMENT & SUPPLIES", 3),
        ("3720", "AIRCRAFT & PARTS", 2),
        ("3728", "AIRCRAFT PARTS & AUXILIARY EQUIPMENT, NEC", 3),
        ("3760", "GUIDED MISSILES & SPACE VEHICLES & PARTS", 2),
        ("3790", "MISCELLANEOUS TRANSPORTATION EQUIPMENT", 1),
        ("3812", "SEARCH, DETECTION, NAVIGATION, GUIDANCE, AERONAUTICAL SYS", 3),
        ("4011", "RAILROADS, LINE-HAUL OPERATING", 1),
        ("4213", "TRUCKING (NO LOCAL)", 2),
        ("4400", "WATER TRANSPORTATION", 2),
        ("4412", "DEEP SEA FOREIGN TRANSPORTATION OF FREIGHT", 2),
        ("4512", "AIR TRANSPORTATION, SCHEDULED", 2),
        ("4522", "AIR TRANSPORTATION, NONSCHEDULED", 1),
        ("4731", "ARRANGEMENT OF TRANSPORTATION OF FREIGHT & CARGO", 2),
        ("4953", "REFUSE SYSTEMS", 2),
        ("5045", "WHOLESALE-COMPUTERS & PERIPHERAL EQUIPMENT & SOFTWARE", 2),
        ("5065", "WHOLESALE-ELECTRONIC PARTS & EQUIPMENT, NEC", 2),
        ("5080", "WHOLESALE-MACHINERY, EQUIPMENT & SUPPLIES", 2),
        ("7359", "SERVICES-EQUIPMENT RENTAL & LEASING, NEC", 1),
        ("7361", "SERVICES-EMPLOYMENT AGENCIES", 2),
        ("7380", "SERVICES-MISCELLANEOUS BUSINESS SERVICES", 2),
        ("8711", "SERVICES-ENGINEERING SERVICES", 2),
        ("8741", "SERVICES-MANAGEMENT SERVICES", 1),
        ("8742", "SERVICES-MANAGEMENT CONSULTING SERVICES", 2),
    ),
    _M: _codes(
        ("1000", "METAL MINING", 15),
        ("1040", "GOLD AND SILVER ORES", 25),
        ("1090", "MISCELLANEOUS METAL ORES", 4),
        ("1400", "MINING & QUARRYING OF NONMETALLIC MINERALS (NO FUELS)", 3),
        ("2400", "LUMBER & WOOD PRODUCTS (NO FURNITURE)", 2),
        ("2600", "PAPERS & ALLIED PRODUCTS", 2),
        ("2621", "PAPER MILLS", 2),
        ("2650", "PAPERBOARD CONTAINERS & BOXES", 2),
        ("2800", "CHEMICALS & ALLIED PRODUCTS", 4),
        ("2810", "INDUSTRIAL INORGANIC CHEMICALS", 3),
        ("2821", "PLASTIC MATERIALS, SYNTH RESINS & NONVULCAN ELASTOMERS", 3),
        ("2860", "INDUSTRIAL ORGANIC CHEMICALS", 3),
        ("2870", "AGRICULTURAL CHEMICALS", 3),
        ("2890", "MISCELLANEOUS CHEMICAL PRODUCTS", 3),
        ("3080", "MISCELLANEOUS PLASTICS PRODUCTS", 2),
        ("3089", "PLASTICS PRODUCTS, NEC", 3),
        ("3221", "GLASS CONTAINERS", 1),
        ("3241", "CEMENT, HYDRAULIC", 1),
        ("3272", "CONCRETE PRODUCTS, EXCEPT BLOCK & BRICK", 1),
        ("3310", "STEEL WORKS, BLAST FURNACES & ROLLING & FINISHING MILLS", 4),
        ("3312", "STEEL WORKS, BLAST FURNACES & ROLLING MILLS (COKE OVENS)", 1),
        ("3330", "PRIMARY SMELTING & REFINING OF NONFERROUS METALS", 3),
        ("3334", "PRIMARY PRODUCTION OF ALUMINUM", 2),
    ),
    _U: _codes(
        ("4911", "ELECTRIC SERVICES", 40),
        ("4931", "ELECTRIC & OTHER SERVICES COMBINED", 10),
        ("4924", "NATURAL GAS DISTRIBUTION", 10),
        ("4932", "GAS & OTHER SERVICES COMBINED", 5),
        ("4941", "WATER SUPPLY", 12),
        ("4991", "COGENERATION SERVICES & SMALL POWER PRODUCERS", 12),
        ("4922", "NATURAL GAS TRANSMISSION", 4),
        ("4923", "NATURAL GAS TRANSMISSION & DISTRIBUTION", 4),
        ("4900", "ELECTRIC, GAS & SANITARY SERVICES", 3),
    ),
}

BLANK_CHECK_SIC = SicCode("6770", "BLANK CHECKS", 1)


@dataclass(frozen=True, slots=True)
class SectorBehaviour:
    """How a sector's simulated stocks move."""

    share_of_companies: float  # of the generated operating companies (CS and ADRC)
    factor_sigma_daily: float  # the sector factor's daily log-return standard deviation
    idiosyncratic_multiplier: float  # biotech binary risk vs. regulated utilities
    beta_mean: float
    catalyst_multiplier: float  # scales earnings/offering frequency; from the spec's gap_frequency
    name_words: tuple[str, ...]


# Shares are set so that every sector keeps at least ~60 universe stocks, with technology and
# healthcare the largest and utilities and materials the smallest, as in the real small-cap market.
SECTOR_BEHAVIOUR: dict[Sector, SectorBehaviour] = {
    _T: SectorBehaviour(
        0.21,
        0.010,
        1.15,
        1.25,
        1.3,
        (
            "Technologies",
            "Software",
            "Systems",
            "Networks",
            "Digital",
            "Semiconductor",
            "Data",
            "AI",
            "Cloud",
            "Communications",
            "Interactive",
            "Robotics",
        ),
    ),
    _H: SectorBehaviour(
        0.22,
        0.011,
        1.30,
        1.00,
        1.6,
        (
            "Therapeutics",
            "Biosciences",
            "Pharmaceuticals",
            "Medical",
            "Biotherapeutics",
            "Health",
            "Bio",
            "Genomics",
            "Diagnostics",
            "Oncology",
            "Biopharma",
            "Surgical",
        ),
    ),
    _E: SectorBehaviour(
        0.065,
        0.016,
        1.10,
        1.00,
        1.0,
        ("Energy", "Petroleum", "Resources", "Oil & Gas", "Drilling", "Midstream", "Exploration", "Offshore"),
    ),
    _F: SectorBehaviour(
        0.15,
        0.008,
        0.80,
        0.95,
        1.0,
        (
            "Bancorp",
            "Financial",
            "Capital",
            "Bankshares",
            "Insurance Group",
            "Realty Trust",
            "Lending",
            "Trust",
        ),
    ),
    _C: SectorBehaviour(
        0.14,
        0.009,
        1.10,
        1.15,
        1.3,
        ("Brands", "Foods", "Apparel", "Restaurants", "Retail", "Entertainment", "Home", "Outdoor", "Motors"),
    ),
    _I: SectorBehaviour(
        0.115,
        0.008,
        0.90,
        1.05,
        0.7,
        (
            "Industries",
            "Aerospace",
            "Logistics",
            "Engineering",
            "Manufacturing",
            "Machinery",
            "Transport",
            "Infrastructure",
        ),
    ),
    _M: SectorBehaviour(
        0.055,
        0.010,
        1.00,
        1.00,
        0.7,
        ("Mining", "Metals", "Chemicals", "Materials", "Gold", "Steel", "Minerals", "Packaging"),
    ),
    _U: SectorBehaviour(
        0.045,
        0.007,
        0.60,
        0.60,
        0.45,
        ("Utilities", "Power", "Electric", "Water", "Renewables", "Gas", "Energy Partners"),
    ),
}


@dataclass(frozen=True, slots=True)
class NamedTicker:
    """A ticker the spec names, at its base level (the simulation keeps it within ±15% of these)."""

    symbol: str
    name: str
    sector: Sector
    security_type: str
    exchange: str
    sic_code: str
    sic_description: str
    market_cap: float
    price: float
    average_volume: float
    float_fraction: float
    # Half-width of the daily volume's log deviation; BBAI's is narrow so that its 20-session
    # average stays clearly under the 1M-share liquidity floor, as the spec's exclusion case needs.
    volume_band: float = 0.12


_SOFTWARE = ("7372", "SERVICES-PREPACKAGED SOFTWARE")
_PHARMA = ("2834", "PHARMACEUTICAL PREPARATIONS")
_CRUDE = ("1311", "CRUDE PETROLEUM & NATURAL GAS")
_METAL_MINING = ("1000", "METAL MINING")
_ELECTRIC = ("4911", "ELECTRIC SERVICES")
_TRANSPORT_EQUIPMENT = ("3790", "MISCELLANEOUS TRANSPORTATION EQUIPMENT")


def _named(
    symbol: str,
    name: str,
    sector: Sector,
    exchange: str,
    sic: tuple[str, str],
    market_cap: float,
    price: float,
    average_volume: float,
    float_fraction: float,
    security_type: str = "CS",
    volume_band: float = 0.12,
) -> NamedTicker:
    return NamedTicker(
        symbol,
        name,
        sector,
        security_type,
        exchange,
        sic[0],
        sic[1],
        market_cap,
        price,
        average_volume,
        float_fraction,
        volume_band,
    )


# The spec's four universe cases carry the spec's numbers; the other SECTOR_MAPPING examples carry
# plausible numbers. Where EDGAR's own code maps elsewhere (the bitcoin miners GREE/HIVE/BTCS file as
# 6199 finance, AMC as 7830 theaters, Proterra and Fisker as 3711 motor vehicles) we use a real code of
# the sector the spec puts them in. SID is listed by the spec under energy and materials; it is a
# steel maker (3310) and an ADR, so it is a materials ADRC here.
NAMED_TICKERS: tuple[NamedTicker, ...] = (
    _named("SOUN", "SoundHound AI, Inc.", _T, "XNAS", _SOFTWARE, 180e6, 5.20, 2.1e6, 0.82),
    _named(
        "BBAI", "BigBear.ai Holdings, Inc.", _T, "XNYS", _SOFTWARE, 120e6, 3.80, 950e3, 0.35, volume_band=0.04
    ),
    _named("PATH", "UiPath Inc.", _T, "XNYS", _SOFTWARE, 1.55e9, 12.80, 1.4e6, 0.85),
    _named(
        "SMCI",
        "Super Micro Computer, Inc.",
        _T,
        "XNAS",
        ("3571", "ELECTRONIC COMPUTERS"),
        1.7e9,
        38.50,
        3.7e6,
        0.86,
    ),
    _named("OCUL", "Ocular Therapeutix, Inc.", _H, "XNAS", _PHARMA, 950e6, 8.60, 2.4e6, 0.90),
    _named("KPTI", "Karyopharm Therapeutics Inc.", _H, "XNAS", _PHARMA, 110e6, 7.40, 1.5e6, 0.88),
    _named(
        "DTIL",
        "Precision BioSciences, Inc.",
        _H,
        "XNAS",
        ("2836", "BIOLOGICAL PRODUCTS, (NO DIAGNOSTIC SUBSTANCES)"),
        45e6,
        5.80,
        1.3e6,
        0.80,
    ),
    _named("VRTX", "Vertex Pharmaceuticals Incorporated", _H, "XNAS", _PHARMA, 115e9, 445.0, 1.3e6, 0.99),
    _named("GREE", "Greenidge Generation Holdings Inc.", _E, "XNAS", _CRUDE, 25e6, 2.60, 1.6e6, 0.60),
    _named("HIVE", "HIVE Digital Technologies Ltd.", _E, "XNAS", _CRUDE, 420e6, 2.95, 6.0e6, 0.92),
    _named("BTCS", "BTCS Inc.", _E, "XNAS", _CRUDE, 60e6, 3.10, 1.4e6, 0.75),
    _named(
        "SID",
        "Companhia Siderurgica Nacional",
        _M,
        "XNYS",
        ("3310", "STEEL WORKS, BLAST FURNACES & ROLLING & FINISHING MILLS"),
        2.45e9,
        1.85,
        2.5e6,
        0.45,
        security_type="ADRC",
    ),
    _named(
        "SOFI", "SoFi Technologies, Inc.", _F, "XNAS", ("6199", "FINANCE SERVICES"), 16e9, 14.60, 45e6, 0.95
    ),
    _named(
        "UPST", "Upstart Holdings, Inc.", _F, "XNAS", ("6199", "FINANCE SERVICES"), 1.6e9, 17.90, 4.5e6, 0.88
    ),
    _named(
        "AFRM",
        "Affirm Holdings, Inc.",
        _F,
        "XNAS",
        ("6141", "PERSONAL CREDIT INSTITUTIONS"),
        14e9,
        45.0,
        8e6,
        0.85,
    ),
    _named(
        "LC",
        "LendingClub Corporation",
        _F,
        "XNYS",
        ("6141", "PERSONAL CREDIT INSTITUTIONS"),
        1.25e9,
        11.20,
        1.9e6,
        0.93,
    ),
    _named(
        "PRPL",
        "Purple Innovation, Inc.",
        _C,
        "XNAS",
        ("2510", "HOUSEHOLD FURNITURE"),
        450e6,
        4.10,
        1.8e6,
        0.62,
    ),
    _named(
        "EXPR",
        "Express, Inc.",
        _C,
        "XNYS",
        ("5621", "RETAIL-WOMEN'S CLOTHING STORES"),
        45e6,
        2.90,
        1.5e6,
        0.85,
    ),
    _named(
        "GME",
        "GameStop Corp.",
        _C,
        "XNYS",
        ("5734", "RETAIL-COMPUTER & COMPUTER SOFTWARE STORES"),
        10e9,
        23.0,
        6e6,
        0.88,
    ),
    _named(
        "AMC",
        "AMC Entertainment Holdings, Inc.",
        _C,
        "XNYS",
        ("7990", "SERVICES-MISCELLANEOUS AMUSEMENT & RECREATION"),
        1.2e9,
        3.20,
        25e6,
        0.97,
    ),
    _named(
        "KOSS",
        "Koss Corporation",
        _T,
        "XNAS",
        ("3651", "HOUSEHOLD AUDIO & VIDEO EQUIPMENT"),
        85e6,
        8.90,
        3.2e6,
        0.62,
    ),
    _named(
        "BLDE",
        "Blade Air Mobility, Inc.",
        _I,
        "XNAS",
        ("4522", "AIR TRANSPORTATION, NONSCHEDULED"),
        280e6,
        3.60,
        1.3e6,
        0.80,
    ),
    _named(
        "STRL",
        "Sterling Infrastructure, Inc.",
        _I,
        "XNAS",
        ("1600", "HEAVY CONSTRUCTION OTHER THAN BLDG CONST - CONTRACTORS"),
        1.45e9,
        47.50,
        1.2e6,
        0.96,
    ),
    _named("PTRA", "Proterra Inc.", _I, "XNAS", _TRANSPORT_EQUIPMENT, 110e6, 2.40, 3.5e6, 0.85),
    _named("FSR", "Fisker Inc.", _I, "XNYS", _TRANSPORT_EQUIPMENT, 350e6, 2.70, 20e6, 0.55),
    _named("TLOFF", "Talon Metals Corp.", _M, "OTC", _METAL_MINING, 160e6, 0.18, 1.1e6, 0.90),
    _named("SCCO", "Southern Copper Corporation", _M, "XNYS", _METAL_MINING, 80e9, 102.0, 1.1e6, 0.11),
    _named("FCX", "Freeport-McMoRan Inc.", _M, "XNYS", _METAL_MINING, 62e9, 43.0, 12e6, 0.99),
    _named(
        "NOVA",
        "Sunnova Energy International Inc.",
        _U,
        "XNYS",
        ("4931", "ELECTRIC & OTHER SERVICES COMBINED"),
        450e6,
        3.60,
        8e6,
        0.90,
    ),
    _named("CWEN", "Clearway Energy, Inc.", _U, "XNYS", _ELECTRIC, 1.35e9, 28.0, 1.3e6, 0.55),
    _named("BEPC", "Brookfield Renewable Corporation", _U, "XNYS", _ELECTRIC, 5.2e9, 30.0, 1.0e6, 0.90),
    _named("NEP", "NextEra Energy Partners, LP", _U, "XNYS", _ELECTRIC, 1.6e9, 17.20, 2.2e6, 0.92),
)


@dataclass(frozen=True, slots=True)
class NamedEtf:
    """A benchmark or sector ETF; its returns follow its members' factors."""

    symbol: str
    name: str
    exchange: str
    price: float
    average_volume: float
    net_assets: float
    sector: Sector | None  # None for the Russell 2000 benchmark
    market_loading: float
    sector_loading: float


SECTOR_ETFS: tuple[NamedEtf, ...] = (
    NamedEtf("IWM", "iShares Russell 2000 ETF", "ARCX", 230.0, 30e6, 68e9, None, 1.0, 1.0),
    NamedEtf("XLK", "Technology Select Sector SPDR Fund", "ARCX", 240.0, 7e6, 72e9, _T, 1.0, 0.7),
    NamedEtf("XLV", "Health Care Select Sector SPDR Fund", "ARCX", 140.0, 8e6, 38e9, _H, 0.7, 0.6),
    NamedEtf("XLE", "Energy Select Sector SPDR Fund", "ARCX", 90.0, 15e6, 27e9, _E, 0.9, 0.9),
    NamedEtf("XLF", "Financial Select Sector SPDR Fund", "ARCX", 50.0, 40e6, 50e9, _F, 1.0, 0.8),
    NamedEtf("XLY", "Consumer Discretionary Select Sector SPDR Fund", "ARCX", 210.0, 4e6, 22e9, _C, 1.0, 0.7),
    NamedEtf("XLI", "Industrial Select Sector SPDR Fund", "ARCX", 140.0, 9e6, 21e9, _I, 0.9, 0.7),
    NamedEtf("XLB", "Materials Select Sector SPDR Fund", "ARCX", 90.0, 5e6, 5.5e9, _M, 0.9, 0.8),
    NamedEtf("XLU", "Utilities Select Sector SPDR Fund", "ARCX", 80.0, 11e6, 18e9, _U, 0.5, 0.8),
    NamedEtf(
        "PSCT", "Invesco S&P SmallCap Information Technology ETF", "XNAS", 45.0, 40e3, 290e6, _T, 1.0, 1.0
    ),
    NamedEtf("PSCH", "Invesco S&P SmallCap Health Care ETF", "XNAS", 40.0, 20e3, 150e6, _H, 1.0, 1.0),
    NamedEtf("PSCE", "Invesco S&P SmallCap Energy ETF", "XNAS", 40.0, 30e3, 70e6, _E, 1.0, 1.0),
    NamedEtf("PSCF", "Invesco S&P SmallCap Financials ETF", "XNAS", 55.0, 4e3, 20e6, _F, 1.0, 1.0),
    NamedEtf(
        "PSCD", "Invesco S&P SmallCap Consumer Discretionary ETF", "XNAS", 100.0, 3e3, 25e6, _C, 1.0, 1.0
    ),
    NamedEtf("PSCI", "Invesco S&P SmallCap Industrials ETF", "XNAS", 120.0, 6e3, 130e6, _I, 1.0, 1.0),
    NamedEtf("PSCM", "Invesco S&P SmallCap Materials ETF", "XNAS", 75.0, 2e3, 12e6, _M, 1.0, 1.0),
    NamedEtf("PSCU", "Invesco S&P SmallCap Utilities ETF", "XNAS", 60.0, 3e3, 15e6, _U, 1.0, 1.0),
)

ETF_ISSUERS: tuple[str, ...] = (
    "iShares",
    "Vanguard",
    "SPDR",
    "Invesco",
    "Global X",
    "ProShares",
    "Direxion Daily",
    "First Trust",
    "WisdomTree",
    "VanEck",
    "Schwab",
    "Roundhill",
    "Amplify",
    "Franklin",
    "JPMorgan",
    "Pacer",
    "Defiance",
    "Xtrackers",
)
ETF_THEMES: tuple[str, ...] = (
    "Core",
    "Dividend",
    "Growth",
    "Value",
    "Momentum",
    "Quality",
    "Small-Cap",
    "Mid-Cap",
    "Emerging Markets",
    "Short-Term Treasury",
    "Corporate Bond",
    "Clean Energy",
    "Semiconductor",
    "Biotech",
    "Cybersecurity",
    "Regional Banks",
    "Gold Miners",
    "Equal Weight",
    "Low Volatility",
    "International",
    "High Yield",
    "Covered Call",
    "Bitcoin Strategy",
    "Infrastructure",
)

NAME_ONSETS: tuple[str, ...] = (
    "B", "C", "D", "F", "G", "H", "K", "L", "M", "N", "P", "R", "S", "T", "V", "Z",
    "Br", "Cr", "Dr", "Gr", "Pr", "Tr", "St", "Ch", "Ph", "Qu", "Cl", "Fl", "Gl", "Pl",
    "Ax", "Ev", "Om", "Al",
)  # fmt: skip
NAME_VOWELS: tuple[str, ...] = ("a", "e", "i", "o", "u", "y", "ae", "io", "ea", "ou", "ia")
NAME_CODAS: tuple[str, ...] = (
    "n", "r", "x", "l", "s", "m", "t", "nd", "rt", "v", "c", "ra", "na", "ta", "on", "ex", "ix", "ys",
    "vant", "gen", "tek", "lis", "dia", "cor", "mark", "field", "stone", "point",
)  # fmt: skip
CORPORATE_SUFFIXES: tuple[str, ...] = ("Inc.", "Corp.", "Holdings, Inc.", "Ltd.", "Co.", "Group, Inc.", "plc")
