"""Time travel in real Chromium: a stored run opens read-only under a "not live" banner, stays on
screen while a new live run publishes, and "Back to live" returns to the live grid."""

from __future__ import annotations

import time

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.contrast import low_contrast_texts
from tests.e2e.test_dashboard_live import open_dashboard, shot

pytestmark = pytest.mark.browser


def _wait_for_succeeded_run(server: str, run_id: str, timeout_secs: float = 60) -> None:
    deadline = time.monotonic() + timeout_secs
    while time.monotonic() < deadline:
        status = httpx.get(f"{server}/api/analysis/{run_id}", timeout=30).json()["status"]
        if status == "succeeded":
            return
        assert status == "running", status
        time.sleep(0.5)
    raise AssertionError(f"run {run_id} did not finish within {timeout_secs} s")


def test_a_stored_run_opens_not_live_and_back_to_live_returns(browser: Browser, server: str) -> None:
    stored = httpx.get(server + "/api/runs", timeout=30).json()["runs"][0]
    page = open_dashboard(browser, server, still=True)

    page.get_by_test_id("history-toggle").click()
    runs = page.get_by_test_id("history-runs")
    expect(runs).to_have_value(stored["run_id"])
    assert low_contrast_texts(page) == []
    page.get_by_test_id("history-open").click()

    banner = page.get_by_test_id("historic-banner")
    expect(banner).to_contain_text("not live")
    expect(page.get_by_test_id("stale-marker")).to_be_visible()
    expect(page.locator("[data-testid=sector-card]")).to_have_count(8)
    assert low_contrast_texts(page) == []
    shot(page, "dashboard-history")

    # A new live run publishes while the past grid is open: it does not replace it.
    started = httpx.post(server + "/api/analysis", timeout=30).json()
    _wait_for_succeeded_run(server, started["run_id"])
    page.wait_for_timeout(1_000)
    expect(banner).to_be_visible()

    page.get_by_test_id("back-to-live").click()
    expect(banner).to_have_count(0)
    expect(page.get_by_test_id("stale-marker")).to_have_count(0)
    page.close()
