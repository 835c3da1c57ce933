"""Plan finder: the best mix of interventions for a budget, searched in the background."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import dash
import pandas as pd
from dash import Input, Output, State, callback, dcc, html
from dash.exceptions import PreventUpdate

from eachcustomer.dashboard import figures
from eachcustomer.dashboard.common import aria_label, cancellable_job, job_controls, triggered_id
from eachcustomer.dashboard.exports import stored_toml_download
from eachcustomer.dashboard.forest import (
    LABEL_LINE_PIXELS,
    forest_height,
    plan_forest,
    verdict_key,
    wrapped_label,
)
from eachcustomer.dashboard.money import money_unit
from eachcustomer.dashboard.plan_finder.search import (
    DEFAULT_KINDS,
    DEFAULT_OBJECTIVES,
    KIND_COVERAGES,
    LIMITS,
    OBJECTIVE_CHOICES,
    SIZES,
    find,
    result_figure,
    search_runs,
    search_spec,
    size_problem,
)
from eachcustomer.experiments.analysis.outcomes import outcome
from eachcustomer.experiments.planfinder.findings import forest_effects
from eachcustomer.experiments.planfinder.wording import KIND_LABELS


def size_slider(name: str, label: str) -> list[Any]:
    least, most, default = SIZES[name]
    return [
        html.Label(label, htmlFor=f"planfinder-{name}", className="field-label"),
        dcc.Slider(
            id=f"planfinder-{name}",
            min=least,
            max=most,
            step=1,
            value=default,
            marks={least: str(least), default: str(default), most: str(most)},
        ),
    ]


def layout(**_: Any) -> html.Div:
    """The Plan finder page."""
    return html.Div(
        className="compare-layout page",
        children=[
            dcc.Store(id="planfinder-result", storage_type="session"),
            html.Aside(
                className="sidebar",
                children=[
                    html.H1("Find a plan", className="side-heading"),
                    html.P(
                        "How should a budget be split between interventions, whom should each "
                        "cover and when should it start? A genetic search (NSGA-II) tries "
                        "plans on the session's scenario, each on the same replications, and "
                        f"keeps those no other beats. From here at most {LIMITS.runs} runs of "
                        f"{LIMITS.employees:,} employees; larger searches: `eachcustomer plan`.",
                        className="note",
                    ),
                    html.Label(
                        [
                            f"Budget over the horizon ({money_unit('currency')})",
                            dcc.Input(
                                id="planfinder-budget",
                                type="number",
                                min=1,
                                value=60000,
                                debounce=True,
                            ),
                        ],
                        className="field-label",
                    ),
                    html.Label("Interventions it may use", className="field-label"),
                    dcc.Checklist(
                        id="planfinder-kinds",
                        options=[
                            {"label": KIND_LABELS[kind].title, "value": kind}
                            for kind in KIND_COVERAGES
                        ],
                        value=list(DEFAULT_KINDS),
                        labelStyle={"display": "block"},
                    ),
                    html.Label("Objectives", className="field-label"),
                    dcc.Checklist(
                        id="planfinder-objectives",
                        options=[
                            {"label": label, "value": key}
                            for key, (label, _, _) in OBJECTIVE_CHOICES.items()
                        ],
                        value=list(DEFAULT_OBJECTIVES),
                        labelStyle={"display": "block"},
                    ),
                    *size_slider("replications", "Replications per plan"),
                    *size_slider("population", "Plans per generation"),
                    *size_slider("generations", "Generations"),
                    html.Div(id="planfinder-size", className="note", role="status"),
                    *job_controls("planfinder", "▶ Find a plan"),
                    html.Button(
                        "Download the plan as a scenario",
                        id="planfinder-download-button",
                        className="button",
                        disabled=True,
                        title="A scenario TOML with the recommended plan that `eachcustomer "
                        "run` accepts",
                    ),
                    dcc.Download(id="planfinder-download"),
                ],
            ),
            html.Section(
                className="main-panel",
                children=[
                    html.Div(
                        id="planfinder-recommendation",
                        className="verdict",
                        role="region",
                        **aria_label("recommended plan"),
                        children="Choose a budget, interventions and objectives, then press "
                        "Find a plan.",
                    ),
                    dcc.Graph(
                        id="planfinder-front",
                        className="chart",
                        style={"height": "520px"},
                        config=figures.graph_config("plan-front"),
                        figure=figures.empty_figure("Press Find a plan"),
                    ),
                ],
            ),
        ],
    )


dash.register_page(
    __name__,
    layout=layout,
    path="/plan-finder",
    title="Plan finder · EachCustomer",
    name="Plan finder",
    order=3,
)


@callback(
    Output("planfinder-size", "children"),
    Input("planfinder-replications", "value"),
    Input("planfinder-population", "value"),
    Input("planfinder-generations", "value"),
)
def size_note(replications: Any, population: Any, generations: Any) -> str:
    """How many runs the search makes at most, or what is wrong with its sizes."""
    sizes = {"replications": replications, "population": population, "generations": generations}
    problem = size_problem(**sizes)
    if problem is not None:
        return f"{problem}."
    return (
        f"At most {search_runs(**sizes)} runs of the search, then the best plans compared and "
        "the chosen one confirmed on fresh seeds."
    )


@callback(
    Output("planfinder-result", "data"),
    Input("planfinder-run", "n_clicks"),
    State("settings", "data"),
    State("planfinder-budget", "value"),
    State("planfinder-kinds", "value"),
    State("planfinder-objectives", "value"),
    State("planfinder-population", "value"),
    State("planfinder-generations", "value"),
    State("planfinder-replications", "value"),
    State("session", "data"),
    **cancellable_job("planfinder", interval=400),
)
def run_search(
    set_progress: Any,
    _clicks: Any,
    settings: Any,
    budget: Any,
    kinds: list[str],
    objectives: list[str],
    population: int,
    generations: int,
    replications: int,
    _session: Any = None,
) -> dict[str, Any]:
    """Search in the background, reporting each finished generation."""
    problem = size_problem(
        population=population, generations=generations, replications=replications
    )
    if problem is not None:
        return {"error": f"{problem}."}
    spec = search_spec(
        settings, budget, kinds or [], objectives or [], population, generations, replications
    )
    return find(spec, on_progress=lambda done, total: set_progress((str(done), str(total))))


@callback(
    Output("planfinder-recommendation", "children"),
    Output("planfinder-front", "figure"),
    Output("planfinder-status", "children"),
    Output("planfinder-error", "children"),
    Output("planfinder-download-button", "disabled"),
    Input("planfinder-result", "data"),
)
def show(result: Any) -> tuple:
    """The recommended plan in words and the front."""
    blank = figures.empty_figure("Press Find a plan")
    if not isinstance(result, dict):
        raise PreventUpdate
    if result.get("error"):
        return "No plan yet.", blank, "", result["error"], True
    sentence = html.Span(result["sentence"], id="planfinder-sentence")
    if result.get("recommended", True):
        said = [html.P(sentence), *[html.P(line) for line in result.get("paragraphs", [])[1:]]]
    else:
        # "No plan reliably beats doing nothing", then the best candidate and its numbers.
        verdict, _, *rest = result["paragraphs"]
        said = [
            html.P(verdict, id="planfinder-verdict"),
            html.P(["The best candidate: ", sentence]),
            *[html.P(line) for line in rest],
        ]
    box = [
        html.H2(result.get("heading", "Recommended plan"), id="planfinder-heading"),
        *forest_section(result),
        *said,
        html.Ul([html.Li(line) for line in result["effects"]], id="planfinder-effects"),
        html.Ul(
            [html.Li(line) for line in result.get("explanation", [])], id="planfinder-explanation"
        ),
        html.Div(
            "Expected at the horizon on replications neither the search nor the selection used; "
            "95% intervals, differences from doing nothing paired by seed. The chart shows the "
            "finalists on fresh replications.",
            className="note",
        ),
    ]
    status = (
        f"{result['evaluations']} plans evaluated ({result['runs']} runs, then "
        f"{result.get('fresh_runs', 0)} on fresh seeds) in {result['seconds']} s; "
        f"hypervolume {result['hypervolume']:.3f}."
    )
    return box, result_figure(result), status, "", False


def forest_section(result: dict[str, Any]) -> list[Any]:
    """Above the words: per objective, the chosen plan and each finalist against doing
    nothing on fresh seeds, a point and its paired interval (the one forest plot)."""
    rows = pd.DataFrame(result.get("forest") or [])
    if rows.empty:
        return []
    graphs = []
    for name, part in rows.groupby("objective", sort=False):
        effects = [
            replace(effect, plan=wrapped_label(effect.plan))
            for effect in forest_effects(part, str(name))
        ]
        item = outcome(str(part["outcome"].iloc[0]))
        lines = sum(effect.plan.count("<br>") for effect in effects)
        height = forest_height(len(effects), False) + LABEL_LINE_PIXELS * lines
        figure = plan_forest(effects, item)
        figure.update_layout(height=height)  # room for the labels' extra lines
        graphs.append(
            dcc.Graph(
                id=f"planfinder-forest-{name}",
                className="chart",
                figure=figure,
                config=figures.graph_config(f"planfinder-forest-{name}"),
                style={"height": f"{height}px"},
            )
        )
    return [
        html.Div(
            [
                "Each plan against doing nothing on fresh replications: a point is the mean "
                "paired difference, its bar the 95% interval.",
                verdict_key(),
            ],
            className="note",
        ),
        html.Div(graphs, className="forest-grid single", id="planfinder-forest"),
    ]


@callback(
    Output("planfinder-download", "data"),
    Input("planfinder-download-button", "n_clicks"),
    State("planfinder-result", "data"),
    prevent_initial_call=True,
)
def download(_clicks: Any, result: Any) -> dict[str, Any]:
    """The recommended plan as a scenario file."""
    return stored_toml_download(result, "toml", "recommended-plan.toml")


@callback(
    Output("planfinder-status", "children", allow_duplicate=True),
    Input("planfinder-cancel", "n_clicks"),
    prevent_initial_call=True,
)
def cancelled_note(_clicks: Any) -> str:
    """After a cancel: nothing is kept."""
    if triggered_id() != "planfinder-cancel":
        raise PreventUpdate
    return "Cancelled."
