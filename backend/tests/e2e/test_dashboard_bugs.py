"""What misled a trader on the dashboard, in real Chromium: the moves strip's order, the drill-down on
narrow screens, the header's status, the 30-minute column before there is history, the controls'
layout and feedback."""

from __future__ import annotations

import json
import re

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import FROZEN, OVERNIGHT_GAPS
from tests.e2e.test_dashboard import ARTIFACTS
from tests.e2e.test_dashboard_live import open_dashboard, shot
from tests.servers import running_server

pytestmark = pytest.mark.browser

WIDTHS = (1440, 800, 390)


def horizontal_overflow(page: Page, selector: str) -> list[dict[str, object]]:
    """The elements matching `selector` whose content is wider than their box."""
    result: list[dict[str, object]] = page.evaluate(
        """selector => [...document.querySelectorAll(selector)]
            .filter(element => element.scrollWidth > element.clientWidth)
            .map(element => ({
                cls: element.className, scroll: element.scrollWidth, client: element.clientWidth
            }))""",
        selector,
    )
    return result


@pytest.mark.parametrize("width", WIDTHS)
def test_the_drill_down_fits_the_screen(browser: Browser, server: str, width: int) -> None:
    page = open_dashboard(browser, server, width=width, still=True)
    page.locator("[data-testid=sector-card][data-sector=technology]").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_test_id("constituent-row").first).to_be_visible(timeout=15_000)
    history = dialog.locator(".history-chart-canvas, [data-testid=history-empty]")
    expect(history.first).to_be_visible(timeout=15_000)
    # Nothing in the dialog is wider than the dialog, nor the dialog than the screen; only the
    # constituents table scrolls, inside its own frame.
    frames = ".sector-detail, .sector-detail-backdrop, .detail-body, .detail-section"
    assert horizontal_overflow(page, frames) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    box = dialog.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
    for element in (dialog.locator(".history-chart-canvas"), dialog.get_by_test_id("constituents-table")):
        if element.count():
            frame = element.first.bounding_box()
            assert frame is not None and frame["x"] >= box["x"] and frame["x"] < box["x"] + box["width"]
    chart = dialog.locator(".history-chart-canvas")
    if chart.count():
        chart_box = chart.first.bounding_box()
        assert chart_box is not None and chart_box["x"] + chart_box["width"] <= box["x"] + box["width"]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"drill-down-{width}.png"))
    page.close()


