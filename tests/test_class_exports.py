"""The debrief's exports on the real sessions registry and the real game: the teacher's
store finds the session, a wrong or forgotten session gets a sentence, a month being played
holds the export back; and the Download buttons' callback through a served dashboard."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pandas as pd
import pytest
from dash._callback_context import context_value
from dash._utils import AttributeDict
from dash_client import served_dashboard, wait_until
from flask import Flask

from eachcustomer.dashboard.classroom import debrief, sessions
from eachcustomer.dashboard.classroom.game import ClassGame, RoundSummary
from eachcustomer.dashboard.classroom.sessions import (
    ENDED_KEPT,
    RUNNING,
    WAITING,
    ClassRegistry,
)
from eachcustomer.dashboard.classroom.web import install


class Clock:
    """A clock the test moves (the registry's sessions expire by it)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@contextmanager
def triggered(prop_id: str) -> Iterator[None]:
    """Call a callback as if `prop_id` ("component.property") had fired it."""
    token = context_value.set(AttributeDict(triggered_inputs=[{"prop_id": prop_id, "value": 1}]))
    try:
        yield
    finally:
        context_value.reset(token)


def call(url: str, route: str, **body: Any) -> tuple[int, dict[str, Any]]:
    """POST to the class API: its status and answer."""
    request = urllib.request.Request(
        f"{url}/class/api/{route}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


class HeldGame(ClassGame):
    """The real game, whose round can be held open to see the exports while it runs."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.release = threading.Event()
        self.release.set()
        self.playing = threading.Event()

    def play_round(self) -> RoundSummary:
        self.playing.set()
        assert self.release.wait(60)
        return super().play_round()


def new_game(scenario: str, seed: int) -> HeldGame:
    game = HeldGame.start(scenario, seed=seed, employees=60)
    assert isinstance(game, HeldGame)
    return game


def wait_for_month(classes: ClassRegistry, code: str, teacher: str, month: int) -> None:
    """Wait on the registry's state until `month` is played and published."""
    wait_until(
        lambda: (
            (state := classes.teacher_state(code, teacher))["round"] == month
            and state["status"] == WAITING
        ),
        60,
        f"month {month}",
    )


def played(classes: ClassRegistry, code: str, teacher: str, rounds: int) -> None:
    """Advance to `rounds` months played, one at a time."""
    for month in range(classes.teacher_state(code, teacher)["round"] + 1, rounds + 1):
        classes.advance(code, teacher)
        wait_for_month(classes, code, teacher, month)


@pytest.fixture
def session() -> tuple[ClassRegistry, str, str, Clock]:
    clock = Clock()
    classes = ClassRegistry(new_game=new_game, clock=clock)
    code, teacher = classes.start("baseline", seed=2)
    ann, _ = classes.join(code, "Ann")
    bo, _ = classes.join(code, "Bo")
    classes.choose(code, ann, "boss", "the_customer")
    classes.choose(code, bo, "customer", "each_customer")
    played(classes, code, teacher, 2)
    return classes, code, teacher, clock


def test_the_teachers_store_exports_the_sessions_choices_and_replay(session):
    classes, code, teacher, _ = session
    game = classes.teacher_game(code, teacher)
    store = {"code": code, "token": teacher}
    data, message = debrief.export_file("choices", store, classes)
    assert message == "" and data is not None
    assert data["filename"] == f"class-{code.lower()}-choices.csv"
    rows = pd.read_csv(pd.io.common.StringIO(data["content"]), dtype=str)
    own = pd.read_csv(pd.io.common.StringIO(game.choices_csv()), dtype=str)
    pd.testing.assert_frame_equal(rows, own)  # every cell as the game spells it
    assert list(rows["name"]) == ["Ann", "Ann", "Bo", "Bo"]
    data, message = debrief.export_file("scenario", store, classes)
    assert message == "" and data is not None
    assert data["content"] == game.scenario_text()
    assert data["filename"] == f"class-{code.lower()}-replay.toml"


@pytest.mark.parametrize("wrong", ["code", "token"])
def test_a_wrong_code_or_token_gets_a_sentence(session, wrong):
    classes, code, teacher, _ = session
    store = {"code": "ZZZZZ" if wrong == "code" else code, "token": teacher}
    if wrong == "token":
        store["token"] = "not-the-teachers"
    assert debrief.export_file("choices", store, classes) == (None, debrief.NO_SESSION)


def test_an_ended_session_exports_while_kept_then_gets_a_sentence(session):
    classes, code, teacher, clock = session
    store = {"code": code, "token": teacher}
    classes.end(code, teacher)
    data, message = debrief.export_file("scenario", store, classes)
    assert message == "" and data is not None  # a teacher ends the class, then downloads
    clock.now += ENDED_KEPT + 1
    assert debrief.export_file("scenario", store, classes) == (None, debrief.NO_SESSION)


def test_an_export_while_a_month_is_played_waits_then_says_to_try_again(session, monkeypatch):
    classes, code, teacher, _ = session
    store = {"code": code, "token": teacher}
    game = classes.teacher_game(code, teacher)
    assert isinstance(game, HeldGame)
    monkeypatch.setattr(sessions, "GAME_WAIT", 0.05)  # the round is held: no need to wait long
    game.release.clear()
    game.playing.clear()
    classes.advance(code, teacher)
    assert game.playing.wait(30)
    assert classes.teacher_state(code, teacher)["status"] == RUNNING
    data, message = debrief.export_file("choices", store, classes)
    assert data is None and message.startswith("The month is still being played")
    game.release.set()
    wait_for_month(classes, code, teacher, 3)
    data, _ = debrief.export_file("choices", store, classes)
    assert data is not None and len(pd.read_csv(pd.io.common.StringIO(data["content"]))) == 6


def test_the_download_callback_finds_the_session_in_the_servers_registry(session):
    classes, code, teacher, _ = session
    server = Flask(__name__)
    install(server, classes)
    store = {"code": code, "token": teacher}
    with server.app_context():
        with triggered("class-download-scenario.n_clicks"):
            choices, scenario, message = debrief.download(None, 1, store)
        assert scenario["content"] == classes.teacher_game(code, teacher).scenario_text()
        assert choices is debrief.dash.no_update and message == ""
        with triggered("class-download-choices.n_clicks"):
            choices, scenario, message = debrief.download(1, None, {"code": code, "token": "x"})
        assert choices is debrief.dash.no_update and scenario is debrief.dash.no_update
        assert message == debrief.NO_SESSION


# --- through the served dashboard, as the teacher's browser calls it ------------------------


def update(url: str, teacher: dict[str, str], button: str) -> dict[str, Any]:
    """POST the download callback as dash-renderer does after a click on `button`."""
    outputs = [
        {"id": "class-choices-file", "property": "data"},
        {"id": "class-scenario-file", "property": "data"},
        {"id": "class-export-message", "property": "children"},
    ]
    body = {
        "output": "..class-choices-file.data...class-scenario-file.data..."
        "class-export-message.children..",
        "outputs": outputs,
        "inputs": [
            {"id": "class-download-choices", "property": "n_clicks", "value": None},
            {"id": "class-download-scenario", "property": "n_clicks", "value": None},
        ],
        "changedPropIds": [f"{button}.n_clicks"],
        "state": [{"id": "class-teacher", "property": "data", "value": teacher}],
    }
    for entry in body["inputs"]:
        if entry["id"] == button:
            entry["value"] = 1
    request = urllib.request.Request(
        f"{url}/_dash-update-component",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        return json.loads(answer.read())["response"]


def test_the_download_buttons_answer_through_a_served_dashboard(tmp_path):
    with served_dashboard(tmp_path) as (url, _):
        status, started = call(url, "teacher/start", scenario="baseline", seed=4)
        assert status == 200, started
        code, token = started["code"], started["token"]
        status, joined = call(url, "join", code=code, name="Ann")
        assert status == 200, joined
        chosen = {"effort": "customer", "language": "each_customer"}
        assert call(url, "choose", code=code, token=joined["token"], **chosen)[0] == 200
        assert call(url, "teacher/advance", code=code, token=token)[0] == 200
        wait_until(
            lambda: (
                (state := call(url, "teacher/state", code=code, token=token)[1])["round"] == 1
                and state["status"] == WAITING
            ),
            120,
            "the first month",
        )
        answer = update(url, {"code": code, "token": token}, "class-download-choices")
        choices = answer["class-choices-file"]["data"]
        assert choices["filename"] == f"class-{code.lower()}-choices.csv"
        rows = pd.read_csv(pd.io.common.StringIO(choices["content"]))
        assert list(rows["name"]) == ["Ann"] and list(rows["effort"]) == ["customer"]
        assert answer["class-export-message"]["children"] == ""
        answer = update(url, {"code": code, "token": token}, "class-download-scenario")
        assert "players = [" in answer["class-scenario-file"]["data"]["content"]
        answer = update(url, {"code": code, "token": "forged"}, "class-download-scenario")
        assert answer == {"class-export-message": {"children": debrief.NO_SESSION}}
