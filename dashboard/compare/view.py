"""What the Compare page draws from a comparison: the verdict, the plan table, the charts.

Pure functions of a comparison result (`eachcustomer.dashboard.compare.comparison.run_comparison`).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from dash import html

from eachcustomer.dashboard import figures
from eachcustomer.dashboard.compare.comparison import band_frame
from eachcustomer.dashboard.compare.verdict import OUTCOME_BY_COLUMN

CHARTS = (
    ("mean_attitude", "Mean attitude (-1 to +1)"),
    ("mean_satisfaction", "Satisfaction (-1 to +1)"),
    ("active_customers", "Customers (count)"),
    ("customers_lost_total", "Customers (running total)"),
    ("net_promoter_score", "Score (points)"),
    ("focus_back_office", "Effort on customers (0 to 1)"),
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


def verdict_box(result: dict[str, Any]) -> list[Any]:
    """The headline, each plan against doing nothing, then the best plan on each outcome."""
    verdict = result["verdict"]
    box: list[Any] = [html.H2(verdict["headline"], id="compare-headline")]
    if verdict.get("against_nothing"):
        box += [
            html.H3("Each plan against doing nothing"),
            html.Ul(
                [html.Li(line["text"]) for line in verdict["against_nothing"]],
                id="compare-against-nothing",
            ),
        ]
    box += [
        html.H3("The best plan on each outcome, against the runner-up"),
        html.Ul(
            [
                html.Li(line["text"], className="clear" if line["clear"] else "unclear")
                for line in verdict["lines"]
            ],
            id="compare-verdict-lines",
        ),
        html.Div(verdict.get("pairing", ""), className="note"),
    ]
    if result.get("notes"):
        box.append(html.Div(" ".join(result["notes"]), className="note"))
    return box


def cost_frame(result: dict[str, Any]) -> pd.DataFrame:
    """The plans' costs as a table for the cost chart."""
    return pd.DataFrame(
        {"plan": [p["name"] for p in result["plans"]], "cost": [p["cost"] for p in result["plans"]]}
    )


def waiting() -> list:
    """The verdict box before a comparison: what to do, and where the shipped evidence is
    (below the charts, which are empty until then)."""
    return [
        "Choose plans and press Compare. Before you do: ",
        html.A("where the verdict holds", href="#compare-evidence"),
        " (a sweep over prices and fade rates) is below the charts.",
    ]


def render(result: Any, large: bool) -> tuple:
    """Verdict, plan table, band charts, cost chart, status and error of a comparison."""
    blank = [figures.empty_figure("Press Compare", large=large)] * (len(CHARTS) + 1)
    if not isinstance(result, dict):
        return (waiting(), [], *blank, "", "")
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
    seeds = ", ".join(str(s) for s in result["seeds"][:3])
    status = (
        f"{result['replications']} replications per plan, seeds {seeds}"
        f"{'…' if len(result['seeds']) > 3 else ''} ({result['seconds']} s)."
    )
    return (verdict_box(result), plan_table(result), *charts, costs, status, "")
