"""ABC-SMC with pyabc: fit the priors of a targets file to its `fit` targets.

The distance between a simulated parameter set and the targets is the largest scaled
deviation over the fit targets (`TargetDistance`): each target's model value minus its
value, divided by the distance from the value to the edge of its accepted range on that
side. A distance of at most 1 means every target lies inside its accepted range, so the
default stopping rule (`min_epsilon = 1`) ends the search once every accepted parameter set
meets every target: ABC with a uniform kernel as wide as the published uncertainty.

Priors are uniform or log-uniform. ABC samples each as a standard logistic variable, the
logit of the parameter's place in its prior's support (on the log10 scale for log-uniform
ones, so proposals move by factors, not amounts): the exact image of the uniform prior, on
the whole real line, so that proposals never leave the support and particles near an edge
are not over-weighted. Everything written out is in the parameters' own units.
"""

from __future__ import annotations

import logging
import math
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyabc

from eachcustomer.experiments.calibration.budget import simulator_for
from eachcustomer.experiments.calibration.lever_priors import values_before
from eachcustomer.experiments.calibration.posterior import Posterior, draw_many
from eachcustomer.experiments.calibration.sampling import (
    InProcess,
    SeededSampler,
    Tally,
    process_pool,
)
from eachcustomer.experiments.calibration.simulate import (
    DRAWN_PREFIX,
    RunCounts,
    Simulator,
    measure_at,
)
from eachcustomer.experiments.calibration.target_spec import Calibration, Prior, Target

UNDEFINED_DISTANCE = 1e6
"""The distance of a parameter set at which some fit statistic is undefined (NaN)."""


@dataclass(frozen=True)
class TargetDistance:
    """The largest absolute scaled deviation over the fit targets (pyabc's distance)."""

    targets: tuple[Target, ...]

    def deviations(self, simulated: Mapping[str, float]) -> dict[str, float]:
        """Each target's scaled deviation (NaN where its statistic is undefined)."""
        return {t.key: t.scaled_deviation(float(simulated[t.key])) for t in self.targets}

    def __call__(self, simulated: Mapping[str, float], observed: Any = None, *args: Any) -> float:
        deviations = np.abs(list(self.deviations(simulated).values()))
        if np.isnan(deviations).any():
            return UNDEFINED_DISTANCE
        return float(deviations.max())


@dataclass(frozen=True)
class AbcModel:
    """pyabc's model: a parameter in the sampler's coordinates in, fit targets' values out."""

    simulator: Simulator
    priors: dict[str, Prior]

    def values(self, parameter: Mapping[str, float]) -> dict[str, float]:
        """The parameter values in their own units."""
        return {
            name: prior.from_sampler(float(parameter[name])) for name, prior in self.priors.items()
        }

    def __call__(self, parameter: Mapping[str, float]) -> dict[str, float]:
        return measure_at(self.simulator, self.values(parameter))


@dataclass
class Progress:
    """Where a calibration stands, for a progress bar."""

    phase: str  # "abc" or "checks"
    populations: int
    population_size: int
    generation: int = -1
    accepted: int = 0
    evaluations: int = 0
    done: int = 0
    total: int = 0


@dataclass
class Fit:
    """What a calibration produced, before it is written out."""

    history: Any
    priors: dict[str, Prior]
    targets: tuple[Target, ...]
    evaluations: int
    seconds: float
    counts: RunCounts
    drawn: tuple[str, ...] = ()
    """Parameters drawn from an earlier calibration, recorded with each particle."""


def prior_distribution(priors: dict[str, Prior]) -> pyabc.Distribution:
    """The priors in the sampler's coordinates: standard logistic (`Prior.to_sampler`)."""
    return pyabc.Distribution(**{name: pyabc.RV("logistic", 0, 1) for name in priors})


@contextmanager
def executor(
    workers: int | None, dask_scheduler: str | None, dask_local: bool
) -> Iterator[tuple[Any, int]]:
    """The client jobs are submitted to and how many run at once; closed at the end."""
    import os

    if dask_scheduler is not None or dask_local:
        from eachcustomer.experiments.running.executors import DaskExecutor

        dask = DaskExecutor(address=dask_scheduler, workers=workers)
        try:
            yield dask.client, dask.workers
        finally:
            dask.close()
        return
    count = workers or os.cpu_count() or 1
    if count == 1:
        yield InProcess(), 1
        return
    pool = process_pool(count)
    try:
        yield pool, count
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@contextmanager
def quiet_pyabc() -> Iterator[None]:
    """pyabc's own log lines off while our progress bar speaks."""
    logger = logging.getLogger("ABC")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def run_abc(
    calibration: Calibration,
    database: Path,
    client: Any,
    workers: int,
    *,
    populations: int | None = None,
    population_size: int | None = None,
    on_progress: Callable[[Progress], None] | None = None,
) -> Fit:
    """ABC-SMC over the calibration's priors, its history kept in the SQLite file `database`."""
    settings = calibration.spec.abc
    size = population_size or settings.population_size
    most = populations or settings.populations
    seed = calibration.spec.seed
    progress = Progress("abc", most, size)

    def report(tally: Tally) -> None:
        progress.generation = tally.generation
        progress.accepted = min(tally.accepted, size)
        progress.evaluations = tally.evaluations
        if on_progress is not None:
            on_progress(progress)

    fitted = calibration.fitted
    model = AbcModel(simulator_for(calibration, fitted, "abc"), calibration.priors)
    sampler = SeededSampler(client, workers, seed, report)
    abc = pyabc.ABCSMC(
        model,
        prior_distribution(calibration.priors),
        TargetDistance(fitted),
        population_size=size,
        sampler=sampler,
    )
    # pyabc's own draws in this process (transitions, the first epsilon) from the seed too.
    np.random.seed(np.random.SeedSequence([seed, 0]).generate_state(4))
    started = time.perf_counter()
    with quiet_pyabc():
        abc.new(f"sqlite:///{database}", {t.key: t.value for t in fitted})
        history = abc.run(
            minimum_epsilon=settings.min_epsilon,
            max_nr_populations=most,
            min_acceptance_rate=settings.min_acceptance_rate,
            max_walltime=(
                timedelta(minutes=settings.max_minutes) if settings.max_minutes else None
            ),
        )
    return Fit(
        history=history,
        priors=calibration.priors,
        targets=fitted,
        evaluations=int(history.total_nr_simulations),
        seconds=time.perf_counter() - started,
        counts=RunCounts.of(model.simulator.requests),
        drawn=calibration.drawn_from.parameters if calibration.drawn_from is not None else (),
    )


