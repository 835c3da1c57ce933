"""Compare: two to four plans side by side, with replications, bands and a verdict."""

from __future__ import annotations

from typing import Any

import dash
from dash import ALL, Input, Output, State, callback, dcc, html
from dash.exceptions import PreventUpdate

from eachcustomer.dashboard import figures
from eachcustomer.dashboard.common import (
    aria_label,
    cancellable_job,
    job_controls,
    triggered_id,
    upload_box,
)
from eachcustomer.dashboard.compare import uploads as plan_uploads
from eachcustomer.dashboard.compare import view as compare_view
from eachcustomer.dashboard.compare.comparison import (
    DEFAULT_PLANS,
    MAX_PLANS,
    plan_choices,
    run_comparison,
)
from eachcustomer.dashboard.compare.coverage import clean_restriction
from eachcustomer.dashboard.compare.evidence import evidence_section
from eachcustomer.dashboard.exports import stored_toml_download
from eachcustomer.dashboard.money import money_unit
from eachcustomer.dashboard.settings import normalize, org_groups, scenario_choices, user_message
from eachcustomer.dashboard.uploads import refused_upload
from eachcustomer.experiments.loading.plans import NO_PLAN


def layout(**_: Any) -> html.Div:
    """The Compare page."""
    return html.Div(
        className="compare-layout page",
        children=[
            dcc.Store(id="compare-result", storage_type="session"),
            dcc.Store(id="compare-file-plans", storage_type="session"),
            html.Aside(
                className="sidebar",
                children=[
                    html.H1("Compare plans", className="side-heading"),
                    html.Div(id="compare-base", className="note"),
                    html.Label(
                        "Plans (two to four)", htmlFor="compare-plans", className="field-label"
                    ),
                    # Options from the start: a multi dropdown drops values it has no option for.
                    dcc.Dropdown(
                        id="compare-plans",
                        multi=True,
                        value=list(DEFAULT_PLANS),
                        options=plan_choices("baseline"),
                        clearable=False,
                    ),
                    html.Details(
                        className="param-group",
                        id="compare-file-box",
                        children=[
                            html.Summary("Plans from a scenario file"),
                            html.Div(
                                "A scenario TOML's [plans] and its own schedule (the plan "
                                "finder's recommended.toml, say) join the menu for this "
                                "session. They run on this session's organization and "
                                "settings, not the file's, as library plans do.",
                                className="note",
                                id="compare-file-note",
                            ),
                            upload_box(
                                "compare-file-upload",
                                "Upload a scenario file (TOML)",
                                ".toml,application/toml,text/plain",
                            ),
                            html.Div(id="compare-file-result", role="status"),
                        ],
                    ),
                    html.Details(
                        className="param-group",
                        id="compare-coverage-box",
                        children=[
                            html.Summary("Whom each plan reaches (departments, levels)"),
                            html.Div(
                                "Restrict a plan to some departments and hierarchy levels "
                                "(none chosen: as the plan says). Its share of staff, and an "
                                "equal budget, then apply to those.",
                                className="note",
                            ),
                            html.Div(id="compare-coverage"),
                        ],
                    ),
                    html.Label(
                        "Replications per plan",
                        htmlFor="compare-replications",
                        className="field-label",
                    ),
                    dcc.Slider(
                        id="compare-replications",
                        min=2,
                        max=20,
                        step=1,
                        value=5,
                        marks={2: "2", 5: "5", 10: "10", 20: "20"},
                    ),
                    html.Div(
                        "Each plan runs with the same seeds, so plans meet the same luck.",
                        className="note",
                    ),
                    html.Label("Budget", htmlFor="compare-budget-mode", className="field-label"),
                    dcc.RadioItems(
                        id="compare-budget-mode",
                        value="coverage",
                        options=[
                            {"label": "as each plan specifies", "value": "as specified"},
                            {
                                "label": "equal budget: scale the share of staff covered",
                                "value": "coverage",
                            },
                            {"label": "equal budget: scale the weeks it runs", "value": "duration"},
                        ],
                    ),
                    html.Label(
                        [
                            f"Budget ({money_unit('currency')}; empty: the cost of the cheapest "
                            "plan that costs anything)",
                            dcc.Input(id="compare-budget", type="number", min=0, debounce=True),
                        ],
                        className="field-label",
                    ),
                    *job_controls("compare", "▶ Compare"),
                    html.Button(
                        "Download as a sweep spec",
                        id="compare-spec-button",
                        className="button",
                        disabled=True,
                        title="A sweep spec TOML that `eachcustomer sweep` runs to the same "
                        "numbers as this comparison",
                    ),
                    dcc.Download(id="compare-spec-download"),
                    html.Div(id="compare-spec-note", className="note"),
                ],
            ),
            html.Section(
                className="main-panel",
                children=[
                    html.Div(
                        id="compare-verdict",
                        className="verdict",
                        role="region",
                        **aria_label("verdict"),
                        children=compare_view.waiting(),
                    ),
                    html.Div(id="compare-table"),
                    html.Div(
                        className="band-view",
                        children=[
                            html.Span("The charts show", className="field-label"),
                            dcc.RadioItems(
                                id="compare-band-view",
                                value=compare_view.LEVELS,
                                inline=True,
                                options=[
                                    {
                                        "label": "each plan's level",
                                        "value": compare_view.LEVELS,
                                    },
                                    {
                                        "label": "each plan's difference from doing nothing "
                                        "(paired, as the verdict)",
                                        "value": compare_view.DIFFERENCES,
                                    },
                                ],
                            ),
                            html.Div(
                                "Levels carry each plan's own interval: bands may overlap "
                                "where the paired difference, which cancels the luck plans "
                                "share, tells them apart.",
                                className="note",
                            ),
                        ],
                    ),
                    html.Div(
                        id="compare-charts",
                        className="chart-grid",
                        children=[
                            dcc.Graph(
                                id=f"compare-{column}",
                                className="chart",
                                style={"height": "340px"},
                                config=figures.graph_config(f"compare-{column}"),
                                figure=figures.empty_figure("Press Compare"),
                            )
                            for column, _ in compare_view.CHARTS
                        ]
                        + [
                            dcc.Graph(
                                id="compare-costs",
                                className="chart",
                                style={"height": "340px"},
                                config=figures.graph_config("compare-costs"),
                                figure=figures.empty_figure("Press Compare"),
                            )
                        ],
                    ),
                    html.Div(
                        id="compare-evidence",
                        className="evidence",
                        role="region",
                        **aria_label("where the verdict holds"),
                    ),
                ],
            ),
        ],
    )


