"""The dashboard in a real browser: headless Debian Chromium driven by Dash's testing tools.

One dashboard server (the `eachcustomer dashboard` a user would start) and one browser serve
the whole module; each test starts from a fresh session where it matters. The tests wait on
the application's state (the component properties the app's callbacks read and write, a
downloaded file's content), never on a fixed delay or on a widget's own attribute: a slider
shows its new value before the app has taken it in.
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
from typing import Any

import pytest
from dash.testing.browser import Browser as DashBrowser
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from typer.testing import CliRunner

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
PAGES = {
    "/": "#explore-run",
    "/explore": "#explore-run",
    "/organization": "#org-upload",
    "/your-organization": "#firm-example",
    "/compare": "#compare-run",
    "/plan-finder": "#planfinder-run",
    "/experiments": "#sweep-run",
    "/learn": ".lesson-card",
    "/learn/distance": "#lesson-run",
    "/class": "#class-start",
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

    def answers() -> bool:
        if process.poll() is not None:
            pytest.fail("the dashboard stopped:\n" + (folder / "server.log").read_text()[-3000:])
        try:
            with urllib.request.urlopen(url, timeout=2):
                return True
        except OSError:
            return False

    try:
        wait_until(answers, 60, "the dashboard to answer")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


class Browser(DashBrowser):
    """Dash's testing browser (`dash.testing.browser.Browser`) on Debian's headless Chromium,
    with the folder its downloads land in."""

    def __init__(self, start: Callable[[Path], Any], downloads: Path) -> None:
        self.start = start
        self.downloads = downloads
        super().__init__(
            "chrome",
            headless=True,
            download_path=str(downloads),
            percy_run=False,
            wait_timeout=30,
        )
        self.driver.implicitly_wait(0)  # the tests poll the app's state themselves

    def get_webdriver(self) -> Any:
        """Debian's Chromium with our flags and driver (Dash's default would look for one)."""
        return self.start(self.downloads)

    def find(self, selector: str) -> Any:
        return self.find_element(selector)

    def text(self, selector: str) -> str:
        return self.find(selector).text

    def prop(self, component_id: str | dict, name: str) -> Any:
        """A component's property as the app holds it: what its callbacks read as State."""
        return self.driver.execute_script(
            "const node = window.dash_component_api.getLayout(arguments[0]);"
            "return node && node.props ? node.props[arguments[1]] : null;",
            component_id,
            name,
        )

    def console_errors(self) -> list[dict]:
        """What the page logged as errors since the last call (the driver hands each out once)."""
        return self.driver.get_log("browser")


@pytest.fixture(scope="module")
def browser(
    chromium: Callable[[Path], Any], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Browser]:
    """One headless Chromium for the module."""
    downloads = tmp_path_factory.mktemp("downloads")
    session = Browser(chromium, downloads)
    try:
        yield session
    finally:
        session.driver.quit()


def wait_until(condition: Callable[[], Any], timeout: float, message: str) -> Any:
    """Poll `condition` until it returns something true; that value."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = condition()
        except Exception:  # noqa: BLE001 - the page is still changing under the query
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {message}")
        time.sleep(0.1)


def visit(browser: Browser, url: str, ready: str, fresh: bool = False) -> None:
    """Open a page and wait until its callbacks are done; `fresh` starts a new session."""
    browser.driver.get(url)
    if fresh:
        browser.driver.execute_script("window.sessionStorage.clear();")
        browser.driver.get(url)
    wait_until(lambda: browser.find(ready), 30, ready)
    wait_until(lambda: callbacks_idle(browser), 30, "the page's callbacks")


def callbacks_idle(browser: Browser) -> bool:
    """No callback of the page is queued, running or waiting for its job: the renderer's
    own record, read as dash.testing reads it."""
    return browser.driver.execute_script(
        "const callbacks = window.store && window.store.getState().callbacks;"
        "return !!callbacks && ['requested', 'prioritized', 'blocked', 'executing', 'watched',"
        " 'executed'].every(stage => !(callbacks[stage] || []).length);"
    )


def overrides(browser: Browser) -> dict:
    """The parameters the session's settings change (what a run or an export uses)."""
    return (browser.prop("settings", "data") or {}).get("overrides", {})


def chart_y(browser: Browser, graph_id: str) -> list | None:
    """The y values drawn in a chart, trace by trace."""
    return browser.driver.execute_script(
        "const plot = document.querySelector(arguments[0] + ' .js-plotly-plot');"
        "return plot && plot._fullData ? plot._fullData.map(t => Array.from(t.y || [])) : null;",
        f"#{graph_id}",
    )


def param_thumb(browser: Browser, name: str) -> Any:
    return browser.find(f'[id=\'{{"name":"{name}","type":"param"}}\'] [role=slider]')


def set_parameter(browser: Browser, name: str, key: str, value: float) -> None:
    """Move a parameter's slider with the keyboard; wait until the settings hold `value`."""
    param_thumb(browser, name).send_keys(key)
    wait_until(lambda: overrides(browser).get(name) == value, 15, f"{name} = {value}")


def run_explore(browser: Browser, shown: list | None = None) -> list:
    """Press Run; wait for a full run, different from the one `shown`, to be drawn."""
    browser.find("#explore-run").click()
    return wait_until(
        lambda: (
            "done" in browser.text("#explore-status")
            and not browser.text("#explore-stale")
            and (data := chart_y(browser, "explore-band")) != shown
            and len(data[0]) == 105
            and data
        ),
        60,
        "a new full run to be drawn",
    )


def week_shown(browser: Browser) -> int:
    status = browser.text("#explore-status")
    return int(status.split()[1]) if status.startswith("Week ") else 0


def stored_week(browser: Browser) -> int | None:
    """The week of the run the session keeps (the one Run and Step go on from)."""
    state = browser.prop("explore-state", "data")
    return state.get("week") if isinstance(state, dict) else None


def wait_for_pause(browser: Browser) -> int:
    """Wait until a paused run's job has ended (Run is enabled again) and the page shows the
    week the session keeps; that week."""
    return wait_until(
        lambda: (
            browser.prop("explore-run", "disabled") is False
            and stored_week(browser) == week_shown(browser)
            and stored_week(browser)
        ),
        30,
        "the pause",
    )


def wait_for_week(browser: Browser, week: int, timeout: float, what: str) -> None:
    """Wait until the run kept has reached `week` and the page shows that week."""
    wait_until(lambda: stored_week(browser) == week and week_shown(browser) == week, timeout, what)


def network_title(browser: Browser) -> str:
    return browser.driver.execute_script(
        "return document.querySelector('#org-network .js-plotly-plot').layout.title.text;"
    )


def chart_colors(browser: Browser) -> list:
    return browser.driver.execute_script(
        "const plot = document.querySelector('#org-network .js-plotly-plot');"
        "const trace = plot._fullData.find(t => t.name === 'employees');"
        "return Array.from(trace.marker.color);"
    )


def test_every_page_loads_without_console_errors(server, browser):
    browser.driver.get(server)
    browser.console_errors()
    for path, ready in PAGES.items():
        visit(browser, server + path, ready)
        assert browser.console_errors() == [], path


