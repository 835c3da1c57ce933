"""Comparing plans: each plan's mean with its confidence band, each plan's effect against
doing nothing (a forest plot), and what each costs."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from eachcustomer.dashboard.chart_style import look, style_figure
from eachcustomer.experiments.analysis.outcomes import Outcome
from eachcustomer.experiments.reports.forest import Effect, forest_figure
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


def forest_height(rows: int, large: bool = False) -> int:
    """Pixels a forest plot of `rows` plans needs: its rows, title, ticks and axis title."""
    sizes = look(large)
    return 2 * sizes.title + 5 * sizes.text + rows * (2 * sizes.text + 12) + 30


def plan_forest(effects: Sequence[Effect], item: Outcome, *, large: bool = False) -> go.Figure:
    """Each plan's paired effect against doing nothing on one outcome, in the dashboard's look.

    The one forest plot (`eachcustomer.experiments.reports.forest.forest_figure`), titled by
    the outcome; the x axis says the unit and which direction is good.
    """
    figure = forest_figure(effects, item.label, tickformat=item.fmt)
    direction = {True: "higher is better", False: "lower is better", None: ""}[
        item.higher_is_better
    ]
    unit = item.unit.split(",")[0]  # "points", not "points, -100 to 100": the axis is short
    style_figure(
        figure,
        item.label[:1].upper() + item.label[1:],
        "",
        large=large,
        x_title=f"Difference ({unit})" + (f"; {direction}" if direction else ""),
    )
    if item.unit == "currency":  # "-2M", not "-2,000,000" tilted: a small chart's ticks
        figure.update_xaxes(tickformat="~s")
    sizes = look(large)
    figure.update_traces(
        marker_size=3 * sizes.line + 6, error_x_thickness=sizes.line, error_x_width=sizes.text // 2
    )
    figure.update_layout(hovermode="closest", height=forest_height(len(effects), large))
    figure.update_yaxes(showgrid=False)
    return figure


def plan_costs(costs: pd.DataFrame, *, large: bool = False) -> go.Figure:
    """Expected cost of each plan (columns plan, cost)."""
    figure = go.Figure(
        go.Bar(
            x=costs["plan"],
            y=costs["cost"],
            marker={"color": [category(i) for i in range(len(costs))]},
            hovertemplate="%{x}: %{y:,.0f}<extra></extra>",
            text=[f"{c:,.0f}" for c in costs["cost"]],
            textposition="outside",
        )
    )
    style_figure(
        figure,
        "Expected cost of each plan",
        "Currency (total over the run)",
        large=large,
        x_title="",
    )
    figure.update_layout(hovermode="closest")
    figure.update_yaxes(rangemode="tozero")
    return figure
