"""Forty students over HTTP against a served dashboard (`python -m eachcustomer dashboard`):
all join, all choose, the teacher plays months through the teacher's JSON calls, and every
student's state answers within a second while a month is being played (the bound issue 24
states), and so does the students' page itself (a reload, now and then). Each student polls
at eight times the page's own pace; the test waits on the session's state, and measures
each request.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from dash_client import served_dashboard, wait_until

from eachcustomer.dashboard.classroom.game import EFFORTS

STUDENTS = 40
ROUNDS = 5
PACE = 0.25
"""Seconds between a student's state requests: eight times the page's pace (every 2 s), so
that with a month played in a few hundredths of a second some requests land inside it."""
BOUND = 1.0
"""The slowest answer allowed, in seconds, while a month is played."""


def call(url: str, route: str, **body: Any) -> tuple[int, dict[str, Any], float]:
    """POST to the class API: status, answer, and how long the answer took."""
    request = urllib.request.Request(
        f"{url}/class/api/{route}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    began = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            status, data = answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        status, data = error.code, json.loads(error.read())
    return status, data, time.perf_counter() - began


def fetch(address: str) -> float:
    """GET a page: how long it took."""
    began = time.perf_counter()
    with urllib.request.urlopen(address, timeout=30) as answer:
        assert answer.status == 200 and answer.read()
    return time.perf_counter() - began


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Any:
    with served_dashboard(tmp_path_factory.mktemp("class-load")) as (url, _):
        yield url


def test_forty_students_play_and_every_state_answers_within_a_second(served):
    url = served
    status, started, _ = call(url, "teacher/start", scenario="baseline", seed=7)
    assert status == 200, started
    code, teacher = started["code"], started["token"]
    efforts = list(EFFORTS)

    def join(index: int) -> str:
        status, joined, _ = call(url, "join", code=code, name=f"Student {index}")
        assert status == 200, joined
        return joined["token"]

    def choose(index: int, token: str) -> float:
        status, state, took = call(
            url,
            "choose",
            code=code,
            token=token,
            effort=efforts[index % 3],
            language="each_customer" if index % 2 else "the_customer",
        )
        assert status == 200 and state["answered"], state
        return took

    with ThreadPoolExecutor(STUDENTS) as pool:
        tokens = list(pool.map(join, range(STUDENTS)))
        list(pool.map(choose, range(STUDENTS), tokens))
    _, roster, _ = call(url, "teacher/state", code=code, token=teacher)
    assert len(roster["students"]) == STUDENTS and all(s["answered"] for s in roster["students"])
    kinds = {s["role"] for s in roster["students"]}
    assert len(kinds) > 1  # roles are handed out round robin

    latencies: list[tuple[float, str]] = []  # (seconds, status seen or what was asked)
    lock = threading.Lock()
    done = threading.Event()

    def student(index: int, token: str) -> dict[str, Any]:
        """Poll like the page (faster), until the last month's report has arrived."""
        pause = threading.Event()
        pause.wait(index * PACE / STUDENTS)  # spread the students over the pace
        polls = 0
        while True:
            polls += 1
            if polls % 4 == index % 4:  # now and then a reload: the page and its script
                with lock:
                    latencies.append((fetch(f"{url}/class/join?code={code}"), "page"))
                    latencies.append((fetch(f"{url}/class/static/join.js"), "page"))
            teacher_done = done.is_set()  # before asking: a state asked after it is final
            status, state, took = call(url, "state", code=code, token=token)
            assert status == 200, state
            with lock:
                latencies.append((took, state["status"]))
            if state["round"] == ROUNDS and state["status"] == "waiting":
                return state
            if state["status"] == "waiting" and not state["answered"] and index % 4 == 0:
                with lock:
                    latencies.append((choose(index + state["round"], token), "choose"))
            if teacher_done:
                raise AssertionError(f"the teacher stopped before the last month: {state}")
            pause.wait(max(0.0, PACE - took))

    with ThreadPoolExecutor(STUDENTS) as pool:
        futures = [pool.submit(student, i, t) for i, t in enumerate(tokens)]
        try:
            for month in range(1, ROUNDS + 1):
                status, answer, _ = call(url, "teacher/advance", code=code, token=teacher)
                assert status == 200, answer
                wait_until(
                    lambda m=month: (
                        (state := call(url, "teacher/state", code=code, token=teacher)[1])["round"]
                        == m
                        and state["status"] == "waiting"
                        and state
                    ),
                    120,
                    f"month {month} to be played",
                )
        finally:
            done.set()
        finals = [future.result(timeout=120) for future in futures]

    for index, final in enumerate(finals):
        assert final["name"] == f"Student {index}"
        assert final["report"]["round"] == ROUNDS and final["report"]["sentences"]
    during = [took for took, seen in latencies if seen == "running"]
    assert during, "no student asked while a month was being played: the test saw nothing"
    slowest = max(took for took, _ in latencies)
    print(
        f"{len(latencies)} requests, {len(during)} during a month; slowest {slowest:.3f} s, "
        f"slowest during a month {max(during):.3f} s"
    )
    assert slowest < BOUND, f"the slowest answer took {slowest:.2f} s"
    call(url, "teacher/end", code=code, token=teacher)
