"""Your organization: upload a firm's files, see what is wrong with them, fit the model to
them in the background, see the fit by department, download the fitted organization."""

from __future__ import annotations

import base64
from typing import Any

import dash
from dash import Input, Output, State, callback, dcc, html
from dash.exceptions import PreventUpdate

from eachcustomer.dashboard import figures
from eachcustomer.dashboard.common import (
    aria_label,
    cancellable_job,
    job_controls,
    triggered_id,
    upload_box,
)
from eachcustomer.dashboard.explore.live import clean_overrides
from eachcustomer.dashboard.firm.figures import check_figure
from eachcustomer.dashboard.firm.files import (
    ROLES,
    FirmCheck,
    check_files,
    example_files,
    stored_files,
    targets_rows,
    upload_entry,
)
from eachcustomer.dashboard.firm.fit import (
    SIZE_LABELS,
    SIZES,
    estimate_files,
    fit_files,
    size_problem,
)
from eachcustomer.dashboard.settings import build_setup, normalize, user_message
from eachcustomer.dashboard.uploads import RowError, check_chart, refused_upload

PREFIX = "firm"
TARGET_COLUMNS = (
    "target",
    "department",
    "week",
    "value",
    "standard error",
    "tolerance",
    "n",
    "from",
    "use",
)


def size_slider(name: str) -> list[Any]:
    least, most, default = SIZES[name]
    return [
        html.Label(SIZE_LABELS[name], htmlFor=f"firm-{name}", className="field-label"),
        dcc.Slider(
            id=f"firm-{name}",
            min=least,
            max=most,
            step=1,
            value=default,
            marks={least: str(least), default: str(default), most: str(most)},
        ),
    ]


def upload_section(role: str) -> html.Div:
    return html.Div(
        className="firm-upload",
        children=[
            html.Label(ROLES[role].label, className="field-label"),
            upload_box(f"firm-upload-{role}", f"Upload {ROLES[role].name}", ".csv,.graphml,.xml"),
            html.Div(id=f"firm-check-{role}", role="status"),
        ],
    )


def layout(**_: Any) -> html.Div:
    """The Your organization page."""
    return html.Div(
        className="compare-layout page",
        children=[
            dcc.Store(id="firm-files", storage_type="session"),
            # The fitted folder (a zip of about 1.5 MB) stays in the page, not the session.
            dcc.Store(id="firm-result", storage_type="memory"),
            html.Aside(
                className="sidebar",
                children=[
                    html.H1("Your organization", className="side-heading"),
                    html.P(
                        [
                            "Fit the model to your firm's own figures: upload its org chart "
                            "and what it measured (columns and examples in docs/FIRM_DATA.md; "
                            "templates in scenarios/data/firm_templates/). Each file is "
                            "checked as it arrives; what is wrong shows next to it, by line. "
                            "Interventions the firm ran are not asked here: the command "
                            "line's `eachcustomer fit-firm` reads them from a scenario file.",
                        ],
                        className="note",
                    ),
                    html.Button(
                        "Use the Harbour Supply example",
                        id="firm-example",
                        className="button",
                        title="A fictional wholesaler of 180 staff whose files the model wrote "
                        "at known parameters (scenarios/data/harbour_supply/)",
                    ),
                    *[upload_section(role) for role in ROLES],
                    html.H2("Fit", className="side-heading"),
                    *size_slider("population_size"),
                    *size_slider("populations"),
                    *size_slider("max_minutes"),
                    html.Div(
                        "A small fit for a first look: under half a minute on a free core "
                        "at the smallest sizes for the example, a few minutes at the "
                        "defaults. Estimate the time says, before anything starts, the "
                        "estimate the command line prints, from one timed evaluation at "
                        "these sizes. A usable posterior for the example took 10 "
                        "populations of 100 (12.6 minutes of CPU): run `eachcustomer "
                        "fit-firm` for that.",
                        className="note",
                        id="firm-size",
                    ),
                    html.Button(
                        "Estimate the time",
                        id="firm-estimate",
                        className="button",
                        title="Derives the targets and times one evaluation (a few seconds)",
                    ),
                    html.Div(id="firm-estimate-text", className="note", role="status"),
                    *job_controls(PREFIX, "▶ Fit the model"),
                    html.Div(id="firm-progress-text", className="note", role="status"),
                    html.Button(
                        "Download the fitted organization (zip)",
                        id="firm-download-button",
                        className="button",
                        disabled=True,
                        title="The folder `eachcustomer fit-firm --out` writes: scenario.toml, "
                        "the chart, targets.toml, posterior/, sweep.toml, plan.toml",
                    ),
                    dcc.Download(id="firm-download"),
                    html.Button(
                        "Use it on Explore, Compare and the plan finder",
                        id="firm-use",
                        className="button",
                        disabled=True,
                        title="The session's organization becomes your chart, its fitted "
                        "parameters the posterior's weighted means",
                    ),
                    html.Div(id="firm-use-note", role="status"),
                ],
            ),
            html.Section(
                className="main-panel",
                children=[
                    html.Div(id="firm-summary", role="status", className="note"),
                    html.H2("Targets derived from your files"),
                    html.Div(
                        id="firm-targets",
                        children="Upload files or use the example to see the targets.",
                    ),
                    html.Div(
                        id="firm-verdict",
                        className="verdict",
                        role="region",
                        **aria_label("the fit's verdict"),
                        children="No fit yet.",
                    ),
                    dcc.Graph(
                        id="firm-check",
                        className="chart",
                        config=figures.graph_config("firm-check"),
                        figure=figures.empty_figure("Fit the model to see it by department"),
                    ),
                ],
            ),
        ],
    )


