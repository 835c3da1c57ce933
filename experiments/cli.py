"""The `eachcustomer` command: run and list scenarios, sweep, analyze, open the dashboard."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from experiments.summary import print_summary
from experiments.userrors import user_errors

app = typer.Typer(
    help="EachCustomer: how attitudes toward customers form and spread inside an "
         "organization. Run `eachcustomer COMMAND --help` for each command.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()


@app.command()
def run(
    scenario: Annotated[str | None, typer.Argument(
        help="Scenario TOML file or name of a built-in scenario (see `eachcustomer "
             "scenarios`); the embedded baseline when omitted.")] = None,
    steps: Annotated[int | None, typer.Option(
        "--steps", min=1, help="Weeks to simulate [default: the scenario's horizon]")] = None,
    seed: Annotated[int, typer.Option(help="Random seed; same seed, same output.")] = 0,
    employees: Annotated[int | None, typer.Option(
        "--employees", min=2, help="Head count of a generated organization.")] = None,
    org_chart: Annotated[Path | None, typer.Option(
        "--org-chart", help="Your org chart: CSV (employee_id, manager_id, department, "
                            "customer_facing[, handles_complaints]) or GraphML.")] = None,
    departments: Annotated[Path | None, typer.Option(
        help="Departments table CSV (department, customer_facing[, handles_complaints, "
             "customer_weight]) for an org chart without customer-facing flags.")] = None,
    plan: Annotated[str | None, typer.Option(
        help="Run one of the scenario's [plans] instead of its interventions "
             "('none' for no intervention).")] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Write the weekly outputs to FILE.csv or FILE.parquet.")] = None,
) -> None:
    """Simulate one scenario and print a summary; optionally write the weekly outputs."""
    from experiments.files import check_table_path, write_table
    from experiments.runs import run_model
    from experiments.scenario_files import load_run_setup

    with user_errors(console):
        if out is not None:
            check_table_path(out)
        setup = load_run_setup(scenario, employees=employees, org_chart=org_chart,
                               departments=departments, plan=plan, seed=seed)
        weeks = steps if steps is not None else setup.params.horizon_weeks
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                      TextColumn("week {task.completed:.0f}/{task.total:.0f}"),
                      TimeRemainingColumn(), console=console, transient=True) as progress:
            task = progress.add_task(setup.title, total=weeks)
            result = run_model(setup.params, seed, org=setup.org,
                               interventions=setup.interventions,
                               individuals=setup.individuals, weeks=weeks,
                               on_week=lambda done, total: progress.update(task, completed=done))
        print_summary(console, setup, result)
        if out is not None:
            write_table(result.series, out)
            console.print(f"Weekly outputs written to [bold]{out}[/bold]")


@app.command()
def scenarios() -> None:
    """List the built-in scenarios with their titles."""
    from rich.table import Table

    from experiments.scenario_files import builtin_scenarios, read_scenario

    with user_errors(console):
        table = Table(title="Built-in scenarios (run one with `eachcustomer run NAME`)",
                      title_justify="left")
        table.add_column("name", style="bold")
        table.add_column("title")
        for name, path in sorted(builtin_scenarios().items()):
            table.add_row(name, read_scenario(path).title)
        console.print(table)


def main() -> None:
    """Entry point for `python -m experiments.cli`."""
    app()


if __name__ == "__main__":
    main()