def test_explore_slider_and_run_change_the_chart(server, browser):
    visit(browser, server + "/explore", "#explore-run", fresh=True)
    browser.console_errors()
    before = run_explore(browser)
    assert len(before) == 4 and len(before[0]) == 105  # four bands, weeks 0..104
    # The keyboard moves a slider: Home sets negativity bias to its minimum, 1.
    set_parameter(browser, "negativity_bias", Keys.HOME, 1)
    wait_until(lambda: "settings changed" in browser.text("#explore-stale"), 10, "the note")
    assert param_thumb(browser, "negativity_bias").get_attribute("aria-valuenow") == "1"
    after = run_explore(browser, before)
    assert after != before
    # A symmetric organization loses less attitude far from the customer.
    assert after[3][-1] > before[3][-1]
    # The chart tabs work from the keyboard too.
    tab = browser.driver.find_element(By.XPATH, "//*[@id='explore-tabs']/*[.='Customers']")
    assert tab.get_attribute("tabindex") == "0" and tab.get_attribute("role") == "tab"
    tab.send_keys(Keys.ENTER)
    wait_until(lambda: browser.prop("explore-tabs", "value") == "customers", 10, "the tab")
    wait_until(lambda: chart_y(browser, "explore-customers"), 10, "the customers chart")
    assert tab.get_attribute("aria-selected") == "true"
    assert browser.console_errors() == []


def test_explore_step_pause_and_reset(server, browser):
    visit(browser, server + "/explore", "#explore-run", fresh=True)
    browser.find("#explore-step").click()
    wait_for_week(browser, 1, 15, "one step")
    browser.find("#explore-step").click()
    wait_for_week(browser, 2, 15, "a second step")
    browser.find("#explore-reset").click()
    wait_for_week(browser, 0, 15, "the reset")
    # A long run (5,000 employees, ten years) shows its weeks while it runs; Pause stops
    # it where it is, and Step and Run go on from there.
    set_parameter(browser, "n_employees", Keys.END, 5000)
    set_parameter(browser, "horizon_weeks", Keys.END, 520)
    browser.find("#explore-run").click()
    wait_until(lambda: week_shown(browser) > 0, 60, "partial results while running")
    browser.find("#explore-pause").click()
    # The job has ended when the app enables Run again; the run it keeps is the one shown.
    paused = wait_for_pause(browser)
    assert 0 < paused < 520
    browser.find("#explore-step").click()
    wait_for_week(browser, paused + 1, 60, "a step from the paused week")
    browser.find("#explore-run").click()
    wait_for_week(browser, 520, 180, "the rest of the run")
    wait_until(lambda: len(chart_y(browser, "explore-band")[0]) == 521, 15, "all weeks drawn")


def test_bad_org_chart_shows_its_row_error_and_a_good_one_is_used(server, browser, tmp_path):
    visit(browser, server + "/organization", "#org-upload", fresh=True)
    browser.console_errors()
    bad = tmp_path / "bad_chart.csv"
    bad.write_text(
        "employee_id,manager_id,department,customer_facing\n"
        "1,,executive,false\n2,1,sales,true\n3,99,sales,true\n"
    )
    upload = browser.find("#org-upload input[type=file]")
    upload.send_keys(str(bad))
    errors = wait_until(lambda: browser.text("#org-row-errors"), 20, "the row error")
    assert "line 4" in errors and "manager_id 99 does not exist" in errors
    assert "3,99,sales,true" in errors  # the offending row itself, next to the upload
    hostile = tmp_path / "laughs.graphml"
    hostile.write_text(
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><graphml><graph>'
        '<node id="&lol2;"/></graph></graphml>'
    )
    upload.send_keys(str(hostile))
    wait_until(lambda: "refused" in browser.text("#org-row-errors"), 20, "the refusal")
    good = tmp_path / "good_chart.csv"
    good.write_text(
        "employee_id,manager_id,department,customer_facing\n"
        "1,,executive,false\n2,1,sales,true\n3,1,sales,true\n4,1,finance,false\n"
    )
    upload.send_keys(str(good))
    wait_until(
        lambda: (
            (browser.prop("settings", "data").get("chart") or {}).get("filename")
            == "good_chart.csv"
            and "Using your chart" in browser.text("#org-upload-result")
        ),
        20,
        "the chart to be used",
    )
    wait_until(
        lambda: "good_chart.csv" in browser.text("#org-note"), 20, "the network of the chart"
    )
    # Watch it: the week slider then moves through the run and recolours the nodes.
    browser.find("#org-run").click()
    wait_until(lambda: "Week 104 of 104" in network_title(browser), 60, "the run drawn")
    last = chart_colors(browser)
    browser.find("#org-week [role=slider]").send_keys(Keys.HOME)
    wait_until(lambda: "Week 0 of 104" in network_title(browser), 10, "week 0 drawn")
    assert chart_colors(browser) != last
    assert browser.console_errors() == []


def test_compare_shows_the_plans_and_a_verdict(server, browser):
    visit(browser, server + "/compare", "#compare-run", fresh=True)
    browser.console_errors()
    browser.find("#compare-replications [role=slider]").send_keys(Keys.HOME)
    wait_until(lambda: browser.prop("compare-replications", "value") == 2, 10, "2 replications")
    browser.find("#compare-run").click()
    wait_until(lambda: browser.prop("compare-result", "data"), 90, "the comparison")
    wait_until(lambda: browser.text("#compare-status"), 15, "the verdict drawn")
    assert "week 104" in browser.text("#compare-headline")
    table = browser.text("#compare-plan-table")
    for plan in ("Do nothing", "One-off training day", "Culture-wide change"):
        assert plan in table
    # Above the words, a forest plot per outcome: each plan against doing nothing.
    for outcome in ("customers_lost_total", "net_revenue", "mean_satisfaction"):
        drawn = wait_until(
            lambda o=outcome: forest_drawn(browser, f"compare-forest-{o}"), 15, f"forest {outcome}"
        )
        plans = ["One-off training day", "Culture-wide change"]
        assert sorted(drawn["rows"]) == sorted(plans)
        assert drawn["points"] == drawn["bars"] == len(plans), drawn
        assert drawn["zero"] == drawn["lines"] == 1, drawn
    forest = browser.find("#compare-forest").location["y"]
    assert forest < browser.find("#compare-words").location["y"]
    open_words(browser)
    lines = browser.driver.find_elements(By.CSS_SELECTOR, "#compare-verdict-lines li")
    assert len(lines) == 7
    against = browser.driver.find_elements(By.CSS_SELECTOR, "#compare-against-nothing li")
    assert len(against) == 7 and "Against doing nothing" in against[0].text
    assert "2 replications per plan" in browser.text("#compare-status")
    assert browser.console_errors() == []


FOREST = """
const plot = document.querySelector(arguments[0] + ' .js-plotly-plot');
if (!plot || !plot._fullData || !plot._fullLayout) { return null; }
const drawn = selector => plot.querySelectorAll(selector).length;
return {
  rows: plot._fullData.map(trace => trace.y[0]),
  points: drawn('.scatterlayer .trace .points path.point'),
  bars: drawn('.scatterlayer .trace .errorbar path.xerror'),
  zero: (plot._fullLayout.shapes || []).filter(
    shape => shape.type === 'line' && shape.x0 === 0 && shape.x1 === 0).length,
  lines: drawn('.shapelayer path'),
};
"""
"""What a forest plot drew: its rows (plans), the points and interval bars in the page, and
its zero line (doing nothing) as laid out and drawn."""


