"""The OWASP API Security Top 10 (2023), item by item, each against a real `sectorlights serve`.

Servers (one per module, started once): `open_server` with auth off (the default) and a small action
allowance; `closed_server` with SECTORLIGHTS_AUTH=required and two users; `exposed_server` bound to
0.0.0.0 with auth off and SECTORLIGHTS_ALLOW_OPEN=true, trusting no proxy. Tests on the open server
take their actions under a client address of their own (X-Forwarded-For from 127.0.0.1, a trusted
proxy by default), so their allowances do not meet.

Where another part of the work adds a control (dashboard sign-in and `/ws` tickets under API2,
outage answers under API8/API10), its tests go in that item's section below.
"""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.conftest import FROZEN
from tests.integration.test_live_updates import receive, ws_url
from tests.servers import migrate, run_command, running_process, running_server

pytestmark = pytest.mark.timeout(240)

QUIET = FROZEN | {"SECTORLIGHTS_RUN_ON_START": "false", "SECTORLIGHTS_USER_ACTIONS_PER_MINUTE": "6"}
TIMEOUT_SECS = 30


@dataclass(frozen=True)
class Closed:
    base_url: str
    tokens: dict[str, str]


@pytest.fixture(scope="module")
def open_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_server(QUIET, tmp_path_factory.mktemp("open"), ready_path="/livez") as base_url:
        yield base_url


@pytest.fixture(scope="module")
def closed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Closed]:
    env = QUIET | {"SECTORLIGHTS_AUTH": "required"}
    folder = tmp_path_factory.mktemp("closed")
    migrate(env, folder)
    tokens = {}
    for name in ("alice", "bob"):
        added = run_command(["users", "add", name, "--json"], env, folder)
        assert added.returncode == 0, added.stderr
        tokens[name] = json.loads(added.stdout)["token"]
    with running_server(env, folder, ready_path="/livez") as base_url:
        yield Closed(base_url, tokens)


@pytest.fixture(scope="module")
def exposed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """Bound to 0.0.0.0 with auth off, allowed; believes no proxy's X-Forwarded-For. Yields its URL
    (reached over loopback) and its log."""
    env = QUIET | {"SECTORLIGHTS_ALLOW_OPEN": "true", "SECTORLIGHTS_FORWARDED_ALLOW_IPS": "10.9.9.9"}
    folder = tmp_path_factory.mktemp("exposed")
    migrate(env, folder)
    with running_process(["serve", "--host", "0.0.0.0"], env, folder, "/livez", 120, "server") as server:
        yield server.base_url, server.log()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def client_at(address: str, **headers: str) -> dict[str, str]:
    """Headers of a request from `address` as a proxy on 127.0.0.1 forwards it."""
    return {"X-Forwarded-For": address, **headers}


def get(url: str, **headers: str) -> httpx.Response:
    return httpx.get(url, headers=headers, timeout=TIMEOUT_SECS)


def own_origin(base_url: str) -> str:
    return base_url


def raw_response(base_url: str, method: str, path: str, headers: dict[str, str], body: bytes = b"") -> Any:
    """A request written by hand (a Content-Length that is a claim, a chunked body); the status and
    the JSON body of the answer."""
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=TIMEOUT_SECS)
    try:
        connection.putrequest(method, path)
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders()
        if body:
            connection.send(body)
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        connection.close()


def chunked(data: bytes, chunk_bytes: int = 16 * 1024) -> bytes:
    frames = [
        f"{len(data[start : start + chunk_bytes]):x}\r\n".encode()
        + data[start : start + chunk_bytes]
        + b"\r\n"
        for start in range(0, len(data), chunk_bytes)
    ]
    return b"".join(frames)  # no last chunk: the server must answer before the body ends


# --- API1:2023 Broken Object Level Authorization ---------------------------------------------------


