"""`Error [KIND]: ...` on both sides of the MCP contract: HTTP statuses to error text (server), and
error text to what the retry policy does with it (client)."""

from __future__ import annotations

import pytest

from sectorlights.providers.base import ProviderError
from sectorlights.providers.polygon.mcp import McpSession, PolygonMcpSource
from sectorlights.providers.polygon.mcp_transform import (
    McpCallError,
    parse_call_api,
    parse_error,
    refuses_path,
)
from sectorlights.providers.resilience import RetryPolicy, VendorError
from sectorlights.simvendor.mcp_format import format_http_error

KEY = "sk-test-0123456789abcdef"


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (401, "AUTH"),
        (403, "AUTH"),
        (429, "RATE_LIMIT"),
        (500, "SERVER"),
        (503, "SERVER"),
        (404, "HTTP"),
        (400, "HTTP"),
    ],
)
def test_http_statuses_become_error_kinds(status: int, kind: str) -> None:
    text = format_http_error(status, '{"status": "ERROR", "error": "nope"}' + "x" * 1000)
    assert text.startswith(f"Error [{kind}]: HTTP {status} — " + '{"status": "ERROR"')
    assert len(text) < 600  # the body is cut at 500 characters


@pytest.mark.parametrize(
    ("text", "kind", "status", "message"),
    [
        ("Error [AUTH]: MASSIVE_API_KEY is not set.", "AUTH", None, "MASSIVE_API_KEY is not set."),
        ("Error [AUTH]: HTTP 401 — unknown key", "AUTH", 401, "HTTP 401 — unknown key"),
        ("Error [RATE_LIMIT]: HTTP 429 — slow down", "RATE_LIMIT", 429, "HTTP 429 — slow down"),
        ("Error [SERVER]: HTTP 502 — bad gateway\nmore", "SERVER", 502, "HTTP 502 — bad gateway\nmore"),
        ("Error [NOT_FOUND]: Path not in allowlist: /v9", "NOT_FOUND", None, "Path not in allowlist: /v9"),
        ("Error [NETWORK]: ConnectError: refused", "NETWORK", None, "ConnectError: refused"),
        ("Error: something broke", "", None, "something broke"),
        ("  Error [BAD_REQUEST] : spaced", "BAD_REQUEST", None, "spaced"),
    ],
)
def test_error_text_is_read(text: str, kind: str, status: int | None, message: str) -> None:
    error = parse_error(text)
    assert error is not None
    assert (error.kind, error.http_status, error.message) == (kind, status, message)
    with pytest.raises(McpCallError):
        parse_call_api(text, "snapshot")


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        (
            "Error [NOT_FOUND]: Path not in allowlist: /v1/marketstatus/now. Use search_endpoints to find",
            True,
        ),
        ("Error [HTTP]: HTTP 404 — Path not in allowlist", False),  # the vendor's 404, not the server's index
        ("Error [NOT_FOUND]: ticker not found", False),
        ("path,note\n/v1,Error [NOT_FOUND]: Path not in allowlist\n", False),
    ],
)
def test_a_path_missing_from_the_servers_endpoint_index_is_told_apart(text: str, refused: bool) -> None:
    assert refuses_path(text) is refused


@pytest.mark.parametrize(
    "text", ["ticker,day_c\nA,1\n", "Warning [EMPTY]: API returned 0 records.", "Errors,x\n1,2\n"]
)
def test_results_are_not_errors(text: str) -> None:
    assert parse_error(text) is None


def source() -> PolygonMcpSource:
    env = {"MASSIVE_API_KEY": KEY, "POLYGON_API_KEY": KEY}
    return PolygonMcpSource(
        McpSession("unused-command", env, timeout_secs=5.0), RetryPolicy().guarded_calls()
    )


@pytest.mark.parametrize(
    ("text", "status", "retryable", "words"),
    [
        ("Error [AUTH]: MASSIVE_API_KEY is not set.", None, False, ["POLYGON_API_KEY", "MASSIVE_API_KEY"]),
        (f"Error [AUTH]: HTTP 401 — key {KEY} unknown", 401, False, ["POLYGON_API_KEY", "<redacted>"]),
        ("Error [RATE_LIMIT]: HTTP 429 — too many", 429, True, ["[RATE_LIMIT]"]),
        ("Error [RATE_LIMIT]: slow down", 429, True, ["[RATE_LIMIT]"]),
        ("Error [SERVER]: HTTP 503 — maintenance", 503, True, ["[SERVER]", "maintenance"]),
        ("Error [NETWORK]: ReadTimeout: timed out", None, True, ["[NETWORK]"]),
        ("Error [HTTP]: HTTP 404 — not found", 404, False, ["[HTTP]"]),
        ("Error [NOT_FOUND]: Path not in allowlist: /v9/x", None, False, ["[NOT_FOUND]", "/v9/x"]),
        ("Error [INVALID_REQUEST]: bad key", None, False, ["[INVALID_REQUEST]"]),
        ("Error [TOO_LARGE]: Response too large (51 MB).", None, False, ["[TOO_LARGE]"]),
        ("Error [INVALID_RESPONSE]: Unexpected Content-Type: image/png", None, True, ["[INVALID_RESPONSE]"]),
        ("Error: who knows", None, False, ["[UNKNOWN]"]),
    ],
)
def test_error_kinds_map_to_the_retry_policy(
    text: str, status: int | None, retryable: bool, words: list[str]
) -> None:
    found = parse_error(text)
    assert found is not None
    error = source()._vendor_error(found)
    assert isinstance(error, VendorError) and isinstance(error, ProviderError)
    assert (error.status, error.retryable) == (status, retryable)
    for word in words:
        assert word in str(error)
    assert KEY not in str(error)
