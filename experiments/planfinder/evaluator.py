"""Candidates in, evaluations out: the cache on disk first, the executor for the rest.

Every evaluation runs through an executor of `eachcustomer.experiments.running.executors` (serial,
process pool or Dask) as one task per candidate, and is written to the search folder as soon as it
arrives, so a killed search loses at most the candidates that were running.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from eachcustomer.experiments.planfinder.evaluation import EvaluationContext, plan_key
from eachcustomer.experiments.planfinder.folder import SearchFolder
from eachcustomer.sim.interventions import Intervention


@dataclass(frozen=True)
class Batch:
    """One call's context: the search's own, numbered.

    Executors ship a context once per `map` call, Dask by scattering it under a key derived
    from its content; numbering each call gives every call its own key, so that the
    release of the last call's copy can never race with this call's use of it.
    """

    context: Any
    number: int

    def execute(self, task: dict[str, Any]) -> tuple[dict[str, Any], None]:
        return self.context.execute(task)

    def execute_many(self, tasks: list[dict[str, Any]]) -> list[tuple[dict[str, Any], None]]:
        """Tasks one after the other (each is one plan on all its seeds already)."""
        return [self.context.execute(task) for task in tasks]


@dataclass
class Tally:
    """Evaluations of this search so far: run now, or read from the cache."""

    fresh: int = 0
    cached: int = 0
    failed: int = 0


class Evaluator:
    """Evaluates candidate plans on given seeds, once each, through the cache.

    Args:
        folder: the search's results folder (its evaluation cache).
        context: what workers need to run a plan (`EvaluationContext`, or a stand-in with
            the same `execute(task)`).
        executor: an executor of `eachcustomer.experiments.running.executors`; closed by
            `close()`. It serves every `evaluate` call: a local pool, once started, stays for
            the whole search and its checks.
        on_evaluated: called with the tally after each evaluation is written (progress, and
            the tests' injected faults).
    """

    def __init__(
        self,
        folder: SearchFolder,
        context: EvaluationContext | Any,
        executor: Any,
        on_evaluated: Callable[[Tally], None] | None = None,
    ) -> None:
        self.folder = folder
        self.context = context
        self.executor = executor
        self.on_evaluated = on_evaluated
        self.tally = Tally()
        self.batches = 0
        self.known = folder.keys()

    def evaluate(
        self, plans: Sequence[tuple[tuple[Intervention, ...], Sequence[int]]]
    ) -> list[dict[str, Any]]:
        """The evaluation of each (plan, seeds), in order; each distinct one runs once."""
        keys = [plan_key(plan, seeds) for plan, seeds in plans]
        records: dict[str, dict[str, Any]] = {}
        tasks: list[dict[str, Any]] = []
        queued: set[str] = set()
        for key, (plan, seeds) in zip(keys, plans, strict=True):
            if key in records or key in queued:
                continue
            cached = self.folder.read(key) if key in self.known else None
            if cached is not None:
                records[key] = cached
                self.tally.cached += 1
                continue
            # A task is one plan, its own "point" for executors that batch a point's tasks.
            queued.add(key)
            number = len(tasks)
            tasks.append(
                {
                    "run_id": number,
                    "point": number,
                    "values": {},
                    "key": key,
                    "plan": tuple(plan),
                    "seeds": list(seeds),
                }
            )
        by_key = {task["key"]: task for task in tasks}
        if tasks:
            self.batches += 1
            batch = Batch(self.context, self.batches)
            for row, _ in self.executor.map(batch, iter(tasks), len(tasks)):
                task = by_key[row["key"]]
                record = {
                    "key": row["key"],
                    "plan": [item.model_dump(mode="json") for item in task["plan"]],
                    "seeds": task["seeds"],
                    "status": row["status"],
                    "error": row["error"],
                    "values": row["values"],
                    "elapsed_s": row.get("elapsed_s"),
                    "cpu_s": row.get("cpu_s"),
                }
                self.folder.write(record)
                self.known.add(row["key"])
                records[row["key"]] = self.folder.read(row["key"]) or record
                self.tally.fresh += 1
                self.tally.failed += row["status"] != "ok"
                if self.on_evaluated is not None:
                    self.on_evaluated(self.tally)
        return [records[key] for key in keys]

    def close(self) -> None:
        """Release the executor."""
        self.executor.close()
