"""FMP stable-API rows to records: the sector map, and bad rows left out with a reason."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from sectorlights.domain.vocabulary import SECTORS, Sector
from sectorlights.providers.base import RejectedRow
from sectorlights.providers.fmp import transform
from sectorlights.providers.fmp.records import FMP_SECTOR_MAP, EtfHolding, FmpFloat, map_fmp_sector


def test_the_eleven_fmp_sectors_fold_into_our_eight() -> None:
    assert len(FMP_SECTOR_MAP) == 11
    assert set(FMP_SECTOR_MAP.values()) == set(SECTORS)
    assert FMP_SECTOR_MAP == {
        "Technology": Sector.TECHNOLOGY,
        "Communication Services": Sector.TECHNOLOGY,
        "Healthcare": Sector.HEALTHCARE,
        "Energy": Sector.ENERGY,
        "Financial Services": Sector.FINANCIAL,
        "Real Estate": Sector.FINANCIAL,
        "Consumer Cyclical": Sector.CONSUMER_DISCRETIONARY,
        "Consumer Defensive": Sector.CONSUMER_DISCRETIONARY,
        "Industrials": Sector.INDUSTRIALS,
        "Basic Materials": Sector.MATERIALS,
        "Utilities": Sector.UTILITIES,
    }


@pytest.mark.parametrize(
    ("name", "sector"),
    [
        ("Technology", Sector.TECHNOLOGY),
        ("  consumer cyclical ", Sector.CONSUMER_DISCRETIONARY),
        ("REAL ESTATE", Sector.FINANCIAL),
        ("", None),
        (None, None),
        ("Conglomerates", None),
        ("Financial", None),
    ],
)
def test_map_fmp_sector(name: str | None, sector: Sector | None) -> None:
    assert map_fmp_sector(name) == sector


def profile(**fields: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "symbol": "SOUN",
        "companyName": "SoundHound AI, Inc.",
        "sector": "Technology",
        "industry": "Software - Application",
        "marketCap": 1_900_000_000,
        "averageVolume": 45_000_000,
        "price": 5.1,
        "exchange": "NASDAQ",
        "isEtf": False,
        "isActivelyTrading": True,
    }
    row.update(fields)
    return {key: value for key, value in row.items() if value is not ...}


def test_profile_rows() -> None:
    rows: list[Any] = [
        profile(),
        profile(symbol="etf", sector="", industry="", isEtf=True, averageVolume=..., marketCap=None),
        profile(symbol=...),
        profile(symbol="  "),
        profile(symbol="NEGCAP", marketCap=-1),
        profile(symbol="STRCAP", marketCap="12.5"),
        profile(symbol="BADCAP", marketCap="lots"),
        profile(symbol="BIGCAP", marketCap=1e20),
        profile(symbol="NANPX", price=float("nan")),
        profile(symbol="BOOLVOL", averageVolume=True),
        profile(symbol="FLAG", isEtf="yes"),
        profile(symbol="LIST", sector=["Technology"]),
        "not an object",
    ]
    result = transform.profiles(rows)
    assert [(p.symbol, p.sector, p.market_cap, p.average_volume, p.is_etf) for p in result.value] == [
        ("SOUN", "Technology", 1.9e9, 4.5e7, False),
        ("ETF", None, None, None, True),
        ("STRCAP", "Technology", 12.5, 4.5e7, False),
    ]
    assert result.value[0].our_sector is Sector.TECHNOLOGY
    assert [(r.symbol, r.reason) for r in result.rejected] == [
        ("", "missing symbol"),
        ("  ", "missing symbol"),
        ("NEGCAP", "marketCap is below 0 (-1)"),
        ("BADCAP", "marketCap is not a number ('lots')"),
        ("BIGCAP", "marketCap is absurd (1e+20)"),
        ("NANPX", "price is not finite (nan)"),
        ("BOOLVOL", "averageVolume is not a number (True)"),
        ("FLAG", "isEtf is not true/false ('yes')"),
        ("LIST", "sector is not text (list)"),
        ("", "row is not an object (str)"),
    ]
    assert {r.endpoint for r in result.rejected} == {"/profile"}


@pytest.mark.parametrize("payload", [{"Error Message": "Invalid API KEY."}, "oops", 3])
def test_a_payload_that_is_not_a_list_is_one_rejection(payload: Any) -> None:
    result = transform.profiles(payload)
    assert result.value == []
    assert len(result.rejected) == 1 and result.rejected[0].reason.startswith("expected a list of rows")
    assert transform.profiles({}).rejected == []


def test_float_rows() -> None:
    rows: list[Any] = [
        {
            "symbol": "AAPL",
            "date": "2025-09-21 22:26:51",
            "freeFloat": 99.8,
            "floatShares": 14.8e9,
            "outstandingShares": 14.84e9,
        },
        {"symbol": "NODATE", "floatShares": 5e6},
        {"symbol": "NOFLOAT", "freeFloat": 50},
        {"symbol": "NEG", "floatShares": -1},
        {"symbol": "PCT", "floatShares": 5e6, "freeFloat": 120},
        {"symbol": "MORE", "floatShares": 2e9, "outstandingShares": 1e9},
        {"symbol": "BADDATE", "floatShares": 5e6, "date": "sometime"},
    ]
    result = transform.floats(rows, "/shares-float-all")
    assert result.value == [
        FmpFloat("AAPL", 14.8e9, 99.8, 14.84e9, date(2025, 9, 21)),
        FmpFloat("NODATE", 5e6, None, None, None),
    ]
    assert result.rejected == [
        RejectedRow("/shares-float-all", "NOFLOAT", "missing floatShares"),
        RejectedRow("/shares-float-all", "NEG", "floatShares is below 0 (-1)"),
        RejectedRow("/shares-float-all", "PCT", "freeFloat is absurd (120)"),
        RejectedRow("/shares-float-all", "MORE", "floatShares 2e+09 exceeds outstandingShares 1e+09"),
        RejectedRow("/shares-float-all", "BADDATE", "date is not a date ('sometime')"),
    ]


def test_etf_holding_rows() -> None:
    rows: list[Any] = [
        {"symbol": "IWM", "asset": "soun", "weightPercentage": 0.21, "sharesNumber": 1_234_567},
        {"symbol": "IWM", "asset": "CASH", "weightPercentage": -0.5},
        {"symbol": "IWM", "asset": "", "weightPercentage": 0.1},
        {"symbol": "IWM", "asset": "NOW"},
        {"symbol": "IWM", "asset": "HUGE", "weightPercentage": 250},
    ]
    result = transform.etf_holdings(rows, "iwm")
    assert result.value == [
        EtfHolding("IWM", "SOUN", 0.21, 1_234_567.0),
        EtfHolding("IWM", "CASH", -0.5, None),
    ]
    assert result.rejected == [
        RejectedRow("/etf/holdings", "", "missing asset"),
        RejectedRow("/etf/holdings", "NOW", "missing weightPercentage"),
        RejectedRow("/etf/holdings", "HUGE", "weightPercentage is absurd (250)"),
    ]