def test_api1_each_user_reads_and_writes_only_their_own_preferences(closed_server: Closed) -> None:
    base, tokens = closed_server.base_url, closed_server.tokens
    alice, bob = bearer(tokens["alice"]), bearer(tokens["bob"])
    saved = httpx.put(
        base + "/api/preferences", json={"scheduled_runs": ["04:00"]}, headers=alice, timeout=TIMEOUT_SECS
    )
    assert saved.status_code == 200, saved.text
    assert get(base + "/api/preferences", **alice).json()["scheduled_runs"] == ["04:00"]
    # No user or object id in the request: the token alone names whose preferences these are.
    assert get(base + "/api/preferences", **bob).json()["scheduled_runs"] == ["20:00", "04:00", "08:00"]
    smuggled = httpx.put(
        base + "/api/preferences", json={"user": "alice", "intraday_refresh": False}, headers=bob
    )
    assert smuggled.status_code == 422 and "user" in smuggled.json()["detail"]
    assert get(base + "/api/preferences", **alice).json()["intraday_refresh"] is True


# --- API2:2023 Broken Authentication -----------------------------------------------------------------
# Dashboard sign-in in Chromium: tests/e2e/test_dashboard_signin.py; tokens kept out of the log:
# tests/integration/test_signin_logs.py (both against a real server too).


@pytest.mark.parametrize(
    ("headers", "detail"),
    [
        ({}, "missing"),
        ({"Authorization": "Basic YWxpY2U6c2VjcmV0"}, "expected `Bearer"),
        ({"Authorization": "Bearer not-a-token"}, "unknown token"),
    ],
)
@pytest.mark.parametrize("path", ["/api/sectors", "/api/preferences", "/metrics", "/openapi.json", "/docs"])
def test_api2_without_a_valid_token_everything_but_the_probes_is_401(
    closed_server: Closed, headers: dict[str, str], detail: str, path: str
) -> None:
    refused = get(closed_server.base_url + path, **headers)
    assert refused.status_code == 401, path
    assert detail in refused.json()["detail"]
    assert refused.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("path", ["/metrics", "/openapi.json", "/docs"])
def test_api2_operator_pages_answer_with_a_token(closed_server: Closed, path: str) -> None:
    assert get(closed_server.base_url + path, **bearer(closed_server.tokens["alice"])).status_code == 200


def test_api2_live_updates_refuse_a_missing_or_unknown_token(closed_server: Closed) -> None:
    for headers in ({}, bearer("not-a-token")):
        with (
            pytest.raises(InvalidStatus) as refused,
            connect(ws_url(closed_server.base_url), additional_headers=headers),
        ):
            pass
        assert refused.value.response.status_code == 403


def _ticket(closed_server: Closed, user: str) -> str:
    issued = httpx.post(
        closed_server.base_url + "/api/ws-ticket",
        headers=bearer(closed_server.tokens[user]),
        timeout=TIMEOUT_SECS,
    )
    assert issued.status_code == 200, issued.text
    ticket: str = issued.json()["ticket"]
    return ticket


def test_api2_a_live_update_ticket_opens_one_socket_and_a_token_never_rides_in_the_url(
    closed_server: Closed,
) -> None:
    """The dashboard's socket: a 30 s single-use ticket from an authenticated POST, not the
    long-lived token in a URL that proxies and logs would keep (docs in tests/integration/test_signin.py)."""
    ticket = _ticket(closed_server, "alice")
    with connect(f"{ws_url(closed_server.base_url)}?ticket={ticket}") as socket:
        assert receive(socket)["type"] == "snapshot"
    for query in (f"ticket={ticket}", f"token={closed_server.tokens['alice']}", "ticket=made-up"):
        with pytest.raises(InvalidStatus) as refused, connect(f"{ws_url(closed_server.base_url)}?{query}"):
            pass
        assert refused.value.response.status_code == 403, query
    # A ticket is asked for with a token.
    assert httpx.post(closed_server.base_url + "/api/ws-ticket", timeout=TIMEOUT_SECS).status_code == 401


# --- API3:2023 Broken Object Property Level Authorization ------------------------------------------


def test_api3_health_shows_callers_without_a_token_the_status_only(closed_server: Closed) -> None:
    base = closed_server.base_url
    for path in ("/health", "/health/database", "/health/redis", "/health/polygon"):
        anonymous = get(base + path)
        assert anonymous.status_code in {200, 503}, path
        assert list(anonymous.json()) == ["status"], path
        detailed = get(base + path, **bearer(closed_server.tokens["bob"]))
        assert detailed.json()["status"] == anonymous.json()["status"]
        assert len(detailed.json()) > 1, path
    assert "dialect" in get(base + "/health/database", **bearer(closed_server.tokens["bob"])).json()


