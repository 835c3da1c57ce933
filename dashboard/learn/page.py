"""Learn: guided lessons for a class, each tied to a sentence of the seed articles."""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, callback, dcc, html
from dash.exceptions import PreventUpdate

from eachcustomer.dashboard import figures
from eachcustomer.dashboard.common import cancellable_job
from eachcustomer.dashboard.learn.lessons import (
    WHY_CHARTS,
    lesson_by_id,
    load_lessons,
    run_scenario,
)
from eachcustomer.dashboard.runs import payload_frame
from eachcustomer.dashboard.settings import default_settings


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
                            html.Button(
                                "▶ Run the scenario", id="lesson-run", className="button primary"
                            ),
                            html.Button(
                                "Cancel", id="lesson-cancel", className="button", disabled=True
                            ),
                            html.Button(
                                "Open in Explore",
                                id="lesson-explore",
                                className="button",
                                title="Continue with this scenario on the Explore page",
                            ),
                        ],
                    ),
                    html.Progress(id="lesson-progress", value="0", max="1", className="progress"),
                    dcc.Store(id="lesson-state"),
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


@callback(
    Output("lesson-state", "data"),
    Input("lesson-run", "n_clicks"),
    State("lesson-id", "data"),
    State("session", "data"),
    **cancellable_job("lesson", interval=300),
)
def run_lesson(set_progress: Any, _clicks: Any, lesson_id: str, _session: Any = None) -> Any:
    """Run the lesson's scenario as a background job (bounded like every other run)."""
    lesson = lesson_by_id(lesson_id)
    if not _clicks or lesson is None:
        raise PreventUpdate
    set_progress(("0", "1"))
    state = run_scenario(lesson.scenario)
    set_progress(("1", "1"))
    return {"lesson": lesson.id, **state}


@callback(
    Output("lesson-charts", "children"),
    Output("lesson-look", "hidden"),
    Output("lesson-error", "children"),
    Input("lesson-state", "data"),
    Input("presentation", "data"),  # a lesson run is drawn again at the new type size
    State("lesson-id", "data"),
)
def draw_lesson(state: Any, large: Any, lesson_id: str) -> tuple[list[Any], bool, str]:
    """Draw the lesson's charts from its run; then show what to look at."""
    lesson = lesson_by_id(lesson_id)
    if not isinstance(state, dict) or lesson is None or state.get("lesson") != lesson.id:
        return [], True, ""
    if state.get("error"):
        return [], True, state["error"]
    frame = payload_frame(state["table"])

    def figure(name: str) -> Any:
        if name in WHY_CHARTS:
            by = WHY_CHARTS[name]
            return figures.why_by_group(state["why"][by], by, large=bool(large))
        return figures.EXPLORE_FIGURES[name](frame, horizon=state["horizon"], large=bool(large))

    # A fixed-height box around each chart: inside dcc.Loading a graph's own height is lost.
    charts: list[Any] = [
        html.Div(
            style={"height": "560px" if large else "400px"},
            children=dcc.Graph(
                figure=figure(name),
                className="chart",
                id=f"lesson-chart-{name}",
                style={"height": "100%"},
                config=figures.graph_config(f"{lesson.id}-{name}"),
            ),
        )
        for name in lesson.charts
    ]
    if any(name in WHY_CHARTS for name in lesson.charts):
        charts.append(html.P(figures.WHY_ADDED_UP, className="note", id="lesson-why-note"))
    return charts, False, ""


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
