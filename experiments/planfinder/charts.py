"""The plan search's charts: the Pareto front and the convergence, as plotly figures.

Pure functions from tables to figures, used by the results folder's HTML files and by the
dashboard's Plan finder page.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from eachcustomer.experiments.planfinder.objectives import Objective
from eachcustomer.experiments.reports.palette import BLUE, GREY, VERMILLION, report_template

HOVER_WIDTH = 70
FRONT_COLOR = BLUE
RECOMMENDED_COLOR = VERMILLION
LIBRARY_COLOR = GREY


def _hover(text: str) -> str:
    return "<br>".join(textwrap.wrap(str(text), HOVER_WIDTH))


def _axis(objective: Objective) -> str:
    return f"{objective.label}, {'lower' if objective.minimize else 'higher'} is better"


def front_figure(
    front: pd.DataFrame,
    objectives: Sequence[Objective],
    references: pd.DataFrame | None = None,
    title: str = "The finalists on fresh replications (the search's front and plans near it)",
    chosen: str = "recommended",
) -> go.Figure:
    """The front (and reference plans: the library, doing nothing) on the objectives.

    Args:
        front: one row per front plan: objective columns (`Objective.name`), `plan` (its
            sentence) and `recommended`.
        objectives: the search's objectives; the first two are the axes (a third and more
            are shown in the hover text).
        references: rows with `plan` (a name) and the objective columns, drawn as grey
            diamonds.
        title: the chart's title.
        chosen: the name of the plan marked `recommended` ("best candidate" when it does not
            beat doing nothing).
    """
    x = objectives[0]
    y = objectives[1] if len(objectives) > 1 else None
    figure = go.Figure()

    def add(rows: pd.DataFrame, name: str, color: str, symbol: str, size: int) -> None:
        if rows.empty:
            return
        hover = [
            _hover(row.get("plan", ""))
            + "".join(f"<br>{o.label}: {row[o.name]:,.4g}" for o in objectives)
            for _, row in rows.iterrows()
        ]
        figure.add_trace(
            go.Scatter(
                x=rows[x.name],
                y=rows[y.name] if y is not None else rows.get("plan_cost"),
                mode="markers",
                name=name,
                marker={"color": color, "symbol": symbol, "size": size},
                text=hover,
                hovertemplate="%{text}<extra></extra>",
            )
        )

    if not front.empty:
        picked = front["recommended"].astype(bool)
        add(front[~picked], "front", FRONT_COLOR, "circle", 10)
        add(front[picked], chosen, RECOMMENDED_COLOR, "star", 16)
    if references is not None and not references.empty:
        add(references, "plan library, doing nothing", LIBRARY_COLOR, "diamond", 11)
    figure.update_layout(
        title=title,
        template=report_template(),
        xaxis_title=_axis(x),
        yaxis_title=_axis(y) if y is not None else "plan's expected cost",
        legend={"orientation": "h", "y": -0.2},
        margin={"l": 70, "r": 20, "t": 60, "b": 80},
    )
    return figure


def convergence_figure(convergence: pd.DataFrame) -> go.Figure:
    """Hypervolume of everything found so far, generation by generation."""
    figure = go.Figure(
        go.Scatter(
            x=convergence["generation"],
            y=convergence["hypervolume"],
            mode="lines+markers",
            name="hypervolume",
            customdata=convergence[["evaluations", "front_size"]],
            hovertemplate="generation %{x}: hypervolume %{y:.4f}<br>%{customdata[0]} plans "
            "evaluated, %{customdata[1]} on the front<extra></extra>",
        )
    )
    figure.update_layout(
        title="Convergence: the hypervolume of the front found so far",
        template=report_template(),
        xaxis_title="generation",
        yaxis_title="hypervolume (objectives scaled to the first generation's ranges)",
        margin={"l": 70, "r": 20, "t": 60, "b": 50},
    )
    return figure
