"""The MCP text contract round trip: a REST payload flattened to CSV the way Polygon's MCP server
does it (`simvendor/mcp_format.py`), read back by the client (`mcp_transform.py`), gives the very
records and rejections the REST transforms give for the payload itself."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import math
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sectorlights.providers.base import Extracted, RejectedRow
from sectorlights.providers.polygon import mcp_transform, transform
from sectorlights.providers.polygon.mcp_transform import McpCallError, NextPage
from sectorlights.simvendor.mcp_format import (
    EMPTY_WARNING,
    extract_records,
    flatten_record,
    format_response,
    json_to_csv,
    pagination_hint,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "polygon"
MOCKS = FIXTURES / "client-python" / "test_rest" / "mocks"
DOCS = FIXTURES / "docs-samples" / "stocks"
SESSION = date(2005, 4, 4)
FETCHED = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def load(path: Path) -> Any:
    return json.loads(path.read_text())


def table_of(payload: Any, endpoint: str = "test") -> mcp_transform.CsvTable:
    """`payload` through the stand-in server's formatting and the client's parsing."""
    return mcp_transform.parse_call_api(format_response(json.dumps(payload)), endpoint).table


def assert_same(mcp: Extracted[Any], rest: Extracted[Any]) -> None:
    assert mcp.rejected == rest.rejected
    assert _plain(mcp.value) == _plain(rest.value)


def _plain(value: Any) -> Any:
    """Records as comparable plain data (arrays as lists with NaN made comparable)."""
    if isinstance(value, np.ndarray):
        return [("nan" if isinstance(x, float) and math.isnan(x) else x) for x in value.tolist()] + [
            str(value.dtype)
        ]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: _plain(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


# --- the recorded payloads ------------------------------------------------------------------------

Case = tuple[str, Path, Callable[[Any], Extracted[Any]], Callable[[mcp_transform.CsvTable], Extracted[Any]]]

RECORDED: list[Case] = [
    (
        "market status (client mock)",
        MOCKS / "v1/marketstatus/now.json",
        transform.market_status,
        mcp_transform.market_status,
    ),
    (
        "market status (docs)",
        DOCS / "market-status.json",
        transform.market_status,
        mcp_transform.market_status,
    ),
    (
        "full-market snapshot (client mock)",
        MOCKS / "v2/snapshot/locale/us/markets/stocks/tickers/index.json",
        transform.snapshot_rows,
        mcp_transform.snapshot_rows,
    ),
    (
        "full-market snapshot (docs)",
        DOCS / "full-market-snapshot.json",
        transform.snapshot_rows,
        mcp_transform.snapshot_rows,
    ),
    (
        "grouped daily (client mock)",
        MOCKS / "v2/aggs/grouped/locale/us/market/stocks/2005-04-04&adjusted=true.json",
        lambda payload: transform.grouped_daily_bars(SESSION, payload),
        lambda table: mcp_transform.grouped_daily_bars(SESSION, table),
    ),
    (
        "grouped daily (docs, fractional volume, request_id object)",
        DOCS / "grouped-daily.json",
        lambda payload: transform.grouped_daily_bars(SESSION, payload),
        lambda table: mcp_transform.grouped_daily_bars(SESSION, table),
    ),
    (
        "tickers page 1",
        MOCKS / "v3/reference/tickers.json",
        lambda payload: transform.ticker_rows(payload["results"]),
        mcp_transform.ticker_rows,
    ),
    (
        "ticker details (client mock)",
        MOCKS / "v3/reference/tickers/AAPL.json",
        lambda payload: transform.ticker_reference("AAPL", payload, FETCHED),
        lambda table: mcp_transform.ticker_reference("AAPL", table, FETCHED),
    ),
    (
        "ticker overview (docs)",
        DOCS / "ticker-overview.json",
        lambda payload: transform.ticker_reference("AAPL", payload, FETCHED),
        lambda table: mcp_transform.ticker_reference("AAPL", table, FETCHED),
    ),
    (
        "float (docs)",
        DOCS / "float.json",
        lambda payload: transform.float_shares(payload["results"]),
        mcp_transform.float_shares,
    ),
    (
        "news with insights (docs)",
        DOCS / "news.json",
        lambda payload: transform.news_items(payload["results"]),
        mcp_transform.news_items,
    ),
    (
        "news without insights (client mock)",
        MOCKS / "v2/reference/news&ticker=NFLX.json",
        lambda payload: transform.news_items(payload["results"]),
        mcp_transform.news_items,
    ),
    (
        "day bars as minute bars",
        MOCKS / "v2/aggs/ticker/AAPL/range/1/day/2005-04-01/2005-04-04.json",
        lambda payload: transform.minute_bars("AAPL", SESSION, payload["results"]),
        lambda table: mcp_transform.minute_bars("AAPL", SESSION, table),
    ),
]


@pytest.mark.parametrize(("name", "path", "rest", "mcp"), RECORDED, ids=[case[0] for case in RECORDED])
def test_recorded_payloads_give_the_rest_records(
    name: str,
    path: Path,
    rest: Callable[[Any], Extracted[Any]],
    mcp: Callable[[mcp_transform.CsvTable], Extracted[Any]],
) -> None:
    payload = load(path)
    expected = rest(payload)
    assert_same(mcp(table_of(payload)), expected)


def test_recorded_values_survive_the_trip() -> None:
    snapshot = mcp_transform.snapshot_rows(
        table_of(load(MOCKS / "v2/snapshot/locale/us/markets/stocks/tickers/index.json"))
    )
    assert snapshot.value.symbols.tolist() == ["BCAT"]
    assert snapshot.value.last_price.tolist() == [20.506]
    assert snapshot.value.session_volume.tolist() == [37216.0]
    assert snapshot.value.previous_close.tolist() == [20.63]
    assert snapshot.value.updated_ns.tolist() == [1605192894630916600]  # exact: 19 digits, beyond a float

    details = mcp_transform.ticker_reference(
        "AAPL", table_of(load(DOCS / "ticker-overview.json")), FETCHED
    ).value
    assert details is not None
    assert (details.market_cap, details.shares_outstanding) == (2771126040150.0, 16334371000.0)
    assert (details.sic_code, details.sic_description) == ("3571", "ELECTRONIC COMPUTERS")

    news = mcp_transform.news_items(table_of(load(DOCS / "news.json"))).value
    assert [(i.ticker, i.sentiment.value) for i in news[0].insights] == [("UBS", "positive")]
    assert news[0].insights[0].reasoning.startswith("UBS analysts are providing a bullish outlook")
    assert news[0].publisher == "Investing.com"


def one_tickers_cell(payload: Any) -> mcp_transform.CsvTable:
    """The snapshot as servers before mcp_massive 0.9 sent it: ONE row whose `tickers` cell holds the
    whole list as Python's `str(list)`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows([["tickers"], [str(payload["tickers"])]])
    return mcp_transform.parse_call_api(out.getvalue(), "snapshot").table


