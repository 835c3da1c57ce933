"""Organization: the org network coloured by attitude, week by week; upload your own org chart."""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, callback, clientside_callback, dcc, html
from dash.exceptions import PreventUpdate

from eachcustomer.dashboard import figures
from eachcustomer.dashboard.common import cancellable_job, job_controls, triggered_id, upload_box
from eachcustomer.dashboard.exports import org_chart_csv
from eachcustomer.dashboard.runs import organization_picture
from eachcustomer.dashboard.settings import MAX_CHART_BYTES, MAX_CHART_ROWS, build_setup, normalize
from eachcustomer.dashboard.uploads import ChartCheck, RowError, check_chart, refused_upload

CHART_HELP = (
    f"CSV with columns employee_id, manager_id, department, customer_facing "
    f"(optional handles_complaints), or GraphML with the same node attributes. "
    f"At most {MAX_CHART_BYTES / 1e6:.0f} MB and {MAX_CHART_ROWS:,} employees."
)


def layout(**_: Any) -> html.Div:
    """The Organization page."""
    return html.Div(
        className="org-layout page",
        children=[
            dcc.Store(id="org-history"),
            dcc.Interval(id="org-timer", interval=250, disabled=True),
            html.Aside(
                className="sidebar",
                children=[
                    html.H1("Organization", className="side-heading"),
                    html.Div(id="org-note", className="note"),
                    *job_controls("org", "▶ Simulate and watch", status=False),
                    html.H2("Your own org chart", className="side-heading"),
                    html.P(CHART_HELP, className="note"),
                    upload_box(
                        "org-upload",
                        "Upload an org chart (CSV or GraphML)",
                        ".csv,.graphml,.xml,text/csv",
                    ),
                    html.Details(
                        children=[
                            html.Summary("Charts without customer_facing: a departments table"),
                            html.P(
                                "department, customer_facing (optional handles_complaints, "
                                "customer_weight). Upload it before the chart.",
                                className="note",
                            ),
                            upload_box(
                                "org-upload-departments",
                                "Upload a departments table (CSV)",
                                ".csv,text/csv",
                            ),
                        ]
                    ),
                    html.Div(id="org-chart-status", className="note"),
                    html.Div(id="org-upload-result", role="status"),
                    html.Div(
                        className="exports",
                        children=[
                            html.Button(
                                "Use a generated organization",
                                id="org-clear",
                                className="button small",
                            ),
                            html.Button(
                                "This organization as a chart (CSV)",
                                id="org-template",
                                className="button small",
                                title="A starting point for your own chart",
                            ),
                            dcc.Download(id="org-download"),
                        ],
                    ),
                ],
            ),
            html.Section(
                className="main-panel",
                children=[
                    dcc.Graph(
                        id="org-network",
                        className="network",
                        style={"height": "720px"},
                        config={**figures.graph_config("organization"), "scrollZoom": True},
                        figure=figures.empty_figure("Drawing the organization…"),
                    ),
                    html.Div(
                        className="week-row",
                        children=[
                            html.Button("▶ Play", id="org-play", className="button"),
                            html.Label("Week", htmlFor="org-week"),
                            html.Div(
                                className="week-slider",
                                children=[
                                    dcc.Slider(
                                        id="org-week",
                                        min=0,
                                        max=0,
                                        step=1,
                                        value=0,
                                        updatemode="drag",
                                        marks=None,
                                        tooltip={"placement": "top", "always_visible": False},
                                    )
                                ],
                            ),
                        ],
                    ),
                    html.P(
                        "Drag the slider (or use the arrow keys on it) to watch attitudes spread "
                        "week by week. Red: sees 'the customer'; blue: sees 'each customer'. "
                        "Scroll to zoom, drag to pan, double-click to see everything.",
                        className="note",
                    ),
                ],
            ),
        ],
    )


dash.register_page(
    __name__,
    layout=layout,
    path="/organization",
    title="Organization · EachCustomer",
    name="Organization",
    order=1,
)


# --- drawing and running -------------------------------------------------------------------


@callback(
    Output("org-network", "figure"),
    Output("org-history", "data"),
    Output("org-week", "max"),
    Output("org-week", "value"),
    Output("org-error", "children"),
    Output("org-note", "children"),
    Input("settings", "data"),
)
def draw_now(settings: Any) -> tuple:
    """The organization at week 0, as soon as the page opens or the settings change."""
    picture = organization_picture(settings, run=False)
    if picture["error"]:
        return (
            figures.empty_figure("Cannot draw this organization"),
            None,
            0,
            0,
            picture["error"],
            "",
        )
    return picture["figure"], picture["history"], 0, 0, "", picture["note"]


