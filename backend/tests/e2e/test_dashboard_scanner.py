"""The gap scanner and the stock panel in real Chromium, on the simulated overnight gaps at 04:05
ET (one server for the module): the largest gapper first in the scanner and in the moves strip, a
click opening its chart with the headline behind the move; the panel opened from a top list and a
drill-down row; links out; both themes' contrast; every view fitting 1440, 800 and 390 px; and the
initial JavaScript staying small, the new views loaded only when opened."""

from __future__ import annotations

import gzip
import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, Response, expect

from tests.conftest import OVERNIGHT_GAPS
from tests.e2e.contrast import low_contrast_texts
from tests.e2e.test_dashboard_bugs import horizontal_overflow
from tests.e2e.test_dashboard_live import shot

pytestmark = pytest.mark.browser

WIDTHS = (1440, 800, 390)
START = datetime(2026, 11, 24, 4, 4, 45, tzinfo=ZoneInfo("America/New_York"))
# The overnight_gaps market from just before 04:05 at 2x, the move watcher on: its 04:05 snapshot
# (a few real seconds in) flags the gappers as significant moves and serves the scanner. The clock
# runs, so the watcher polls again (a frozen clock would poll once, maybe before the first run's
# universe), and a module's few minutes stay within the moves' half hour.
GAPS_AT_0405 = OVERNIGHT_GAPS | {"SECTORLIGHTS_SIM_NOW": START.isoformat(), "SECTORLIGHTS_SIM_SPEED": "2"}
#: The issue's bound on the JavaScript a first visit loads (gzip).
INITIAL_JS_MAX_BYTES = 150_000


@pytest.fixture(scope="module")
def server_env() -> dict[str, str]:
    return GAPS_AT_0405


def open_page(browser: Browser, url: str, width: int, *, scheme: str = "dark") -> Page:
    context = browser.new_context(
        viewport={"width": width, "height": 1000},
        color_scheme=scheme,  # type: ignore[arg-type]
        reduced_motion="reduce",
    )
    page = context.new_page()
    page.goto(url + "/")
    expect(page.locator("[data-testid=sector-card]")).to_have_count(8, timeout=30_000)
    return page


def close(page: Page) -> None:
    page.context.close()


def top_gapper(server: str) -> dict[str, Any]:
    row: dict[str, Any] = httpx.get(server + "/api/scanner?limit=1", timeout=30).json()["rows"][0]
    return row


def open_scanner(page: Page) -> Locator:
    page.get_by_test_id("scanner-button").click()
    rows = page.get_by_test_id("scanner-row")
    expect(rows.first).to_be_visible(timeout=15_000)
    return rows


def percent(text: str) -> float:
    return float(re.sub(r"[^\d.\-+]", "", text))


