"""Install the browser the browser tests drive: Debian's chromium and chromium-driver.

The README's test command (and so `.ci/run`) runs this before pytest:

    .venv/bin/python tests/install_browser.py

It does nothing when /usr/bin/chromium and /usr/bin/chromedriver are there. Otherwise, as
root, it installs them with apt-get, non-interactively (never a sudo prompt), waiting for
another package manager to finish (a fresh machine updates itself at boot): apt-get waits
for dpkg's lock itself, this script polls the package lists' lock that `apt-get update`
takes, retries a mirror in the middle of a sync, and finishes a dpkg run that was cut short.

It never stops the test command: when it cannot install them (not root, no apt-get, apt
failing), it says why and exits 0, and the browser tests then fail with the same advice
(tests/conftest.py checks for the browser). The exit status is 1 only when asked
(`--strict`), for a machine that must have the browser.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
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
ADVICE = "install them with `apt-get install chromium chromium-driver` (as root)"


def browser_present() -> bool:
    """Are Debian's Chromium and its driver where the browser tests look for them?"""
    return CHROMIUM.exists() and CHROMEDRIVER.exists()


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
    if browser_present():
        return None
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "they are missing and only root may install them"
    if shutil.which("apt-get") is None:
        return "they are missing and there is no apt-get to install them"
    for arguments in (["update"], ["install", "-y", "chromium", "chromium-driver"]):
        problem = run_as_package_manager([*APT_GET, *arguments])
        if problem is not None:
            return problem
    if not browser_present():
        return "apt-get ran but they are still missing"
    return None


def main(arguments: list[str]) -> int:
    if browser_present():
        return 0
    print(f"Installing {CHROMIUM} and {CHROMEDRIVER} for the browser tests...", flush=True)
    problem = install_chromium()
    if problem is None:
        print("Installed.", flush=True)
        return 0
    print(
        f"The browser tests need {CHROMIUM} and {CHROMEDRIVER}: {problem}; {ADVICE}. "
        "The browser tests will fail until then.",
        file=sys.stderr,
    )
    return 1 if "--strict" in arguments else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
