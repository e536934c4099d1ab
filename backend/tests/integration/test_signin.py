"""Signing in with SECTORLIGHTS_AUTH=required, through the real app: the open session endpoint, `/ws`
tickets (single use, no token in the URL, the header winning), a bad `since`, the sockets of removed
and rotated users closed, and `sectorlights users remove|rotate|list --json`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from sectorlights.api.app import create_app
from sectorlights.settings import load_settings
from sectorlights.storage.database import create_database_engine
from sectorlights.storage.users import UserStore
from tests.integration.apps import environment, sqlite_url
from tests.servers import run_command

# Heartbeats the revocation test can count on.
HEARTBEAT = {"SECTORLIGHTS_WS_HEARTBEAT_SECS": "0.1"}


def _client(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **env: str) -> Iterator[TestClient]:
    environment(monkeypatch, sqlite_url(tmp_path), tmp_path / "no-frontend", run_on_start=False)
    for name, value in (HEARTBEAT | env).items():
        monkeypatch.setenv(name, value)
    with TestClient(create_app(load_settings())) as client:
        yield client


@pytest.fixture
def store(tmp_path: Path) -> Iterator[UserStore]:
    engine = create_database_engine(f"sqlite:///{tmp_path / 'resources.db'}")
    yield UserStore(engine)
    engine.dispose()


@pytest.fixture
def closed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store: UserStore
) -> Iterator[tuple[TestClient, dict[str, str]]]:
    for client in _client(monkeypatch, tmp_path, SECTORLIGHTS_AUTH="required"):
        yield client, {name: store.add(name, datetime.now(UTC)) for name in ("alice", "bob")}


@pytest.fixture
def open_client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    yield from _client(monkeypatch, tmp_path)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def ticket(client: TestClient, token: str) -> str:
    response = client.post("/api/ws-ticket", headers=bearer(token))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["expires_in_secs"] == 30
    value: str = body["ticket"]
    return value


def refused(client: TestClient, url: str, headers: dict[str, str] | None = None) -> WebSocketDisconnect:
    with (
        pytest.raises(WebSocketDisconnect) as raised,
        client.websocket_connect(url, headers=headers or {}) as socket,
    ):
        socket.receive_text()
    return raised.value


def first_message(socket: WebSocketTestSession) -> str:
    message: str = json.loads(socket.receive_text())["type"]
    return message


def test_the_session_says_whether_a_token_is_needed_and_whose_it_is(
    closed: tuple[TestClient, dict[str, str]],
) -> None:
    client, tokens = closed
    for headers, user in (
        ({}, None),
        ({"Authorization": "Basic x"}, None),
        (bearer("wrong"), None),
        (bearer(tokens["alice"]), "alice"),
    ):
        response = client.get("/api/session", headers=headers)
        assert response.status_code == 200
        assert response.json() == {"auth": "required", "user": user}


def test_with_auth_off_the_session_is_the_local_user(open_client: TestClient) -> None:
    assert open_client.get("/api/session").json() == {"auth": "off", "user": "local"}
    # A ticket is not needed with auth off, but the page may ask for one and use it.
    issued = open_client.post("/api/ws-ticket")
    assert issued.status_code == 200
    with open_client.websocket_connect(f"/ws?ticket={issued.json()['ticket']}") as socket:
        assert first_message(socket) in {"snapshot", "heartbeat"}


def test_a_ticket_opens_one_socket_and_needs_a_token(closed: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = closed
    for headers in ({}, bearer("wrong")):
        assert client.post("/api/ws-ticket", headers=headers).status_code == 401
    issued = ticket(client, tokens["alice"])
    with client.websocket_connect(f"/ws?ticket={issued}") as socket:
        assert first_message(socket) == "snapshot"
    used = refused(client, f"/ws?ticket={issued}")
    assert used.code == 1008 and "ticket unknown, used or expired" in used.reason
    assert refused(client, "/ws?ticket=made-up").code == 1008


@pytest.mark.parametrize(
    ("query", "header", "outcome"),
    [
        # (query, Authorization header (a name: that user's token), "open" or the refusal's words)
        ("", None, "Authorization: missing"),
        ("?token={alice}", None, "?token= is not accepted"),
        ("?token=wrong", None, "?token= is not accepted"),
        ("", "bob", "open"),
        ("", "wrong", "unknown token"),
        ("", "Basic abc", "expected `Bearer"),
        # The header wins over any query credential, good or bad.
        ("?ticket={ticket}", "wrong", "unknown token"),
        ("?token=wrong", "bob", "open"),
        ("?ticket=made-up", "bob", "open"),
    ],
)
def test_ws_credentials(
    closed: tuple[TestClient, dict[str, str]], query: str, header: str | None, outcome: str
) -> None:
    client, tokens = closed
    url = "/ws" + query.format(alice=tokens["alice"], ticket=ticket(client, tokens["alice"]))
    headers: dict[str, str] = {}
    if header is not None:
        headers["Authorization"] = header if " " in header else f"Bearer {tokens.get(header, header)}"
    if outcome == "open":
        with client.websocket_connect(url, headers=headers) as socket:
            assert first_message(socket) == "snapshot"
    else:
        closed_with = refused(client, url, headers)
        assert closed_with.code == 1008
        assert outcome in closed_with.reason


@pytest.mark.parametrize("since", ["-1", "abc", "1.5", "", "1e3", "9999999999999999999999", " 1"])
def test_a_bad_since_closes_with_1008_and_a_reason(open_client: TestClient, since: str) -> None:
    closed_with = refused(open_client, f"/ws?since={since}")
    assert closed_with.code == 1008
    assert closed_with.reason.startswith("since: expected the last seq received, a whole number")


def test_a_good_since_is_served(open_client: TestClient) -> None:
    for since in ("0", "12", "999999999999999"):
        with open_client.websocket_connect(f"/ws?since={since}") as socket:
            assert first_message(socket) in {"snapshot", "heartbeat"}


@pytest.mark.parametrize("change", ["remove", "rotate"])
@pytest.mark.parametrize("opened_with", ["ticket", "header"])
def test_sockets_of_a_removed_or_rotated_user_are_closed(
    closed: tuple[TestClient, dict[str, str]], store: UserStore, change: str, opened_with: str
) -> None:
    client, tokens = closed
    url, headers = "/ws", bearer(tokens["alice"])
    if opened_with == "ticket":
        url, headers = f"/ws?ticket={ticket(client, tokens['alice'])}", {}
    with (
        client.websocket_connect(url, headers=headers) as alice,
        client.websocket_connect("/ws", headers=bearer(tokens["bob"])) as bob,
    ):
        assert first_message(alice) == "snapshot" == first_message(bob)
        assert first_message(alice) == "heartbeat"  # served until the change
        new_token = store.rotate("alice") if change == "rotate" else store.remove("alice")
        with pytest.raises(WebSocketDisconnect) as closed_with:
            # Heartbeats (0.1 s) until the next check closes it: never more than a few.
            for _ in range(20):
                alice.receive_text()
        assert closed_with.value.code == 1008
        assert "user alice: removed or token rotated" in closed_with.value.reason
        # Bob's socket is untouched.
        assert first_message(bob) == "heartbeat"
    assert client.get("/api/sectors", headers=bearer(tokens["alice"])).status_code == 401
    if new_token is not None:
        assert client.get("/api/session", headers=bearer(new_token)).json()["user"] == "alice"
        with client.websocket_connect(f"/ws?ticket={ticket(client, new_token)}") as socket:
            assert first_message(socket) == "snapshot"


def test_a_ticket_of_a_user_removed_since_does_not_open(
    closed: tuple[TestClient, dict[str, str]], store: UserStore
) -> None:
    client, tokens = closed
    issued = ticket(client, tokens["alice"])
    store.remove("alice")
    assert refused(client, f"/ws?ticket={issued}").code == 1008


def test_users_remove_rotate_and_list_json(tmp_path: Path) -> None:
    assert run_command(["migrate"], {}, tmp_path).returncode == 0
    tokens = {}
    for name in ("alice", "bob"):
        added = run_command(["users", "add", name], {}, tmp_path)
        assert added.returncode == 0, added.stderr
        tokens[name] = added.stdout.strip()
    rotated = run_command(["users", "rotate", "bob"], {}, tmp_path)
    assert rotated.returncode == 0, rotated.stderr
    new_token = rotated.stdout.strip()
    assert len(new_token.splitlines()) == 1 and len(new_token) >= 40 and new_token != tokens["bob"]
    as_json = run_command(["users", "rotate", "bob", "--json"], {}, tmp_path)
    document = json.loads(as_json.stdout)
    assert document["name"] == "bob" and document["token"] not in (new_token, tokens["bob"])
    removed = run_command(["users", "remove", "alice"], {}, tmp_path)
    assert removed.returncode == 0 and removed.stdout == "" and "removed" in removed.stderr
    listed = run_command(["users", "list", "--json"], {}, tmp_path)
    assert json.loads(listed.stdout) == {"users": ["bob"]}
    for command in ("remove", "rotate"):
        unknown = run_command(["users", command, "alice"], {}, tmp_path)
        assert unknown.returncode == 2, unknown.stderr
        assert f"users {command}: no user 'alice'" in unknown.stderr and "Traceback" not in unknown.stderr
    engine = create_database_engine(f"sqlite:///{tmp_path / 'data' / 'sectorlights.db'}")
    try:
        current = UserStore(engine)
        assert current.authenticate(tokens["alice"]) is None
        assert current.authenticate(tokens["bob"]) is None and current.authenticate(new_token) is None
        assert current.authenticate(document["token"]) == "bob"
    finally:
        engine.dispose()
