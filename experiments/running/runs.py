"""A run is a function: parameters and seed in, a flat record of outcomes and the series out.

`run_model` makes one run. `run_batch` makes several runs of one parameter set at once, as
one flattened model (`eachcustomer.sim.batch`), and `run_replications` every plan on every seed that
way, in batches; a run's results are the same, bit for bit, whichever function made it and
whatever else was in its batch. Executors (serial, process pool, Dask) only ever see these
functions, through `eachcustomer.experiments.running.sweep_runs.RunContext`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from eachcustomer.experiments.loading.timeline import TimelineEntry, step_with_timeline
from eachcustomer.sim.batch import Batch, Replication, start_replication
from eachcustomer.sim.organization import Organization, generate_organization
from eachcustomer.sim.output_columns import output_table
from eachcustomer.sim.params import Params

if TYPE_CHECKING:  # a run's outputs are arrays; pandas loads where `series` builds the table
    import pandas as pd

WEEKS_PER_YEAR = 52
RECENT_WEEKS = 13
"""A quarter: the window of `recent_annual_customer_loss`, the state at the horizon."""


@dataclass(frozen=True)
class RunResult:
    """One run's outcomes: a flat record and its weekly outputs.

    The outputs are kept as an array, one row per week (week 0 the initial state) and one
    column per name of `columns`; `series`, the typed table, is built when first asked for,
    so batches and sweeps that only need the record or a few columns never build one, and
    `eachcustomer run` prints its summary and writes its CSV without importing pandas.
    """

    record: dict[str, Any]
    columns: tuple[str, ...]
    values: np.ndarray
    """(weeks + 1, columns) floats."""

    @classmethod
    def of(cls, columns: tuple[str, ...], values: np.ndarray) -> RunResult:
        """A run's result from its weekly outputs, the record summarized from them."""
        return cls(summarize_values(columns, values), columns, values)

    def column(self, name: str) -> np.ndarray:
        """One output, week by week (floats).

        Raises:
            KeyError: the run has no such output.
        """
        try:
            return self.values[:, self.columns.index(name)]
        except ValueError:
            raise KeyError(name) from None

    @cached_property
    def series(self) -> pd.DataFrame:
        """The weekly output table (`eachcustomer.sim.model.OrgModel.outputs`), built once."""
        return output_table(self.columns, self.values)


def summarize(series: pd.DataFrame) -> dict[str, Any]:
    """Outcomes at the horizon from a run's weekly table (`summarize_values` of its values)."""
    return summarize_values(tuple(series.columns), series.to_numpy(dtype=float))


def summarize_values(columns: tuple[str, ...], values: np.ndarray) -> dict[str, Any]:
    """Outcomes at the horizon from a run's weekly outputs, (weeks + 1, columns) floats.

    Final values of every output, plus: the change of the customer base (active customers
    at the end over those at the start, minus 1), the annual customer loss rate (customers
    lost per year over the mean active base) and retention (1 minus that), the same loss
    rate over the last quarter only (where the organization stands at the horizon), total
    revenue, total intervention spend and revenue net of it.
    """
    where = {name: index for index, name in enumerate(columns)}
    first, last = values[0], values[-1]
    weeks = int(last[where["week"]] - first[where["week"]])
    record: dict[str, Any] = {"weeks": weeks}
    for column, value in zip(columns, last.tolist(), strict=True):
        if column != "week":
            record[f"final_{column}"] = value
    active = values[:, where["active_customers"]]
    lost = values[1:, where["customers_lost"]]
    mean_active = float(active.mean())
    record["customer_base_change"] = (
        float(active[-1] / active[0] - 1.0) if active[0] else float("nan")
    )
    record["annual_customer_loss"] = (
        float(lost.sum()) / mean_active * WEEKS_PER_YEAR / weeks
        if weeks and mean_active
        else float("nan")
    )
    record["annual_retention"] = 1.0 - record["annual_customer_loss"]
    recent = slice(max(len(lost) - RECENT_WEEKS, 0), None)
    recent_weeks = len(lost[recent])
    recent_active = float(active[1:][recent].mean()) if recent_weeks else 0.0
    record["recent_annual_customer_loss"] = (
        float(lost[recent].sum()) / recent_active * WEEKS_PER_YEAR / recent_weeks
        if recent_active
        else float("nan")
    )
    record["revenue_total"] = float(values[1:, where["revenue"]].sum())
    record["spend_total"] = float(last[where["intervention_spend_total"]])
    record["net_revenue"] = record["revenue_total"] - record["spend_total"]
    return record


