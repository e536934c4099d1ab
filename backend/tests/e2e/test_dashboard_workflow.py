"""A trader's workflow in real Chromium: the legend and plain labels, alerts with a granted
notification permission, the watchlist, keyboard shortcuts, both themes' contrast and a phone's
first screen, at 1440, 800 and 390 px."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import FROZEN, OVERNIGHT_GAPS
from tests.e2e.contrast import low_contrast_texts
from tests.e2e.test_dashboard_live import shot
from tests.servers import running_server

pytestmark = pytest.mark.browser

WIDTHS = (1440, 800, 390)


@pytest.fixture(scope="module")
def server_env() -> dict[str, str]:
    return FROZEN


def open_page(
    browser: Browser,
    url: str,
    width: int,
    height: int = 1000,
    *,
    scheme: str = "dark",
    init: str | None = None,
) -> Page:
    context = browser.new_context(
        viewport={"width": width, "height": height},
        color_scheme=scheme,  # type: ignore[arg-type]
        reduced_motion="reduce",
        permissions=["notifications"],
    )
    page = context.new_page()
    if init is not None:
        page.add_init_script(init)
    page.goto(url + "/")
    expect(page.locator("[data-testid=sector-card]")).to_have_count(8, timeout=30_000)
    return page


def close(page: Page) -> None:
    page.context.close()


def a_listed_symbol(server: str) -> str:
    sectors = httpx.get(server + "/api/sectors", timeout=30).json()["sectors"]
    return next(
        stock["symbol"] for sector in sectors for stock in sector["top_bullish"] + sector["top_bearish"]
    )


@pytest.mark.parametrize("scheme", ["dark", "light"])
@pytest.mark.parametrize("width", WIDTHS)
def test_each_theme_follows_the_system_and_meets_aa_contrast(
    browser: Browser, server: str, width: int, scheme: str
) -> None:
    page = open_page(browser, server, width, scheme=scheme)
    assert page.evaluate("document.documentElement.dataset.theme") == scheme
    assert low_contrast_texts(page) == []
    # The legend, the alerts panel and a lookup with the pin button are measured too.
    page.get_by_test_id("legend-button").click()
    expect(page.get_by_test_id("legend")).to_contain_text("−1 … +1")
    assert low_contrast_texts(page) == []
    page.get_by_test_id("legend-close").click()
    page.get_by_test_id("alerts-button").click()
    expect(page.get_by_test_id("alerts-panel")).to_be_visible()
    assert low_contrast_texts(page) == []
    shot(page, f"workflow-{scheme}-{width}")
    page.get_by_test_id("alerts-close").click()
    # The toggle switches to the other theme, which must read as well.
    page.get_by_test_id("theme-toggle").click()
    other = "light" if scheme == "dark" else "dark"
    expect(page.locator("html")).to_have_attribute("data-theme", other)
    assert low_contrast_texts(page) == []
    close(page)


def test_the_lookup_names_the_exchange_and_the_legend_explains_the_grid(
    browser: Browser, server: str
) -> None:
    page = open_page(browser, server, 1440)
    symbol = a_listed_symbol(server)
    lookup = page.get_by_test_id("stock-lookup")
    lookup.get_by_role("textbox").fill(symbol)
    lookup.get_by_role("textbox").press("Enter")
    result = page.get_by_test_id("stock-result")
    expect(result).to_contain_text(symbol)
    exchange = page.get_by_test_id("lookup-exchange")
    expect(exchange).to_have_text(re.compile(r"^(NYSE|Nasdaq|NYSE American)$"))
    # The top lists show their order.
    expect(page.get_by_test_id("stock-rank").first).to_have_text("#1")
    expect(page.get_by_test_id("tf-alpha").first).to_contain_text("α adj")
    shot(page, "workflow-lookup-1440")
    close(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_keyboard_shortcuts(browser: Browser, server: str, width: int) -> None:
    page = open_page(browser, server, width)
    page.keyboard.press("?")
    expect(page.get_by_test_id("shortcuts")).to_contain_text("Look up a stock")
    shot(page, f"workflow-shortcuts-{width}")
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("shortcuts")).to_be_hidden()
    page.keyboard.press("/")
    box = page.get_by_test_id("stock-lookup").get_by_role("textbox")
    expect(box).to_be_focused()
    # Typed into the lookup, a digit is text, not a sector.
    page.keyboard.type("3")
    expect(box).to_have_value("3")
    expect(page.get_by_role("dialog")).to_have_count(0)
    box.blur()
    page.keyboard.press("3")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Energy")
    close(page)


def test_a_phone_shows_the_grid_on_its_first_screen(browser: Browser, server: str) -> None:
    page = open_page(browser, server, 390, 844)
    first = page.locator("[data-testid=sector-card]").first
    box = first.bounding_box()
    assert box is not None
    # The card's title and signal, at least, are on the first screen without scrolling.
    assert box["y"] + 80 <= 844, box
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(shot.__globals__["ARTIFACTS"] / "workflow-first-screen-390.png"))
    close(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_pinned_symbols_are_kept_and_shown_with_their_figures(
    browser: Browser, server: str, width: int
) -> None:
    page = open_page(browser, server, width)
    symbol = a_listed_symbol(server)
    pin = page.locator(f"[data-testid=stock-item][data-symbol='{symbol}'] [data-testid=pin-button]").first
    pin.click()
    expect(pin).to_have_attribute("aria-pressed", "true")
    # Pinning inside a card does not open the card's drill-down.
    expect(page.get_by_role("dialog")).to_have_count(0)
    row = page.locator(f"[data-testid=watch-row][data-symbol='{symbol}']")
    expect(row).to_contain_text("%", timeout=15_000)
    shot(page, f"workflow-watchlist-{width}")
    page.reload()
    expect(page.locator(f"[data-testid=watch-row][data-symbol='{symbol}']")).to_be_visible(timeout=30_000)
    assert symbol in httpx.get(server + "/api/preferences", timeout=30).json()["watchlist"]
    page.locator(f"[data-testid=watch-row][data-symbol='{symbol}'] [data-testid=pin-button]").click()
    expect(page.get_by_test_id("watchlist")).to_have_count(0)
    close(page)


# Records each notification shown, and lets the test say whether the tab is hidden.
NOTIFICATION_RECORDER = """
window.__notified = [];
window.__hidden = false;
const Original = window.Notification;
window.Notification = class extends Original {
  constructor(title, options) {
    super(title, options);
    window.__notified.push(title);
    document.documentElement.dataset.notified = String(window.__notified.length);
  }
};
Object.defineProperty(document, 'visibilityState', { get: () => (window.__hidden ? 'hidden' : 'visible') });
"""


@pytest.mark.parametrize("width", WIDTHS)
def test_alerts_are_turned_on_in_their_panel(browser: Browser, server: str, width: int) -> None:
    page = open_page(browser, server, width, init=NOTIFICATION_RECORDER)
    page.get_by_test_id("alerts-button").click()
    page.get_by_test_id("alerts-notify").check()
    expect(page.get_by_test_id("alerts-permission")).to_have_text("Notifications allowed")
    page.get_by_test_id("alerts-sound").check()
    expect(page.get_by_test_id("alerts-button")).to_contain_text("Alerts on")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shot(page, f"workflow-alerts-{width}")
    page.get_by_test_id("alerts-close").click()
    expect(page.get_by_test_id("alerts-panel")).to_have_count(0)
    close(page)


# Alerts on (as the panel above leaves them, kept in the browser) and the tab hidden from the first
# script on: the moves are counted whether they come in the page's first snapshot or after it.
ALERTS_ON_AND_HIDDEN = (
    NOTIFICATION_RECORDER
    + """
