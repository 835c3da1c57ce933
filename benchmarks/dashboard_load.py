"""Time how fast the dashboard answers pages while many people run simulations at once.

Starts the dashboard as a user would (`python -m eachcustomer dashboard`, `--max-jobs 2`, on a
free port), then ten browser tabs without a browser (tests/dash_client.py's `DashTab`, which
posts and polls exactly as Dash's renderer does) press Run on Explore at the same moment,
each with its own scenario and 1,500 employees over 78 weeks. Meanwhile another thread asks
for the front page (GET /) every 0.1 s and times each answer. Reported: how long each tab
waited for its run, and the page answers' median, 95th percentile and worst time while the
runs went on (target, issue 12: within 1 s throughout). The test suite checks that every
page is answered while simulations run (tests/test_dashboard_jobs.py); how fast is measured
here, on a machine doing nothing else if you can.

Run from the repository root:

    python benchmarks/dashboard_load.py              # prints a table
    python benchmarks/dashboard_load.py --write      # and records it in RESULTS.md

`--write` replaces the "## Dashboard under load" section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import sys
import tempfile
import textwrap
import threading
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # the sibling results_file module
sys.path.insert(1, str(HERE.parent / "tests"))  # dash_client: tabs as the server sees them
from dash_client import DashTab, served_dashboard  # noqa: E402
from results_file import RESULTS, replace_section  # noqa: E402

SECTION = "## Dashboard under load"
TARGET_SECONDS = 1.0
MAX_JOBS = 2


def tab_settings(index: int, scenarios: list[str]) -> dict:
    """Tab `index`'s own scenario, seed and negativity bias (as the jobs test's tabs)."""
    from eachcustomer.dashboard.settings import default_settings

    return {
        **default_settings(scenarios[index % len(scenarios)]),
        "seed": 100 + index,
        "overrides": {"n_employees": 1500, "horizon_weeks": 78, "negativity_bias": 1.5 + index / 4},
    }


def press_run(tab: DashTab, settings: dict) -> None:
    values = {
        "explore-run.n_clicks": 1,
        "settings.data": settings,
        "explore-why-by.value": "band",
        "explore-why-mode.value": "total",
        "presentation.data": False,
    }
    tab.run("explore-state.data", values, "explore-run.n_clicks")


def measure(tabs: int) -> tuple[list[float], list[float], float]:
    """(page answer times during the runs, each tab's wait for its run, the whole load's
    seconds)."""
    from eachcustomer.experiments.loading.catalogue import builtins

    scenarios = sorted(builtins("scenario"))
    with (
        tempfile.TemporaryDirectory(prefix="eachcustomer-load-") as folder,
        served_dashboard(Path(folder), "--max-jobs", str(MAX_JOBS)) as (url, _),
    ):
        clients = [DashTab(url) for _ in range(tabs)]
        answers: list[float] = []
        waits: list[float] = [0.0] * tabs
        stop = threading.Event()

        def ask() -> None:
            while not stop.is_set():
                began = time.perf_counter()
                with urllib.request.urlopen(url + "/", timeout=60) as answer:
                    answer.read()
                answers.append(time.perf_counter() - began)
                stop.wait(0.1)

        def run(index: int) -> None:
            began = time.perf_counter()
            press_run(clients[index], tab_settings(index, scenarios))
            waits[index] = time.perf_counter() - began

        asker = threading.Thread(target=ask)
        runners = [threading.Thread(target=run, args=(i,)) for i in range(tabs)]
        began = time.perf_counter()
        asker.start()
        for thread in runners:
            thread.start()
        for thread in runners:
            thread.join()
        total = time.perf_counter() - began
        stop.set()
        asker.join()
    return answers, waits, total


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def report(answers: list[float], waits: list[float], total: float, command: str) -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")

    def paragraph(text: str) -> str:
        return textwrap.fill(text, width=92)

    return "\n".join(
        [
            SECTION,
            "",
            paragraph(
                f"Measured {datetime.date.today().isoformat()} on {os.cpu_count()} cores "
                f"({platform.processor() or platform.machine()}), load average {load:.2f}, "
                f"Python {platform.python_version()}, the server with --max-jobs {MAX_JOBS}."
            ),
            "",
            f"Command: `{command}`",
            "",
            paragraph(
                f"{len(waits)} tabs press Run on Explore at once (1,500 employees, 78 weeks, "
                f"each its own scenario); GET / asked every 0.1 s meanwhile ({len(answers)} "
                f"answers). All runs done in {total:.1f} s; a tab waited "
                f"{min(waits):.1f} to {max(waits):.1f} s for its run."
            ),
            "",
            "| page answer (GET /) | median | 95th percentile | worst | target |",
            "|---|---|---|---|---|",
            f"| while the runs go on | {statistics.median(answers) * 1000:.0f} ms | "
            f"{percentile(answers, 0.95) * 1000:.0f} ms | {max(answers) * 1000:.0f} ms | "
            f"<= {TARGET_SECONDS:.0f} s |",
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tabs", type=int, default=10)
    parser.add_argument("--write", action="store_true", help="record in RESULTS.md")
    arguments = parser.parse_args()
    answers, waits, total = measure(arguments.tabs)
    text = report(answers, waits, total, "python " + " ".join(sys.argv))
    print(text)
    if arguments.write:
        replace_section(RESULTS, SECTION, text + "\n")
        print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
