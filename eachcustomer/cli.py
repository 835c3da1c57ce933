"""The `eachcustomer` command: run and list scenarios, sweep, find plans, analyze, dashboard."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from eachcustomer.calibrate import calibrate as calibrate_command
from eachcustomer.helpformat import Command
from eachcustomer.summary import print_summary, run_title
from eachcustomer.userrors import CommandLineError, Commands

app = typer.Typer(
    cls=Commands,
    help="EachCustomer: how attitudes toward customers form and spread inside an "
    "organization. Run `eachcustomer COMMAND --help` for each command.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()

PosteriorOption = Annotated[
    Path | None,
    typer.Option(
        "--posterior",
        metavar="FOLDER",
        help="Draw the fitted parameters from the posterior of the calibration in FOLDER "
        "(`eachcustomer calibrate`), seeded by the run's seed.",
    ),
]

AllowLarge = Annotated[
    bool,
    typer.Option(
        "--allow-large",
        help="Raise the size limits (employees, customers, runs) for a bigger machine; "
        "see the README's Limits.",
    ),
]


def chosen_limits(allow_large: bool) -> Any:
    """The size limits of a command: `sim.limits`' defaults, or the large ones."""
    import dataclasses

    from sim.limits import DEFAULT_LIMITS, LARGE_LIMITS

    return LARGE_LIMITS if allow_large else dataclasses.replace(DEFAULT_LIMITS, how="--allow-large")


def departments_hint() -> str:
    """How to give an org chart without customer-facing flags its departments table."""
    from importlib import resources

    example = resources.files("scenarios").joinpath("data", "krackhardt_departments.csv")
    head = example.read_text(encoding="utf-8").splitlines()[:3]
    return (
        "Say which departments serve customers in a departments table, one row per "
        "department, and give it with --departments FILE. An example, shipped as "
        f"{example}:\n" + "\n".join(f"    {line}" for line in head) + "\n    ..."
    )


