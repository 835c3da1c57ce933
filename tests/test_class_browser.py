"""A class session in real browsers: the teacher's Class page and three students' phone pages,
each a headless Chromium of its own, on the dashboard a user starts. The tests wait on what
the pages show (the elements' text, the state their scripts hold), never on a fixed delay.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from dash_client import served_dashboard
from selenium.webdriver.common.by import By

pytestmark = pytest.mark.browser

NAMES = ("Ada", "Bruno", "Chiara")
EFFORTS = ("customer", "boss", "balanced")


def wait_until(condition: Callable[[], Any], timeout: float, message: str) -> Any:
    """Poll `condition` until it returns something true (a page still changing under the
    query counts as not yet); that value."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        try:
            value = condition()
        except Exception:  # noqa: BLE001 - the element is being redrawn
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {message}")
        time.sleep(0.1)


def text(driver: Any, selector: str) -> str:
    return driver.find_element(By.CSS_SELECTOR, selector).text


def click(driver: Any, selector: str) -> None:
    driver.find_element(By.CSS_SELECTOR, selector).click()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served_dashboard(tmp_path_factory.mktemp("class-browser")) as (url, _):
        yield url


@pytest.fixture(scope="module")
def browsers(chromium: Callable[[Path], Any], tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The teacher's browser and one per student: separate Chromium sessions (own storage)."""
    drivers = [chromium(tmp_path_factory.mktemp(f"browser{i}")) for i in range(1 + len(NAMES))]
    try:
        yield drivers[0], drivers[1:]
    finally:
        for driver in drivers:
            driver.quit()


def month_played(teacher: Any, month: int) -> bool:
    shown = text(teacher, "#class-round")
    return shown.startswith(f"Month {month} of ") and "students answered" in shown


def report_of(student: Any, month: int) -> list[str]:
    if text(student, "#report-title") != f"What happened to you in month {month}":
        return []
    return [item.text for item in student.find_elements(By.CSS_SELECTOR, "#report li")]


def test_a_class_plays_two_months_in_real_browsers(server, browsers):
    teacher, students = browsers
    teacher.get(server + "/class")
    wait_until(lambda: teacher.find_element(By.ID, "class-start"), 30, "the Class page")
    assert teacher.find_element(By.ID, "class-advance").get_attribute("disabled")
    click(teacher, "#class-start")
    code = wait_until(lambda: text(teacher, "#class-code"), 30, "the join code")
    assert len(code) == 5 and not set(code) & set("0O1I")
    address = text(teacher, "#class-address")
    assert address == f"{server}/class/join?code={code}"
    assert "--host 0.0.0.0" in text(teacher, "#class-host-note")  # it listens on 127.0.0.1
    # One live session a tab: Start waits for End.
    wait_until(
        lambda: teacher.find_element(By.ID, "class-start").get_attribute("disabled"),
        30,
        "Start disabled while the session lives",
    )

    # The students open the address, find the code filled in, and join with a first name.
    for student, name in zip(students[:-1], NAMES, strict=False):
        student.set_window_size(360, 740)
        student.get(address)
        field = wait_until(lambda s=student: s.find_element(By.ID, "join-code"), 30, "the form")
        assert field.get_attribute("value") == code
        student.find_element(By.ID, "join-name").send_keys(name)
        click(student, "#join-button")
    # A name already taken (whatever its case) is refused next to the form, in words.
    late = students[-1]
    late.set_window_size(360, 740)
    wait_until(lambda: text(students[0], "#role").startswith("Ada: "), 30, "Ada's role")
    late.get(address)
    wait_until(lambda: late.find_element(By.ID, "join-name"), 30, "the form again")
    late.find_element(By.ID, "join-name").send_keys("ada")
    click(late, "#join-button")
    refusal = wait_until(lambda: text(late, "#join-error"), 30, "the refusal")
    assert "'ada' has already joined" in refusal
    late.find_element(By.ID, "join-name").clear()
    late.find_element(By.ID, "join-name").send_keys(NAMES[-1])
    click(late, "#join-button")
    for student, name, effort in zip(students, NAMES, EFFORTS, strict=True):
        wait_until(lambda s=student, n=name: text(s, "#role").startswith(n + ": "), 30, "a role")
        # A phone's width: nothing sticks out sideways.
        width = student.execute_script("return document.documentElement.scrollWidth")
        assert width <= 360
        click(student, f"label[for='effort-{effort}']")
        click(student, "label[for='language-each_customer']")
        click(student, "#choice-send")
        wait_until(
            lambda s=student: text(s, "#choice-saved").startswith("Saved"), 30, "the choice saved"
        )
    roster = wait_until(
        lambda: (shown := text(teacher, "#class-roster")).count("yes") == len(NAMES) and shown,
        30,
        "everyone answered on the roster",
    )
    assert all(name in roster for name in NAMES)

    click(teacher, "#class-advance")
    wait_until(lambda: month_played(teacher, 1), 60, "the first month")
    for student, effort in zip(students, EFFORTS, strict=True):
        said = wait_until(lambda s=student: report_of(s, 1), 30, "the first report")
        assert said[0].startswith("Month 1: you gave your effort to")
        assert ("customer in front of me" in said[0]) == (effort == "customer")
        assert any("evaluation is" in line and "bonus $" in line for line in said)

    # A reload keeps the role, the choice and the report (the token is in localStorage).
    ada = students[0]
    role = text(ada, "#role")
    ada.refresh()
    wait_until(lambda: text(ada, "#role") == role, 30, "the role after a reload")
    wait_until(lambda: report_of(ada, 1), 30, "the report after a reload")
    assert ada.find_element(By.ID, "effort-customer").is_selected()
    assert text(ada, "#join-section") == ""  # the join form stays hidden

    # A lever for the next month: pending on the teacher's page, felt by the students.
    lever = "#class-lever-aligned_incentives"
    click(teacher, lever)
    wait_until(lambda: "(next month)" in text(teacher, lever), 30, "the lever pending")
    assert teacher.find_element(By.CSS_SELECTOR, lever).get_attribute("disabled")
    click(teacher, "#class-advance")
    wait_until(lambda: month_played(teacher, 2), 60, "the second month")
    for student in students:
        said = wait_until(lambda s=student: report_of(s, 2), 30, "the second report")
        assert said[0] == "New this month: Customer outcomes in every evaluation."
    assert "(since month 2)" in text(teacher, lever)

    click(teacher, "#class-end")
    for student in students:
        wait_until(lambda s=student: "ended" in text(s, "#status"), 30, "the end")
        assert student.find_element(By.ID, "choice-send").get_attribute("disabled")
    wait_until(
        lambda: not teacher.find_element(By.ID, "class-start").get_attribute("disabled"),
        30,
        "Start enabled again",
    )
    for driver in (teacher, *students):
        severe = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        if driver is late:  # the refused name: the browser logs the answer's status
            refused = [
                e for e in severe if "/class/api/join" in e["message"] and "400" in e["message"]
            ]
            assert len(refused) == 1, severe
            severe = [e for e in severe if e not in refused]
        assert severe == [], severe
