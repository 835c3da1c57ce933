"""The Class page: the teacher starts a session, reads out its join code, watches the roster,
plays the months and pulls the levers; the debrief's charts sit under the round controls.

The page keeps the session's code and teacher token in the tab (`class-teacher`, session
storage) and calls the process's `ClassRegistry` directly; its interval (`class-tick`) is
the heartbeat that keeps the session alive and refreshes the roster. A round runs in the
registry's own thread, so every callback here returns at once.

Element ids other parts rely on: `class-teacher` (the store: {"code", "token"}), `class-view`
(the store the debrief redraws on: {"code", "round", "status"}, set when one of them
changes), `class-debrief` (filled by `eachcustomer.dashboard.classroom.debrief.render(game,
presentation)`, called through `ClassRegistry.read_game`).
"""

from __future__ import annotations

import functools
from typing import Any

import dash
from dash import Input, Output, State, callback, dcc, html, no_update
from flask import current_app, request

# Imported here, not when first drawn: Dash takes the debrief's export callbacks only
# from modules imported before the app's first request.
from eachcustomer.dashboard.classroom.debrief import render as render_debrief
from eachcustomer.dashboard.classroom.game import LEVERS, GameError
from eachcustomer.dashboard.classroom.sessions import (
    ENDED,
    MAX_SESSIONS,
    MAX_STUDENTS,
    RUNNING,
    TEACHER_TIMEOUT,
    ClassError,
    registry,
)
from eachcustomer.dashboard.classroom.web import HOST_SETTING, join_address
from eachcustomer.dashboard.common import triggered_id
from eachcustomer.dashboard.settings import DEFAULT_SCENARIO, scenario_choices
from eachcustomer.experiments.loading.scenario_files import load_scenario

TICK_MS = 2000
CLASS_EMPLOYEES = 120
"""The head count of a class's organization (`ClassGame.start`'s default)."""
LEVER_IDS = {lever: f"class-lever-{lever}" for lever in LEVERS}


def layout(**_: Any) -> html.Div:
    """The Class page."""
    return html.Div(
        className="compare-layout page",
        children=[
            dcc.Store(id="class-teacher", storage_type="session"),
            dcc.Store(id="class-view", storage_type="memory"),
            dcc.Interval(id="class-tick", interval=TICK_MS),
            html.Aside(
                className="sidebar",
                children=[
                    html.H1("Class", className="side-heading"),
                    html.P(
                        "A class plays the organization: each student joins from a phone "
                        "or laptop and plays one employee, month by month, among simulated "
                        "colleagues. Each month they choose whose priorities get their "
                        "effort (the boss's or the customer's) and how they speak of "
                        "customers; you play the month and may change the organization "
                        "between months.",
                        className="note",
                    ),
                    html.Label("Scenario", htmlFor="class-scenario", className="field-label"),
                    dcc.Dropdown(
                        id="class-scenario",
                        options=class_scenarios(),
                        value=DEFAULT_SCENARIO,
                        clearable=False,
                    ),
                    html.P(
                        "A small organization of 120 employees; students take some of "
                        f"their places. Up to {MAX_STUDENTS} students a session, "
                        f"{MAX_SESSIONS} sessions on this dashboard; a session ends by "
                        f"itself {TEACHER_TIMEOUT / 60:.0f} minutes after this page closes.",
                        className="note",
                    ),
                    html.Button("Start session", id="class-start", className="button primary"),
                    html.Div(id="class-message", role="status", className="note"),
                ],
            ),
            html.Section(
                className="class-main",
                children=[
                    html.Div(id="class-join", className="class-join", role="status"),
                    html.Div(
                        className="class-controls",
                        children=[
                            html.Div(id="class-round", role="status", className="class-round"),
                            html.Button(
                                "Play next month",
                                id="class-advance",
                                className="button primary",
                                disabled=True,
                            ),
                            html.Button(
                                "End session",
                                id="class-end",
                                className="button danger",
                                disabled=True,
                            ),
                        ],
                    ),
                    html.H2("Levers for the next month", className="side-heading"),
                    html.Div(
                        className="class-levers",
                        children=[
                            html.Button(
                                label, id=LEVER_IDS[lever], className="button", disabled=True
                            )
                            for lever, label in LEVERS.items()
                        ],
                    ),
                    html.Div(id="class-debrief"),
                    html.H2("Students", className="side-heading"),
                    html.Div(id="class-roster"),
                ],
            ),
        ],
    )


