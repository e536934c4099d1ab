"""The member heatmap in real Chromium on the simulated overnight gaps (one server for the module):
the tiles drawn are the API's members, sized and coloured as the API says, for every sector and for
one; a tile opens its stock; unknown floats are listed, not dropped; both themes' contrast; and the
map fitting 1440 and 390 px."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.e2e.contrast import low_contrast_texts
from tests.e2e.test_dashboard_bugs import horizontal_overflow
from tests.e2e.test_dashboard_live import shot
from tests.e2e.test_dashboard_scanner import GAPS_AT_0405, close, open_page

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server_env() -> dict[str, str]:
    return GAPS_AT_0405


def api_heatmap(server: str, query: str) -> dict[str, Any]:
    body: dict[str, Any] = httpx.get(f"{server}/api/heatmap?{query}", timeout=30).json()
    return body


def open_heatmap(page: Page) -> Locator:
    page.get_by_test_id("heatmap-button").click()
    tiles = page.get_by_test_id("heatmap-tile")
    expect(tiles.first).to_be_visible(timeout=15_000)
    return tiles


def drawn(tiles: Locator) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = tiles.evaluate_all(
        """tiles => tiles.map(tile => {
            const box = tile.getBoundingClientRect();
            return {symbol: tile.dataset.symbol, sector: tile.dataset.sector, change: tile.dataset.change,
                    area: box.width * box.height, background: getComputedStyle(tile).backgroundColor};
        })"""
    )
    return result


# The change drawn at full strength (the dashboard's scale): smaller moves fade towards slate.
FULL_SCALE_PCT = {"30m": 2.0, "1d": 5.0, "3d": 8.0, "1w": 12.0}


def assert_tiles_match(tiles: list[dict[str, Any]], heatmap: dict[str, Any]) -> None:
    clear_pct = 0.15 * FULL_SCALE_PCT[heatmap["timeframe"]]
    members = {
        member["symbol"]: (sector["sector"], member)
        for sector in heatmap["sectors"]
        for member in sector["members"]
        if member["size_value"] is not None
    }
    assert sorted(tile["symbol"] for tile in tiles) == sorted(members)
    by_sector: dict[str, list[tuple[float, float]]] = {}
    for tile in tiles:
        sector, member = members[tile["symbol"]]
        assert tile["sector"] == sector
        change = member["change_pct"]
        if change is None:
            assert tile["change"] == ""
        else:
            assert float(tile["change"]) == pytest.approx(change)
            red, green, _blue = (int(part) for part in re.findall(r"\d+", tile["background"])[:3])
            if change <= -clear_pct:
                assert red > green, (tile, change)
            elif change >= clear_pct:
                assert green > red, (tile, change)
        by_sector.setdefault(sector, []).append((member["size_value"], tile["area"]))
    # Inside a sector, areas follow sizes: the share of each tile is its share of the size.
    for pairs in by_sector.values():
        size_total = sum(size for size, _area in pairs)
        area_total = sum(area for _size, area in pairs)
        for size, area in pairs:
            if area > 400:
                assert area / area_total == pytest.approx(size / size_total, rel=0.05, abs=0.002)


@pytest.mark.parametrize("width", [1440, 390])
def test_the_heatmap_draws_the_apis_members_and_a_tile_opens_its_stock(
    browser: Browser, server: str, width: int
) -> None:
    page = open_page(browser, server, width)
    try:
        tiles = open_heatmap(page)
        expect(page.get_by_test_id("heatmap-summary")).to_contain_text("market cap sizes · 1D change")
        assert_tiles_match(drawn(tiles), api_heatmap(server, "timeframe=1d&size_by=market_cap"))
        assert horizontal_overflow(page, ".heatmap-panel, .heatmap-map") == []
        shot(page, f"heatmap-all-{width}")

        page.get_by_test_id("heatmap-sector-select").select_option("energy")
        page.get_by_test_id("heatmap-timeframe").select_option("1w")
        expect(page.get_by_test_id("heatmap-sector")).to_have_count(1)
        expect(tiles.first).to_have_attribute("data-sector", "energy")
        energy = api_heatmap(server, "sector=energy&timeframe=1w&size_by=market_cap")
        assert_tiles_match(drawn(tiles), energy)
        shot(page, f"heatmap-energy-{width}")

        largest = energy["sectors"][0]["members"][0]["symbol"]
        page.locator(f"[data-testid=heatmap-tile][data-symbol='{largest}']").click()
        panel = page.get_by_test_id("stock-panel")
        expect(panel).to_have_attribute("data-symbol", largest)
        # Escape closes the stock alone, then the heatmap.
        page.keyboard.press("Escape")
        expect(panel).to_have_count(0)
        expect(page.get_by_test_id("heatmap-panel")).to_be_visible()
        page.keyboard.press("Escape")
        expect(page.get_by_test_id("heatmap-panel")).to_have_count(0)
    finally:
        close(page)


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_float_sizes_list_unknown_floats_and_the_map_meets_aa_contrast(
    browser: Browser, server: str, scheme: str
) -> None:
    page = open_page(browser, server, 1440, scheme=scheme)
    try:
        tiles = open_heatmap(page)
        page.get_by_test_id("heatmap-sector-select").select_option("")
        page.get_by_test_id("heatmap-size-by").select_option("float")
        expect(page.get_by_test_id("heatmap-summary")).to_contain_text("float sizes")
        heatmap = api_heatmap(server, "timeframe=1d&size_by=float")
        assert_tiles_match(drawn(tiles), heatmap)
        unsized = [m["symbol"] for s in heatmap["sectors"] for m in s["members"] if m["size_value"] is None]
        listed = page.get_by_test_id("heatmap-unsized")
        if unsized:
            expect(listed).to_contain_text(f"({len(unsized)})")
            expect(listed.get_by_test_id("open-stock")).to_have_count(len(unsized))
        else:
            expect(listed).to_have_count(0)
        assert low_contrast_texts(page) == []
        shot(page, f"heatmap-float-{scheme}")
    finally:
        close(page)
