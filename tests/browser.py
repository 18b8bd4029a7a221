"""A real headless browser for the HTML pages: Debian's chromium and chromedriver, driven by selenium.

`.ci/run` installs both with apt when missing and sets BENCH_REQUIRE_BROWSER=1, so in CI a missing
browser fails the browser tests; elsewhere they are skipped with the command that installs it.
"""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import pytest

#: Debian's chromium binary names (the full browser and the headless shell).
CHROMIUM_NAMES = ("chromium", "chromium-browser", "chromium-headless-shell")
INSTALL = "apt-get install -y chromium chromium-driver"


def _chromium() -> str | None:
    found = (shutil.which(name) for name in CHROMIUM_NAMES)
    return next((path for path in found if path), None)


@pytest.fixture(scope="session")
def browser():
    """One headless chromium for the session, with the page's console kept for inspection."""
    binary, driver_path = _chromium(), shutil.which("chromedriver")
    if binary is None or driver_path is None:
        missing = "chromium" if binary is None else "chromedriver"
        if os.environ.get("BENCH_REQUIRE_BROWSER"):
            pytest.fail(f"BENCH_REQUIRE_BROWSER is set and {missing} is not installed ({INSTALL})")
        pytest.skip(f"{missing} is not installed ({INSTALL})")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,1600", "--disable-extensions"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # An explicit driver path: selenium's manager would try to download one, and cannot here.
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def open_page(driver, page: Path) -> dict:
    """Load `page` from disk and return what a reader would see: console errors, pictures, headings, text.

    pictures: for each <img>, (alt text, loaded, natural width, natural height); the screenshot's
    share of non-white pixels and its number of distinct colours tell a blank page from a drawn one.
    """
    import numpy as np
    from matplotlib import image

    driver.get(page.resolve().as_uri())
    driver.get_log("browser")  # the page's own messages follow
    driver.refresh()
    pictures = driver.execute_script(
        "return Array.from(document.images).map(i => [i.alt, i.complete, i.naturalWidth, i.naturalHeight]);")
    texts = driver.execute_script(
        "return [Array.from(document.querySelectorAll('h1, h2')).map(h => h.textContent),"
        " document.body.innerText];")
    errors = [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    shot = image.imread(io.BytesIO(driver.get_screenshot_as_png()), format="png")[..., :3]
    pixels = shot.reshape(-1, 3)
    return {
        "errors": errors,
        "pictures": [tuple(p) for p in pictures],
        "headings": texts[0],
        "text": texts[1],
        "drawn_share": float((pixels.min(axis=1) < 0.9).mean()),
        "colours": len(np.unique((pixels * 255).astype(np.uint8), axis=0)),
    }