@app.command(cls=Command)
def run(
    scenario: Annotated[
        str | None,
        typer.Argument(
            metavar="SCENARIO",
            help="Scenario TOML file or name of a built-in scenario (see `eachcustomer "
            "scenarios`); the embedded baseline when omitted.",
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
    from experiments.files import check_table_path, write_table
    from experiments.runs import run_model
    from experiments.scenario_files import load_scenario
    from sim.compiled import COMPILING, compile_kernels
    from sim.orgchart import NoFacingFlagsError

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
        result = run_model(
            setup.params,
            setup.seed,
            org=setup.org,
            interventions=setup.interventions,
            individuals=setup.individuals,
            weeks=weeks,
            on_week=lambda done, total: progress.update(task, completed=done),
            timeline=setup.timeline,
        )
    print_summary(console, setup, result, title=title, plan=plan)
    if setup.timeline:
        changes = "; ".join(f"week {e.week}: {e.describe()}" for e in setup.timeline)
        console.print(f"Seed {setup.seed}. Changes during the run: {changes}.")
    if out is not None:
        write_table(result.series, out)
        console.print(f"Weekly outputs written to [bold]{out}[/bold]")


def with_posterior_draw(setup: Any, folder: Path, seed: int) -> Any:
    """The scenario with the fitted parameters drawn from a calibration's posterior."""
    import dataclasses

    from experiments.calibration.posterior import draw_parameters, load_posterior

    drawn = draw_parameters(load_posterior(folder), seed)
    console.print(
        f"Parameters drawn from the posterior in {folder} (seed {seed}): "
        + ", ".join(f"{name} = {value:.4g}" for name, value in drawn.items())
    )
    return dataclasses.replace(setup, params=setup.params.replace(**drawn))


@app.command(cls=Command)
def scenarios() -> None:
    """List the built-in scenarios with their titles."""
    from rich.table import Table

    from experiments.scenario_files import builtin_scenarios, read_scenario

    table = Table(
        title="Built-in scenarios (run one with `eachcustomer run NAME`)", title_justify="left"
    )
    table.add_column("name", style="bold")
    table.add_column("title")
    for name, path in sorted(builtin_scenarios().items()):
        table.add_row(name, read_scenario(path).title)
    console.print(table)


@app.command(cls=Command)
def plans() -> None:
    """List the plan library: named plans any scenario, sweep or page can use by name."""
    from rich.table import Table

    from experiments.plans import plan_library

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


def _worker_lost() -> tuple[type[BaseException], ...]:
    """Errors that mean a worker process died (killed, out of memory), not that a run failed."""
    from concurrent.futures.process import BrokenProcessPool

    kinds: list[type[BaseException]] = [BrokenProcessPool]
    try:
        from distributed.scheduler import KilledWorker

        kinds.append(KilledWorker)
    except ImportError:  # dask is optional at run time
        pass
    return tuple(kinds)


LOG_EVERY = 30.0
"""Seconds between progress lines when the output is not a terminal."""


@app.command(cls=Command)
def sweep(
    spec: Annotated[
        Path,
        typer.Argument(
            metavar="SPEC", help="Sweep spec TOML file (examples in experiments/specs/)."
        ),
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            metavar="FOLDER",
            help="Results folder: a new one, or the folder of an interrupted sweep, "
            "which is then resumed.",
        ),
    ],
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            metavar="N",
            help="Worker processes (default: all cores); 1 runs in this process.",
        ),
    ] = None,
    dask_scheduler: Annotated[
        str | None,
        typer.Option(
            "--dask-scheduler",
            metavar="ADDRESS",
            help="Run on the Dask cluster whose scheduler is at ADDRESS (tcp://host:8786).",
        ),
    ] = None,
    dask_local: Annotated[
        bool,
        typer.Option("--dask-local", help="Start a local Dask cluster with --workers workers."),
    ] = False,
    retry_failed: Annotated[
        bool,
        typer.Option("--retry-failed", help="On resume, run again the runs recorded as failed."),
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Check the spec, print the number of runs, run nothing."),
    ] = False,
    posterior: Annotated[
        Path | None,
        typer.Option(
            "--posterior",
            metavar="FOLDER",
            help="Each replication draws the fitted parameters from the posterior of the "
            "calibration in FOLDER (replaces the spec's `posterior` key).",
        ),
    ] = None,
    allow_large: AllowLarge = False,
) -> None:
    """Run a parameter sweep, writing each run as it finishes; rerun to resume."""
    from experiments.executors import make_executor, run_sweep
    from experiments.files import check_folder_path
    from experiments.sweeps import load_sweep
    from sim.compiled import COMPILING, compile_kernels

    if dask_scheduler is not None and dask_local:
        raise CommandLineError("--dask-scheduler and --dask-local: choose one")
    check_folder_path(out)
    loaded = load_sweep(spec, limits=chosen_limits(allow_large), posterior=posterior)
    console.print(
        f"[bold]{loaded.spec.title}[/bold]: {loaded.spec.design.kind}, "
        f"{loaded.runs:,} runs of {loaded.weeks} weeks"
        + (
            f"; {', '.join(loaded.posterior.parameters)} drawn from the posterior in "
            f"{loaded.posterior.folder}"
            if loaded.posterior is not None
            else ""
        )
    )
    if dry_run:
        return
    compile_kernels(announce=lambda: console.print(COMPILING))  # once here, not in every worker
    with sweep_progress() as show:
        try:
            executor = make_executor(workers, dask_scheduler, dask_local)
            done = run_sweep(loaded, out, executor, retry_failed=retry_failed, on_progress=show)
        except KeyboardInterrupt:
            show.bar.stop()
            console.print(
                f"[yellow]Interrupted.[/yellow] Finished runs are saved in {out}; "
                "rerun the same command to resume."
            )
            raise typer.Exit(code=130) from None
        except _worker_lost() as error:  # evaluated only when something is raised
            show.bar.stop()
            console.print(
                f"[red]A worker died[/red] ({type(error).__name__}: {error}); "
                f"finished runs are saved in {out}; rerun the same command to "
                "resume."
            )
            raise typer.Exit(code=1) from None
    console.print(
        f"Runs done now: {done.done} ({done.failed} failed); finished before: "
        f"{done.already}; in all: {done.total}. Results in [bold]{out}[/bold]; "
        f"`eachcustomer analyze {out}` writes the report."
    )
    if done.last_error:
        console.print(f"[red]Last failure[/red] {done.last_error}")


