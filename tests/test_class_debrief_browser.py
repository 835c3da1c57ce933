"""The debrief in a real browser: the teacher's Class page plays three months with two
students (who answer over the class API) and a lever, then shows the debrief's charts with
the lever marked, switches to presentation mode and downloads both exports, which are the
session's own. The test waits on what the page shows, never on a fixed delay.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from dash_client import served_dashboard, wait_until
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By

from eachcustomer.dashboard.classroom.figures import DEBRIEF_FIGURES
from eachcustomer.dashboard.classroom.game import LEVERS

pytestmark = pytest.mark.browser


def call(url: str, route: str, **body: Any) -> dict[str, Any]:
    """POST to the class API (as the students' page does); its answer."""
    request = urllib.request.Request(
        f"{url}/class/api/{route}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())


def text(driver: Any, selector: str) -> str:
    """The element's text; "" while it is not there (or is being redrawn)."""
    try:
        found = driver.find_elements(By.CSS_SELECTOR, selector)
        return found[0].text if found else ""
    except StaleElementReferenceException:
        return ""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served_dashboard(tmp_path_factory.mktemp("class-debrief")) as (url, _):
        yield url


@pytest.fixture
def teacher(chromium: Callable[[Path], Any], tmp_path: Path) -> Iterator[tuple[Any, Path]]:
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    driver = chromium(downloads)
    driver.set_window_size(1400, 1000)
    try:
        yield driver, downloads
    finally:
        driver.quit()


def lever_marks(driver: Any, name: str) -> list[str]:
    """The texts of the lever marks plotly drew on the debrief's chart `name`."""
    return driver.execute_script(
        "const g = document.querySelector(arguments[0] + ' .js-plotly-plot');"
        "return g ? (g.layout.annotations || []).map(a => a.text) : null;",
        f"#class-debrief-{name}",
    )


def test_the_debrief_draws_marks_switches_to_presentation_and_downloads(server, teacher):
    driver, downloads = teacher
    driver.get(server + "/class")
    wait_until(lambda: driver.find_elements(By.ID, "class-start"), 30, "the Class page")
    driver.find_element(By.ID, "class-start").click()
    code = wait_until(lambda: text(driver, "#class-code"), 30, "the join code")
    assert "No month played yet" in wait_until(
        lambda: text(driver, "#class-debrief"), 30, "the debrief's empty state"
    )
    tokens = [call(server, "join", code=code, name=name)["token"] for name in ("Ada", "Bruno")]
    for token, effort in zip(tokens, ("boss", "customer"), strict=True):
        call(server, "choose", code=code, token=token, effort=effort, language="the_customer")

    def play(month: int) -> None:
        driver.find_element(By.ID, "class-advance").click()
        wait_until(
            lambda: text(driver, "#class-round").startswith(f"Month {month} of "), 60, "a month"
        )

    play(1)
    driver.find_element(By.ID, "class-lever-aligned_incentives").click()
    wait_until(
        lambda: "(next month)" in text(driver, "#class-lever-aligned_incentives"), 30, "a lever"
    )
    call(server, "choose", code=code, token=tokens[0], effort="customer", language="each_customer")
    play(2)
    play(3)

    # The table says what changed after the lever, over months 2-3 against month 1 (once the
    # debrief is drawn after month 3); every chart marks the lever at month 2.
    table = wait_until(
        lambda: (
            (shown := text(driver, "#class-lever-effects"))
            and "1 \u2192 2\u20133" in shown
            and shown
        ),
        60,
        "the lever table after month 3",
    )
    assert LEVERS["aligned_incentives"] in table
    label = f"month 2: {LEVERS['aligned_incentives']}"
    for name in DEBRIEF_FIGURES:
        marks = wait_until(lambda n=name: lever_marks(driver, n), 30, f"the chart {name}")
        assert marks == [label]

    driver.find_element(By.ID, "class-presentation").click()
    wait_until(
        lambda: text(driver, "#class-presentation") == "Leave presentation mode",
        30,
        "presentation mode",
    )
    size = driver.execute_script(
        "return document.querySelector('#class-debrief-choices .js-plotly-plot').layout.font.size;"
    )
    assert size == 20
    driver.save_screenshot(str(downloads.parent / "debrief-presentation.png"))

    driver.find_element(By.ID, "class-download-choices").click()
    driver.find_element(By.ID, "class-download-scenario").click()
    choices = downloads / f"class-{code.lower()}-choices.csv"
    scenario = downloads / f"class-{code.lower()}-replay.toml"
    wait_until(lambda: choices.exists() and scenario.exists(), 30, "both downloads")
    rows = pd.read_csv(choices)
    assert len(rows) == 2 * 3
    assert list(rows.loc[rows["name"] == "Ada", "effort"]) == ["boss", "customer", "customer"]
    assert "--steps 12 replays it exactly" in scenario.read_text(encoding="utf-8")
    severe = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert severe == [], severe
