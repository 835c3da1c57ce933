"""The charts' shared look: colours, type sizes for a screen or a projector, the layout that
keeps title, legend, plot and mode bar apart, and the marks of changes made during a run.

Colours are the project's palette (`eachcustomer.experiments.reports.palette`), colour-blind
safe: attitude uses its diverging scale, red for "the customer" (-1) through light grey to
blue for "each customer" (+1), always on the symmetric range -1..1; categories use its
Okabe-Ito colours.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import plotly.graph_objects as go

from eachcustomer.experiments.reports.palette import (
    BLUE,
    DIVERGING,
    GREEN,
    INK,
    ORANGE,
    PURPLE,
    SKY_BLUE,
    VERMILLION,
)

ATTITUDE_COLORSCALE = DIVERGING
"""Negative attitudes red, positive blue (ColorBrewer RdBu, safe for colour-blind readers)."""
ATTITUDE_RANGE = (-1.0, 1.0)
BAND_COLORS = (BLUE, SKY_BLUE, ORANGE, VERMILLION)
BAND_NAMES = {
    "1": "1: serves customers",
    "2": "2: one step away",
    "3": "3: two steps away",
    "4plus": "4+: three or more steps away",
}
MECHANISM_COLORS = {
    "encounters": ORANGE,
    "contagion": BLUE,
    "disposition": SKY_BLUE,
    "drift": VERMILLION,
    "turnover": GREEN,
    "interventions": PURPLE,
}
MECHANISM_NAMES = {
    "encounters": "encounters with customers",
    "contagion": "colleagues (contagion)",
    "disposition": "own disposition",
    "drift": "distance drift",
    "turnover": "turnover and hiring",
    "interventions": "interventions",
}
ATTITUDE_AXIS = "Mean attitude (-1 to +1)"
WEEK_AXIS = "Week"

AXIS_STYLE = {
    "gridcolor": "#e6e8ec",
    "zerolinecolor": "#b8bcc6",
    "linecolor": "#b8bcc6",
    "showline": True,
    "automargin": True,
}
GRAPH_CONFIG: dict[str, Any] = {
    "displaylogo": False,
    "responsive": True,
    "displayModeBar": "hover",
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "zoomIn2d", "zoomOut2d", "autoScale2d"],
    "toImageButtonOptions": {"format": "png", "scale": 2},
}
"""dcc.Graph config: the mode bar's camera button downloads a PNG. The bar stands upright in
the chart's right margin (`layout`), clear of the title and the legend."""

FONT_FAMILY = "Inter, Segoe UI, Helvetica, Arial, sans-serif"


class Look(NamedTuple):
    """Type sizes and line widths: for a screen, or for a projector (presentation mode)."""

    text: int
    title: int
    line: int
    right_margin: int


SCREEN = Look(text=13, title=16, line=2, right_margin=40)
PROJECTOR = Look(text=20, title=26, line=4, right_margin=48)


def look(large: bool) -> Look:
    """The look for presentation mode (`large`) or not."""
    return PROJECTOR if large else SCREEN


def graph_config(name: str) -> Any:
    """Mode bar settings with a file name for the PNG download.

    Typed Any: `dcc.Graph`'s `config` is a TypedDict in Dash 3 and 4 whose keys differ from
    Dash 2's, and these settings are valid in each.
    """
    return {
        **GRAPH_CONFIG,
        "toImageButtonOptions": {
            **GRAPH_CONFIG["toImageButtonOptions"],
            "filename": f"eachcustomer-{name}",
        },
    }


def attitude_colorbar(length: float) -> dict[str, Any]:
    """The attitude scale's colour bar, `length` of the plot high, hanging from its bottom."""
    return {
        "tickvals": [-1, -0.5, 0, 0.5, 1],
        "ticktext": ["-1 'the customer'", "-0.5", "0", "+0.5", "+1 'each customer'"],
        "len": length,
        "y": 0,
        "yanchor": "bottom",
    }


