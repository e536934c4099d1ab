"""`call_api` text from a Polygon MCP server (`mcp_massive` or our stand-in) to records: pure, no I/O.

The text contract (`simvendor/mcp_format.py` documents the server side):

* `Error [KIND]: message` is a failure (`McpCallError`); `Warning [EMPTY]: ...` is an empty table;
* otherwise a CSV table whose nested JSON fields are flattened with `_` (`day_c`, `publisher_name`)
  and whose list cells hold Python's `str(list)`, optionally followed by
  `\\n\\nNext page available. To fetch, call call_api with path="..." and params={...}`.

The CSV is read column by column into numpy arrays; the needed columns are then put back into the
shape of the REST payload and handed to `transform.py`, so both transports apply the very same
validation and produce the same records and rejections. The full-market snapshot is accepted in both
shapes a server can produce: one flattened row per ticker (`ticker`, `day_c`, `lastTrade_p`, ...,
what `mcp_massive` 0.9 sends), or one row whose `tickers` cell holds the whole list (what earlier
versions sent). An aggregates response without `results` (a holiday, a session in progress, an
unknown ticker) arrives as its envelope alone, one row such as `ticker,adjusted`: that is an empty
answer, as the REST client reads it, not a malformed one.
"""

from __future__ import annotations

import ast
import csv
import io
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np

from sectorlights.domain.market import DailyBars, MinuteBars, NewsItem, TickerReference
from sectorlights.providers.base import Extracted, RejectedRow
from sectorlights.providers.polygon import transform
from sectorlights.providers.polygon.source import FloatArray, SnapshotRows, StrArray, TickerRow

_ERROR = re.compile(r"^\s*Error(?:\s*\[(?P<kind>[A-Z_]+)\])?\s*:\s*(?P<message>.*)$", re.DOTALL)
_WARNING = re.compile(r"^\s*Warning\s*\[(?P<kind>[A-Z_]+)\]\s*:", re.DOTALL)
_HINT_MARK = "\n\nNext page available."
_HINT = re.compile(
    r'^\n\nNext page available\. To fetch, call call_api with path="(?P<path>[^"]+)"'
    r"(?: and params=(?P<params>\{.*\}))?\s*$",
    re.DOTALL,
)
_HTTP_STATUS = re.compile(r"^HTTP (?P<status>\d{3})\b")
_PATH_REFUSED = re.compile(r"^\s*Error \[NOT_FOUND\]: Path not in allowlist\b")
# What is left of a Polygon response without `results` once the server has stripped the metadata
# (`status`, `request_id`, counts): the aggregates endpoints' envelope, never a data column.
ENVELOPE_COLUMNS = frozenset(
    {"ticker", "adjusted", "queryCount", "resultsCount", "count", "status", "request_id"}
)
_PY_TOKEN = re.compile(
    r"""'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|\b(?:True|False|None|nan|inf)\b""",
    re.DOTALL,
)
_PY_WORD = re.compile(r"\b(?:True|False|None|nan|inf)\b")
_PY_WORDS = {"True": "true", "False": "false", "None": "null", "nan": "NaN", "inf": "Infinity"}


class McpCallError(Exception):
    """The server answered `Error [KIND]: message` (KIND is "" when the server gave none)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(f"Error [{kind}]: {message}" if kind else f"Error: {message}")
        self.kind = kind
        self.message = message

    @property
    def http_status(self) -> int | None:
        """The HTTP status the server reported (`HTTP 404 — ...`), if any."""
        found = _HTTP_STATUS.match(self.message)
        return int(found.group("status")) if found else None


@dataclass(frozen=True, slots=True)
class NextPage:
    """The follow-up `call_api` arguments of a paginated response."""

    path: str
    params: dict[str, Any]


@dataclass(frozen=True, slots=True)
class CsvTable:
    """A CSV reply as columns of cell text ("" for an empty cell)."""

    columns: tuple[str, ...]
    cells: dict[str, StrArray]
    size: int
    malformed: tuple[str, ...] = ()  # first cell of each row whose field count did not match the header

    def has(self, column: str) -> bool:
        return column in self.cells

    def text(self, column: str) -> StrArray:
        """The column's cells (all "" when the column is absent)."""
        found = self.cells.get(column)
        return found if found is not None else np.full(self.size, "", dtype=np.str_)

    def numbers(self, column: str) -> FloatArray:
        """The column as floats with the REST transforms' sentinels: NaN when the cell is empty or
        not a number, +inf when it is a number but not finite."""
        return parse_numbers(self.text(column))


@dataclass(frozen=True, slots=True)
class CallApiReply:
    table: CsvTable
    next_page: NextPage | None = None
    rejected: list[RejectedRow] = field(default_factory=list)


