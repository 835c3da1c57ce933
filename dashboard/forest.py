"""The forest plot in the dashboard's look, shared by Compare and the Plan finder: each plan's
paired effect against doing nothing, a point with its interval bar, and the key to its colours.

The figure itself is the one forest plot, `eachcustomer.experiments.reports.forest`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import plotly.graph_objects as go
from dash import html

from eachcustomer.dashboard.chart_style import look, style_figure
from eachcustomer.dashboard.money import money_unit
from eachcustomer.experiments.analysis.outcomes import Outcome
from eachcustomer.experiments.analysis.verdicts import BETTER, NO_CLEAR_EFFECT, WORSE
from eachcustomer.experiments.reports.forest import VERDICT_COLOURS, Effect, forest_figure
from eachcustomer.experiments.reports.palette import GREY


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
    unit = money_unit(item.unit.split(",")[0])  # "points", not "points, -100 to 100"
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


def verdict_key() -> html.Div:
    """What the forest plots' colours mean."""
    words = (
        (BETTER, VERDICT_COLOURS[BETTER]),
        (WORSE, VERDICT_COLOURS[WORSE]),
        (f"{NO_CLEAR_EFFECT} (the bar crosses zero)", GREY),
    )
    return html.Div(
        [
            html.Span([html.Span("●", style={"color": colour}), f" {word}"], className="key")
            for word, colour in words
        ],
        className="forest-key",
    )


LABEL_LINE_PIXELS = 16
"""Height a wrapped label's every further line adds to its forest plot."""


def wrapped_label(text: str, width: int = 48) -> str:
    """A plan's long description on short lines, so the forest keeps room for its bars."""
    return "<br>".join(textwrap.wrap(text, width)) or text
