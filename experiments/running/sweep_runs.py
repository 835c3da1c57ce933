"""Runs of a sweep: each task's values and seed in, a result row and a long series out.

`RunContext` holds what all runs of a sweep share (base parameters, organization, plans,
outcome selection); executors send it to each worker once and call `execute_many(tasks)`
for each chunk of tasks. The runs of a chunk that share their parameter values (the
replications of a point, and its plans) run together as one batch
(`eachcustomer.experiments.running.runs.run_batch`), which gives each run exactly the numbers it
would have alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from eachcustomer.sim.interventions import Intervention
from eachcustomer.sim.params import Params, make_params

if TYPE_CHECKING:
    from eachcustomer.experiments.loading.sweep_spec import OutcomeSpec
    from eachcustomer.experiments.running.runs import RunResult

LongSeries = dict[str, np.ndarray]
"""A run's kept outputs, long: arrays run_id, week, outcome, value of equal length."""


@dataclass(frozen=True)
class RunContext:
    """Everything the runs of one sweep share; picklable, sent to each worker once."""

    base: dict[str, Any]
    org: Any
    interventions: tuple[Intervention, ...]
    individuals: tuple[Any, ...]
    plans: dict[str, tuple[Intervention, ...]]
    scale_by: str
    weeks: int
    integers: tuple[str, ...]
    outcomes: OutcomeSpec
    summaries: tuple[str, ...]
    outcome_columns: tuple[str, ...]
    key: str = ""
    """Names the sweep (a digest of its identity) for caches that outlive one context."""
    priced_plan: str | None = None
    """The plan whose prices a run's `price_multiplier` multiplies (`[levers] price_multiplier`)."""
    strengthened_plan: str | None = None
    """The plan whose strengths a run's `strength_multiplier` multiplies."""

    def execute(self, task: dict[str, Any]) -> tuple[dict[str, Any], LongSeries | None]:
        """One run: the result row (status "ok" or "failed" with the error) and its series.

        A run that raises is recorded, never propagated: one bad point must not stop a sweep.
        """
        return self.execute_many([task])[0]

    def execute_many(
        self, tasks: list[dict[str, Any]]
    ) -> list[tuple[dict[str, Any], LongSeries | None]]:
        """Several runs, in order; those that share their parameter values run as one batch.

        A run that raises is recorded, never propagated. If a batch raises, its runs are
        made one by one, so that only the one at fault is recorded as failed.
        """
        outputs: list[tuple[dict[str, Any], LongSeries | None]] = []
        batches: dict[str, tuple[Params, list[tuple[int, tuple[Intervention, ...]]]]] = {}
        for task in tasks:
            row, prepared = self._prepare(task)
            if prepared is not None:
                params, schedule = prepared
                key = params.model_dump_json()
                batches.setdefault(key, (params, []))[1].append((len(outputs), schedule))
            outputs.append((row, None))
        for params, runs in batches.values():
            seeds = [(outputs[index][0]["seed"], schedule) for index, schedule in runs]
            for (index, _), result in zip(runs, self._run_together(params, seeds), strict=True):
                row = outputs[index][0]
                if isinstance(result, str):
                    row.update(status="failed", error=result)
                    continue
                row.update(self.select_outcomes(result))
                outputs[index] = (row, self.long_series(row["run_id"], result))
        return outputs

    def _run_together(
        self, params: Params, runs: list[tuple[int, tuple[Intervention, ...]]]
    ) -> list[RunResult | str]:
        """The runs' results as one batch; each one's error instead if the batch fails."""
        from eachcustomer.experiments.running.runs import run_batch

        try:
            return list(
                run_batch(
                    params, runs, org=self.org, individuals=self.individuals, weeks=self.weeks
                )
            )
        except Exception as error:  # recorded with the run, by design
            if len(runs) == 1:
                return [f"{type(error).__name__}: {error}"]
        return [self._run_together(params, [run])[0] for run in runs]

    def _prepare(
        self, task: dict[str, Any]
    ) -> tuple[dict[str, Any], tuple[Params, tuple[Intervention, ...]] | None]:
        """The run's row, and its parameters and interventions (None if they fail)."""
        values: dict[str, Any] = {
            name: (int(round(value)) if name in self.integers else value)
            for name, value in task["values"].items()
        }
        row = {key: task[key] for key in ("run_id", "point", "arm", "replication", "seed")}
        row.update(values)
        row.update(dict.fromkeys(self.outcome_columns, float("nan")))
        row.update(status="ok", error=None)
        plan, budget = values.pop("plan", None), values.pop("budget", None)
        multiplier = values.pop("price_multiplier", 1.0)
        strength = values.pop("strength_multiplier", 1.0)
        try:
            params = make_params({**self.base, **values})
            schedule, cost = self.schedule(params, plan, budget, multiplier, strength)
        except Exception as error:  # recorded with the run, by design
            row.update(status="failed", error=f"{type(error).__name__}: {error}")
            return row, None
        if plan is not None:
            row["plan_cost"] = cost
        return row, (params, schedule)

    def schedule(
        self,
        params: Params,
        plan: str | None,
        budget: float | None,
        price_multiplier: float = 1.0,
        strength_multiplier: float = 1.0,
    ) -> tuple[tuple[Intervention, ...], float]:
        """The run's interventions and the plan's expected cost.

        The context's own interventions (the scenario's, when no plan is swept) plus the
        plan's, its prices multiplied by `price_multiplier` if it is the priced plan and its
        strengths by `strength_multiplier` if it is the strengthened plan, scaled
        together to the budget if one is set. Costs depend on the
        organization's structure (departments, levels, size), which follows from the
        parameters alone, so the answer is cached per parameter set.
        """
        chosen = self.plans.get(plan, ()) if plan is not None else ()
        if not chosen:
            return self.interventions, 0.0
        if plan != self.priced_plan:
            price_multiplier = 1.0  # only the priced plan's price varies
        if plan != self.strengthened_plan:
            strength_multiplier = 1.0
        key = (
            self.key,
            params.model_dump_json(),
            plan,
            budget,
            price_multiplier,
            strength_multiplier,
        )
        if key not in _SCHEDULES:
            if len(_SCHEDULES) >= SCHEDULE_CACHE_SIZE:
                _SCHEDULES.pop(next(iter(_SCHEDULES)))
            from eachcustomer.sim.budget import reprice_plan, restrengthen_plan

            if strength_multiplier != 1.0:
                chosen = restrengthen_plan(chosen, strength_multiplier)
            if price_multiplier != 1.0:
                chosen = reprice_plan(chosen, price_multiplier)
            _SCHEDULES[key] = self._scaled(params, chosen, plan, budget)
        return _SCHEDULES[key]

    def _scaled(
        self,
        params: Params,
        chosen: tuple[Intervention, ...],
        plan: str | None,
        budget: float | None,
    ) -> tuple[tuple[Intervention, ...], float]:
        from eachcustomer.sim.budget import BudgetError, cost_basis, plan_cost, scale_plan

        org = cost_basis(params, self.org)
        if budget is not None:
            try:
                chosen = scale_plan(chosen, budget, org, params, self.scale_by, self.weeks)
            except BudgetError as error:
                raise BudgetError(f"plan {plan!r}: {error}") from None
        return self.interventions + chosen, plan_cost(chosen, org, params, self.weeks)

    def select_outcomes(self, result: RunResult) -> dict[str, float]:
        """The outcome columns the spec asks for, as floats (NaN when an output is absent)."""
        outcomes, record = self.outcomes, result.record
        chosen: dict[str, float] = {}
        for name in outcomes.final:
            chosen[f"final_{name}"] = _float(record.get(f"final_{name}"))
        if outcomes.mean:
            first, last = outcomes.window or (1, self.weeks)
            week = result.column("week")
            inside = (week >= first) & (week <= last)
            for name in outcomes.mean:
                chosen[f"mean_{name}"] = (
                    _mean(result.column(name)[inside]) if name in result.columns else float("nan")
                )
        for name in self.summaries:
            chosen[name] = _float(record.get(name))
        return chosen

    def long_series(self, run_id: int, result: RunResult) -> LongSeries:
        """The kept outputs week by week, long: run_id, week, outcome, value (as arrays).

        Columns of arrays rather than a table: the store writes them as they are
        (`eachcustomer.experiments.running.store.ResultStore.write`), and they cross from a
        worker to the parent cheaply.
        """
        names = [name for name in self.outcomes.series if name in result.columns]
        weeks = result.column("week").astype(np.int32)
        return {
            "run_id": np.full(len(weeks) * len(names), run_id, dtype=np.int64),
            "week": np.tile(weeks, len(names)),
            "outcome": np.repeat(np.array(names, dtype=object), len(weeks)),
            "value": np.concatenate([result.column(n) for n in names]) if names else np.empty(0),
        }


SCHEDULE_CACHE_SIZE = 256
_SCHEDULES: dict[tuple[Any, ...], tuple[tuple[Intervention, ...], float]] = {}


def _mean(values: np.ndarray) -> float:
    """The mean of the values that are not NaN (NaN if none), as pandas' `mean` sums them."""
    missing = np.isnan(values)
    count = len(values) - int(missing.sum())
    return float(np.where(missing, 0.0, values).sum() / count) if count else float("nan")


def _float(value: Any) -> float:
    return float("nan") if value is None else float(value)
