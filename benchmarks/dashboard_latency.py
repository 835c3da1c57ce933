"""Time the Explore page in a real browser: from pressing Run to the first updated chart,
and to the whole two-year run drawn.

Starts the dashboard as a user would (`python -m eachcustomer dashboard` on a free port), opens
/explore in headless Debian Chromium (/usr/bin/chromium via chromedriver), and repeats:
Reset (the charts show week 0 only), then press Run. The page itself records, with
`performance.now()` and Plotly's `plotly_afterplot` event on the "attitude by distance"
chart, when that chart is first drawn with more than week 0 (first updated chart) and when
it is drawn with all 105 weeks and the status says the run is done (full run shown).
Targets (issue 6): first chart <= 1 s, full run <= 3 s, default scenario.

Run from the repository root:

    python benchmarks/dashboard_latency.py              # 7 repetitions, prints a table
    python benchmarks/dashboard_latency.py --write      # and records it in RESULTS.md

`--write` replaces the "## Dashboard latency" section of benchmarks/RESULTS.md and keeps
the others.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # the sibling results_file module
from results_file import replace_section  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "RESULTS.md"
SECTION = "## Dashboard latency"
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
TARGET_FIRST, TARGET_FULL = 1.0, 3.0

WATCH = """
const done = arguments[arguments.length - 1];
const plot = document.querySelector('#explore-band .js-plotly-plot');
const status = document.getElementById('explore-status');
const timing = {first: null, full: null};
const weeks = () => (plot._fullData && plot._fullData[0] && plot._fullData[0].y)
    ? plot._fullData[0].y.length : 0;
const started = performance.now();
plot.on('plotly_afterplot', () => {
    const now = performance.now() - started;
    if (timing.first === null && weeks() > 1) { timing.first = now; }
    if (timing.full === null && weeks() === 105) { timing.full = now; }
});
const finish = () => {
    if (timing.full !== null && status.textContent.includes('done')) { done(timing); }
    else if (performance.now() - started > 30000) { done(timing); }
    else { setTimeout(finish, 10); }
};
// As fast as it computes (the speed control's last setting): the latency of the run itself,
// not of playing it at the speed a class watches.
window.dash_clientside.set_props('explore-speed', {value: 6});
document.getElementById('explore-run').click();
finish();
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(port: int, log: Path) -> subprocess.Popen:
    environment = {
        **os.environ,
        "EACHCUSTOMER_RESULTS": str(Path(tempfile.gettempdir()) / "bench-results"),
    }
    with log.open("w") as handle:
        process = subprocess.Popen(
            [sys.executable, "-m", "eachcustomer", "dashboard", "--port", str(port)],
            cwd=REPO,
            env=environment,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2):
                return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit(f"the dashboard did not start; see {log}")


def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_script_timeout(60)
    return driver


