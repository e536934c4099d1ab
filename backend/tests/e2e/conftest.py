"""The Chromium of the browser test modules, and the built dashboard they need."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from sectorlights.settings import REPO_ROOT
from tests.services import unavailable

CHROMIUM = Path("/usr/bin/chromium")
DIST = REPO_ROOT / "frontend" / "dist"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# Per module, not per session: Playwright's sync API keeps an event loop running in this thread
# while it is open, and later tests on the same worker call asyncio.run().
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        unavailable("Chromium is not installed at /usr/bin/chromium")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield instance
        instance.close()


@pytest.fixture(scope="module", autouse=True)
def built_dashboard() -> None:
    """Before conftest's `server` starts: without a built front end there is no page to test."""
    if not (DIST / "index.html").is_file():
        unavailable("the front end is not built (make build)")