dash.register_page(
    __name__,
    layout=layout,
    path="/your-organization",
    title="Your organization · EachCustomer",
    name="Your organization",
    order=6,
)


# --- the files ----------------------------------------------------------------------------


@callback(
    Output("firm-files", "data"),
    Input("firm-example", "n_clicks"),
    *[Input(f"firm-upload-{role}", "contents") for role in ROLES],
    *[Input(f"firm-upload-{role}-refused", "data") for role in ROLES],
    *[State(f"firm-upload-{role}", "filename") for role in ROLES],
    State("firm-files", "data"),
    prevent_initial_call=True,
)
def collect(_example: Any, *values: Any) -> dict[str, Any]:
    """The example's files, or the stored ones with the new upload in its role."""
    return collected(triggered_id(), values)


def collected(trigger: Any, values: tuple[Any, ...]) -> dict[str, Any]:
    """The files after `trigger` fired; `values` are the uploads' contents, the refusals,
    the file names (each in `ROLES` order) and the store."""
    count = len(ROLES)
    contents = dict(zip(ROLES, values[:count], strict=True))
    refusals = dict(zip(ROLES, values[count : 2 * count], strict=True))
    names = dict(zip(ROLES, values[2 * count : 3 * count], strict=True))
    files: dict[str, Any] = dict(stored_files(values[3 * count]))
    if trigger == "firm-example":
        return example_files()
    for role in ROLES:
        if trigger == f"firm-upload-{role}-refused":
            message = refused_upload(refusals[role], limit=None)
            if message is None:
                raise PreventUpdate
            files[role] = {"filename": str(names[role] or ROLES[role].name), "problem": message}
            return files
        if trigger == f"firm-upload-{role}":
            if contents[role] is None:
                raise PreventUpdate
            files[role] = upload_entry(contents[role], names[role], role)
            if role in ("chart", "departments"):
                files.pop("scenario", None)  # the example's interventions were its own
            return files
    raise PreventUpdate


def problem_list(role: str, errors: list[RowError], filename: str) -> html.Div:
    """The loader's problems next to the upload, one a line of the file, with the line."""
    items = []
    for error in errors:
        where = "" if error.where == "file" else f"{filename}: {error.where}: "
        entry: list[Any] = [html.Strong(where) if where else "", error.problem]
        if error.line_text is not None:
            entry += [html.Br(), html.Code(error.line_text)]
        items.append(html.Li(entry))
    return html.Div(
        [
            html.Div(f"{filename} cannot be used:", className="error"),
            html.Ul(items, className="row-errors", id=f"firm-errors-{role}"),
        ]
    )


def file_messages(stored: Any, check: FirmCheck) -> list[Any]:
    """What shows next to each upload: its problems, what was read, or nothing yet."""
    files = stored_files(stored)
    shown: list[Any] = []
    for role in ROLES:
        name = files.get(role, {}).get("filename", ROLES[role].name)
        if role in check.problems:
            shown.append(problem_list(role, check.problems[role], name))
        elif role in check.read:
            shown.append(html.Div(f"{name}: {check.read[role]}.", className="ok"))
        else:
            shown.append("")
    return shown


def targets_table(check: FirmCheck) -> Any:
    if check.targets is None:
        return "No targets yet: " + (check.missing or "no figure to fit.")
    rows = targets_rows(check.targets)
    header = html.Tr([html.Th(column) for column in TARGET_COLUMNS])
    body = [
        html.Tr(
            [html.Td(str(row[column])) for column in TARGET_COLUMNS],
            className="fit-row" if row["use"] == "fit" else "",
        )
        for row in rows
    ]
    return html.Table(
        [html.Thead(header), html.Tbody(body)], className="plan-table", id="firm-targets-table"
    )