def wait_for(driver, script: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not driver.execute_script(script):
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for: {script}")
        time.sleep(0.05)


def open_fresh(driver, url: str) -> None:
    """Open Explore in a new session: no stored run, the charts say "Press Run"."""
    driver.get(url)
    driver.execute_script("window.sessionStorage.clear();")
    driver.get(url)
    wait_for(
        driver,
        "return document.querySelector('#explore-band .js-plotly-plot') "
        "!== null && !document.querySelector('[data-dash-is-loading=\"true\"]')",
    )
    time.sleep(1.0)  # let the page's own first callbacks settle


def timed_run(driver, index: int) -> dict[str, float]:
    timing = driver.execute_async_script(WATCH)
    if timing["first"] is None or timing["full"] is None:
        raise SystemExit(f"run {index}: the chart never finished drawing: {timing}")
    return {"first": timing["first"] / 1000, "full": timing["full"] / 1000}


def measure(
    repeats: int, warmups: int, fresh: int
) -> tuple[list[dict[str, float]], list[dict[str, float]]]:
    """(runs after Reset, first runs on a freshly opened page)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/explore"
    log = Path(tempfile.gettempdir()) / "dashboard-latency-server.log"
    server = start_server(port, log)
    driver = browser()
    try:
        open_fresh(driver, url)
        timings = []
        for index in range(warmups + repeats):
            driver.find_element("id", "explore-reset").click()
            wait_for(
                driver,
                "return document.getElementById('explore-status').textContent"
                ".startsWith('Week 0 of 104')",
            )
            time.sleep(0.5)  # let the reset's charts settle before timing
            timing = timed_run(driver, index)
            if index >= warmups:
                timings.append(timing)
        cold = []
        for index in range(fresh):
            open_fresh(driver, url)
            cold.append(timed_run(driver, index))
        return timings, cold
    finally:
        driver.quit()
        server.terminate()
        server.wait(timeout=10)


def simulation_seconds(repeats: int = 5) -> dict[str, float]:
    """What the Run button's job computes, here in this process: best wall and CPU seconds.

    `eachcustomer.dashboard.runs.advance` of the default settings to the horizon (the simulation and
    the payload the charts are drawn from), without the partial updates of a live job; the
    kernels are loaded first, as the dashboard does at start-up.
    """
    sys.path.insert(0, str(REPO))
    from eachcustomer.dashboard.runs import advance
    from eachcustomer.dashboard.settings import default_settings
    from eachcustomer.sim.warmup import compile_kernels

    compile_kernels()
    advance(default_settings(), None, "run")  # warm: the first run of a process
    wall, cpu = [], []
    for _ in range(repeats):
        started, used = time.perf_counter(), time.process_time()
        advance(default_settings(), None, "run")
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - used)
    return {"wall": min(wall), "cpu": min(cpu)}


def row(label: str, values: list[float], target: float) -> str:
    return (
        f"| {label} | {statistics.median(values):.2f} s | {min(values):.2f} s | "
        f"{max(values):.2f} s | <= {target:.0f} s |"
    )


def report(
    timings: list[dict[str, float]],
    cold: list[dict[str, float]],
    command: str,
    simulation: dict[str, float],
) -> str:
    first = [t["first"] for t in timings]
    full = [t["full"] for t in timings]
    cpu = platform.processor() or platform.machine()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    chromium = (
        subprocess.run(["/usr/bin/chromium", "--version"], capture_output=True, text=True)
        .stdout.strip()
        .split(" built")[0]
    )

    def paragraph(text: str) -> str:
        return textwrap.fill(text, width=92)

    lines = [
        SECTION,
        "",
        paragraph(
            f"Measured {datetime.date.today().isoformat()} on {os.cpu_count()} cores "
            f"({cpu}), load average {load:.2f} (other work on the machine), Python "
            f"{platform.python_version()}, {chromium} headless (software rendering), "
            "the server on the same machine."
        ),
        "",
        f"Command: `{command}`",
        "",
        paragraph(
            "From pressing Run on Explore (default scenario: 500 employees, 104 weeks, "
            "seed 0) to the 'attitude by distance' chart drawn, timed in the page with "
            "`performance.now()` and Plotly's `plotly_afterplot` event. After Reset: "
            f"{len(timings)} runs after a warm-up, the charts showing week 0; on a fresh "
            f"page: {len(cold)} first runs of a new session, the charts empty."
        ),
        "",
        "| measure | median | best | worst | target |",
        "|---|---|---|---|---|",
        row("first updated chart, after Reset", first, TARGET_FIRST),
        row("full two-year run shown, after Reset", full, TARGET_FULL),
    ]
    if cold:
        lines += [
            row("first updated chart, fresh page", [t["first"] for t in cold], TARGET_FIRST),
            row("full two-year run shown, fresh page", [t["full"] for t in cold], TARGET_FULL),
        ]
    lines += [
        "",
        paragraph(
            "The job's computation (`eachcustomer.dashboard.runs.advance` of the default settings "
            "to the "
            "horizon, timed in the benchmark's own process, best of 5) takes "
            f"{simulation['wall']:.3f} s wall, {simulation['cpu']:.3f} s CPU; the rest is "
            "the background callback (a forked job, polled every 100 ms) sending partial "
            "charts as it goes, and Chromium drawing the three charts of the tab in view."
        ),
        "",
    ]
    return "\n".join(lines)


def write_section(text: str) -> None:
    """Replace this script's section of RESULTS.md, keeping every other section."""
    replace_section(RESULTS, SECTION, text + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--warmups", type=int, default=1)
    parser.add_argument("--fresh", type=int, default=3, help="first runs on a fresh page")
    parser.add_argument("--write", action="store_true", help="record in RESULTS.md")
    arguments = parser.parse_args()
    timings, cold = measure(arguments.repeats, arguments.warmups, arguments.fresh)
    command = "python " + " ".join(sys.argv)
    text = report(timings, cold, command, simulation_seconds())
    print(text)
    for index, timing in enumerate(timings):
        print(f"run {index}: first {timing['first']:.3f} s, full {timing['full']:.3f} s")
    if arguments.write:
        write_section(text)
        print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
