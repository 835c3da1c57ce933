"""Widgets generated from the `Params` field metadata: labels, ranges, units, tooltips.

`eachcustomer.sim.params` knows each parameter's meaning, unit, allowed range and seed source; the
dashboard adds only what a widget needs on top (a shorter label, a narrower slider range
for a what-if, the order of the groups). That widget metadata lives here, never in
`eachcustomer.sim`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from dash import dcc, html

from eachcustomer.dashboard.money import money, money_unit
from eachcustomer.experiments.loading.plans import kind_template
from eachcustomer.sim.interventions import KIND_MEANINGS, KINDS, LEADERS_ONLY, Intervention
from eachcustomer.sim.params import Params, parameter_table

SOURCES = {
    "S000": '"Our Product, The Customer"',
    "S003": '"The Wrong Customer and the Real Customer"',
    "BLS ECEC": "the US Employer Costs for Employee Compensation, June 2025 (docs/CALIBRATION.md)",
}

LABELS = {
    "n_employees": "Employees",
    "span_of_control": "Reports per manager",
    "peer_tie_probability": "Ties within a team",
    "cross_department_ties": "Ties across departments",
    "customers_per_employee": "Customers per employee",
    "disposition_mean": "Starting disposition",
    "disposition_sd": "Spread of dispositions",
    "initial_customer_focus": "Starting customer focus",
    "hostile_quality": "Hostile below quality",
    "very_bad_quality": "Very bad below quality",
    "hire_attitude_mean": "Attitude of new hires",
    "hire_attitude_sd": "Spread of new hires' attitudes",
    "horizon_weeks": "Weeks to simulate",
    "negativity_bias": "Negativity bias",
    "shareholder_pressure": "Shareholder pressure on the top",
    "drift_rate": "Drift with distance",
    "revenue_per_customer": "Revenue per customer",
    "wage_cost_per_hour": "Wage cost per hour",
}

DASHBOARD_RANGES: dict[str, tuple[float, float]] = {
    "n_employees": (20, 5000),
    "span_of_control": (2, 30),
    "cross_department_ties": (0.0, 2.0),
    "customers_per_employee": (0.0, 50.0),
    "revenue_per_customer": (0.0, 1000.0),
    "unhappy_voice": (1.0, 20.0),
    "lost_voice": (1.0, 100.0),
    "base_churn": (0.0, 0.05),
    "dissatisfied_churn": (0.0, 0.2),
    "acquisition_rate": (0.0, 0.05),
    "drift_rate": (0.0, 0.05),
    "turnover_rate": (0.0, 0.05),
    "strain_turnover": (0.0, 20.0),
    "boss_weight": (0.0, 5.0),
    "peer_weight": (0.0, 5.0),
    "report_weight": (0.0, 5.0),
    "wage_cost_per_hour": (0.0, 200.0),
    "horizon_weeks": (4, 520),
}
"""What-if ranges narrower than the model allows, so a slider moves in useful steps. A
scenario value outside them widens the slider; the model's own limits still apply."""

DASHBOARD_STEPS = {"wage_cost_per_hour": 0.05, "dissatisfied_churn": 0.0005}
"""Slider steps finer than the range suggests, so a sourced default lies on the grid."""

KEY_PARAMETERS = (
    "n_employees",
    "span_of_control",
    "negativity_bias",
    "shareholder_pressure",
    "disposition_mean",
    "hire_attitude_mean",
    "drift_rate",
    "prior_expectation",
    "horizon_weeks",
)
"""The levers shown first, open: the what-ifs a leader asks about most."""

GROUP_TITLES = {
    "organization": "Organization",
    "culture": "Culture at the start",
    "encounters": "Each week: encounters with customers",
    "customers": "Each week: customers come and go",
    "contagion": "Each week: attitudes spread",
    "drift": "Each week: drift with distance",
    "incentives": "Each week: incentives",
    "turnover": "Each week: turnover and hiring",
    "interventions": "Each week: interventions",
    "costs": "Costs",
    "schedule": "Schedule",
}
"""Parameter groups in the order of docs/ODD.md: what is set at the start, then the weekly
processes in the order they run, then costs and the schedule. Not numbered: a group whose only
parameter is among the key levers (drift) has no section of its own."""