def test_api3_the_readiness_probe_says_ready_or_not_and_nothing_behind_it(closed_server: Closed) -> None:
    """Probes stay open to the orchestrator (no token), so with auth required they name no database,
    revision or error; /health/* with a token does."""
    for credentials in ({}, bearer(closed_server.tokens["bob"])):
        ready = get(closed_server.base_url + "/readyz", **credentials)
        assert (ready.status_code, ready.json()) == (200, {"status": "ready"})


@pytest.mark.parametrize("field", ["user", "name", "theme", "token"])
def test_api3_a_preferences_body_cannot_set_a_property_that_is_not_the_callers_to_set(
    open_server: str, field: str
) -> None:
    response = httpx.put(
        open_server + "/api/preferences", json={field: "x"}, headers=client_at(f"10.3.0.{len(field)}")
    )
    assert response.status_code == 422 and field in response.json()["detail"]


# --- API4:2023 Unrestricted Resource Consumption ----------------------------------------------------

RUN_TIMES = 1_200_000
HUGE_PREFERENCES = json.dumps({"scheduled_runs": ["04:00"] * RUN_TIMES}).encode()


def test_api4_the_ten_megabyte_preferences_put_is_refused_by_its_length(open_server: str) -> None:
    assert len(HUGE_PREFERENCES) > 9_000_000
    before = get(open_server + "/api/preferences").json()
    status, body = raw_response(
        open_server,
        "PUT",
        "/api/preferences",
        {
            "Host": "127.0.0.1",
            "Content-Type": "application/json",
            "Content-Length": str(len(HUGE_PREFERENCES)),
        },
    )
    assert status == 413
    assert "SECTORLIGHTS_MAX_BODY_BYTES" in body["detail"]
    assert get(open_server + "/api/preferences").json() == before


def test_api4_a_streamed_body_is_refused_once_past_the_cap(open_server: str) -> None:
    status, body = raw_response(
        open_server,
        "PUT",
        "/api/preferences",
        {"Host": "127.0.0.1", "Content-Type": "application/json", "Transfer-Encoding": "chunked"},
        chunked(HUGE_PREFERENCES[: 128 * 1024]),
    )
    assert status == 413 and "larger than 65536 bytes" in body["detail"]


@pytest.mark.parametrize(
    ("runs", "status", "stored"),
    [
        (["04:00"] * 7_000, 422, None),  # under the body cap, over the list's bound
        (["20:00", "04:00", "08:00", "04:00"], 422, None),
        (["04:00", "04:00", "20:00"], 200, ["04:00", "20:00"]),
    ],
    ids=["long-list", "four-entries", "repeats-dropped"],
)
def test_api4_lists_in_bodies_are_bounded_and_without_repeats(
    open_server: str, runs: list[str], status: int, stored: list[str] | None
) -> None:
    response = httpx.put(
        open_server + "/api/preferences",
        json={"scheduled_runs": runs},
        headers=client_at(f"10.4.{len(runs) % 250}.{len(set(runs))}"),
        timeout=TIMEOUT_SECS,
    )
    assert response.status_code == status, response.text
    if stored is not None:
        assert response.json()["scheduled_runs"] == stored
    else:
        assert "scheduled_runs" in response.json()["detail"]


def test_api4_each_action_has_its_own_allowance_per_client_address(open_server: str) -> None:
    saves = [
        httpx.put(open_server + "/api/preferences", json={}, headers=client_at("10.4.1.1")).status_code
        for _ in range(4)
    ]
    assert saves == [200, 200, 200, 429]
    # Another client address has an allowance of its own with auth off ...
    assert (
        httpx.put(open_server + "/api/preferences", json={}, headers=client_at("10.4.1.2")).status_code == 200
    )
    # ... and saving preferences spent none of this address's analyses.
    started = httpx.post(open_server + "/api/analysis", headers=client_at("10.4.1.1"), timeout=TIMEOUT_SECS)
    assert started.status_code == 202, started.text