def forest_drawn(browser: Browser, graph_id: str) -> dict | None:
    """The forest plot of `graph_id` as the browser drew it, once it has points."""
    drawn = browser.driver.execute_script(FOREST, f"#{graph_id}")
    return drawn if drawn and drawn["points"] else None


def open_words(browser: Browser) -> None:
    """Unfold Compare's verdict in words (folded under its forest plots). Folding is the
    browser's own: Dash's Details does not report it, so the element's state is the one."""
    unfolded = "return document.querySelector('#compare-words').open"
    if not browser.driver.execute_script(unfolded):
        browser.find("#compare-words summary").click()
    wait_until(lambda: browser.driver.execute_script(unfolded), 10, "the words unfolded")


def test_compare_shows_where_the_verdict_holds_from_the_shipped_evidence(server, browser):
    import pandas as pd

    from eachcustomer.dashboard.compare.evidence import EVIDENCE_FOLDER
    from eachcustomer.experiments.analysis.discovery import box_sentence, boxes_from_table
    from eachcustomer.experiments.loading.plans import plan_library

    visit(browser, server + "/compare", "#compare-run", fresh=True)
    browser.console_errors()
    table = pd.read_csv(EVIDENCE_FOLDER / "decision_map.csv")
    # A break-even line is drawn where the advantage changes sign, and only there.
    crossing = set(pd.read_csv(EVIDENCE_FOLDER / "break_even.csv")["outcome"])
    for outcome in dict.fromkeys(table["outcome"]):
        graph = f"compare-evidence-map-{outcome}"
        figure = wait_until(lambda g=graph: browser.prop(g, "figure"), 30, f"the map {graph}")
        assert figure["data"][0]["type"] == "heatmap"
        drawn = browser.driver.execute_script(
            "const plot = document.querySelector(arguments[0] + ' .js-plotly-plot');"
            "return plot && plot._fullData ? plot._fullData.map(t => t.type) : null;",
            f"#{graph}",
        )
        assert drawn and drawn[0] == "heatmap"
        assert ("contour" in drawn) == (outcome in crossing), (outcome, drawn)
    titles = {name: plan.title for name, plan in plan_library().items()}
    priced = titles["culture_change"]
    boxes = boxes_from_table(pd.read_csv(EVIDENCE_FOLDER / "scenario_boxes.csv"))
    regions = browser.driver.find_elements(By.CSS_SELECTOR, "#compare-evidence-regions li")
    assert [item.text for item in regions] == [box_sentence(b, titles, priced) for b in boxes]
    reproduce = browser.text("#compare-evidence-reproduce")
    assert "eachcustomer sweep decision_map --out results/decision_map" in reproduce
    assert browser.console_errors() == []


def test_the_compare_pages_spec_reproduces_its_numbers_as_a_sweep(server, browser, tmp_path):
    import tomllib

    from eachcustomer.cli import app
    from eachcustomer.experiments.running.store import read_runs

    visit(browser, server + "/compare", "#compare-run", fresh=True)
    browser.find("#compare-replications [role=slider]").send_keys(Keys.HOME)
    wait_until(lambda: browser.prop("compare-replications", "value") == 2, 10, "2 replications")
    browser.find("#compare-run").click()
    result = wait_until(lambda: browser.prop("compare-result", "data"), 90, "the comparison")
    wait_until(lambda: not browser.prop("compare-spec-button", "disabled"), 15, "the spec")
    before = set(browser.downloads.glob("*.toml"))
    browser.find("#compare-spec-button").click()

    def exported() -> Path | None:
        for path in set(browser.downloads.glob("*.toml")) - before:
            tomllib.loads(path.read_text())  # raises while the file is incomplete
            return path
        return None

    spec = wait_until(exported, 30, "the downloaded sweep spec")
    out = tmp_path / "sweep"
    done = CliRunner().invoke(app, ["sweep", str(spec), "--out", str(out), "--workers", "1"])
    assert done.exit_code == 0, done.output
    runs = read_runs(out).set_index(["plan", "replication"]).sort_index()
    titles = {
        "Do nothing": "none",
        "One-off training day": "training_day",
        "Culture-wide change": "culture_change",
    }
    for shown, values in result["finals"]["mean_satisfaction"].items():
        found = runs.loc[titles[shown], "final_mean_satisfaction"].tolist()
        assert found == values  # the page's numbers, run for run


def test_a_lesson_opens_runs_and_presents(server, browser):
    visit(browser, server + "/learn", ".lesson-card")
    browser.console_errors()
    browser.find("#lesson-link-distance").click()
    wait_until(lambda: browser.text("#lesson-title") == "Far from the customer", 15, "the lesson")
    assert "The farther away an employee is" in browser.text("blockquote")
    assert not browser.find("#lesson-look").is_displayed()
    browser.find("#lesson-run").click()
    wait_until(lambda: browser.prop("lesson-look", "hidden") is False, 30, "the lesson's run")
    wait_until(
        lambda: (
            browser.find("#lesson-chart-band .js-plotly-plot")
            and browser.find("#lesson-look").is_displayed()
        ),
        15,
        "its charts and what to look at",
    )
    browser.find("#learn-presentation").click()
    wait_until(lambda: browser.prop("presentation", "data") is True, 10, "presentation mode")
    wait_until(
        lambda: "presentation" in browser.find("#learn-container").get_attribute("class"),
        10,
        "large type",
    )
    browser.find("#learn-presentation").click()
    wait_until(lambda: browser.prop("presentation", "data") is False, 10, "leaving it")
    wait_until(
        lambda: "presentation" not in browser.find("#learn-container").get_attribute("class"),
        10,
        "normal type",
    )
    assert browser.console_errors() == []


def presentation_shown(browser: Browser) -> tuple[bool, str, str]:
    """What the lesson page shows of presentation mode: its class, the button, the type."""
    container = browser.find("#learn-container")
    return (
        "presentation" in container.get_attribute("class").split(),
        browser.text("#learn-presentation"),
        container.value_of_css_property("font-size"),
    )


def test_presentation_mode_survives_another_lesson_and_a_reload(server, browser):
    visit(browser, server + "/learn/distance", "#lesson-run", fresh=True)
    browser.console_errors()
    assert presentation_shown(browser) == (False, "Presentation mode", "15px")
    browser.find("#learn-presentation").click()
    wait_until(lambda: browser.prop("presentation", "data") is True, 10, "presentation mode")
    on = (True, "Leave presentation mode", "24px")
    wait_until(lambda: presentation_shown(browser) == on, 10, "large type")
    # Another lesson, through the page's own link, then a reload: still presenting.
    browser.find("a[href='/learn']").click()
    wait_until(lambda: browser.find("#lesson-link-negativity"), 10, "the lessons")
    wait_until(lambda: presentation_shown(browser) == on, 10, "large type on the list")
    browser.find("#lesson-link-negativity").click()
    wait_until(lambda: browser.find("#lesson-title").text.startswith("Negative"), 10, "a lesson")
    wait_until(lambda: presentation_shown(browser) == on, 10, "large type on another lesson")
    visit(browser, server + "/learn/negativity", "#lesson-run")
    assert browser.prop("presentation", "data") is True
    wait_until(lambda: presentation_shown(browser) == on, 10, "large type after a reload")
    # One press leaves it.
    browser.find("#learn-presentation").click()
    wait_until(lambda: browser.prop("presentation", "data") is False, 10, "leaving it")
    off = (False, "Presentation mode", "15px")
    wait_until(lambda: presentation_shown(browser) == off, 10, "normal type")
    assert browser.console_errors() == []


