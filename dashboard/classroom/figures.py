"""The debrief's charts: pure functions from a session's history (`RoundSummary` list) and its
students' reports (`PlayerReport` list) to plotly figures, by round, in the project's look
(`eachcustomer.dashboard.chart_style`; `large` is presentation mode).

Every chart marks the rounds the teacher's levers acted on: a dashed line at the first round
after the lever was pulled (the Explore charts mark a change at the first week it acts on).
The words are the Class page's: a round is a month ("month 3").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from eachcustomer.dashboard.chart_style import (
    ATTITUDE_AXIS,
    ATTITUDE_RANGE,
    BAND_COLORS,
    REFERENCE_COLOR,
    fit_legend,
    layout,
    look,
)
from eachcustomer.dashboard.classroom.effects import (
    bonus_business_sentence,
    lever_label,
    lever_rounds,
    mean_by_effort,
)
from eachcustomer.dashboard.classroom.game import EFFORTS, PlayerReport, RoundSummary
from eachcustomer.experiments.reports.palette import (
    BLUE,
    GREEN,
    INK,
    ORANGE,
    SKY_BLUE,
    VERMILLION,
)

ROUND_AXIS = "Month (a round of the class)"
FOCUS_AXIS = "Share or focus (0 to 1)"
EFFORT_COLORS = {"boss": ORANGE, "balanced": SKY_BLUE, "customer": GREEN}
"""Orange for the boss's priorities and green for the customer, as Explore's "bonus success"
and "business success" lines."""
EFFORT_NAMES = {
    "boss": "served the boss",
    "balanced": "half and half",
    "customer": "served the customer",
}
"""Legend names of `EFFORTS`' keys: short enough for a legend on a projector."""
DISTANCE_NAMES = {
    "1": "1: serves customers",
    "2": "2: one step away",
    "3+": "3+: two or more steps away",
}


def rounds_of(history: Sequence[RoundSummary]) -> list[int]:
    """The rounds played, in order."""
    return [summary.round for summary in history]


def round_axis(history: Sequence[RoundSummary]) -> dict[str, Any]:
    """An x axis of whole rounds, from the first to the last played."""
    last = max(rounds_of(history), default=1)
    return {"title": {"text": ROUND_AXIS}, "dtick": 1, "range": [0.5, last + 0.5]}


def lever_marks(history: Sequence[RoundSummary]) -> list[dict[str, Any]]:
    """One mark ({"round", "label"}) per round that had levers pulled before it."""
    return [
        {"round": round_, "label": lever_label(levers)}
        for round_, levers in sorted(lever_rounds(history).items())
    ]


def mark_levers(figure: go.Figure, history: Sequence[RoundSummary], large: bool) -> None:
    """A dashed line across the whole chart at each round a lever acted on, labelled up
    along it inside the plot (clear of the title, the legend and the axes)."""
    sizes = look(large)
    for mark in lever_marks(history):
        figure.add_shape(
            type="line",
            xref="x",
            yref="paper",
            x0=mark["round"],
            x1=mark["round"],
            y0=0,
            y1=1,
            line={"color": INK, "width": max(1, sizes.line - 1), "dash": "dash"},
            name=f"lever-{mark['round']}",
        )
        figure.add_annotation(
            x=mark["round"],
            xref="x",
            y=1,
            yref="paper",
            xanchor="right",
            yanchor="top",
            textangle=-90,
            showarrow=False,
            text=f"month {mark['round']}: {mark['label']}",
            font={"size": sizes.text - 2, "color": INK},
            bgcolor="rgba(255,255,255,0.75)",
        )


def round_chart(
    history: Sequence[RoundSummary],
    traces: list[dict[str, Any]],
    title: str,
    y_title: str,
    *,
    large: bool,
    y_range: Sequence[float] | None = None,
) -> go.Figure:
    """Traces over the rounds, in the shared look, with the levers marked."""
    fit_legend(traces, large)
    chart = layout(title, y_title, large=large, y_range=y_range, x_title=ROUND_AXIS)
    chart["xaxis"].update(round_axis(history))
    figure = go.Figure(data=traces, layout=chart)
    mark_levers(figure, history, large)
    return figure


def line(
    x: Sequence[int],
    y: Sequence[float | None],
    name: str,
    color: str,
    large: bool,
    fmt: str = ".2f",
    dash: str = "solid",
) -> dict[str, Any]:
    """A line with markers over the rounds (a lone round is still seen)."""
    return {
        "type": "scatter",
        "x": list(x),
        "y": list(y),
        "mode": "lines+markers",
        "name": name,
        "line": {"color": color, "width": look(large).line, "dash": dash},
        "marker": {"size": 4 + 2 * look(large).line},
        "hovertemplate": f"%{{y:{fmt}}}<extra>{name}</extra>",
    }


def bar(
    x: Sequence[int], y: Sequence[float], name: str, color: str, opacity: float, hover: str
) -> dict[str, Any]:
    """Bars over the rounds, their hover saying `hover` with the value (a plotly format)."""
    return {
        "type": "bar",
        "x": list(x),
        "y": list(y),
        "name": name,
        "marker": {"color": color, "opacity": opacity},
        "hovertemplate": hover,
    }


