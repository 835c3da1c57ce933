"""The Explore page's layout: the sidebar of settings and run controls, and the chart tabs.

Its callbacks live in `eachcustomer.dashboard.explore.callbacks`; the page is registered in
`eachcustomer.dashboard.explore.page`.
"""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from eachcustomer.dashboard import figures
from eachcustomer.dashboard.common import speed_control
from eachcustomer.dashboard.controls import Price, grouped_sliders, kind_options, library_price
from eachcustomer.dashboard.explore.view import TABS
from eachcustomer.dashboard.money import money_unit
from eachcustomer.dashboard.runs import EXPLORE_SPEED
from eachcustomer.dashboard.settings import scenario_choices, scenario_plans

SCENARIO_PLAN = "__scenario__"
"""The plan dropdown's value for "the scenario's own schedule"."""
FIRST_KIND = "training_day"
"""The kind the intervention form starts with."""
FIRST_PRICE = library_price(FIRST_KIND) or Price(0.0, 0.0)


def plan_options(scenario: str) -> list[dict[str, str]]:
    """The scenario's own schedule, no intervention, or one of its [plans]."""
    options = [
        {"label": "the scenario's own schedule", "value": SCENARIO_PLAN},
        {"label": "no intervention", "value": "none"},
    ]
    return options + [
        {"label": f"plan: {name.replace('_', ' ')}", "value": name}
        for name in scenario_plans(scenario)
    ]


def graph(name: str, height: str = "340px") -> dcc.Graph:
    """A chart of the Explore grid; its mode bar downloads a PNG."""
    return dcc.Graph(
        id=f"explore-{name}",
        className="chart",
        style={"height": height},
        figure=figures.empty_figure("Press Run to simulate"),
        config=figures.graph_config(name),
    )


def number_field(label: str, field_id: str, **limits: Any) -> html.Label:
    """A labelled number box of the intervention form."""
    return html.Label([label, dcc.Input(id=field_id, type="number", **limits)])


def intervention_form() -> html.Details:
    """Add an intervention: before the run from its start week, or during the run.

    Whom it covers: the chosen departments and hierarchy levels (everyone when none is
    chosen), then a random share of them (`eachcustomer.sim.interventions.Coverage`). Its
    price, in staff hours and direct spend per participant-week, starts at the plan library's
    for the kind chosen (`eachcustomer.dashboard.controls.library_price`).
    """
    return html.Details(
        className="param-group",
        children=[
            html.Summary("Add an intervention"),
            html.Label("What", htmlFor="explore-add-kind"),
            dcc.Dropdown(
                id="explore-add-kind",
                options=kind_options(),
                value=FIRST_KIND,
                clearable=False,
                optionHeight=48,
            ),
            html.Div(
                className="form-row",
                children=[
                    number_field("Start week", "explore-add-start", min=1, value=26, step=1),
                    number_field("Weeks (empty: default)", "explore-add-duration", min=1, step=1),
                ],
            ),
            html.Label("Departments (none chosen: all)", htmlFor="explore-add-departments"),
            dcc.Dropdown(id="explore-add-departments", multi=True, options=[], value=[]),
            html.Label("Hierarchy levels (none chosen: all)", htmlFor="explore-add-levels"),
            dcc.Dropdown(id="explore-add-levels", multi=True, options=[], value=[]),
            html.Div(
                className="form-row",
                children=[
                    number_field(
                        "Strength (0 to 1)",
                        "explore-add-strength",
                        min=0,
                        max=1,
                        step=0.05,
                        value=0.5,
                    ),
                    number_field(
                        "Share of them (0 to 1)",
                        "explore-add-share",
                        min=0,
                        max=1,
                        step=0.05,
                        value=1,
                    ),
                ],
            ),
            html.Div(
                className="form-row",
                children=[
                    number_field(
                        "Staff hours per participant-week",
                        "explore-add-hours",
                        min=0,
                        step="any",
                        value=FIRST_PRICE.hours,
                    ),
                    number_field(
                        f"Direct cost per participant-week ({money_unit('currency')})",
                        "explore-add-direct",
                        min=0,
                        step="any",
                        value=FIRST_PRICE.direct,
                    ),
                ],
            ),
            html.Div(id="explore-add-price", className="note"),
            html.Button("Add intervention", id="explore-add", className="button"),
            html.Div(
                "Added while a run is paused or going on, it starts the week after the week "
                "shown at the earliest, and is listed under Changes during the run.",
                className="note",
            ),
            html.Div(id="explore-added", className="added-list"),
        ],
    )


def changes_during_run() -> html.Div:
    """The changes made while the run went on, each marked on the charts at its week."""
    return html.Div(
        className="changes",
        children=[
            html.H2("Changes during the run", className="side-heading"),
            html.Div(
                "Pause (or let it run), then move a slider or add an intervention: the run "
                "goes on from the week shown with the new values, and the week is marked on "
                "every chart. Before the run, or after it has finished, a change applies "
                "from week 0.",
                className="note",
            ),
            html.Div(id="explore-changes", className="added-list"),
        ],
    )


def run_buttons() -> html.Div:
    """Run, Step, Pause and Reset."""
    return html.Div(
        className="run-buttons",
        children=[
            html.Button(
                "▶ Run",
                id="explore-run",
                className="button primary",
                title="Simulate to the horizon (continues a paused run)",
            ),
            html.Button(
                "Step", id="explore-step", className="button", title="Simulate one more week"
            ),
            html.Button(
                "Pause",
                id="explore-pause",
                className="button",
                disabled=True,
                title="Stop at the week shown; Resume goes on from there",
            ),
            html.Button("Reset", id="explore-reset", className="button", title="Back to week 0"),
        ],
    )


