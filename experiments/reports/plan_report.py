"""The report's plan sections: each plan against doing nothing, overall and per factor level.

A sweep with plans asks a question such as "does a stronger negativity bias undo a training
day?"; pooling the biases into each plan's bar averages the answer away. So besides the
plans at each budget, the report shows each plan's paired difference from the baseline at
each level of each other factor (`eachcustomer.experiments.analysis.plan_effects.plan_effects`), and
an interaction chart: each plan's mean per level. The figure functions are pure
(DataFrame -> go.Figure).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from eachcustomer.experiments.analysis import plan_effects
from eachcustomer.experiments.analysis.outcomes import outcome as outcome_of
from eachcustomer.experiments.analysis.statistics import PAIRING_NOTE
from eachcustomer.experiments.analysis.tables import Results
from eachcustomer.experiments.loading.files import write_table
from eachcustomer.experiments.loading.plans import plan_library
from eachcustomer.experiments.reports.interval_traces import error_bars
from eachcustomer.experiments.reports.page import Page
from eachcustomer.experiments.reports.palette import INK, category, report_template

COLUMNS = 3


def plan_title(name: str) -> str:
    """A plan's title from the library, or its name."""
    library = plan_library()
    return library[name].title if name in library else str(name)


def plans_figure(comparison: pd.DataFrame, outcome: str) -> go.Figure:
    """Each plan's mean and interval at the horizon, side by side for each budget."""
    rows = comparison[comparison["outcome"] == outcome]
    item = outcome_of(outcome)
    figure = go.Figure()
    groups = rows.groupby("budget", sort=True) if "budget" in rows else [(None, rows)]
    for budget, part in groups:
        figure.add_trace(
            go.Bar(
                x=[plan_title(p) for p in part["plan"]],
                y=part["mean"],
                name="" if budget is None else f"budget {budget:,.0f}",
                error_y=error_bars(part["ci_low"], part["mean"], part["ci_high"]),
            )
        )
    figure.update_layout(
        title=item.label.capitalize() + (" at equal budget" if "budget" in rows else ""),
        barmode="group",
        yaxis_title=item.title,
        template=report_template(),
        margin={"t": 70},
    )
    return figure


