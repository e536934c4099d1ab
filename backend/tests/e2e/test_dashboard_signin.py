"""Signing in to the dashboard in real Chromium on a server with SECTORLIGHTS_AUTH=required: the
token prompt, the live grid and a live update over /ws (opened with a ticket, never the token),
signing out and being refused."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, WebSocket, expect

from tests.conftest import FROZEN
from tests.e2e.test_dashboard_live import shot
from tests.servers import migrate, run_command, running_process

pytestmark = pytest.mark.browser

ENV = FROZEN | {"SECTORLIGHTS_AUTH": "required"}


def test_sign_in_see_live_updates_sign_out_and_be_refused(browser: Browser, tmp_path: Path) -> None:
    migrate(ENV, tmp_path)
    added = run_command(["users", "add", "alice"], ENV, tmp_path)
    assert added.returncode == 0, added.stderr
    token = added.stdout.strip()
    with running_process(["serve"], ENV, tmp_path, "/api/session", 120, "server") as server:
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        sockets: list[WebSocket] = []

        def opened(socket: WebSocket) -> None:
            # A named function: Playwright cannot take a bound builtin such as `list.append`.
            sockets.append(socket)

        page.on("websocket", opened)
        page.goto(server.base_url + "/")
        prompt = page.get_by_test_id("sign-in")
        expect(prompt).to_be_visible(timeout=30_000)
        expect(page.locator("[data-testid=sector-card]")).to_have_count(0)
        assert sockets == []  # nothing is opened before signing in

        # A wrong token is refused on the prompt itself.
        page.get_by_test_id("sign-in-token").fill("not-a-token")
        page.get_by_test_id("sign-in-submit").click()
        expect(page.get_by_test_id("sign-in-error")).to_be_visible()

        page.get_by_test_id("sign-in-token").fill(token)
        page.get_by_test_id("sign-in-submit").click()
        expect(page.locator("[data-testid=sector-card]")).to_have_count(8, timeout=30_000)
        expect(page.get_by_test_id("account")).to_contain_text("alice")
        expect(page.get_by_test_id("connection-indicator")).to_have_attribute("data-state", "connected")
        assert sockets and all("ticket=" in socket.url and token not in socket.url for socket in sockets)
        assert page.evaluate("sessionStorage.getItem('sectorlights.token')") == token

        # A live update over /ws: a fresh run's progress (the POST carries the token too).
        page.get_by_test_id("run-fresh").click()
        expect(page.get_by_test_id("analysis-progress")).to_be_visible(timeout=15_000)
        shot(page, "signed-in")

        page.get_by_test_id("sign-out").click()
        expect(prompt).to_be_visible()
        expect(page.locator("[data-testid=sector-card]")).to_have_count(0)
        assert page.evaluate("sessionStorage.getItem('sectorlights.token')") is None
        assert page.evaluate("fetch('/api/sectors').then((response) => response.status)") == 401
        assert httpx.get(server.base_url + "/api/sectors", timeout=30).status_code == 401
        # A reload stays signed out.
        page.reload()
        expect(prompt).to_be_visible(timeout=30_000)
        expect(page.locator("[data-testid=sector-card]")).to_have_count(0)
        page.close()
