"""Learn: guided lessons for a class, each tied to a sentence of the seed articles."""

from __future__ import annotations

import time
from typing import Any

import dash
from dash import Input, Output, State, callback, clientside_callback, dcc, html
from dash.exceptions import PreventUpdate

from eachcustomer.dashboard import figures
from eachcustomer.dashboard.common import speed_control
from eachcustomer.dashboard.learn.lessons import (
    WHY_CHARTS,
    Lesson,
    lesson_by_id,
    load_lessons,
)
from eachcustomer.dashboard.learn.references import lesson_figure, reference_runs
from eachcustomer.dashboard.runs import (
    LESSON_SPEED,
    advance,
    newest,
    speed_label,
    speed_of,
)
from eachcustomer.dashboard.settings import default_settings

RUN_LABEL = "▶ Run the scenario"
RESUME_LABEL = "▶ Resume"


def presentation_toggle() -> html.Button:
    """Large type for a projector; it stays on across lessons."""
    return html.Button(
        "Presentation mode",
        id="learn-presentation",
        className="button",
        title="Large type for a projector (press again to leave)",
    )


def layout(**_: Any) -> html.Div:
    """The list of lessons."""
    cards = [
        html.Article(
            className="lesson-card",
            children=[
                html.Div(lesson.source, className="note"),
                html.H3(
                    dcc.Link(
                        lesson.title, href=f"/learn/{lesson.id}", id=f"lesson-link-{lesson.id}"
                    )
                ),
                html.P(lesson.question),
            ],
        )
        for lesson in load_lessons()
    ]
    return html.Div(
        id="learn-container",
        className="page learn",
        children=[
            html.H1("Lessons"),
            html.P(
                "Each lesson is a scenario built on a sentence from the two articles the model "
                "comes from. Read the sentence, ask the class the question, press Run, then "
                "look at what the lesson points to.",
                className="muted",
            ),
            presentation_toggle(),
            html.Div(cards, className="lessons"),
        ],
    )


dash.register_page(
    __name__, layout=layout, path="/learn", title="Learn · EachCustomer", name="Learn", order=4
)


def lesson_layout(lesson_id: str | None = None, **_: Any) -> html.Div:
    """One lesson: quote, narrative, question, Run, charts, what to look at."""
    lesson = lesson_by_id(lesson_id)
    if lesson is None:
        return html.Div(
            className="page",
            children=[html.H1("No such lesson"), dcc.Link("All lessons", href="/learn")],
        )
    return html.Div(
        id="learn-container",
        className="page learn",
        children=[
            dcc.Store(id="lesson-id", data=lesson.id),
            html.Div(
                className="lesson",
                id="lesson",
                children=[
                    html.Div(
                        [dcc.Link("← All lessons", href="/learn"), " ", presentation_toggle()],
                        className="run-buttons",
                    ),
                    html.H1(lesson.title, id="lesson-title"),
                    html.Blockquote(
                        [html.P(f"\u201c{lesson.quote}\u201d"), html.Footer(lesson.source)]
                    ),
                    html.P(" ".join(lesson.narrative.split())),
                    html.Div(
                        className="question",
                        children=[
                            html.H2("Before you press Run, ask the class"),
                            html.P(lesson.question, id="lesson-question"),
                        ],
                    ),
                    html.Div(
                        className="run-buttons",
                        children=[
                            html.Button(RUN_LABEL, id="lesson-run", className="button primary"),
                            html.Button(
                                "Pause",
                                id="lesson-pause",
                                className="button",
                                disabled=True,
                                title="Stop at the week shown; Resume goes on from there",
                            ),
                            html.Button(
                                "Open in Explore",
                                id="lesson-explore",
                                className="button",
                                title="Continue with this scenario on the Explore page",
                            ),
                        ],
                    ),
                    speed_control("lesson", LESSON_SPEED),
                    html.Progress(id="lesson-progress", value="0", max="1", className="progress"),
                    html.Div(id="lesson-status", className="status", role="status"),
                    dcc.Store(id="lesson-state"),
                    dcc.Store(id="lesson-live"),
                    dcc.Store(id="lesson-continue"),
                    html.Div(id="lesson-error", className="error", role="alert"),
                    html.Div(id="lesson-charts", className="lesson-charts"),
                    html.Div(
                        id="lesson-look",
                        className="look-at",
                        hidden=True,
                        children=[
                            html.H2("What to look at"),
                            html.Ul([html.Li(item) for item in lesson.look_at]),
                        ],
                    ),
                ],
            ),
        ],
    )


dash.register_page(
    "learn_lesson",
    path_template="/learn/<lesson_id>",
    title="Lesson · EachCustomer",
    name="Lesson",
    order=5,
    layout=lesson_layout,
)


