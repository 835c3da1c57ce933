"""The search: NSGA-II (pymoo) over candidate plans, replayable from its seed.

pymoo's ask-and-tell interface leaves the evaluations to us: each generation's candidates
are decoded into plans (`eachcustomer.experiments.planfinder.encoding`), evaluated on the same
replication seeds through the cache and the executor (`Evaluator`), and their objective
values told back. NSGA-II draws all its random numbers from its own generator seeded with
the spec's seed, and the values it is told are read from the cache in the same way whether
they were just computed or found there, so a rerun of a killed search replays the same
generations without running finished candidates again.

Convergence is the hypervolume of everything found so far (pymoo's indicator), with the
objectives scaled by the first generation's ranges and the reference point 10% beyond its
worst values, so the numbers compare across generations of one search.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pymoo.algorithms.moo.nsga2 import NSGA2
from pymoo.core.duplicate import DuplicateElimination
from pymoo.core.evaluator import Evaluator as PymooEvaluator
from pymoo.core.problem import Problem
from pymoo.indicators.hv import HV
from pymoo.operators.crossover.sbx import SBX
from pymoo.operators.mutation.pm import PM
from pymoo.problems.static import StaticProblem
from pymoo.util.nds.non_dominated_sorting import NonDominatedSorting

from eachcustomer.experiments.loading.files import write_atomically
from eachcustomer.experiments.planfinder.encoding import GENES_PER_LEVER, Choice, Encoding
from eachcustomer.experiments.planfinder.evaluator import Evaluator, Tally
from eachcustomer.experiments.planfinder.objectives import PLAN_COST
from eachcustomer.experiments.planfinder.problem import PlanProblem
from eachcustomer.sim.interventions import Intervention

INITIAL_STREAM = 0x1A17
"""Mixed with the master seed for the first generation's random plans (a stream of its own)."""
REFERENCE_MARGIN = 0.1
"""The hypervolume's reference point lies this share of the first generation's range beyond
its worst value on every objective."""
GENERATIONS_FILE = "generations.parquet"


@dataclass(frozen=True)
class Candidate:
    """One evaluated plan of the search."""

    key: str
    choice: Choice | None
    plan: tuple[Intervention, ...]
    cost: float
    record: dict[str, Any]
    generation: int
    objectives: np.ndarray
    """The objectives' values as the search minimizes them (maximized ones negated)."""

    @property
    def ok(self) -> bool:
        return bool(self.record.get("status") == "ok")


@dataclass
class SearchProgress:
    """Where a search stands, for progress bars."""

    generation: int
    generations: int
    tally: Tally
    candidates: int = 0
    phase: str = "search"


@dataclass
class SearchResult:
    """Everything the search found."""

    candidates: dict[str, Candidate]
    front: list[str]
    convergence: pd.DataFrame
    tally: Tally
    scale: tuple[np.ndarray, np.ndarray] = field(default_factory=lambda: (np.zeros(0),) * 2)


def objective_values(problem: PlanProblem, record: dict[str, Any], cost: float) -> np.ndarray:
    """A candidate's objectives as the search minimizes them, from its evaluation record."""
    values = []
    for objective in problem.objectives:
        if objective.outcome == PLAN_COST:
            values.append(cost)
        else:
            values.append(objective.to_minimize(record["values"].get(objective.outcome, [])))
    return np.array(values, dtype=float)


def non_dominated(points: np.ndarray) -> np.ndarray:
    """Indices of the rows no other row dominates (all objectives minimized)."""
    if not len(points):
        return np.zeros(0, dtype=int)
    return np.asarray(NonDominatedSorting().do(points, only_non_dominated_front=True), dtype=int)


def run_search(
    problem: PlanProblem,
    evaluator: Evaluator,
    out: Path,
    on_progress: Callable[[SearchProgress], None] | None = None,
) -> SearchResult:
    """Run NSGA-II for the spec's generations; every evaluation goes through `evaluator`."""
    encoding, search = problem.encoding, problem.spec.search
    space = Problem(
        n_var=encoding.variables,
        n_obj=len(problem.objectives),
        n_ieq_constr=1,
        xl=0.0,
        xu=1.0,
    )
    algorithm = NSGA2(
        pop_size=search.population,
        sampling=initial_vectors(problem),
        crossover=SBX(prob=0.9, eta=15),
        mutation=PM(eta=20),
        eliminate_duplicates=ChoiceDuplicates(encoding),
    )
    algorithm.setup(space, termination=("n_gen", search.generations), seed=problem.spec.seed)
    candidates: dict[str, Candidate] = {}
    rows: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    scale: tuple[np.ndarray, np.ndarray] | None = None
    for generation in range(1, search.generations + 1):
        population = algorithm.ask()
        members = evaluate_vectors(problem, evaluator, population.get("X"), generation)
        for member in members:
            candidates.setdefault(member.key, member)
        values = np.array([m.objectives if m.ok else np.zeros(len(m.objectives)) for m in members])
        violation = np.array([[0.0 if m.ok else 1.0] for m in members])
        PymooEvaluator().eval(StaticProblem(space, F=values, G=violation), population)
        algorithm.tell(infills=population)
        if scale is None:
            scale = first_scale(members)
        rows.append(convergence_row(generation, candidates, scale, len(members)))
        history += [
            {"generation": generation, "member": index, "key": m.key, "ok": m.ok}
            | {f"x{i}": float(v) for i, v in enumerate(x)}
            for index, (m, x) in enumerate(zip(members, population.get("X"), strict=True))
        ]
        write_history(out, history)
        if on_progress is not None:
            on_progress(
                SearchProgress(
                    generation, search.generations, evaluator.tally, len(candidates), "search"
                )
            )
    assert scale is not None
    front = front_keys(candidates)
    return SearchResult(candidates, front, pd.DataFrame(rows), evaluator.tally, scale)


