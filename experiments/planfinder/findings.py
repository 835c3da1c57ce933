"""What a finished search found: the front, the recommended plan and its checks.

- The front: every evaluated candidate no other beats on all objectives (on the search's
  seeds), with each outcome's mean and t interval (`eachcustomer.experiments.analysis.statistics`).
- The recommended plan: the front's best compromise by pymoo's achievement scalarizing
  function (ASF) with the spec's weights, on objectives scaled to the front's ranges.
- Its check on fresh seeds: the recommended plan and doing nothing on the replications
  after the search's (`PlanProblem.validation_seeds`), since the front's own numbers were
  picked as the best of many noisy estimates and flatter the plans on them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from pymoo.decomposition.asf import ASF

from eachcustomer.experiments.analysis.statistics import paired_difference, t_interval
from eachcustomer.experiments.planfinder.evaluator import Evaluator
from eachcustomer.experiments.planfinder.objectives import PLAN_COST
from eachcustomer.experiments.planfinder.problem import PlanProblem
from eachcustomer.experiments.planfinder.search import Candidate, SearchResult
from eachcustomer.experiments.planfinder.wording import Effect, plan_sentence

SMALLEST_WEIGHT = 1e-6


def recommend(problem: PlanProblem, candidates: Sequence[Candidate]) -> Candidate:
    """The front's best compromise: ASF with the spec's weights on objectives scaled to the
    front's ranges (ties: the first in the order given)."""
    points = np.array([c.objectives for c in candidates])
    low, high = points.min(axis=0), points.max(axis=0)
    span = np.where(high - low > 0, high - low, 1.0)
    weights = np.maximum(np.array(problem.weights, dtype=float), SMALLEST_WEIGHT)
    scores = ASF().do((points - low) / span, 1.0 / weights)
    return candidates[int(np.argmin(np.asarray(scores).ravel()))]


def natural_values(problem: PlanProblem, minimized: np.ndarray) -> dict[str, float]:
    """The objectives' values with their own signs, by objective name."""
    return {
        objective.name: float(value if objective.minimize else -value)
        for objective, value in zip(problem.objectives, minimized, strict=True)
    }


def candidate_row(problem: PlanProblem, candidate: Candidate) -> dict[str, Any]:
    """A front row: the plan in words, its objectives, each outcome's interval, its parts."""
    row: dict[str, Any] = {"key": candidate.key, "generation": candidate.generation}
    encoding = problem.encoding
    if candidate.choice is not None:
        built = encoding.build(candidate.choice, problem.org, problem.params, problem.weeks)
        row["plan"] = plan_sentence(built, encoding, problem.weeks)
        for lever in encoding.levers:
            part = next((b for b in built if b.part.kind == lever.kind), None)
            used = part is not None and part.intervention is not None
            row[f"{lever.kind}_budget_share"] = (
                part.part.units * encoding.step if part is not None and used else 0.0
            )
            row[f"{lever.kind}_coverage"] = (
                lever.coverages[part.part.coverage].name if part is not None and used else ""
            )
            row[f"{lever.kind}_start"] = part.part.start if part is not None and used else None
            row[f"{lever.kind}_share_covered"] = (
                part.intervention.coverage.share
                if part is not None and part.intervention is not None
                else 0.0
            )
    row["plan_cost"] = candidate.cost
    row.update(natural_values(problem, candidate.objectives))
    for name in problem.outcomes:
        interval = t_interval(candidate.record["values"][name])
        row[f"{name}_mean"], row[f"{name}_low"], row[f"{name}_high"] = (
            interval.mean,
            interval.low,
            interval.high,
        )
    return row


def front_table(problem: PlanProblem, result: SearchResult, recommended: str) -> pd.DataFrame:
    """The Pareto front, sorted by the first objective (best first)."""
    rows = [candidate_row(problem, result.candidates[key]) for key in result.front]
    table = pd.DataFrame(rows)
    table.insert(1, "recommended", table["key"] == recommended)
    first = problem.objectives[0]
    return table.sort_values(first.name, ascending=first.minimize, kind="stable").reset_index(
        drop=True
    )


def effects(problem: PlanProblem, record: dict[str, Any], base: dict[str, Any]) -> list[Effect]:
    """Each objective's outcome for a plan and its paired difference from doing nothing."""
    found = []
    for objective in problem.objectives:
        if objective.outcome == PLAN_COST:
            continue
        values = record["values"][objective.outcome]
        reference = base["values"][objective.outcome]
        percentile = objective.statistic == "percentile"
        found.append(
            Effect(
                outcome=objective.outcome,
                level=t_interval(values),
                difference=paired_difference(values, reference),
                statistic_label=objective.statistic_words if percentile else "",
                statistic=objective.value(values) if percentile else float("nan"),
                statistic_base=objective.value(reference) if percentile else float("nan"),
            )
        )
    return found


def find(
    problem: PlanProblem, evaluator: Evaluator, result: SearchResult
) -> tuple[Candidate, list[Effect], dict[str, Any]]:
    """The recommended plan and its effects on fresh seeds, against doing nothing."""
    if not result.front:
        raise ValueError("no candidate was evaluated without error: nothing to recommend")
    chosen = recommend(problem, [result.candidates[key] for key in result.front])
    seeds = problem.validation_seeds
    fresh, nothing = evaluator.evaluate([(chosen.plan, seeds), ((), seeds)])
    return chosen, effects(problem, fresh, nothing), fresh