def run_model(
    params: Params,
    seed: int | np.random.SeedSequence | None,
    *,
    org: Organization | None = None,
    interventions: Any = None,
    individuals: Any = None,
    weeks: int | None = None,
    on_week: Callable[[int, int], None] | None = None,
    timeline: Sequence[TimelineEntry] = (),
    players: Any = None,
) -> RunResult:
    """Run one model to its horizon.

    Args:
        params: the parameters.
        seed: passed to the model as `rng`; a SeedSequence from a sweep works too.
        org: a loaded organization; generated from `params` when None.
        interventions: an intervention schedule, or None.
        individuals: particular people placed at the start, or None.
        weeks: steps to run; `params.horizon_weeks` when None.
        on_week: called as on_week(done, total) after each week (progress bars).
        timeline: changes made during the run, each applied at its week
            (`eachcustomer.experiments.loading.timeline`).
        players: employees played by people, with their first choices
            (`eachcustomer.sim.players`; later choices are in the timeline).
    """
    from eachcustomer.sim.model import OrgModel  # Mesa: only for a run of the Mesa model

    rng = np.random.default_rng(seed) if isinstance(seed, np.random.SeedSequence) else seed
    model = OrgModel(
        params,
        org=org,
        rng=rng,
        interventions=interventions,
        individuals=individuals,
        players=players,
    )
    total = params.horizon_weeks if weeks is None else weeks
    step_with_timeline(
        model,
        timeline,
        total,
        on_week=None if on_week is None else (lambda done: on_week(done, total)),
    )
    [result] = batch_results(model.batch.recorder.columns, model.batch.recorder.values())
    return result


BATCH_SIZE = 16
"""Replications stepped together by `run_replications`: chosen by measurement
(benchmarks/RESULTS.md, "Batched replications"): the time per run falls steeply up to about
ten replications a batch and hardly after twenty."""


def run_batch(
    params: Params,
    runs: Sequence[tuple[int | np.random.SeedSequence | None, Any]],
    *,
    org: Organization | None = None,
    individuals: Any = None,
    weeks: int | None = None,
    on_week: Callable[[int, int], None] | None = None,
) -> list[RunResult]:
    """Runs of one parameter set, stepped together as one batch (`eachcustomer.sim.batch.Batch`).

    Each run's results are exactly those of `run_model` with its seed and interventions,
    whatever else is in the batch.

    Args:
        params: the parameters every run shares.
        runs: (seed, interventions) of each run.
        org: a loaded organization; generated per run from `params` when None.
        individuals: particular people placed at the start, or None.
        weeks: steps to run; `params.horizon_weeks` when None.
        on_week: called as on_week(done, total) after each week.
    """
    key = params.model_dump_json() if org is None else ""
    batch = Batch(
        [
            _start(params, key, org, seed, interventions, individuals)
            for seed, interventions in runs
        ],
        params,
    )
    total = params.horizon_weeks if weeks is None else weeks
    for done in range(1, total + 1):
        batch.step()
        if on_week is not None:
            on_week(done, total)
    return batch_results(batch.recorder.columns, batch.recorder.values())


def batch_results(columns: tuple[str, ...], values: np.ndarray) -> list[RunResult]:
    """Each replication's result from a batch's (replications, weeks, columns) outputs."""
    return [RunResult.of(columns, run) for run in values]