def test_api4_an_untrusted_forwarded_for_does_not_buy_a_new_allowance(
    exposed_server: tuple[str, str],
) -> None:
    base_url, _ = exposed_server
    statuses = [
        httpx.put(base_url + "/api/preferences", json={}, headers=client_at(f"10.4.2.{index}")).status_code
        for index in range(4)
    ]
    assert statuses == [200, 200, 200, 429]


# --- API5:2023 Broken Function Level Authorization --------------------------------------------------


def test_api5_no_administrative_function_is_reachable_over_http(closed_server: Closed) -> None:
    """Users are managed with `sectorlights users` on the server only; every token has the same
    functions, and the only writes are the caller's own runs, preferences and live-update tickets."""
    document = get(closed_server.base_url + "/openapi.json", **bearer(closed_server.tokens["alice"])).json()
    writes = {
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
        if method in ("post", "put", "patch", "delete")
    }
    assert writes == {
        ("POST", "/api/analysis"),
        ("PUT", "/api/preferences"),
        ("POST", "/api/replays"),
        ("POST", "/api/ws-ticket"),
    }
    for method in ("GET", "POST", "DELETE"):
        response = httpx.request(
            method, closed_server.base_url + "/api/users", headers=bearer(closed_server.tokens["alice"])
        )
        assert response.status_code in {404, 405}, method


# --- API6:2023 Unrestricted Access to Sensitive Business Flows --------------------------------------


def test_api6_a_cross_site_page_cannot_start_an_analysis(open_server: str) -> None:
    """Each run spends the vendor plan's requests: with auth off a page on another site posting a
    `text/plain` form (no CORS preflight) must not start one."""
    refused = httpx.post(
        open_server + "/api/analysis",
        content=b"x=1",
        headers=client_at("10.6.0.1", **{"Content-Type": "text/plain", "Origin": "https://evil.example"}),
    )
    assert refused.status_code == 403
    assert "Origin" in refused.json()["detail"]


def test_api6_starting_analyses_is_limited_per_caller(closed_server: Closed) -> None:
    headers = bearer(closed_server.tokens["bob"])
    statuses = []
    for _ in range(8):
        response = httpx.post(closed_server.base_url + "/api/analysis", headers=headers, timeout=TIMEOUT_SECS)
        statuses.append(response.status_code)
        if response.status_code == 429:
            assert int(response.headers["Retry-After"]) > 0
            assert "too many analyses started for user bob" in response.json()["detail"]
            break
        # Joining the run in flight is free: wait for it so the next POST starts one.
        deadline = time.monotonic() + 90
        run_id = response.json()["run_id"]
        while get(f"{closed_server.base_url}/api/analysis/{run_id}", **headers).json()["status"] == "running":
            assert time.monotonic() < deadline, "the run did not finish"
            time.sleep(0.1)
    assert statuses[-1] == 429 and statuses[:3] == [202, 202, 202]


# --- API7:2023 Server Side Request Forgery -----------------------------------------------------------


def test_api7_no_request_names_an_address_the_server_would_fetch(open_server: str) -> None:
    """The vendors' addresses come from the settings only: no parameter or body field is a URL, and
    a URL where a date is expected is refused, not fetched."""
    document = get(open_server + "/openapi.json").json()
    text = json.dumps(document["paths"]).lower()
    assert '"format": "uri"' not in text and "url" not in {
        parameter["name"].lower()
        for operations in document["paths"].values()
        for operation in operations.values()
        for parameter in operation.get("parameters", [])
    }
    refused = httpx.post(
        open_server + "/api/replays",
        json={"date": "http://169.254.169.254/latest/meta-data"},
        headers=client_at("10.7.0.1"),
    )
    assert refused.status_code == 422 and "date" in refused.json()["detail"]