@callback(
    Output("org-network", "figure", allow_duplicate=True),
    Output("org-history", "data", allow_duplicate=True),
    Output("org-week", "max", allow_duplicate=True),
    Output("org-week", "value", allow_duplicate=True),
    Output("org-error", "children", allow_duplicate=True),
    Input("org-run", "n_clicks"),
    State("settings", "data"),
    State("session", "data"),
    **cancellable_job("org", interval=250),
)
def simulate(set_progress: Any, _clicks: Any, settings: Any, _session: Any = None) -> tuple:
    """Run the horizon keeping every week's attitudes, then show the last week."""

    def progress(done: int, total: int) -> None:
        if done == 1 or done % 8 == 0 or done == total:
            set_progress((str(done), str(total)))

    picture = organization_picture(settings, run=True, on_week=progress)
    if picture["error"]:
        return dash.no_update, dash.no_update, dash.no_update, dash.no_update, picture["error"]
    weeks = picture["weeks"]
    return picture["figure"], picture["history"], weeks, weeks, ""


clientside_callback(
    dash.ClientsideFunction(namespace="eachcustomer", function_name="colorWeek"),
    Output("org-network", "figure", allow_duplicate=True),
    Input("org-week", "value"),
    State("org-history", "data"),
    State("org-network", "figure"),
    prevent_initial_call=True,
)
clientside_callback(
    dash.ClientsideFunction(namespace="eachcustomer", function_name="togglePlay"),
    Output("org-timer", "disabled"),
    Output("org-play", "children"),
    Output("org-week", "value", allow_duplicate=True),
    Input("org-play", "n_clicks"),
    State("org-timer", "disabled"),
    State("org-week", "value"),
    State("org-week", "max"),
    prevent_initial_call=True,
)
clientside_callback(
    dash.ClientsideFunction(namespace="eachcustomer", function_name="tick"),
    Output("org-week", "value", allow_duplicate=True),
    Output("org-timer", "disabled", allow_duplicate=True),
    Output("org-play", "children", allow_duplicate=True),
    Input("org-timer", "n_intervals"),
    State("org-week", "value"),
    State("org-week", "max"),
    prevent_initial_call=True,
)


# --- uploads -------------------------------------------------------------------------------


def error_list(check: ChartCheck) -> html.Div:
    """The problems next to the upload, one per row of the file."""
    items = []
    for error in check.errors:
        entry: list[Any] = [html.Strong(f"{error.where}: ") if error.where else "", error.problem]
        if error.line_text is not None:
            entry += [html.Br(), html.Code(error.line_text)]
        items.append(html.Li(entry))
    return html.Div(
        [
            html.Div("The chart was not used:", className="error"),
            html.Ul(items, className="row-errors", id="org-row-errors"),
        ]
    )


@callback(
    Output("settings", "data", allow_duplicate=True),
    Output("org-upload-result", "children"),
    Input("org-upload", "contents"),
    Input("org-upload-departments", "contents"),
    Input("org-clear", "n_clicks"),
    State("org-upload", "filename"),
    State("org-upload-departments", "contents"),
    State("org-upload-departments", "filename"),
    State("settings", "data"),
    Input("org-upload-refused", "data"),
    Input("org-upload-departments-refused", "data"),
    prevent_initial_call=True,
)
def upload_chart(
    contents: Any,
    _table: Any,
    _clear: Any,
    filename: Any,
    table_contents: Any,
    table_filename: Any,
    stored: Any,
    refused_chart: Any = None,
    refused_table: Any = None,
) -> tuple:
    """Check an uploaded chart; a valid one becomes the organization of the scenario. A file
    the browser did not send (over the size limit) gets the same message as the server's."""
    trigger = triggered_id()
    settings = normalize(stored)
    if trigger in ("org-upload-refused", "org-upload-departments-refused"):
        refused = refused_chart if trigger == "org-upload-refused" else refused_table
        message = refused_upload(refused)
        if message is None:
            raise PreventUpdate
        return dash.no_update, error_list(ChartCheck(None, [RowError("file", message)]))
    if trigger == "org-clear":
        return {**settings, "chart": None}, html.Div(
            "Using a generated organization.", className="ok"
        )
    if trigger == "org-upload-departments" and contents is None:
        return dash.no_update, html.Div(
            f"Departments table {table_filename} ready: now upload the chart.", className="note"
        )
    if contents is None:
        raise PreventUpdate
    check = check_chart(contents, filename, table_contents, table_filename, settings)
    if check.chart is None:
        return dash.no_update, error_list(check)
    return (
        {**settings, "chart": check.chart},
        html.Div(f"Using your chart. {check.summary}.", className="ok"),
    )


@callback(Output("org-chart-status", "children"), Input("settings", "data"))
def chart_status(stored: Any) -> str:
    """Which chart the scenario uses now."""
    chart = normalize(stored)["chart"]
    return f"Chart in use: {chart['filename']}" if chart else ""


@callback(
    Output("org-download", "data"),
    Input("org-template", "n_clicks"),
    State("settings", "data"),
    prevent_initial_call=True,
)
def download_template(_clicks: Any, settings: Any) -> dict[str, Any]:
    """The current organization as a chart CSV: a template for one's own (formula-like
    text, say an uploaded chart's id, neutralized)."""
    if not _clicks:
        raise PreventUpdate
    try:
        setup = build_setup(settings)
    except ValueError:
        raise PreventUpdate from None
    org = setup.org
    if org is None:
        from eachcustomer.dashboard.runs import make_model

        org = make_model(setup, normalize(settings)["seed"]).org
    return org_chart_csv(org)
