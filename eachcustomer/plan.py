"""The `eachcustomer plan` command: search for the best plan on a budget, resumable."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TextColumn

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


def plan(
    spec: Annotated[
        str,
        typer.Argument(
            metavar="SPEC",
            help="A built-in plan-finder spec's name (plan_finder: `eachcustomer list "
            "plan-finder`) or a plan search spec TOML file.",
        ),
    ],
    out: Annotated[Path, resumable_out_option("search")],
    workers: Annotated[int | None, workers_option()] = None,
    dask_scheduler: DaskSchedulerOption = None,
    dask_local: DaskLocalOption = False,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Check the spec, say what it would search, run nothing."),
    ] = False,
    posterior: ReplicationPosteriorOption = None,
    allow_large: AllowLarge = False,
) -> None:
    """Find the best mix of interventions for a budget (NSGA-II); rerun to resume."""
    from eachcustomer.experiments.loading.files import check_folder_path
    from eachcustomer.experiments.loading.folders import (
        PLAN_SEARCH,
        check_folder_kind,
        claim_folder,
    )
    from eachcustomer.experiments.planfinder.checks import load_plan_search
    from eachcustomer.experiments.running.executors import make_executor

    check_one_cluster(dask_scheduler, dask_local)
    check_folder_kind(check_folder_path(out), PLAN_SEARCH)
    problem = load_plan_search(spec, limits=chosen_limits(allow_large), posterior=posterior)
    console.print(plan_search_intro(problem))
    if dry_run:
        return
    check_cluster_extra(dask_scheduler, dask_local)
    from eachcustomer.experiments.planfinder.finder import find_plan
    from eachcustomer.sim.warmup import COMPILING, compile_kernels

    executor = make_executor(workers, dask_scheduler, dask_local)  # a cluster that answers
    try:
        with claim_folder(out, PLAN_SEARCH):  # a second search here is refused at once
            # A local pool runs the first candidates in this process (it starts once they
            # show that it pays): load the kernels before the progress bar, as `sweep` does.
            compile_kernels(announce=lambda: console.print(COMPILING))
            with plan_progress(problem) as show, resumable(show.bar, out, "evaluations"):
                report = find_plan(
                    problem,
                    out,
                    executor,
                    on_progress=show.generation,
                    on_evaluated=show.evaluated,
                )
    finally:
        executor.close()
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
        f"then up to {spec.search.finalists} finalists on {spec.search.first_replications} to "
        f"{spec.search.replication_cap} fresh replications each, the chosen one confirmed on "
        f"{spec.search.validation_replications} more)"
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
    from eachcustomer.experiments.planfinder.report import explanation

    console.print(f"\n[bold]{report.heading}:[/bold]")
    for paragraph in report.paragraphs:
        console.print(f"  {paragraph}")
    seeds = len(report.problem.validation_seeds)
    console.print(f"Expected at week {report.problem.weeks} ({seeds} fresh replications):")
    for line in report.effect_lines():
        console.print(f"  - {line}")
    for line in explanation(report):
        console.print(f"  - {line}")
    for note in report.library_notes:
        console.print(f"  {note}")
    console.print(
        f"\nWritten to [bold]{out}[/bold]: "
        + ", ".join(sorted(path.name for path in report.files))
        + f". `eachcustomer run {out / 'recommended.toml'}` runs the "
        + ("recommended plan." if report.recommended else "best candidate.")
    )


class _PlanProgress:
    """A progress bar over generations, counting plans evaluated; lines without a terminal."""

    def __init__(self, bar: Progress, generations: int) -> None:
        self.bar = bar
        self.task = bar.add_task("plan search", total=generations, evaluated=0, cached=0)
        self.log = PlainLog(console)

    def generation(self, progress: Any) -> None:
        self.bar.update(self.task, completed=progress.generation, description=progress.phase)
        self.log(
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