# --- API8:2023 Security Misconfiguration -------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("evil.example", 400),
        ("evil.example:80", 400),
        ("192.168.1.20", 400),
        ("localhost", 200),
        ("127.0.0.1", 200),
        ("[::1]", 200),
    ],
)
def test_api8_with_auth_off_only_loopback_host_names_are_served(
    open_server: str, host: str, status: int
) -> None:
    """DNS rebinding: a page of evil.example whose name now resolves to 127.0.0.1 still sends
    `Host: evil.example`."""
    response = get(open_server + "/api/preferences", Host=host)
    assert response.status_code == status
    if status == 400:
        assert "SECTORLIGHTS_ALLOWED_HOSTS" in response.json()["detail"]


@pytest.mark.parametrize(
    ("origin", "status", "address"),
    [
        (None, 200, "10.8.0.1"),
        ("own", 200, "10.8.0.2"),
        ("https://evil.example", 403, "10.8.0.3"),
        ("null", 403, "10.8.0.4"),
        ("http://localhost:1", 403, "10.8.0.5"),
    ],
)
def test_api8_with_auth_off_writes_need_the_servers_own_origin(
    open_server: str, origin: str | None, status: int, address: str
) -> None:
    """curl and scripts send no Origin; a browser always does on a cross-site write."""
    headers = client_at(address)
    if origin is not None:
        headers["Origin"] = own_origin(open_server) if origin == "own" else origin
    response = httpx.put(open_server + "/api/preferences", json={}, headers=headers, timeout=TIMEOUT_SECS)
    assert response.status_code == status, response.text


def test_api8_with_auth_off_live_updates_need_the_servers_own_origin(open_server: str) -> None:
    with pytest.raises(InvalidStatus) as refused, connect(ws_url(open_server), origin="https://evil.example"):
        pass
    assert refused.value.response.status_code == 403
    for origin in (own_origin(open_server), None):
        with connect(ws_url(open_server), origin=origin) as socket:
            assert receive(socket)["type"] in {"snapshot", "heartbeat"}


@pytest.mark.parametrize("path", ["/", "/api/preferences", "/health", "/docs", "/api/nope"])
def test_api8_every_page_and_answer_carries_the_security_headers(open_server: str, path: str) -> None:
    response = get(open_server + path)
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-eval" not in policy and "http" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "server" not in response.headers


def test_api8_the_docs_load_nothing_from_another_site(open_server: str) -> None:
    page = get(open_server + "/docs")
    assert page.status_code == 200 and "http" not in page.text
    for asset in ("/docs/assets/swagger-ui-bundle.js", "/docs/assets/swagger-ui.css", "/docs/start.js"):
        assert f'"{asset}"' in page.text
        answer = get(open_server + asset)
        if answer.status_code == 404 and "make build" in answer.text:
            pytest.skip("the front end is not built (`make build`): no Swagger UI files")
        assert answer.status_code == 200, asset


def test_api8_binding_the_network_with_auth_off_needs_an_explicit_setting(tmp_path: Path) -> None:
    refused = run_command(["serve", "--host", "0.0.0.0", "--port", "1"], QUIET, tmp_path, timeout_secs=60)
    assert refused.returncode != 0
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1 and "SECTORLIGHTS_ALLOW_OPEN" in lines[0] and "configuration error" in lines[0]


def test_api8_binding_the_network_when_allowed_warns(exposed_server: tuple[str, str]) -> None:
    _, log = exposed_server
    assert "serving 0.0.0.0 without authentication (SECTORLIGHTS_ALLOW_OPEN=true)" in log


# --- API9:2023 Improper Inventory Management ---------------------------------------------------------


def test_api9_one_documented_version_and_no_second_docs_site(open_server: str) -> None:
    """The OpenAPI document is the inventory: it names the running version, and no other docs UI
    (which would load its code from a CDN) is served beside it."""
    document = get(open_server + "/openapi.json").json()
    assert document["info"]["version"] == get(open_server + "/livez").json()["version"]
    for path in ("/redoc", "/docs/oauth2-redirect", "/swagger-ui/index.html"):
        assert get(open_server + path).status_code == 404, path


# --- API10:2023 Unsafe Consumption of APIs -----------------------------------------------------------
# The vendors' answers are validated row by row before use (tests/integration/test_vendor_providers.py,
# test_polygon_rest.py, test_slow_vendor.py and test_resilience_processes.py run the real clients
# against malformed, failing and slow vendors); outage answers of this issue add their tests here.
