"""A forest plot: each plan's effect against doing nothing, a point with its paired interval.

The one picture of "what does each plan do, and can we tell" for Compare, the plan finder's
page and its report: a row a plan, the mean paired difference as a point, the 95% paired
interval as a bar, a line at zero (doing nothing), and the verdict of `verdicts.judge` in
the row's colour and hover. A reader sees at a glance which bars cross zero.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import plotly.graph_objects as go

from eachcustomer.experiments.analysis.verdicts import BETTER, WORSE
from eachcustomer.experiments.reports.palette import BLUE, GREY, INK, VERMILLION

VERDICT_COLOURS = {BETTER: BLUE, WORSE: VERMILLION}
"""Clear verdicts in colour; every unclear one ("no clear effect", ...) in grey."""


@dataclass(frozen=True)
class Effect:
    """One row of a forest plot: a plan's paired difference from doing nothing.

    `mean`, `low` and `high` are the raw difference (plan minus doing nothing) in the
    outcome's unit; `verdict` is `verdicts.judge(...).word` for it; `n` the pairs.
    """

    plan: str
    mean: float
    low: float
    high: float
    verdict: str
    n: int


def forest_figure(
    effects: Sequence[Effect], outcome_label: str, tickformat: str = "", title: str = ""
) -> go.Figure:
    """Each plan's effect as a point with its interval bar, top to bottom in the given order.

    Args:
        effects: one `Effect` a plan, in the order the rows are drawn (first on top).
        outcome_label: the x axis: what the difference is of, with its unit.
        tickformat: plotly's number format for the axis and hover (e.g. ".1%", ",.0f").
        title: the chart's title; "" for none.
    """
    figure = go.Figure()
    names = [effect.plan for effect in effects]
    for effect in effects:
        colour = VERDICT_COLOURS.get(effect.verdict, GREY)
        has_interval = not (math.isnan(effect.low) or math.isnan(effect.high))
        figure.add_trace(
            go.Scatter(
                x=[effect.mean],
                y=[effect.plan],
                mode="markers",
                marker={"size": 11, "color": colour, "line": {"width": 1, "color": INK}},
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": [effect.high - effect.mean if has_interval else 0.0],
                    "arrayminus": [effect.mean - effect.low if has_interval else 0.0],
                    "color": colour,
                    "thickness": 2.5,
                    "width": 6,
                },
                name=effect.plan,
                showlegend=False,
                customdata=[[effect.low, effect.high, effect.verdict, effect.n]],
                hovertemplate=(
                    f"<b>%{{y}}</b>: %{{x:{tickformat}}} against doing nothing<br>"
                    f"95% paired interval %{{customdata[0]:{tickformat}}} to "
                    f"%{{customdata[1]:{tickformat}}} (%{{customdata[3]}} pairs)<br>"
                    "%{customdata[2]}<extra></extra>"
                ),
            )
        )
    figure.add_vline(x=0, line={"color": INK, "dash": "dash", "width": 1})
    figure.update_layout(
        title={"text": title} if title else None,
        xaxis={"title": {"text": f"{outcome_label}: difference from doing nothing"}},
        yaxis={"categoryorder": "array", "categoryarray": names[::-1], "automargin": True},
        margin={"l": 10, "r": 20, "t": 40 if title else 10, "b": 50},
        height=max(160, 60 + 38 * len(effects)),
    )
    if tickformat:
        figure.update_xaxes(tickformat=tickformat)
    return figure