dash.register_page(
    __name__,
    layout=layout,
    path="/compare",
    title="Compare · EachCustomer",
    name="Compare",
    order=2,
)


@callback(
    Output("compare-plans", "options"),
    Output("compare-base", "children"),
    Input("settings", "data"),
    Input("compare-file-plans", "data"),
)
def base_description(stored: Any, file_plans: Any = None) -> tuple[list[dict[str, str]], str]:
    """The plan choices of the session's scenario and uploaded file, and what the plans
    run on."""
    settings = normalize(stored)
    titles = {o["value"]: o["label"] for o in scenario_choices()}
    chart = settings["chart"]
    org = f"your org chart {chart['filename']}" if chart else "its organization"
    changed = len(settings["overrides"])
    text = (
        f"Each plan runs on the scenario '{titles.get(settings['scenario'], '')}' with "
        f"{org}"
        + (f" and {changed} changed parameter(s)" if changed else "")
        + ", replacing its interventions. Change the scenario on Explore."
    )
    options = plan_choices(settings["scenario"]) + plan_uploads.menu_options(file_plans)
    return options, text


@callback(
    Output("compare-file-plans", "data"),
    Output("compare-file-result", "children"),
    Input("compare-file-upload", "contents"),
    Input("compare-file-upload-refused", "data"),
    State("compare-file-upload", "filename"),
    prevent_initial_call=True,
)
def upload_plans(contents: Any, refused: Any, filename: Any) -> tuple[Any, html.Div]:
    """A scenario file's plans into the session's menu, or the problem next to the upload.
    A new file's plans replace the previous file's."""
    if triggered_id() == "compare-file-upload-refused":
        message = refused_upload(refused, limit=plan_uploads.UPLOAD_LIMIT)
        if message is None:
            raise PreventUpdate
        return dash.no_update, html.Div(message, className="error")
    if contents is None:
        raise PreventUpdate
    stored, message = plan_uploads.read_plans(contents, filename)
    if stored is None:
        return dash.no_update, html.Div(
            [html.Div("The file's plans were not added:"), html.Div(message)],
            className="error",
            id="compare-file-error",
        )
    return stored, html.Div(message, className="ok")


@callback(
    Output("compare-result", "data"),
    Input("compare-run", "n_clicks"),
    State("settings", "data"),
    State("compare-plans", "value"),
    State("compare-replications", "value"),
    State("compare-budget-mode", "value"),
    State("compare-budget", "value"),
    State({"type": "compare-departments", "plan": ALL}, "value"),
    State({"type": "compare-levels", "plan": ALL}, "value"),
    State({"type": "compare-departments", "plan": ALL}, "id"),
    State("session", "data"),
    State("compare-file-plans", "data"),
    **cancellable_job("compare", interval=300),
)
def compare(
    set_progress: Any,
    _clicks: Any,
    settings: Any,
    plans: list[str],
    replications: int,
    mode: str,
    budget: Any,
    departments: list[Any] | None = None,
    levels: list[Any] | None = None,
    ids: list[dict[str, str]] | None = None,
    _session: Any = None,
    file_plans: Any = None,
) -> dict[str, Any]:
    """Run the comparison in the background, reporting each finished run."""
    plans = list(plans or [])[:MAX_PLANS]
    budget = float(budget) if isinstance(budget, int | float) and budget > 0 else None
    restrictions = {
        item["plan"]: clean_restriction(chosen_departments, chosen_levels)
        for item, chosen_departments, chosen_levels in zip(
            ids or [], departments or [], levels or [], strict=False
        )
    }
    try:
        extra = plan_uploads.entries(file_plans)
    except ValueError as error:
        return {"error": user_message(error)}
    return run_comparison(
        settings,
        plans,
        int(replications or 5),
        mode or "as specified",
        budget,
        on_run=lambda done, total: set_progress((str(done), str(total))),
        restrictions=restrictions,
        extra=extra,
    )