def measure_draws(
    calibration: Calibration,
    posterior: Posterior,
    client: Any,
    on_progress: Callable[[Progress], None] | None = None,
) -> pd.DataFrame:
    """Every target measured at the scenario's values ("before") and at posterior draws.

    One row per evaluation: `draw` (-1 for before), the parameter values, each target.
    Each draw has runs of its own, even when two draws pick the same parameter set.
    """
    settings = calibration.spec.abc
    simulator = simulator_for(calibration, calibration.targets, "checks")
    before = values_before(list(calibration.priors), calibration.base)
    draws = [before, *draw_many(posterior, calibration.spec.seed, settings.check_draws)]
    futures = [
        _submit(client, measure_at, replace(simulator, stream=f"checks:{index}"), values)
        for index, values in enumerate(draws)
    ]
    progress = Progress("checks", 0, 0, total=len(draws))
    rows = []
    for index, (values, future) in enumerate(zip(draws, futures, strict=True)):
        rows.append({"draw": index - 1, **values, **future.result()})
        progress.done = index + 1
        if on_progress is not None:
            on_progress(progress)
    return pd.DataFrame(rows)


def _submit(client: Any, function: Callable[..., Any], *args: Any) -> Any:
    if hasattr(client, "scatter"):  # a distributed.Client
        return client.submit(function, *args, pure=False)
    return client.submit(function, *args)


def posterior_table(fit: Fit, t: int | None = None) -> pd.DataFrame:
    """Population t (the last by default), one row per particle: parameters in their own
    units, weight (summing to 1), distance, and each fit target's simulated value."""
    history = fit.history
    t = history.max_t if t is None else t
    extended = history.get_population_extended(t=t, tidy=True).sort_index()
    table = pd.DataFrame(
        {
            name: [prior.from_sampler(float(v)) for v in extended[f"par_{name}"]]
            for name, prior in fit.priors.items()
        }
    )
    for name in fit.drawn:  # the earlier calibration's values each particle ran with
        table[name] = extended[f"sumstat_{DRAWN_PREFIX}{name}"].to_numpy(dtype=float)
    weights = extended["w"].to_numpy(dtype=float)
    table["weight"] = weights / weights.sum()
    table["distance"] = extended["distance"].to_numpy(dtype=float)
    for target in fit.targets:
        table[target.key] = extended[f"sumstat_{target.key}"].to_numpy(dtype=float)
    return table


def effective_sample_size(weights: np.ndarray) -> float:
    """Kish's effective sample size: (sum w)^2 / sum w^2."""
    weights = np.asarray(weights, dtype=float)
    return float(weights.sum() ** 2 / np.square(weights).sum()) if len(weights) else math.nan


def diagnostics(fit: Fit) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per population: epsilon, particles, evaluations, acceptance, ESS, seconds; and per
    population and target: weighted mean |scaled deviation| and the weighted share inside."""
    populations = fit.history.get_all_populations()
    populations = populations[populations["t"] >= 0]
    rows, per_target = [], []
    for record in populations.itertuples(index=False):
        t = int(record.t)
        table = posterior_table(fit, t)
        weights = table["weight"].to_numpy()
        rows.append(
            {
                "population": t,
                "epsilon": float(record.epsilon),
                "particles": len(table),
                "evaluations": int(record.samples),
                "acceptance_rate": len(table) / max(int(record.samples), 1),
                "effective_sample_size": effective_sample_size(weights),
                "seconds": float(record.wall_time) if record.wall_time is not None else math.nan,
            }
        )
        for target in fit.targets:
            scaled = np.array([target.scaled_deviation(v) for v in table[target.key]])
            finite = ~np.isnan(scaled)
            w = weights[finite] / weights[finite].sum() if finite.any() else weights[finite]
            per_target.append(
                {
                    "population": t,
                    "target": target.key,
                    "mean_abs_scaled_deviation": float(np.dot(w, np.abs(scaled[finite]))),
                    "share_inside": float(np.dot(w, np.abs(scaled[finite]) <= 1.0)),
                }
            )
    return pd.DataFrame(rows), pd.DataFrame(per_target)


def tempdir(out: Path) -> tempfile.TemporaryDirectory:
    """A scratch folder inside `out` for the ABC database; removed whatever happens.

    The caller holds the folder (`claim_folder`): scratch folders left by a calibration that
    was killed are removed first.
    """
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob(".calibrating-*"):
        shutil.rmtree(stale, ignore_errors=True)
    return tempfile.TemporaryDirectory(dir=out, prefix=".calibrating-")
