"""Why attitude changed: each mechanism's part of the change, over time and by group.

The parts come from the model's exact attribution (docs/ODD.md, section 9): they sum to
the change in mean attitude, week by week and since week 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from eachcustomer.dashboard.chart_style import (
    BAND_NAMES,
    MECHANISM_COLORS,
    MECHANISM_NAMES,
    empty_figure,
    fit_legend,
    layout,
    look,
    mark_changes,
)
from eachcustomer.experiments.reports.palette import BLACK, GREY

WHY_ADDED_UP = (
    "Added up since week 0, a mechanism's pushes can run past -1 or +1: pushes in opposite "
    "directions offset each other (distance drift and colleagues pull attitudes down while "
    "one's own disposition pulls them back). Their sum, the black line or mark, is the "
    "change in mean attitude and stays within the scale."
)
"""What the added-up "why" charts show, said under them on the page."""


def why_over_time(
    frame: pd.DataFrame,
    *,
    horizon: int | None = None,
    large: bool = False,
    marks: Sequence[dict[str, Any]] | None = None,
    weekly: bool = False,
) -> go.Figure:
    """Why mean attitude changed: each mechanism's pushes, stacked, and their sum.

    Args:
        frame: the weekly output table (its `why_<mechanism>` columns).
        horizon: last week, fixes the x axis.
        large: presentation mode.
        marks: changes made during the run (`mark_changes`).
        weekly: each week's pushes; otherwise pushes added up since week 0 (see
            `WHY_ADDED_UP`: offsetting parts can leave the -1..1 scale, their sum cannot).
    """
    mechanisms = [c.removeprefix("why_") for c in frame.columns if c.startswith("why_")]
    weeks = frame["week"].to_numpy()
    traces: list[dict[str, Any]] = []
    total = np.zeros(len(frame))
    # Stacked like relative bars, drawn as areas (ten paths instead of hundreds of bars):
    # each mechanism's gains stack up from zero, its losses stack down from zero.
    for mechanism in mechanisms:
        part = frame[f"why_{mechanism}"].fillna(0.0).to_numpy()
        part = part if weekly else np.cumsum(part)
        total = total + part
        name = MECHANISM_NAMES.get(mechanism, mechanism)
        color = MECHANISM_COLORS.get(mechanism, GREY)
        for side, values in (("up", np.maximum(part, 0.0)), ("down", np.minimum(part, 0.0))):
            traces.append(
                {
                    "type": "scatter",
                    "x": weeks,
                    "y": values,
                    "customdata": part,
                    "stackgroup": side,
                    "mode": "lines",
                    "name": name,
                    "legendgroup": mechanism,
                    "showlegend": side == "up",
                    "line": {"width": 0, "color": color},
                    "fillcolor": color,
                    "meta": f"why_{mechanism}",
                    "hoverinfo": "skip" if side == "down" else None,
                    "hovertemplate": f"%{{customdata:+.3f}}<extra>{name}</extra>",
                }
            )
    if mechanisms:
        traces.append(
            {
                "type": "scatter",
                "x": weeks,
                "y": total,
                "mode": "lines",
                "name": "change in mean attitude" if weekly else "total change since week 0",
                "meta": "total",
                "line": {"color": BLACK, "width": look(large).line},
                "hovertemplate": "%{y:+.3f}<extra>total</extra>",
            }
        )
    if weekly:
        title, y_title = "Why mean attitude changed, week by week", "Change per week"
    else:
        title, y_title = "Why mean attitude changed: pushes added up", "Added up since week 0"
    fit_legend(traces, large)
    chart = layout(title, y_title + " (attitude units)", large=large, horizon=horizon)
    mark_changes(chart, marks, large)
    return go.Figure(data=traces, layout=chart)


def why_weekly(frame: pd.DataFrame, **style: Any) -> go.Figure:
    """`why_over_time`, week by week."""
    return why_over_time(frame, weekly=True, **style)


def why_by_group(why: dict[str, Any] | None, by: str, *, large: bool = False) -> go.Figure:
    """Why each group's mean attitude changed since week 0, split by mechanism."""
    label = {"band": "distance band", "department": "department"}[by]
    if not why or not why.get("groups"):
        return empty_figure(
            "Run the simulation to see why attitudes changed",
            f"Why attitude changed, by {label}",
            large=large,
        )
    groups = why["groups"]
    names = [BAND_NAMES.get(g, g) for g in groups] if by == "band" else groups
    values = np.array(why["values"], dtype=float).reshape(len(groups), -1)
    traces: list[dict[str, Any]] = []
    for index, mechanism in enumerate(why["mechanisms"]):
        name = MECHANISM_NAMES.get(mechanism, mechanism)
        traces.append(
            {
                "type": "bar",
                "y": names,
                "x": values[:, index],
                "orientation": "h",
                "name": name,
                "marker": {"color": MECHANISM_COLORS.get(mechanism, GREY)},
                "hovertemplate": f"%{{y}}: %{{x:+.3f}}<extra>{name}</extra>",
            }
        )
    traces.append(
        {
            "type": "scatter",
            "y": names,
            "x": values.sum(axis=1),
            "mode": "markers",
            "name": "total change since week 0",
            "marker": {
                "symbol": "line-ns-open",
                "size": 26 if large else 18,
                "color": BLACK,
                "line": {"width": look(large).line + 1},
            },
            "hovertemplate": "%{y}: %{x:+.3f}<extra>total</extra>",
        }
    )
    fit_legend(traces, large)
    chart = layout(
        f"Why attitude changed, by {label}: pushes added up",
        "",
        large=large,
        x_title="Added up since week 0 (attitude units)",
    )
    chart.update(barmode="relative", hovermode="closest")
    chart["yaxis"]["autorange"] = "reversed"
    return go.Figure(data=traces, layout=chart)
