"""Comparing plans: each plan's mean with its confidence band, and what each costs (the
forest plot of each plan's effect is `eachcustomer.dashboard.forest`, shared with the
Plan finder)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from eachcustomer.dashboard.chart_style import look, style_figure
from eachcustomer.dashboard.money import SYMBOL, money, money_unit
from eachcustomer.experiments.reports.interval_traces import interval_band
from eachcustomer.experiments.reports.palette import INK, category, rgba


def plan_bands(
    summary: pd.DataFrame,
    title: str,
    y_title: str,
    *,
    fmt: str = ".2f",
    large: bool = False,
    horizon: int | None = None,
    band_note: str = "",
    zero_line: bool = False,
) -> go.Figure:
    """Each plan's mean over replications with its 95% confidence band.

    Args:
        summary: columns plan, week, mean, low, high.
        title: chart title.
        y_title: y axis title with the unit.
        fmt: number format for hover labels.
        large: larger type.
        horizon: last week, fixes the x axis.
        band_note: what the shaded bands are, under the title ("" for nothing).
        zero_line: a dashed line at zero (for differences from doing nothing).
    """
    figure = go.Figure()
    for index, (plan, rows) in enumerate(summary.groupby("plan", sort=False)):
        color = category(index)
        figure.add_trace(
            interval_band(
                rows["week"],
                rows["low"],
                rows["high"],
                fillcolor=rgba(color, 0.18),
                name=f"{plan} (95% band)",
                legendgroup=str(plan),
            )
        )
        figure.add_trace(
            go.Scatter(
                x=rows["week"],
                y=rows["mean"],
                mode="lines",
                name=str(plan),
                legendgroup=str(plan),
                line={"color": color, "width": look(large).line},
                hovertemplate=f"%{{y:{fmt}}}<extra>{plan}</extra>",
            )
        )
    style_figure(figure, title, y_title, large=large, horizon=horizon)
    if band_note:
        figure.update_layout(
            title_subtitle={"text": band_note, "font": {"size": look(large).text - 1}}
        )
    if zero_line:
        figure.add_hline(y=0, line={"color": INK, "dash": "dash", "width": 1})
    return figure


def plan_costs(costs: pd.DataFrame, *, large: bool = False) -> go.Figure:
    """Expected cost of each plan (columns plan, cost)."""
    figure = go.Figure(
        go.Bar(
            x=costs["plan"],
            y=costs["cost"],
            marker={"color": [category(i) for i in range(len(costs))]},
            hovertemplate=f"%{{x}}: {SYMBOL}%{{y:,.0f}}<extra></extra>",
            text=[money(c) for c in costs["cost"]],
            textposition="outside",
        )
    )
    style_figure(
        figure,
        "Expected cost of each plan",
        f"{money_unit('currency', words=True).capitalize()} (total over the run)",
        large=large,
        x_title="",
    )
    figure.update_layout(hovermode="closest")
    figure.update_yaxes(rangemode="tozero")
    return figure