def watch_weeks(browser: Browser, until: Callable[[list[int]], bool], timeout: float) -> list:
    """The weeks the Explore page shows, each new one as it appears, until `until(weeks)`."""
    weeks: list[int] = []

    def seen() -> bool:
        week = week_shown(browser)
        if not weeks or week != weeks[-1]:
            weeks.append(week)
        return until(weeks)

    wait_until(seen, timeout, f"the weeks shown to move on (saw {weeks})")
    return weeks


def played_week_by_week(weeks: list[int], most_skipped: int = 2) -> bool:
    """Weeks shown one after another rising by at most `most_skipped` + 1 at a time."""
    steps = [later - earlier for earlier, later in zip(weeks, weeks[1:], strict=False)]
    return all(1 <= step <= most_skipped + 1 for step in steps)


def test_a_run_plays_at_the_speed_chosen_and_pauses_and_resumes_at_a_week(server, browser):
    visit(browser, server + "/explore", "#explore-run", fresh=True)
    browser.console_errors()
    # Home: the slowest speed, 1 week a second.
    browser.find("#explore-speed [role=slider]").send_keys(Keys.HOME)
    wait_until(lambda: browser.prop("explore-speed", "value") == 0, 10, "the slowest speed")
    assert "1 week a second" in browser.text("#explore-speed-note")
    browser.find("#explore-run").click()
    # The week counter goes up one week at a time, not all at once.
    weeks = watch_weeks(browser, lambda w: len([x for x in w if x > 0]) >= 4, 60)
    shown = [w for w in weeks if w > 0]
    # Step by step: a loaded machine may let the page read a snapshot late and skip a
    # week, but never more than a few, and never run ahead to the end.
    assert played_week_by_week(shown), weeks
    assert shown[-1] < 20
    browser.find("#explore-pause").click()
    paused = wait_for_pause(browser)
    assert browser.text("#explore-run") == "▶ Resume"
    # Paused, it stays put: no job runs and the week shown does not move while a playing run
    # would have shown three more.
    assert browser.prop("explore-pause", "disabled") is True
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        assert week_shown(browser) == stored_week(browser) == paused
        time.sleep(0.1)
    # Resume goes on from the paused week, week by week again.
    browser.find("#explore-run").click()
    weeks = watch_weeks(browser, lambda w: w[-1] >= paused + 3, 60)
    assert weeks[0] == paused and played_week_by_week(weeks), weeks
    # Faster, it plays on from where it is, at the new speed, to the end.
    browser.find("#explore-speed [role=slider]").send_keys(Keys.END)
    wait_until(lambda: browser.prop("explore-speed", "value") == 6, 10, "the fastest speed")
    wait_for_week(browser, 104, 60, "the rest of the run")
    assert browser.text("#explore-run") == "▶ Run"
    assert browser.console_errors() == []


def test_a_lesson_plays_week_by_week_with_its_reference_run_drawn(server, browser):
    visit(browser, server + "/learn/negativity", "#lesson-run", fresh=True)
    browser.console_errors()
    browser.find("#lesson-speed [role=slider]").send_keys(Keys.HOME)
    wait_until(lambda: browser.prop("lesson-speed", "value") == 0, 10, "the slowest speed")
    browser.find("#lesson-run").click()

    def lesson_week() -> int:
        status = browser.text("#lesson-status")
        return int(status.split()[1]) if status.startswith("Week ") else -1

    weeks: list[int] = []

    def three_weeks() -> bool:
        week = lesson_week()
        if week > 0 and (not weeks or week != weeks[-1]):
            weeks.append(week)
        return len(weeks) >= 3

    wait_until(three_weeks, 60, "the lesson to play week by week")
    assert played_week_by_week(weeks), weeks
    # The run the text compares with is drawn in full, grey, as the lesson's run grows.
    drawn = browser.driver.execute_script(
        "const plot = document.querySelector('#lesson-chart-customers .js-plotly-plot');"
        "return plot._fullData.map(t => [t.meta, t.x.length, t.line.color]);"
    )
    (reference,) = [d for d in drawn if str(d[0]).startswith("reference:baseline")]
    assert reference[1] == 105 and reference[2] == "#8c8c8c"
    assert [d[1] for d in drawn if d[0] == "active_customers"][0] < 20
    browser.find("#lesson-pause").click()
    wait_until(lambda: "paused" in browser.text("#lesson-status"), 30, "the pause")
    assert browser.text("#lesson-run") == "▶ Resume"
    assert browser.console_errors() == []


CHART_BOXES = """
const boxes = [];
for (const plot of document.querySelectorAll('.js-plotly-plot')) {
  const figure = plot.getBoundingClientRect();
  if (!figure.width || !figure.height) { continue; }  // a chart of another tab
  const box = selector => {
    const node = plot.querySelector(selector);
    if (!node) { return null; }
    const r = node.getBoundingClientRect();
    return r.width ? [r.left, r.top, r.right, r.bottom] : null;
  };
  boxes.push({
    id: plot.parentElement.id || plot.closest('[id]').id,
    figure: [figure.left, figure.top, figure.right, figure.bottom],
    title: box('.g-gtitle text'),
    ytitle: box('.g-ytitle text'),
    xtitle: box('.g-xtitle text'),
    legend: box('.legend .bg'),
    modebar: box('.modebar'),
  });
}
return boxes;
"""
"""Where each chart in view put its title, axis titles, legend and mode bar (page pixels)."""


def inside(inner: list, outer: list) -> bool:
    return (
        inner[0] >= outer[0] - 1
        and inner[1] >= outer[1] - 1
        and inner[2] <= outer[2] + 1
        and inner[3] <= outer[3] + 1
    )


def overlap(a: list, b: list) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def charts_in_view(browser: Browser) -> int:
    """How many charts are drawn in view, each with its title."""
    return sum(bool(chart["title"]) for chart in browser.driver.execute_script(CHART_BOXES))


def check_chart_boxes(browser: Browser, where: str) -> None:
    """Every chart in view keeps its titles inside the figure and its legend off the mode
    bar."""
    boxes = browser.driver.execute_script(CHART_BOXES)
    for chart in boxes:
        for part in ("title", "ytitle", "xtitle"):
            if chart[part]:
                assert inside(chart[part], chart["figure"]), (where, chart["id"], part, chart)
        if chart["legend"] and chart["modebar"]:
            assert not overlap(chart["legend"], chart["modebar"]), (where, chart["id"], chart)


