"""The dashboard's drill-down, lookup, fresh runs, live updates and reconnects in real Chromium."""

from __future__ import annotations

import json
import re
from contextlib import AbstractContextManager

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import FROZEN, OVERNIGHT_GAPS
from tests.e2e.contrast import low_contrast_texts
from tests.e2e.measure import first_render_ms
from tests.e2e.test_dashboard import ARTIFACTS
from tests.servers import RunningProcess, migrate, running_process, running_server
from tests.services import free_port

pytestmark = pytest.mark.browser


def open_dashboard(
    browser: Browser, url: str, width: int = 1440, *, still: bool = False, init_script: str | None = None
) -> Page:
    """The dashboard at `width` px; `still` asks for reduced motion, so nothing is mid-animation;
    `init_script` runs in the page before its own scripts."""
    page = browser.new_page(
        viewport={"width": width, "height": 1000}, reduced_motion="reduce" if still else None
    )
    if init_script is not None:
        page.add_init_script(init_script)
    page.goto(url + "/")
    expect(page.locator("[data-testid=sector-card]")).to_have_count(8, timeout=30_000)
    return page


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_two_cards_per_row_on_a_tablet_and_live_connection(browser: Browser, server: str) -> None:
    page = open_dashboard(browser, server, width=800)
    cards = page.locator("[data-testid=sector-card]")
    expect(cards).to_have_count(8)
    # All eight read in one go: a live update moving the grid between reads would split a row.
    tops = [
        round(top)
        for top in page.evaluate(
            "[...document.querySelectorAll('[data-testid=sector-card]')]"
            ".map(card => card.getBoundingClientRect().top)"
        )
    ]
    assert len(set(tops)) == 4 and all(tops.count(top) == 2 for top in set(tops))
    expect(page.get_by_test_id("connection-indicator")).to_have_attribute("data-state", "connected")
    shot(page, "dashboard-800")
    page.close()


def test_one_card_per_row_on_a_phone(browser: Browser, server: str) -> None:
    page = open_dashboard(browser, server, width=390)
    cards = page.locator("[data-testid=sector-card]")
    boxes = [cards.nth(i).bounding_box() for i in range(8)]
    assert len({round(box["x"]) for box in boxes if box}) == 1
    assert len({round(box["y"]) for box in boxes if box}) == 8
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing overflows sideways
    # Each coloured card says what its colour was followed by on real history, inside the card.
    coloured = page.locator("[data-testid=sector-card]:not([data-insufficient])")
    assert coloured.count() > 0
    for index in range(coloured.count()):
        card = coloured.nth(index)
        line = card.get_by_test_id("card-history")
        expect(line).to_be_visible()
        # The shipped history's data set and years close the line (whichever set it was made from).
        expect(line).to_have_text(re.compile(r"^Historically: .+ \(.+ \d{4}(–\d{2,4})?\)$"))
        card_box, line_box = card.bounding_box(), line.bounding_box()
        assert card_box is not None and line_box is not None
        assert (
            card_box["x"] <= line_box["x"]
            and line_box["x"] + line_box["width"] <= card_box["x"] + card_box["width"]
        )
    expect(page.get_by_test_id("colour-note")).to_contain_text("they are not a forecast. On real history (")
    shot(page, "dashboard-390")
    page.close()


def test_every_text_has_accessible_contrast(browser: Browser, server: str) -> None:
    page = open_dashboard(browser, server, still=True)
    assert low_contrast_texts(page) == []
    # The measure can fail: grey on grey is caught.
    page.evaluate(
        """() => { const p = document.createElement('p'); p.textContent = 'faint';
        p.style.cssText = 'color:#777;background:#888'; document.body.append(p); }"""
    )
    assert [failure["text"] for failure in low_contrast_texts(page)] == ["faint"]
    page.evaluate("document.body.lastElementChild.remove()")

    symbol = httpx.get(server + "/api/sectors", timeout=30).json()["sectors"][1]["top_bearish"][0]["symbol"]
    lookup = page.get_by_test_id("stock-lookup")
    lookup.get_by_role("textbox").fill(symbol)
    lookup.get_by_role("textbox").press("Enter")
    expect(page.get_by_test_id("stock-result")).to_contain_text(symbol)
    assert low_contrast_texts(page) == []
    page.close()


def test_drill_down_sorts_constituents_and_closes(browser: Browser, server: str) -> None:
    page = open_dashboard(browser, server)
    expected = httpx.get(server + "/api/sectors/technology", timeout=30).json()["constituent_count"]
    page.locator("[data-testid=sector-card][data-sector=technology]").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    rows = dialog.get_by_test_id("constituent-row")
    expect(rows).to_have_count(expected, timeout=15_000)
    header = dialog.get_by_role("columnheader", name="Symbol")
    header.click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    symbols = [rows.nth(i).get_attribute("data-symbol") or "" for i in range(3)]
    assert symbols == sorted(symbols)
    shot(page, "drill-down")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    # Keyboard only: Tab reaches the first card past the header controls and the lookup, Enter
    # opens it, Escape closes it and gives the focus back to the card.
    page.close()
    page = open_dashboard(browser, server)
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement?.dataset?.testid") == "sector-card":
            break
    focused = page.locator("[data-testid=sector-card]:focus")
    expect(focused).to_have_attribute("data-sector", "technology")
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("[data-testid=sector-card][data-sector=technology]")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("[data-testid=sector-card][data-sector=healthcare]")).to_be_focused()
    page.close()


