"""What misled a trader on the dashboard, in real Chromium: the moves strip's order, the drill-down on
narrow screens, the header's status, the 30-minute column before there is history, the controls'
layout and feedback."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import OVERNIGHT_GAPS
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