@dataclass(frozen=True)
class ParamControl:
    """Everything one slider needs: id, label, unit, range, step, tooltip."""

    name: str
    label: str
    unit: str
    low: float
    high: float
    step: float
    default: Any
    integer: bool
    group: str
    tooltip: str


def label_of(name: str) -> str:
    """A person's label for a parameter name."""
    return LABELS.get(name, name.replace("_", " ").capitalize())


def nice_step(low: float, high: float, integer: bool) -> float:
    """A round step giving about 100 to 1000 positions between low and high."""
    if integer:
        return max(1, 10 ** max(0, math.floor(math.log10(max(high - low, 1))) - 2))
    width = high - low
    if width <= 0:
        return 0.01
    return 10.0 ** math.floor(math.log10(width / 100.0))


def tooltip_of(row: dict[str, Any]) -> str:
    """The one-line meaning, the unit, the model's range and the seed source."""
    parts = [f"{row['meaning']}."]
    if row["unit"]:
        parts.append(f"Unit: {money_unit(row['unit'], words=True)}.")
    parts.append(f"Allowed: {_plain(row['low'])} to {_plain(row['high'])}.")
    sources = [
        SOURCES.get(s.strip(), s.strip()) for s in str(row["source"]).split(",") if s.strip()
    ]
    if sources:
        parts.append(f"From {' and '.join(sources)}.")
    return " ".join(parts)


def _plain(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:g}"
    return f"{value:,}" if isinstance(value, int) else f"{value:g}"


def param_controls() -> list[ParamControl]:
    """A control for every scalar parameter, in `Params` order."""
    controls = []
    for row in parameter_table():
        if not isinstance(row["default"], int | float) or row["low"] is None:
            continue  # departments: edited in scenario files, not with a slider
        integer = isinstance(row["default"], int) and not isinstance(row["default"], bool)
        low, high = DASHBOARD_RANGES.get(row["name"], (row["low"], row["high"]))
        low, high = max(low, row["low"]), min(high, row["high"])
        controls.append(
            ParamControl(
                name=row["name"],
                label=label_of(row["name"]),
                unit=money_unit(row["unit"]),
                low=low,
                high=high,
                step=DASHBOARD_STEPS.get(row["name"], nice_step(low, high, integer)),
                default=row["default"],
                integer=integer,
                group=row["group"],
                tooltip=tooltip_of(row),
            )
        )
    return controls


def control_by_name() -> dict[str, ParamControl]:
    """The controls keyed by parameter name."""
    return {c.name: c for c in param_controls()}


def slider_range(control: ParamControl, value: Any) -> tuple[float, float]:
    """The slider's range, widened to show a value outside the what-if range."""
    if value is None:
        return control.low, control.high
    return min(control.low, value), max(control.high, value)


def slider_marks(low: float, high: float, integer: bool) -> dict:
    """Marks at both ends, in the parameter's own numbers."""

    def text(value: float) -> str:
        return f"{value:,.0f}" if integer or float(value).is_integer() else f"{value:g}"

    return {low: text(low), high: text(high)}


def param_slider(control: ParamControl, value: Any = None) -> html.Div:
    """A labelled slider with its unit, a direct-entry box and a tooltip (keyboard-usable)."""
    value = control.default if value is None else value
    low, high = slider_range(control, value)
    label_id = f"label-{control.name}"
    unit = f" ({control.unit})" if control.unit else ""
    return html.Div(
        className="param",
        title=control.tooltip,
        children=[
            html.Label([control.label, html.Span(unit, className="unit")], id=label_id),
            dcc.Slider(
                id={"type": "param", "name": control.name},
                min=low,
                max=high,
                step=control.step,
                value=value,
                marks=slider_marks(low, high, control.integer),
                updatemode="mouseup",
                allow_direct_input=True,
                tooltip={"placement": "bottom", "always_visible": False},
                className="param-slider",
            ),
            html.Div(
                control.tooltip.split(". Unit:")[0].split(". Allowed")[0], className="meaning"
            ),
        ],
    )