EMPTY_TABLE = CsvTable(columns=(), cells={}, size=0)


# --- the reply text -------------------------------------------------------------------------------


def parse_error(text: str) -> McpCallError | None:
    """The failure the text reports, or None when it is a result."""
    found = _ERROR.match(text)
    if found is None:
        return None
    return McpCallError(found.group("kind") or "", found.group("message").strip())


def refuses_path(text: str) -> bool:
    """Whether a `call_api` reply is the server refusing the path as missing from its endpoint index
    (`Error [NOT_FOUND]: Path not in allowlist: ...`), rather than an answer from the vendor."""
    return _PATH_REFUSED.match(text) is not None


def split_next_page(text: str) -> tuple[str, NextPage | None]:
    """The CSV part and the next page of a reply (the hint is the reply's last paragraph)."""
    position = text.rfind(_HINT_MARK)
    if position < 0:
        return text, None
    found = _HINT.match(text[position:])
    if found is None:
        return text, None
    params: dict[str, Any] = {}
    if found.group("params"):
        try:
            decoded = json.loads(found.group("params"))
        except json.JSONDecodeError:
            raise McpCallError("INVALID_RESPONSE", "unreadable next-page params") from None
        if not isinstance(decoded, dict):
            raise McpCallError("INVALID_RESPONSE", "next-page params are not an object")
        params = decoded
    return text[:position], NextPage(found.group("path"), params)


def parse_csv(text: str) -> CsvTable:
    """CSV text (header + rows) as columns; rows with the wrong number of fields are set aside."""
    if not text.strip():
        return EMPTY_TABLE
    if csv.field_size_limit() < len(text):
        csv.field_size_limit(len(text))  # mcp_massive puts the whole snapshot list in one cell
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
        records = list(reader)
    except csv.Error as error:
        raise McpCallError("INVALID_RESPONSE", f"unreadable CSV: {error}") from None
    if not header or any(not name for name in header) or len(set(header)) != len(header):
        raise McpCallError("INVALID_RESPONSE", f"unusable CSV header: {','.join(header)[:200]}")
    width = len(header)
    good = [record for record in records if len(record) == width]
    malformed = tuple(record[0] if record else "" for record in records if len(record) != width and record)
    # One array per column: a fixed-width string matrix would size every cell to the longest one.
    cells = {
        name: np.array([record[index] for record in good], dtype=np.str_) for index, name in enumerate(header)
    }
    return CsvTable(columns=tuple(header), cells=cells, size=len(good), malformed=malformed)


def parse_call_api(text: str, endpoint: str) -> CallApiReply:
    """One `call_api` reply: raises McpCallError for `Error [...]`; malformed rows become rejections."""
    error = parse_error(text)
    if error is not None:
        raise error
    if _WARNING.match(text):
        return CallApiReply(EMPTY_TABLE)  # Warning [EMPTY]: the endpoint has no rows
    body, next_page = split_next_page(text)
    if body.lstrip().startswith(("{", "[")):
        raise McpCallError("INVALID_RESPONSE", "the server returned JSON it could not convert to CSV")
    table = parse_csv(body)
    rejected = [
        RejectedRow(endpoint, symbol or "?", "malformed CSV row (field count differs from the header)")
        for symbol in table.malformed
    ]
    return CallApiReply(table, next_page, rejected)


# --- cell values ----------------------------------------------------------------------------------


def parse_numbers(cells: StrArray) -> FloatArray:
    """Vectorised cell text to float: "" and text that is not a number -> NaN; nan/inf -> +inf."""
    values = np.full(cells.shape, np.nan)
    present = cells != ""
    if not present.any():
        return values
    try:
        values[present] = cells[present].astype(np.float64)
    except ValueError:
        for index in np.flatnonzero(present).tolist():
            try:
                values[index] = float(cells[index])
            except ValueError:
                values[index] = np.nan
    written_nan = present & np.isin(np.char.lower(np.char.strip(cells)), ("nan", "+nan", "-nan"))
    values[np.isinf(values) | written_nan] = np.inf
    return values


def _json_number(value: float) -> float | None:
    """A parsed cell back as the JSON value the REST transform would have seen (None when absent)."""
    if math.isnan(value):
        return None
    return value


def _json_integer(cell: str) -> int | None:
    try:
        return int(cell)
    except ValueError:
        return None


def _json_bool(cell: str) -> bool | None:
    return {"True": True, "False": False, "true": True, "false": False}.get(cell)


