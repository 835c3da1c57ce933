"""The students' page and the class's JSON API, served by Flask beside the Dash app.

Phones on a school's Wi-Fi get a plain page (`web/join.html`, one small script and one
style sheet, no Dash bundle) at `JOIN_ROUTE`; it talks to the JSON API under `API_ROUTE`:

- POST join {code, name} -> {token, state}
- POST state {code, token} -> the student's state (`ClassRegistry.student_state`)
- POST choose {code, token, effort, language} -> the student's state

and the teacher's calls, each with the teacher's token (the Dash page calls the registry
itself; these serve scripts and the load test):

- POST teacher/start {scenario, seed?} -> {code, token}
- POST teacher/state | teacher/advance | teacher/end {code, token}
- POST teacher/lever {code, token, lever}

A refusal answers {"error": sentence} with the status `ClassError` gives (400, 403, 404,
409), never a traceback.
"""

from __future__ import annotations

import html
import socket
from collections.abc import Callable
from importlib.resources import files
from typing import Any

from flask import Response, jsonify, request

from eachcustomer.dashboard.classroom.game import EFFORTS, LANGUAGES, GameError
from eachcustomer.dashboard.classroom.sessions import (
    EXTENSION,
    ClassError,
    ClassRegistry,
    registry,
)

HOST_SETTING = "EACHCUSTOMER_HOST"
"""The Flask config key holding the address the server listens on (set by `create_app`)."""
JOIN_ROUTE = "/class/join"
API_ROUTE = "/class/api"
STATIC_ROUTE = "/class/static"
STATIC = {"join.js": "text/javascript", "join.css": "text/css"}
"""The page's own files: nothing else is served from the folder."""
LOOPBACK = ("127.0.0.1", "localhost", "::1")
WILDCARD = ("0.0.0.0", "::")
OPEN_TO_NETWORK = (
    "The dashboard listens only on this computer, so students' phones and laptops cannot "
    "reach it: stop it and start it again with `eachcustomer dashboard --host 0.0.0.0` "
    "(on a network you trust: there is no login)."
)
WEB = files("eachcustomer.dashboard.classroom") / "web"


def lan_address() -> str | None:
    """This computer's address on its network (the one a route out would use), or None."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("10.254.254.254", 1))  # no packet is sent for a UDP connect
            return str(probe.getsockname()[0])
    except OSError:
        return None


def join_address(listening: str | None, asked: str, code: str) -> tuple[str, str | None]:
    """The address students open (`asked` is the host:port the teacher's browser used), and
    a warning when other devices cannot reach the dashboard."""
    hostname, port = asked, ""
    head, colon, tail = asked.rpartition(":")
    if colon and tail.isdigit() and (head.endswith("]") or ":" not in head):
        hostname, port = head, tail
    note = None
    if listening in LOOPBACK:
        note = OPEN_TO_NETWORK
    elif listening in WILDCARD and hostname in LOOPBACK:
        hostname = lan_address() or hostname
    elif listening not in WILDCARD and listening is not None:
        hostname = listening
    where = f"{hostname}:{port}" if port else hostname
    return f"http://{where}/class/join?code={code}", note


def radios(name: str, options: dict[str, str]) -> str:
    """Big radio buttons, one a line, each inside its label (the whole line is the target)."""
    return "".join(
        f'<label class="option" for="{name}-{key}"><input type="radio" name="{name}" '
        f'id="{name}-{key}" value="{key}"><span>{html.escape(label)}</span></label>'
        for key, label in options.items()
    )


def join_page() -> Response:
    text = (WEB / "join.html").read_text(encoding="utf-8")
    text = text.replace("{{efforts}}", radios("effort", EFFORTS))
    text = text.replace("{{languages}}", radios("language", LANGUAGES))
    response = Response(text, mimetype="text/html")
    response.headers["Cache-Control"] = "no-cache"
    return response


def static_file(name: str) -> Response:
    if name not in STATIC:
        return Response("Not found", status=404, mimetype="text/plain")
    response = Response((WEB / name).read_text(encoding="utf-8"), mimetype=STATIC[name])
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ClassError("Send a JSON object.")
    return data


def answer(action: Callable[[ClassRegistry, dict[str, Any]], Any]) -> Callable[[], Any]:
    """A route calling `action(registry, body)`: its JSON, or {"error": sentence}."""

    def route() -> Any:
        classes = registry()
        try:
            result = action(classes, body())
        except ClassError as error:
            response = jsonify(error=str(error))
            response.status_code = error.status
        except GameError as error:
            response = jsonify(error=str(error))
            response.status_code = 400
        else:
            response = jsonify(result if result is not None else {"ok": True})
        response.headers["Cache-Control"] = "no-store"
        return response

    return route


def _join(classes: ClassRegistry, data: dict[str, Any]) -> dict[str, Any]:
    token, _role = classes.join(data.get("code"), data.get("name"))
    code = str(data.get("code")).strip().upper()
    return {"code": code, "token": token, "state": classes.student_state(code, token)}


def _start(classes: ClassRegistry, data: dict[str, Any]) -> dict[str, Any]:
    seed = data.get("seed")
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool) or seed < 0):
        raise ClassError("The seed is a whole number from 0.")
    scenario = data.get("scenario", "baseline")
    if not isinstance(scenario, str):
        raise ClassError("Name a built-in scenario.")
    code, token = classes.start(scenario, seed)
    return {"code": code, "token": token}


ACTIONS: dict[str, Callable[[ClassRegistry, dict[str, Any]], Any]] = {
    "join": _join,
    "state": lambda c, d: c.student_state(d.get("code"), d.get("token")),
    "choose": lambda c, d: c.choose(
        d.get("code"), d.get("token"), d.get("effort"), d.get("language")
    ),
    "teacher/start": _start,
    "teacher/state": lambda c, d: c.teacher_state(d.get("code"), d.get("token")),
    "teacher/advance": lambda c, d: c.advance(d.get("code"), d.get("token")),
    "teacher/lever": lambda c, d: c.pull_lever(d.get("code"), d.get("token"), d.get("lever")),
    "teacher/end": lambda c, d: c.end(d.get("code"), d.get("token")),
}


def install(server: Any, classes: ClassRegistry) -> None:
    """Serve the students' page and the API from the Flask `server`, with `classes`."""
    server.extensions[EXTENSION] = classes
    server.add_url_rule(JOIN_ROUTE, "class_join", join_page, methods=["GET"])
    server.add_url_rule(f"{STATIC_ROUTE}/<name>", "class_static", static_file, methods=["GET"])
    for name, action in ACTIONS.items():
        endpoint = "class_api_" + name.replace("/", "_")
        server.add_url_rule(f"{API_ROUTE}/{name}", endpoint, answer(action), methods=["POST"])