class _SweepProgress:
    """A progress bar for a sweep; without a terminal, a line every `LOG_EVERY` seconds."""

    def __init__(self, bar: Progress) -> None:
        self.bar = bar
        self.task = bar.add_task("sweep", total=None, failed=0)
        self.logged = 0.0

    def __call__(self, progress: Any) -> None:
        import time

        self.bar.update(
            self.task, total=progress.total, completed=progress.finished, failed=progress.failed
        )
        # Without a terminal (batch jobs, logs) the bar draws once at the end: say where
        # the sweep stands every half minute instead.
        if not console.is_terminal and time.monotonic() - self.logged > LOG_EVERY:
            self.logged = time.monotonic()
            console.print(f"{progress.finished}/{progress.total} runs, {progress.failed} failed")


@contextmanager
def sweep_progress() -> Iterator[_SweepProgress]:
    """The sweep's progress bar, shown while the block runs."""
    from rich.progress import MofNCompleteColumn, TimeElapsedColumn

    with Progress(
        TextColumn("[bold]sweep"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("runs  [red]{task.fields[failed]} failed"),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
        console=console,
    ) as bar:
        yield _SweepProgress(bar)


app.command(name="calibrate", cls=Command)(calibrate_command)


@app.command(cls=Command)
def plan(
    spec: Annotated[
        Path,
        typer.Argument(
            metavar="SPEC",
            help="Plan search spec TOML file (example: experiments/specs/plan_finder.toml).",
        ),
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            metavar="FOLDER",
            help="Results folder: a new one, or the folder of an interrupted search, "
            "which is then resumed.",
        ),
    ],
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            metavar="N",
            help="Worker processes (default: all cores); 1 runs in this process.",
        ),
    ] = None,
    dask_scheduler: Annotated[
        str | None,
        typer.Option(
            "--dask-scheduler",
            metavar="ADDRESS",
            help="Run on the Dask cluster whose scheduler is at ADDRESS (tcp://host:8786).",
        ),
    ] = None,
    dask_local: Annotated[
        bool,
        typer.Option("--dask-local", help="Start a local Dask cluster with --workers workers."),
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Check the spec, say what it would search, run nothing."),
    ] = False,
    posterior: Annotated[
        Path | None,
        typer.Option(
            "--posterior",
            metavar="FOLDER",
            help="Each replication draws the fitted parameters from the posterior of the "
            "calibration in FOLDER (replaces the spec's `posterior` key).",
        ),
    ] = None,
    allow_large: AllowLarge = False,
) -> None:
    """Find the best mix of interventions for a budget (NSGA-II); rerun to resume."""
    from experiments.executors import make_executor
    from experiments.files import check_folder_path
    from experiments.planfinder.checks import load_plan_search

    if dask_scheduler is not None and dask_local:
        raise CommandLineError("--dask-scheduler and --dask-local: choose one")
    check_folder_path(out)
    problem = load_plan_search(spec, limits=chosen_limits(allow_large), posterior=posterior)
    console.print(plan_search_intro(problem))
    if dry_run:
        return
    from experiments.planfinder.finder import find_plan

    with plan_progress(problem) as show:
        try:
            executor = make_executor(workers, dask_scheduler, dask_local)
            report = find_plan(
                problem, out, executor, on_progress=show.generation, on_evaluated=show.evaluated
            )
        except KeyboardInterrupt:
            show.bar.stop()
            console.print(
                f"[yellow]Interrupted.[/yellow] Finished evaluations are saved in {out}; "
                "rerun the same command to resume."
            )
            raise typer.Exit(code=130) from None
        except _worker_lost() as error:  # evaluated only when something is raised
            show.bar.stop()
            console.print(
                f"[red]A worker died[/red] ({type(error).__name__}: {error}); finished "
                f"evaluations are saved in {out}; rerun the same command to resume."
            )
            raise typer.Exit(code=1) from None
    print_plan_report(report, out)


