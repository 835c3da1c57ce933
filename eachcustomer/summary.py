"""The short, readable summary `eachcustomer run` prints at the end of a run."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.table import Table

if TYPE_CHECKING:
    from eachcustomer.experiments.loading.scenario_files import RunSetup
    from eachcustomer.experiments.running.runs import RunResult

BAND_LABELS = {"1": "1 (front line)", "2": "2", "3": "3", "4plus": "4 or more"}
CURRENCY = "currency units"
"""The model's money is in one currency, whichever `revenue_per_customer`, `wage_cost_per_hour`
and the plans' prices are given in: US dollars at the shipped defaults (docs/ODD.md)."""
CURRENCY_NOTE = (
    "Money is in one currency: US dollars at the shipped defaults and plan prices, or the "
    "currency your scenario gives revenue_per_customer and wage_cost_per_hour in."
)


def run_title(setup: RunSetup, org_chart: Path | None = None) -> str:
    """What ran: the scenario's title, or the user's org chart by its file name."""
    if org_chart is not None:
        return (
            f"{Path(org_chart).name} (your org chart), with the settings of scenario {setup.name}"
        )
    return setup.title


def plan_line(setup: RunSetup, plan: str | None) -> str | None:
    """Which plan ran, when one was named with --plan; None otherwise."""
    from eachcustomer.experiments.loading.plans import NO_PLAN, plan_library

    if plan is None:
        return None
    kinds = ", ".join(item.kind for item in setup.interventions) or "no intervention"
    if plan in setup.plans:
        source = "the scenario's own plan"
    elif plan == NO_PLAN:
        return f"Plan {plan!r}: no intervention"
    else:
        source = f"plan library: {plan_library()[plan].title}"
    return f"Plan {plan!r} ({source}): {kinds}"


def natural_key(name: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key that puts "dept 2" before "dept 10" and ignores case."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part.casefold())
        for part in re.split(r"(\d+)", name)
        if part
    )


def _attitude_table(rows: list[tuple[str, float, float]]) -> Table:
    table = Table()
    table.add_column("group")
    table.add_column("start", justify="right")
    table.add_column("end", justify="right")
    for name, start, end in rows:
        table.add_row(escape(name), f"{start:+.2f}", f"{end:+.2f}")
    return table


def print_summary(
    console: Console,
    setup: RunSetup,
    result: RunResult,
    *,
    title: str | None = None,
    plan: str | None = None,
) -> None:
    """What ran, attitude by distance band and department, then the customer outcomes.

    Departments are listed by name (numbers in numeric order), whatever order the org
    chart lists them in.
    """
    from eachcustomer.sim.metrics import BANDS  # loads numba: not at `eachcustomer --help`

    # The outputs' first and last weeks straight from the array: no table, so no pandas.
    first, last = (
        dict(zip(result.columns, result.values[week].tolist(), strict=True)) for week in (0, -1)
    )
    record = result.record
    employees = setup.org.size if setup.org is not None else setup.params.n_employees
    console.print(
        f"[bold]{escape(title or setup.title)}[/bold] - {record['weeks']} weeks, "
        f"{employees:,} employees"
    )
    line = plan_line(setup, plan)
    if line is not None:
        console.print(escape(line))
    bands = [
        (BAND_LABELS[b], first[f"attitude_band_{b}"], last[f"attitude_band_{b}"])
        for b in BANDS
        if f"attitude_band_{b}" in first
    ]
    console.print(
        "\n[bold]Mean attitude by distance from the customer[/bold] "
        "(-1 'the customer', +1 'each customer')"
    )
    console.print(_attitude_table(bands))
    columns = [c for c in result.columns if c.startswith("attitude_dept_")]
    names = [c.removeprefix("attitude_dept_").replace("_", " ") for c in columns]
    if setup.org is not None and len(setup.org.department_names) == len(columns):
        # A chart's own spelling: the columns, in the same order, are lower case.
        names = list(setup.org.department_names)
    departments = sorted(
        ((name, first[c], last[c]) for name, c in zip(names, columns, strict=True)),
        key=lambda row: natural_key(row[0]),
    )
    console.print("\n[bold]Mean attitude by department[/bold]")
    console.print(_attitude_table(departments))
    customers = Table()
    customers.add_column("measure")
    customers.add_column("value", justify="right")
    customers.add_row(
        "active customers, start -> end",
        f"{first['active_customers']:,.0f} -> {last['active_customers']:,.0f}",
    )
    customers.add_row("customer base change", f"{record['customer_base_change']:+.1%}")
    customers.add_row("customers lost per year", f"{record['annual_customer_loss']:.1%}")
    customers.add_row("retention per year", f"{record['annual_retention']:.1%}")
    customers.add_row("mean satisfaction (-1 to 1)", f"{last['mean_satisfaction']:+.2f}")
    customers.add_row(
        "net-promoter-style score (-100 to 100)", f"{last['net_promoter_score']:+.0f}"
    )
    customers.add_row(f"revenue, total ({CURRENCY})", f"{record['revenue_total']:,.0f}")
    customers.add_row(f"intervention spend, total ({CURRENCY})", f"{record['spend_total']:,.0f}")
    customers.add_row(f"revenue net of spend ({CURRENCY})", f"{record['net_revenue']:,.0f}")
    customers.add_row("front-line strain (0 to 1)", f"{last['strain_front_line']:.2f}")
    console.print("\n[bold]Customers[/bold]")
    console.print(customers)
    console.print(CURRENCY_NOTE, style="dim")
