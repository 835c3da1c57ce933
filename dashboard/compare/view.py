"""What the Compare page draws from a comparison: the verdict, the plan table, the charts.

Pictures first: the headline, then each plan against doing nothing as a forest plot per
outcome, then the same numbers in words (folded, for whoever wants every number). Pure
functions of a comparison result (`eachcustomer.dashboard.compare.comparison.run_comparison`).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from dash import dcc, html

from eachcustomer.dashboard import figures
from eachcustomer.dashboard.compare.comparison import band_frame
from eachcustomer.dashboard.compare.verdict import OUTCOME_BY_COLUMN
from eachcustomer.dashboard.forest import forest_height, plan_forest, verdict_key
from eachcustomer.dashboard.money import money
from eachcustomer.experiments.reports.forest import Effect

CHARTS = (
    ("mean_attitude", "Mean attitude (-1 to +1)"),
    ("mean_satisfaction", "Satisfaction (-1 to +1)"),
    ("active_customers", "Customers (count)"),
    ("customers_lost_total", "Customers (running total)"),
    ("net_promoter_score", "Score (points)"),
    ("focus_back_office", "Effort on customers (0 to 1)"),
)
LEVELS, DIFFERENCES = "levels", "differences"
"""What the time-series charts show: each plan's level, or its paired difference from doing
nothing (the verdict's comparison)."""


def plan_table(result: dict[str, Any]) -> html.Table:
    """Each plan, what it does and its expected cost."""
    rows = [html.Tr([html.Th("Plan"), html.Th("What it does"), html.Th("Expected cost")])]
    rows += [
        html.Tr([html.Td(plan["name"]), html.Td(plan["description"]), html.Td(money(plan["cost"]))])
        for plan in result["plans"]
    ]
    return html.Table(rows, className="plan-table", id="compare-plan-table")


def forest_effects(result: dict[str, Any], column: str) -> list[Effect]:
    """The forest rows of one outcome: each plan's paired effect against doing nothing at
    the horizon, the very numbers and verdict the words state (`against_reference`)."""
    for line in result["verdict"].get("against_nothing", []):
        if line["outcome"] == column:
            return [
                Effect(plan, e["difference"], e["low"], e["high"], e["verdict"], e["n"])
                for plan, e in line["effects"].items()
            ]
    return []


def forest_section(result: dict[str, Any], large: bool) -> list[Any]:
    """A small forest plot per outcome: each plan's effect against doing nothing."""
    graphs = []
    for column in result["finals"]:
        effects = forest_effects(result, column)
        if not effects:
            continue
        graphs.append(
            dcc.Graph(
                id=f"compare-forest-{column}",
                className="chart",
                figure=plan_forest(effects, OUTCOME_BY_COLUMN[column], large=large),
                config=figures.graph_config(f"compare-forest-{column}"),
                style={"height": f"{forest_height(len(effects), large)}px"},
            )
        )
    if not graphs:
        return []
    return [
        html.H3(f"Each plan against doing nothing at week {result['horizon']}"),
        html.Div(
            [
                f"A point is the mean difference over {result['replications']} paired "
                "replications (same seeds); its bar the 95% interval of that difference. "
                "Left of the dashed line: lower than doing nothing.",
                verdict_key(),
            ],
            className="note",
        ),
        html.Div(graphs, className=f"forest-grid{' large' * large}", id="compare-forest"),
    ]


def verdict_words(verdict: dict[str, Any]) -> html.Details:
    """The verdict in words, folded: each plan against doing nothing, the best on each outcome."""
    words: list[Any] = [html.Summary("The same in words, with every number")]
    if verdict.get("against_nothing"):
        words += [
            html.H4("Each plan against doing nothing"),
            html.Ul(
                [html.Li(line["text"]) for line in verdict["against_nothing"]],
                id="compare-against-nothing",
            ),
        ]
    words += [
        html.H4("The best plan on each outcome, against the runner-up"),
        html.Ul(
            [
                html.Li(line["text"], className="clear" if line["clear"] else "unclear")
                for line in verdict["lines"]
            ],
            id="compare-verdict-lines",
        ),
        html.Div(verdict.get("pairing", ""), className="note"),
    ]
    return html.Details(words, id="compare-words", className="verdict-words")


def verdict_box(result: dict[str, Any], large: bool = False) -> list[Any]:
    """The headline, each plan against doing nothing as pictures, then all of it in words."""
    verdict = result["verdict"]
    box: list[Any] = [html.H2(verdict["headline"], id="compare-headline")]
    box += forest_section(result, large)
    box.append(verdict_words(verdict))
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
        " (a sweep over culture change's price and strength) is below the charts.",
    ]


def render(result: Any, large: bool) -> tuple:
    """Verdict, plan table, status and error of a comparison."""
    if not isinstance(result, dict):
        return (waiting(), [], "", "")
    if result.get("error"):
        return ("No comparison yet.", [], "", result["error"])
    seeds = ", ".join(str(s) for s in result["seeds"][:3])
    status = (
        f"{result['replications']} replications per plan, seeds {seeds}"
        f"{'…' if len(result['seeds']) > 3 else ''} ({result['seconds']} s)."
    )
    return (verdict_box(result, large), plan_table(result), status, "")


def band_charts(result: Any, large: bool, shown: str = LEVELS) -> list[Any]:
    """The time-series charts and the cost chart of a comparison.

    `shown` is LEVELS (each plan's mean with the unpaired interval of that mean) or
    DIFFERENCES (each plan minus doing nothing, seed by seed, with the paired interval the
    verdict uses); each chart says which under its title.
    """
    if not isinstance(result, dict) or result.get("error"):
        return [figures.empty_figure("Press Compare", large=large)] * (len(CHARTS) + 1)
    horizon, count = result["horizon"], result["replications"]
    paired = shown == DIFFERENCES and "paired" in result
    if paired:
        note = (
            "Difference from doing nothing; shaded: its 95% paired interval<br>"
            f"({count} runs on the same seeds, as in the verdict)"
        )
    else:
        note = f"Shaded: 95% interval of each plan's mean<br>({count} runs, unpaired)"
    charts = []
    for column, y_title in CHARTS:
        outcome = OUTCOME_BY_COLUMN[column]
        title = outcome.label[:1].upper() + outcome.label[1:]
        charts.append(
            figures.plan_bands(
                band_frame(result["paired" if paired else "bands"][column]),
                title,
                y_title,
                fmt=outcome.fmt,
                large=large,
                horizon=horizon,
                band_note=note,
                zero_line=paired,
            )
        )
    return [*charts, figures.plan_costs(cost_frame(result), large=large)]


def chart_height(large: bool) -> dict[str, str]:
    """A time-series chart's box: taller on a projector, where its legend and title grow."""
    return {"height": "520px" if large else "340px"}


def grid_class(large: bool) -> str:
    """The charts' grid: wider columns on a projector (`.chart-grid.large`)."""
    return "chart-grid large" if large else "chart-grid"