def python_literal(text: str) -> Any:
    """A value written with Python's `str()` (how `mcp_massive` writes list cells), read safely.

    The repr is rewritten into JSON and decoded with `json` (fast: a 12,000-ticker snapshot cell
    in about a second); whatever that cannot handle falls back to `ast.literal_eval` (literals
    only, never code).
    """
    try:
        if '"' not in text and "\\" not in text:
            return json.loads(_simple_repr_to_json(text))
        return json.loads(_PY_TOKEN.sub(_token_to_json, text))
    except (ValueError, SyntaxError):
        return ast.literal_eval(text)


def _simple_repr_to_json(text: str) -> str:
    """A repr whose strings are all single-quoted without escapes: swap the quotes, then rewrite
    the bare words between the strings (joined with NUL, which such a repr cannot contain)."""
    parts = text.replace("'", '"').split('"')
    between = _PY_WORD.sub(_word_to_json, "\x00".join(parts[0::2])).split("\x00")
    parts[0::2] = between
    return '"'.join(parts)


def _word_to_json(match: re.Match[str]) -> str:
    return _PY_WORDS[match.group(0)]


def _token_to_json(match: re.Match[str]) -> str:
    token = match.group(0)
    if token in _PY_WORDS:
        return _PY_WORDS[token]
    if "\\" in token:
        return json.dumps(ast.literal_eval(token))
    if token[0] == '"':
        return token  # repr chose double quotes: no `"` and no escapes inside, valid JSON as is
    inner = token[1:-1]
    return f'"{inner}"' if '"' not in inner else json.dumps(inner)


def list_cell(cell: str) -> list[Any] | None:
    """A list cell (`["UBS"]` as Python or JSON text): the list; [] when empty; None when unreadable."""
    stripped = cell.strip()
    if not stripped:
        return []
    try:
        value = python_literal(stripped)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    return value if isinstance(value, list) else None


def _texts(table: CsvTable, column: str) -> list[str | None]:
    return [cell if cell else None for cell in table.text(column).tolist()]


def _numbers(table: CsvTable, column: str) -> list[float | None]:
    return [_json_number(value) for value in table.numbers(column).tolist()]


def _integers(table: CsvTable, column: str) -> list[int | None]:
    return [_json_integer(cell) for cell in table.text(column).tolist()]


def _first_text(table: CsvTable, column: str) -> str | None:
    if table.size == 0:
        return None
    cell = str(table.text(column)[0])
    return cell or None


# --- records (the REST transforms do the validation) ----------------------------------------------


def market_status(table: CsvTable) -> Extracted[str]:
    """`/v1/marketstatus/now`: one row with a `market` column."""
    return transform.market_status({"market": _first_text(table, "market")})


def snapshot_rows(table: CsvTable) -> Extracted[SnapshotRows]:
    """The full-market snapshot, from a `tickers` cell or from flattened per-ticker rows."""
    if table.has("tickers") and not table.has("ticker"):
        tickers: list[Any] = []
        rejected: list[RejectedRow] = []
        for cell in table.text("tickers").tolist():
            decoded = list_cell(cell)
            if decoded is None:
                rejected.append(RejectedRow(transform.SNAPSHOT, "?", "unreadable `tickers` cell"))
                continue
            tickers.extend(decoded)
        result = transform.snapshot_rows({"tickers": tickers})
        return Extracted(result.value, rejected + result.rejected)
    rows = [
        {
            "ticker": symbol,
            "lastTrade": {"p": last_trade},
            "min": {"c": minute_close},
            "day": {"c": day_close, "v": volume},
            "prevDay": {"c": previous_close},
            "updated": updated,
        }
        for symbol, last_trade, minute_close, day_close, volume, previous_close, updated in zip(
            _texts(table, "ticker"),
            _numbers(table, "lastTrade_p"),
            _numbers(table, "min_c"),
            _numbers(table, "day_c"),
            _numbers(table, "day_v"),
            _numbers(table, "prevDay_c"),
            _integers(table, "updated"),
            strict=True,
        )
    ]
    return transform.snapshot_rows({"tickers": rows})


_BAR_COLUMNS = ("o", "h", "l", "c", "v")


def _bar_rows(table: CsvTable, key_column: str, key_values: Sequence[Any]) -> list[dict[str, Any]]:
    columns = {name: _numbers(table, name) for name in _BAR_COLUMNS}
    return [
        {key_column: key, **{name: columns[name][index] for name in _BAR_COLUMNS}}
        for index, key in enumerate(key_values)
    ]


def grouped_daily_bars(session: date, table: CsvTable) -> Extracted[DailyBars]:
    """`/v2/aggs/grouped/...`: columns T, o, h, l, c, v."""
    rows = _bar_rows(table, "T", _texts(table, "T"))
    return transform.grouped_daily_bars(session, {"results": rows})


