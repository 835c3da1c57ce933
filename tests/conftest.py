"""Shared fixtures: small parameter sets that switch mechanisms off exactly; headless Chromium
for the browser tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

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
APT_LOCK_WAIT_SECONDS = 600
"""How long to wait for another package manager: a fresh machine updates itself at boot."""
APT_GET = (
    "apt-get",
    "-o",
    f"DPkg::Lock::Timeout={APT_LOCK_WAIT_SECONDS}",
    "-o",
    "Acquire::Retries=3",
)
LOCK_HELD = ("Could not get lock", "Unable to lock", "Unable to acquire", "locked by another")
"""How apt-get and dpkg say that another process holds a lock. DPkg::Lock::Timeout makes
apt wait for dpkg's locks, not for the package lists' lock that `apt-get update` takes."""
DPKG_INTERRUPTED = "dpkg --configure -a"
"""Named in apt's message when an earlier dpkg run (one cut short at boot) left work undone."""
ATTEMPTS = 3
"""Tries of a command that failed for another reason (say, a mirror in the middle of a sync)."""


def run_as_package_manager(command: list[str]) -> str | None:
    """Run an apt-get or dpkg command, waiting out the other package managers; None, or why
    it failed."""
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    deadline = time.monotonic() + APT_LOCK_WAIT_SECONDS
    failures = 0
    while True:
        try:
            subprocess.run(
                command, check=True, capture_output=True, text=True, timeout=1800, env=environment
            )
            return None
        except subprocess.CalledProcessError as error:
            message = (error.stderr or error.stdout or "").strip()
        except (OSError, subprocess.TimeoutExpired) as error:
            return f"`{' '.join(command)}` failed: {error}"
        if any(words in message for words in LOCK_HELD):
            if time.monotonic() > deadline:
                return f"`{' '.join(command)}` waited too long for a lock: {message[-500:]}"
            time.sleep(5)  # polling another process's lock: apt offers no way to wait on it
            continue
        if DPKG_INTERRUPTED in message and command[0] != "dpkg":
            problem = run_as_package_manager(["dpkg", "--configure", "-a"])
            if problem is not None:
                return problem
        failures += 1
        if failures >= ATTEMPTS:
            return f"`{' '.join(command)}` failed: {message[-500:]}"
        time.sleep(10 * failures)  # a mirror in the middle of a sync needs a moment


def install_chromium() -> str | None:
    """Install Debian's chromium and chromium-driver if missing; None, or why it could not."""
    if CHROMIUM.exists() and CHROMEDRIVER.exists():
        return None
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "they are missing and only root may install them"
    if shutil.which("apt-get") is None:
        return "they are missing and there is no apt-get to install them"
    for arguments in (["update"], ["install", "-y", "chromium", "chromium-driver"]):
        problem = run_as_package_manager([*APT_GET, *arguments])
        if problem is not None:
            return problem
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        return "apt-get ran but they are still missing"
    return None


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
    """`start_chromium`, once Debian's Chromium and its driver are there (installed once per
    session when missing, as root)."""
    problem = install_chromium()
    if problem is not None:
        pytest.fail(
            f"The browser tests need {CHROMIUM} and {CHROMEDRIVER}: {problem}. "
            "Install them with `apt-get install chromium chromium-driver`.",
            pytrace=False,
        )
    return start_chromium
