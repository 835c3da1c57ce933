"""The headline figure: plots the results of the built-in sweep spec headline.

The comparison itself is a sweep, so the figure's numbers come from the same runs, seeds,
budget rule and intervals as any other sweep and as the Compare page:

    eachcustomer sweep headline --out results/headline
    eachcustomer headline results/headline --out docs/figures

Three panels against the budget: customers lost per year over the last quarter,
satisfaction at the horizon, and revenue net of spend gained over doing nothing (the
paired difference from the plan 'none'), each plan's mean with its 95% interval.

Beside the figure, `headline_verdicts.csv` states what the figure's own bands cannot: the
two plans against each other, paired by seed at each budget, judged by the one verdict
rule (`eachcustomer.experiments.analysis.decisions.decision_map` with the budget as its one
factor, so its intervals are adjusted for the budgets compared at once).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from eachcustomer.experiments.analysis.decisions import decision_map
from eachcustomer.experiments.analysis.outcomes import outcome
from eachcustomer.experiments.analysis.plan_effects import plan_comparison
from eachcustomer.experiments.analysis.tables import Results, load_results
from eachcustomer.experiments.loading.files import write_atomically, write_table
from eachcustomer.experiments.loading.folders import claim_figures
from eachcustomer.experiments.loading.plans import NO_PLAN, plan_library
from eachcustomer.experiments.reports.interval_traces import interval_band
from eachcustomer.experiments.reports.palette import BLUE, GREEN, ORANGE, PURPLE, report_template
from eachcustomer.extras import MissingExtraError, require, skipped

PANELS = (
    ("recent_annual_customer_loss", "level"),
    ("final_mean_satisfaction", "level"),
    ("net_revenue", "difference"),
)
"""Each panel's outcome, and whether it shows the level or the gain over doing nothing."""
COLOURS = (ORANGE, BLUE, GREEN, PURPLE)
"""The plans' colours, in the order of the published figure (docs/figures/headline.png)."""


def headline_table(results_folder: str | Path | Results, confidence: float = 0.95) -> pd.DataFrame:
    """The plotted numbers: per panel outcome, plan (not 'none') and budget, mean and interval."""
    results = load_results(results_folder)
    comparison = plan_comparison(results, [o for o, _ in PANELS], confidence=confidence)
    rows = []
    for column, kind in PANELS:
        chosen = comparison[(comparison["outcome"] == column) & (comparison["plan"] != NO_PLAN)]
        prefix = "" if kind == "level" else "difference_"
        middle = "mean" if kind == "level" else "difference"
        rows.append(
            pd.DataFrame(
                {
                    "outcome": column,
                    "shown": kind,
                    "plan": chosen["plan"],
                    "budget": chosen["budget"],
                    "n": chosen["n"],
                    "mean": chosen[middle],
                    "low": chosen[f"{prefix}ci_low"],
                    "high": chosen[f"{prefix}ci_high"],
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def headline_verdicts(
    results_folder: str | Path | Results, confidence: float = 0.95
) -> pd.DataFrame:
    """The paying plans against each other at each budget: paired advantage and verdict.

    One row per panel outcome and budget, as `decision_map` gives it (reference and
    challenger the first two plans besides 'none', the advantage positive where the
    challenger does better, the verdict the plan that does better or the verdict's words).
    """
    results = load_results(results_folder)
    budgets = results.ok["budget"].unique()
    swept = ["budget"] if len(budgets) > 1 else []  # one budget: one cell, no axis
    table = decision_map(
        results, outcomes=[o for o, _ in PANELS], factors=swept, confidence=confidence
    )
    if not swept:
        table.insert(3, "budget", float(budgets[0]))
    return table


def figure(table: pd.DataFrame, title: str) -> go.Figure:
    """Three panels, one per outcome: each plan against the budget, with its interval band."""
    library = plan_library()
    titles = []
    for column, kind in PANELS:
        item = outcome(column)
        titles.append(item.label + (", gain over doing nothing" if kind == "difference" else ""))
    fig = make_subplots(rows=1, cols=len(PANELS), subplot_titles=titles)
    for panel, (column, _) in enumerate(PANELS, start=1):
        here = table[table["outcome"] == column]
        for index, (plan, rows) in enumerate(here.groupby("plan", sort=False)):
            colour = COLOURS[index % len(COLOURS)]
            name = library[plan].title if plan in library else str(plan)
            rows = rows.sort_values("budget")
            fig.add_trace(
                interval_band(
                    rows["budget"],
                    rows["low"],
                    rows["high"],
                    fillcolor=colour,
                    opacity=0.2,
                    mode="lines",
                ),
                row=1,
                col=panel,
            )
            fig.add_trace(
                go.Scatter(
                    x=rows["budget"],
                    y=rows["mean"],
                    mode="lines+markers",
                    name=name,
                    line={"color": colour},
                    showlegend=panel == 1,
                ),
                row=1,
                col=panel,
            )
        fig.update_xaxes(title_text="budget (currency)", row=1, col=panel)
        fig.update_yaxes(title_text=outcome(column).unit, row=1, col=panel)
    fig.update_layout(
        template=report_template(),
        width=1400,
        height=460,
        title=title,
        legend={"orientation": "h", "y": -0.22},
        margin={"t": 90},
    )
    return fig


def write_headline(results_folder: str | Path, out: str | Path) -> list[Path]:
    """Write the headline table (CSV) and figure (HTML, and PNG when kaleido is installed).

    Returns the files written.
    """
    out = Path(out)
    results = load_results(results_folder)
    table = headline_table(results)
    with claim_figures(out, "headline") as files:
        written = [
            write_table(table, files.path("headline_summary.csv")),
            write_table(headline_verdicts(results), files.path("headline_verdicts.csv")),
        ]
        replications = int(table["n"].max()) if len(table) else 0
        fig = figure(
            table,
            f"{results.manifest.get('title', 'Headline')} (mean and 95% interval over "
            f"{replications} paired replications)",
        )
        page = files.path("headline.html")
        write_atomically(page, lambda path: fig.write_html(path, include_plotlyjs="cdn"))
        written.append(page)
        try:
            require("kaleido", "docs", "PNG export")
            png = files.path("headline.png")
            write_atomically(png, lambda path: fig.write_image(path, format="png"))
            written.append(png)
        except MissingExtraError as error:
            skipped(error)  # the HTML is there
        except (ImportError, ValueError, RuntimeError):
            pass  # kaleido found no Chrome or Chromium; the HTML is there
    return written
