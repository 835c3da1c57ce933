"""What a lesson's charts draw besides its own run: the runs its text compares with, as grey
lines, and the events of its run that its text explains, as marked weeks.

A lesson that says "ends some 650 customers below the ordinary company of the first lesson"
names a reference run: the scenario `against` of its value claims
(`eachcustomer.dashboard.learn.claims`). The Learn page runs that scenario as it runs the
lesson's own (`eachcustomer.dashboard.learn.lessons.run_scenario`: as built in, seed 0) and
draws each output the text compares, where one of the lesson's charts draws the same output,
as a grey line, so that a class can read the number off the chart.
tests/test_lessons.py checks that the grey lines are there and that what the text says holds
between the drawn lines.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from eachcustomer.dashboard.chart_style import REFERENCE_COLOR, look
from eachcustomer.dashboard.learn.claims import ValueClaim
from eachcustomer.dashboard.runs import payload_frame, plain_column

REFERENCE_META = "reference:"
"""A reference trace's `meta` begins so: `reference:<scenario>:<output>`."""
TOTAL_META = "total"
"""The "why it changed" chart's black line: mean attitude's change since week 0."""
DASHES = ("solid", "dash", "dot", "dashdot")
"""One dash per grey line of a chart, so that two grey lines can be told apart."""


def compared_outputs(lesson: Any) -> dict[str, tuple[str, ...]]:
    """The runs the lesson's text compares with (scenario -> the outputs it compares)."""
    outputs: dict[str, dict[str, None]] = {}
    for claim in lesson.claims:
        if isinstance(claim, ValueClaim) and claim.against is not None:
            names = (claim.output,) if isinstance(claim.output, str) else claim.output
            outputs.setdefault(claim.against, {}).update(dict.fromkeys(names))
    return {scenario: tuple(names) for scenario, names in outputs.items()}


def reference_name(scenario: str) -> tuple[int, str]:
    """The lesson that runs `scenario` (its number, 1 the first, and title), or (0, the
    scenario's name) when no lesson does."""
    from eachcustomer.dashboard.learn.lessons import load_lessons

    for number, lesson in enumerate(load_lessons(), start=1):
        if lesson.scenario == scenario:
            return number, lesson.title
    return 0, scenario.replace("_", " ")


def reference_runs(lesson: Any) -> dict[str, dict[str, Any]]:
    """The lesson's reference runs, as the page keeps them: for each scenario, the lesson
    that runs it and the weekly values of the outputs compared (run as the Learn page runs
    a lesson, so that they are the runs the claims are checked on)."""
    from eachcustomer.dashboard.learn.lessons import run_scenario

    runs: dict[str, dict[str, Any]] = {}
    for scenario, outputs in compared_outputs(lesson).items():
        state = run_scenario(scenario)
        if state.get("error"):
            continue
        frame = payload_frame(state["table"])
        number, title = reference_name(scenario)
        columns = ["week", *(name for name in outputs if name in frame)]
        runs[scenario] = {
            "number": number,
            "title": title,
            "table": {column: plain_column(frame[column]) for column in columns},
        }
    return runs


def add_references(
    figure: go.Figure, references: dict[str, Any] | None, large: bool, horizon: int
) -> None:
    """Draw on `figure` every output of a reference run that the figure draws for the
    lesson's own run (a trace whose `meta` is that output; the "why" chart's total is mean
    attitude's change since week 0), as a grey line over the whole run."""
    if not references:
        return
    drawn = {trace.meta for trace in figure.data if isinstance(trace.meta, str)}
    names = {trace.meta: trace.name for trace in figure.data if isinstance(trace.meta, str)}
    dash = iter(DASHES * 4)
    for scenario, reference in references.items():
        frame = pd.DataFrame(reference["table"]).astype(float)
        frame = frame[frame["week"] <= horizon]
        where = f"lesson {reference['number']}" if reference["number"] else reference["title"]
        for output in frame.columns:
            shown = TOTAL_META if output == "mean_attitude" and TOTAL_META in drawn else output
            if output == "week" or shown not in drawn:
                continue
            values = frame[output].to_numpy()
            if shown == TOTAL_META:
                values = values - values[0]
            name = f"{str(names[shown]).replace('<br>', ' ')}, {where}"
            figure.add_trace(
                go.Scatter(
                    x=frame["week"].to_numpy(),
                    y=values,
                    mode="lines",
                    name=name,
                    meta=f"{REFERENCE_META}{scenario}:{output}",
                    line={
                        "color": REFERENCE_COLOR,
                        "width": look(large).line,
                        "dash": next(dash),
                    },
                    hovertemplate=f"%{{y:.3g}}<extra>{reference['title']}</extra>",
                )
            )


def lesson_figure(lesson: Any, name: str, state: dict[str, Any], large: bool) -> go.Figure:
    """One of a lesson's charts of its run (partial while it plays), with the reference runs
    its text compares with (`add_references`) and the events it explains (`lesson_marks`)."""
    from eachcustomer.dashboard import figures
    from eachcustomer.dashboard.learn.lessons import WHY_CHARTS

    if name in WHY_CHARTS:
        by = WHY_CHARTS[name]
        return figures.why_by_group(state["why"][by], by, large=large)
    frame = payload_frame(state["table"])
    horizon = int(state.get("horizon") or frame["week"].max())
    marks = lesson_marks(lesson, int(state.get("week") or 0))
    figure = figures.EXPLORE_FIGURES[name](frame, horizon=horizon, large=large, marks=marks)
    add_references(figure, state.get("references"), large, horizon)
    return figure


def lesson_marks(lesson: Any, week: int) -> list[dict[str, Any]]:
    """The lesson's events that its run has reached by `week`, as chart marks."""
    return [
        {"week": event.week, "label": event.label} for event in lesson.events if event.week <= week
    ]


def drawn_values(figure: Any) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """What a chart draws, as tables by week: the lesson's own lines (by `meta`; the "why"
    chart's total as `mean_attitude`, its change since week 0) and each reference run's.

    For the tests: a claim checked on these tables is checked on what the class sees.
    """
    own: dict[str, Any] = {}
    references: dict[str, dict[str, Any]] = {}
    for trace in figure.data if hasattr(figure, "data") else figure["data"]:
        trace = trace if isinstance(trace, dict) else trace.to_plotly_json()
        meta = trace.get("meta")
        if not isinstance(meta, str) or trace.get("stackgroup"):
            continue
        weeks = np.asarray(trace["x"], dtype=float).astype(int)
        values = pd.Series(np.asarray(trace["y"], dtype=float), index=weeks)
        if meta.startswith(REFERENCE_META):
            scenario, output = meta.removeprefix(REFERENCE_META).split(":", 1)
            references.setdefault(scenario, {})[output] = values
        else:
            own["mean_attitude" if meta == TOTAL_META else meta] = values

    def table(columns: dict[str, pd.Series]) -> pd.DataFrame:
        frame = pd.DataFrame(columns)
        return frame.rename_axis("week").reset_index()

    return table(own), {scenario: table(columns) for scenario, columns in references.items()}
