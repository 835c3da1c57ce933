"""In a real browser: Explore's exports describe the run shown and reproduce it byte for byte,
an uploaded chart is described at once, the intervention form proposes the plan library's
price, money is in US dollars, the Experiments page opens on an example it can run.

The dashboard and the browser are those of `test_dashboard_browser` (its fixtures and
helpers); the tests wait on the application's state, never on a fixed delay.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import test_dashboard_browser as shared
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from test_dashboard_browser import Browser, run_explore, set_parameter, visit, wait_until
from typer.testing import CliRunner

server = shared.server  # the module's fixtures: the dashboard and the browser, here too
browser = shared.browser

pytestmark = pytest.mark.browser

CHART = (
    "employee_id,manager_id,department,customer_facing\n"
    "1,,executive,false\n2,1,sales,true\n3,1,sales,true\n4,1,finance,false\n"
)


def downloaded(browser: Browser, pattern: str, press: str) -> Path:
    """Press a download button; the whole new file (earlier ones of its kind are removed
    first, so that the browser never writes over one of the same name)."""
    for old in browser.downloads.glob(pattern):
        old.unlink()
    browser.find(press).click()

    def complete() -> Path | None:
        for path in browser.downloads.glob(pattern):
            text = path.read_text(encoding="utf-8")
            if text.endswith("\n"):  # the browser writes the file whole, then renames it
                return path
        return None

    return wait_until(complete, 30, f"the download of {pattern}")


def choose_kind(browser: Browser, start: str) -> None:
    """Pick the intervention form's kind whose label starts so."""
    from selenium.webdriver.common.action_chains import ActionChains

    button = browser.find("#explore-add-kind")
    browser.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    button.click()
    option = wait_until(
        lambda: [
            o
            for o in browser.driver.find_elements(By.CSS_SELECTOR, "[role=option]")
            if o.text.strip().startswith(start)
        ],
        10,
        f"the option {start}",
    )
    # The open list can lie over a chart whose drag layer takes a pointer click at that
    # spot in a headless window; the option is clicked where it is, as the list shows it.
    browser.driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", option[0]
    )
    ActionChains(browser.driver).send_keys(Keys.ESCAPE).perform()


def page_text(browser: Browser) -> str:
    """Everything the page says, folded sections too."""
    return browser.driver.execute_script("return document.querySelector('#content').textContent")


def test_after_a_change_both_exports_are_the_run_shown_byte_for_byte(server, browser, tmp_path):
    from eachcustomer.cli import app

    visit(browser, server + "/explore", "#explore-run", fresh=True)
    browser.console_errors()
    set_parameter(browser, "n_employees", Keys.HOME, 20)  # a small organization: a quick run
    run_explore(browser)
    wait_until(
        lambda: browser.text("#explore-export-note") == "Both exports: the run shown.", 10, "note"
    )
    set_parameter(browser, "negativity_bias", Keys.HOME, 1)  # a change after the run
    wait_until(
        lambda: "not the changes made since" in browser.text("#explore-export-note"),
        10,
        "the note that the exports are the run shown",
    )
    csv = downloaded(browser, "*.csv", "#explore-csv")
    scenario = downloaded(browser, "*.toml", "#explore-toml")
    data = tomllib.loads(scenario.read_text(encoding="utf-8"))
    assert "negativity_bias" not in data.get("parameters", {})  # the run shown's settings
    assert "reproduces the run shown on the dashboard" in data["description"]
    out = tmp_path / "cli.csv"
    result = CliRunner().invoke(app, ["run", str(scenario), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == csv.read_bytes()
    assert browser.console_errors() == []


def test_an_uploaded_chart_is_described_on_explore_before_any_run(server, browser, tmp_path):
    visit(browser, server + "/organization", "#org-upload", fresh=True)
    chart = tmp_path / "our_org.csv"
    chart.write_text(CHART)
    browser.find("#org-upload input[type=file]").send_keys(str(chart))
    wait_until(lambda: "Using your chart" in browser.text("#org-upload-result"), 20, "the chart")
    browser.find("#nav-explore").click()
    description = wait_until(
        lambda: "our_org.csv" in (text := browser.text("#explore-description")) and text,
        15,
        "the chart in the description",
    )
    assert description.startswith("Your org chart our_org.csv of 4 employees")
    assert "500 people" not in description
    assert browser.prop("explore-state", "data") is None  # no Run pressed


def test_the_intervention_form_proposes_the_plan_librarys_price(server, browser):
    visit(browser, server + "/explore", "#explore-run", fresh=True)
    browser.console_errors()
    wait_until(
        lambda: (
            browser.prop("explore-add-hours", "value") == 8
            and browser.prop("explore-add-direct", "value") == 304
        ),
        10,
        "the training day's price",
    )
    summary = browser.driver.find_element(By.XPATH, "//summary[.='Add an intervention']")
    browser.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", summary)
    summary.click()
    assert "($669.20 at $45.65 an hour)" in browser.text("#explore-add-price")
    choose_kind(browser, "slogan campaign: pushes participants' attitude up")
    wait_until(
        lambda: (
            browser.prop("explore-add-hours", "value") == 0
            and browser.prop("explore-add-direct", "value") == 53.5
        ),
        10,
        "the slogan campaign's price",
    )
    assert browser.console_errors() == []


@pytest.mark.parametrize("path", ["/explore", "/compare", "/plan-finder"])
def test_money_is_in_us_dollars(server, browser, path):
    visit(browser, server + path, "#content", fresh=True)
    text = page_text(browser)
    assert "currency" not in text.lower()
    assert "$" in text


def test_the_experiments_page_opens_on_an_example_it_can_run_and_hides_server_paths(
    server, browser
):
    visit(browser, server + "/experiments", "#sweep-run", fresh=True)
    check = wait_until(lambda: browser.text("#sweep-check"), 15, "the spec's check")
    assert browser.prop("sweep-example", "value") == "small"
    assert "36 runs of 78 weeks" in check and "limit" not in check
    text = page_text(browser)
    assert "dashboard-server" not in text and "/tmp/" not in text  # the results folder's path
    assert "Results folders in the results folder of the dashboard" in text