def test_the_snapshot_comes_back_one_row_per_ticker_like_mcp_massive_sends_it() -> None:
    payload = load(DOCS / "full-market-snapshot.json")
    text = format_response(json.dumps(payload))
    table = mcp_transform.parse_call_api(text, "snapshot").table
    assert table.size == len(payload["tickers"]) == 1  # `tickers` is the row list, not one cell
    assert {"ticker", "day_c", "lastTrade_p", "lastTrade_c", "min_c", "prevDay_c", "updated"} <= set(
        table.columns
    )
    assert "tickers" not in table.columns
    assert table.text("lastTrade_c")[0] == str(
        payload["tickers"][0]["lastTrade"]["c"]
    )  # inner lists stay cells
    assert_same(mcp_transform.snapshot_rows(table), transform.snapshot_rows(payload))
    assert_same(mcp_transform.snapshot_rows(one_tickers_cell(payload)), transform.snapshot_rows(payload))


def test_the_snapshot_as_flattened_rows_gives_the_same_records() -> None:
    """A server that expands `tickers` into rows (`ticker`, `day_c`, `lastTrade_p`, ...) is read too."""
    payload = load(MOCKS / "v2/snapshot/locale/us/markets/stocks/tickers/index.json")
    table = mcp_transform.parse_call_api(json_to_csv(payload["tickers"]), "snapshot").table
    assert {"ticker", "day_c", "day_v", "lastTrade_p", "min_c", "prevDay_c", "updated"} <= set(table.columns)
    assert_same(mcp_transform.snapshot_rows(table), transform.snapshot_rows(payload))


# --- synthetic nested payloads with bad rows ------------------------------------------------------