def export_buttons() -> html.Div:
    """The run's outputs as CSV and the settings as a scenario file."""
    return html.Div(
        className="exports",
        children=[
            html.Button(
                "Outputs (CSV)",
                id="explore-csv",
                className="button small",
                title="The weekly outputs of the run shown, as `eachcustomer run --out` "
                "writes them",
            ),
            html.Button(
                "Scenario (TOML)",
                id="explore-toml",
                className="button small",
                title="The settings of the run shown as a scenario file that `eachcustomer "
                "run` reproduces it from (with no run shown: the settings above)",
            ),
            dcc.Download(id="explore-download-csv"),
            dcc.Download(id="explore-download-toml"),
            html.Div(id="explore-export-note", className="note"),
        ],
    )


def sidebar() -> html.Aside:
    """Scenario, run controls, exports and parameters."""
    return html.Aside(
        className="sidebar",
        children=[
            html.Label("Scenario", htmlFor="explore-scenario", className="field-label"),
            dcc.Dropdown(
                id="explore-scenario",
                options=scenario_choices(),
                value="baseline",
                clearable=False,
                optionHeight=50,
            ),
            html.Div(id="explore-description", className="scenario-description"),
            html.Label("Interventions", htmlFor="explore-plan", className="field-label"),
            dcc.Dropdown(
                id="explore-plan",
                clearable=False,
                value=SCENARIO_PLAN,
                options=plan_options("baseline"),
            ),
            html.Div(
                className="form-row",
                children=[
                    html.Label(
                        [
                            "Random seed",
                            dcc.Input(
                                id="explore-seed",
                                type="number",
                                min=0,
                                step=1,
                                value=0,
                                debounce=True,
                            ),
                        ],
                        title="Same seed, same run: change it to see another roll of the dice",
                    ),
                ],
            ),
            run_buttons(),
            speed_control("explore", EXPLORE_SPEED),
            html.Progress(id="explore-progress", value="0", max="104", className="progress"),
            html.Div(id="explore-status", className="status", role="status"),
            html.Div(id="explore-stale", className="note"),
            html.Div(id="explore-error", className="error", role="alert"),
            export_buttons(),
            changes_during_run(),
            html.H2("Parameters", className="side-heading"),
            html.Button(
                "Back to the scenario's values", id="explore-defaults", className="button small"
            ),
            html.Div(grouped_sliders(), id="explore-params"),
            intervention_form(),
        ],
    )


def why_tab() -> dcc.Tab:
    """The change in attitude split by mechanism, over time and by group."""
    return dcc.Tab(
        label="Why it changed",
        value="why",
        children=html.Div(
            className="why-panel",
            children=[
                graph("why", "400px"),
                html.Div(
                    className="why-by",
                    children=[
                        html.Label("Show", htmlFor="explore-why-mode"),
                        dcc.RadioItems(
                            id="explore-why-mode",
                            value="total",
                            inline=True,
                            options=[
                                {"label": "pushes added up since week 0", "value": "total"},
                                {"label": "week by week", "value": "weekly"},
                            ],
                        ),
                    ],
                ),
                html.P(figures.WHY_ADDED_UP, id="explore-why-note", className="note"),
                html.Div(
                    className="why-by",
                    children=[
                        html.Label("Why it changed, by", htmlFor="explore-why-by"),
                        dcc.RadioItems(
                            id="explore-why-by",
                            value="band",
                            inline=True,
                            options=[
                                {"label": "distance band", "value": "band"},
                                {"label": "department", "value": "department"},
                            ],
                        ),
                    ],
                ),
                dcc.Graph(
                    id="explore-why-group",
                    className="chart",
                    style={"height": "400px"},
                    config=figures.graph_config("why-by-group"),
                    figure=figures.why_by_group(None, "band"),
                ),
            ],
        ),
    )


def chart_tabs() -> dcc.Tabs:
    """The charts, one question per tab.

    A leader reads one question at a time, and the browser redraws only the charts in view
    while a run streams in (every chart at once took ~0.6 s a week).
    """
    return dcc.Tabs(
        id="explore-tabs",
        value="attitude",
        className="chart-tabs",
        children=[
            dcc.Tab(
                label=label,
                value=value,
                children=html.Div(className="chart-grid", children=[graph(name) for name in names]),
            )
            for value, label, names in TABS
        ]
        + [why_tab()],
    )


def layout(**_: Any) -> html.Div:
    """The Explore page."""
    return html.Div(
        className="explore page",
        id="explore-page",
        children=[
            dcc.Store(id="explore-live"),
            dcc.Store(id="explore-continue"),
            dcc.Store(id="explore-state", storage_type="session"),
            sidebar(),
            html.Section(
                className="main-panel",
                children=[
                    html.Div(id="explore-headline", className="headline"),
                    html.P(
                        "Attitude runs from -1, seeing 'the customer' (an impersonal group), "
                        "to +1, seeing 'each customer' (a person). Hover a chart for its "
                        "tools: the camera saves it as a PNG.",
                        className="note",
                    ),
                    html.Div(id="explore-kpis", className="kpis"),
                    chart_tabs(),
                ],
            ),
        ],
    )