localStorage.setItem('sectorlights.alerts', JSON.stringify({ notify: true, sound: true }));
window.__hidden = true;
"""
)
# 60 market seconds before the 04:00 gaps at 5x: 12 s for the server and the page to be up first.
GAPS_AHEAD = OVERNIGHT_GAPS | {"SECTORLIGHTS_SIM_NOW": "2026-11-24T03:59:00-05:00"}


def test_alerts_notify_and_flag_the_tab_title_until_it_is_seen(
    browser: Browser, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """On the simulated 04:00 overnight gaps the move watch pushes significant moves and the re-run
    sector updates; with notifications allowed they are shown, and the hidden tab counts them."""
    with running_server(GAPS_AHEAD, tmp_path_factory.mktemp("alerts")) as base_url:
        page = open_page(browser, base_url, 1440, init=ALERTS_ON_AND_HIDDEN)
        expect(page.get_by_test_id("alerts-button")).to_contain_text("Alerts on")
        expect(page.get_by_test_id("move-alert").first).to_be_visible(timeout=60_000)
        # Polled through an attribute: the page's CSP refuses the eval a string predicate needs.
        expect(page.locator("html")).to_have_attribute("data-notified", re.compile(r"^[1-9]"), timeout=30_000)
        expect(page).to_have_title(re.compile(r"^\(\d+\) .*SectorLights$"))
        page.evaluate("window.__hidden = false; document.dispatchEvent(new Event('visibilitychange'))")
        expect(page).not_to_have_title(re.compile(r"^\(\d+\)"))
        close(page)
