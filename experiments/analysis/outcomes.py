"""What every outcome is called and measured in: the one catalogue of names and units.

Weekly outputs (`OrgModel.outputs()` columns), their values at the horizon (`final_<name>`),
their means over a window (`mean_<name>`) and the run summaries of
`eachcustomer.experiments.running.runs.summarize` all get a human name and a unit here, so the
Compare page, reports and figures label the same number the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Outcome:
    """A number to show or compare plans on."""

    column: str
    label: str
    unit: str
    fmt: str = ".3f"
    higher_is_better: bool | None = True
    """None when neither direction is better (e.g. spend, a count of contacts)."""

    @property
    def title(self) -> str:
        """Label with its unit, for axes and table headers."""
        return f"{self.label} ({self.unit})" if self.unit else self.label


ATTITUDE = "-1 to +1"
SHARE = "share, 0 to 1"

OUTPUTS: dict[str, Outcome] = {
    o.column: o
    for o in (
        Outcome("mean_attitude", "mean attitude", ATTITUDE, "+.3f"),
        Outcome("share_negative", "share of employees who see 'the customer'", SHARE, ".1%", False),
        Outcome("share_positive", "share of employees who see 'each customer'", SHARE, ".1%"),
        Outcome("mean_customer_focus", "mean customer focus", "0 to 1"),
        Outcome("focus_front_line", "front-line customer focus", "0 to 1"),
        Outcome("focus_back_office", "back-office customer focus", "0 to 1"),
        Outcome("strain_front_line", "front-line strain", "0 to 1", ".3f", False),
        Outcome("active_customers", "active customers", "customers", ",.0f"),
        Outcome("mean_satisfaction", "customer satisfaction", ATTITUDE, "+.3f"),
        Outcome("net_promoter_score", "net-promoter-style score", "points, -100 to 100", "+.1f"),
        Outcome("reputation", "reputation", ATTITUDE, "+.3f"),
        Outcome("contacts", "customer contacts in the week", "contacts", ",.0f", None),
        Outcome("complaints", "complaints in the week", "contacts", ",.0f", False),
        Outcome("mean_quality", "mean interaction quality", ATTITUDE, "+.3f"),
        Outcome("bad_interactions", "bad interactions in the week", "contacts", ",.0f", False),
        Outcome(
            "very_bad_interactions", "very bad interactions in the week", "contacts", ",.0f", False
        ),
        Outcome("walkouts", "walk-outs in the week", "customers", ",.0f", False),
        Outcome("customers_lost", "customers lost in the week", "customers", ",.0f", False),
        Outcome("customers_arrived", "customers arrived in the week", "customers", ",.0f"),
        Outcome("new_customer_expectation", "new customers' expectation", ATTITUDE, "+.3f"),
        Outcome("hires", "hires in the week", "employees", ",.0f", None),
        Outcome("intervention_spend", "intervention spend in the week", "currency", ",.0f", None),
        Outcome("customers_lost_total", "customers lost (total)", "customers", ",.0f", False),
        Outcome("revenue", "revenue in the week", "currency", ",.0f"),
        Outcome("bonus_success", "bonus success (what is rewarded)", "0 to 1", ".3f", None),
        Outcome("business_success", "business success (what customers get)", "0 to 1"),
        Outcome("intervention_spend_total", "intervention spend (total)", "currency", ",.0f", None),
    )
}
"""The weekly outputs by column name (group columns are named by `output_outcome`)."""

SUMMARIES: dict[str, Outcome] = {
    o.column: o
    for o in (
        Outcome(
            "customer_base_change", "change of the customer base", "share of the start", "+.1%"
        ),
        Outcome(
            "annual_customer_loss", "customers lost per year", "share of the base", ".1%", False
        ),
        Outcome(
            "recent_annual_customer_loss",
            "customers lost per year, last quarter",
            "share of the base",
            ".1%",
            False,
        ),
        Outcome("annual_retention", "customers kept per year", "share of the base", ".1%"),
        Outcome("revenue_total", "revenue (total)", "currency", ",.0f"),
        Outcome("spend_total", "intervention spend (total)", "currency", ",.0f", None),
        Outcome("net_revenue", "revenue net of spend (total)", "currency", ",.0f"),
        Outcome("plan_cost", "plan's expected cost", "currency", ",.0f", None),
    )
}
"""The run summaries of `eachcustomer.experiments.running.runs.summarize`, and a plan's expected
cost."""

GROUPED = (
    (r"attitude_band_(.+)", "mean attitude, distance band {}", ATTITUDE),
    (r"attitude_dept_(.+)", "mean attitude, {}", ATTITUDE),
    (r"attitude_level_(.+)", "mean attitude, level {}", ATTITUDE),
    (r"focus_level_(.+)", "customer focus, level {}", "0 to 1"),
    (r"why_(.+)", "change in mean attitude from {}", "attitude per week"),
)


def output_outcome(name: str) -> Outcome:
    """The outcome of a weekly output column (a generic one for unknown names)."""
    if name in OUTPUTS:
        return OUTPUTS[name]
    for pattern, label, unit in GROUPED:
        match = re.fullmatch(pattern, name)
        if match:
            group = match.group(1).replace("_", " ").replace("4plus", "4+")
            return Outcome(name, label.format(group), unit, "+.3f", None)
    return Outcome(name, name.replace("_", " "), "", ".3g", None)


def outcome(column: str) -> Outcome:
    """The outcome of any result column: an output, final_<output>, mean_<output>, a summary."""
    if column in SUMMARIES:
        return SUMMARIES[column]
    if column.startswith("final_"):
        base = output_outcome(column.removeprefix("final_"))
        return Outcome(
            column, f"{base.label} at the horizon", base.unit, base.fmt, base.higher_is_better
        )
    if column.startswith("mean_") and column not in OUTPUTS:
        base = output_outcome(column.removeprefix("mean_"))
        return Outcome(
            column,
            f"{base.label}, mean over the window",
            base.unit,
            base.fmt,
            base.higher_is_better,
        )
    return output_outcome(column)
