"""Time the Compare page: 3 plans x 20 replications of the default organization to a verdict.

Two measurements:

- `eachcustomer.dashboard.compare.comparison.run_comparison` in this process (the kernels loaded
first, as the
  dashboard does at start-up): the default plans (doing nothing, a training day, culture
  change), 20 replications each, best of `--repeats`, CPU and wall; in turn with the same
  comparison made one run at a time (`run_replications` with batches of one, as before
  batching), so that the gain is measured, not assumed;
- in headless Chromium (`--browser`): the dashboard started as a user would, the Compare
  page opened, replications set to 20, and the time from the click on Run to the verdict's
  headline on the page, after one warm-up comparison.

Run from the repository root:

    python benchmarks/compare_latency.py --browser --write   # what RESULTS.md records

`--write` replaces the "## Compare page" section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # the sibling modules
from dashboard_latency import browser, free_port, start_server, wait_for  # noqa: E402
from results_file import replace_section  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

RESULTS = REPO / "benchmarks" / "RESULTS.md"
SECTION = "## Compare page"
REPLICATIONS = 20
TARGET_SECONDS = 2.0


def measure_in_process(repeats: int) -> dict[str, tuple[float, float]]:
    """Best (wall, CPU) seconds of run_comparison, batched and one run at a time, in turn."""
    import eachcustomer.dashboard.compare.comparison as compare
    from eachcustomer.dashboard.settings import default_settings
    from eachcustomer.experiments.running.runs import run_replications
    from eachcustomer.sim.warmup import compile_kernels

    compile_kernels()
    settings = default_settings()
    plans = list(compare.DEFAULT_PLANS)
    ways = {"batched": run_replications, "one at a time": partial(run_replications, batch_size=1)}
    best: dict[str, tuple[float, float]] = {}
    for _ in range(repeats):
        for name, runner in ways.items():
            compare.run_replications = runner
            try:
                wall, cpu = time.perf_counter(), time.process_time()
                result = compare.run_comparison(settings, plans, REPLICATIONS)
                spent = (time.perf_counter() - wall, time.process_time() - cpu)
            finally:
                compare.run_replications = run_replications
            assert result["error"] is None, result["error"]
            old = best.get(name, (float("inf"), float("inf")))
            best[name] = (min(old[0], spent[0]), min(old[1], spent[1]))
    return best


def measure_in_browser(repeats: int) -> list[float]:
    """Seconds from clicking Run on Compare to the verdict's headline, `repeats` times."""
    from selenium.webdriver.common.keys import Keys

    port = free_port()
    url = f"http://127.0.0.1:{port}/compare"
    log = Path(tempfile.gettempdir()) / "compare-latency-server.log"
    server = start_server(port, log)
    driver = browser()
    seconds = []
    try:
        for index in range(repeats + 1):
            # A fresh page each time: the page keeps its last comparison in the session.
            driver.get(url)
            driver.execute_script("window.sessionStorage.clear();")
            driver.get(url)
            wait_for(
                driver,
                "return document.getElementById('compare-run') !== null && "
                "!document.querySelector('[data-dash-is-loading=\"true\"]')",
            )
            slider = driver.find_element("css selector", "#compare-replications [role=slider]")
            slider.send_keys(Keys.END)  # 20 replications
            wait_for(
                driver,
                "return document.querySelector('#compare-replications [role=slider]')"
                f".getAttribute('aria-valuenow') === '{REPLICATIONS}'",
            )
            time.sleep(0.5)  # the slider's value reaches the app's state
            started = time.perf_counter()
            driver.find_element("id", "compare-run").click()
            wait_for(
                driver,
                "const h = document.getElementById('compare-headline');"
                "return h !== null && h.textContent.length > 0",
                timeout=120,
            )
            if index:  # the first is a warm-up
                seconds.append(time.perf_counter() - started)
            status = driver.find_element("id", "compare-status").text
            assert f"{REPLICATIONS} replications per plan" in status, status
    finally:
        driver.quit()
        server.terminate()
        server.wait(timeout=10)
    return seconds


def report(
    in_process: dict[str, tuple[float, float]],
    clicks: list[float] | None,
    command: str,
    load: tuple[float, float, float],
) -> str:
    batched, alone = in_process["batched"], in_process["one at a time"]
    lines = [
        SECTION,
        "",
        f"Command: `{command}`",
        "",
        f"Measured {datetime.date.today().isoformat()} on {os.cpu_count()} cores "
        f"({platform.machine()}), Python {platform.python_version()}; load average "
        f"{load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f} at the start and "
        f"{', '.join(f'{v:.2f}' for v in os.getloadavg())} at the end.",
        "",
        "The default plans (doing nothing, a one-off training day, culture change) with "
        f"{REPLICATIONS} replications each on the default organization (500 employees, 104 "
        "weeks): 60 runs.",
        "",
        "| measure | wall s | CPU s | target |",
        "|---|---|---|---|",
        f"| `run_comparison`, batched | {batched[0]:.2f} | {batched[1]:.2f} | "
        f"<= {TARGET_SECONDS:.0f} s |",
        f"| `run_comparison`, one run at a time | {alone[0]:.2f} | {alone[1]:.2f} | |",
    ]
    if clicks:
        lines.append(
            f"| browser, click on Run to the verdict (median of {len(clicks)}; best "
            f"{min(clicks):.2f}, worst {max(clicks):.2f}) | {statistics.median(clicks):.2f} "
            f"| | <= {TARGET_SECONDS:.0f} s |"
        )
    lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--browser", action="store_true", help="also time the page in Chromium")
    parser.add_argument("--write", action="store_true", help="record in RESULTS.md")
    args = parser.parse_args()
    load = os.getloadavg()
    in_process = measure_in_process(args.repeats)
    clicks = measure_in_browser(args.repeats) if args.browser else None
    text = report(in_process, clicks, "python " + " ".join(sys.argv), load)
    print(text)
    if args.write:
        replace_section(RESULTS, SECTION, text)


if __name__ == "__main__":
    main()