def choices_figure(history: Sequence[RoundSummary], *, large: bool = False) -> go.Figure:
    """The class's choices against the simulated employees', by round: the share of students
    who chose "the customer in front of me" (bars), and the mean customer focus of the
    students and of the simulated employees (lines)."""
    rounds = rounds_of(history)
    traces = [
        bar(
            rounds,
            [summary.customer_share for summary in history],
            "students choosing the customer (share)",
            GREEN,
            0.35,
            "%{y:.0%}<extra>students choosing the customer</extra>",
        ),
        line(rounds, [s.student_focus for s in history], "students' customer focus", BLUE, large),
        line(
            rounds,
            [s.simulated_focus for s in history],
            "simulated employees' customer focus",
            REFERENCE_COLOR,
            large,
            dash="dash",
        ),
    ]
    return round_chart(
        history,
        traces,
        "The class's choices against the simulated employees'",
        FOCUS_AXIS,
        large=large,
        y_range=(0, 1),
    )


def by_round_and_effort(
    reports: Sequence[PlayerReport], rounds: Sequence[int], effort: str, field: str
) -> list[float | None]:
    """Round by round, the mean of a report's `field` over the students who played it with
    `effort` (None: nobody did, or nobody of them met a customer)."""
    means = []
    for round_ in rounds:
        played = [r for r in reports if r.round == round_]
        means.append(mean_by_effort(played, lambda r: getattr(r, field)).get(effort))
    return means


def bonus_business_figure(
    history: Sequence[RoundSummary], reports: Sequence[PlayerReport], *, large: bool = False
) -> go.Figure:
    """Bonus success against business success, by round and by the way students spent their
    effort: above, the mean bonus of the students who served the boss, split the difference
    or served the customer; below, how satisfied those students' customers were, beside all
    the organization's customers. Its title answers S003's "Bonus or business, who wins?"
    for this session, each student who tried both ways compared with themselves
    (`bonus_business_sentence`); the lines are class means, whoever chose each way."""
    rounds = rounds_of(history)
    figure = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08)
    for effort in EFFORTS:
        name = EFFORT_NAMES.get(effort, effort)
        for row, (field, fmt) in enumerate((("bonus", "$,.0f"), ("customer_satisfaction", "+.2f"))):
            trace = line(
                rounds,
                by_round_and_effort(reports, rounds, effort, field),
                name,
                EFFORT_COLORS[effort],
                large,
                fmt=fmt,
            )
            # One legend entry per effort: the bonus line's, which the lower line follows.
            figure.add_trace(
                {**trace, "legendgroup": effort, "showlegend": row == 0}, row=row + 1, col=1
            )
    everyone = line(
        rounds,
        [s.satisfaction for s in history],
        "all customers",
        REFERENCE_COLOR,
        large,
        fmt="+.2f",
        dash="dash",
    )
    figure.add_trace(everyone, row=2, col=1)
    fit_legend(figure.data, large)
    chart = layout(
        bonus_business_sentence(reports), "Bonus<br>($ a month)", large=large, x_title=ROUND_AXIS
    )
    chart["xaxis"].update({**round_axis(history), "title": None})
    chart["xaxis2"] = {**chart["xaxis"], **round_axis(history)}
    chart["yaxis"]["rangemode"] = "tozero"
    chart["yaxis2"] = {
        **chart["yaxis"],
        "title": {"text": "Their customers'<br>satisfaction"},
        "range": [-1, 1],
        "rangemode": "normal",
    }
    figure.update_layout(chart)
    mark_levers(figure, history, large)
    return figure


def attitude_by_distance_figure(
    history: Sequence[RoundSummary], *, large: bool = False
) -> go.Figure:
    """Everyone's mean attitude by distance from the customer at each round's end."""
    rounds = rounds_of(history)
    bands = list(dict.fromkeys(band for s in history for band in s.attitude_by_distance))
    traces = [
        line(
            rounds,
            [s.attitude_by_distance.get(band) for s in history],
            DISTANCE_NAMES.get(band, band),
            BAND_COLORS[index % len(BAND_COLORS)],
            large,
            fmt="+.2f",
        )
        for index, band in enumerate(bands)
    ]
    return round_chart(
        history,
        traces,
        "Attitude by distance from the customer",
        ATTITUDE_AXIS,
        large=large,
        y_range=ATTITUDE_RANGE,
    )


def customers_figure(history: Sequence[RoundSummary], *, large: bool = False) -> go.Figure:
    """Customers lost in each round (bars) and the customers still active at its end."""
    rounds = rounds_of(history)
    traces = [
        bar(
            rounds,
            [s.customers_lost for s in history],
            "customers lost in the month",
            VERMILLION,
            0.6,
            "%{y:,.0f}<extra>customers lost</extra>",
        ),
    ]
    figure = round_chart(
        history, traces, "Customers lost, month by month", "Customers (count)", large=large
    )
    figure.update_yaxes(rangemode="tozero")
    return figure


DEBRIEF_FIGURES = ("choices", "bonus", "distance", "customers")
"""The debrief's charts in the order shown (`debrief_figures`)."""


def debrief_figures(
    history: Sequence[RoundSummary], reports: Sequence[PlayerReport], *, large: bool = False
) -> dict[str, go.Figure]:
    """The debrief's charts by name."""
    return {
        "choices": choices_figure(history, large=large),
        "bonus": bonus_business_figure(history, reports, large=large),
        "distance": attitude_by_distance_figure(history, large=large),
        "customers": customers_figure(history, large=large),
    }