def summary(check: FirmCheck) -> str:
    if check.targets is None:
        return check.missing
    if not check.fitted:
        return "The files hold no figure the model can be fitted to."
    fits = int((check.targets["use"] == "fit").sum())
    return (
        f"{len(check.targets)} targets: the {fits} in bold are fitted, the others checked "
        f"afterwards. A fit estimates {', '.join(check.fitted)}; every other parameter is "
        "drawn from the published posterior. Tolerances are 2 standard errors of each "
        "figure here, widened at the fit's start by the model's run-to-run spread."
    )


@callback(
    *[Output(f"firm-check-{role}", "children") for role in ROLES],
    Output("firm-targets", "children"),
    Output("firm-summary", "children"),
    Input("firm-files", "data"),
)
def show_files(stored: Any) -> tuple:
    """Every file checked again (a new chart changes what the others may name)."""
    check = check_files(stored)
    return (*file_messages(stored, check), targets_table(check), summary(check))


# --- the fit ------------------------------------------------------------------------------

JOB = cancellable_job(PREFIX, interval=500)
JOB["progress"] = [*JOB["progress"], Output("firm-progress-text", "children")]


@callback(
    Output("firm-result", "data"),
    Input("firm-run", "n_clicks"),
    State("firm-files", "data"),
    State("firm-population_size", "value"),
    State("firm-populations", "value"),
    State("firm-max_minutes", "value"),
    State("session", "data"),
    **JOB,
)
def run_fit(
    set_progress: Any,
    _clicks: Any,
    stored: Any,
    population_size: Any,
    populations: Any,
    max_minutes: Any,
    _session: Any = None,
) -> dict[str, Any]:
    """Fit in the background, reporting each population and the predictive check."""
    sizes = fit_sizes(population_size, populations, max_minutes)
    problem = size_problem(sizes)
    if problem is not None:
        return {"error": f"{problem}."}
    check = check_files(stored)
    if not check.ready:
        return {"error": check.missing or "The files hold no figure the model can be fitted to."}
    said = {"estimate": ""}

    def report(share: float, line: str) -> None:
        if line.startswith("Estimated cost"):
            said["estimate"] = line
        text = f"{said['estimate']} {line}" if said["estimate"] != line else line
        set_progress((str(round(share * 1000)), "1000", text.strip()))

    return fit_files(stored, sizes, report)


def fit_sizes(population_size: Any, populations: Any, max_minutes: Any) -> dict[str, Any]:
    """The sliders' values by the names `eachcustomer.dashboard.firm.fit.SIZES` gives."""
    return {
        "population_size": population_size,
        "populations": populations,
        "max_minutes": max_minutes,
    }


@callback(
    Output("firm-estimate-text", "children"),
    Input("firm-estimate", "n_clicks"),
    State("firm-files", "data"),
    State("firm-population_size", "value"),
    State("firm-populations", "value"),
    State("firm-max_minutes", "value"),
    State("session", "data"),
    background=True,
    running=[(Output("firm-estimate", "disabled"), True, False)],
    prevent_initial_call=True,
)
def estimate_fit(
    _clicks: Any,
    stored: Any,
    population_size: Any,
    populations: Any,
    max_minutes: Any,
    _session: Any = None,
) -> Any:
    """The fit's estimated time at the sliders' sizes, before it starts."""
    check = check_files(stored)
    if not check.ready:
        return html.Span(
            check.missing or "The files hold no figure the model can be fitted to.",
            className="error",
        )
    sizes = fit_sizes(population_size, populations, max_minutes)
    said = estimate_files(stored, sizes)
    if "error" in said:
        return html.Span(said["error"], className="error")
    return said["estimate"]


def fitted_settings(stored: Any, means: dict[str, Any], settings: Any) -> tuple:
    """(settings, message) with the fitted organization, or (None, what is wrong)."""
    files = stored_files(stored)
    chart, table = files.get("chart", {}), files.get("departments", {})
    if "text" not in chart:
        return None, "The org chart is no longer on the page: upload it again."

    def contents(entry: dict[str, str]) -> str | None:
        if "text" not in entry:
            return None
        return "data:text/csv;base64," + base64.b64encode(entry["text"].encode()).decode()

    session = normalize(settings)
    check = check_chart(
        contents(chart), chart["filename"], contents(table), table.get("filename"), session
    )
    if check.chart is None:
        return None, "; ".join(e.problem for e in check.errors)
    overrides = clean_overrides({**session["overrides"], **means})
    chosen = {**session, "chart": check.chart, "overrides": overrides}
    try:
        build_setup(chosen)
    except ValueError as error:
        return None, user_message(error)
    values = ", ".join(
        f"{name} = {value:.3g}" for name, value in means.items() if name in overrides
    )
    return chosen, (
        f"Explore, Compare and the plan finder now run {check.summary}, with {values} (the "
        "posterior's weighted means: one parameter set; `eachcustomer run --posterior` draws "
        "from the whole posterior). Interventions the firm ran are not replayed."
    )


