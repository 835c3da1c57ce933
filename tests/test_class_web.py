"""The students' page and the class's JSON API on a bare Flask app (the registry on a
stand-in game: `test_class_sessions.FakeGame`): routes, answers, refusals as sentences."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from test_class_sessions import FakeGame

from eachcustomer.dashboard.classroom.game import EFFORTS, LANGUAGES
from eachcustomer.dashboard.classroom.sessions import ClassRegistry
from eachcustomer.dashboard.classroom.web import OPEN_TO_NETWORK, install, join_address


@pytest.fixture
def client() -> Any:
    app = Flask(__name__)
    install(app, ClassRegistry(new_game=FakeGame))
    return app.test_client()


def post(client: Any, route: str, **body: Any) -> tuple[int, dict[str, Any]]:
    answer = client.post(f"/class/api/{route}", json=body)
    assert answer.headers["Cache-Control"] == "no-store"
    return answer.status_code, answer.get_json()


def test_the_join_page_is_plain_html_with_every_choice(client):
    page = client.get("/class/join?code=ABCDE")
    assert page.status_code == 200 and page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    assert "_dash" not in text and "{{" not in text
    assert '<label for="join-code">' in text and '<label for="join-name">' in text
    assert 'name="viewport"' in text
    for key in EFFORTS:
        assert f'id="effort-{key}" value="{key}"' in text
    for key in LANGUAGES:
        assert f'id="language-{key}" value="{key}"' in text
    script = client.get("/class/static/join.js")
    assert script.status_code == 200 and "localStorage" in script.get_data(as_text=True)
    assert client.get("/class/static/join.css").status_code == 200
    assert client.get("/class/static/join.html").status_code == 404
    assert client.get("/class/static/..%2Fsessions.py").status_code == 404


def test_a_student_joins_chooses_and_reads_their_state(client):
    status, started = post(client, "teacher/start", scenario="baseline", seed=3)
    assert status == 200
    code, teacher = started["code"], started["token"]
    status, joined = post(client, "join", code=code.lower(), name=" Ada ")
    assert status == 200 and joined["code"] == code
    assert joined["state"]["name"] == "Ada" and joined["state"]["round"] == 0
    token = joined["token"]
    status, state = post(
        client, "choose", code=code, token=token, effort="customer", language="each_customer"
    )
    assert status == 200 and state["answered"] is True
    status, roster = post(client, "teacher/state", code=code, token=teacher)
    assert [s["name"] for s in roster["students"]] == ["Ada"] and roster["seed"] == 3
    assert post(client, "teacher/advance", code=code, token=teacher) == (200, {"ok": True})
    for _ in range(400):
        status, state = post(client, "state", code=code, token=token)
        if state["round"] == 1 and state["status"] == "waiting":
            break
    assert state["report"]["effort"] == "customer"
    assert any("You served 3 customers" in s for s in state["report"]["sentences"])


@pytest.mark.parametrize(
    ("name", "body", "status", "words"),
    [
        ("join", {"code": "ZZZZZ", "name": "Ada"}, 404, "No class session has the code ZZZZZ"),
        ("state", {"code": "ZZZZZ", "token": "x"}, 404, "check it with your teacher"),
        ("teacher/advance", {"code": None, "token": None}, 404, "No class session"),
        ("teacher/start", {"scenario": "nowhere"}, 400, "no built-in scenario called"),
        ("teacher/start", {"seed": "x"}, 400, "whole number"),
    ],
)
def test_refusals_are_sentences_with_a_status(client, name, body, status, words):
    answer = client.post(f"/class/api/{name}", json=body)
    assert answer.status_code == status and words in answer.get_json()["error"]


def test_wrong_tokens_and_bodies_are_refused(client):
    _, started = post(client, "teacher/start")
    code = started["code"]
    _, joined = post(client, "join", code=code, name="Ada")
    assert post(client, "join", code=code, name="ada")[0] == 400  # the game's sentence
    status, refused = post(client, "teacher/advance", code=code, token=joined["token"])
    assert status == 403 and "not the teacher's" in refused["error"]
    status, refused = post(
        client, "choose", code=code, token="forged", effort="boss", language="the_customer"
    )
    assert status == 403 and "join again" in refused["error"]
    answer = client.post("/class/api/state", data="not json", content_type="text/plain")
    assert answer.status_code == 400 and answer.get_json() == {"error": "Send a JSON object."}
    assert client.get("/class/api/state").status_code == 405


def test_the_join_address_says_when_other_devices_cannot_reach_it():
    address, note = join_address("127.0.0.1", "127.0.0.1:8050", "ABCDE")
    assert address == "http://127.0.0.1:8050/class/join?code=ABCDE" and note == OPEN_TO_NETWORK
    assert "--host 0.0.0.0" in OPEN_TO_NETWORK
    address, note = join_address("0.0.0.0", "192.168.1.20:8050", "ABCDE")
    assert address == "http://192.168.1.20:8050/class/join?code=ABCDE" and note is None
    address, note = join_address("10.0.0.5", "10.0.0.5:9000", "ABCDE")
    assert address == "http://10.0.0.5:9000/class/join?code=ABCDE" and note is None
    address, _ = join_address("0.0.0.0", "[::1]:8050", "ABCDE")
    assert address.endswith(":8050/class/join?code=ABCDE")


def test_the_teacher_on_this_computer_gets_the_address_on_the_network(monkeypatch):
    from eachcustomer.dashboard.classroom import web

    monkeypatch.setattr(web, "lan_address", lambda: "192.168.1.20")
    address, note = join_address("0.0.0.0", "127.0.0.1:8050", "ABCDE")
    assert address == "http://192.168.1.20:8050/class/join?code=ABCDE" and note is None
    monkeypatch.setattr(web, "lan_address", lambda: None)  # no network: the address used
    assert (
        join_address("0.0.0.0", "localhost:8050", "X")[0]
        == "http://localhost:8050/class/join?code=X"
    )
