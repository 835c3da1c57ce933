"""The short, readable summary `eachcustomer run` prints at the end of a run."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from sim.metrics import BANDS

if TYPE_CHECKING:
    from experiments.runs import RunResult
    from experiments.scenario_files import RunSetup

BAND_LABELS = {"1": "1 (front line)", "2": "2", "3": "3", "4plus": "4 or more"}


def _attitude_table(title: str, rows: list[tuple[str, float, float]]) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("group")
    table.add_column("start", justify="right")
    table.add_column("end", justify="right")
    for name, start, end in rows:
        table.add_row(name, f"{start:+.2f}", f"{end:+.2f}")
    return table


def print_summary(console: Console, setup: RunSetup, result: RunResult) -> None:
    """Attitude by distance band and department, then the customer outcomes."""
    series, record = result.series, result.record
    first, last = series.iloc[0], series.iloc[-1]
    console.print(
        f"[bold]{setup.title}[/bold] - {record['weeks']} weeks, "
        f"{len(setup.org.boss) if setup.org is not None else setup.params.n_employees}"
        " employees"
    )
    bands = [
        (BAND_LABELS[b], first[f"attitude_band_{b}"], last[f"attitude_band_{b}"])
        for b in BANDS
        if f"attitude_band_{b}" in series
    ]
    console.print(
        _attitude_table(
            "Mean attitude by distance from the customer (-1 'the customer', +1 'each customer')",
            bands,
        )
    )
    departments = [
        (column.removeprefix("attitude_dept_").replace("_", " "), first[column], last[column])
        for column in series.columns
        if column.startswith("attitude_dept_")
    ]
    console.print(_attitude_table("Mean attitude by department", departments))
    customers = Table(title="Customers", title_justify="left")
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
    customers.add_row("net-promoter-style score", f"{last['net_promoter_score']:+.0f}")
    customers.add_row("revenue, total", f"{record['revenue_total']:,.0f}")
    customers.add_row("intervention spend, total", f"{record['spend_total']:,.0f}")
    customers.add_row("revenue net of spend", f"{record['net_revenue']:,.0f}")
    customers.add_row("front-line strain (0 to 1)", f"{last['strain_front_line']:.2f}")
    console.print(customers)