def test_the_moves_strip_shows_the_largest_moves_first_and_all_on_request(
    browser: Browser, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """overnight_gaps just after 04:00: a burst of gappers, published largest first."""
    with running_server(OVERNIGHT_GAPS, tmp_path_factory.mktemp("gaps")) as base_url:
        page = open_dashboard(browser, base_url, still=True)
        alerts = page.get_by_test_id("move-alert")
        expect(alerts.first).to_be_visible(timeout=60_000)
        more = page.get_by_test_id("move-more")
        expect(more).to_be_visible(timeout=30_000)
        shot(page, "moves-strip-1440")
        more.click()
        changes = [
            abs(float(re.sub(r"[^\d.\-+]", "", text)))
            for text in page.locator("[data-testid=move-alert] .move-change").all_inner_texts()
        ]
        assert len(changes) > 5
        assert changes == sorted(changes, reverse=True)
        # A page opened now has them from its snapshot, in the same order.
        late = open_dashboard(browser, base_url, still=True)
        late.get_by_test_id("move-more").click()
        late_changes = [
            abs(float(re.sub(r"[^\d.\-+]", "", text)))
            for text in late.locator("[data-testid=move-alert] .move-change").all_inner_texts()
        ]
        assert late_changes[0] == max(changes)
        assert late_changes == sorted(late_changes, reverse=True)
        for width in (800, 390):
            late.set_viewport_size({"width": width, "height": 1000})
            shot(late, f"moves-strip-{width}")
        late.close()
        page.close()


RUN_ID = "01f503fc-2dc2-4395-8d74-95cc3918ff61"
RATE_LIMITED = '{"detail": "too many requests for user local: at most 6 a minute; retry in 4 s"}'
STARTED = json.dumps(
    {
        "run_id": RUN_ID,
        "status": "running",
        "stage": "queued",
        "progress_pct": 0,
        "trigger": "on_demand",
        "joined": False,
    }
)
RUNNING = json.dumps(
    {
        "run_id": RUN_ID,
        "trigger": "on_demand",
        "status": "running",
        "stage": "daily_bars",
        "progress_pct": 40,
        "provider": "simulated",
        "started_at": "2026-11-24T11:37:00Z",
        "finished_at": None,
        "as_of": "2026-11-24T11:37:00Z",
        "universe_size": 320,
        "error": None,
    }
)


def positions(page: Page) -> dict[str, tuple[float, float]]:
    """Where the controls and the grid's first card are (x, y)."""
    found = {}
    for name, locator in (
        ("view", page.get_by_test_id("view-cached")),
        ("run", page.get_by_test_id("run-fresh")),
        ("grid", page.locator("[data-testid=sector-card]").first),
    ):
        box = locator.bounding_box()
        assert box is not None
        found[name] = (round(box["x"]), round(box["y"]))
    return found


@pytest.mark.parametrize("width", WIDTHS)
def test_the_controls_stay_put_and_speak_plainly(browser: Browser, server: str, width: int) -> None:
    page = open_dashboard(browser, server, width=width, still=True)
    before = positions(page)
    run_width = page.get_by_test_id("run-fresh").bounding_box()["width"]  # type: ignore[index]
    # A rate limit: plain words, in place.
    page.route(
        "**/api/analysis",
        lambda route: route.fulfill(
            status=429, body=RATE_LIMITED, headers={"Retry-After": "4", "Content-Type": "application/json"}
        ),
    )
    page.get_by_test_id("run-fresh").click()
    error = page.get_by_test_id("analysis-error")
    expect(error).to_have_text("Too many analysis requests just now — try again in 4 s.")
    assert positions(page) == before
    # "View cached" says what it did, in place.
    page.get_by_test_id("view-cached").click()
    expect(page.get_by_test_id("view-cached-note")).to_be_visible()
    assert positions(page) == before
    # A run in progress: the bar appears under the buttons, which stay where they were.
    page.unroute("**/api/analysis")
    page.route(
        "**/api/analysis",
        lambda route: route.fulfill(status=202, body=STARTED, headers={"Content-Type": "application/json"}),
    )
    page.route(
        f"**/api/analysis/{RUN_ID}",
        lambda route: route.fulfill(status=200, body=RUNNING, headers={"Content-Type": "application/json"}),
    )
    page.get_by_test_id("run-fresh").click()
    expect(page.get_by_test_id("analysis-progress")).to_be_visible()
    expect(page.get_by_test_id("run-fresh")).to_be_disabled()
    assert positions(page) == before
    assert page.get_by_test_id("run-fresh").bounding_box()["width"] == run_width  # type: ignore[index]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shot(page, f"controls-running-{width}")
    page.close()


def test_the_flash_bar_clears_the_symbol(browser: Browser, server: str) -> None:
    page = open_dashboard(browser, server, still=False)
    line = page.get_by_test_id("stock-item").first
    line.evaluate("element => element.classList.add('tick-up')")
    symbol = line.locator(".stock-symbol").bounding_box()
    box = line.bounding_box()
    assert symbol is not None and box is not None
    # The flash's 3 px bar is drawn inside the line's left edge: the symbol starts past it.
    assert symbol["x"] >= box["x"] + 3
    page.close()


PRE_MARKET_FIRST_RUN = FROZEN | {
    "SECTORLIGHTS_SIM_SCENARIO": "overnight_gaps",
    "SECTORLIGHTS_SIM_NOW": "2026-11-24T04:05:00-05:00",
}


def test_the_30m_column_says_why_it_is_empty_before_there_is_history(
    browser: Browser, tmp_path_factory: pytest.TempPathFactory
) -> None:
    with running_server(PRE_MARKET_FIRST_RUN, tmp_path_factory.mktemp("premarket")) as base_url:
        grid = httpx.get(base_url + "/api/sectors", timeout=30).json()
        for sector in grid["sectors"]:
            cell = sector["timeframes"]["30m"]
            assert cell["return_pct"] is None and cell["score"] is None, sector["sector"]
            assert "30 minutes earlier" in cell["missing_reason"]
        for width in WIDTHS:
            page = open_dashboard(browser, base_url, width=width, still=True)
            cells = page.locator("[data-testid=tf-cell][data-timeframe='30m']")
            expect(cells).to_have_count(8)
            for index in range(8):
                expect(cells.nth(index).get_by_test_id("tf-return")).to_have_text("—")
                assert "30 minutes earlier" in (cells.nth(index).get_attribute("title") or "")
            # One word on how current the grid is.
            header = page.locator(".app-header")
            assert header.locator(".freshness, .stale-marker").count() <= 1
            shot(page, f"premarket-30m-{width}")
            page.close()


def test_a_page_opened_before_the_first_analysis_shows_the_grid_once_it_is_done(
    browser: Browser, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Bug: the page stayed on "No analysis yet" after the run's update came over /ws, and it never
    asked again. Now it keeps asking while it waits, and the run's update brings the grid."""
    env = FROZEN | {"SECTORLIGHTS_RUN_ON_START": "false"}
    with running_server(env, tmp_path_factory.mktemp("first"), ready_path="/livez") as base_url:
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        with page.expect_request(lambda request: request.url.endswith("/api/sectors"), timeout=20_000):
            page.goto(base_url + "/")
        waiting = page.get_by_test_id("status-waiting")
        expect(waiting).to_contain_text("No analysis yet")
        # It asks again while it waits, rather than once at load.
        with page.expect_request(lambda request: request.url.endswith("/api/sectors"), timeout=20_000):
            pass
        started = httpx.post(base_url + "/api/analysis", timeout=30)
        assert started.status_code == 202, started.text
        expect(page.locator("[data-testid=sector-card]")).to_have_count(8, timeout=60_000)
        expect(waiting).to_have_count(0)
        shot(page, "first-analysis-arrives-1440")
        page.close()
