"""Experiments: launch a small sweep from a spec, browse earlier sweeps and their figures."""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, callback, dcc, html
from dash.exceptions import PreventUpdate

from eachcustomer.dashboard import figures
from eachcustomer.dashboard.common import cancellable_job, job_controls, triggered_id
from eachcustomer.dashboard.sweeps.runner import (
    MAX_SWEEP_RUNS,
    RESULTS_ENV,
    RESULTS_NAME,
    Pace,
    check_spec,
    example_label,
    first_example,
    launch,
    report_path,
    result_figures,
    result_folders,
    spec_files,
)


def layout(**_: Any) -> html.Div:
    """The Experiments page."""
    specs = spec_files()
    first = first_example()
    return html.Div(
        className="experiments-layout page",
        children=[
            html.Aside(
                className="sidebar",
                children=[
                    html.H1("Run a sweep", className="side-heading"),
                    html.P(
                        f"A sweep runs many simulations: parameters as lists or ranges, plans, "
                        f"replications. From here at most {MAX_SWEEP_RUNS} runs, on a built-in "
                        "scenario; larger sweeps: `eachcustomer sweep SPEC --out FOLDER`.",
                        className="note",
                    ),
                    html.Label(
                        "Start from an example", htmlFor="sweep-example", className="field-label"
                    ),
                    dcc.Dropdown(
                        id="sweep-example",
                        options=[
                            {"label": example_label(name, path), "value": name}
                            for name, path in specs.items()
                        ],
                        value=first,
                        clearable=False,
                    ),
                    html.Label("Sweep spec (TOML)", htmlFor="sweep-spec", className="field-label"),
                    dcc.Textarea(
                        id="sweep-spec",
                        className="spec-editor",
                        spellCheck=False,
                        value=specs[first].read_text(encoding="utf-8") if first else "",
                    ),
                    html.Div(id="sweep-check", className="note", role="status"),
                    *job_controls("sweep", "▶ Launch sweep"),
                    html.Div(id="sweep-pace", className="note", role="status"),
                ],
            ),
            html.Section(
                className="main-panel",
                children=[
                    html.H2("Earlier sweeps"),
                    html.P(
                        f"Results folders in {RESULTS_NAME} of the dashboard (the folder "
                        f"{RESULTS_ENV} names, else results/ where the dashboard was started); "
                        "`eachcustomer analyze FOLDER` there writes a folder's report.",
                        className="note",
                    ),
                    dcc.Dropdown(
                        id="sweep-results",
                        options=result_folders(),
                        placeholder="Choose a results folder",
                    ),
                    html.Div(id="sweep-summary", className="status"),
                    html.Div(id="sweep-report", className="status"),
                    dcc.Loading(html.Div(id="sweep-figures", className="chart-grid")),
                ],
            ),
        ],
    )


dash.register_page(
    __name__,
    layout=layout,
    path="/experiments",
    title="Experiments · EachCustomer",
    name="Experiments",
    order=3,
)


@callback(Output("sweep-spec", "value"), Input("sweep-example", "value"), prevent_initial_call=True)
def load_example(name: str) -> str:
    """The text of an example spec."""
    path = spec_files().get(name)
    if path is None:
        raise PreventUpdate
    return path.read_text(encoding="utf-8")


@callback(Output("sweep-check", "children"), Input("sweep-spec", "value"))
def check(text: str) -> str:
    """How many runs the spec makes, or what is wrong with it."""
    _, message = check_spec(text)
    return message


# The page's job: the shared run / cancel / progress bar, and the runs done and time left.
SWEEP_JOB = cancellable_job("sweep", interval=500)
SWEEP_JOB["progress"] = [*SWEEP_JOB["progress"], Output("sweep-pace", "children")]


@callback(
    Output("sweep-status", "children"),
    Output("sweep-error", "children"),
    Output("sweep-results", "options"),
    Output("sweep-results", "value"),
    Input("sweep-run", "n_clicks"),
    State("sweep-spec", "value"),
    State("session", "data"),
    **SWEEP_JOB,
)
def run_sweep_now(set_progress: Any, _clicks: Any, text: str, _session: Any = None) -> tuple:
    """Run the sweep in the background, saying how far it is; then list it and show it."""
    pace = Pace()
    result = launch(
        text,
        on_progress=lambda done, total: set_progress(
            (str(done), str(total), pace.note(done, total))
        ),
    )
    options = result_folders()
    return (
        result["message"],
        result["error"] or "",
        options,
        result["folder"] if result["folder"] else dash.no_update,
    )


@callback(
    Output("sweep-report", "children"),
    Input("sweep-results", "value"),
)
def report_link(name: Any) -> Any:
    """A link that opens the folder's report, served by the app."""
    if not name:
        return ""
    href = report_path(name)
    if href is None:
        return html.Span(
            f"No report yet: `eachcustomer analyze {name}` in {RESULTS_NAME} writes it.",
            className="note",
        )
    return html.A(
        "Open the report ↗",
        href=dash.get_relative_path(href),
        target="_blank",
        rel="noopener",
        id="sweep-report-link",
        className="button",
    )


@callback(
    Output("sweep-summary", "children"),
    Output("sweep-figures", "children"),
    Input("sweep-results", "value"),
)
def show_results(name: Any) -> tuple:
    """The analysis figures of a results folder."""
    if not name:
        return "", []
    summary, charts, error = result_figures(name)
    if error:
        return html.Div(error, className="error"), []
    return summary, [
        html.Div(
            style={"height": f"{chart.layout.height or 420}px"},
            children=dcc.Graph(
                figure=chart,
                className="chart",
                style={"height": "100%"},
                config=figures.graph_config(f"sweep-{index}"),
            ),
        )
        for index, chart in enumerate(charts)
    ]


@callback(
    Output("sweep-status", "children", allow_duplicate=True),
    Input("sweep-cancel", "n_clicks"),
    prevent_initial_call=True,
)
def cancelled_note(_clicks: Any) -> str:
    """After a cancel: the finished runs are kept."""
    if triggered_id() != "sweep-cancel":
        raise PreventUpdate
    return (
        "Cancelled. Finished runs are saved in the results folder; "
        "`eachcustomer sweep SPEC --out FOLDER` resumes it."
    )
