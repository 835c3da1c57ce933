"""The `eachcustomer calibrate` command: fit parameters to a targets file, with a progress bar."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from eachcustomer.options import (
    DaskLocalOption,
    DaskSchedulerOption,
    PlainLog,
    check_cluster_extra,
    check_one_cluster,
    chosen_limits,
    console,
    worker_lost,
    workers_option,
)


class CalibrationProgress:
    """One bar per population, then one for the checks; lines instead without a terminal."""

    def __init__(self, bar: Progress, console: Console) -> None:
        self.bar = bar
        self.tasks: dict[Any, Any] = {}
        self.log = PlainLog(console)

    def __call__(self, progress: Any) -> None:
        if progress.phase == "abc":
            key = ("abc", progress.generation)
            if key not in self.tasks:
                name = (
                    "prior sample"
                    if progress.generation < 0
                    else f"population {progress.generation + 1}/{progress.populations}"
                )
                self.tasks[key] = self.bar.add_task(name, total=progress.population_size, info="")
            self.bar.update(
                self.tasks[key],
                completed=progress.accepted,
                info=f"accepted, {progress.evaluations:,} evaluated",
            )
            line = f"{self.bar.tasks[self.tasks[key]].description}: {progress.accepted} accepted"
        else:
            if "checks" not in self.tasks:
                self.tasks["checks"] = self.bar.add_task(
                    "before and after", total=progress.total, info=""
                )
            self.bar.update(self.tasks["checks"], completed=progress.done, info="evaluated")
            line = f"before and after: {progress.done}/{progress.total}"
        self.log(line)


def calibrate(
    targets: Annotated[
        str,
        typer.Argument(
            metavar="TARGETS",
            help="A built-in targets file's name (published_targets, published_units: "
            "`eachcustomer list targets`) or a targets TOML file of your own.",
        ),
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out", metavar="FOLDER", help="A new folder for the posterior, tables and summary."
        ),
    ],
    workers: Annotated[
        int | None, workers_option("Worker processes (default: all cores); 1 runs here.")
    ] = None,
    dask_scheduler: DaskSchedulerOption = None,
    dask_local: DaskLocalOption = False,
    populations: Annotated[
        int | None,
        typer.Option(
            "--populations",
            min=1,
            max=100,
            metavar="N",
            help="Most populations (default: the file's abc.populations).",
        ),
    ] = None,
    population_size: Annotated[
        int | None,
        typer.Option(
            "--population-size",
            min=5,
            max=100_000,
            metavar="N",
            help="Particles per population (default: the file's abc.population_size).",
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Check the targets file, say what it runs, run nothing."),
    ] = False,
    allow_large: Annotated[
        bool,
        typer.Option(
            "--allow-large",
            help="Raise the size limits (employees, customers) for a bigger machine.",
        ),
    ] = False,
) -> None:
    """Fit the uncertain parameters to targets (ABC-SMC); write the posterior and a summary."""
    from eachcustomer.experiments.calibration.runner import (
        check_out_folder,
        check_runnable,
        require_pyabc,
    )
    from eachcustomer.experiments.calibration.simulate import RunCounts
    from eachcustomer.experiments.calibration.targets import load_targets

    check_one_cluster(dask_scheduler, dask_local)
    check_out_folder(out)
    calibration = load_targets(targets, limits=chosen_limits(allow_large))
    check_runnable(calibration)
    counts = RunCounts.of(tuple(t.request() for t in calibration.fitted))
    settings = calibration.spec.abc
    console.print(
        f"[bold]{calibration.spec.title}[/bold]: fitting {', '.join(calibration.priors)} to "
        f"{', '.join(t.key for t in calibration.fitted)}; each evaluation runs "
        f"{counts.baseline} organization runs, {counts.training} with a training day and "
        f"{counts.units} small organizations"
        + (f", {counts.practices} practising culture change" if counts.practices else "")
        + (f", {counts.observed} observed as the firm observes itself" if counts.observed else "")
        + f"; up to {populations or settings.populations} "
        f"populations of {population_size or settings.population_size}."
    )
    print_estimate(calibration, workers, populations, population_size)
    if dry_run:
        return
    check_cluster_extra(dask_scheduler, dask_local)
    require_pyabc()
    manifest = run_with_progress(
        calibration,
        out,
        workers=workers,
        dask_scheduler=dask_scheduler,
        dask_local=dask_local,
        populations=populations,
        population_size=population_size,
    )
    print_targets(console, out)
    print_verdict(console, manifest, out)


def print_estimate(
    calibration: Any, workers: int | None, populations: int | None, population_size: int | None
) -> None:
    """The estimated cost, from one timed evaluation (`budget.probe`)."""
    from eachcustomer.experiments.calibration.budget import estimate, probe

    cost = estimate(
        calibration,
        probe(calibration),
        workers=workers,
        populations=populations,
        population_size=population_size,
    )
    console.print(cost.sentence())


def run_with_progress(calibration: Any, out: Path, **settings: Any) -> dict[str, Any]:
    """Calibrate with a progress bar; a worker that dies ends the command with exit code 1."""
    from eachcustomer.experiments.calibration.runner import calibrate as run_calibration

    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[info]}"),
        TimeElapsedColumn(),
        console=console,
    ) as bar:
        try:
            return run_calibration(
                calibration, out, on_progress=CalibrationProgress(bar, console), **settings
            )
        except worker_lost() as error:
            bar.stop()
            console.print(
                f"[red]A worker died[/red] ({type(error).__name__}: {error}); nothing was "
                f"written to {out}."
            )
            raise typer.Exit(code=1) from None


def print_verdict(console: Console, manifest: dict[str, Any], out: Path) -> None:
    """The cost, the diagnostics and the label; an unusable posterior said in red."""
    verdict = manifest["verdict"]
    console.print(
        f"{manifest['evaluations']:,} parameter sets evaluated ({manifest['simulations']:,} "
        f"simulations) in {manifest['seconds']:.0f} s; final epsilon "
        f"{manifest['final_epsilon']:.3g} (target 1), effective sample size "
        f"{verdict['effective_sample_size']:.3g} of {verdict['population_size']} (usable from "
        f"{verdict['ess_share_required']:g} x), acceptance rate "
        f"{verdict['acceptance_rate']:.3g}."
    )
    if not verdict["usable"]:
        from eachcustomer.experiments.calibration.verdict import WARNING_FILE, Verdict

        known = {k: v for k, v in verdict.items() if k in Verdict.__dataclass_fields__}
        console.print(f"[bold red]{Verdict(**known).warning()}[/bold red]")
        console.print(f"The tables and summary are in [bold]{out}[/bold] ({WARNING_FILE}).")
        return
    console.print(
        f"Posterior and summary in [bold]{out}[/bold] (summary.html); use it with "
        f"`eachcustomer run --posterior {out}` or `eachcustomer sweep SPEC --posterior {out}`."
    )


def print_targets(console: Console, out: Path) -> None:
    import pandas as pd

    frame = pd.read_csv(out / "targets.csv")
    predicted = pd.read_csv(out / "predictive_check.csv", keep_default_na=False)
    table = Table(
        title="Targets: the model before and after calibration (posterior predictive check)",
        title_justify="left",
    )
    columns = ("target", "use", "value", "accepted", "before", "after (5-95%)", "inside")
    for column in (*columns, "value in 5-95%"):
        table.add_column(column)
    for row, check in zip(frame.itertuples(index=False), predicted["inside"], strict=True):
        table.add_row(
            str(row.target),
            str(row.use),
            f"{row.value:.4g}",
            f"[{row.low:.4g}, {row.high:.4g}]",
            f"{row.before:.4g}",
            f"{row.after_mean:.4g} ({row.after_q05:.4g} to {row.after_q95:.4g})",
            f"{row.after_share_inside:.0%}",
            "yes" if str(check) == "True" else "[red]no[/red]",
        )
    console.print(table)
