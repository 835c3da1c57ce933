"""Figures: pure functions from tables to plotly figures, with labelled axes and units.

The time series of a run (the Explore charts, by name in `EXPLORE_FIGURES`) are here; the
shared look is in `eachcustomer.dashboard.chart_style`, the org network in
`eachcustomer.dashboard.organization.network_figure`, the "why it changed" charts in
`eachcustomer.dashboard.why_figures` and the plan comparisons in
`eachcustomer.dashboard.compare.figures`, all importable from here too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from eachcustomer.dashboard.chart_style import (  # noqa: F401 (the look, importable from here)
    ATTITUDE_AXIS,
    ATTITUDE_COLORSCALE,
    ATTITUDE_RANGE,
    BAND_COLORS,
    BAND_NAMES,
    FONT_FAMILY,
    GRAPH_CONFIG,
    MECHANISM_COLORS,
    MECHANISM_NAMES,
    PROJECTOR,
    SCREEN,
    WEEK_AXIS,
    attitude_colorbar,
    empty_figure,
    fit_legend,
    graph_config,
    layout,
    look,
    mark_changes,
)
from eachcustomer.dashboard.compare.figures import plan_bands, plan_costs  # noqa: F401
from eachcustomer.dashboard.money import money_unit
from eachcustomer.dashboard.organization.network_figure import network_figure  # noqa: F401
from eachcustomer.dashboard.why_figures import (  # noqa: F401
    WHY_ADDED_UP,
    why_by_group,
    why_over_time,
    why_weekly,
)
from eachcustomer.experiments.reports.palette import (
    BLUE,
    CATEGORIES,
    GREEN,
    ORANGE,
    PURPLE,
    VERMILLION,
)
from eachcustomer.sim.metrics import BANDS


def lines(
    frame: pd.DataFrame,
    columns: dict[str, str],
    title: str,
    y_title: str,
    *,
    colors: Sequence[str] = CATEGORIES,
    y_range: Sequence[float] | None = None,
    horizon: int | None = None,
    large: bool = False,
    fmt: str = ".2f",
    marks: Sequence[dict[str, Any]] | None = None,
) -> go.Figure:
    """One line per column over the weeks; `columns` maps column name to legend name.

    `marks` ({"week", "label"} each) are changes made during the run (`mark_changes`).
    """
    weeks = frame["week"].to_numpy() if "week" in frame else []
    traces = [
        {
            "type": "scatter",
            "x": weeks,
            "y": frame[column].to_numpy(),
            "mode": "lines",
            "name": name,
            "meta": column,
            "line": {"color": colors[index % len(colors)], "width": look(large).line},
            "hovertemplate": f"%{{y:{fmt}}}<extra>{name}</extra>",
        }
        for index, (column, name) in enumerate((c, n) for c, n in columns.items() if c in frame)
    ]
    fit_legend(traces, large)
    chart = layout(title, y_title, large=large, horizon=horizon, y_range=y_range)
    mark_changes(chart, marks, large)
    return go.Figure(data=traces, layout=chart)


def attitude_by_band(frame: pd.DataFrame, **style: Any) -> go.Figure:
    """Mean attitude by distance from the customer (bands 1, 2, 3, 4+)."""
    columns = {f"attitude_band_{b}": BAND_NAMES[b] for b in BANDS}
    return lines(
        frame,
        columns,
        "Attitude by distance from the customer",
        ATTITUDE_AXIS,
        colors=BAND_COLORS,
        y_range=ATTITUDE_RANGE,
        fmt="+.2f",
        **style,
    )


def level_columns(frame: pd.DataFrame, prefix: str) -> dict[str, str]:
    """The columns `prefix`1, `prefix`2, ... in level order, named "level 1 (chief)", "level 2"."""
    levels = sorted(
        (c for c in frame if c.startswith(prefix)), key=lambda c: int(c.rsplit("_", 1)[1])
    )
    return {
        c: ("level 1 (chief)" if c.endswith("_1") else f"level {c.rsplit('_', 1)[1]}")
        for c in levels
    }


def attitude_by_level(frame: pd.DataFrame, **style: Any) -> go.Figure:
    """Mean attitude by hierarchy level (1 is the chief executive)."""
    return lines(
        frame,
        level_columns(frame, "attitude_level_"),
        "Attitude by hierarchy level",
        ATTITUDE_AXIS,
        y_range=ATTITUDE_RANGE,
        fmt="+.2f",
        **style,
    )


def department_names(frame: pd.DataFrame) -> dict[str, str]:
    """Department columns and readable names."""
    return {
        c: c.removeprefix("attitude_dept_").replace("_", " ")
        for c in frame.columns
        if c.startswith("attitude_dept_")
    }


def attitude_by_department(
    frame: pd.DataFrame,
    *,
    horizon: int | None = None,
    large: bool = False,
    marks: Sequence[dict[str, Any]] | None = None,
) -> go.Figure:
    """Mean attitude of each department, week by week, on the diverging attitude scale.

    The colour bar hangs from the bottom of the plot, below the upright mode bar.
    """
    names = department_names(frame)
    heatmap = {
        "type": "heatmap",
        "x": frame["week"].to_numpy(),
        "y": list(names.values()),
        "z": np.array([frame[c].to_numpy(dtype=float) for c in names]) if names else [[]],
        "zmin": ATTITUDE_RANGE[0],
        "zmax": ATTITUDE_RANGE[1],
        "colorscale": ATTITUDE_COLORSCALE,
        "colorbar": attitude_colorbar(0.6),
        "hovertemplate": "week %{x}<br>%{y}: %{z:+.2f}<extra></extra>",
    }
    chart = layout("Attitude by department", "", large=large, horizon=horizon)
    chart["hovermode"] = "closest"
    chart["yaxis"]["autorange"] = "reversed"
    mark_changes(chart, marks, large)
    return go.Figure(data=[heatmap], layout=chart)


def customer_focus(frame: pd.DataFrame, **style: Any) -> go.Figure:
    """Customer focus of the front line and the back office."""
    return lines(
        frame,
        {"focus_front_line": "front line", "focus_back_office": "back office"},
        "Customer focus: front line vs back office",
        "Effort on customers (0 to 1)",
        y_range=(0, 1),
        **style,
    )


def customer_focus_by_level(frame: pd.DataFrame, **style: Any) -> go.Figure:
    """Customer focus by hierarchy level (1 is the chief executive)."""
    return lines(
        frame,
        level_columns(frame, "focus_level_"),
        "Customer focus by hierarchy level",
        "Effort on customers (0 to 1)",
        y_range=(0, 1),
        **style,
    )


def strain(frame: pd.DataFrame, **style: Any) -> go.Figure:
    """Front-line strain."""
    return lines(
        frame,
        {"strain_front_line": "front line"},
        "Strain on the front line",
        "Strain (0 to 1)",
        colors=(VERMILLION,),
        y_range=(0, 1),
        **style,
    )


def active_customers(frame: pd.DataFrame, **style: Any) -> go.Figure:
    """Active customers."""
    figure = lines(
        frame,
        {"active_customers": "active customers"},
        "Active customers",
        "Customers (count)",
        colors=(BLUE,),
        fmt=",.0f",
        **style,
    )
    figure.update_yaxes(rangemode="tozero")
    return figure


def satisfaction(frame: pd.DataFrame, **style: Any) -> go.Figure:
    """Mean satisfaction of active customers."""
    return lines(
        frame,
        {"mean_satisfaction": "mean satisfaction"},
        "Customer satisfaction",
        "Satisfaction (-1 to +1)",
        colors=(GREEN,),
        y_range=(-1, 1),
        fmt="+.2f",
        **style,
    )


def net_promoter(frame: pd.DataFrame, **style: Any) -> go.Figure:
    """Net-promoter-style score."""
    return lines(
        frame,
        {"net_promoter_score": "score"},
        "Net-promoter-style score",
        "Score (points, -100 to +100)",
        colors=(PURPLE,),
        y_range=(-100, 100),
        fmt="+.0f",
        **style,
    )


def revenue(frame: pd.DataFrame, **style: Any) -> go.Figure:
    """Weekly revenue and intervention spend."""
    figure = lines(
        frame,
        {"revenue": "revenue", "intervention_spend": "intervention spend"},
        "Revenue and spend per week",
        f"Amount ({money_unit('currency per week')})",
        colors=(BLUE, VERMILLION),
        fmt=",.0f",
        **style,
    )
    figure.update_yaxes(rangemode="tozero")
    return figure


def bonus_vs_business(frame: pd.DataFrame, **style: Any) -> go.Figure:
    """What employees are rewarded for next to what customers experience."""
    return lines(
        frame,
        {
            "bonus_success": "bonus success (what evaluations reward)",
            "business_success": "business success (what customers experience)",
        },
        "Bonus success vs business success",
        "Score (0 to 1)",
        colors=(ORANGE, GREEN),
        y_range=(0, 1),
        **style,
    )


EXPLORE_FIGURES = {
    "band": attitude_by_band,
    "department": attitude_by_department,
    "level": attitude_by_level,
    "focus": customer_focus,
    "strain": strain,
    "customers": active_customers,
    "satisfaction": satisfaction,
    "nps": net_promoter,
    "revenue": revenue,
    "bonus": bonus_vs_business,
    "why": why_over_time,
    "why_weekly": why_weekly,
    "focus_level": customer_focus_by_level,
}
"""The time series charts by name (Explore shows all but focus_level, which lessons use)."""