def _factor_grid(factors: list[str], shared: bool = True) -> tuple[go.Figure, int]:
    cols = min(COLUMNS, max(len(factors), 1))
    lines = -(-max(len(factors), 1) // cols)
    figure = make_subplots(
        rows=lines,
        cols=cols,
        subplot_titles=factors,
        shared_yaxes=shared,
        horizontal_spacing=0.06,
        vertical_spacing=0.2 / lines,
    )
    return figure, cols


def _finish_factor_grid(
    figure: go.Figure, factors: int, cols: int, title: str, y_title: str
) -> go.Figure:
    """Levels as categories, the y title on the first column, a legend below the panels."""
    figure.update_xaxes(type="category")
    figure.update_yaxes(title_text=y_title, col=1)
    figure.update_layout(
        title=title,
        template=report_template(),
        height=340 * (-(-max(factors, 1) // cols)) + 60,
        legend={"orientation": "h", "y": -0.15},
        margin={"t": 80},
    )
    return figure


def effects_figure(effects: pd.DataFrame, outcome: str, baseline: str) -> go.Figure:
    """Each plan's paired difference from the baseline per level, one panel per factor."""
    rows = effects[(effects["outcome"] == outcome) & (effects["plan"] != baseline)]
    factors = list(dict.fromkeys(rows["factor"]))
    figure, cols = _factor_grid(factors)
    item = outcome_of(outcome)
    for index, factor in enumerate(factors):
        where = {"row": index // cols + 1, "col": index % cols + 1}
        part = rows[rows["factor"] == factor]
        for number, (plan, line) in enumerate(part.groupby("plan", sort=False)):
            colour = category(number)
            line = line.sort_values("order")
            figure.add_trace(
                go.Scatter(
                    x=line["level"],
                    y=line["difference"],
                    mode="lines+markers",
                    name=plan_title(plan),
                    legendgroup=plan,
                    showlegend=index == 0,
                    line={"color": colour},
                    error_y=error_bars(line["ci_low"], line["difference"], line["ci_high"]),
                    customdata=line["n"],
                    hovertemplate="%{x}: %{y:.4g} (%{customdata} pairs)",
                ),
                **where,
            )
        figure.add_hline(y=0, line={"color": INK, "width": 1, "dash": "dot"}, **where)
    return _finish_factor_grid(
        figure,
        len(factors),
        cols,
        f"{item.label.capitalize()}: each plan minus {plan_title(baseline)}, per level "
        "(paired, 95% interval)",
        f"difference, {item.unit}" if item.unit else "difference",
    )


def interaction_figure(effects: pd.DataFrame, outcome: str) -> go.Figure:
    """Plan x factor: each plan's mean per level; parallel lines mean no interaction, lines
    that close or cross mean the factor changes what a plan does."""
    rows = effects[effects["outcome"] == outcome]
    factors = list(dict.fromkeys(rows["factor"]))
    figure, cols = _factor_grid(factors)
    item = outcome_of(outcome)
    for index, factor in enumerate(factors):
        where = {"row": index // cols + 1, "col": index % cols + 1}
        lines = rows[rows["factor"] == factor].groupby("plan", sort=False)
        for number, (plan, line) in enumerate(lines):
            colour = INK if number == 0 else category(number - 1)
            line = line.sort_values("order")
            figure.add_trace(
                go.Scatter(
                    x=line["level"],
                    y=line["mean"],
                    mode="lines+markers",
                    name=plan_title(plan),
                    legendgroup=plan,
                    showlegend=index == 0,
                    line={"color": colour},
                    error_y=error_bars(line["mean_ci_low"], line["mean"], line["mean_ci_high"]),
                ),
                **where,
            )
    return _finish_factor_grid(
        figure,
        len(factors),
        cols,
        f"{item.label.capitalize()}: plan x factor (mean per level, 95% interval)",
        item.unit or item.label,
    )


def plans_section(
    page: Page,
    results: Results,
    out: Path,
    tables: dict[str, str],
    confidence: float,
    outcomes: list[str],
) -> None:
    """Plans at each budget, then each plan against the baseline per level of each factor."""
    comparison = plan_effects.plan_comparison(results, confidence=confidence)
    write_table(comparison, out / "plan_comparison.csv")
    tables["plan_comparison.csv"] = "plans compared, with paired differences"
    baseline = plan_effects.baseline_plan(results)
    page.heading("Plans compared" + (" at equal budget" if "budget" in results.lists else ""))
    page.text(
        f"Differences are from the plan '{plan_title(baseline)}' at the same point: "
        f"{PAIRING_NOTE}. expected_cost is what the plan was scaled to, spend what the runs "
        "spent."
    )
    for outcome in outcomes:
        page.figure(plans_figure(comparison, outcome))
    page.table(_comparison_shown(comparison[comparison["outcome"].isin(outcomes)], baseline))
    factors = [
        name
        for name in results.factors
        if name != "plan" and results.ok[name].nunique() > 1  # a constant answers nothing
    ]
    if not factors or results.ok.empty:
        return
    effects = plan_effects.plan_effects(results, outcomes, factors, confidence=confidence)
    write_table(effects, out / "plan_effects.csv")
    tables["plan_effects.csv"] = "each plan's paired difference from the baseline per level"
    page.heading("What each plan does at each level of " + ", ".join(factors))
    page.text(
        f"Each point is a plan's mean difference from '{plan_title(baseline)}' over the runs "
        f"at that level (all other factors and replications), paired by seed, with its "
        f"{confidence:.0%} t interval; a sampled range is cut into quantile bins. The "
        "interaction chart shows the plans' own means: lines that close or cross where a "
        "factor changes mean the factor changes what the plan does."
    )
    for outcome in outcomes:
        page.figure(effects_figure(effects, outcome, baseline))
        page.figure(interaction_figure(effects, outcome))
    page.table(_effects_shown(effects, baseline))


def interval_text(middle: float, low: float, high: float) -> str:
    """'0.0121 [0.0024, 0.0218]': a number with its interval, for tables that fit a page."""
    if pd.isna(middle):
        return ""
    if pd.isna(low):
        return _number(middle)
    return f"{_number(middle)} [{_number(low)}, {_number(high)}]"


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 10_000 else f"{value:.3g}"


def _comparison_shown(comparison: pd.DataFrame, baseline: str) -> pd.DataFrame:
    """The plan comparison in a few readable columns (the CSV keeps every number)."""
    shown = pd.DataFrame(
        {
            "plan": [plan_title(p) for p in comparison["plan"]],
            "outcome": [outcome_of(o).title for o in comparison["outcome"]],
            "mean [95% CI]": [
                interval_text(*r)
                for r in zip(
                    comparison["mean"], comparison["ci_low"], comparison["ci_high"], strict=True
                )
            ],
            f"minus {plan_title(baseline)} [95% CI]": [
                interval_text(*r)
                for r in zip(
                    comparison["difference"],
                    comparison["difference_ci_low"],
                    comparison["difference_ci_high"],
                    strict=True,
                )
            ],
        }
    )
    if "budget" in comparison:
        shown.insert(0, "budget", [_number(b) for b in comparison["budget"]])
    return shown


def _effects_shown(effects: pd.DataFrame, baseline: str) -> pd.DataFrame:
    """Each plan's difference per level in a few readable columns."""
    rows = effects[effects["plan"] != baseline]
    return pd.DataFrame(
        {
            "factor": rows["factor"],
            "level": rows["level"],
            "plan": [plan_title(p) for p in rows["plan"]],
            "outcome": [outcome_of(o).title for o in rows["outcome"]],
            "pairs": rows["n"],
            f"minus {plan_title(baseline)} [95% CI]": [
                interval_text(*r)
                for r in zip(rows["difference"], rows["ci_low"], rows["ci_high"], strict=True)
            ],
        }
    )