@pytest.fixture
def full_hd(browser: Browser) -> Iterator[Browser]:
    """The browser's page 1920 x 1080 pixels, for one test."""
    browser.driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 1920, "height": 1080, "deviceScaleFactor": 1, "mobile": False},
    )
    try:
        yield browser
    finally:
        browser.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_charts_keep_titles_and_legends_clear_at_1920_pixels(server, full_hd, tmp_path):
    browser = full_hd
    for large in (False, True):
        visit(browser, server + "/explore", "#explore-run", fresh=True)
        browser.driver.execute_script(
            "window.dash_clientside.set_props('presentation', {data: arguments[0]});", large
        )
        wait_until(lambda on=large: browser.prop("presentation", "data") is on, 10, "the mode")
        run_explore(browser)
        for tab in ("Attitude", "Customers", "Focus, strain and rewards", "Why it changed"):
            browser.driver.find_element(By.XPATH, f"//*[@id='explore-tabs']/*[.='{tab}']").click()
            where = f"Explore, {tab}, {'presentation' if large else 'screen'}"
            wait_until(lambda: charts_in_view(browser) >= 2, 15, f"the charts of {where}")
            check_chart_boxes(browser, where)
            browser.driver.save_screenshot(str(tmp_path / f"explore-{tab[:5]}-{large}.png"))
        visit(browser, server + "/learn/wrong-customer", "#lesson-run")
        browser.find("#lesson-speed [role=slider]").send_keys(Keys.END)
        wait_until(lambda: browser.prop("lesson-speed", "value") == 6, 10, "the fastest")
        browser.find("#lesson-run").click()
        wait_until(lambda: "done" in browser.text("#lesson-status"), 60, "the lesson's run")
        where = f"a lesson, {'presentation' if large else 'screen'}"
        wait_until(lambda: charts_in_view(browser) == 2, 15, f"the charts of {where}")
        check_chart_boxes(browser, where)


def test_the_exported_scenario_runs(server, browser):
    from eachcustomer.cli import app
    from eachcustomer.experiments.loading.scenario_files import load_scenario

    visit(browser, server + "/explore", "#explore-run", fresh=True)
    set_parameter(browser, "negativity_bias", Keys.HOME, 1)  # 1: a valid change
    before = set(browser.downloads.glob("*.toml"))
    browser.find("#explore-toml").click()

    def exported() -> Path | None:
        """The new scenario file, once the browser has written all of it."""
        for path in set(browser.downloads.glob("*.toml")) - before:
            load_scenario(path)  # raises while the file is incomplete
            return path
        return None

    scenario = wait_until(exported, 30, "the downloaded scenario")
    assert load_scenario(scenario).params.negativity_bias == 1.0
    result = CliRunner().invoke(app, ["run", str(scenario), "--steps", "4", "--seed", "0"])
    assert result.exit_code == 0, result.output
    assert "Mean attitude by distance" in result.output


# --- changes during a run ----------------------------------------------------------------------

EXPLORE_GRAPHS = (
    "band",
    "department",
    "level",
    "focus",
    "strain",
    "customers",
    "satisfaction",
    "nps",
    "revenue",
    "bonus",
    "why",
)


def marked_weeks(browser: Browser, graph: str) -> list:
    """The weeks marked by a dashed line on a chart of Explore (shown in its tab or not)."""
    figure = browser.prop(f"explore-{graph}", "figure") or {}
    return [shape["x0"] for shape in (figure.get("layout") or {}).get("shapes") or []]


def timeline(browser: Browser) -> list:
    return (browser.prop("settings", "data") or {}).get("timeline") or []


def exported_scenario(browser: Browser) -> Path:
    """Press Scenario (TOML) and wait for the whole file (earlier downloads are removed
    first: the browser may write over a file of the same name)."""
    from eachcustomer.experiments.loading.scenario_files import load_scenario

    for old in browser.downloads.glob("*.toml"):
        old.unlink()
    browser.find("#explore-toml").click()

    def exported() -> Path | None:
        for path in browser.downloads.glob("*.toml"):
            load_scenario(path)  # raises while the file is incomplete
            return path
        return None

    return wait_until(exported, 30, "the downloaded scenario")


def test_a_slider_moved_while_paused_acts_from_that_week_and_the_export_reproduces_it(
    server, browser, tmp_path
):
    import pandas as pd

    from eachcustomer.cli import app

    visit(browser, server + "/explore", "#explore-run", fresh=True)
    browser.console_errors()
    set_parameter(browser, "n_employees", Keys.END, 5000)
    set_parameter(browser, "horizon_weeks", Keys.END, 520)
    browser.find("#explore-run").click()
    wait_until(lambda: week_shown(browser) > 2, 60, "the run under way")
    browser.find("#explore-pause").click()
    paused = wait_for_pause(browser)
    assert 0 < paused < 520
    before = browser.prop("explore-state", "data")["table"]["mean_attitude"]
    # Home: negativity bias to 1 from the paused week on, not from week 0.
    param_thumb(browser, "negativity_bias").send_keys(Keys.HOME)
    entries = wait_until(lambda: timeline(browser), 15, "the change in the timeline")
    assert entries == [{"week": paused, "overrides": {"negativity_bias": 1}, "interventions": []}]
    assert overrides(browser) == {"n_employees": 5000, "horizon_weeks": 520}
    wait_until(
        lambda: f"act from week {paused + 1}" in browser.text("#explore-stale"), 10, "the note"
    )
    assert f"Week {paused}: Negativity bias 1" in browser.text("#explore-changes")
    browser.find("#explore-run").click()
    wait_for_week(browser, 520, 240, "the rest of the run")
    state = browser.prop("explore-state", "data")
    assert state["table"]["mean_attitude"][: paused + 1] == before  # the weeks before stay
    assert state["marks"] == [{"week": paused, "label": "Negativity bias 1"}]
    for graph in EXPLORE_GRAPHS:
        wait_until(lambda g=graph: marked_weeks(browser, g) == [paused], 15, f"{graph}'s mark")
    # The exported file carries the seed and the change: `eachcustomer run FILE`, with no
    # --seed, gives the dashboard's run week for week.
    scenario = exported_scenario(browser)
    out = tmp_path / "weekly.csv"
    result = CliRunner().invoke(app, ["run", str(scenario), "--out", str(out)])
    assert result.exit_code == 0, result.output
    weekly = pd.read_csv(out)
    for column in ("mean_attitude", "active_customers", "attitude_band_4plus"):
        assert weekly[column].tolist() == state["table"][column], column  # exactly
    assert browser.console_errors() == []


def test_a_slider_moved_while_the_run_goes_on_continues_it_from_the_week_shown(server, browser):
    from eachcustomer.dashboard.runs import advance

    visit(browser, server + "/explore", "#explore-run", fresh=True)
    set_parameter(browser, "n_employees", Keys.END, 5000)
    set_parameter(browser, "horizon_weeks", Keys.END, 520)
    browser.find("#explore-run").click()
    wait_until(lambda: week_shown(browser) > 2, 60, "the run under way")
    param_thumb(browser, "drift_rate").send_keys(Keys.END)
    (entry,) = wait_until(lambda: timeline(browser), 15, "the change in the timeline")
    assert entry["overrides"] == {"drift_rate": 0.05} and 0 < entry["week"] < 520
    # The run went on by itself, from the week it showed, to the end.
    wait_for_week(browser, 520, 240, "the run to finish")
    state = browser.prop("explore-state", "data")
    assert state["timeline"] == [entry] and state["marks"][0]["week"] == entry["week"]
    settings = browser.prop("settings", "data")
    assert (
        state["table"]["mean_attitude"] == advance(settings, None, "run")["table"]["mean_attitude"]
    )


