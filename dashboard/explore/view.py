"""What the Explore page draws from a run: the charts by tab, the headline numbers, the status.

Pure functions of a run snapshot (see `eachcustomer.dashboard.runs.snapshot`), shared by the page's
callbacks and by the background job that draws the charts while a run streams in.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
from dash import Output, html

from eachcustomer.dashboard import figures
from eachcustomer.dashboard.money import money, money_unit
from eachcustomer.dashboard.runs import payload_frame

GRAPHS = [
    ("band", "Attitude by distance"),
    ("department", "Attitude by department"),
    ("level", "Attitude by level"),
    ("focus", "Customer focus"),
    ("strain", "Strain"),
    ("customers", "Active customers"),
    ("satisfaction", "Satisfaction"),
    ("nps", "Net-promoter-style score"),
    ("revenue", "Revenue"),
    ("bonus", "Bonus vs business success"),
    ("why", "Why it changed"),
]
TABS = (
    ("attitude", "Attitude", ("band", "department", "level")),
    ("customers", "Customers", ("customers", "satisfaction", "nps", "revenue")),
    ("work", "Focus, strain and rewards", ("focus", "strain", "bonus")),
)
"""The chart tabs (the last tab, "Why it changed", has its own layout)."""


def drawn(state: Any, by: str, large: Any, why: str = "total") -> tuple:
    """`render`, with figures as plain dicts: the job's results are pickled, and a pickled
    go.Figure is validated again when the server unpickles it (slow)."""
    return tuple(
        item.to_plotly_json() if isinstance(item, go.Figure) else item
        for item in render(state, by, large, why)
    )


def render_outputs(duplicate: bool = False) -> list[Output]:
    """What `render` draws: the charts, headline numbers, progress and messages."""
    names = [
        *[(f"explore-{name}", "figure") for name, _ in GRAPHS],
        ("explore-why-group", "figure"),
        ("explore-kpis", "children"),
        ("explore-headline", "children"),
        ("explore-progress", "value"),
        ("explore-progress", "max"),
        ("explore-status", "children"),
        ("explore-error", "children"),
    ]
    return [Output(component, prop, allow_duplicate=duplicate) for component, prop in names]


def kpi(label: str, unit: str, value: str, change: str) -> html.Div:
    """One headline number, its unit and its change since week 0."""
    return html.Div(
        className="kpi",
        children=[
            html.Div(
                [label, html.Span(f" {unit}" if unit else "", className="unit")],
                className="kpi-label",
            ),
            html.Div(value, className="kpi-value"),
            html.Div(change, className="kpi-change"),
        ],
    )


def compact(amount: float) -> str:
    """A large amount in a few digits, so that it fits its card: 54.6 million, 3.07 billion."""
    for size, word in ((1e9, "billion"), (1e6, "million")):
        if abs(amount) >= size:
            return f"{amount / size:,.3g} {word}"
    return f"{amount:,.0f}"


def kpis(frame: Any) -> list[html.Div]:
    """Mean attitude, share negative, customers, satisfaction, score and revenue now."""
    if frame.empty:
        return []
    first, last = frame.iloc[0], frame.iloc[-1]

    def change(column: str, fmt: str, unit: str = "") -> str:
        return f"{last[column] - first[column]:{fmt}}{unit} since week 0"

    revenue = frame["revenue"].iloc[1:].sum()
    negative = 100 * (last["share_negative"] - first["share_negative"])
    return [
        kpi(
            "Mean attitude",
            "(-1 to +1)",
            f"{last['mean_attitude']:+.2f}",
            change("mean_attitude", "+.2f"),
        ),
        kpi(
            "Staff who see 'the customer'",
            "",
            f"{last['share_negative']:.0%}",
            f"{negative:+.0f} points since week 0",
        ),
        kpi(
            "Active customers",
            "",
            f"{last['active_customers']:,.0f}",
            change("active_customers", "+,.0f"),
        ),
        kpi(
            "Satisfaction",
            "(-1 to +1)",
            f"{last['mean_satisfaction']:+.2f}",
            change("mean_satisfaction", "+.2f"),
        ),
        kpi(
            "Net-promoter-style score",
            "(points)",
            f"{last['net_promoter_score']:+.0f}",
            change("net_promoter_score", "+.0f", " points"),
        ),
        kpi(
            "Revenue so far",
            f"({money_unit('currency')})",
            compact(revenue),
            f"{money(last['intervention_spend_total'])} spent on interventions",
        ),
    ]


def render(state: Any, by: str, large: Any, why: str = "total") -> tuple:
    """Every chart, the headline numbers and the progress from the snapshot shown.

    `why` is "weekly" for the "why it changed" chart week by week, else pushes added up.
    """
    large = bool(large)
    count = len(GRAPHS)
    if not isinstance(state, dict) or not state.get("table"):
        message = (state or {}).get("error") if isinstance(state, dict) else None
        blank = [figures.empty_figure("Press Run to simulate", large=large)] * count
        return (
            *blank,
            figures.why_by_group(None, by, large=large),
            [],
            "",
            "0",
            "104",
            "Ready: press Run.",
            message or "",
        )
    frame = payload_frame(state["table"])
    horizon = int(state.get("horizon") or frame["week"].max())
    style = {"horizon": horizon, "large": large, "marks": state.get("marks")}
    names = ["why_weekly" if name == "why" and why == "weekly" else name for name, _ in GRAPHS]
    charts = [figures.EXPLORE_FIGURES[name](frame, **style) for name in names]
    week = int(state.get("week", 0))
    status = f"Week {week} of {horizon}" + (": done." if week >= horizon else ".")
    headline = [
        html.Strong(state.get("title", "")),
        html.Span(f" · {state.get('org', '')} · week {week} of {horizon}", className="muted"),
    ]
    return (
        *charts,
        figures.why_by_group((state.get("why") or {}).get(by), by, large=large),
        kpis(frame),
        headline,
        str(week),
        str(horizon),
        status,
        state.get("error") or "",
    )
