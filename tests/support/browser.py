"""A real headless browser for end-to-end tests: Debian's `chromium` driven by Playwright.

Playwright (PyPI `playwright`) is only the driver here: it never downloads a browser of its own,
it launches the system binary (`/usr/bin/chromium`, or $CHROMIUM_BIN). `scripts/test` installs
the Debian package. A missing binary fails the tests that need it with the install hint; they
do not skip.

    with chromium() as browser:
        context = browser.new_context()       # fresh local storage per test
        page = context.new_page()
        page.goto(url)
        save_screenshot(page, "demo")   # kept in $BROWSER_ARTEFACTS (default test-artefacts/)

Flags follow what works on this machine's closed network: no background networking, component
updates or sync, so Chromium makes no connection of its own.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

INSTALL_HINT = (
    "browser tests need Debian's chromium: apt-get install -y chromium "
    "(or set CHROMIUM_BIN to a Chromium binary)"
)
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)
ARTEFACTS = Path(os.environ.get("BROWSER_ARTEFACTS", "test-artefacts"))


class BrowserMissingError(RuntimeError):
    """No Chromium binary to drive."""


def chromium_binary() -> str:
    candidate = os.environ.get("CHROMIUM_BIN") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(candidate).exists():
        raise BrowserMissingError(INSTALL_HINT)
    return candidate


@contextlib.contextmanager
def chromium() -> Iterator[Browser]:
    """The system Chromium, headless, closed on exit."""
    binary = chromium_binary()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=binary, headless=True, args=list(CHROMIUM_ARGS)
        )
        try:
            yield browser
        finally:
            browser.close()


def save_screenshot(page: Page, name: str) -> Path:
    """A full-page PNG kept as a test artefact (CI keeps the folder)."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTEFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