# --- presentation mode -------------------------------------------------------------------------

TEXT_BOXES = """
const boxes = [];
document.querySelectorAll(arguments[0] + ' .js-plotly-plot').forEach((plot, index) => {
  plot.querySelectorAll('text').forEach(text => {
    const box = text.getBoundingClientRect();
    if (!text.textContent.trim() || box.width === 0 || box.height === 0) { return; }
    boxes.push({chart: index, text: text.textContent, left: box.left, top: box.top,
                right: box.right, bottom: box.bottom});
  });
});
return boxes;
"""
"""Every text drawn in the charts under a selector (titles, axis titles, tick labels, legend
items, colour bars) with its box on the page, from the browser's own layout."""


def overlapping(boxes: list[dict], tolerance: float = 2.0) -> list[tuple[str, str]]:
    """Pairs of texts of one chart whose boxes overlap by more than `tolerance` pixels."""
    pairs = []
    for i, first in enumerate(boxes):
        for second in boxes[i + 1 :]:
            if first["chart"] != second["chart"]:
                continue
            width = min(first["right"], second["right"]) - max(first["left"], second["left"])
            height = min(first["bottom"], second["bottom"]) - max(first["top"], second["top"])
            if width > tolerance and height > tolerance:
                pairs.append((first["text"], second["text"]))
    return pairs


@pytest.mark.parametrize("lesson", ["burnout", "top"])
def test_presentation_mode_at_1280x720_scales_the_charts_without_overlapping_text(
    server, browser, tmp_path, lesson
):
    driver = browser.driver
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 1280, "height": 720, "deviceScaleFactor": 1, "mobile": False},
    )
    try:
        visit(browser, f"{server}/learn/{lesson}", "#lesson-run", fresh=True)
        browser.find("#lesson-run").click()
        wait_until(lambda: browser.prop("lesson-look", "hidden") is False, 60, "the lesson's run")
        small = wait_until(lambda: font_sizes(browser), 15, "the charts")
        browser.find("#learn-presentation").click()
        wait_until(lambda: browser.prop("presentation", "data") is True, 10, "presentation mode")
        # The charts are drawn again at the projector's sizes: larger titles, ticks,
        # legends and lines.
        large = wait_until(
            lambda: (sizes := font_sizes(browser)) and sizes["title"] > small["title"] and sizes,
            30,
            "the charts at presentation size",
        )
        assert large["tick"] > small["tick"] and large["legend"] > small["legend"]
        assert large["line"] > small["line"]
        driver.execute_script("document.querySelector('.lesson-charts').scrollIntoView()")
        driver.save_screenshot(str(tmp_path / f"presentation-{lesson}.png"))
        boxes = driver.execute_script(TEXT_BOXES, "#lesson-charts")
        assert len({box["chart"] for box in boxes}) >= 2
        assert overlapping(boxes) == []
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def font_sizes(browser: Browser) -> dict | None:
    """Sizes drawn in the lesson's charts: title, tick label and legend type, line width."""
    return browser.driver.execute_script(
        """
        const charts = document.querySelector('#lesson-charts');
        if (!charts || !charts.querySelector('.js-plotly-plot .gtitle')) { return null; }
        const size = selector => {
          const node = charts.querySelector(selector);
          return node ? parseFloat(getComputedStyle(node).fontSize) : 0;
        };
        const line = charts.querySelector('.scatterlayer .js-line');
        return {title: size('.gtitle'), tick: size('.xtick text'),
                legend: size('.legendtext'),
                line: line ? parseFloat(getComputedStyle(line).strokeWidth) : 0};
        """
    )


def chart_points(browser: Browser, graph_id: str) -> dict | None:
    """Points drawn in a chart, by trace name."""
    return browser.driver.execute_script(
        "const plot = document.querySelector(arguments[0] + ' .js-plotly-plot');"
        "if (!plot || !plot._fullData) { return null; }"
        "const points = {}; plot._fullData.forEach(t => { points[t.name] = (t.x || []).length; });"
        "return points;",
        f"#{graph_id}",
    )


def test_the_plan_finder_finds_a_plan_shows_its_front_and_exports_it(server, browser):
    from eachcustomer.dashboard.forest import wrapped_label
    from eachcustomer.experiments.loading.scenario_files import load_scenario

    visit(browser, server + "/plan-finder", "#planfinder-run", fresh=True)
    browser.console_errors()
    for name in ("population", "generations", "replications"):
        browser.find(f"#planfinder-{name} [role=slider]").send_keys(Keys.HOME)
    wait_until(
        lambda: (
            [browser.prop(f"planfinder-{n}", "value") for n in ("population", "generations")]
            + [browser.prop("planfinder-replications", "value")]
            == [4, 1, 2]
        ),
        10,
        "the smallest search",
    )
    # The size sentence follows the sliders by a callback of its own: wait for it.
    wait_until(
        lambda: "At most 8 runs" in browser.text("#planfinder-size"), 10, "the search's size"
    )
    browser.find("#planfinder-run").click()
    result = wait_until(lambda: browser.prop("planfinder-result", "data"), 180, "the search")
    assert result["error"] is None, result["error"]
    sentence = wait_until(lambda: browser.text("#planfinder-sentence"), 15, "the sentence")
    assert sentence == result["sentence"] and sentence.startswith("Of a budget of 60,000")
    # Recommended only if it beats doing nothing on fresh seeds; otherwise the page says so.
    chosen = "recommended" if result["recommended"] else "best candidate (not recommended)"
    heading = browser.text("#planfinder-heading")
    assert heading == ("Recommended plan" if result["recommended"] else result["heading"])
    if not result["recommended"]:
        assert "reliably beats doing nothing" in browser.text("#planfinder-verdict")
    points = wait_until(lambda: chart_points(browser, "planfinder-front"), 15, "the front")
    assert points.get(chosen) == 1
    assert points.get("front", 0) + 1 == len(result["front"])
    assert points.get("plan library, doing nothing") == 1
    effects = browser.driver.find_elements(By.CSS_SELECTOR, "#planfinder-effects li")
    assert len(effects) == 2 and "than doing nothing" in effects[0].text
    # Above the words, a forest plot per objective: a point and a bar for each plan shown.
    for objective in {row["objective"] for row in result["forest"]}:
        rows = [row for row in result["forest"] if row["objective"] == objective]
        drawn = wait_until(
            lambda o=objective: chart_points(browser, f"planfinder-forest-{o}"), 15, "a forest"
        )
        assert drawn == {wrapped_label(row["plan"]): 1 for row in rows}
    wait_until(lambda: not browser.prop("planfinder-download-button", "disabled"), 10, "export")
    before = set(browser.downloads.glob("*.toml"))
    browser.find("#planfinder-download-button").click()

    def exported() -> Path | None:
        for path in set(browser.downloads.glob("*.toml")) - before:
            load_scenario(path)  # raises while the file is incomplete
            return path
        return None

    scenario = load_scenario(wait_until(exported, 30, "the downloaded scenario"))
    assert scenario.plans["recommended"] == scenario.interventions
    assert scenario.interventions  # the recommended plan spends the budget on something
    assert browser.console_errors() == []


BROWSER_SWEEP = """title = "Browser sweep of the negativity bias"
scenario = "baseline"
replications = 2
seed = 3
weeks = 6
[parameters]
n_employees = 60
negativity_bias = [1.0, 3.0]
"""


