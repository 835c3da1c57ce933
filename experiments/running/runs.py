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
from typing import Any

import numpy as np
import pandas as pd

from eachcustomer.experiments.loading.timeline import TimelineEntry, step_with_timeline
from eachcustomer.sim.batch import Batch, start_replication
from eachcustomer.sim.organization import Organization
from eachcustomer.sim.params import Params

WEEKS_PER_YEAR = 52
RECENT_WEEKS = 13
"""A quarter: the window of `recent_annual_customer_loss`, the state at the horizon."""


@dataclass(frozen=True)
class RunResult:
    """One run's outcomes: a flat record and the weekly output table."""

    record: dict[str, Any]
    series: pd.DataFrame


def summarize(series: pd.DataFrame) -> dict[str, Any]:
    """Outcomes at the horizon from a run's weekly table.

    Final values of every output, plus: the change of the customer base (active customers
    at the end over those at the start, minus 1), the annual customer loss rate (customers
    lost per year over the mean active base) and retention (1 minus that), the same loss
    rate over the last quarter only (where the organization stands at the horizon), total
    revenue, total intervention spend and revenue net of it.
    """
    first, last = series.iloc[0], series.iloc[-1]
    weeks = int(last["week"] - first["week"])
    record: dict[str, Any] = {"weeks": weeks}
    for column in series.columns:
        if column != "week":
            record[f"final_{column}"] = _plain(last[column])
    mean_active = float(series["active_customers"].mean())
    lost = float(series["customers_lost"].iloc[1:].sum())
    record["customer_base_change"] = (
        float(last["active_customers"] / first["active_customers"] - 1.0)
        if first["active_customers"]
        else float("nan")
    )
    record["annual_customer_loss"] = (
        lost / mean_active * WEEKS_PER_YEAR / weeks if weeks and mean_active else float("nan")
    )
    record["annual_retention"] = 1.0 - record["annual_customer_loss"]
    recent = series.iloc[1:].iloc[-RECENT_WEEKS:]
    recent_active = float(recent["active_customers"].mean()) if len(recent) else 0.0
    record["recent_annual_customer_loss"] = (
        float(recent["customers_lost"].sum()) / recent_active * WEEKS_PER_YEAR / len(recent)
        if recent_active
        else float("nan")
    )
    record["revenue_total"] = float(series["revenue"].iloc[1:].sum())
    record["spend_total"] = float(last["intervention_spend_total"])
    record["net_revenue"] = record["revenue_total"] - record["spend_total"]
    return record


def _plain(value: Any) -> Any:
    """Numpy scalars as plain Python numbers, for Parquet and JSON."""
    return value.item() if isinstance(value, np.generic) else value


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
    """
    from eachcustomer.sim.model import OrgModel  # Mesa: only for a run of the Mesa model

    rng = np.random.default_rng(seed) if isinstance(seed, np.random.SeedSequence) else seed
    model = OrgModel(params, org=org, rng=rng, interventions=interventions, individuals=individuals)
    total = params.horizon_weeks if weeks is None else weeks
    step_with_timeline(
        model,
        timeline,
        total,
        on_week=None if on_week is None else (lambda done: on_week(done, total)),
    )
    series = model.outputs()
    return RunResult(summarize(series), series)


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
    batch = Batch(
        [
            start_replication(params, org, _generator(seed), interventions, individuals)
            for seed, interventions in runs
        ],
        params,
    )
    total = params.horizon_weeks if weeks is None else weeks
    for done in range(1, total + 1):
        batch.step()
        if on_week is not None:
            on_week(done, total)
    return [RunResult(summarize(series), series) for series in batch.recorder.tables()]


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


def _generator(seed: Any) -> np.random.Generator:
    """The generator of a run's seed, exactly as `mesa.Model(rng=seed)` (so `OrgModel`) makes it.

    For an integer that is `numpy.random.default_rng(seed)`; for anything else Mesa may
    draw from the generator to seed its `random` (Mesa 3.5 does), so it is asked.
    """
    if isinstance(seed, int | np.integer):
        return np.random.default_rng(seed)
    import mesa  # here only: batches of integer seeds (the command line's) run without Mesa

    return mesa.Model(rng=seed).rng
