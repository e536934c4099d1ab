"""Browser measurements shared by the browser tests and `make bench`."""

from __future__ import annotations

from playwright.sync_api import Browser


def first_render_ms(browser: Browser, url: str, width: int = 1440) -> dict[str, float]:
    """Milliseconds from navigation start until all 8 sector cards are in the page, on a fresh
    page (cold: nothing cached), then once more on a reload."""
    page = browser.new_page(viewport={"width": width, "height": 1000})
    try:
        results = {}
        for phase in ("cold", "reload"):
            if phase == "cold":
                page.goto(url)
            else:
                page.reload()
            # A locator wait, not a polled expression: the page's CSP forbids the eval that needs.
            page.locator("[data-testid=sector-card]").nth(7).wait_for()
            results[f"{phase}_ms"] = float(page.evaluate("performance.now()"))
        return results
    finally:
        page.close()
