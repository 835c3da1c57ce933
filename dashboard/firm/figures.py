"""The fit by department: each observed figure against the fitted model's 5-95% range."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

INSIDE = "#1b7837"
OUTSIDE = "#b2182b"
RANGE = "#7f8c99"
ROW_PIXELS = 26
TITLES = {
    "department_survey_score": "Survey score by department and wave (1-5 rescaled to -1..1)",
    "department_staff_turnover": "Staff turnover per year by department (share of head count)",
    "observed_staff_turnover": "Staff turnover per year, whole firm (share of head count)",
    "observed_customer_loss": "Customers lost per year, whole firm (share of customers)",
}
"""Short panel titles for the firm's statistics; others take their registered meaning."""


def row_label(row: dict[str, Any]) -> str:
    """A target's line on the chart: its department (or the whole firm), and its week."""
    department = row.get("department") or "whole firm"
    week = row.get("week")
    return f"{department}, week {week}" if week is not None else str(department)


def gap(low: float | None, high: float | None) -> float:
    """The length of an error bar's arm; 0 when an end is unknown (no draws)."""
    return 0.0 if low is None or high is None else high - low


def check_figure(rows: list[dict[str, Any]]) -> go.Figure:
    """One panel per statistic, one line per department: the model's 5-95% range over
    posterior draws (grey bar, median tick) and the firm's figure (a dot, green inside the
    range, red outside; hollow for a check target, filled for a fit target)."""
    statistics = list(dict.fromkeys(str(r.get("statistic", r["target"])) for r in rows))
    counts = [sum(str(r.get("statistic", r["target"])) == s for r in rows) for s in statistics]
    titles = []
    for statistic in statistics:
        first = next(r for r in rows if str(r.get("statistic", r["target"])) == statistic)
        unit = f" ({first['unit']})" if first.get("unit") else ""
        titles.append(TITLES.get(statistic) or f"{first.get('meaning') or statistic}{unit}")
    figure = make_subplots(
        rows=len(statistics),
        cols=1,
        subplot_titles=titles,
        row_heights=[max(c, 1) for c in counts],
        vertical_spacing=0.35 / max(len(statistics), 1),
    )
    for index, statistic in enumerate(statistics, start=1):
        part = [r for r in rows if str(r.get("statistic", r["target"])) == statistic]
        labels = [row_label(r) for r in part]
        low = [r.get("model_q05") for r in part]
        high = [r.get("model_q95") for r in part]
        median = [r.get("model_median") for r in part]
        figure.add_trace(
            go.Scatter(
                x=median,
                y=labels,
                mode="markers",
                marker={"symbol": "line-ns-open", "size": 12, "color": RANGE},
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": [gap(m, h) for h, m in zip(high, median, strict=True)],
                    "arrayminus": [gap(lo, m) for lo, m in zip(low, median, strict=True)],
                    "color": RANGE,
                    "thickness": 6,
                    "width": 0,
                },
                name="model: median and 5-95% range",
                legendgroup="model",
                showlegend=index == 1,
                hovertemplate="%{y}: model median %{x:.3g}<extra></extra>",
            ),
            row=index,
            col=1,
        )
        for use in ("fit", "check"):
            chosen = [r for r in part if r.get("use") == use]
            if not chosen:
                continue
            figure.add_trace(
                go.Scatter(
                    x=[r["observed"] for r in chosen],
                    y=[row_label(r) for r in chosen],
                    mode="markers",
                    marker={
                        "size": 10,
                        "symbol": "circle" if use == "fit" else "circle-open",
                        "line": {"width": 2},
                        "color": [INSIDE if r.get("inside") else OUTSIDE for r in chosen],
                    },
                    name=f"observed ({'fit' if use == 'fit' else 'checked'} target)",
                    legendgroup=use,
                    showlegend=index == 1,
                    customdata=[
                        [r["target"], "inside" if r.get("inside") else "outside"] for r in chosen
                    ],
                    hovertemplate="%{customdata[0]}: observed %{x:.3g}, %{customdata[1]} the "
                    "model's 5-95%<extra></extra>",
                ),
                row=index,
                col=1,
            )
        figure.update_yaxes(autorange="reversed", row=index, col=1)
    figure.update_layout(
        height=140 + ROW_PIXELS * sum(counts) + 60 * len(statistics),
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
        plot_bgcolor="white",
    )
    figure.update_xaxes(showgrid=True, gridcolor="#e6e6e6", zeroline=False)
    return figure