def plan_search_intro(problem: Any) -> str:
    """What a plan search will do, in two lines."""
    spec = problem.spec
    goals = "; ".join(f"{o.goal} {o.label}" for o in problem.objectives)
    return (
        f"[bold]{spec.title}[/bold]: a budget of {spec.budget.amount:,.0f} over "
        f"{problem.weeks} weeks on {', '.join(lever.kind for lever in problem.encoding.levers)}; "
        f"NSGA-II, {spec.search.population} plans x {spec.search.generations} generations, "
        f"each on {spec.replications} replications (at most "
        f"{spec.search.population * spec.search.generations * spec.replications:,} runs, "
        f"then checks on {spec.search.validation_replications} fresh replications)"
        + (
            f", each replication with the fitted parameters drawn for its seed from the "
            f"posterior ({', '.join(sorted(next(iter(problem.draws.values()))))})"
            if problem.draws
            else ""
        )
        + f".\nObjectives: {goals}."
    )


def print_plan_report(report: Any, out: Path) -> None:
    """The recommendation, its effects, the library check and the files written."""
    last = report.result.convergence.iloc[-1]
    tally = report.tally
    console.print(
        f"{len(report.result.candidates)} plans evaluated ({tally.fresh} now, {tally.cached} "
        f"from the cache, {tally.failed} failed); {int(last['front_size'])} on the front; "
        f"hypervolume {last['hypervolume']:.4f}."
    )
    console.print(f"\n[bold]Recommended:[/bold] {report.sentence}")
    seeds = len(report.problem.validation_seeds)
    console.print(f"Expected at week {report.problem.weeks} ({seeds} fresh replications):")
    for line in report.effect_lines():
        console.print(f"  - {line}")
    for note in report.library_notes:
        console.print(f"  {note}")
    console.print(
        f"\nWritten to [bold]{out}[/bold]: "
        + ", ".join(sorted(path.name for path in report.files))
        + f". `eachcustomer run {out / 'recommended.toml'}` runs the recommended plan."
    )


class _PlanProgress:
    """A progress bar over generations, counting plans evaluated; lines without a terminal."""

    def __init__(self, bar: Progress, generations: int) -> None:
        self.bar = bar
        self.task = bar.add_task("plan search", total=generations, evaluated=0, cached=0)
        self.logged = 0.0

    def generation(self, progress: Any) -> None:
        import time

        self.bar.update(self.task, completed=progress.generation, description=progress.phase)
        if not console.is_terminal and time.monotonic() - self.logged > LOG_EVERY:
            self.logged = time.monotonic()
            console.print(
                f"generation {progress.generation}/{progress.generations}, "
                f"{progress.tally.fresh + progress.tally.cached} evaluations"
            )

    def evaluated(self, tally: Any) -> None:
        self.bar.update(self.task, evaluated=tally.fresh + tally.cached, cached=tally.cached)


@contextmanager
def plan_progress(problem: Any) -> Iterator[_PlanProgress]:
    """The plan search's progress bar, shown while the block runs."""
    from rich.progress import MofNCompleteColumn, TimeElapsedColumn

    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(
            "generations, {task.fields[evaluated]} plans evaluated "
            "({task.fields[cached]} from the cache)"
        ),
        TimeElapsedColumn(),
        console=console,
    ) as bar:
        yield _PlanProgress(bar, problem.spec.search.generations)


@app.command(cls=Command)
def analyze(
    folder: Annotated[Path, typer.Argument(metavar="FOLDER", help="A sweep's results folder.")],
    report: Annotated[
        Path | None,
        typer.Option(
            "--report",
            metavar="FOLDER",
            help="Where to write the report (default: the results folder's report/).",
        ),
    ] = None,
    confidence: Annotated[
        float,
        typer.Option(
            min=0.5, max=0.999, metavar="LEVEL", help="Level of the confidence intervals."
        ),
    ] = 0.95,
) -> None:
    """Analyze a sweep: an HTML report with figures, and the tables behind it as CSV."""
    from experiments.analysis import progress
    from experiments.files import check_folder_path
    from experiments.report import write_report

    check_folder_path(report if report is not None else folder / "report")
    page = write_report(folder, report, confidence=confidence)
    counts = progress(folder)
    console.print(
        f"{counts['ok']} runs ok, {counts['failed']} failed, {counts['missing']} "
        f"missing. Report: [bold]{page}[/bold]; tables: "
        f"{', '.join(sorted(p.name for p in page.parent.glob('*.csv')))}"
    )


