"""The charts' shared look: colours, type sizes for a screen or a projector, the layout that
keeps title, legend, plot and mode bar apart, and the marks of changes made during a run.

Colours are the project's palette (`eachcustomer.experiments.reports.palette`), colour-blind
safe: attitude uses its diverging scale, red for "the customer" (-1) through light grey to
blue for "each customer" (+1), always on the symmetric range -1..1; categories use its
Okabe-Ito colours.
"""

from __future__ import annotations

import textwrap
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
    """Type sizes and line widths: for a screen, or for a projector (presentation mode).

    `title_chars` is the longest title at full size (a longer one is set smaller,
    `title_size`); `legend_chars` and `axis_chars` are the longest line of a legend entry
    and of the y axis title, in characters (a longer one is broken into lines, `wrap`); so
    that at the narrowest column a chart gets (460 px on Explore, 640 px in presentation
    mode) the title stays clear of the mode bar, no legend entry runs under it, and the
    y axis title fits beside the plot.
    """

    text: int
    title: int
    line: int
    right_margin: int
    title_chars: int
    legend_chars: int
    axis_chars: int


SCREEN = Look(
    text=13, title=16, line=2, right_margin=40, title_chars=42, legend_chars=34, axis_chars=36
)
PROJECTOR = Look(
    text=20, title=26, line=4, right_margin=48, title_chars=34, legend_chars=28, axis_chars=30
)
REFERENCE_COLOR = "#8c8c8c"
"""Grey: a reference run drawn for comparison (a lesson's "the first lesson")."""


def look(large: bool) -> Look:
    """The look for presentation mode (`large`) or not."""
    return PROJECTOR if large else SCREEN


def wrap(text: str, width: int) -> str:
    """`text` broken into lines of at most `width` characters (plotly's `<br>`), at spaces;
    before a bracket where that gives two lines that fit ("Added up since week 0" /
    "(attitude units)")."""
    if len(text) <= width or "<br>" in text:
        return text
    head, bracket, tail = text.partition(" (")
    if bracket and len(head) <= width and len(tail) + 1 <= width:
        return f"{head}<br>({tail}"
    return "<br>".join(textwrap.wrap(text, width, break_long_words=False))


def title_size(text: str, large: bool) -> int:
    """A title's type size: the look's, smaller for a title longer than `title_chars` (a
    title stays on one line: plotly sets a title of several lines anchored at its top
    above the figure), never smaller than the chart's other text."""
    sizes = look(large)
    if len(text) <= sizes.title_chars:
        return sizes.title
    return max(sizes.text, int(sizes.title * sizes.title_chars / len(text)))


def fit_legend(traces: Sequence[Any], large: bool) -> None:
    """Break long legend entries into lines, so that none is wider than a narrow plot (a
    horizontal legend wraps between entries, never inside one, and a long entry ran on
    into the right margin, under the mode bar)."""
    width = look(large).legend_chars
    for trace in traces:
        plain = isinstance(trace, dict)
        name = trace.get("name") if plain else getattr(trace, "name", None)
        shown = trace.get("showlegend") if plain else getattr(trace, "showlegend", None)
        if shown is False:  # not in the legend: its name may be a row's label
            continue
        if isinstance(name, str) and len(name) > width:
            if isinstance(trace, dict):
                trace["name"] = wrap(name, width)
            else:
                trace.name = wrap(name, width)


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


def chart_title(text: str, large: bool, fit: bool = True, **anchor: str) -> dict[str, Any]:
    """A chart's title at the top left of the figure, above the plot; `anchor`: xanchor.

    `fit`: a long title is set smaller (`title_size`); a chart as wide as the page (the
    org network) keeps the look's size.
    """
    return {
        "text": text,
        "x": 0.01,
        **anchor,
        "yref": "container",
        "y": 1,
        "yanchor": "top",
        "pad": {"t": 8},
        "automargin": True,
        "font": {"size": title_size(text, large) if fit else look(large).title},
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
    y_axis: dict[str, Any] = {"title": {"text": wrap(y_title, sizes.axis_chars)}, **AXIS_STYLE}
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
    """Give a figure the shared look (`layout`), its legend entries fitted (`fit_legend`)."""
    figure.update_layout(layout(title, y_title, **options))
    fit_legend(figure.data, bool(options.get("large")))
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
