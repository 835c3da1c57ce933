"""An honest check of the search: is the front at least as good as the plan library?

Every plan of the library that costs something is scaled to the spec's budget by the one
budget rule (`eachcustomer.sim.budget.scale_plan`, by coverage, else by duration) and evaluated on
the search's seeds. The library plans that no other library plan beats form the library's
front. For each, the check looks for a plan of the search's front that is at least as good
on every objective (on the same seeds); then both run again on fresh seeds (the
replications after the search's), where the search's plan had no chance to be picked for
its luck, and their paired differences are stated with their intervals.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from eachcustomer.experiments.analysis.statistics import Interval, paired_difference
from eachcustomer.experiments.analysis.verdicts import BETTER, WORSE, judge
from eachcustomer.experiments.loading.plans import NO_PLAN, plan_library
from eachcustomer.experiments.planfinder.evaluator import Evaluator
from eachcustomer.experiments.planfinder.findings import natural_values, recommend
from eachcustomer.experiments.planfinder.objectives import PLAN_COST
from eachcustomer.experiments.planfinder.problem import PlanProblem
from eachcustomer.experiments.planfinder.search import SearchResult, non_dominated, objective_values
from eachcustomer.sim.budget import SCALE_BY, TOLERANCE, BudgetError, scale_plan
from eachcustomer.sim.interventions import Intervention


def library_at_budget(
    problem: PlanProblem,
) -> tuple[dict[str, tuple[Intervention, ...]], list[str]]:
    """Every library plan that costs something, scaled to the budget; notes on the others."""
    plans: dict[str, tuple[Intervention, ...]] = {}
    notes = []
    budget = problem.spec.budget.amount
    for name, named in plan_library().items():
        if name == NO_PLAN or not named.interventions:
            continue
        scaled, why = None, ""
        for by in SCALE_BY:
            try:
                candidate = scale_plan(
                    named.interventions, budget, problem.org, problem.params, by, problem.weeks
                )
            except BudgetError as error:
                why = why or str(error)
                continue
            reached = problem.plan_cost(candidate)
            if abs(reached - budget) <= TOLERANCE * budget:
                scaled = candidate
                break
            why = why or f"scaled by {by} it costs {reached:,.0f}"
        if scaled is None:
            notes.append(
                f"The library's {name} cannot be brought to a budget of {budget:,.0f} "
                f"({why.rstrip('.')}); left out."
            )
            continue
        plans[name] = scaled
    return plans, notes


def check_library(
    problem: PlanProblem,
    evaluator: Evaluator,
    result: SearchResult,
    front_keys: list[str] | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """The library plans against the front (or the front plans `front_keys`, the finalists
    on it): a table and what it shows, in sentences."""
    plans, notes = library_at_budget(problem)
    if not plans:
        return pd.DataFrame(), notes
    names = list(plans)
    records = evaluator.evaluate([(plans[name], problem.seeds) for name in names])
    costs = [problem.plan_cost(plans[name]) for name in names]
    points = np.array(
        [objective_values(problem, r, c) for r, c in zip(records, costs, strict=True)]
    )
    best = set(non_dominated(points).tolist())
    front = [result.candidates[key] for key in (front_keys or result.front)]
    levers = {lever.kind for lever in problem.encoding.levers}
    rows: list[dict[str, Any]] = []
    fresh_pairs: list[tuple[str, str, tuple[Intervention, ...], tuple[Intervention, ...]]] = []
    for index, name in enumerate(names):
        kinds = sorted({item.kind for item in plans[name]})
        matches = [c for c in front if (c.objectives <= points[index]).all()]
        match = recommend(problem, matches) if matches else None
        rows.append(
            {
                "plan": name,
                "title": plan_library()[name].title,
                "kinds": ", ".join(kinds),
                "within_levers": set(kinds) <= levers,
                "plan_cost": costs[index],
                "library_front": index in best,
                "matched_by": match.key if match is not None else "",
                **natural_values(problem, points[index]),
            }
        )
        if index in best and match is not None:
            fresh_pairs.append((name, match.key, plans[name], match.plan))
    table = pd.DataFrame(rows)
    table = _fresh_check(problem, evaluator, table, fresh_pairs)
    return table, notes + library_statements(problem, table)


def _fresh_check(
    problem: PlanProblem,
    evaluator: Evaluator,
    table: pd.DataFrame,
    pairs: list[tuple[str, str, tuple[Intervention, ...], tuple[Intervention, ...]]],
) -> pd.DataFrame:
    """Each library-front plan and its match on fresh seeds: the match's paired advantage."""
    seeds = problem.validation_seeds
    runs = evaluator.evaluate([(plan, seeds) for _, _, a, b in pairs for plan in (a, b)])
    table["fresh_at_least_as_good"] = pd.Series([None] * len(table), dtype=object)
    for number, (name, _, library_plan, found_plan) in enumerate(pairs):
        library_run, found_run = runs[2 * number], runs[2 * number + 1]
        row = table.index[table["plan"] == name][0]
        better = True
        for objective in problem.objectives:
            if objective.outcome == PLAN_COST:
                ours, theirs = problem.plan_cost(found_plan), problem.plan_cost(library_plan)
            else:
                ours = objective.value(found_run["values"][objective.outcome])
                theirs = objective.value(library_run["values"][objective.outcome])
                difference = paired_difference(
                    found_run["values"][objective.outcome],
                    library_run["values"][objective.outcome],
                )
                table.loc[row, f"fresh_difference_{objective.outcome}"] = difference.mean
                table.loc[row, f"fresh_difference_{objective.outcome}_low"] = difference.low
                table.loc[row, f"fresh_difference_{objective.outcome}_high"] = difference.high
            table.loc[row, f"fresh_{objective.name}"] = theirs
            table.loc[row, f"fresh_match_{objective.name}"] = ours
            better &= bool(ours <= theirs if objective.minimize else ours >= theirs)
        table.loc[row, "fresh_at_least_as_good"] = better
    return table