def initial_vectors(problem: PlanProblem) -> np.ndarray:
    """The first generation: each lever alone, then random plans.

    Each lever alone (the whole budget on it, for its first coverage option, from its
    first start week) is a corner of the space that random plans, which split the budget
    among all levers, almost never reach; a lever that only pays off with a large share
    (leaders' time is dear) would otherwise go unseen. The rest are uniform random vectors
    from a generator seeded with the spec's seed.
    """
    encoding, population = problem.encoding, problem.spec.search.population
    count = len(encoding.levers)
    corners = np.zeros((min(count, population // 2), encoding.variables))
    for index in range(len(corners)):
        corners[index, index * GENES_PER_LEVER] = 1.0
    if encoding.spend_is_objective:
        corners[:, -1] = 1.0
    generator = np.random.default_rng([problem.spec.seed, INITIAL_STREAM])
    rest = generator.random((population - len(corners), encoding.variables))
    return np.vstack([corners, rest])


def write_history(out: Path, history: list[dict[str, Any]]) -> None:
    """Every generation's candidates so far: generation, member, key, ok and the vector."""
    table = pd.DataFrame(history)
    write_atomically(out / GENERATIONS_FILE, lambda path: table.to_parquet(path, index=False))


def evaluate_vectors(
    problem: PlanProblem, evaluator: Evaluator, vectors: np.ndarray, generation: int
) -> list[Candidate]:
    """Decode, build and evaluate one generation's vectors (each distinct plan once)."""
    encoding = problem.encoding
    choices = [encoding.decode(x) for x in vectors]
    plans = [encoding.plan(c, problem.org, problem.params, problem.weeks) for c in choices]
    records = evaluator.evaluate([(plan, problem.seeds) for plan in plans])
    members = []
    for choice, plan, record in zip(choices, plans, records, strict=True):
        cost = problem.plan_cost(plan)
        members.append(
            Candidate(
                key=record["key"],
                choice=choice,
                plan=plan,
                cost=cost,
                record=record,
                generation=generation,
                objectives=objective_values(problem, record, cost),
            )
        )
    return members


def front_keys(candidates: dict[str, Candidate]) -> list[str]:
    """The keys of the candidates that are evaluated and not dominated, in key order."""
    fine = sorted(key for key, c in candidates.items() if c.ok and np.isfinite(c.objectives).all())
    points = np.array([candidates[key].objectives for key in fine])
    return [fine[index] for index in sorted(non_dominated(points))] if fine else []


def first_scale(members: list[Candidate]) -> tuple[np.ndarray, np.ndarray]:
    """The first generation's best values and ranges, which scale every hypervolume."""
    points = np.array([m.objectives for m in members if m.ok and np.isfinite(m.objectives).all()])
    if not len(points):
        count = len(members[0].objectives) if members else 0
        return np.zeros(count), np.ones(count)
    low, high = points.min(axis=0), points.max(axis=0)
    span = np.where(high - low > 0, high - low, np.maximum(np.abs(high), 1.0))
    return low, span


def hypervolume(points: np.ndarray, scale: tuple[np.ndarray, np.ndarray]) -> float:
    """pymoo's hypervolume of `points` scaled by `scale`, reference 10% past the first
    generation's worst."""
    if not len(points):
        return 0.0
    low, span = scale
    scaled = (points - low) / span
    reference = np.full(points.shape[1], 1.0 + REFERENCE_MARGIN)
    inside = scaled[(scaled < reference).all(axis=1)]
    return float(HV(ref_point=reference)(inside)) if len(inside) else 0.0


def convergence_row(
    generation: int,
    candidates: dict[str, Candidate],
    scale: tuple[np.ndarray, np.ndarray],
    members: int,
) -> dict[str, Any]:
    """Hypervolume and front size of everything evaluated up to this generation."""
    front = front_keys(candidates)
    points = np.array([candidates[key].objectives for key in front])
    return {
        "generation": generation,
        "candidates": members,
        "evaluations": len(candidates),
        "front_size": len(front),
        "hypervolume": hypervolume(points, scale),
    }


class ChoiceDuplicates(DuplicateElimination):
    """pymoo's duplicate elimination by decoded plan: vectors that decode to the same choice
    are one candidate, evaluated once."""

    def __init__(self, encoding: Encoding) -> None:
        super().__init__()
        self.encoding = encoding

    def _do(self, pop: Any, other: Any, is_duplicate: np.ndarray) -> np.ndarray:
        seen = set() if other is None else {self.encoding.decode(x).key for x in other.get("X")}
        for index, x in enumerate(pop.get("X")):
            key = self.encoding.decode(x).key
            is_duplicate[index] = key in seen
            seen.add(key)
        return is_duplicate
