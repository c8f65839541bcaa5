"""Headless Chromium for the browser tests (tests/test_book.py, tests/test_lab.py, tests/test_interactive.py).

Playwright drives Debian's Chromium (or ``$SOFTMAXLAB_CHROMIUM``), never a browser it downloads. A
missing Chromium fails the test with the install hint, or skips it where the reader opted out with
``SOFTMAXLAB_SKIP_BROWSER=1`` outside CI.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
INSTALL_HINT = (
    "The browser test layer (layer 5) needs Chromium and found none. Install it with\n"
    "    sudo apt-get install chromium\n"
    "(Debian/Ubuntu; on other systems install Chromium or Chrome and set "
    "SOFTMAXLAB_CHROMIUM=/path/to/the/browser). To run the other layers without the browser "
    "layer, set SOFTMAXLAB_SKIP_BROWSER=1 (not honoured in CI)."
)


def find_chromium() -> str | None:
    """The Chromium executable to drive: $SOFTMAXLAB_CHROMIUM, else the first one on PATH."""
    override = os.environ.get("SOFTMAXLAB_CHROMIUM")
    if override:
        return override if Path(override).is_file() else None
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else None


def require_chromium() -> str:
    """The Chromium path, or a failure (a skip only if the reader opted out outside CI)."""
    path = find_chromium()
    if path is not None:
        return path
    if os.environ.get("SOFTMAXLAB_SKIP_BROWSER") == "1" and os.environ.get("SOFTMAXLAB_REQUIRE_BROWSER") != "1":
        pytest.skip(INSTALL_HINT)
    pytest.fail(INSTALL_HINT, pytrace=False)


@contextlib.contextmanager
def chromium(profile: Path) -> Iterator:
    """A headless Chromium with a fresh profile (user-data-dir) in ``profile``: a Playwright browser context."""
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=executable,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()