@app.command(cls=Command)
def headline(
    folder: Annotated[
        Path,
        typer.Argument(metavar="FOLDER", help="Results folder of experiments/specs/headline.toml."),
    ],
    out: Annotated[
        Path,
        typer.Option("--out", metavar="FOLDER", help="Folder for the figure and its table."),
    ] = Path("docs/figures"),
) -> None:
    """Draw the README's headline figure from the headline sweep's results."""
    from experiments.headline import write_headline

    written = write_headline(folder, out)
    console.print("Written: " + ", ".join(str(path) for path in written))
    if not any(path.suffix == ".png" for path in written):
        console.print("No PNG: it needs `pip install -e '.\\[docs]'` (kaleido) and Chromium.")


@app.command(cls=Command)
def evidence(
    folder: Annotated[
        Path,
        typer.Argument(
            metavar="FOLDER",
            help="Results folder of a finished sweep of two plans "
            "(experiments/specs/decision_map.toml).",
        ),
    ],
    out: Annotated[
        Path,
        typer.Option("--out", metavar="FOLDER", help="The evidence folder to write."),
    ] = Path("docs/evidence/decision_map"),
    spec: Annotated[
        Path | None,
        typer.Option(
            "--spec",
            metavar="FILE",
            help="The spec file the evidence stands for (default: the one the sweep ran); "
            "where the runs differ from it, the manifest says how.",
        ),
    ] = None,
    figures: Annotated[
        Path,
        typer.Option("--figures", metavar="FOLDER", help="Folder for the maps' PNG files."),
    ] = Path("docs/figures"),
) -> None:
    """Write the decision map, break-even and PRIM regions of a sweep as a shipped folder."""
    from experiments.evidence import EvidenceError, build_evidence
    from experiments.files import check_folder_path

    check_folder_path(out)
    check_folder_path(figures)
    try:
        written = build_evidence(folder, out, spec=spec, figures=figures)
    except EvidenceError as error:
        raise CommandLineError(str(error)) from None
    console.print("Written: " + ", ".join(str(path) for path in written))
    if not any(path.suffix == ".png" for path in written):
        console.print("No PNG: it needs `pip install -e '.\\[docs]'` (kaleido) and Chromium.")


@app.command(cls=Command)
def dashboard(
    host: Annotated[
        str,
        typer.Option(
            metavar="ADDRESS",
            help="Address to listen on; 127.0.0.1 keeps the dashboard on this computer. "
            "0.0.0.0 opens it to your network (no login: only on a network you trust).",
        ),
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(min=1, max=65535, metavar="PORT", help="Port to listen on.")
    ] = 8050,
    max_jobs: Annotated[
        int | None,
        typer.Option(
            "--max-jobs",
            min=1,
            metavar="N",
            help="Simulations the dashboard runs at once for all its users; later ones wait "
            "in line [default: EACHCUSTOMER_MAX_JOBS, else 2].",
        ),
    ] = None,
) -> None:
    """Open the dashboard: explore what-ifs, compare plans, run lessons, in your browser."""
    from dashboard.app import create_app
    from dashboard.jobs import JobsSettingError, max_jobs_setting

    try:
        max_jobs = max_jobs_setting(max_jobs)
    except JobsSettingError as error:
        raise CommandLineError(str(error)) from None
    dash_app = create_app(max_jobs=max_jobs)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    console.print(
        f"EachCustomer dashboard: open [bold]http://{shown}:{port}/[/bold] in your "
        "browser (Ctrl+C stops it)."
    )
    if host != "127.0.0.1" and host != "localhost":
        console.print(
            f"[yellow]Listening on {host}: anyone who can reach this computer on "
            f"port {port} can use the dashboard.[/yellow]"
        )
    # A port in use or an unknown host: werkzeug says so and exits 1, without a traceback.
    dash_app.run(host=host, port=port, debug=False)


def main() -> None:
    """Entry point for `python -m eachcustomer`."""
    app()


if __name__ == "__main__":
    main()
