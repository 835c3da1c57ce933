"""Shared fixtures: small parameter sets that switch mechanisms off exactly."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from sim.params import Params

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


# --- browser tests: headless Debian Chromium, driven through dash.testing ------------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
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


@pytest.hookimpl(optionalhook=True)
def pytest_setup_options():
    """Chrome options for dash.testing: Debian's Chromium, headless, sandbox off."""
    from selenium.webdriver.chrome.options import Options

    options = Options()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    return options


def install_chromium() -> str | None:
    """Install Debian's chromium and chromium-driver if missing; None, or why it could not."""
    if CHROMIUM.exists() and CHROMEDRIVER.exists():
        return None
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "they are missing and only root may install them"
    if shutil.which("apt-get") is None:
        return "they are missing and there is no apt-get to install them"
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (
        ["apt-get", "update"],
        ["apt-get", "install", "-y", "chromium", "chromium-driver"],
    ):
        try:
            subprocess.run(
                command, check=True, capture_output=True, text=True, timeout=1800, env=environment
            )
        except subprocess.CalledProcessError as error:
            return f"`{' '.join(command)}` failed: {error.stderr.strip()[-500:]}"
        except (OSError, subprocess.TimeoutExpired) as error:
            return f"`{' '.join(command)}` failed: {error}"
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        return "apt-get ran but they are still missing"
    return None


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's Chromium and its driver, installed once per session when missing (as root)."""
    problem = install_chromium()
    if problem is not None:
        pytest.fail(
            f"The browser tests need {CHROMIUM} and {CHROMEDRIVER}: {problem}. "
            "Install them with `apt-get install chromium chromium-driver`.",
            pytrace=False,
        )
    return CHROMIUM
