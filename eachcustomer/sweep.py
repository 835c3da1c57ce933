"""The `eachcustomer sweep` command: many runs of a spec, resumable, with a progress bar."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from eachcustomer.options import (
    AllowLarge,
    DaskLocalOption,
    DaskSchedulerOption,
    PlainLog,
    ReplicationPosteriorOption,
    check_cluster_extra,
    check_one_cluster,
    chosen_limits,
    console,
    resumable,
    resumable_out_option,
    workers_option,
)


def sweep(
    spec: Annotated[
        str,
        typer.Argument(
            metavar="SPEC",
            help="A built-in sweep spec's name (small, sobol, ...: `eachcustomer list sweeps`) "
            "or a sweep spec TOML file.",
        ),
    ],
    out: Annotated[Path, resumable_out_option("sweep")],
    workers: Annotated[int | None, workers_option()] = None,
    dask_scheduler: DaskSchedulerOption = None,
    dask_local: DaskLocalOption = False,
    retry_failed: Annotated[
        bool,
        typer.Option("--retry-failed", help="On resume, run again the runs recorded as failed."),
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Check the spec, print the number of runs, run nothing."),
    ] = False,
    posterior: ReplicationPosteriorOption = None,
    allow_large: AllowLarge = False,
) -> None:
    """Run a parameter sweep, writing each run as it finishes; rerun to resume."""
    from eachcustomer.experiments.loading.files import check_folder_path
    from eachcustomer.experiments.loading.folders import SWEEP, check_folder_kind, claim_folder
    from eachcustomer.experiments.loading.sweeps import load_sweep
    from eachcustomer.experiments.running.executors import make_executor, run_sweep
    from eachcustomer.sim.warmup import COMPILING, compile_kernels

    check_one_cluster(dask_scheduler, dask_local)
    check_folder_kind(check_folder_path(out), SWEEP)
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
    if loaded.posterior is not None:
        from eachcustomer.experiments.calibration.verdict import folder_warning

        warning = folder_warning(loaded.posterior.folder)
        if warning:
            console.print(f"[bold red]{warning}[/bold red]")
    if dry_run:
        return
    check_cluster_extra(dask_scheduler, dask_local)
    executor = make_executor(workers, dask_scheduler, dask_local)  # a cluster that answers
    try:
        with claim_folder(out, SWEEP):  # a second sweep into this folder is refused at once
            compile_kernels(announce=lambda: console.print(COMPILING))  # not in every worker
            with sweep_progress() as show, resumable(show.bar, out, "runs"):
                done = run_sweep(loaded, out, executor, retry_failed=retry_failed, on_progress=show)
    finally:
        executor.close()
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
        self.log = PlainLog(console)

    def __call__(self, progress: Any) -> None:
        self.bar.update(
            self.task, total=progress.total, completed=progress.finished, failed=progress.failed
        )
        self.log(f"{progress.finished}/{progress.total} runs, {progress.failed} failed")


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
