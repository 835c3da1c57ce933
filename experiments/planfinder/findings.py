"""What a finished search found: the finalists, on fresh seeds, and their effects.

- The finalists: the search's front (every candidate no other beats on all objectives on
  the search's seeds), best compromise first by pymoo's achievement scalarizing function
  (ASF) with the spec's weights, then the candidates nearest it by the same score, up to
  `search.finalists`. The selection (`eachcustomer.experiments.planfinder.selection`) runs
  them again on fresh seeds.
- The front table: each finalist in words, its objectives and each outcome's mean and t
  interval (`eachcustomer.experiments.analysis.statistics`) on its fresh replications, with
  the search's values beside them (`search_<objective>`).
- The forest rows: each finalist's and the chosen plan's paired difference from doing
  nothing per objective, judged by `verdicts.judge`, as
  `eachcustomer.experiments.reports.forest.Effect` rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from pymoo.decomposition.asf import ASF

from eachcustomer.experiments.analysis.statistics import paired_difference, t_interval
from eachcustomer.experiments.analysis.verdicts import judge
from eachcustomer.experiments.planfinder.objectives import PLAN_COST
from eachcustomer.experiments.planfinder.problem import PlanProblem
from eachcustomer.experiments.planfinder.search import Candidate, SearchResult, objective_values
from eachcustomer.experiments.planfinder.selection import Selection
from eachcustomer.experiments.planfinder.wording import KIND_LABELS, Effect, plan_sentence
from eachcustomer.experiments.reports.forest import Effect as ForestEffect

SMALLEST_WEIGHT = 1e-6


def asf_order(problem: PlanProblem, candidates: Sequence[Candidate]) -> list[int]:
    """Indices of `candidates`, best compromise first: ASF with the spec's weights on
    objectives scaled to their ranges (ties: the order given)."""
    points = np.array([c.objectives for c in candidates])
    low, high = points.min(axis=0), points.max(axis=0)
    span = np.where(high - low > 0, high - low, 1.0)
    weights = np.maximum(np.array(problem.weights, dtype=float), SMALLEST_WEIGHT)
    scores = np.asarray(ASF().do((points - low) / span, 1.0 / weights)).ravel()
    return [int(i) for i in np.argsort(scores, kind="stable")]


def recommend(problem: PlanProblem, candidates: Sequence[Candidate]) -> Candidate:
    """The best compromise of `candidates` by ASF (ties: the first in the order given)."""
    return candidates[asf_order(problem, candidates)[0]]


def choose_finalists(problem: PlanProblem, result: SearchResult) -> list[Candidate]:
    """The front by ASF, then the nearest other candidates, up to `search.finalists`."""
    count = problem.spec.search.finalists
    front = [result.candidates[key] for key in result.front]
    front = [front[i] for i in asf_order(problem, front)][:count]
    chosen = {c.key for c in front}
    others = [
        c
        for key, c in sorted(result.candidates.items())
        if key not in chosen and c.ok and np.isfinite(c.objectives).all() and c.plan
    ]
    if others and len(front) < count:
        every = front + others
        ranked = [every[i] for i in asf_order(problem, every) if every[i].key not in chosen]
        front += ranked[: count - len(front)]
    return front


def natural_values(problem: PlanProblem, minimized: np.ndarray) -> dict[str, float]:
    """The objectives' values with their own signs, by objective name."""
    return {
        objective.name: float(value if objective.minimize else -value)
        for objective, value in zip(problem.objectives, minimized, strict=True)
    }


def candidate_row(
    problem: PlanProblem, candidate: Candidate, fresh: dict[str, list[float]] | None = None
) -> dict[str, Any]:
    """A front row: the plan in words, its objectives, each outcome's interval, its parts;
    with `fresh`, the objectives and intervals are those fresh values' (the search's beside
    them as `search_<objective>`)."""
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
    searched = natural_values(problem, candidate.objectives)
    values = candidate.record["values"] if fresh is None else fresh
    if fresh is None:
        row.update(searched)
    else:
        row.update(
            natural_values(problem, objective_values(problem, {"values": fresh}, row["plan_cost"]))
        )
        row.update({f"search_{name}": value for name, value in searched.items()})
    for name in problem.outcomes:
        interval = t_interval(values[name])
        row[f"{name}_mean"], row[f"{name}_low"], row[f"{name}_high"] = (
            interval.mean,
            interval.low,
            interval.high,
        )
    return row


