"""Replaying a past session from the dashboard in real Chromium: the server runs the simulated
market live and its database holds the committed fixture flat files (2017-09-25 to 2017-11-10,
tests/fixtures/flatfiles/SOURCE.md). The trader replays 2017-11-09 from the History panel, sees
the replay's grid under its "not live" banner, then goes back to the live grid."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests.conftest import FROZEN
from tests.e2e.contrast import low_contrast_texts
from tests.e2e.test_dashboard_live import open_dashboard, shot
from tests.integration.test_replay import imported
from tests.servers import running_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def replay_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("replay-browser")
    listings = imported(folder)
    with running_server(FROZEN | {"SECTORLIGHTS_FLATFILES_LISTINGS": str(listings)}, folder) as url:
        yield url


def test_a_past_session_is_replayed_shown_not_live_and_back_to_live(
    browser: Browser, replay_server: str
) -> None:
    page = open_dashboard(browser, replay_server, still=True)
    as_of = page.get_by_test_id("as-of")
    live_as_of = as_of.get_attribute("datetime")
    expect(page.get_by_test_id("simulated-badge")).to_be_visible()

    page.get_by_test_id("history-toggle").click()
    date, submit = page.get_by_test_id("replay-date"), page.get_by_test_id("replay-submit")
    expect(page.get_by_test_id("replay-time")).to_have_value("16:00")
    expect(submit).to_be_disabled()

    # A Saturday: the server's refusal, naming the field, is shown as it says it.
    date.fill("2017-11-11")
    submit.click()
    expect(page.get_by_test_id("replay-error")).to_contain_text("date: 2017-11-11 is not a NYSE session")
    assert low_contrast_texts(page) == []
    shot(page, "history-replay-refused")

    date.fill("2017-11-09")
    submit.click()
    banner = page.get_by_test_id("historic-banner")
    expect(banner).to_contain_text("Replay of 2017-11-09 16:00 ET — not live", timeout=60_000)
    expect(page.get_by_test_id("history-panel")).to_have_count(0)
    expect(as_of).to_have_attribute("datetime", "2017-11-09T21:00:00Z")
    expect(page.get_by_test_id("replay-badge")).to_contain_text("Replay of 2017-11-09")
    expect(page.get_by_test_id("stale-marker")).to_be_visible()
    expect(page.locator("[data-testid=sector-card]")).to_have_count(8)
    assert low_contrast_texts(page) == []
    shot(page, "dashboard-replay")

    page.get_by_test_id("back-to-live").click()
    expect(banner).to_have_count(0)
    expect(page.get_by_test_id("replay-badge")).to_have_count(0)
    expect(page.get_by_test_id("simulated-badge")).to_be_visible()
    assert live_as_of is not None and live_as_of.startswith("2026-11-24")
    expect(as_of).to_have_attribute("datetime", live_as_of)

    # The replay is now a stored run in the list, marked as one.
    page.get_by_test_id("history-toggle").click()
    runs = page.get_by_test_id("history-runs")
    expect(runs.locator("optgroup[label='2017-11-09'] option")).to_contain_text("replay")
    page.close()