def lesson_charts(lesson: Lesson, state: dict[str, Any], large: bool) -> list:
    """The lesson's charts of a run (partial while it plays): its own lines, the reference
    runs its text compares with as grey lines, and the events it explains, marked.
    """
    # A fixed-height box around each chart: inside dcc.Loading a graph's own height is lost.
    charts: list[Any] = []
    for name in lesson.charts:
        drawn = lesson_figure(lesson, name, state, large)
        charts.append(
            html.Div(
                style={"height": "560px" if large else "400px"},
                children=dcc.Graph(
                    figure=drawn,
                    className="chart",
                    id=f"lesson-chart-{name}",
                    style={"height": "100%"},
                    config=figures.graph_config(f"{lesson.id}-{name}"),
                ),
            )
        )
    if any(name in WHY_CHARTS for name in lesson.charts):
        charts.append(html.P(figures.WHY_ADDED_UP, className="note", id="lesson-why-note"))
    return charts


def lesson_state(lesson: Lesson, run: dict[str, Any], references: Any) -> dict[str, Any]:
    """What the page keeps of a lesson's run: the run (`eachcustomer.dashboard.runs.snapshot`),
    whose lesson it is, and the reference runs its text compares with."""
    return {**run, "lesson": lesson.id, "references": references}


@callback(
    Output("lesson-state", "data"),
    Input("lesson-run", "n_clicks"),
    Input("lesson-continue", "data"),
    State("lesson-id", "data"),
    State("lesson-state", "data"),
    State("lesson-live", "data"),
    State("lesson-speed", "value"),
    State("session", "data"),
    background=True,
    running=[
        (Output("lesson-run", "disabled"), True, False),
        (Output("lesson-pause", "disabled"), False, True),
    ],
    progress=[
        Output("lesson-progress", "value"),
        Output("lesson-progress", "max"),
        Output("lesson-live", "data"),
    ],
    cancel=[Input("lesson-pause", "n_clicks")],
    interval=100,
    prevent_initial_call=True,
)
def run_lesson(
    set_progress: Any,
    _clicks: Any,
    _continue: Any = None,
    lesson_id: str | None = None,
    kept: Any = None,
    live: Any = None,
    speed: Any = None,
    _session: Any = None,
) -> Any:
    """Play the lesson's scenario (as built in, seed 0, to its horizon) at the speed chosen,
    drawing its charts week by week; a paused run goes on from its week (the same run: the
    weeks before are replayed quietly). Bounded like every other run (a background job).

    A change of speed while it plays sets "lesson-continue", which starts this callback
    again from the week shown, at the new speed.
    """
    lesson = lesson_by_id(lesson_id)
    if not (_clicks or _continue) or lesson is None:
        raise PreventUpdate
    mine = [s for s in (kept, live) if isinstance(s, dict) and s.get("lesson") == lesson.id]
    references = next((s["references"] for s in mine if s.get("references")), None)
    if references is None:
        set_progress(("0", "1", dash.no_update))
        references = reference_runs(lesson)

    def emit(run: dict[str, Any]) -> None:
        state = lesson_state(lesson, run, references)
        set_progress((str(run["week"]), str(run["horizon"]), state))

    run = advance(
        default_settings(lesson.scenario),
        newest(*mine),
        "run",
        emit=emit,
        pace=speed_of(speed),
    )
    return lesson_state(lesson, run, references)


# Pause ends the job; the run shown when it has ended (the last week drawn) is the run kept,
# marked paused, and Resume goes on from it (as on Explore: progress on its way at the click
# still arrives).
clientside_callback(
    """
    function(idle, pausedAt, runAt, live, state) {
        const paused = idle && pausedAt && pausedAt > (runAt || 0);
        if (!paused || !live || (state && (state.updated || 0) >= (live.updated || 0))) {
            return dash_clientside.no_update;
        }
        return Object.assign({}, live, {paused: true});
    }
    """,
    Output("lesson-state", "data", allow_duplicate=True),
    Input("lesson-pause", "disabled"),
    State("lesson-pause", "n_clicks_timestamp"),
    State("lesson-run", "n_clicks_timestamp"),
    State("lesson-live", "data"),
    State("lesson-state", "data"),
    prevent_initial_call=True,
)

# The run kept (at the job's end, or paused) is the run shown: every drawing goes through
# "lesson-live", so that one callback draws the charts and the last drawing requested wins
# (Dash drops a callback's answer once it has asked that callback again). Two callbacks
# drawing the same charts could answer out of order: the week before the end drawn last.
clientside_callback(
    """
    function(state, live) {
        if (!state || (live && live.updated === state.updated && !live.paused === !state.paused)) {
            return dash_clientside.no_update;
        }
        return state;
    }
    """,
    Output("lesson-live", "data", allow_duplicate=True),
    Input("lesson-state", "data"),
    State("lesson-live", "data"),
    prevent_initial_call=True,
)