def run_replications(
    params: Params,
    seeds: Sequence[int | np.random.SeedSequence],
    plans: Mapping[str, Any] | None = None,
    *,
    org: Organization | None = None,
    individuals: Any = None,
    weeks: int | None = None,
    batch_size: int = BATCH_SIZE,
    on_run: Callable[[int, int], None] | None = None,
) -> dict[str, list[RunResult]]:
    """Every plan, each on every seed, stepped in batches of `batch_size` runs.

    Replication r of every plan has seed r (common random numbers); each run's results are
    exactly those of `run_model` with its seed and plan, whatever the batch size.

    Args:
        params: the parameters every run shares.
        seeds: one seed per replication (`eachcustomer.sim.replications.replication_seeds`).
        plans: interventions by plan name; one plan, "", of no interventions when None. A
            scenario's own plans are `RunSetup.plans` (often none: most scenarios name the
            library's); a library plan's are `resolve_plan(name)`
            (`eachcustomer.experiments.loading.plans`).
        org: a loaded organization; generated per replication from `params` when None.
        individuals: particular people placed at the start, or None.
        weeks: steps to run; `params.horizon_weeks` when None.
        batch_size: runs stepped together, at least 1.
        on_run: called as on_run(done, total) after each batch, counting runs.

    Returns:
        Per plan, in the order given, its runs in the order of `seeds`.

    Raises:
        ValueError: `plans` or `seeds` is empty: there would be nothing to run.
    """
    plans = {"": None} if plans is None else plans
    if not plans:
        raise ValueError(
            "no plans to run: `plans` is empty (a scenario that names the library's plans "
            "has no plans of its own in `RunSetup.plans`); give interventions by plan name, "
            "e.g. {name: resolve_plan(name) for name in ('none', 'training_day')} with "
            "eachcustomer.experiments.loading.plans.resolve_plan, or None for one run of no "
            "interventions per seed"
        )
    if len(seeds) == 0:
        raise ValueError("no seeds to run: `seeds` is empty (replication_seeds(first, count))")
    runs = [(name, seed, plan) for name, plan in plans.items() for seed in seeds]
    results: dict[str, list[RunResult]] = {name: [] for name in plans}
    size = max(1, int(batch_size))
    for first in range(0, len(runs), size):
        chunk = runs[first : first + size]
        done = run_batch(
            params,
            [(seed, plan) for _, seed, plan in chunk],
            org=org,
            individuals=individuals,
            weeks=weeks,
        )
        for (name, _, _), result in zip(chunk, done, strict=True):
            results[name].append(result)
        if on_run is not None:
            on_run(first + len(chunk), len(runs))
    return results


ORGANIZATION_CACHE_SIZE = 128
"""Generated organizations kept by `_start`: a search's or a comparison's seeds, and more."""
_ORGANIZATIONS: dict[tuple[str, int], tuple[Organization, Mapping[str, Any]]] = {}


def _start(
    params: Params,
    params_key: str,
    org: Organization | None,
    seed: Any,
    interventions: Any,
    individuals: Any,
) -> Replication:
    """A run's start (`eachcustomer.sim.batch.start_replication`), its generated organization
    reused when the same parameters and seed were seen before.

    Plans compared on common random numbers (the plan finder's candidates, Compare's plans,
    a sweep's arms) start from the same organizations again and again. A generated
    organization is the first thing a seed's generator draws, so the cache keeps it with the
    generator's state after it, and the run goes on from there exactly as if it had been
    drawn again. Its arrays are made read-only: a run never changes its organization, and one
    that tried would corrupt the others.
    """
    if org is not None or not isinstance(seed, int | np.integer):
        return start_replication(params, org, _generator(seed), interventions, individuals)
    key = (params_key, int(seed))
    if key not in _ORGANIZATIONS:
        if len(_ORGANIZATIONS) >= ORGANIZATION_CACHE_SIZE:
            _ORGANIZATIONS.pop(next(iter(_ORGANIZATIONS)))  # the oldest
        drawing = np.random.default_rng(int(seed))
        generated = generate_organization(params, drawing)
        for value in vars(generated).values():
            if isinstance(value, np.ndarray):
                value.flags.writeable = False
        _ORGANIZATIONS[key] = (generated, drawing.bit_generator.state)
        # The generator that drew it is the one a kept organization's run gets: go on with it.
        return start_replication(params, generated, drawing, interventions, individuals)
    generated, state = _ORGANIZATIONS[key]
    rng = np.random.default_rng(int(seed))  # a fresh seed sequence: no child spawned yet
    rng.bit_generator.state = state
    return start_replication(params, generated, rng, interventions, individuals)


def _generator(seed: Any) -> np.random.Generator:
    """The generator of a run's seed, exactly as `mesa.Model(rng=seed)` (so `OrgModel`) makes it.

    For an integer that is `numpy.random.default_rng(seed)`; for anything else Mesa may
    draw from the generator to seed its `random` (Mesa 3.5 does), so it is asked.
    """
    if isinstance(seed, int | np.integer):
        return np.random.default_rng(seed)
    import mesa  # here only: batches of integer seeds (the command line's) run without Mesa

    return mesa.Model(rng=seed).rng
