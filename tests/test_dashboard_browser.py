"""The dashboard in a real browser: headless Debian Chromium driven through dash.testing.

One dashboard server (the `eachcustomer dashboard` a user would start) and one browser serve
the whole module; each test starts from a fresh session where it matters.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from typer.testing import CliRunner

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
PAGES = {
    "/": "#explore-run",
    "/explore": "#explore-run",
    "/organization": "#org-upload",
    "/compare": "#compare-run",
    "/experiments": "#sweep-run",
    "/learn": ".lesson-card",
    "/learn/distance": "#lesson-run",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The dashboard as `python -m eachcustomer dashboard` serves it, on a free port."""
    folder = tmp_path_factory.mktemp("dashboard-server")
    port = free_port()
    environment = {**os.environ, "EACHCUSTOMER_RESULTS": str(folder / "results")}
    with (folder / "server.log").open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "eachcustomer", "dashboard", "--port", str(port)],
            cwd=REPO,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(
                        "the dashboard did not start:\n"
                        + (folder / "server.log").read_text()[-3000:]
                    )
                time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="module")
def browser(
    chromium: Path, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[object]:
    """One headless Chromium for the module (dash.testing's Browser)."""
    from dash.testing.browser import Browser

    downloads = tmp_path_factory.mktemp("downloads")
    options = request.config.hook.pytest_setup_options()
    with Browser(
        browser="chrome",
        headless=True,
        options=options,
        download_path=str(downloads),
        percy_run=False,
        wait_timeout=30,
    ) as browser:
        yield browser


def wait_until(
    condition: Callable[[], object], timeout: float = 30.0, message: str = "condition"
) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = condition()
        except Exception:  # noqa: BLE001 - the page is still changing
            value = None
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {message}")


def visit(browser, url: str, ready: str, fresh: bool = False) -> None:
    """Open a page and wait for it; `fresh` starts a new session (no stored scenario)."""
    browser.driver.get(url)
    if fresh:
        browser.driver.execute_script("window.sessionStorage.clear();")
        browser.driver.get(url)
    browser.wait_for_element(ready)
    wait_until(
        lambda: (
            not browser.driver.execute_script(
                "return document.querySelector('[data-dash-is-loading=\"true\"]') !== null;"
            )
        ),
        message="the page to finish loading",
    )


def text_of(browser, selector: str) -> str:
    return browser.find_element(selector).text


def chart_y(browser, graph_id: str) -> list:
    return browser.driver.execute_script(
        "const plot = document.querySelector(arguments[0] + ' .js-plotly-plot');"
        "return plot && plot._fullData ? plot._fullData.map(t => Array.from(t.y || [])) : null;",
        f"#{graph_id}",
    )


def severe_logs(browser) -> list[dict]:
    return [entry for entry in browser.get_logs() if entry["level"] == "SEVERE"]


def param_thumb(browser, name: str):
    selector = f'[id=\'{{"name":"{name}","type":"param"}}\'] [role=slider]'
    return browser.find_element(selector)


def run_explore(browser, shown: list | None = None) -> list:
    """Press Run; wait for a full run, different from the one `shown`, to be drawn."""
    browser.find_element("#explore-run").click()
    return wait_until(
        lambda: (
            "done" in text_of(browser, "#explore-status")
            and not text_of(browser, "#explore-stale")
            and (data := chart_y(browser, "explore-band")) != shown
            and len(data[0]) == 105
            and data
        ),
        30,
        "a new full run to be drawn",
    )


def test_every_page_loads_without_console_errors(server, browser):
    browser.driver.get(server)
    browser.reset_log_timestamp()
    for path, ready in PAGES.items():
        visit(browser, server + path, ready)
        assert severe_logs(browser) == [], path


def test_explore_slider_and_run_change_the_chart(server, browser):
    visit(browser, server + "/explore", "#explore-run", fresh=True)
    browser.reset_log_timestamp()
    before = run_explore(browser)
    assert len(before) == 4 and len(before[0]) == 105  # four bands, weeks 0..104
    # The keyboard moves a slider: Home sets negativity bias to its minimum, 1.
    thumb = param_thumb(browser, "negativity_bias")
    thumb.send_keys(Keys.HOME)
    wait_until(
        lambda: "settings changed" in text_of(browser, "#explore-stale"),
        10,
        "the settings to change",
    )
    assert thumb.get_attribute("aria-valuenow") == "1"
    after = run_explore(browser, before)
    assert after != before
    # A symmetric organization loses less attitude far from the customer.
    assert after[3][-1] > before[3][-1]
    # The chart tabs work from the keyboard too.
    tab = browser.driver.find_element(By.XPATH, "//*[@id='explore-tabs']/*[.='Customers']")
    assert tab.get_attribute("tabindex") == "0" and tab.get_attribute("role") == "tab"
    tab.send_keys(Keys.ENTER)
    wait_until(lambda: chart_y(browser, "explore-customers"), 10, "the customers tab")
    assert tab.get_attribute("aria-selected") == "true"
    assert severe_logs(browser) == []


def test_explore_step_pause_and_reset(server, browser):
    visit(browser, server + "/explore", "#explore-run", fresh=True)
    browser.find_element("#explore-step").click()
    wait_until(lambda: text_of(browser, "#explore-status").startswith("Week 1 of"), 15, "one step")
    browser.find_element("#explore-step").click()
    wait_until(
        lambda: text_of(browser, "#explore-status").startswith("Week 2 of"), 15, "a second step"
    )
    browser.find_element("#explore-reset").click()
    wait_until(lambda: text_of(browser, "#explore-status").startswith("Week 0 of"), 15, "the reset")
    # A long run (5,000 employees, ten years) shows its weeks while it runs; Pause stops
    # it where it is and Run goes on from there.
    param_thumb(browser, "n_employees").send_keys(Keys.END)
    param_thumb(browser, "horizon_weeks").send_keys(Keys.END)
    wait_until(
        lambda: param_thumb(browser, "horizon_weeks").get_attribute("aria-valuenow") == "520",
        10,
        "the horizon",
    )
    browser.find_element("#explore-run").click()
    wait_until(lambda: week_shown(browser) > 0, 30, "partial results while running")
    browser.find_element("#explore-pause").click()
    paused = wait_until(
        lambda: browser.find_element("#explore-run").is_enabled() and week_shown(browser),
        15,
        "the pause",
    )
    assert 0 < paused < 520
    time.sleep(1.0)
    assert week_shown(browser) == paused  # it stopped
    browser.find_element("#explore-run").click()
    wait_until(lambda: "done" in text_of(browser, "#explore-status"), 60, "the rest of the run")
    assert len(chart_y(browser, "explore-band")[0]) == 521


def week_shown(browser) -> int:
    status = text_of(browser, "#explore-status")
    return int(status.split()[1]) if status.startswith("Week ") else 0


def test_bad_org_chart_shows_its_row_error_and_a_good_one_is_used(server, browser, tmp_path):
    visit(browser, server + "/organization", "#org-upload", fresh=True)
    browser.reset_log_timestamp()
    bad = tmp_path / "bad_chart.csv"
    bad.write_text(
        "employee_id,manager_id,department,customer_facing\n"
        "1,,executive,false\n2,1,sales,true\n3,99,sales,true\n"
    )
    upload = browser.driver.find_element(By.CSS_SELECTOR, "#org-upload input[type=file]")
    upload.send_keys(str(bad))
    errors = wait_until(lambda: text_of(browser, "#org-row-errors"), 20, "the row error")
    assert "line 4" in errors and "manager_id 99 does not exist" in errors
    assert "3,99,sales,true" in errors  # the offending row itself, next to the upload
    hostile = tmp_path / "laughs.graphml"
    hostile.write_text(
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><graphml><graph>'
        '<node id="&lol2;"/></graph></graphml>'
    )
    upload.send_keys(str(hostile))
    wait_until(lambda: "refused" in text_of(browser, "#org-row-errors"), 20, "the refusal")
    good = tmp_path / "good_chart.csv"
    good.write_text(
        "employee_id,manager_id,department,customer_facing\n"
        "1,,executive,false\n2,1,sales,true\n3,1,sales,true\n4,1,finance,false\n"
    )
    upload.send_keys(str(good))
    wait_until(
        lambda: "Using your chart" in text_of(browser, "#org-upload-result"),
        20,
        "the chart to be used",
    )
    wait_until(
        lambda: "good_chart.csv" in text_of(browser, "#org-note"), 20, "the network of the chart"
    )
    # Watch it: the week slider then moves through the run and recolours the nodes.
    browser.find_element("#org-run").click()
    thumb = wait_until(lambda: browser.find_element("#org-week [role=slider]"), 10, "slider")
    wait_until(lambda: thumb.get_attribute("aria-valuemax") == "104", 30, "the run")
    last = chart_colors(browser)
    thumb.send_keys(Keys.HOME)
    wait_until(lambda: chart_colors(browser) != last, 10, "week 0's colours")
    assert "Week 0 of 104" in browser.driver.execute_script(
        "return document.querySelector('#org-network .js-plotly-plot').layout.title.text;"
    )
    assert severe_logs(browser) == []


def chart_colors(browser) -> list:
    return browser.driver.execute_script(
        "const plot = document.querySelector('#org-network .js-plotly-plot');"
        "const trace = plot._fullData.find(t => t.name === 'employees');"
        "return Array.from(trace.marker.color);"
    )


def test_compare_shows_the_plans_and_a_verdict(server, browser):
    visit(browser, server + "/compare", "#compare-run", fresh=True)
    browser.reset_log_timestamp()
    browser.find_element("#compare-replications [role=slider]").send_keys(Keys.HOME)  # 2
    browser.find_element("#compare-run").click()
    headline = wait_until(lambda: text_of(browser, "#compare-headline"), 60, "the verdict")
    assert "week 104" in headline
    table = text_of(browser, "#compare-plan-table")
    for plan in ("Do nothing", "One-off training day", "Culture-wide change"):
        assert plan in table
    lines = browser.driver.find_elements(By.CSS_SELECTOR, "#compare-verdict-lines li")
    assert len(lines) == 7
    against = browser.driver.find_elements(By.CSS_SELECTOR, "#compare-against-nothing li")
    assert len(against) == 7 and "Against doing nothing" in against[0].text
    assert "2 replications per plan" in text_of(browser, "#compare-status")
    assert severe_logs(browser) == []


def test_a_lesson_opens_runs_and_presents(server, browser):
    visit(browser, server + "/learn", ".lesson-card")
    browser.reset_log_timestamp()
    browser.find_element("#lesson-link-distance").click()
    wait_until(
        lambda: text_of(browser, "#lesson-title") == "Far from the customer", 15, "the lesson"
    )
    assert "The farther away an employee is" in text_of(browser, "blockquote")
    assert not browser.find_element("#lesson-look").is_displayed()
    browser.find_element("#lesson-run").click()
    browser.wait_for_element("#lesson-chart-band .js-plotly-plot")
    wait_until(lambda: browser.find_element("#lesson-look").is_displayed(), 15, "look-at")
    browser.find_element("#learn-presentation").click()
    wait_until(
        lambda: "presentation" in browser.find_element("#learn-container").get_attribute("class"),
        10,
        "presentation mode",
    )
    browser.find_element("#learn-presentation").click()
    wait_until(
        lambda: (
            "presentation" not in browser.find_element("#learn-container").get_attribute("class")
        ),
        10,
        "leaving presentation mode",
    )
    assert severe_logs(browser) == []


def test_the_exported_scenario_runs(server, browser):
    from eachcustomer.cli import app
    from experiments.scenario_files import load_scenario

    visit(browser, server + "/explore", "#explore-run", fresh=True)
    param_thumb(browser, "negativity_bias").send_keys(Keys.HOME)  # 1: a valid change
    wait_until(
        lambda: param_thumb(browser, "negativity_bias").get_attribute("aria-valuenow") == "1",
        10,
        "the slider",
    )
    downloads = Path(browser.download_path)
    before = set(downloads.glob("*.toml"))
    browser.find_element("#explore-toml").click()
    exported = wait_until(
        lambda: [p for p in downloads.glob("*.toml") if p not in before], 20, "the download"
    )[0]
    assert load_scenario(exported).params.negativity_bias == 1.0
    result = CliRunner().invoke(app, ["run", str(exported), "--steps", "4", "--seed", "0"])
    assert result.exit_code == 0, result.output
    assert "Mean attitude by distance" in result.output
