"""Compare: two to four plans side by side, with replications, bands and a verdict."""

from __future__ import annotations

from typing import Any

import dash
import pandas as pd
from dash import Input, Output, State, callback, dcc, html
from dash.exceptions import PreventUpdate

from dashboard import figures
from dashboard.common import cancellable_job, job_controls
from dashboard.compare import (
    DEFAULT_PLANS,
    MAX_PLANS,
    band_frame,
    plan_choices,
    run_comparison,
)
from dashboard.settings import normalize, scenario_choices
from dashboard.verdict import OUTCOME_BY_COLUMN

CHARTS = (
    ("mean_attitude", "Mean attitude (-1 to +1)"),
    ("mean_satisfaction", "Satisfaction (-1 to +1)"),
    ("active_customers", "Customers (count)"),
    ("customers_lost_total", "Customers (running total)"),
    ("net_promoter_score", "Score (points)"),
    ("focus_back_office", "Effort on customers (0 to 1)"),
)


def layout(**_: Any) -> html.Div:
    """The Compare page."""
    return html.Div(
        className="compare-layout page",
        children=[
            dcc.Store(id="compare-result", storage_type="session"),
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
                            "Budget (currency; empty: the cost of the cheapest plan that "
                            "costs anything)",
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
                        **{"aria-label": "verdict"},
                        children="Choose plans and press Compare.",
                    ),
                    html.Div(id="compare-table"),
                    html.Div(
                        className="chart-grid",
                        children=[
                            dcc.Graph(
                                id=f"compare-{column}",
                                className="chart",
                                style={"height": "340px"},
                                config=figures.graph_config(f"compare-{column}"),
                                figure=figures.empty_figure("Press Compare"),
                            )
                            for column, _ in CHARTS
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
)
def base_description(stored: Any) -> tuple[list[dict[str, str]], str]:
    """The plan choices of the session's scenario, and what the plans run on."""
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
    return plan_choices(settings["scenario"]), text


@callback(
    Output("compare-result", "data"),
    Input("compare-run", "n_clicks"),
    State("settings", "data"),
    State("compare-plans", "value"),
    State("compare-replications", "value"),
    State("compare-budget-mode", "value"),
    State("compare-budget", "value"),
    State("session", "data"),
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
    _session: Any = None,
) -> dict[str, Any]:
    """Run the comparison in the background, reporting each finished run."""
    plans = list(plans or [])[:MAX_PLANS]
    budget = float(budget) if isinstance(budget, int | float) and budget > 0 else None
    return run_comparison(
        settings,
        plans,
        int(replications or 5),
        mode or "as specified",
        budget,
        on_run=lambda done, total: set_progress((str(done), str(total))),
    )


def plan_table(result: dict[str, Any]) -> html.Table:
    """Each plan, what it does and its expected cost."""
    rows = [html.Tr([html.Th("Plan"), html.Th("What it does"), html.Th("Expected cost")])]
    rows += [
        html.Tr(
            [html.Td(plan["name"]), html.Td(plan["description"]), html.Td(f"{plan['cost']:,.0f}")]
        )
        for plan in result["plans"]
    ]
    return html.Table(rows, className="plan-table", id="compare-plan-table")


@callback(
    Output("compare-verdict", "children"),
    Output("compare-table", "children"),
    *[Output(f"compare-{column}", "figure") for column, _ in CHARTS],
    Output("compare-costs", "figure"),
    Output("compare-status", "children"),
    Output("compare-error", "children"),
    Input("compare-result", "data"),
    Input("presentation", "data"),
)
def render(result: Any, large: Any) -> tuple:
    """Verdict, plan table and band charts from a finished comparison."""
    large = bool(large)
    blank = [figures.empty_figure("Press Compare", large=large)] * (len(CHARTS) + 1)
    if not isinstance(result, dict):
        return ("Choose plans and press Compare.", [], *blank, "", "")
    if result.get("error"):
        return ("No comparison yet.", [], *blank, "", result["error"])
    horizon = result["horizon"]
    charts = []
    for column, y_title in CHARTS:
        outcome = OUTCOME_BY_COLUMN[column]
        charts.append(
            figures.plan_bands(
                band_frame(result["bands"][column]),
                outcome.label.capitalize(),
                y_title,
                fmt=outcome.fmt,
                large=large,
                horizon=horizon,
            )
        )
    costs = figures.plan_costs(cost_frame(result), large=large)
    verdict = result["verdict"]
    box = [
        html.H2(verdict["headline"], id="compare-headline"),
        html.Ul(
            [
                html.Li(line["text"], className="clear" if line["clear"] else "unclear")
                for line in verdict["lines"]
            ],
            id="compare-verdict-lines",
        ),
    ]
    if verdict.get("against_nothing"):
        box.append(
            html.Ul(
                [html.Li(line["text"]) for line in verdict["against_nothing"]],
                id="compare-against-nothing",
            )
        )
    box.append(html.Div(verdict.get("pairing", ""), className="note"))
    if result.get("notes"):
        box.append(html.Div(" ".join(result["notes"]), className="note"))
    seeds = ", ".join(str(s) for s in result["seeds"][:3])
    status = (
        f"{result['replications']} replications per plan, seeds {seeds}"
        f"{'…' if len(result['seeds']) > 3 else ''} ({result['seconds']} s)."
    )
    return (box, plan_table(result), *charts, costs, status, "")


def cost_frame(result: dict[str, Any]) -> pd.DataFrame:
    """The plans' costs as a table for the cost chart."""
    return pd.DataFrame(
        {"plan": [p["name"] for p in result["plans"]], "cost": [p["cost"] for p in result["plans"]]}
    )


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
    if not isinstance(result, dict) or not result.get("spec"):
        raise PreventUpdate
    return {
        "content": result["spec"],
        "filename": "comparison-sweep.toml",
        "type": "application/toml",
        "base64": False,
    }