def test_stock_lookup_shows_membership(browser: Browser, server: str) -> None:
    grid = httpx.get(server + "/api/sectors", timeout=30).json()
    symbol = grid["sectors"][0]["top_bullish"][0]["symbol"]
    page = open_dashboard(browser, server)
    lookup = page.get_by_test_id("stock-lookup")
    lookup.get_by_role("textbox").fill(symbol.lower())
    lookup.get_by_role("textbox").press("Enter")
    result = page.get_by_test_id("stock-result")
    expect(result).to_contain_text(symbol)
    expect(result).to_contain_text("In universe")
    shot(page, "stock-lookup")
    page.close()


def test_a_fresh_run_shows_progress_to_completion(browser: Browser, server: str) -> None:
    page = open_dashboard(browser, server)
    button = page.get_by_test_id("run-fresh")
    button.click()
    expect(page.get_by_test_id("analysis-progress")).to_be_visible(timeout=10_000)
    shot(page, "analysis-progress")
    expect(button).to_be_enabled(timeout=60_000)
    latest = httpx.get(server + "/api/analysis/latest", timeout=30).json()
    assert latest["run"]["status"] == "succeeded" and latest["run"]["trigger"] == "on_demand"
    page.close()


SEEN_RECORDER = """
window.__seen = { leaving: 0, tick: 0 };
new MutationObserver((records) => {
  for (const record of records) {
    const nodes = record.type === 'attributes' ? [record.target] : [...record.addedNodes];
    for (const node of nodes) {
      if (!(node instanceof Element)) continue;
      window.__seen.leaving += node.querySelectorAll('[data-testid=stock-leaving]').length
        + (node.matches('[data-testid=stock-leaving]') ? 1 : 0);
      window.__seen.tick += node.querySelectorAll('[data-tick]').length
        + (node.matches('[data-tick]') ? 1 : 0);
    }
  }
}).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-tick'] });
"""


def test_a_live_sector_update_highlights_its_card(
    browser: Browser,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """The simulated 04:00 overnight gaps: significant moves re-run the analysis, whose
    `sector_update` reaches the open page and highlights the changed cards."""
    with running_server(OVERNIGHT_GAPS, tmp_path_factory.mktemp("gaps")) as base_url:
        # Transient states (a name leaving, a change ticking) are recorded as they are drawn.
        page = open_dashboard(browser, base_url, init_script=SEEN_RECORDER)
        changed = page.locator("[data-testid=sector-card][data-changed=true]")
        expect(changed.first).to_be_visible(timeout=60_000)
        # When it changed, on the card; the moves that set it off, above the grid.
        expect(changed.first.get_by_test_id("card-changed-at")).to_contain_text("changed 04:0")
        # Screen readers are told what the colors show.
        expect(page.get_by_test_id("change-announcer")).to_contain_text(re.compile(r"now .+, was "))
        alerts = page.get_by_test_id("move-alert")
        expect(alerts.first).to_be_visible(timeout=30_000)
        shot(page, "sector-update")
        # The re-analysis reshuffled the top lists: names came in (NEW), went out (faded), and the
        # changes of names that stayed moved up or down.
        expect(page.get_by_test_id("new-badge").first).to_be_visible()
        seen = page.evaluate("window.__seen")
        assert seen["leaving"] > 0 and seen["tick"] > 0, seen
        expect(page.get_by_test_id("stock-leaving")).to_have_count(0, timeout=5_000)
        # A page opened now still lists the moves, from its snapshot.
        late = open_dashboard(browser, base_url)
        expect(late.get_by_test_id("move-alert").first).to_be_visible()
        # A move opens its stock; its sector name opens the sector.
        late.get_by_test_id("move-alert").first.locator(".move-sector").click()
        expect(late.get_by_role("dialog")).to_be_visible()
        late.close()
        page.close()


def test_the_page_reconnects_after_the_server_restarts(
    browser: Browser,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    workdir = tmp_path_factory.mktemp("restart")
    migrate(FROZEN, workdir)
    port = free_port()

    def start() -> AbstractContextManager[RunningProcess]:
        """The server on the same port and workdir each time, its log appended to."""
        return running_process(["serve"], FROZEN, workdir, "/api/sectors", 120, "server", port=port)

    with start() as first:
        page = open_dashboard(browser, first.base_url)
        indicator = page.get_by_test_id("connection-indicator")
        expect(indicator).to_have_attribute("data-state", "connected")
    expect(indicator).to_have_attribute("data-state", "reconnecting", timeout=20_000)
    expect(page.locator("[data-testid=sector-card]")).to_have_count(8)  # last known data stays
    expect(page).to_have_title(re.compile(r"^⚠ .*Reconnecting.* · \d\d:\d\d ET · SectorLights$"))
    shot(page, "reconnecting")
    with start():
        try:
            expect(indicator).to_have_attribute("data-state", "connected", timeout=60_000)
            # The restarted server numbers its events from 1 again: the page takes its snapshot (no
            # longer stale) and follows the new numbering (a fresh run's progress shows).
            expect(page).to_have_title(re.compile(r"^\d\d:\d\d ET · SectorLights$"))
            expect(page.get_by_test_id("status-error")).to_be_hidden()
            page.get_by_test_id("run-fresh").click()
            expect(page.get_by_test_id("analysis-progress")).to_be_visible(timeout=10_000)
            shot(page, "reconnected")
        finally:
            page.close()


def test_first_render_is_recorded(browser: Browser, server: str) -> None:
    timings = first_render_ms(browser, server + "/")
    assert timings["cold_ms"] > 0 and timings["reload_ms"] > 0
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "first-render.json").write_text(json.dumps(timings, indent=2))
