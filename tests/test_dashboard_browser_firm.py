"""In a real browser, the Your organization page: a bad file's message names the file and the
line next to its upload; the example's targets are shown; a fit can be cancelled, and a
tiny one (10 particles, one population: about 20 s of CPU) ends with the verdict, the check
by department and the fitted folder as a zip.

The dashboard and the browser are those of `test_dashboard_browser` (its fixtures and
helpers); the tests wait on the application's state, never on a fixed delay.
"""

from __future__ import annotations

import io
import zipfile

import pytest
import test_dashboard_browser as shared
from selenium.webdriver.common.keys import Keys
from test_dashboard_browser import callbacks_idle, visit, wait_until

from eachcustomer.dashboard.firm.files import EXAMPLE

server = shared.server  # the module's fixtures: the dashboard and the browser, here too
browser = shared.browser

pytestmark = pytest.mark.browser
PAGE = "/your-organization"


def test_a_bad_file_is_named_by_line_and_the_example_shows_its_targets(server, browser, tmp_path):
    visit(browser, server + PAGE, "#firm-example", fresh=True)
    browser.console_errors()
    lines = (EXAMPLE / "survey_results.csv").read_text().splitlines()
    lines[1] = lines[1].replace(",3.153,", ",7,")
    bad = tmp_path / "bad_survey.csv"
    bad.write_text("\n".join(lines) + "\n")
    browser.find("#firm-upload-survey input[type=file]").send_keys(str(bad))
    errors = wait_until(lambda: browser.text("#firm-errors-survey"), 20, "the row error")
    assert "bad_survey.csv: line 2:" in errors
    assert "column 'mean': '7' is out of range; expected a number from 1 to 5" in errors
    assert lines[1] in errors  # the offending row itself, next to the upload
    assert "No targets yet" in browser.text("#firm-targets")
    browser.find("#firm-example").click()
    table = wait_until(
        lambda: (
            "survey_2024_autumn_sales" in browser.text("#firm-targets-table")
            and browser.text("#firm-targets-table")
        ),
        30,
        "the example's targets",
    )
    assert "observed_customer_loss" in table and "turnover_purchasing" in table
    assert "32 rows read" in browser.text("#firm-check-survey")
    assert "180 employees" in browser.text("#firm-check-chart")
    assert not browser.driver.find_elements("css selector", "#firm-errors-survey")
    assert browser.console_errors() == []


def smallest_fit(browser) -> None:
    for name in ("population_size", "populations", "max_minutes"):
        browser.find(f"#firm-{name} [role=slider]").send_keys(Keys.HOME)
    wait_until(
        lambda: (
            [browser.prop(f"firm-{n}", "value") for n in ("population_size", "populations")]
            == [10, 1]
        ),
        10,
        "the smallest fit",
    )


def test_a_fit_can_be_cancelled_and_a_tiny_one_ends_with_its_verdict_and_folder(server, browser):
    visit(browser, server + PAGE, "#firm-example", fresh=True)
    browser.find("#firm-example").click()
    wait_until(lambda: browser.find("#firm-targets-table"), 30, "the example's targets")
    smallest_fit(browser)
    browser.find("#firm-estimate").click()  # before the fit: the estimate it will print
    estimate = wait_until(
        lambda: (
            "Estimated cost" in browser.text("#firm-estimate-text")
            and browser.text("#firm-estimate-text")
        ),
        60,
        "the estimate before the fit",
    )
    assert "about 32 evaluations" in estimate  # 10 x (1 + 2.2 x 1)
    browser.find("#firm-run").click()
    wait_until(lambda: browser.find("#firm-cancel").is_enabled(), 20, "the fit to start")
    browser.find("#firm-cancel").click()
    wait_until(lambda: "Cancelled" in browser.text("#firm-status"), 20, "the cancel")
    wait_until(lambda: browser.find("#firm-run").is_enabled(), 20, "Fit to be free again")
    assert browser.text("#firm-verdict") == "No fit yet."

    browser.find("#firm-run").click()
    wait_until(lambda: "Estimated cost" in browser.text("#firm-progress-text"), 60, "the estimate")
    verdict = wait_until(lambda: browser.find("#firm-verdict-label").text, 240, "the fit's verdict")
    assert verdict in ("Verdict: posterior", "Verdict: not a usable posterior")
    labels = browser.driver.execute_script(
        "const plot = document.querySelector('#firm-check .js-plotly-plot');"
        "return plot._fullData.flatMap(t => Array.from(t.y || []));"
    )
    assert "sales, week 39" in labels and "whole firm" in labels
    wait_until(lambda: callbacks_idle(browser), 30, "the page's callbacks")
    for old in browser.downloads.glob("fitted_organization*.zip"):
        old.unlink()
    browser.find("#firm-download-button").click()

    def folder() -> list[str] | None:
        for path in browser.downloads.glob("fitted_organization*.zip"):
            try:
                with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as archive:
                    return archive.namelist()
            except zipfile.BadZipFile:
                return None  # still being written
        return None

    names = wait_until(folder, 30, "the fitted folder")
    for name in ("scenario.toml", "targets.toml", "sweep.toml", "posterior/manifest.json"):
        assert f"fitted_organization/{name}" in names

    browser.find("#firm-use").click()
    settings = wait_until(
        lambda: (
            (browser.prop("settings", "data") or {}).get("chart")
            and browser.prop("settings", "data")
        ),
        20,
        "the fitted organization in the session",
    )
    assert settings["chart"]["filename"] == "org_chart.csv"
    assert {"disposition_mean", "base_churn", "turnover_rate"} <= set(settings["overrides"])
    assert "180 employees" in browser.text("#firm-use-note")