def minute_bars(
    symbol: str, session: date, table: CsvTable, window_ns: tuple[int, int] | None = None
) -> Extracted[MinuteBars]:
    """`/v2/aggs/ticker/{symbol}/range/1/minute/...`: columns t (ms), o, h, l, c, v."""
    rows = _bar_rows(table, "t", _integers(table, "t"))
    return transform.minute_bars(symbol, session, rows, window_ns)


def ticker_rows(table: CsvTable) -> Extracted[list[TickerRow]]:
    """`/v3/reference/tickers` rows: ticker, name, type, primary_exchange, active."""
    rows = [
        {
            "ticker": symbol,
            "name": name,
            "type": kind,
            "primary_exchange": exchange,
            "active": _json_bool(active),
        }
        for symbol, name, kind, exchange, active in zip(
            _texts(table, "ticker"),
            _texts(table, "name"),
            _texts(table, "type"),
            _texts(table, "primary_exchange"),
            table.text("active").tolist(),
            strict=True,
        )
    ]
    return transform.ticker_rows(rows)


def ticker_reference(symbol: str, table: CsvTable, fetched_at: datetime) -> Extracted[TickerReference | None]:
    """`/v3/reference/tickers/{symbol}`: one flattened row (`address_city` and the like are ignored)."""
    if table.size == 0:
        return transform.ticker_reference(symbol, {"results": None}, fetched_at)
    results = {
        "name": _first_text(table, "name"),
        "type": _first_text(table, "type"),
        "primary_exchange": _first_text(table, "primary_exchange"),
        "market_cap": _numbers(table, "market_cap")[0] if table.has("market_cap") else None,
        "weighted_shares_outstanding": (
            _numbers(table, "weighted_shares_outstanding")[0]
            if table.has("weighted_shares_outstanding")
            else None
        ),
        "sic_code": _first_text(table, "sic_code"),  # kept as text: "0100" must not lose its zero
        "sic_description": _first_text(table, "sic_description"),
    }
    for key in ("market_cap", "weighted_shares_outstanding"):
        cell = _first_text(table, key)
        if cell is not None and results[key] is None:
            results[key] = cell  # present but not a number: the REST check rejects it the same way
    return transform.ticker_reference(symbol, {"results": results}, fetched_at)


def float_shares(table: CsvTable) -> Extracted[dict[str, float]]:
    """`/stocks/vX/float` rows: ticker, free_float."""
    rows = [
        {"ticker": symbol, "free_float": value}
        for symbol, value in zip(_texts(table, "ticker"), _numbers(table, "free_float"), strict=True)
    ]
    return transform.float_shares(rows)


def news_items(
    table: CsvTable, since: datetime | None = None, until: datetime | None = None
) -> Extracted[list[NewsItem]]:
    """`/v2/reference/news` rows: id, title, published_utc, publisher_name, article_url and the list
    cells `tickers` and `insights`."""
    rows: list[dict[str, Any]] = []
    rejected: list[RejectedRow] = []
    for news_id, title, published, publisher, url, tickers_cell, insights_cell in zip(
        _texts(table, "id"),
        _texts(table, "title"),
        _texts(table, "published_utc"),
        _texts(table, "publisher_name"),
        _texts(table, "article_url"),
        table.text("tickers").tolist(),
        table.text("insights").tolist(),
        strict=True,
    ):
        tickers = list_cell(tickers_cell)
        insights = list_cell(insights_cell)
        if tickers is None or insights is None:
            column = "tickers" if tickers is None else "insights"
            rejected.append(
                RejectedRow(transform.NEWS, "?", f"article {news_id or '?'}: unreadable {column} cell")
            )
            continue
        rows.append(
            {
                "id": news_id,
                "title": title,
                "published_utc": published,
                "publisher": {"name": publisher},
                "article_url": url,
                "tickers": tickers,
                "insights": insights,
            }
        )
    result = transform.news_items(rows, since, until)
    return Extracted(result.value, rejected + result.rejected)


def checked_table(table: CsvTable, endpoint: str, columns: Sequence[str]) -> CsvTable:
    """The table when it has one of `columns`; EMPTY_TABLE when it is an aggregates envelope without
    rows (one row of ENVELOPE_COLUMNS only); McpCallError (INVALID_RESPONSE) when it has none of them:
    the reply is not this endpoint's data (an HTML error page passed through as text, or a changed
    contract). An empty answer (`Warning [EMPTY]`) has no columns at all and passes."""
    if not table.columns or not columns or any(table.has(column) for column in columns):
        return table
    if table.size <= 1 and ENVELOPE_COLUMNS.issuperset(table.columns):
        return EMPTY_TABLE
    raise McpCallError(
        "INVALID_RESPONSE",
        f"{endpoint}: the CSV has no {' or '.join(columns)} column "
        f"(columns: {', '.join(table.columns[:20])})",
    )
