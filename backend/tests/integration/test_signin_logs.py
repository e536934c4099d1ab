"""No token or ticket in the log of a real `sectorlights serve` with SECTORLIGHTS_AUTH=required, after
connections that were let in and connections that were refused (uvicorn writes each WebSocket's path
with its query at info level)."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.conftest import FROZEN
from tests.servers import migrate, run_command, running_process

ENV = FROZEN | {"SECTORLIGHTS_AUTH": "required", "SECTORLIGHTS_LOG_LEVEL": "info"}


def test_the_log_has_no_token_or_ticket(tmp_path: Path) -> None:
    migrate(ENV, tmp_path)
    added = run_command(["users", "add", "alice"], ENV, tmp_path)
    assert added.returncode == 0, added.stderr
    token = added.stdout.strip()
    wrong_token, wrong_ticket = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    with running_process(["serve"], ENV, tmp_path, "/api/session", 120, "server") as server:
        ws_url = server.base_url.replace("http://", "ws://") + "/ws"
        bearer = {"Authorization": f"Bearer {token}"}

        def new_ticket() -> str:
            response = httpx.post(server.base_url + "/api/ws-ticket", headers=bearer, timeout=30)
            assert response.status_code == 200, response.text
            value: str = response.json()["ticket"]
            return value

        ticket = new_ticket()
        with connect(f"{ws_url}?ticket={ticket}&since=0") as socket:
            assert "seq" in json.loads(socket.recv(timeout=30))  # the events since 0
        # The header wins over the (bad) ticket beside it.
        unused = new_ticket()
        with connect(f"{ws_url}?ticket={wrong_ticket}", additional_headers=bearer) as socket:
            assert json.loads(socket.recv(timeout=30))["type"] == "snapshot"
        for refused_url, headers in (
            (f"{ws_url}?ticket={ticket}", {}),  # used already
            (f"{ws_url}?ticket={wrong_ticket}", {}),
            (f"{ws_url}?token={token}", {}),
            (f"{ws_url}?token={wrong_token}", {}),
            (f"{ws_url}?ticket={unused}", {"Authorization": f"Bearer {wrong_token}"}),
        ):
            with pytest.raises(InvalidStatus) as raised, connect(refused_url, additional_headers=headers):
                pass
            assert raised.value.response.status_code == 403, refused_url
        assert httpx.get(server.base_url + "/api/sectors", headers=bearer, timeout=30).status_code in {
            200,
            503,
        }
        log = server.log()
    assert '"WebSocket /ws?ticket=[redacted]&since=0" [accepted]' in log
    assert '"WebSocket /ws?token=[redacted]" 403' in log
    for secret in (token, wrong_token, ticket, wrong_ticket, unused):
        assert secret not in log
