"""The dashboard in real Chromium against the real server."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from sectorlights.domain.vocabulary import COLORS, SECTORS
from tests.conftest import SIM_NOW
from tests.e2e.contrast import low_contrast_texts
from tests.servers import running_server

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server_env() -> dict[str, str]:
    """The full simulated market at SIM_NOW, on its schedule."""
    return {"SECTORLIGHTS_SIM_NOW": SIM_NOW.isoformat()}


def test_eight_colored_cards(browser: Browser, server: str) -> None:
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    page.goto(server + "/")
    cards = page.locator("[data-testid=sector-card]")
    cards.first.wait_for(timeout=30_000)
    assert cards.count() == 8
    assert [cards.nth(i).get_attribute("data-sector") for i in range(8)] == [s.value for s in SECTORS]
    for index in range(8):
        card = cards.nth(index)
        color = card.get_attribute("data-color")
        assert color in {c.value for c in COLORS}
        assert color is not None and color.replace("_", "-") in (card.get_attribute("class") or "")
        background = card.evaluate("element => getComputedStyle(element).backgroundImage")
        assert "linear-gradient" in background
        assert card.locator("[data-testid=tf-cell]").count() == 4
        if card.get_attribute("data-insufficient") is None:
            expect(card.get_by_test_id("card-history")).to_be_visible()
    assert page.get_by_test_id("simulated-badge").is_visible()
    assert page.get_by_test_id("data-age").inner_text().strip()
    # Four cards per row on a desktop-wide screen.
    tops = {round(cards.nth(i).bounding_box()["y"]) for i in range(8)}  # type: ignore[index]
    assert len(tops) == 2
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-1440.png"), full_page=True)
    page.close()


SCENARIO_COLORS = {
    "tech_selloff_healthcare_rotation": {
        "technology": {"light_red", "dark_red"},
        "healthcare": {"light_green", "dark_green"},
    },
    "fda_approval_wave": {"healthcare": {"dark_green"}},
}


@pytest.mark.parametrize("scenario", sorted(SCENARIO_COLORS))
def test_scenario_colors_on_the_dashboard(
    browser: Browser, tmp_path_factory: pytest.TempPathFactory, scenario: str
) -> None:
    env = {"SECTORLIGHTS_SIM_NOW": SIM_NOW.isoformat(), "SECTORLIGHTS_SIM_SCENARIO": scenario}
    with running_server(env, tmp_path_factory.mktemp(scenario)) as base_url:
        page = browser.new_page(viewport={"width": 1440, "height": 1000}, reduced_motion="reduce")
        page.goto(base_url + "/")
        page.locator("[data-testid=sector-card]").first.wait_for(timeout=30_000)
        # Every colour the scenario brings keeps its text readable.
        assert low_contrast_texts(page) == []
        for sector, allowed in SCENARIO_COLORS[scenario].items():
            card = page.locator(f"[data-testid=sector-card][data-sector={sector}]")
            color = card.get_attribute("data-color")
            assert color in allowed, (scenario, sector, color)
            assert (color or "").replace("_", "-") in (card.get_attribute("class") or "")
        if scenario == "fda_approval_wave":
            # Shorting a dark-green sector is off: its bearish list is suppressed, with the reason.
            healthcare = page.locator("[data-testid=sector-card][data-sector=healthcare]")
            note = healthcare.get_by_test_id("list-note").last
            assert "bullish sector" in note.inner_text(), note.inner_text()
        if scenario == "tech_selloff_healthcare_rotation":
            # The drill-down of a light green sector: the lightest fill behind white text (the
            # frozen default market has no light green sector under the sturdy score).
            light_green = page.locator("[data-testid=sector-card][data-color=light_green]")
            expect(light_green.first).to_be_visible()
            light_green.first.click()
            expect(page.get_by_test_id("constituent-row").first).to_be_visible(timeout=15_000)
            assert low_contrast_texts(page) == []
            page.keyboard.press("Escape")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"dashboard-{scenario}.png"), full_page=True)
        page.close()


def test_the_dashboard_and_the_api_docs_run_under_the_content_security_policy(
    browser: Browser, server: str
) -> None:
    """`script-src 'self'`, no inline style, nothing from another site: Chromium reports every
    refusal on the console."""
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    refusals: list[str] = []
    page.on(
        "console",
        lambda message: refusals.append(message.text) if "Content Security Policy" in message.text else None,
    )
    page.goto(server + "/")
    cards = page.locator("[data-testid=sector-card]")
    cards.first.wait_for(timeout=30_000)
    cards.first.click()
    page.wait_for_load_state("networkidle")
    page.goto(server + "/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("SectorLights", timeout=30_000)
    expect(page.locator(".opblock").first).to_be_visible()
    page.close()
    assert refusals == []
