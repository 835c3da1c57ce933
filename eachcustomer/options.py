"""What the `eachcustomer` commands share: options, size limits, the console, stopping cleanly."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress

from eachcustomer.userrors import CommandLineError

console = Console()

LOG_EVERY = 30.0
"""Seconds between progress lines when the output is not a terminal."""

PosteriorOption = Annotated[
    Path | None,
    typer.Option(
        "--posterior",
        metavar="FOLDER",
        help="Draw the fitted parameters from the posterior of the calibration in FOLDER "
        "(`eachcustomer calibrate`), or of a built-in one (published_units: `eachcustomer "
        "list posteriors`), seeded by the run's seed.",
    ),
]

ReplicationPosteriorOption = Annotated[
    Path | None,
    typer.Option(
        "--posterior",
        metavar="FOLDER",
        help="Each replication draws the fitted parameters from the posterior of the "
        "calibration in FOLDER, or of a built-in one (published_units), replacing the spec's "
        "`posterior` key.",
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

DaskSchedulerOption = Annotated[
    str | None,
    typer.Option(
        "--dask-scheduler",
        metavar="ADDRESS",
        help="Run on the Dask cluster whose scheduler is at ADDRESS (tcp://host:8786); "
        "a scheduler that does not answer within 10 s is an error.",
    ),
]

DaskLocalOption = Annotated[
    bool,
    typer.Option("--dask-local", help="Start a local Dask cluster with --workers workers."),
]


def workers_option(
    help: str = (
        "Worker processes (default: all cores); 1 runs in this process. The workers start "
        "only when they pay: runs are made in this process until the work ahead, timed on "
        "them, outweighs the pool's start (about 2.5 s of CPU), so a small job never waits "
        "for workers; once started they serve the whole job."
    ),
) -> Any:
    """The `--workers N` option of the commands that run many simulations."""
    return typer.Option("--workers", min=1, metavar="N", help=help)


def resumable_out_option(work: str) -> Any:
    """The `--out FOLDER` option of a command that resumes an interrupted `work`."""
    return typer.Option(
        "--out",
        metavar="FOLDER",
        help=f"Results folder: a new one, or the folder of an interrupted {work}, "
        "which is then resumed.",
    )


def check_one_cluster(dask_scheduler: str | None, dask_local: bool) -> None:
    """Refuse both `--dask-scheduler` and `--dask-local`: they name two different clusters."""
    if dask_scheduler is not None and dask_local:
        raise CommandLineError("--dask-scheduler and --dask-local: choose one")
    if dask_scheduler is not None:
        from eachcustomer.experiments.running.executors import check_scheduler_address

        check_scheduler_address(dask_scheduler)


def check_cluster_extra(dask_scheduler: str | None, dask_local: bool) -> None:
    """Refuse a Dask cluster without the [cluster] extra, before any work is done.

    Called after a dry run's early return: a dry run checks the spec, not the installation.
    """
    if dask_scheduler is not None or dask_local:
        from eachcustomer.experiments.running.executors import require_dask

        require_dask()


def chosen_limits(allow_large: bool) -> Any:
    """The size limits of a command: `eachcustomer.sim.limits`' defaults, or the large ones."""
    import dataclasses

    from eachcustomer.sim.limits import DEFAULT_LIMITS, LARGE_LIMITS

    return LARGE_LIMITS if allow_large else dataclasses.replace(DEFAULT_LIMITS, how="--allow-large")


def worker_lost() -> tuple[type[BaseException], ...]:
    """Errors that mean a worker process died (killed, out of memory), not that a run failed."""
    from concurrent.futures.process import BrokenProcessPool

    kinds: list[type[BaseException]] = [BrokenProcessPool]
    # Only a Dask cluster raises KilledWorker, and a cluster has imported its scheduler module:
    # without one, Dask (the [cluster] extra) is neither needed nor imported here.
    scheduler = sys.modules.get("distributed.scheduler")
    if scheduler is not None:
        kinds.append(scheduler.KilledWorker)
    return tuple(kinds)


@contextmanager
def resumable(bar: Progress, out: Path, finished: str) -> Iterator[None]:
    """Ctrl+C or a dead worker stop the bar and say that the `finished` work in `out` is kept.

    Exits 130 on an interrupt and 1 on a lost worker; rerunning the command resumes.
    """
    try:
        yield
    except KeyboardInterrupt:
        bar.stop()
        console.print(
            f"[yellow]Interrupted.[/yellow] Finished {finished} are saved in {out}; "
            "rerun the same command to resume."
        )
        raise typer.Exit(code=130) from None
    except worker_lost() as error:  # evaluated only when something is raised
        bar.stop()
        console.print(
            f"[red]A worker died[/red] ({type(error).__name__}: {error}); finished "
            f"{finished} are saved in {out}; rerun the same command to resume."
        )
        raise typer.Exit(code=1) from None


class PlainLog:
    """Progress lines for output that is not a terminal, one every `LOG_EVERY` seconds.

    Without a terminal (batch jobs, logs) a rich bar draws once at the end: these lines
    say where the work stands in between.
    """

    def __init__(self, console: Console) -> None:
        self.console = console
        self.logged = 0.0

    def __call__(self, line: str) -> None:
        if not self.console.is_terminal and time.monotonic() - self.logged > LOG_EVERY:
            self.logged = time.monotonic()
            self.console.print(line)
