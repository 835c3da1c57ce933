"""Shared fixtures: small parameter sets that switch mechanisms off exactly; headless Chromium
for the browser tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from install_browser import ADVICE, CHROMEDRIVER, CHROMIUM, browser_present

from eachcustomer.sim.params import Params

MECHANISMS_OFF = {
    "encounter_impact": 0.0,
    "strain_recovery": 0.0,
    "drift_rate": 0.0,
    "incentive_rate": 0.0,
    "focus_noise": 0.0,
    "turnover_rate": 0.0,
    "negativity_bias": 1.0,
    "disposition_pull": 0.0,
}
"""Everything but contagion off, contagion symmetric: the DeGroot setting of MODEL.md."""


@pytest.fixture
def degroot_params() -> Params:
    return Params(n_employees=60, customers_per_employee=2, contagion_rate=0.5, **MECHANISMS_OFF)


# --- browser tests: headless Debian Chromium, driven by selenium ---------------------------
# tests/install_browser.py installs Chromium and its driver; the README's test command runs
# it before pytest. Here the browser is only looked for.

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,1000",
)


def start_chromium(downloads: Path) -> Any:
    """Headless Debian Chromium under selenium; the files it downloads land in `downloads`."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_experimental_option(
        "prefs",
        {"download.default_directory": str(downloads), "download.prompt_for_download": False},
    )
    options.set_capability("goog:loggingPrefs", {"browser": "SEVERE"})
    # The driver named, so that selenium never looks for (or downloads) one of its own.
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    return driver


@pytest.fixture(scope="session")
def chromium() -> Callable[[Path], Any]:
    """`start_chromium`, when Debian's Chromium and its driver are there."""
    if not browser_present():
        pytest.fail(
            f"The browser tests need {CHROMIUM} and {CHROMEDRIVER}, and they are missing: "
            "`python tests/install_browser.py` installs them as root (the README's test "
            f"command runs it before pytest), or {ADVICE}.",
            pytrace=False,
        )
    return start_chromium