@callback(
    Output("lesson-continue", "data"),
    Input("lesson-speed", "value"),
    State("lesson-pause", "disabled"),
    prevent_initial_call=True,
)
def lesson_speed_changed(_speed: Any, pause_disabled: Any) -> float:
    """A new speed while the lesson plays: go on from the week shown at that speed."""
    if pause_disabled is not False:
        raise PreventUpdate
    return time.time()


@callback(
    Output("lesson-speed-note", "children"),
    Input("lesson-speed", "value"),
)
def lesson_speed_note(speed: Any) -> str:
    """The speed in words."""
    return f"Plays {speed_label(speed)}; change it while it plays, or pause and resume."


def finished(state: Any) -> bool:
    """Whether a kept run has reached its horizon."""
    return int(state.get("week") or 0) >= int(state.get("horizon") or 0)


@callback(
    Output("lesson-charts", "children"),
    Output("lesson-look", "hidden"),
    Output("lesson-error", "children"),
    Output("lesson-status", "children"),
    Output("lesson-progress", "value"),
    Output("lesson-progress", "max"),
    Input("lesson-live", "data"),
    Input("presentation", "data"),  # a lesson run is drawn again at the new type size
    State("lesson-id", "data"),
)
def draw_lesson(shown: Any, large: Any, lesson_id: str) -> tuple:
    """Draw the lesson's charts from its run as it plays, paused, or at its end (then show
    what to look at), and say its week.

    Its input is the run shown ("lesson-live"), not the run kept ("lesson-state"): Dash holds
    back a callback whose input a running job writes at its end until then.
    """
    lesson = lesson_by_id(lesson_id)
    if not isinstance(shown, dict) or lesson is None or shown.get("lesson") != lesson.id:
        return [], True, "", "", "0", "1"
    if shown.get("error"):
        return [], True, shown["error"], "", "0", "1"
    week, horizon = int(shown.get("week") or 0), int(shown.get("horizon") or 0)
    if finished(shown):
        status = f"Week {week} of {horizon}: done."
    elif shown.get("paused"):
        status = f"Week {week} of {horizon}: paused. {RESUME_LABEL} goes on from here."
    else:
        status = f"Week {week} of {horizon}."
    charts = lesson_charts(lesson, shown, bool(large))
    return charts, not finished(shown), "", status, str(week), str(horizon)


@callback(
    Output("lesson-run", "children"),
    Input("lesson-state", "data"),
    State("lesson-id", "data"),
)
def run_label(state: Any, lesson_id: str) -> str:
    """What Run does: go on with a paused run, or run the scenario (again)."""
    mine = isinstance(state, dict) and state.get("lesson") == lesson_id and state.get("table")
    return RESUME_LABEL if mine and not finished(state) else RUN_LABEL


@callback(
    Output("settings", "data", allow_duplicate=True),
    Output("url", "pathname"),
    Input("lesson-explore", "n_clicks"),
    State("lesson-id", "data"),
    prevent_initial_call=True,
)
def open_in_explore(_clicks: Any, lesson_id: str) -> tuple[dict[str, Any], str]:
    """Make the lesson's scenario the session's, and go to Explore."""
    lesson = lesson_by_id(lesson_id)
    if not _clicks or lesson is None:
        raise PreventUpdate
    return default_settings(lesson.scenario), "/explore"


@callback(
    Output("presentation", "data"),
    Input("learn-presentation", "n_clicks"),
    State("presentation", "data"),
    prevent_initial_call=True,
)
def toggle_presentation(_clicks: Any, on: Any) -> bool:
    """Switch presentation mode."""
    if not _clicks:
        raise PreventUpdate
    return not bool(on)


@callback(
    Output("learn-container", "className"),
    Output("learn-presentation", "children"),
    Input("presentation", "data"),
    Input("learn-container", "id"),
)
def presentation_class(on: Any, _page: Any = None) -> tuple[str, str]:
    """Large type when presenting; the button says what pressing it does.

    The page's container is an input too: Dash calls a callback when a page puts one of its
    inputs on the screen, not when it only puts its outputs there. Without it, a lesson
    opened (or reloaded) with presentation mode on kept the layout's plain class and the
    button's "Presentation mode", while its charts were drawn large (issue 21).
    """
    return (
        ("page learn presentation" if on else "page learn"),
        ("Leave presentation mode" if on else "Presentation mode"),
    )