def test_a_sweep_from_the_experiments_page_links_its_report(server, browser):
    visit(browser, server + "/experiments", "#sweep-run", fresh=True)
    editor = browser.find("#sweep-spec")
    # Long lines wrap inside the panel: no sideways scrolling in the editor.
    assert editor.value_of_css_property("white-space") == "pre-wrap"
    browser.driver.execute_script("arguments[0].select();", editor)
    editor.send_keys(Keys.DELETE)
    editor.send_keys(BROWSER_SWEEP)
    wait_until(lambda: "4 runs of 6 weeks" in browser.text("#sweep-check"), 15, "the spec")
    browser.find("#sweep-run").click()
    link = wait_until(lambda: browser.find("#sweep-report-link"), 90, "the report link")
    folder = browser.prop("sweep-results", "value")
    assert folder.startswith("browser-sweep-") and len(folder) == len("browser-sweep-") + 15
    assert "4 runs done, 0 failed" in browser.text("#sweep-status")
    href = link.get_attribute("href")
    assert href == f"{server}/reports/{folder}/index.html"
    with urllib.request.urlopen(href, timeout=10) as page:
        assert "<h1>Browser sweep of the negativity bias</h1>" in page.read().decode()


def choose_option(browser: Browser, dropdown: str | dict, label: str) -> None:
    """Open a dropdown and pick the option with this label (Dash 4's dropdown is a button
    with a list box); wait until the app holds it."""
    from selenium.webdriver.common.action_chains import ActionChains

    selector = dropdown if isinstance(dropdown, str) else None
    if selector is None:
        key = ",".join(f'"{k}":"{v}"' for k, v in sorted(dropdown.items()))
        selector = f"[id='{{{key}}}']"
    button = browser.find(selector)
    browser.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    button.click()
    option = wait_until(
        lambda: [
            o
            for o in browser.driver.find_elements(By.CSS_SELECTOR, "[role=option]")
            if o.text.strip() == label
        ],
        10,
        f"the option {label}",
    )
    option[0].click()
    ActionChains(browser.driver).send_keys(Keys.ESCAPE).perform()
    component = dropdown if isinstance(dropdown, dict) else dropdown.lstrip("#")
    wait_until(lambda: label in (browser.prop(component, "value") or []), 10, f"{label} chosen")


def test_an_intervention_for_one_department_added_during_the_run(server, browser):
    visit(browser, server + "/explore", "#explore-run", fresh=True)
    browser.console_errors()
    added_list = "return document.querySelector('#explore-added').textContent"
    wait_until(lambda: browser.driver.execute_script(added_list) == "None added.", 10, "list")
    for week in (1, 2, 3):
        browser.find("#explore-step").click()
        wait_for_week(browser, week, 15, f"step {week}")
    summary = browser.driver.find_element(By.XPATH, "//summary[.='Add an intervention']")
    browser.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", summary)
    summary.click()
    choose_option(browser, "#explore-add-departments", "customer service")
    browser.find("#explore-add").click()
    (entry,) = wait_until(lambda: timeline(browser), 15, "the change in the timeline")
    assert entry["week"] == 3 and entry["overrides"] == {}
    (added,) = entry["interventions"]
    assert added["coverage"] == {"departments": ["customer service"], "share": 1}
    assert added["start"] == 26 and added["kind"] == "training_day"
    wait_until(
        lambda: "100% of customer service" in browser.text("#explore-changes"), 10, "the list"
    )
    # Not an intervention of week 0:
    assert browser.driver.execute_script(added_list) == "None added."
    browser.find("#explore-step").click()
    wait_for_week(browser, 4, 15, "a step past the change")
    wait_until(lambda: marked_weeks(browser, "band") == [3], 15, "the mark")
    assert browser.prop("explore-state", "data")["marks"] == [
        {"week": 3, "label": "+ training day from week 26"}
    ]
    assert browser.console_errors() == []


def test_compare_runs_a_plan_for_one_department(server, browser):
    visit(browser, server + "/compare", "#compare-run", fresh=True)
    browser.console_errors()
    browser.find("#compare-coverage-box summary").click()
    choose_option(
        browser, {"plan": "plan:training_day", "type": "compare-departments"}, "customer service"
    )
    browser.find("#compare-replications [role=slider]").send_keys(Keys.HOME)
    wait_until(lambda: browser.prop("compare-replications", "value") == 2, 10, "2 replications")
    browser.find("#compare-run").click()
    result = wait_until(lambda: browser.prop("compare-result", "data"), 120, "the comparison")
    assert result["error"] is None
    assert [p["name"] for p in result["plans"]] == [
        "Do nothing",
        "One-off training day (customer service)",
        "Culture-wide change",
    ]
    wait_until(
        lambda: "100% of customer service" in browser.text("#compare-plan-table"), 15, "the table"
    )
    open_words(browser)
    against = browser.text("#compare-against-nothing")
    assert "One-off training day (customer service)" in against
    assert browser.console_errors() == []


# --- hardening: uploads over the limit, formulas in downloads, a full server -----------------

HOSTILE_ID = "=cmd|' /C calc'!A0"


