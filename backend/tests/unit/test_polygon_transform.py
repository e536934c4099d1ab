"""Polygon payload transforms: good rows become records, each bad row one RejectedRow with a reason."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import pytest

from sectorlights.domain.market import Sentiment
from sectorlights.providers.base import ProviderError, RejectedRow
from sectorlights.providers.polygon import transform

SESSION = date(2026, 11, 23)
FETCHED = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def snap(
    ticker: Any = "GOOD", *, p: Any = 10.0, mc: Any = 9.9, dc: Any = 9.8, v: Any = 1000, prev: Any = 9.5
) -> Any:
    row: dict[str, Any] = {"ticker": ticker, "updated": 1_764_000_000_000_000_000}
    if p is not ...:
        row["lastTrade"] = {"p": p}
    if mc is not ...:
        row["min"] = {"c": mc}
    row["day"] = {} if dc is ... and v is ... else {k: x for k, x in (("c", dc), ("v", v)) if x is not ...}
    if prev is not ...:
        row["prevDay"] = {"c": prev}
    return row


# --- snapshot -------------------------------------------------------------------------------------

SNAPSHOT_BAD_ROWS = [
    (snap(...), "?", "missing ticker"),
    (snap(""), "?", "missing ticker"),
    (snap(42), "?", "missing ticker"),
    (
        snap("NOPX", p=..., mc=..., dc=...),
        "NOPX",
        "missing price (lastTrade.p, min.c and day.c are absent or zero)",
    ),
    (
        snap("ZERO", p=0, mc=0, dc=0),
        "ZERO",
        "missing price (lastTrade.p, min.c and day.c are absent or zero)",
    ),
    (
        snap("NULL", p=None, mc=None, dc=None),
        "NULL",
        "missing price (lastTrade.p, min.c and day.c are absent or zero)",
    ),
    (snap("NEG", p=-1.0), "NEG", "last price is negative"),
    (snap("NAN", p=float("nan")), "NAN", "last price is not a finite number"),
    (snap("INF", p=float("inf")), "INF", "last price is not a finite number"),
    (snap("NOVOL", v=...), "NOVOL", "missing day.v"),
    (snap("NULLVOL", v=None), "NULLVOL", "missing day.v"),
    (snap("NEGVOL", v=-5), "NEGVOL", "day.v is negative"),
    (snap("NANVOL", v=float("nan")), "NANVOL", "day.v is not a finite number"),
    (
        snap("STRPX", p="10.5", mc=..., dc=...),
        "STRPX",
        "missing price (lastTrade.p, min.c and day.c are absent or zero)",
    ),
    ("not a row", "?", "missing ticker"),
    (None, "?", "missing ticker"),
]


@pytest.mark.parametrize(("row", "symbol", "reason"), SNAPSHOT_BAD_ROWS)
def test_snapshot_rejects_bad_rows_and_keeps_the_rest(row: Any, symbol: str, reason: str) -> None:
    result = transform.snapshot_rows({"status": "OK", "tickers": [snap("AAA"), row, snap("ZZZ")]})
    assert result.value.symbols.tolist() == ["AAA", "ZZZ"]
    assert result.rejected == [RejectedRow("snapshot", symbol, reason)]


def test_snapshot_price_falls_back_from_last_trade_to_minute_to_day() -> None:
    rows = [
        snap("LT", p=10.0, mc=9.0, dc=8.0),
        snap("MIN", p=..., mc=9.0, dc=8.0),
        snap("DAY", p=..., mc=..., dc=8.0),
        snap("ZEROS", p=0, mc=0, dc=8.0),  # a cleared `min` counts as absent
        snap("NULLS", p=None, mc=9.0, dc=8.0),
    ]
    result = transform.snapshot_rows({"tickers": rows})
    assert result.rejected == []
    assert result.value.symbols.tolist() == ["LT", "MIN", "DAY", "ZEROS", "NULLS"]
    assert result.value.last_price.tolist() == [10.0, 9.0, 8.0, 8.0, 9.0]
    assert result.value.session_volume.tolist() == [1000.0] * 5
    assert result.value.updated_ns.dtype == np.int64
    assert result.value.updated_ns.tolist() == [1_764_000_000_000_000_000] * 5


def test_snapshot_duplicates_keep_the_first_valid_row() -> None:
    rows = [snap("DUP", p=-1), snap("DUP", p=11.0), snap("DUP", p=12.0), snap("OK")]
    result = transform.snapshot_rows({"tickers": rows})
    assert result.value.symbols.tolist() == ["DUP", "OK"]
    assert result.value.last_price.tolist() == [11.0, 10.0]
    assert result.rejected == [
        RejectedRow("snapshot", "DUP", "last price is negative"),
        RejectedRow("snapshot", "DUP", "duplicate ticker (kept the first row)"),
    ]


def test_snapshot_zero_volume_is_fine_and_bad_previous_close_is_nan() -> None:
    result = transform.snapshot_rows({"tickers": [snap("PRE", v=0, prev=-1), snap("NOPREV", prev=...)]})
    assert result.rejected == []
    assert result.value.session_volume.tolist() == [0.0, 1000.0]
    assert np.isnan(result.value.previous_close).all()


def test_snapshot_empty_and_missing_lists() -> None:
    for payload in ({"status": "OK", "tickers": []}, {"status": "OK", "count": 0}):
        result = transform.snapshot_rows(payload)
        assert result.value.symbols.size == 0
        assert result.value.last_price.dtype == np.float64
        assert result.rejected == []


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ([], "unexpected payload"),
        ("oops", "unexpected payload"),
        ({"tickers": {"a": 1}}, "expected a list"),
        ({"status": "ERROR", "error": "Unknown API Key"}, "vendor status ERROR: Unknown API Key"),
        ({"status": "NOT_AUTHORIZED", "message": "upgrade"}, "NOT_AUTHORIZED: upgrade"),
    ],
)
def test_snapshot_payload_of_the_wrong_shape_fails_the_call(payload: Any, message: str) -> None:
    with pytest.raises(ProviderError, match=message):
        transform.snapshot_rows(payload)


def test_snapshot_of_thousands_of_rows_with_some_bad() -> None:
    rows = [snap(f"T{i:05d}", p=1.0 + i, v=i) for i in range(12_000)]
    rows[17] = snap("T00017", p=float("nan"))
    rows[4000] = snap("T00001")  # a duplicate of an earlier ticker
    result = transform.snapshot_rows({"tickers": rows})
    assert result.value.symbols.size == 11_998
    assert [r.symbol for r in result.rejected] == ["T00017", "T00001"]


# --- grouped daily --------------------------------------------------------------------------------


def bar(ticker: Any = "GOOD", **overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {"T": ticker, "o": 10.0, "h": 11.0, "l": 9.0, "c": 10.5, "v": 5000, "t": 1}
    for key, value in overrides.items():
        if value is ...:
            row.pop(key)
        else:
            row[key] = value
    return row


GROUPED_BAD_ROWS = [
    (bar(...), "?", "missing ticker (T)"),
    (bar(None), "?", "missing ticker (T)"),
    (bar("NOC", c=...), "NOC", "missing close (c)"),
    (bar("NULLC", c=None), "NULLC", "missing close (c)"),
    (bar("ZEROO", o=0), "ZEROO", "open (o) is zero"),
    (bar("NEGL", l=-1.0), "NEGL", "low (l) is negative"),
    (bar("NANH", h=float("nan")), "NANH", "high (h) is not a finite number"),
    (bar("NOV", v=...), "NOV", "missing volume (v)"),
    (bar("NEGV", v=-1), "NEGV", "volume (v) is negative"),
    (bar("INFV", v=float("inf")), "INFV", "volume (v) is not a finite number"),
    (bar("HL", h=8.0), "HL", "high (h) is below low (l)"),
    (bar("STR", o="10"), "STR", "missing open (o)"),
    (bar("AAA"), "AAA", "duplicate ticker (kept the first row)"),
]


@pytest.mark.parametrize(("row", "symbol", "reason"), GROUPED_BAD_ROWS)
def test_grouped_daily_rejects_bad_rows(row: Any, symbol: str, reason: str) -> None:
    result = transform.grouped_daily_bars(SESSION, {"results": [bar("AAA"), row, bar("ZZZ", v=1.5)]})
    bars = result.value
    assert bars.session == SESSION
    assert bars.symbols.tolist() == ["AAA", "ZZZ"]
    assert bars.volume.tolist() == [5000.0, 1.5]  # fractional volume is kept
    assert bars.close.tolist() == [10.5, 10.5]
    assert result.rejected == [RejectedRow("grouped_daily", symbol, f"{SESSION}: {reason}")]


def test_grouped_daily_holiday_has_no_results_key() -> None:
    result = transform.grouped_daily_bars(SESSION, {"queryCount": 0, "resultsCount": 0, "status": "OK"})
    assert result.value.symbols.size == 0
    assert result.value.close.shape == (0,)


# --- tickers, details, float ----------------------------------------------------------------------


def test_ticker_rows() -> None:
    rows: list[Any] = [
        {"ticker": "A", "name": "Agilent", "type": "CS", "primary_exchange": "XNYS", "active": True},
        {"ticker": "NONAME", "type": "ETF", "primary_exchange": "ARCX"},
        {"name": "no ticker", "type": "CS", "primary_exchange": "XNAS"},
        {"ticker": "NOTYPE", "primary_exchange": "XNAS"},
        {"ticker": "NOEX", "type": "CS", "primary_exchange": None},
        {"ticker": "A", "name": "again", "type": "CS", "primary_exchange": "XNYS"},
        None,
    ]
    result = transform.ticker_rows(rows)
    assert [(r.symbol, r.name, r.security_type, r.primary_exchange, r.active) for r in result.value] == [
        ("A", "Agilent", "CS", "XNYS", True),
        ("NONAME", "", "ETF", "ARCX", True),
    ]
    assert result.rejected == [
        RejectedRow("tickers", "?", "missing ticker"),
        RejectedRow("tickers", "NOTYPE", "missing type"),
        RejectedRow("tickers", "NOEX", "missing primary_exchange"),
        RejectedRow("tickers", "A", "duplicate ticker (kept the first row)"),
        RejectedRow("tickers", "?", "missing ticker"),
    ]


def details(**results: Any) -> dict[str, Any]:
    base = {
        "ticker": "SOUN",
        "name": "SoundHound AI",
        "type": "CS",
        "primary_exchange": "XNAS",
        "market_cap": 1_500_000_000,
        "weighted_shares_outstanding": 300_000_000,
        "sic_code": "7372",
        "sic_description": "PREPACKAGED SOFTWARE",
    }
    base.update(results)
    return {"status": "OK", "results": base}


def test_ticker_reference_keeps_sic_code_as_string() -> None:
    result = transform.ticker_reference("SOUN", details(), FETCHED)
    reference = result.value
    assert reference is not None
    assert reference.sic_code == "7372"
    assert reference.market_cap == 1.5e9
    assert reference.shares_outstanding == 3e8
    assert reference.fetched_at == FETCHED
    assert transform.ticker_reference("X", details(sic_code="0100"), FETCHED).value.sic_code == "0100"  # type: ignore[union-attr]
    assert transform.ticker_reference("X", details(sic_code=3571), FETCHED).value.sic_code == "3571"  # type: ignore[union-attr]
    assert transform.ticker_reference("X", details(sic_code="n/a"), FETCHED).value.sic_code is None  # type: ignore[union-attr]


def test_ticker_reference_optional_numbers() -> None:
    etf = transform.ticker_reference(
        "IWM", details(market_cap=None, weighted_shares_outstanding=None), FETCHED
    )
    assert etf.value is not None and etf.value.market_cap is None and etf.value.shares_outstanding is None
    missing = {"status": "OK", "results": {"ticker": "NEW", "name": "New Co", "type": "CS"}}
    new = transform.ticker_reference("NEW", missing, FETCHED).value
    assert new is not None and new.market_cap is None and new.sic_code is None and new.primary_exchange == ""


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (details(market_cap=-5), "market_cap is negative"),
        (details(market_cap=0), "market_cap is zero"),
        (
            details(weighted_shares_outstanding=float("nan")),
            "weighted_shares_outstanding is not a finite number",
        ),
        (details(market_cap="big"), "market_cap is not a number"),
        ({"status": "OK", "results": {}}, "missing results"),
        ({"status": "OK"}, "missing results"),
    ],
)
def test_ticker_reference_rejections(payload: Any, reason: str) -> None:
    result = transform.ticker_reference("SOUN", payload, FETCHED)
    assert result.value is None
    assert result.rejected == [RejectedRow("ticker_details", "SOUN", reason)]


def test_float_shares() -> None:
    rows: list[Any] = [
        {"ticker": "AAPL", "free_float": 15_000_000_000, "free_float_percent": 98.5},
        {"ticker": "AAPL", "free_float": 1},
        {"ticker": "NEG", "free_float": -1},
        {"ticker": "ZERO", "free_float": 0},
        {"ticker": "NONE", "free_float": None},
        {"free_float": 5},
        {"ticker": "NAN", "free_float": float("nan")},
    ]
    result = transform.float_shares(rows)
    assert result.value == {"AAPL": 15e9}
    assert [(r.symbol, r.reason) for r in result.rejected] == [
        ("AAPL", "duplicate ticker (kept the first row)"),
        ("NEG", "free_float is negative"),
        ("ZERO", "free_float is zero"),
        ("NONE", "missing free_float"),
        ("?", "missing ticker"),
        ("NAN", "free_float is not a finite number"),
    ]


# --- minute bars, news, market status -------------------------------------------------------------


def test_minute_bars_sorted_deduplicated_windowed() -> None:
    start, end = transform.day_window_ns(SESSION)
    t0 = start // 1_000_000 + 4 * 3600 * 1000  # 04:00 ET in ms
    rows: list[Any] = [
        {"o": 2, "h": 2, "l": 2, "c": 2, "v": 20, "t": t0 + 60_000},
        {"o": 1, "h": 1, "l": 1, "c": 1, "v": 10, "t": t0},
        {"o": 9, "h": 9, "l": 9, "c": 9, "v": 90, "t": t0},  # the same minute again
        {"o": 3, "h": 3, "l": 3, "c": None, "v": 30, "t": t0 + 120_000},
        {"o": 4, "h": 4, "l": 4, "c": 4, "v": -1, "t": t0 + 180_000},
        {"o": 5, "h": 5, "l": 5, "c": 5, "v": 50},
        {"o": 6, "h": 6, "l": 6, "c": 6, "v": 60, "t": end // 1_000_000},  # the next day
    ]
    result = transform.minute_bars("IWM", SESSION, rows, (start, end))
    bars = result.value
    assert bars.window_start_ns.tolist() == [t0 * 1_000_000, (t0 + 60_000) * 1_000_000]
    assert bars.close.tolist() == [1.0, 2.0]
    assert bars.volume.tolist() == [10.0, 20.0]
    assert [r.reason for r in result.rejected] == [
        f"bar t={t0} ms: duplicate minute (kept the first bar)",
        f"bar t={t0 + 120_000} ms: missing close (c)",
        f"bar t={t0 + 180_000} ms: volume (v) is negative",
        "bar t=? ms: missing start time (t)",
    ]
    assert datetime.fromtimestamp(start / 1e9, UTC).hour in (4, 5)  # midnight in New York


def test_news_items() -> None:
    since = datetime(2024, 6, 1, tzinfo=UTC)
    until = datetime(2024, 7, 1, tzinfo=UTC)
    good = {
        "id": "n1",
        "title": "Markets",
        "published_utc": "2024-06-24T18:33:53Z",
        "publisher": {"name": "Investing.com"},
        "article_url": "https://example.com/a",
        "tickers": ["UBS", 7, "CS"],
        "insights": [
            {"ticker": "UBS", "sentiment": "positive", "sentiment_reasoning": "bullish"},
            {"ticker": "CS", "sentiment": "mixed"},
            {"sentiment": "negative"},
            "junk",
        ],
    }
    rows: list[Any] = [
        good,
        {**good},  # duplicate id
        {**good, "id": "old", "published_utc": "2024-05-01T00:00:00Z"},
        {**good, "id": "n2", "published_utc": "yesterday"},
        {**good, "id": None},
        {**good, "id": "n3", "title": ""},
        {"id": "n4", "title": "Bare", "published_utc": "2024-06-02T00:00:00+00:00"},
    ]
    result = transform.news_items(rows, since, until)
    assert [item.news_id for item in result.value] == ["n1", "n4"]
    first = result.value[0]
    assert first.published_at == datetime(2024, 6, 24, 18, 33, 53, tzinfo=UTC)
    assert first.tickers == ("UBS", "CS")
    assert [(i.ticker, i.sentiment, i.reasoning) for i in first.insights] == [
        ("UBS", Sentiment.POSITIVE, "bullish")
    ]
    assert first.publisher == "Investing.com" and first.url == "https://example.com/a"
    bare = result.value[1]
    assert bare.tickers == () and bare.insights == () and bare.publisher == "" and bare.url is None
    assert [r.reason for r in result.rejected] == [
        "article n1: duplicate article id (kept the first row)",
        "article n2: missing or unreadable published_utc",
        "article ?: missing id",
        "article n3: missing title",
    ]


def test_market_status() -> None:
    assert transform.market_status({"market": "extended-hours"}).value == "extended-hours"
    with pytest.raises(ProviderError, match="missing `market`"):
        transform.market_status({"serverTime": "x"})


def test_number_sentinels() -> None:
    assert transform.number(3) == 3.0
    assert math.isnan(transform.number(None))
    assert math.isnan(transform.number(True))
    assert math.isnan(transform.number("3"))
    assert transform.number(float("nan")) == math.inf
    assert transform.number(-math.inf) == math.inf
