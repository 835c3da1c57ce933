"""Find a plan: search, select, confirm, check, and write the results folder (`report`).

`find_plan(problem, out)` is what `eachcustomer plan` and the dashboard's Plan finder page
run: NSGA-II explores (`search`), Kim and Nelson's procedure picks among the finalists on
fresh seeds (`selection`), and the pick is recommended only if it beats doing nothing on
seeds neither used (`confirmation`). Every evaluation goes through one `Evaluator` (the
cache on disk, then the executor), so a killed run, started again, replays the search and
its checks without running any finished candidate again.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from eachcustomer.experiments.loading.folders import PLAN_SEARCH, claim_folder
from eachcustomer.experiments.planfinder.confirmation import confirm, headline
from eachcustomer.experiments.planfinder.evaluation import EvaluationContext
from eachcustomer.experiments.planfinder.evaluator import Evaluator, Tally
from eachcustomer.experiments.planfinder.findings import (
    choose_finalists,
    forest_table,
    front_table,
    reference_values,
)
from eachcustomer.experiments.planfinder.folder import SearchFolder
from eachcustomer.experiments.planfinder.library import check_library
from eachcustomer.experiments.planfinder.problem import PlanProblem
from eachcustomer.experiments.planfinder.report import PlanReport, write_outputs
from eachcustomer.experiments.planfinder.search import SearchProgress, run_search
from eachcustomer.experiments.planfinder.selection import Selection, select
from eachcustomer.experiments.planfinder.wording import plan_sentence
from eachcustomer.experiments.running.executors import ProcessExecutor


def evaluation_context(problem: PlanProblem) -> EvaluationContext:
    """What the workers need to evaluate this search's plans."""
    return EvaluationContext(
        params=problem.params,
        org=problem.setup.org,
        individuals=tuple(problem.setup.individuals),
        weeks=problem.weeks,
        outcomes=problem.outcomes,
        draws=problem.draws,
    )


def find_plan(
    problem: PlanProblem,
    out: str | Path,
    executor: Any = None,
    *,
    context: Any = None,
    on_progress: Callable[[SearchProgress], None] | None = None,
    on_evaluated: Callable[[Tally], None] | None = None,
) -> PlanReport:
    """Run the search and its checks into the results folder `out` (resumed if started).

    Args:
        problem: a checked spec (`eachcustomer.experiments.planfinder.checks.load_plan_search`).
        out: the results folder; new, or one this search was started in.
        executor: an executor of `eachcustomer.experiments.running.executors` (a process pool
            on all cores when None); closed at the end.
        context: what evaluates a plan on workers; `evaluation_context(problem)` when None
            (a stand-in with the same `execute(task)` lets tests check the search itself).
        on_progress: called after every generation and check.
        on_evaluated: called after every evaluation is written.
    """
    out = Path(out)
    try:
        with claim_folder(out, PLAN_SEARCH):
            return _find_plan(problem, out, executor, context, on_progress, on_evaluated)
    finally:
        if executor is not None:
            executor.close()  # the evaluator closes it too; closing twice is harmless


def _find_plan(
    problem: PlanProblem,
    out: Path,
    executor: Any,
    context: Any,
    on_progress: Callable[[SearchProgress], None] | None,
    on_evaluated: Callable[[Tally], None] | None,
) -> PlanReport:
    folder = SearchFolder.open(out, problem)
    evaluator = Evaluator(
        folder,
        context if context is not None else evaluation_context(problem),
        executor if executor is not None else ProcessExecutor(),
        on_evaluated,
    )
    try:
        result = run_search(problem, evaluator, out, on_progress)
        if on_progress is not None:
            generations = problem.spec.search.generations
            on_progress(
                SearchProgress(
                    generations, generations, evaluator.tally, len(result.candidates), "checks"
                )
            )
        [nothing] = evaluator.evaluate([((), problem.seeds)])
        finalists = choose_finalists(problem, result)
        if not finalists:
            raise ValueError("no candidate was evaluated without error: nothing to recommend")
        selection = select(problem, evaluator, finalists)
        chosen = result.candidates[selection.best]
        confirmation = confirm(problem, evaluator, chosen, nothing)
        library, notes = pd.DataFrame(), list[str]()
        if problem.spec.search.library_check:
            compared = [f.key for f in selection.finalists if f.key in set(result.front)]
            library, notes = check_library(problem, evaluator, result, compared)
    finally:
        evaluator.close()
    if chosen.choice is not None:
        built = problem.encoding.build(chosen.choice, problem.org, problem.params, problem.weeks)
        sentence = plan_sentence(built, problem.encoding, problem.weeks)
    else:
        sentence = ""
    heading, paragraphs = headline(problem, confirmation, sentence)
    report = PlanReport(
        problem=problem,
        result=result,
        front=front_table(problem, selection, chosen.key),
        recommended_key=chosen.key,
        sentence=sentence,
        effects=confirmation.effects,
        references=reference_rows(problem, library, selection),
        library=library,
        library_notes=notes,
        selection=selection,
        confirmation=confirmation,
        forest=forest_table(problem, selection, confirmation),
        heading=heading,
        paragraphs=paragraphs,
    )
    report.files = write_outputs(report, out)
    return report


def reference_rows(
    problem: PlanProblem, library: pd.DataFrame, selection: Selection
) -> pd.DataFrame:
    """Doing nothing on the selection's fresh seeds, and the library plans on the search's
    seeds (as the library check compares them), for the front chart."""
    names = [o.name for o in problem.objectives]
    rows = [{"plan": "doing nothing", **reference_values(problem, selection.nothing)}]
    if not library.empty:
        rows += [
            {
                "plan": f"library: {row['title']} ({row['plan']}), on the search's seeds",
                **{n: row[n] for n in names},
            }
            for _, row in library.iterrows()
        ]
    return pd.DataFrame(rows)
