"""How Polygon's official MCP server (`mcp_massive` 0.9) turns a REST response into `call_api` text.

The stand-in server uses these functions so that our client meets the same text it would meet in
production. The contract, as `mcp_massive` implements it:

* Records: `results` when present (a list, or one object), else `last`, else a top-level list, else
  the whole object (minus the metadata keys) as one record.
* Row expansion: when that gives ONE record that did not come from a `results` list and some of its
  values are non-empty lists of objects, those lists are the rows: one row per element, carrying the
  record's other (flattened) fields; with several such lists each row gets a `_source` column naming
  its list. The full-market snapshot (`{"tickers": [...]}`) therefore comes back as one row per
  ticker (`ticker`, `day_c`, `lastTrade_p`, ...). Servers before 0.9 sent it as ONE row whose
  `tickers` cell held the whole list; the client reads both.
* An aggregates response without `results` (a holiday, a session in progress, an unknown ticker) is
  the envelope left after the metadata keys are stripped: one row such as `ticker,adjusted`.
* Flattening: nested objects are joined with `_` (`day.c` -> `day_c`, `lastTrade.p` -> `lastTrade_p`,
  `publisher.name` -> `publisher_name`); an empty object adds no column.
* Lists are otherwise NOT expanded: the cell is Python's `str(list)` (`['UBS']`,
  `[{'ticker': 'UBS', 'sentiment': 'positive', ...}]`), which `ast.literal_eval` reads back.
* Scalars: `None` -> empty cell, booleans -> `True`/`False`, numbers and text -> `str(value)`.
* CSV: header row of every key in first-seen order, `\\n` line ends, `csv` module quoting.
* No records: `Warning [EMPTY]: ...` instead of a CSV.
* Pagination: one page per call; when the response has `next_url`, the text ends with
  `\\n\\nNext page available. To fetch, call call_api with path="<path>" and params=<JSON object>`
  (the API key is removed from the params; the params part is left out when there are none).
* Errors: `Error [AUTH]: ...` (401/403 or no key), `Error [RATE_LIMIT]: ...` (429),
  `Error [SERVER]: ...` (5xx), `Error [HTTP]: ...` (other 4xx, including 404),
  `Error [NETWORK]: ...`, `Error [INVALID_REQUEST]: ...`, `Error [NOT_FOUND]: ...` (a path its
  endpoint index does not list, see `docs_index.py`), `Error [TOO_LARGE]: ...`,
  `Error [INVALID_RESPONSE]: ...`. Arguments the tool does not declare, or that break its
  constraints, fail the call itself (`is_error`, `Error executing tool call_api: ...`).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, urlparse

METADATA_KEYS = frozenset({"status", "request_id", "count", "queryCount", "resultsCount"})
MAX_RESPONSE_CHARS = 50 * 1024 * 1024
EMPTY_WARNING = (
    "Warning [EMPTY]: API returned 0 records. The ticker may be invalid, delisted, "
    "or have no data for the requested period."
)


def flatten_record(record: Mapping[str, Any], parent_key: str = "", sep: str = "_") -> dict[str, Any]:
    """Nested objects joined by `sep`; lists kept whole as `str(list)`."""
    items: dict[str, Any] = {}
    for key, value in record.items():
        name = f"{parent_key}{sep}{key}" if parent_key else str(key)
        if isinstance(value, dict):
            items.update(flatten_record(value, name, sep))
        elif isinstance(value, list):
            items[name] = str(value)
        else:
            items[name] = value
    return items


def strip_response_metadata(data: Any) -> Any:
    """The response without its top-level bookkeeping keys."""
    if isinstance(data, dict):
        return {key: value for key, value in data.items() if key not in METADATA_KEYS}
    return data


def extract_records(data: Any) -> list[dict[str, Any]]:
    """The flattened records of a decoded response (see the module docstring for the rule)."""
    from_list = isinstance(data, list)
    if isinstance(data, dict) and "results" in data:
        found = data["results"]
        from_list = isinstance(found, list)
        records: list[Any] = found if isinstance(found, list) else [found]
    elif isinstance(data, dict) and "last" in data:
        records = [data["last"]] if isinstance(data["last"], dict) else [data]
    elif isinstance(data, list):
        records = data
    else:
        records = [data]
    if len(records) == 1 and isinstance(records[0], dict) and not from_list:
        records = _expanded(records[0])
    return [
        flatten_record(record) if isinstance(record, dict) else {"value": str(record)} for record in records
    ]


def _expanded(record: dict[str, Any]) -> list[Any]:
    """One record's lists of objects as rows carrying its other fields; [record] when it has none."""
    row_lists = [
        key
        for key, value in record.items()
        if isinstance(value, list) and value and isinstance(value[0], dict)
    ]
    if not row_lists:
        return [record]
    parent: dict[str, Any] = {}
    for key, value in record.items():
        if key in row_lists:
            continue
        if isinstance(value, dict):
            parent.update(
                (name, cell)
                for name, cell in flatten_record(value, key).items()
                if not isinstance(cell, dict | list)
            )
        elif isinstance(value, list):
            parent[key] = str(value)
        else:
            parent[key] = value
    rows: list[Any] = []
    for key in row_lists:
        for item in record[key]:
            if not isinstance(item, dict):
                rows.append(item)
            elif len(row_lists) > 1:
                rows.append({**parent, **item, "_source": key})
            else:
                rows.append({**parent, **item})
    return rows


def json_to_csv(data: Any) -> str:
    """CSV text of the records of a decoded response; "" when there are none."""
    records = extract_records(data)
    if not records:
        return ""
    columns: list[str] = []
    seen: set[str] = set()
    for record in records:
        for key in record:
            if key not in seen:
                seen.add(key)
                columns.append(key)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    return out.getvalue()


def pagination_hint(data: Any) -> str:
    """The next-page sentence for a response with `next_url` (API key removed); "" without one."""
    if not isinstance(data, dict):
        return ""
    next_url = data.get("next_url")
    if not isinstance(next_url, str) or not next_url:
        return ""
    parsed = urlparse(next_url)
    if not parsed.path:
        return ""
    params = parse_qs(parsed.query, keep_blank_values=True)
    params.pop("apiKey", None)
    params.pop("apikey", None)
    flat = {key: values[0] if len(values) == 1 else values for key, values in params.items()}
    if flat:
        return (
            "\n\nNext page available. To fetch, call call_api with "
            f'path="{parsed.path}" and params={json.dumps(flat)}'
        )
    return f'\n\nNext page available. To fetch, call call_api with path="{parsed.path}"'


def format_response(body: str) -> str:
    """What `call_api` answers for a successful HTTP response body."""
    if len(body) > MAX_RESPONSE_CHARS:
        return (
            f"Error [TOO_LARGE]: Response too large ({len(body) // (1024 * 1024)} MB). "
            "Use store_as to save it as a table, or narrow your query."
        )
    try:
        data = json.loads(body)
    except json.JSONDecodeError:
        return body  # the official server hands back what it cannot convert
    hint = pagination_hint(data)
    table = json_to_csv(strip_response_metadata(data))
    if not table.strip():
        return EMPTY_WARNING
    return table + hint


def format_http_error(status_code: int, body: str) -> str:
    """What `call_api` answers for an HTTP error status."""
    if status_code in (401, 403):
        kind = "AUTH"
    elif status_code == 429:
        kind = "RATE_LIMIT"
    elif status_code >= 500:
        kind = "SERVER"
    else:
        kind = "HTTP"
    return f"Error [{kind}]: HTTP {status_code} — {body[:500]}"
