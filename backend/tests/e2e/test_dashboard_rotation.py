"""The Rotation view in real Chromium on the simulated market at 06:37 ET (one server for the module):
every dot drawn where `GET /api/rrg` puts it (its figures, its side of each axis, its tail's length),
daily and 30-minute, the table saying the same, each card's badge the graph's quadrant, the view
loaded only when opened and fitting 1440 and 390 px, and its texts meeting AA contrast in both themes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.contrast import low_contrast_texts
from tests.e2e.test_dashboard_bugs import horizontal_overflow
from tests.e2e.test_dashboard_live import shot
from tests.e2e.test_dashboard_scanner import open_page

pytestmark = pytest.mark.browser

WIDTHS = (1440, 390)


def rrg(server: str, interval: str, tail: int) -> dict[str, Any]:
    response = httpx.get(f"{server}/api/rrg", params={"interval": interval, "tail": tail}, timeout=30)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def open_rotation(page: Page) -> None:
    # Its own chunk, fetched on the first open: waited for as a response, before the view shows.
    with page.expect_response(lambda response: "RotationPanel" in response.url):
        page.get_by_test_id("rotation-button").click()
    expect(page.get_by_test_id("rrg-dot")).to_have_count(8, timeout=15_000)
    expect(page.get_by_test_id("rotation")).to_have_attribute("aria-busy", "false")


def assert_drawn_as_served(page: Page, graph: dict[str, Any]) -> None:
    """Each dot's figures are the sector's last point; it lies on the side of each axis at 100 that
    its figures say, in its quadrant; its tail has one mark per earlier point; the table agrees."""
    chart = page.get_by_test_id("rrg-chart")
    axis_x = float(chart.get_by_test_id("rrg-axis-ratio").get_attribute("x1") or "nan")
    axis_y = float(chart.get_by_test_id("rrg-axis-momentum").get_attribute("y1") or "nan")
    for entry in graph["sectors"]:
        last = entry["points"][-1]
        dot = chart.locator(f"[data-testid=rrg-dot][data-sector={entry['sector']}]")
        expect(dot).to_have_attribute("data-rs-ratio", _number(last["rs_ratio"]))
        expect(dot).to_have_attribute("data-rs-momentum", _number(last["rs_momentum"]))
        expect(dot).to_have_attribute("data-quadrant", entry["quadrant"])
        expect(dot).to_have_attribute("data-points", str(len(entry["points"])))
        cx, cy = float(dot.get_attribute("cx") or "nan"), float(dot.get_attribute("cy") or "nan")
        assert (cx >= axis_x) == (last["rs_ratio"] >= 100), (entry["sector"], cx, axis_x)
        assert (cy <= axis_y) == (last["rs_momentum"] >= 100), (entry["sector"], cy, axis_y)
        series = chart.locator(f".rrg-series[data-sector={entry['sector']}]")
        expect(series.locator(".rrg-point")).to_have_count(len(entry["points"]) - 1)
        row = page.locator(f"[data-testid=rrg-row][data-sector={entry['sector']}]")
        expect(row).to_have_attribute("data-quadrant", entry["quadrant"])
        expect(row.get_by_test_id("rrg-ratio")).to_have_text(f"{last['rs_ratio']:.2f}")
        expect(row.get_by_test_id("rrg-momentum")).to_have_text(f"{last['rs_momentum']:.2f}")
    # Dots further right have a larger RS-Ratio, as drawn.
    xs = [
        float(
            chart.locator(f"[data-testid=rrg-dot][data-sector={entry['sector']}]").get_attribute("cx") or "0"
        )
        for entry in graph["sectors"]
    ]
    ratios = [entry["points"][-1]["rs_ratio"] for entry in graph["sectors"]]
    assert sorted(range(8), key=lambda index: xs[index]) == sorted(range(8), key=lambda index: ratios[index])


def _number(value: float) -> str:
    """As JavaScript writes a number into an attribute."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


@pytest.mark.parametrize("width", WIDTHS)
def test_the_rotation_view_draws_what_the_api_serves(browser: Browser, server: str, width: int) -> None:
    page = open_page(browser, server, width)
    open_rotation(page)
    day = rrg(server, "day", 5)
    assert all(len(entry["points"]) == 5 for entry in day["sectors"])
    assert_drawn_as_served(page, day)
    expect(page.get_by_test_id("rotation-summary")).to_contain_text("Daily bars")
    assert horizontal_overflow(page, ".rotation, .rotation-frame, .rotation-side") == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    chart = page.get_by_test_id("rrg-chart").bounding_box()
    assert chart is not None and chart["x"] >= 0 and chart["x"] + chart["width"] <= width
    shot(page, f"rotation-{width}")

    # Each card's badge is the graph's quadrant, daily and over 30-minute bars.
    intraday = rrg(server, "30min", 12)
    quadrants = {entry["sector"]: [entry["quadrant"]] for entry in day["sectors"]}
    for entry in intraday["sectors"]:
        quadrants[entry["sector"]].append(entry["quadrant"])
    for sector, (daily, half_hourly) in quadrants.items():
        badge = page.locator(f"[data-testid=sector-card][data-sector={sector}] [data-testid=rotation-badge]")
        expect(badge).to_have_attribute("data-day", daily)
        expect(badge).to_have_attribute("data-intraday", half_hourly)

    # 30-minute bars and the longest tail.
    with page.expect_response(lambda response: "interval=30min" in response.url):
        page.get_by_test_id("rrg-interval-30min").click()
    with page.expect_response(lambda response: "tail=12" in response.url):
        page.get_by_test_id("rrg-tail").select_option("12")
    expect(page.get_by_test_id("rotation")).to_have_attribute("aria-busy", "false")
    expect(page.get_by_test_id("rotation-summary")).to_contain_text("30 min bars")
    assert_drawn_as_served(page, intraday)
    assert horizontal_overflow(page, ".rotation, .rotation-frame, .rotation-side") == []
    shot(page, f"rotation-30min-{width}")
    page.context.close()


def test_r_shows_and_hides_it_and_the_choice_is_kept(browser: Browser, server: str) -> None:
    page = open_page(browser, server, 1440)
    page.keyboard.press("r")
    expect(page.get_by_test_id("rotation")).to_be_focused(timeout=15_000)
    expect(page.get_by_test_id("rrg-dot")).to_have_count(8, timeout=15_000)
    with page.expect_response(lambda response: "interval=30min" in response.url):
        page.get_by_test_id("rrg-interval-30min").click()
    page.reload()
    expect(page.get_by_test_id("rrg-interval-30min")).to_have_attribute(
        "aria-pressed", "true", timeout=30_000
    )
    page.keyboard.press("r")
    expect(page.get_by_test_id("rotation")).to_have_count(0)
    page.context.close()


@pytest.mark.parametrize("scheme", ["dark", "light"])
@pytest.mark.parametrize("width", WIDTHS)
def test_the_rotation_view_meets_aa_contrast_in_both_themes(
    browser: Browser, server: str, width: int, scheme: str
) -> None:
    page = open_page(browser, server, width, scheme=scheme)
    assert page.evaluate("document.documentElement.dataset.theme") == scheme
    open_rotation(page)
    expect(page.get_by_test_id("rotation-badge").first).to_be_visible()
    assert low_contrast_texts(page) == []
    shot(page, f"rotation-{scheme}-{width}")
    page.context.close()