def fresh_verdicts(problem: PlanProblem, row: pd.Series) -> list[tuple[str, str]]:
    """The match against the library plan on fresh seeds, per objective: the paired
    difference in words and its verdict (`verdicts.judge`, two plans: "better", "worse" or
    "too close to call")."""
    from eachcustomer.experiments.analysis.outcomes import outcome as outcome_of

    said = []
    for objective in problem.objectives:
        column = f"fresh_difference_{objective.outcome}"
        if objective.outcome == PLAN_COST or column not in row or pd.isna(row[column]):
            continue
        info = outcome_of(objective.outcome)
        percent = info.fmt.endswith("%")
        scale, unit, fmt = (
            (100.0, " points", "+,.1f") if percent else (1.0, "", "+" + info.fmt.lstrip("+"))
        )
        low, high = (format(row[f"{column}_{end}"] * scale, fmt) for end in ("low", "high"))
        interval = Interval(
            problem.spec.search.validation_replications,
            float(row[column]),
            float("nan"),
            float(row[f"{column}_low"]),
            float(row[f"{column}_high"]),
        )
        verdict = judge(interval, not objective.minimize, "plan").word
        said.append(
            (
                f"{info.label} {format(row[column] * scale, fmt)}{unit}, 95% interval {low} to "
                f"{high}: {verdict}",
                verdict,
            )
        )
    return said


def library_statements(problem: PlanProblem, table: pd.DataFrame) -> list[str]:
    """What the library check shows, one sentence per library-front plan, in the words of
    `verdicts.judge`."""
    if table.empty:
        return []
    statements = []
    for _, row in table[table["library_front"]].iterrows():
        name = row["plan"]
        if not row["matched_by"]:
            statements.append(
                f"No plan of the front is at least as good as the library's {name} on every "
                "objective on the search's seeds."
            )
            continue
        verdicts = fresh_verdicts(problem, row)
        words = {word for _, word in verdicts}
        if words == {BETTER}:
            verdict = "and on fresh seeds it does better on every objective"
        elif WORSE not in words:
            verdict = "and on fresh seeds it does no worse on any objective"
        else:
            verdict = "but on fresh seeds it does worse on some objective"
        statements.append(
            f"The front holds a plan at least as good as the library's {name} on every "
            f"objective on the search's seeds ({row['matched_by'][:8]}), {verdict} "
            f"({'; '.join(text for text, _ in verdicts)})."
        )
    return statements