def snap(
    ticker: Any = "GOOD", *, p: Any = 10.0, mc: Any = 9.9, dc: Any = 9.8, v: Any = 1000, prev: Any = 9.5
) -> Any:
    row: dict[str, Any] = {"updated": 1_764_000_000_000_000_123}
    if ticker is not ...:
        row["ticker"] = ticker
    for name, key, value in (("lastTrade", "p", p), ("min", "c", mc), ("prevDay", "c", prev)):
        if value is not ...:
            row[name] = {key: value, "x": 4}
    row["day"] = {key: value for key, value in (("c", dc), ("v", v)) if value is not ...}
    row["lastTrade"] = {**row.get("lastTrade", {}), "c": [14, 41]}  # a list inside a nested object
    return row


SNAPSHOT_ROWS = [
    snap("AAA"),
    snap(...),
    snap(""),
    snap("NOPX", p=..., mc=..., dc=...),
    snap("ZERO", p=0, mc=0, dc=0),
    snap("NULL", p=None, mc=None, dc=None),
    snap("MIN", p=..., mc=9.0),
    snap("DAY", p=0, mc=0, dc=8.0),
    snap("NEG", p=-1.0),
    snap("NAN", p=float("nan")),
    snap("INF", p=float("inf")),
    snap("NOVOL", v=...),
    snap("NEGVOL", v=-5),
    snap("ZEROVOL", v=0, prev=-1),
    snap("FRACVOL", v=1234.5, prev=...),
    snap("AAA", p=12.0),
    snap("It's", p=3.5),
    snap("ZZZ"),
]


def test_snapshot_rows_with_faults_match_the_rest_path() -> None:
    payload = {"status": "OK", "count": len(SNAPSHOT_ROWS), "tickers": SNAPSHOT_ROWS}
    expected = transform.snapshot_rows(payload)
    assert_same(mcp_transform.snapshot_rows(table_of(payload)), expected)
    rows = mcp_transform.parse_call_api(json_to_csv(SNAPSHOT_ROWS), "snapshot").table
    assert_same(mcp_transform.snapshot_rows(rows), expected)
    assert expected.value.symbols.tolist() == ["AAA", "MIN", "DAY", "ZEROVOL", "FRACVOL", "It's", "ZZZ"]
    assert len(expected.rejected) == 11