def chart_title(text: str, large: bool, **anchor: str) -> dict[str, Any]:
    """A chart's title at the top left of the figure, above the plot; `anchor`: xanchor."""
    return {
        "text": text,
        "x": 0.01,
        **anchor,
        "yref": "container",
        "y": 1,
        "yanchor": "top",
        "pad": {"t": 8},
        "automargin": True,
        "font": {"size": look(large).title},
    }


def layout(
    title: str,
    y_title: str,
    *,
    large: bool = False,
    horizon: int | None = None,
    y_range: Sequence[float] | None = None,
    x_title: str = WEEK_AXIS,
) -> dict[str, Any]:
    """The shared look: title, then legend, then the plot, each in its own band.

    The title sits at the top of the chart and the legend (horizontal, wrapping as needed)
    between it and the plot; plotly's automatic margins make room for both, and for the
    tick labels and axis titles, so no text runs over another at any width. The mode bar
    stands upright in the right margin. Presentation mode scales every text and line.

    Styled by hand rather than with a named template: a template is validated and copied
    for every figure, which made redrawing the Explore charts several times slower.
    """
    sizes = look(large)
    x_axis: dict[str, Any] = {"title": {"text": x_title}, **AXIS_STYLE}
    if horizon:
        x_axis["range"] = [0, horizon]
    y_axis: dict[str, Any] = {"title": {"text": y_title}, **AXIS_STYLE}
    if y_range:
        y_axis["range"] = list(y_range)
    return {
        "title": chart_title(title, large, xanchor="left"),
        "font": {"size": sizes.text, "family": FONT_FAMILY},
        "plot_bgcolor": "white",
        "paper_bgcolor": "white",
        "margin": {"l": 10, "r": sizes.right_margin, "t": 10, "b": 10},
        "legend": {
            "orientation": "h",
            "yanchor": "bottom",
            "y": 1.02,
            "x": 0,
            "font": {"size": sizes.text},
        },
        "modebar": {"orientation": "v"},
        "hovermode": "x unified",
        "uirevision": title,
        "xaxis": x_axis,
        "yaxis": y_axis,
    }


def style_figure(figure: go.Figure, title: str, y_title: str, **options: Any) -> go.Figure:
    """Give a figure the shared look (`layout`)."""
    figure.update_layout(layout(title, y_title, **options))
    return figure


def mark_changes(
    look_: dict[str, Any], marks: Sequence[dict[str, Any]] | None, large: bool
) -> None:
    """Mark each change made during the run: a dashed vertical line at its week, labelled.

    The label runs up along the line inside the plot, so it never meets the title, the
    legend or the axes.
    """
    if not marks:
        return
    sizes = look(large)
    look_["shapes"] = [
        {
            "type": "line",
            "xref": "x",
            "yref": "paper",
            "x0": mark["week"],
            "x1": mark["week"],
            "y0": 0,
            "y1": 1,
            "line": {"color": INK, "width": max(1, sizes.line - 1), "dash": "dash"},
        }
        for mark in marks
    ]
    look_["annotations"] = [
        {
            "x": mark["week"],
            "xref": "x",
            "y": 1,
            "yref": "paper",
            "xanchor": "right",
            "yanchor": "top",
            "textangle": -90,
            "showarrow": False,
            "text": f"week {mark['week']}: {mark['label']}",
            "font": {"size": sizes.text - 2, "color": INK},
            "bgcolor": "rgba(255,255,255,0.75)",
        }
        for mark in marks
    ]


def empty_figure(message: str, title: str = "", *, large: bool = False) -> go.Figure:
    """A blank chart carrying a message (before the first run, or on an error)."""
    figure = go.Figure()
    figure.add_annotation(
        text=message,
        showarrow=False,
        x=0.5,
        y=0.5,
        xref="paper",
        yref="paper",
        font={"size": look(large).text + 1, "color": "#555"},
    )
    style_figure(figure, title, "", large=large)
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    return figure