@callback(
    Output("compare-coverage", "children"),
    Input("compare-plans", "value"),
    Input("settings", "data"),
    State({"type": "compare-departments", "plan": ALL}, "value"),
    State({"type": "compare-levels", "plan": ALL}, "value"),
    State({"type": "compare-departments", "plan": ALL}, "id"),
    State("compare-file-plans", "data"),
)
def coverage_rows(
    plans: list[str] | None,
    stored: Any,
    departments: list[Any],
    levels: list[Any],
    ids: list[dict[str, str]],
    file_plans: Any = None,
) -> list[Any]:
    """A row per chosen plan: the departments and levels it is restricted to, kept as the
    plans change; doing nothing has none."""
    settings = normalize(stored)
    names, all_levels = org_groups(settings)
    kept = {
        item["plan"]: (d or [], v or [])
        for item, d, v in zip(ids or [], departments or [], levels or [], strict=False)
    }
    options = plan_choices(settings["scenario"]) + plan_uploads.menu_options(file_plans)
    titles = {o["value"]: o["label"] for o in options}
    rows = []
    for key in plans or []:
        if key == f"plan:{NO_PLAN}":
            continue
        chosen_departments, chosen_levels = kept.get(key, ([], []))
        rows.append(
            html.Fieldset(
                className="coverage-row",
                children=[
                    html.Legend(titles.get(key, key)),
                    dcc.Dropdown(
                        id={"type": "compare-departments", "plan": key},
                        multi=True,
                        options=names,
                        value=[d for d in chosen_departments if d in names],
                        placeholder="all its departments",
                    ),
                    dcc.Dropdown(
                        id={"type": "compare-levels", "plan": key},
                        multi=True,
                        options=[
                            {"label": "level 1 (chief)" if v == 1 else f"level {v}", "value": v}
                            for v in all_levels
                        ],
                        value=[v for v in chosen_levels if v in all_levels],
                        placeholder="all its levels",
                    ),
                ],
            )
        )
    return rows


@callback(
    Output("compare-verdict", "children"),
    Output("compare-table", "children"),
    Output("compare-status", "children"),
    Output("compare-error", "children"),
    Input("compare-result", "data"),
    Input("presentation", "data"),
)
def render(result: Any, large: Any) -> tuple:
    """Verdict (forest plots, then words), plan table and status of a finished comparison."""
    return compare_view.render(result, bool(large))


@callback(
    *[Output(f"compare-{column}", "figure") for column, _ in compare_view.CHARTS],
    Output("compare-costs", "figure"),
    Input("compare-result", "data"),
    Input("presentation", "data"),
    Input("compare-band-view", "value"),
)
def draw_charts(result: Any, large: Any, shown: Any) -> list[Any]:
    """The time-series charts, as levels or as paired differences, and the cost chart."""
    return compare_view.band_charts(result, bool(large), shown or compare_view.LEVELS)


@callback(
    *[Output(f"compare-{column}", "style") for column, _ in compare_view.CHARTS],
    Output("compare-costs", "style"),
    Output("compare-charts", "className"),
    Input("presentation", "data"),
)
def size_charts(large: Any) -> list[Any]:
    """The charts' boxes and grid, taller and wider in presentation mode."""
    boxes = [compare_view.chart_height(bool(large))] * (len(compare_view.CHARTS) + 1)
    return [*boxes, compare_view.grid_class(bool(large))]


@callback(Output("compare-evidence", "children"), Input("presentation", "data"))
def where_the_verdict_holds(large: Any) -> list[Any]:
    """The shipped decision map (a sweep's, not this page's comparison), read on each visit."""
    return evidence_section(large=bool(large))


@callback(
    Output("compare-plans", "value"), Input("compare-plans", "value"), prevent_initial_call=True
)
def limit_plans(plans: list[str]) -> list[str]:
    """At most four plans."""
    if plans is None or len(plans) <= MAX_PLANS:
        raise PreventUpdate
    return plans[:MAX_PLANS]


@callback(
    Output("compare-spec-button", "disabled"),
    Output("compare-spec-note", "children"),
    Input("compare-result", "data"),
)
def spec_ready(result: Any) -> tuple[bool, str]:
    """The spec download is there once a comparison has run (and can be written as a spec)."""
    if not isinstance(result, dict) or result.get("error"):
        return True, ""
    return result.get("spec") is None, result.get("spec_note", "")


@callback(
    Output("compare-spec-download", "data"),
    Input("compare-spec-button", "n_clicks"),
    State("compare-result", "data"),
    prevent_initial_call=True,
)
def download_spec(_clicks: Any, result: Any) -> dict[str, Any]:
    """The comparison as a sweep spec: `eachcustomer sweep` reproduces its numbers."""
    return stored_toml_download(result, "spec", "comparison-sweep.toml")
