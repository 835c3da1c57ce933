"""Figures: pure functions from tables to plotly figures, with labelled axes and units.

Colours are colour-blind safe: attitude uses ColorBrewer's diverging RdBu, red for
"the customer" (-1) through light grey to blue for "each customer" (+1), always on the
symmetric range -1..1; categories use the Okabe-Ito palette.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from sim.metrics import BANDS

ATTITUDE_COLORSCALE = px.colors.diverging.RdBu
"""Negative attitudes red, positive blue (ColorBrewer RdBu, safe for colour-blind readers)."""
ATTITUDE_RANGE = (-1.0, 1.0)
OKABE_ITO = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#000000",
    "#999999",
    "#F0E442",
)
BAND_COLORS = ("#0072B2", "#56B4E9", "#E69F00", "#D55E00")
BAND_NAMES = {
    "1": "1: serves customers",
    "2": "2: one step away",
    "3": "3: two steps away",
    "4plus": "4+: three or more steps away",
}
MECHANISM_COLORS = {
    "encounters": "#E69F00",
    "contagion": "#0072B2",
    "disposition": "#56B4E9",
    "drift": "#D55E00",
    "turnover": "#009E73",
    "interventions": "#CC79A7",
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
GRAPH_CONFIG = {
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


def graph_config(name: str) -> dict[str, Any]:
    """Mode bar settings with a file name for the PNG download."""
    return {
        **GRAPH_CONFIG,
        "toImageButtonOptions": {
            **GRAPH_CONFIG["toImageButtonOptions"],
            "filename": f"eachcustomer-{name}",
        },
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
        "title": {
            "text": title,
            "x": 0.01,
            "xanchor": "left",
            "yref": "container",
            "y": 1,
            "yanchor": "top",
            "pad": {"t": 8},
            "automargin": True,
            "font": {"size": sizes.title},
        },
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


def _style(figure: go.Figure, title: str, y_title: str, **options: Any) -> go.Figure:
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
            "line": {"color": "#333333", "width": max(1, sizes.line - 1), "dash": "dash"},
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
            "font": {"size": sizes.text - 2, "color": "#333333"},
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
    _style(figure, title, "", large=large)
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    return figure


def lines(
    frame: pd.DataFrame,
    columns: dict[str, str],
    title: str,
    y_title: str,
    *,
    colors: Sequence[str] = OKABE_ITO,
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


def attitude_by_level(frame: pd.DataFrame, **style: Any) -> go.Figure:
    """Mean attitude by hierarchy level (1 is the chief executive)."""
    levels = sorted(
        (c for c in frame if c.startswith("attitude_level_")),
        key=lambda c: int(c.rsplit("_", 1)[1]),
    )
    columns = {
        c: ("level 1 (chief)" if c.endswith("_1") else f"level {c.rsplit('_', 1)[1]}")
        for c in levels
    }
    return lines(
        frame,
        columns,
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
        "colorbar": {
            "tickvals": [-1, -0.5, 0, 0.5, 1],
            "ticktext": ["-1 'the customer'", "-0.5", "0", "+0.5", "+1 'each customer'"],
            "len": 0.6,
            "y": 0,
            "yanchor": "bottom",
        },
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
    levels = sorted(
        (c for c in frame if c.startswith("focus_level_")), key=lambda c: int(c.rsplit("_", 1)[1])
    )
    columns = {
        c: ("level 1 (chief)" if c.endswith("_1") else f"level {c.rsplit('_', 1)[1]}")
        for c in levels
    }
    return lines(
        frame,
        columns,
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
        colors=("#D55E00",),
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
        colors=("#0072B2",),
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
        colors=("#009E73",),
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
        colors=("#CC79A7",),
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
        "Amount (currency per week)",
        colors=("#0072B2", "#D55E00"),
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
        colors=("#E69F00", "#009E73"),
        y_range=(0, 1),
        **style,
    )


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
        color = MECHANISM_COLORS.get(mechanism, "#999999")
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
                "line": {"color": "#000000", "width": look(large).line},
                "hovertemplate": "%{y:+.3f}<extra>total</extra>",
            }
        )
    if weekly:
        title, y_title = "Why mean attitude changed, week by week", "Change per week"
    else:
        title, y_title = "Why mean attitude changed: pushes added up", "Added up since week 0"
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
                "marker": {"color": MECHANISM_COLORS.get(mechanism, "#999999")},
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
                "color": "#000",
                "line": {"width": look(large).line + 1},
            },
            "hovertemplate": "%{y}: %{x:+.3f}<extra>total</extra>",
        }
    )
    chart = layout(
        f"Why attitude changed, by {label}: pushes added up",
        "",
        large=large,
        x_title="Added up since week 0 (attitude units)",
    )
    chart.update(barmode="relative", hovermode="closest")
    chart["yaxis"]["autorange"] = "reversed"
    return go.Figure(data=traces, layout=chart)


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


# --- the organization network --------------------------------------------------------------


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
                "colorbar": {
                    "tickvals": [-1, -0.5, 0, 0.5, 1],
                    "ticktext": ["-1 'the customer'", "-0.5", "0", "+0.5", "+1 'each customer'"],
                    "len": 0.7,
                    "y": 0,
                    "yanchor": "bottom",
                },
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
                        "line": {"color": "#333", "width": 1},
                    },
                )
            )
    sizes = look(large)
    figure.update_layout(
        title={
            "text": title,
            "x": 0.01,
            "yref": "container",
            "y": 1,
            "yanchor": "top",
            "pad": {"t": 8},
            "automargin": True,
            "font": {"size": sizes.title},
        },
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


# --- comparing plans --------------------------------------------------------------------------


def _rgba(color: str, alpha: float) -> str:
    color = color.lstrip("#")
    red, green, blue = (int(color[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({red},{green},{blue},{alpha})"


def plan_bands(
    summary: pd.DataFrame,
    title: str,
    y_title: str,
    *,
    fmt: str = ".2f",
    large: bool = False,
    horizon: int | None = None,
) -> go.Figure:
    """Each plan's mean over replications with its 95% confidence band.

    Args:
        summary: columns plan, week, mean, low, high.
        title: chart title.
        y_title: y axis title with the unit.
        fmt: number format for hover labels.
        large: larger type.
        horizon: last week, fixes the x axis.
    """
    figure = go.Figure()
    for index, (plan, rows) in enumerate(summary.groupby("plan", sort=False)):
        color = OKABE_ITO[index % len(OKABE_ITO)]
        figure.add_trace(
            go.Scatter(
                x=np.concatenate([rows["week"], rows["week"][::-1]]),
                y=np.concatenate([rows["high"], rows["low"][::-1]]),
                fill="toself",
                fillcolor=_rgba(color, 0.18),
                line={"width": 0},
                hoverinfo="skip",
                name=f"{plan} (95% band)",
                showlegend=False,
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
    return _style(figure, title, y_title, large=large, horizon=horizon)


def plan_costs(costs: pd.DataFrame, *, large: bool = False) -> go.Figure:
    """Expected cost of each plan (columns plan, cost)."""
    figure = go.Figure(
        go.Bar(
            x=costs["plan"],
            y=costs["cost"],
            marker={"color": [OKABE_ITO[i % len(OKABE_ITO)] for i in range(len(costs))]},
            hovertemplate="%{x}: %{y:,.0f}<extra></extra>",
            text=[f"{c:,.0f}" for c in costs["cost"]],
            textposition="outside",
        )
    )
    _style(
        figure,
        "Expected cost of each plan",
        "Currency (total over the run)",
        large=large,
        x_title="",
    )
    figure.update_layout(hovermode="closest")
    figure.update_yaxes(rangemode="tozero")
    return figure