def test_uploads_over_the_limit_get_the_same_message_at_any_size(server, browser, tmp_path):
    from eachcustomer.dashboard.uploads import too_large_message

    visit(browser, server + "/organization", "#org-upload", fresh=True)
    browser.console_errors()
    header = "employee_id,manager_id,department,customer_facing\n"
    # 3 MB: over the chart limit, under the server's request limit; 9 MB: over both. The
    # browser sends neither, and says what the server says about any file over the limit.
    for megabytes, box in ((3, "#org-upload"), (9, "#org-upload"), (9, "#org-upload-departments")):
        big = tmp_path / f"big_{megabytes}.csv"
        big.write_text(header + "1,,sales,true\n" * (megabytes * 1_000_000 // 14))
        if box == "#org-upload-departments":
            browser.find("details summary").click()
        browser.find(f"{box} input[type=file]").send_keys(str(big))
        message = too_large_message(big.name, big.stat().st_size)
        assert f"{megabytes}.0 MB; the limit is 2 MB" in message
        wait_until(
            lambda m=message: m in browser.text("#org-upload-result"), 20, f"{megabytes} MB refused"
        )
        browser.driver.execute_script(
            "window.dash_clientside.set_props('org-upload-result', {children: ''});"
        )
    assert (browser.prop("settings", "data") or {}).get("chart") is None
    assert browser.console_errors() == []


def test_the_org_chart_download_neutralizes_formulas(server, browser, tmp_path):
    import csv

    visit(browser, server + "/organization", "#org-upload", fresh=True)
    chart = tmp_path / "formulas.csv"
    with chart.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["employee_id", "manager_id", "department", "customer_facing"])
        writer.writerows(
            [
                [HOSTILE_ID, "", "@sales", "false"],
                ["-3", HOSTILE_ID, "+ops", "true"],
                ["7", "-3", "=1+1", "true"],
            ]
        )
    browser.find("#org-upload input[type=file]").send_keys(str(chart))
    wait_until(lambda: "Using your chart" in browser.text("#org-upload-result"), 20, "the chart")
    before = set(browser.downloads.glob("*.csv"))
    browser.find("#org-template").click()
    download = wait_until(
        lambda: next(iter(set(browser.downloads.glob("*.csv")) - before), None),
        30,
        "the downloaded chart",
    )
    with download.open(newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:4] == ["employee_id", "manager_id", "department", "customer_facing"]
    assert [row[:3] for row in rows[1:]] == [
        ["'" + HOSTILE_ID, "", "'@sales"],
        ["-3", "'" + HOSTILE_ID, "'+ops"],  # -3 is a number: written as it is
        ["7", "-3", "'=1+1"],
    ]


def test_a_run_waits_for_a_free_slot_and_says_so(server, browser):
    from dash_client import DashTab

    from eachcustomer.dashboard.settings import default_settings

    visit(browser, server + "/explore", "#explore-run", fresh=True)
    # Two other tabs take the server's two slots with long Organization runs.
    long = {**default_settings(), "overrides": {"n_employees": 5000, "horizon_weeks": 5200}}
    others = [DashTab(server) for _ in range(2)]
    jobs = [
        tab.start(
            "org-network.figure", {"org-run.n_clicks": 1, "settings.data": long}, "org-run.n_clicks"
        )
        for tab in others
    ]
    browser.find("#explore-run").click()

    def waiting_notice() -> str:
        for tab, job in zip(others, jobs, strict=True):
            tab.poll(job)  # their pages keep polling, as pages do
        return browser.text("#job-notice")

    notice = wait_until(waiting_notice, 30, "the waiting notice")
    assert "Waiting for a free slot: the server runs 2 simulations at once; yours is next" in (
        notice
    )
    assert browser.prop("explore-run", "disabled") is True
    for tab, job in zip(others, jobs, strict=True):
        tab.cancel(job, "org-cancel.n_clicks")
    wait_until(lambda: "done" in browser.text("#explore-status"), 60, "the run, once started")
    wait_until(lambda: not browser.text("#job-notice"), 10, "the notice to go")
    assert not browser.find("#job-notice").is_displayed()


FILE_PLANS = """title = "A plan from the plan finder"

[[plans.recommended]]
kind = "training_day"
start = 4
coverage = { share = 0.5 }

[[plans.recommended]]
kind = "incentive_alignment"
start = 8
coverage = { share = 0.3 }
"""


def test_compare_runs_a_plan_from_an_uploaded_scenario_file_to_the_same_numbers(
    server, browser, tmp_path
):
    from selenium.webdriver.common.action_chains import ActionChains

    from eachcustomer.dashboard.compare.comparison import REFERENCE, outcome_series, summarize_runs
    from eachcustomer.dashboard.compare.verdict import OUTCOME_BY_COLUMN, against_reference
    from eachcustomer.dashboard.settings import build_setup, default_settings
    from eachcustomer.experiments.loading.scenario_files import load_scenario
    from eachcustomer.experiments.running.runs import run_replications
    from eachcustomer.sim.replications import replication_seeds

    path = tmp_path / "found.toml"
    path.write_text(FILE_PLANS)
    shown, value = "recommended (from found.toml)", "file:found.toml/recommended"
    visit(browser, server + "/compare", "#compare-run", fresh=True)
    browser.console_errors()
    browser.find("#compare-file-box summary").click()
    browser.find("#compare-file-upload input[type=file]").send_keys(str(path))
    wait_until(lambda: browser.prop("compare-file-plans", "data"), 15, "the file's plans")
    assert browser.text("#compare-file-result") == f"Added to the plans: {shown}."
    assert "this session's organization and settings" in browser.text("#compare-file-note")
    options = browser.prop("compare-plans", "options")
    wait_until(lambda: value in [o["value"] for o in options], 15, "the plan in the menu")

    button = browser.find("#compare-plans")
    browser.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    button.click()
    option = wait_until(
        lambda: [
            o
            for o in browser.driver.find_elements(By.CSS_SELECTOR, "[role=option]")
            if o.text.strip() == shown
        ],
        10,
        "the file's plan among the options",
    )
    option[0].click()
    ActionChains(browser.driver).send_keys(Keys.ESCAPE).perform()
    wait_until(lambda: value in browser.prop("compare-plans", "value"), 10, "the plan chosen")
    assert "plan:none" in browser.prop("compare-plans", "value")
    browser.find("#compare-budget-mode input[value='as specified']").click()
    wait_until(
        lambda: browser.prop("compare-budget-mode", "value") == "as specified", 10, "the budget"
    )
    browser.find("#compare-replications [role=slider]").send_keys(Keys.HOME)
    wait_until(lambda: browser.prop("compare-replications", "value") == 2, 10, "2 replications")
    browser.find("#compare-run").click()
    result = wait_until(lambda: browser.prop("compare-result", "data"), 180, "the comparison")
    assert result["error"] is None, result["error"]
    wait_until(lambda: shown in browser.text("#compare-plan-table"), 15, "the plan table")

    # The same plan, seeds and settings in this process: the page's numbers, run for run.
    setup = build_setup(default_settings())
    plan = load_scenario(path).plans["recommended"]
    seeds = replication_seeds(default_settings()["seed"], 2)
    # Seeds travel as text, so the page shows them whole.
    assert result["seeds"] == [str(seed) for seed in seeds]
    done = run_replications(
        setup.params,
        seeds,
        {REFERENCE: (), shown: plan},
        org=setup.org,
        individuals=setup.individuals,
    )
    finals = summarize_runs(
        {name: [outcome_series(r.series) for r in runs] for name, runs in done.items()}
    )["finals"]
    for column in ("mean_satisfaction", "customers_lost_total", "net_revenue"):
        assert result["finals"][column][shown] == finals[column][shown]
    lost = against_reference(
        OUTCOME_BY_COLUMN["customers_lost_total"], finals["customers_lost_total"], REFERENCE
    )["text"]
    words = lost.split(": ", 1)[1].rstrip(".")  # "recommended (from found.toml) -12 ..."
    assert words.startswith(shown)
    open_words(browser)
    assert words in browser.text("#compare-against-nothing")
    assert browser.console_errors() == []


def test_a_bad_scenario_file_on_compare_gets_its_problem_next_to_the_upload(
    server, browser, tmp_path
):
    from eachcustomer.dashboard.uploads import too_large_message

    visit(browser, server + "/compare", "#compare-run", fresh=True)
    browser.console_errors()
    browser.find("#compare-file-box summary").click()
    upload = browser.find("#compare-file-upload input[type=file]")
    bad = tmp_path / "bad.toml"
    bad.write_text(FILE_PLANS.replace('"incentive_alignment"', '"magic"'))
    upload.send_keys(str(bad))
    wait_until(
        lambda: (
            "bad.toml: plans.recommended.1.kind: Input should be"
            in browser.text("#compare-file-error")
        ),
        15,
        "the problem named by its key",
    )
    big = tmp_path / "big.toml"
    big.write_text('title = "t"\n' + "# padding\n" * 300_000)
    upload.send_keys(str(big))
    message = too_large_message(big.name, big.stat().st_size, limit=None)
    wait_until(lambda: browser.text("#compare-file-result") == message, 20, "the refusal")
    assert browser.prop("compare-file-plans", "data") is None
    assert not any(o["value"].startswith("file:") for o in browser.prop("compare-plans", "options"))
    assert browser.console_errors() == []