dash.register_page(
    __name__, layout=layout, path="/class", title="Class · EachCustomer", name="Class", order=7
)


@functools.cache
def class_scenarios() -> list[dict[str, str]]:
    """The built-in scenarios a class can play: a generated organization of 120 employees and
    no timeline of their own (`ClassGame.start` refuses the others)."""
    playable = []
    for option in scenario_choices():
        try:
            setup = load_scenario(option["value"], employees=CLASS_EMPLOYEES, seed=0)
        except ValueError:
            continue  # an org chart fixes its own head count
        if setup.org is None and not setup.timeline and not setup.players:
            playable.append(option)
    return playable


def held(stored: Any) -> tuple[str, str] | None:
    """The session's code and teacher token the tab keeps, when it keeps them."""
    if isinstance(stored, dict):
        code, token = stored.get("code"), stored.get("token")
        if isinstance(code, str) and isinstance(token, str):
            return code, token
    return None


def live(session: tuple[str, str]) -> bool:
    """Is the tab's session still going (not ended, not forgotten)?"""
    try:
        return registry().teacher_state(*session)["status"] != ENDED
    except ClassError:
        return False


# --- what the teacher does ------------------------------------------------------------------


@callback(
    Output("class-teacher", "data"),
    Output("class-message", "children"),
    Input("class-start", "n_clicks"),
    Input("class-advance", "n_clicks"),
    Input("class-end", "n_clicks"),
    *[Input(ident, "n_clicks") for ident in LEVER_IDS.values()],
    State("class-scenario", "value"),
    State("class-teacher", "data"),
    prevent_initial_call=True,
)
def act(*values: Any) -> tuple[Any, str]:
    """Start, play a month, end, or pull a lever; the stored session (set again, so the
    view refreshes at once) and a sentence."""
    scenario, stored = values[-2], values[-1]
    trigger, classes, session = triggered_id(), registry(), held(stored)
    try:
        if trigger == "class-start":
            if session is not None and live(session):
                return no_update, f"End session {session[0]} before starting another."
            code, token = classes.start(scenario if isinstance(scenario, str) else "")
            return {"code": code, "token": token}, f"Session {code} started."
        if session is None:
            return no_update, "Start a session first."
        if trigger == "class-advance":
            classes.advance(*session)
            return stored, ""  # the round's line says it is playing
        if trigger == "class-end":
            classes.end(*session)
            return stored, "The session has ended."
        lever = next((k for k, ident in LEVER_IDS.items() if ident == trigger), None)
        if lever is None:
            return no_update, ""
        classes.pull_lever(*session, lever)
        return stored, f"{LEVERS[lever]}: from the next month."
    except (ClassError, GameError) as error:
        return no_update, str(error)


# --- what the page shows --------------------------------------------------------------------


def join_box(code: str) -> list[Any]:
    address, note = join_address(current_app.config.get(HOST_SETTING), request.host, code)
    return [
        html.Div("Join code", className="class-code-label"),
        html.Div(code, id="class-code", className="class-code"),
        html.P(
            ["Students open ", html.A(address, href=address, id="class-address", target="_blank")]
        ),
        html.P(
            [html.Code(part) if odd else part for odd, part in alternating(note.split("`"))],
            className="class-warning",
            id="class-host-note",
        )
        if note
        else None,
    ]


