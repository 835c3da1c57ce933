"""Evaluating a candidate plan: the same replication seeds for every candidate.

`evaluate_plan` is the one function that runs a plan: every replication seed of the search
(`eachcustomer.sim.replications.replication_seeds`), so candidates are compared on common random
numbers, stepped together in batches (`eachcustomer.experiments.running.runs.run_replications`,
whose runs equal `run_model`'s seed for seed); with a posterior, each seed runs alone with its own
draw.

`EvaluationContext` is what the executors of `eachcustomer.experiments.running.executors` ship to
workers once; a task is one candidate (its key, interventions and seeds), and its row the
candidate's outcomes, one value per replication.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from eachcustomer.sim.interventions import Intervention
from eachcustomer.sim.organization import Organization
from eachcustomer.sim.params import Params


def plan_key(plan: Sequence[Intervention], seeds: Sequence[int]) -> str:
    """A candidate's identity in the evaluation cache: its interventions and its seeds."""
    text = json.dumps(
        {"plan": [item.model_dump(mode="json") for item in plan], "seeds": [int(s) for s in seeds]},
        sort_keys=True,
    )
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class EvaluationContext:
    """What every evaluation of a search shares; picklable, sent to each worker once.

    Attributes:
        params: the parameters (the scenario's with the spec's constants and horizon).
        org: the scenario's org chart, or None for a generated organization.
        individuals: people the scenario places at the start.
        weeks: the horizon.
        outcomes: the run summaries or `final_<output>` values to keep per replication.
        draws: parameters drawn from a posterior per seed (replication r's own), or empty.
    """

    params: Params
    org: Organization | None
    individuals: tuple[Any, ...]
    weeks: int
    outcomes: tuple[str, ...]
    draws: dict[int, dict[str, float]] = field(default_factory=dict)

    def params_for(self, seed: int) -> Params:
        """The parameters of the replication with this seed."""
        drawn = self.draws.get(int(seed))
        if not drawn:
            return self.params
        return self.params.model_copy(update=drawn)

    def execute(self, task: dict[str, Any]) -> tuple[dict[str, Any], None]:
        """One candidate on all its seeds: a row with its values, or its error.

        A candidate that raises is recorded as failed, never propagated: the search goes on
        and ranks it last.
        """
        row: dict[str, Any] = {"run_id": task["run_id"], "key": task["key"]}
        started = time.process_time()
        try:
            values = evaluate_plan(self, task["plan"], task["seeds"])
        except Exception as error:  # recorded with the candidate, by design
            row.update(status="failed", error=f"{type(error).__name__}: {error}", values={})
            return row, None
        # CPU time of the worker, which the parent's own accounts never see.
        row.update(status="ok", error=None, values=values, cpu_s=time.process_time() - started)
        return row, None


def evaluate_plan(
    context: EvaluationContext, plan: Sequence[Intervention], seeds: Sequence[int]
) -> dict[str, list[float]]:
    """A plan's outcomes on each seed, in the order of `seeds`.

    Args:
        context: the search's shared setup.
        plan: the interventions.
        seeds: replication seeds; with a posterior, each replication also runs with the
            parameters drawn for its seed.

    Returns:
        For each of `context.outcomes`, one value per seed.
    """
    from eachcustomer.experiments.running.runs import run_model, run_replications

    if context.draws:
        # Each seed has its own parameters, so its own model.
        results = [
            run_model(
                context.params_for(seed),
                int(seed),
                org=context.org,
                interventions=tuple(plan),
                individuals=context.individuals,
                weeks=context.weeks,
            )
            for seed in seeds
        ]
    else:
        [results] = run_replications(
            context.params,
            [int(seed) for seed in seeds],
            {"plan": tuple(plan)},
            org=context.org,
            individuals=context.individuals,
            weeks=context.weeks,
        ).values()
    values: dict[str, list[float]] = {name: [] for name in context.outcomes}
    for result in results:
        for name in context.outcomes:
            value = result.record.get(name)
            values[name].append(float("nan") if value is None else float(value))
    return values