def dollars(text: str) -> float:
    match = re.fullmatch(r"\$([\d.]+)([KMBT]?)", text.strip())
    assert match is not None, text
    return float(match[1]) * {"": 1, "K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}[match[2]]


def assert_fits(page: Page, width: int, frames: str) -> None:
    """Nothing in `frames` is wider than its box, and the page does not scroll sideways."""
    assert horizontal_overflow(page, frames) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def stock_panel(page: Page, symbol: str) -> Locator:
    dialog = page.get_by_role("dialog", name=re.compile(rf"^{re.escape(symbol)}\b"))
    expect(dialog).to_be_visible(timeout=15_000)
    return dialog


def expect_chart_and_news(dialog: Locator) -> None:
    """The candles drawn, and the news answered: headlines, or in words that there are none."""
    expect(dialog.locator(".price-chart-canvas canvas").first).to_be_visible(timeout=15_000)
    news = dialog.locator("[data-testid=news-item], [data-testid=news-empty]")
    expect(news.first).to_be_visible(timeout=15_000)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_largest_gapper_leads_the_scanner_and_the_moves_and_opens_its_chart(
    browser: Browser, server: str, width: int
) -> None:
    top = top_gapper(server)
    assert abs(top["gap_pct"]) >= 30 and top["headline"], top
    page = open_page(browser, server, width)
    rows = open_scanner(page)
    expect(rows.first).to_have_attribute("data-symbol", top["symbol"])
    gaps = [abs(percent(text)) for text in page.get_by_test_id("scanner-gap").all_inner_texts()[:10]]
    assert gaps == sorted(gaps, reverse=True)
    expect(rows.first.get_by_test_id("scanner-headline")).to_have_attribute("title", top["headline"])
    expect(page.get_by_test_id("scanner-summary")).to_contain_text("pre-market")
    # The move watcher flagged it too: the strip's first (largest) move.
    move = page.get_by_test_id("move-alert").first
    expect(move).to_have_attribute("data-symbol", top["symbol"], timeout=60_000)
    shot(page, f"scanner-{width}")
    assert_fits(page, width, ".scanner, .board, .move-alerts")
    # A click on the move opens the stock, not only its sector: its chart and the headline.
    opener = move.locator(".move-open")
    opener.click()
    dialog = stock_panel(page, top["symbol"])
    expect_chart_and_news(dialog)
    expect(dialog.get_by_test_id("news-item").first).to_contain_text(top["headline"])
    expect(dialog.get_by_test_id("news-sentiment").first).to_have_text(
        re.compile("Positive" if top["gap_pct"] > 0 else "Negative")
    )
    assert_fits(page, width, ".stock-panel, .stock-panel-backdrop, .stock-body, .stock-section")
    box, chart = dialog.bounding_box(), dialog.locator(".price-chart-canvas").bounding_box()
    assert box is not None and chart is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    assert box["x"] <= chart["x"] and chart["x"] + chart["width"] <= box["x"] + box["width"]
    shot(page, f"stock-panel-{width}")
    # Daily candles on request.
    dialog.get_by_test_id("interval-day").click()
    expect(dialog.get_by_test_id("price-chart")).to_have_attribute("data-interval", "day", timeout=15_000)
    expect(dialog.locator(".price-chart-canvas canvas").first).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(opener).to_be_focused()
    close(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_scanner_fits_sorts_and_filters(browser: Browser, server: str, width: int) -> None:
    page = open_page(browser, server, width)
    rows = open_scanner(page)
    frame = page.get_by_test_id("scanner-frame")
    assert_fits(page, width, ".scanner, .board")
    frame_box = frame.bounding_box()
    assert frame_box is not None and frame_box["x"] >= 0 and frame_box["x"] + frame_box["width"] <= width
    # A table wider than its frame scrolls inside it, the symbol pinned at the frame's left edge.
    symbol = rows.first.locator("th.symbol")
    before = symbol.bounding_box()
    frame.evaluate("element => { element.scrollLeft = element.scrollWidth; }")
    after = symbol.bounding_box()
    assert before is not None and after is not None and abs(after["x"] - before["x"]) < 1
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # Sorted by dollar volume: largest first.
    with page.expect_response(lambda response: "sort=dollar_volume" in response.url):
        page.get_by_test_id("sort-dollar_volume").click()
    expect(page.get_by_test_id("scanner")).to_have_attribute("aria-busy", "false")
    header = page.get_by_role("columnheader", name=re.compile(r"^\$ Vol"))
    expect(header).to_have_attribute("aria-sort", "descending")
    table = page.get_by_test_id("scanner-table")
    expect(table).to_have_accessible_name(re.compile("sorted by dollar volume$"))
    volumes = [dollars(text) for text in page.get_by_test_id("scanner-dollar-volume").all_inner_texts()[:10]]
    assert volumes == sorted(volumes, reverse=True)
    # At least a 20 % gap, in one sector of the grid.
    with page.expect_response(lambda response: "min_gap_pct=20" in response.url):
        page.get_by_test_id("filter-min-gap").select_option("20")
    expect(page.get_by_test_id("scanner")).to_have_attribute("aria-busy", "false")
    expect(rows.first).to_be_visible()
    gaps = [abs(percent(text)) for text in page.get_by_test_id("scanner-gap").all_inner_texts()]
    assert gaps and all(gap >= 20 for gap in gaps)
    top = top_gapper(server)
    with page.expect_response(lambda response: f"sector={top['sector']}" in response.url):
        page.get_by_test_id("filter-sector").select_option(top["sector"])
    expect(page.get_by_test_id("scanner")).to_have_attribute("aria-busy", "false")
    expect(rows.first).to_have_attribute("data-symbol", top["symbol"])
    shot(page, f"scanner-filtered-{width}")
    # The choice is kept for the next visit.
    page.reload()
    expect(page.get_by_test_id("filter-sector")).to_have_value(top["sector"], timeout=30_000)
    close(page)


def test_the_stock_panel_opens_from_a_top_list_and_a_drill_down_row(browser: Browser, server: str) -> None:
    page = open_page(browser, server, 1440)
    # A top list's symbol opens the stock, not the card's drill-down.
    listed = page.locator("[data-testid=stock-item] [data-testid=open-stock]").first
    symbol = listed.get_attribute("data-symbol") or ""
    listed.click()
    dialog = stock_panel(page, symbol)
    expect(page.get_by_role("dialog")).to_have_count(1)
    expect_chart_and_news(dialog)
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)
    # The gapper's sector: its drill-down lists the news behind its catalyst factor, the gapper's
    # headline among them.
    top = top_gapper(server)
    page.locator(f"[data-testid=sector-card][data-sector={top['sector']}]").click()
    drill_down = page.get_by_role("dialog", name=re.compile(r"sector detail$"))
    news = drill_down.get_by_test_id("sector-news")
    summary = news.get_by_test_id("catalyst-summary")
    expect(summary).to_contain_text("News factor on the score", timeout=15_000)
    expect(news.get_by_test_id("news-item").filter(has_text=top["headline"]).first).to_be_visible()
    # A drill-down row opens its stock over the drill-down; Escape closes the stock only.
    row = drill_down.get_by_test_id("constituent-row").first
    expect(row).to_be_visible(timeout=15_000)
    member = row.get_attribute("data-symbol") or ""
    row.get_by_test_id("open-stock").click()
    dialog = stock_panel(page, member)
    expect(dialog.locator(".price-chart-canvas canvas").first).to_be_visible(timeout=15_000)
    shot(page, "stock-panel-from-drill-down-1440")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(drill_down).to_be_visible()
    expect(row.get_by_test_id("open-stock")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)
    # The lookup's member opens it too.
    lookup = page.get_by_test_id("stock-lookup")
    lookup.get_by_role("textbox").fill(member)
    lookup.get_by_role("textbox").press("Enter")
    page.get_by_test_id("stock-result").get_by_role("button", name="Chart & news").click()
    stock_panel(page, member)
    close(page)


@pytest.mark.parametrize("scheme", ["dark", "light"])
@pytest.mark.parametrize("width", [1440, 390])
def test_the_new_views_meet_aa_contrast_in_both_themes(
    browser: Browser, server: str, width: int, scheme: str
) -> None:
    page = open_page(browser, server, width, scheme=scheme)
    assert page.evaluate("document.documentElement.dataset.theme") == scheme
    open_scanner(page)
    expect(page.get_by_test_id("move-alert").first).to_be_visible(timeout=60_000)
    assert low_contrast_texts(page) == []
    page.get_by_test_id("scanner-row").first.get_by_test_id("open-stock").click()
    dialog = page.get_by_test_id("stock-panel")
    expect_chart_and_news(dialog)
    expect(dialog.get_by_test_id("chart-link").first).to_be_visible()
    assert low_contrast_texts(page) == []
    dialog.get_by_test_id("links-edit").click()
    expect(dialog.get_by_test_id("links-editor")).to_be_visible()
    assert low_contrast_texts(page) == []
    shot(page, f"stock-panel-{scheme}-{width}")
    # The drill-down's catalyst news, from the stock's sector.
    dialog.get_by_test_id("stock-open-sector").click()
    news = page.get_by_test_id("sector-news")
    expect(news.get_by_test_id("news-item").first).to_be_visible(timeout=15_000)
    assert low_contrast_texts(page) == []
    close(page)


def test_links_out_are_built_from_the_preferences_and_edited_in_place(browser: Browser, server: str) -> None:
    page = open_page(browser, server, 800)
    top = top_gapper(server)
    open_scanner(page).first.get_by_test_id("open-stock").click()
    dialog = stock_panel(page, top["symbol"])
    links = dialog.get_by_test_id("chart-link")
    expect(links).to_have_count(2, timeout=15_000)
    expect(links.first).to_have_attribute(
        "href", f"https://www.tradingview.com/chart/?symbol={top['symbol']}"
    )
    expect(links.first).to_have_attribute("target", "_blank")
    expect(links.first).to_have_attribute("rel", "noopener noreferrer")
    # A template without {symbol}: the server's refusal, in its words.
    dialog.get_by_test_id("links-edit").click()
    dialog.get_by_test_id("link-add").click()
    dialog.get_by_test_id("link-label").last.fill("StockCharts")
    dialog.get_by_test_id("link-url").last.fill("https://stockcharts.com/h-sc/ui")
    dialog.get_by_test_id("links-save").click()
    expect(dialog.get_by_test_id("links-error")).to_contain_text("must contain {symbol}")
    shot(page, "links-refused-800")
    dialog.get_by_test_id("link-url").last.fill("https://stockcharts.com/h-sc/ui?s={symbol}")
    dialog.get_by_test_id("links-save").click()
    expect(dialog.get_by_test_id("links-editor")).to_have_count(0)
    expect(links).to_have_count(3)
    expect(links.last).to_have_attribute("href", f"https://stockcharts.com/h-sc/ui?s={top['symbol']}")
    saved = httpx.get(server + "/api/preferences", timeout=30).json()["chart_links"]
    assert saved[-1] == {"label": "StockCharts", "url_template": "https://stockcharts.com/h-sc/ui?s={symbol}"}
    close(page)
    # The other tests read the default links.
    preferences = httpx.get(server + "/api/preferences", timeout=30).json()
    httpx.put(server + "/api/preferences", json=preferences | {"chart_links": saved[:-1]}, timeout=30)


def test_the_first_visit_loads_under_150_kb_of_javascript_and_the_new_views_on_demand(
    browser: Browser, server: str
) -> None:
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    scripts: dict[str, bytes] = {}

    def record(response: Response) -> None:
        if response.request.resource_type == "script" and response.ok:
            scripts[response.url] = response.body()

    page.on("response", record)
    page.goto(server + "/")
    expect(page.locator("[data-testid=sector-card]")).to_have_count(8, timeout=30_000)
    page.wait_for_load_state("networkidle")
    initial = dict(scripts)
    gzipped = sum(len(gzip.compress(body, compresslevel=9)) for body in initial.values())
    assert gzipped < INITIAL_JS_MAX_BYTES, (gzipped, sorted(initial))
    lazy = ("ScannerPanel", "StockPanel", "PriceChart", "lightweight-charts")
    assert not [url for url in initial if any(name in url for name in lazy)], sorted(initial)
    # Waited for as responses: a response event's handler may run after the view it loaded is shown.
    with page.expect_response(lambda response: "ScannerPanel" in response.url):
        open_scanner(page)
    with page.expect_response(lambda response: "lightweight-charts" in response.url):
        page.get_by_test_id("scanner-row").first.get_by_test_id("open-stock").click()
    expect(page.locator(".price-chart-canvas canvas").first).to_be_visible(timeout=15_000)
    page.close()


def test_a_tap_tells_why_a_score_is_missing_and_arrow_keys_reach_a_cards_stocks(
    browser: Browser, server: str
) -> None:
    """At 04:05 no price from 30 minutes earlier exists yet: the 30M "—" says why on a tap (a phone
    has no hover). The cards stay one Tab apart; the arrow keys walk a card's stocks and pins."""
    page = open_page(browser, server, 390)
    cell = page.locator("[data-testid=tf-cell][data-missing=true]").first
    card = page.locator("[data-testid=sector-card]").filter(has=cell).first
    cell.get_by_test_id("tf-return").click()
    expect(card.get_by_test_id("tf-reason")).to_contain_text("no score — no price from 30 minutes earlier")
    expect(page.get_by_role("dialog")).to_have_count(0)
    shot(page, "missing-reason-390")
    close(page)
    page = open_page(browser, server, 1440)
    card = page.locator("[data-testid=sector-card]").first
    card.focus()
    symbol = card.locator("[data-testid=stock-item] [data-testid=open-stock]").first
    for _ in range(12):
        page.keyboard.press("ArrowDown")
        if page.evaluate("document.activeElement?.dataset?.testid") == "open-stock":
            break
    expect(symbol).to_be_focused()
    page.keyboard.press("Enter")
    stock_panel(page, symbol.get_attribute("data-symbol") or "")
    page.keyboard.press("Escape")
    expect(symbol).to_be_focused()
    page.keyboard.press("Escape")
    expect(card).to_be_focused()
    close(page)