def front_table(problem: PlanProblem, selection: Selection, chosen: str) -> pd.DataFrame:
    """The finalists on their fresh replications, sorted by the primary objective (best
    first); `recommended` marks the plan the selection chose."""
    rows = []
    for finalist in selection.finalists:
        row = candidate_row(problem, finalist.candidate, finalist.values)
        row["fresh_replications"] = finalist.replications
        row["dropped_after"] = finalist.dropped_after
        rows.append(row)
    table = pd.DataFrame(rows)
    table.insert(1, "recommended", table["key"] == chosen)
    primary = problem.primary
    return table.sort_values(primary.name, ascending=primary.minimize, kind="stable").reset_index(
        drop=True
    )


def reference_values(problem: PlanProblem, values: dict[str, list[float]]) -> dict[str, float]:
    """Doing nothing's objectives on the given replications."""
    return natural_values(problem, objective_values(problem, {"values": values}, 0.0))


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


def short_label(problem: PlanProblem, candidate: Candidate) -> str:
    """A plan in a few words: "70% 'each customer' language, 30% customer outcomes..."."""
    if candidate.choice is None:
        return "a plan"
    parts = [
        f"{part.units * problem.encoding.step:.0%} {KIND_LABELS[part.kind].title.lower()}"
        for part in candidate.choice.parts
    ]
    return ", ".join(parts) or "no intervention"


FOREST_COLUMNS = (
    "objective",
    "outcome",
    "role",
    "key",
    "plan",
    "mean",
    "low",
    "high",
    "verdict",
    "n",
)


def forest_table(problem: PlanProblem, selection: Selection, confirmation: Any) -> pd.DataFrame:
    """Each finalist's (selection seeds) and the chosen plan's (confirmation seeds) paired
    difference from doing nothing per objective, one row each: the columns of
    `eachcustomer.experiments.reports.forest.Effect` with the objective, role and key."""
    rows = []
    ranked = sorted(
        selection.finalists,
        key=lambda f: f.key != selection.best,
    )
    for objective in problem.objectives:
        if objective.outcome == PLAN_COST:
            continue
        better = not objective.minimize
        title = "Recommended" if confirmation.beats_nothing else "Best candidate"
        chosen = confirmation.values[objective.outcome]
        entries = [
            (
                "chosen",
                confirmation.key,
                f"{title}, on {len(chosen)} confirming replications",
                paired_difference(chosen, confirmation.nothing[objective.outcome]),
            )
        ]
        for letter, finalist in zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", ranked, strict=False):
            count = finalist.replications
            entries.append(
                (
                    "finalist",
                    finalist.key,
                    f"{letter}: {short_label(problem, finalist.candidate)}",
                    paired_difference(
                        finalist.values[objective.outcome],
                        selection.nothing[objective.outcome][:count],
                    ),
                )
            )
        for role, key, plan, interval in entries:
            rows.append(
                {
                    "objective": objective.name,
                    "outcome": objective.outcome,
                    "role": role,
                    "key": key,
                    "plan": plan,
                    "mean": interval.mean,
                    "low": interval.low,
                    "high": interval.high,
                    "verdict": judge(interval, better, "nothing").word,
                    "n": interval.n,
                }
            )
    return pd.DataFrame(rows, columns=list(FOREST_COLUMNS))


def forest_effects(table: pd.DataFrame, objective: str) -> list[ForestEffect]:
    """One objective's rows of `forest_table` as forest plot rows, in order."""
    rows = table[table["objective"] == objective]
    return [
        ForestEffect(
            plan=str(row["plan"]),
            mean=float(row["mean"]),
            low=float(row["low"]),
            high=float(row["high"]),
            verdict=str(row["verdict"]),
            n=int(row["n"]),
        )
        for _, row in rows.iterrows()
    ]