def bar(ticker: Any = "GOOD", **overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {"T": ticker, "o": 10.0, "h": 11.0, "l": 9.0, "c": 10.5, "v": 5000, "t": 1, "n": 3}
    for key, value in {"T": ticker, **overrides}.items():
        if value is ...:
            row.pop(key)
        else:
            row[key] = value
    return row


BARS = [
    bar("AAA"),
    bar(...),
    bar(None),
    bar("NOC", c=...),
    bar("NULLC", c=None),
    bar("ZEROO", o=0),
    bar("NEGL", l=-1.0),
    bar("NANH", h=float("nan")),
    bar("NOV", v=...),
    bar("NEGV", v=-1),
    bar("INFV", v=float("inf")),
    bar("HL", h=8.0),
    bar("AAA"),
    bar("Z,Q", v=1.5),
]


def test_grouped_daily_with_faults_matches_the_rest_path() -> None:
    payload = {"adjusted": True, "results": BARS, "status": "OK"}
    expected = transform.grouped_daily_bars(SESSION, payload)
    assert_same(mcp_transform.grouped_daily_bars(SESSION, table_of(payload)), expected)
    assert expected.value.symbols.tolist() == ["AAA", "Z,Q"]


def test_minute_bars_with_faults_match_the_rest_path() -> None:
    start = 1_112_594_400_000  # 2005-04-04 06:00 UTC, in milliseconds
    rows = [
        bar("x", t=start + 120_000),
        bar("x", t=start),
        bar("x", t=start),  # a repeated minute
        bar("x", t=...),
        bar("x", t=start + 60_000, c=-1),
        bar("x", t=start + 10 * 86_400_000),  # outside the window
    ]
    window = (start * 1_000_000, (start + 86_400_000) * 1_000_000)
    expected = transform.minute_bars("X", SESSION, rows, window)
    got = mcp_transform.minute_bars("X", SESSION, table_of({"results": rows}), window)
    assert_same(got, expected)
    assert got.value.window_start_ns.tolist() == [start * 1_000_000, (start + 120_000) * 1_000_000]


def test_tickers_details_and_floats_with_faults_match_the_rest_path() -> None:
    tickers: list[Any] = [
        {"ticker": "A", "name": "Agilent, Inc.", "type": "CS", "primary_exchange": "XNYS", "active": True},
        {"ticker": "NONAME", "type": "ETF", "primary_exchange": "ARCX", "active": False},
        {"name": "no ticker", "type": "CS", "primary_exchange": "XNAS"},
        {"ticker": "NOTYPE", "primary_exchange": "XNAS"},
        {"ticker": "NOEX", "type": "CS", "primary_exchange": None},
        {"ticker": "A", "name": "again", "type": "CS", "primary_exchange": "XNYS"},
        {
            "ticker": "TRUE",
            "name": 'Quote "and" comma, newline\nhere',
            "type": "CS",
            "primary_exchange": "XNAS",
        },
    ]
    assert_same(mcp_transform.ticker_rows(table_of({"results": tickers})), transform.ticker_rows(tickers))

    floats: list[Any] = [
        {"ticker": "AAPL", "free_float": 15_000_000_000, "free_float_percent": 98.5},
        {"free_float": 1},
        {"ticker": "NOF"},
        {"ticker": "NEG", "free_float": -3},
        {"ticker": "ZERO", "free_float": 0},
        {"ticker": "AAPL", "free_float": 2},
        {"ticker": "FRAC", "free_float": 1234.5},
    ]
    assert_same(mcp_transform.float_shares(table_of({"results": floats})), transform.float_shares(floats))

    details: list[Any] = [
        {"ticker": "X", "name": "X Corp", "type": "CS", "primary_exchange": "XNAS", "sic_code": "0100"},
        {"ticker": "X", "name": "X", "type": "CS", "primary_exchange": "XNAS", "market_cap": -5},
        {"ticker": "X", "name": "X", "type": "CS", "primary_exchange": "XNAS", "market_cap": 0},
        {
            "ticker": "X",
            "name": "X",
            "type": "ETF",
            "primary_exchange": "ARCX",
            "weighted_shares_outstanding": None,
        },
        {"ticker": "X", "name": "X", "market_cap": float("inf"), "address": {"city": "Nowhere"}},
        {"ticker": "X", "sic_code": "35x1", "branding": {}},
    ]
    for results in details:
        payload = {"results": results, "status": "OK"}
        got = mcp_transform.ticker_reference("X", table_of(payload), FETCHED)
        assert_same(got, transform.ticker_reference("X", payload, FETCHED))
    leading_zero = mcp_transform.ticker_reference("X", table_of({"results": details[0]}), FETCHED).value
    assert leading_zero is not None and leading_zero.sic_code == "0100"


def test_news_with_faults_matches_the_rest_path() -> None:
    def article(news_id: Any, **fields: Any) -> dict[str, Any]:
        row: dict[str, Any] = {
            "id": news_id,
            "title": f"Title {news_id}, with a comma",
            "published_utc": "2026-11-23T14:30:00Z",
            "publisher": {"name": "Wire", "homepage_url": "https://example.com/"},
            "tickers": ["SOUN", "BBAI"],
            "insights": [
                {
                    "ticker": "SOUN",
                    "sentiment": "positive",
                    "sentiment_reasoning": 'It\'s "great", they said',
                },
                {"ticker": "BBAI", "sentiment": "bearish", "sentiment_reasoning": "unknown label: skipped"},
                {"ticker": "BBAI", "sentiment": "Negative", "sentiment_reasoning": "ünïcödé ✓\n2nd line"},
            ],
            "keywords": ["ai"],
            "article_url": "https://example.com/a",
        }
        row.update(fields)
        return {key: value for key, value in row.items() if value is not ...}

    rows = [
        article("a1"),
        article(...),
        article("a2", published_utc="yesterday"),
        article("a3", title=...),
        article("a1"),
        article("a4", insights=...),
        article("a5", tickers=[], insights=[]),
        article("a6", published_utc="2026-11-20T00:00:00Z"),
    ]
    since = datetime(2026, 11, 21, tzinfo=UTC)
    expected = transform.news_items(rows, since, None)
    assert_same(mcp_transform.news_items(table_of({"results": rows}), since, None), expected)
    assert [item.news_id for item in expected.value] == ["a1", "a4", "a5"]


def test_empty_results_everywhere() -> None:
    for payload in ({"results": [], "status": "OK"}, {"status": "OK", "resultsCount": 0}):
        text = format_response(json.dumps(payload))
        assert text == EMPTY_WARNING
        table = mcp_transform.parse_call_api(text, "grouped_daily").table
        assert table.size == 0
        assert_same(
            mcp_transform.grouped_daily_bars(SESSION, table), transform.grouped_daily_bars(SESSION, {})
        )
        assert_same(mcp_transform.float_shares(table), transform.float_shares([]))
    snapshot = mcp_transform.snapshot_rows(mcp_transform.EMPTY_TABLE)
    assert snapshot.value.symbols.size == 0 and snapshot.rejected == []


# --- the server's flattening rules (as mcp_massive's formatter) -----------------------------------


def test_flatten_joins_nested_keys_and_keeps_lists_whole() -> None:
    record = {"a": 1, "day": {"c": 2.5, "deep": {"x": None}}, "empty": {}, "list": [1, "b"], "flag": True}
    assert flatten_record(record) == {
        "a": 1,
        "day_c": 2.5,
        "day_deep_x": None,
        "list": "[1, 'b']",
        "flag": True,
    }


@pytest.mark.parametrize(
    ("payload", "records"),
    [
        ({"results": [{"a": 1}, {"b": 2}]}, [{"a": 1}, {"b": 2}]),
        ({"results": {"a": {"b": 1}}, "status": "OK"}, [{"a_b": 1}]),
        ({"last": {"p": 1}, "status": "OK"}, [{"p": 1}]),
        ([{"a": 1}, 7], [{"a": 1}, {"value": "7"}]),
        ({"market": "open", "exchanges": {"nyse": "open"}}, [{"market": "open", "exchanges_nyse": "open"}]),
        # 0.9: one record's lists of objects are its rows, carrying its other fields
        ({"tickers": [{"t": "A", "day": {"c": 1}}, {"t": "B"}]}, [{"t": "A", "day_c": 1}, {"t": "B"}]),
        (
            {"results": {"under": {"v": 2}, "tags": ["x"], "values": [{"v": 1}], "n": None}},
            [{"under_v": 2, "tags": "['x']", "n": None, "v": 1}],
        ),
        (
            {"a": [{"x": 1}], "b": [{"x": 2}, 3]},
            [{"x": 1, "_source": "a"}, {"x": 2, "_source": "b"}, {"value": "3"}],
        ),
        ({"results": [{"rows": [{"x": 1}]}]}, [{"rows": "[{'x': 1}]"}]),  # a `results` list is never expanded
        ({"tickers": []}, [{"tickers": "[]"}]),
        # an aggregates response without `results`: its envelope is the one row
        ({"ticker": "ZZZZ", "adjusted": True}, [{"ticker": "ZZZZ", "adjusted": True}]),
    ],
)
def test_records_are_found_like_mcp_massive_finds_them(payload: Any, records: list[dict[str, Any]]) -> None:
    assert extract_records(payload) == records


def test_csv_columns_keep_first_seen_order_and_missing_cells_are_empty() -> None:
    text = json_to_csv({"results": [{"z": 1, "a": None}, {"a": 2, "m": False}]})
    assert text == "z,a,m\n1,,\n,2,False\n"


def test_pagination_hint_drops_the_key_and_keeps_the_cursor() -> None:
    hint = pagination_hint(
        {"next_url": "https://api.massive.com/v3/reference/tickers?cursor=abc&apiKey=SECRET"}
    )
    assert hint == (
        '\n\nNext page available. To fetch, call call_api with path="/v3/reference/tickers" '
        'and params={"cursor": "abc"}'
    )
    assert "SECRET" not in hint
    bare = pagination_hint({"next_url": "https://api.massive.com/v2/reference/news"})
    assert bare == '\n\nNext page available. To fetch, call call_api with path="/v2/reference/news"'
    assert pagination_hint({"results": []}) == ""


# --- the client's reading of the text -------------------------------------------------------------


def test_next_page_is_split_off_the_csv() -> None:
    payload = load(MOCKS / "v3/reference/tickers.json")
    reply = mcp_transform.parse_call_api(format_response(json.dumps(payload)), "tickers")
    assert reply.table.size == 2
    assert reply.next_page == NextPage(
        "/v3/reference/tickers", {"cursor": payload["next_url"].split("cursor=")[1]}
    )
    bare = mcp_transform.parse_call_api(
        "a\n1\n" + pagination_hint({"next_url": "http://x/v2/reference/news"}), "n"
    )
    assert bare.next_page == NextPage("/v2/reference/news", {})


def test_a_hint_like_text_inside_a_cell_is_data() -> None:
    text = json_to_csv(
        {"results": [{"title": 'x\n\nNext page available. To fetch, call call_api with path="/v9"'}]}
    )
    reply = mcp_transform.parse_call_api(text, "news")
    assert reply.next_page is None
    assert reply.table.text("title").tolist() == [
        'x\n\nNext page available. To fetch, call call_api with path="/v9"'
    ]


def test_malformed_rows_become_rejections() -> None:
    reply = mcp_transform.parse_call_api(
        "T,o,h,l,c,v\nAAA,1,2,1,2,3\nBAD,1,2\n,\nCCC,1,2,1,2,3\n", "grouped_daily"
    )
    assert reply.table.text("T").tolist() == ["AAA", "CCC"]
    assert reply.rejected == [
        RejectedRow("grouped_daily", "BAD", "malformed CSV row (field count differs from the header)"),
        RejectedRow("grouped_daily", "?", "malformed CSV row (field count differs from the header)"),
    ]


@pytest.mark.parametrize("text", ["a,a\n1,2\n", ",b\n1,2\n", '{"results": []}', "[1, 2]"])
def test_unusable_replies_fail(text: str) -> None:
    with pytest.raises(McpCallError) as caught:
        mcp_transform.parse_call_api(text, "x")
    assert caught.value.kind == "INVALID_RESPONSE"


def test_numbers_are_parsed_column_wise_with_the_rest_sentinels() -> None:
    cells = np.array(["1", "2.5", "", "abc", "nan", "inf", "-inf", "1e-4", "True", " 7 "], dtype=np.str_)
    values = mcp_transform.parse_numbers(cells)
    expected = [1.0, 2.5, math.nan, math.nan, math.inf, math.inf, math.inf, 1e-4, math.nan, 7.0]
    assert [("nan" if math.isnan(v) else v) for v in values.tolist()] == [
        ("nan" if math.isnan(v) else v) for v in expected
    ]
    assert mcp_transform.parse_numbers(np.array([], dtype=np.str_)).shape == (0,)


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("", []),
        ("[]", []),
        ("['UBS']", ["UBS"]),
        ('["UBS", "X"]', ["UBS", "X"]),
        (
            "[{'a': None, 'b': True, 'c': False, 'd': 1.5e-05, 'e': -3}]",
            [{"a": None, "b": True, "c": False, "d": 1.5e-05, "e": -3}],
        ),
        (
            "[\"it's\", 'say \"hi\"', 'back\\\\slash', 'tab\\there', 'caf\\xe9', 'ü✓']",
            ["it's", 'say "hi"', "back\\slash", "tab\there", "café", "ü✓"],
        ),
        ("['True', 'None', 'nan inside']", ["True", "None", "nan inside"]),
        ("not a list", None),
        ("['unterminated", None),
        ("{'a': 1}", None),
        ("__import__('os')", None),
    ],
)
def test_list_cells_read_python_repr_and_json(cell: str, value: Any) -> None:
    assert mcp_transform.list_cell(cell) == value


def test_list_cells_keep_non_finite_numbers() -> None:
    got = mcp_transform.list_cell("[nan, inf, -inf]")
    assert got is not None and math.isnan(got[0]) and got[1:] == [math.inf, -math.inf]


def test_list_cells_round_trip_what_the_server_writes() -> None:
    values: list[Any] = [
        ["a", "b'c", 'd"e', "f\\g", "h\ni", "\x00", "é", "✓", ""],
        [{"ticker": "X", "sentiment": "positive", "sentiment_reasoning": 'It\'s "fine", really'}],
        [1, 2.5, -3, True, False, None, 1e300, [1, [2]]],
    ]
    for value in values:
        assert mcp_transform.list_cell(str(value)) == value


def test_a_large_snapshot_cell_gives_the_rest_records() -> None:
    rows = [snap(f"T{i:05d}", p=1.0 + i, v=i) for i in range(5000)]
    rows[17] = snap("T00017", p=float("nan"))
    rows[4000] = snap("T00001")
    payload = {"status": "OK", "count": len(rows), "tickers": rows}
    got = mcp_transform.snapshot_rows(one_tickers_cell(payload))
    assert got.value.symbols.size == 4998
    assert_same(got, transform.snapshot_rows(payload))