def grouped_sliders(values: dict[str, Any] | None = None) -> list[html.Details]:
    """The key levers open at the top, then one collapsed section per group."""
    values = values or {}
    controls = param_controls()
    by_name = {c.name: c for c in controls}
    sections = [
        html.Details(
            open=True,
            className="param-group",
            children=[
                html.Summary("Key levers"),
                *[param_slider(by_name[n], values.get(n)) for n in KEY_PARAMETERS if n in by_name],
            ],
        )
    ]
    groups = grouped_controls(controls)
    for group, members in groups.items():
        sections.append(
            html.Details(
                className="param-group",
                children=[
                    html.Summary(GROUP_TITLES.get(group, group.capitalize())),
                    *[param_slider(c, values.get(c.name)) for c in members],
                ],
            )
        )
    return sections


def grouped_controls(controls: list[ParamControl]) -> dict[str, list[ParamControl]]:
    """The controls not among the key levers, by group, groups in `GROUP_TITLES` order."""
    groups: dict[str, list[ParamControl]] = {}
    for control in controls:
        if control.name not in KEY_PARAMETERS:
            groups.setdefault(control.group, []).append(control)
    order = list(GROUP_TITLES)
    return dict(
        sorted(groups.items(), key=lambda item: order.index(item[0]) if item[0] in order else 99)
    )


def slider_order() -> list[str]:
    """Parameter names in the order `grouped_sliders` lays the sliders out."""
    controls = param_controls()
    names = [c.name for c in controls]
    order = [n for n in KEY_PARAMETERS if n in names]
    for members in grouped_controls(controls).values():
        order.extend(c.name for c in members)
    return order


@dataclass(frozen=True)
class Price:
    """What one participant-week of an intervention costs: staff hours and direct spend."""

    hours: float
    direct: float
    kind: str = "training_day"

    def describe(self, params: Params | None = None) -> str:
        """ "8 staff hours and $304 per participant-week ($669 at $45.65 an hour)".

        The total is the one price rule's (`Intervention.price_per_participant_week`):
        leadership tone's hours are leaders' hours, at `leader_wage_ratio` times the wage.
        """
        parts = []
        if self.hours:
            parts.append(f"{self.hours:g} staff hours")
        if self.direct or not parts:
            parts.append(money(self.direct, cents=True))
        text = " and ".join(parts) + " per participant-week"
        if self.hours and params is not None:
            item = Intervention(
                kind=self.kind,
                hours_per_participant_week=self.hours,
                direct_cost_per_participant_week=self.direct,
                duration=1,
            )
            wage, ratio = params.wage_cost_per_hour, params.leader_wage_ratio
            total = money(item.price_per_participant_week(wage, ratio), cents=True)
            hour = money(wage * (ratio if self.kind in LEADERS_ONLY else 1.0), cents=True)
            whose = "a leader's hour" if self.kind in LEADERS_ONLY else "an hour"
            text += f" ({total} at {hour} {whose})"
        return text


def library_price(kind: str) -> Price | None:
    """The plan library's price of an intervention kind
    (`eachcustomer.experiments.loading.plans.kind_template`); None when no plan has one."""
    template = kind_template(kind)
    if template is None:
        return None
    if template.cost_per_participant_week is not None:  # an all-in price: spend only
        return Price(0.0, template.cost_per_participant_week, kind)
    return Price(
        template.hours_per_participant_week, template.direct_cost_per_participant_week, kind
    )


def kind_options() -> list[dict[str, str]]:
    """Intervention kinds for a dropdown, each with its meaning."""
    return [
        {"label": f"{kind.replace('_', ' ')}: {KIND_MEANINGS[kind]}", "value": kind}
        for kind in KINDS
    ]