def alternating(parts: list[str]) -> list[tuple[bool, str]]:
    """Text split at backticks: (is it code, the part)."""
    return [(index % 2 == 1, part) for index, part in enumerate(parts)]


def round_text(state: dict[str, Any]) -> list[Any]:
    played, status = state["round"], state["status"]
    answered = sum(s["answered"] for s in state["students"])
    line = f"Month {played} of {state['max_rounds']} played"
    if status == RUNNING:
        return [f"Playing month {played + 1}…", html.Progress(className="class-progress")]
    if status == ENDED:
        return [f"{line}. {state['problem'] or 'The session has ended.'}"]
    said: list[Any] = [
        f"{line}. {answered} of {len(state['students'])} students answered for the next."
    ]
    if state["problem"]:
        said.append(html.Div(state["problem"], className="error"))
    return said


def roster(students: list[dict[str, Any]]) -> Any:
    if not students:
        return html.P("No one has joined yet.", className="note")
    return html.Table(
        className="plan-table",
        id="class-roster-table",
        children=[
            html.Thead(html.Tr([html.Th(h) for h in ("Name", "Role", "Department", "Answered")])),
            html.Tbody(
                [
                    html.Tr(
                        [
                            html.Td(s["name"]),
                            html.Td(s["role"]),
                            html.Td(s["department"]),
                            html.Td("yes" if s["answered"] else "not yet"),
                        ]
                    )
                    for s in students
                ]
            ),
        ],
    )


def lever_label(lever: str, status: str) -> str:
    if status == "pending":
        return f"{LEVERS[lever]} (next month)"
    if status.startswith("round "):
        return f"{LEVERS[lever]} (since month {status.split()[1]})"
    return LEVERS[lever]


EMPTY: tuple[Any, ...] = (None, "", None, True, True, False, *([True] * len(LEVERS)))


@callback(
    Output("class-join", "children"),
    Output("class-round", "children"),
    Output("class-roster", "children"),
    Output("class-advance", "disabled"),
    Output("class-end", "disabled"),
    Output("class-start", "disabled"),
    *[Output(ident, "disabled") for ident in LEVER_IDS.values()],
    *[Output(ident, "children") for ident in LEVER_IDS.values()],
    Output("class-view", "data"),
    Input("class-tick", "n_intervals"),
    Input("class-teacher", "data"),
    State("class-view", "data"),
)
def show(_tick: Any, stored: Any, shown: Any) -> tuple[Any, ...]:
    """The session as it stands (and the teacher's heartbeat)."""
    labels = list(LEVERS.values())
    session = held(stored)
    if session is None:
        return (*EMPTY, *labels, None)
    try:
        state = registry().teacher_state(*session)
    except ClassError as error:
        return (None, str(error), None, True, True, False, *([True] * len(LEVERS)), *labels, None)
    between = state["status"] not in (RUNNING, ENDED)
    view = {"code": state["code"], "round": state["round"], "status": state["status"]}
    return (
        join_box(state["code"]),
        round_text(state),
        roster(state["students"]),
        not between or state["round"] >= state["max_rounds"],
        state["status"] == ENDED,
        state["status"] != ENDED,
        *[not between or state["levers"][lever] != "available" for lever in LEVERS],
        *[lever_label(lever, state["levers"][lever]) for lever in LEVERS],
        no_update if view == shown else view,
    )


@callback(
    Output("class-debrief", "children"),
    Input("class-view", "data"),
    Input("presentation", "data"),
    State("class-teacher", "data"),
)
def debrief(view: Any, presentation: Any, stored: Any) -> Any:
    """The debrief's charts, redrawn after each month (the debrief module draws them)."""
    session = held(stored)
    if session is None or not isinstance(view, dict) or view.get("status") == RUNNING:
        return no_update if isinstance(view, dict) else []
    try:
        return registry().read_game(*session, lambda game: render_debrief(game, bool(presentation)))
    except ClassError:
        return no_update