def verdict_box(result: dict[str, Any]) -> list[Any]:
    """The verdict in verdict.py's words, and the figures it rests on."""
    from eachcustomer.experiments.calibration.verdict import Verdict

    recorded = result["verdict"]
    verdict = Verdict(**{k: v for k, v in recorded.items() if k in Verdict.__dataclass_fields__})
    words = (
        "The fit is a usable posterior."
        if verdict.usable
        else html.Strong(verdict.warning(), className="error")
    )
    inside = sum(bool(r.get("inside")) for r in result["check"])
    return [
        html.H2(f"Verdict: {verdict.label}", id="firm-verdict-label"),
        html.P(words),
        html.P(
            f"Fitted {', '.join(result['fitted'])}: {result['evaluations']:,} parameter sets "
            f"evaluated in {result['seconds']} s; final epsilon {verdict.final_epsilon:.3g} "
            f"(usable at {verdict.target_epsilon:g} or less), effective sample size "
            f"{verdict.effective_sample_size:.3g} of {verdict.population_size} (usable from "
            f"{verdict.ess_share_required:g} x). {inside} of {len(result['check'])} observed "
            "figures lie inside the fitted model's 5-95% range (about one in ten falls "
            "outside by chance when the model fits)."
        ),
        html.P(
            "The download is the folder `eachcustomer fit-firm --out` writes: `eachcustomer "
            "run fitted_organization/scenario.toml --posterior fitted_organization/posterior`,"
            " `eachcustomer sweep fitted_organization/sweep.toml --out RESULTS` or `eachcustomer "
            "plan fitted_organization/plan.toml --out RESULTS`.",
            className="note",
        ),
    ]


@callback(
    Output("firm-verdict", "children"),
    Output("firm-check", "figure"),
    Output("firm-status", "children"),
    Output("firm-error", "children"),
    Output("firm-download-button", "disabled"),
    Output("firm-use", "disabled"),
    Input("firm-result", "data"),
)
def show_fit(result: Any) -> tuple:
    """The verdict, the predictive check by department, the download."""
    if not isinstance(result, dict):
        raise PreventUpdate
    blank = figures.empty_figure("Fit the model to see it by department")
    if result.get("error"):
        return "No fit yet.", blank, "", result["error"], True, True
    return (
        verdict_box(result),
        check_figure(result["check"]),
        f"Fitted in {result['seconds']} s.",
        "",
        False,
        False,
    )


@callback(
    Output("firm-download", "data"),
    Input("firm-download-button", "n_clicks"),
    State("firm-result", "data"),
    prevent_initial_call=True,
)
def download(_clicks: Any, result: Any) -> dict[str, Any]:
    """The fitted organization's folder as a zip."""
    if not isinstance(result, dict) or not isinstance(result.get("zip"), str):
        raise PreventUpdate
    base64.b64decode(result["zip"], validate=True)  # refuse anything but what the job sent
    return {
        "content": result["zip"],
        "filename": "fitted_organization.zip",
        "base64": True,
        "type": "application/zip",
    }


@callback(
    Output("settings", "data", allow_duplicate=True),
    Output("firm-use-note", "children"),
    Input("firm-use", "n_clicks"),
    State("firm-files", "data"),
    State("firm-result", "data"),
    State("settings", "data"),
    prevent_initial_call=True,
)
def use_fitted(_clicks: Any, stored: Any, result: Any, settings: Any) -> tuple:
    """The session's scenario runs on the fitted organization: its chart, checked as any
    upload is, and the posterior's weighted means of the fitted parameters."""
    if not isinstance(result, dict) or not isinstance(result.get("means"), dict):
        raise PreventUpdate
    chosen, message = fitted_settings(stored, result["means"], settings)
    if chosen is None:
        return dash.no_update, html.Div(message, className="error")
    return chosen, html.Div(message, className="ok")


@callback(
    Output("firm-status", "children", allow_duplicate=True),
    Input("firm-cancel", "n_clicks"),
    prevent_initial_call=True,
)
def cancelled_note(_clicks: Any) -> str:
    """After a cancel: nothing is kept."""
    if triggered_id() != "firm-cancel":
        raise PreventUpdate
    return "Cancelled: nothing was kept."
