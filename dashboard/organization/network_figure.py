"""The organization network: employees coloured by attitude, joined by reporting lines."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from eachcustomer.dashboard.chart_style import (
    ATTITUDE_COLORSCALE,
    ATTITUDE_RANGE,
    FONT_FAMILY,
    attitude_colorbar,
    chart_title,
    look,
)
from eachcustomer.experiments.reports.palette import INK


def network_figure(
    nodes: pd.DataFrame,
    edges: tuple[Sequence[float | None], Sequence[float | None]],
    *,
    title: str = "",
    large: bool = False,
) -> go.Figure:
    """The org network: one WebGL trace of nodes coloured by attitude, one trace of lines.

    Args:
        nodes: columns x, y, attitude, symbol, size, hover (one row per drawn node).
        edges: x and y of the reporting lines, segments separated by None.
        title: the chart title (e.g. the week shown).
        large: larger type for presentations.
    """
    figure = go.Figure()
    figure.add_trace(
        go.Scattergl(
            x=edges[0],
            y=edges[1],
            mode="lines",
            name="reporting lines",
            hoverinfo="skip",
            line={"color": "rgba(90,90,90,0.45)", "width": 1},
            showlegend=False,
        )
    )
    figure.add_trace(
        go.Scattergl(
            x=nodes["x"],
            y=nodes["y"],
            mode="markers",
            name="employees",
            customdata=nodes["hover"],
            showlegend=False,
            marker={
                "color": nodes["attitude"],
                "colorscale": ATTITUDE_COLORSCALE,
                "cmin": ATTITUDE_RANGE[0],
                "cmax": ATTITUDE_RANGE[1],
                "size": nodes["size"],
                "symbol": nodes["symbol"],
                "line": {"color": "rgba(40,40,40,0.7)", "width": 0.6},
                "colorbar": attitude_colorbar(0.7),
            },
            hovertemplate="%{customdata}<br>attitude %{marker.color:+.2f}<extra></extra>",
        )
    )
    for symbol, meaning in (
        ("circle", "back office"),
        ("diamond", "serves customers"),
        ("triangle-up", "takes complaints"),
        ("square", "a whole team"),
    ):
        if (nodes["symbol"] == symbol).any():
            figure.add_trace(
                go.Scattergl(
                    x=[None],
                    y=[None],
                    mode="markers",
                    name=meaning,
                    marker={
                        "symbol": symbol,
                        "size": 11,
                        "color": "#cccccc",
                        "line": {"color": INK, "width": 1},
                    },
                )
            )
    sizes = look(large)
    figure.update_layout(
        title=chart_title(title, large, fit=False),
        font={"size": sizes.text, "family": FONT_FAMILY},
        paper_bgcolor="white",
        plot_bgcolor="#eef0f3",
        margin={"l": 10, "r": sizes.right_margin, "t": sizes.title + 26, "b": 40},
        hovermode="closest",
        modebar={"orientation": "v"},
        legend={
            "orientation": "h",
            "y": 0.0,
            "x": 0.0,
            "xanchor": "left",
            "yanchor": "top",
            "bgcolor": "rgba(255,255,255,0.7)",
        },
        uirevision="network",
        dragmode="pan",
    )
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    return figure
