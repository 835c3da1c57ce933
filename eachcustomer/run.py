"""The `eachcustomer run` command, and the lists of what it can run: scenarios and plans."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from eachcustomer.options import AllowLarge, PosteriorOption, chosen_limits, console
from eachcustomer.summary import print_summary, run_title
from eachcustomer.userrors import CommandLineError

if TYPE_CHECKING:
    from eachcustomer.experiments.loading.scenario_files import RunSetup
    from eachcustomer.experiments.running.runs import RunResult


def departments_hint() -> str:
    """How to give an org chart without customer-facing flags its departments table."""
    from importlib import resources

    example = resources.files("eachcustomer.scenarios").joinpath(
        "data", "krackhardt_departments.csv"
    )
    head = example.read_text(encoding="utf-8").splitlines()[:3]
    return (
        "Say which departments serve customers in a departments table, one row per "
        "department, and give it with --departments FILE. An example, shipped as "
        f"{example}:\n" + "\n".join(f"    {line}" for line in head) + "\n    ..."
    )


def run(
    scenario: Annotated[
        str | None,
        typer.Argument(
            metavar="SCENARIO",
            help="Name of a built-in scenario (`eachcustomer scenarios`) or a scenario TOML "
            "file; the embedded baseline when omitted.",
        ),
    ] = None,
    steps: Annotated[
        int | None,
        typer.Option(
            "--steps",
            min=1,
            metavar="WEEKS",
            help="Weeks to simulate (default: the scenario's horizon).",
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(
            min=0,
            metavar="SEED",
            help="Random seed (0 or more); same seed, same output (default: the scenario's "
            "seed, or 0).",
        ),
    ] = None,
    employees: Annotated[
        int | None,
        typer.Option(
            "--employees", min=2, metavar="N", help="Head count of a generated organization."
        ),
    ] = None,
    org_chart: Annotated[
        Path | None,
        typer.Option(
            "--org-chart",
            metavar="FILE",
            help="Your org chart: a CSV with columns employee_id, manager_id, department, "
            "customer_facing and optionally handles_complaints, or GraphML with the same "
            "node attributes. The run is announced with its file name.",
        ),
    ] = None,
    departments: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="Departments table CSV (columns department, customer_facing and optionally "
            "handles_complaints, customer_weight) for an org chart without customer-facing "
            "flags; an example: scenarios/data/krackhardt_departments.csv.",
        ),
    ] = None,
    plan: Annotated[
        str | None,
        typer.Option(
            metavar="NAME",
            help="Run a named plan instead of the scenario's interventions: one of the "
            "scenario's own plans or of the plan library (`eachcustomer plans`); 'none' runs "
            "no intervention.",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", metavar="FILE", help="Write the weekly outputs to FILE.csv or FILE.parquet."
        ),
    ] = None,
    posterior: PosteriorOption = None,
    allow_large: AllowLarge = False,
) -> None:
    """Simulate one scenario and print a summary; optionally write the weekly outputs."""
    from eachcustomer.experiments.loading.files import check_table_path, write_columns
    from eachcustomer.experiments.loading.scenario_files import load_scenario
    from eachcustomer.sim.orgchart import NoFacingFlagsError
    from eachcustomer.sim.warmup import COMPILING, compile_kernels

    limits = chosen_limits(allow_large)
    if out is not None:
        check_table_path(out)
    if steps is not None:
        limits.check("weeks", steps, "--steps")
    try:
        setup = load_scenario(
            scenario,
            employees=employees,
            org_chart=org_chart,
            departments=departments,
            plan=plan,
            seed=seed,
            limits=limits,
        )
    except NoFacingFlagsError as error:
        if org_chart is None:
            raise  # a scenario's own chart: the scenario file names its departments table
        raise CommandLineError(f"{error}\n{departments_hint()}") from None
    if posterior is not None:
        setup = with_posterior_draw(setup, posterior, setup.seed)
    weeks = steps if steps is not None else setup.params.horizon_weeks
    compile_kernels(announce=lambda: console.print(COMPILING))
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("week {task.completed:.0f}/{task.total:.0f}"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as progress:
        title = run_title(setup, org_chart)
        task = progress.add_task(title, total=weeks)
        result = simulate(setup, weeks, lambda done, total: progress.update(task, completed=done))
    print_summary(console, setup, result, title=title, plan=plan)
    if setup.timeline:
        changes = "; ".join(f"week {e.week}: {e.describe()}" for e in setup.timeline)
        console.print(f"Seed {setup.seed}. Changes during the run: {changes}.")
    if out is not None:
        from eachcustomer.sim.output_columns import output_columns

        # From the arrays: a CSV needs no pandas (only Parquet loads it, for pyarrow).
        write_columns(output_columns(result.columns, result.values), out)
        console.print(f"Weekly outputs written to [bold]{out}[/bold]")


def simulate(setup: RunSetup, weeks: int, on_week: Callable[[int, int], None]) -> RunResult:
    """One run of the scenario: `run_model`'s result, through a batch of one when it can.

    `OrgModel` is a Mesa model around a batch of one replication (docs/ODD.md), and a
    batch gives the same numbers bit for bit (tests/test_batch.py). Without a timeline the
    command steps the batch itself, so it does not import Mesa, which loads scipy's spatial
    module, networkx and tqdm for its spaces and batch runner (benchmarks/RESULTS.md, "Issue 22");
    a timeline changes a running model (`OrgModel.set_params`), so it runs the Mesa model,
    as do players (a class session's replay).
    """
    from eachcustomer.experiments.running.runs import run_batch, run_model

    if setup.timeline or setup.players:
        return run_model(
            setup.params,
            setup.seed,
            org=setup.org,
            interventions=setup.interventions,
            individuals=setup.individuals,
            weeks=weeks,
            on_week=on_week,
            timeline=setup.timeline,
            players=setup.players,
        )
    (result,) = run_batch(
        setup.params,
        [(setup.seed, setup.interventions)],
        org=setup.org,
        individuals=setup.individuals,
        weeks=weeks,
        on_week=on_week,
    )
    return result


def with_posterior_draw(setup: Any, folder: Path, seed: int) -> Any:
    """The scenario with the fitted parameters drawn from a calibration's posterior."""
    import dataclasses

    from eachcustomer.experiments.calibration.posterior import draw_parameters, load_posterior
    from eachcustomer.experiments.calibration.verdict import folder_warning

    posterior = load_posterior(folder)
    warning = folder_warning(posterior.folder)
    if warning:
        console.print(f"[bold red]{warning}[/bold red]")
    drawn = draw_parameters(posterior, seed)
    console.print(
        f"Parameters drawn from the posterior in {folder} (seed {seed}): "
        + ", ".join(f"{name} = {value:.4g}" for name, value in drawn.items())
    )
    return dataclasses.replace(setup, params=setup.params.replace(**drawn))


def scenarios() -> None:
    """List the built-in scenarios with their titles."""
    from rich.table import Table

    from eachcustomer.experiments.loading.catalogue import builtins
    from eachcustomer.experiments.loading.scenario_files import read_scenario

    table = Table(
        title="Built-in scenarios (run one with `eachcustomer run NAME`)", title_justify="left"
    )
    table.add_column("name", style="bold")
    table.add_column("title")
    for name, path in sorted(builtins("scenario").items()):
        table.add_row(name, read_scenario(path).title)
    console.print(table)


def plans() -> None:
    """List the plan library: named plans any scenario, sweep or page can use by name."""
    from rich.table import Table

    from eachcustomer.experiments.loading.plans import plan_library

    table = Table(
        title="Plan library (run one with `eachcustomer run SCENARIO --plan NAME`)",
        title_justify="left",
    )
    table.add_column("name", style="bold")
    table.add_column("title")
    table.add_column("interventions")
    for name, plan in plan_library().items():
        kinds = ", ".join(item.kind for item in plan.interventions) or "none"
        table.add_row(name, plan.title, kinds)
    console.print(table)
