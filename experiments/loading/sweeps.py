"""Sweep specs: a TOML file that says which runs to make; validated, then turned into a design.

A sweep is a base scenario plus what varies. In `[parameters]` each model parameter is a
constant (`contagion_rate = 0.1`), a list (`negativity_bias = [1, 2, 3]`) or a range
(`boss_weight = { low = 0.5, high = 4 }`); in `[levers]` the intervention plans to compare
(`plan = ["none", "training_day"]`: "none", the scenario's own [plans], or `[[plans.NAME]]`
intervention tables in the sweep file, written as in scenario files), optionally all scaled
to the same expected cost (`budget = 20000`), and one plan's price varied against the
others' (`price_multiplier = { plan = "culture_change", values = [0.5, 1, 2] }`: its hours
and direct costs times each value, a factor of the sweep like a list). With a plan lever a
run's interventions are exactly its plan's, as with `eachcustomer run --plan`.

The design samples the ranges (`full_factorial`: a grid of `steps` values each; SALib's
`latin_hypercube`, `sobol` (Saltelli) or `morris`: `samples` points); every sampled point is
crossed with every combination of the lists and levers (an "arm", EMA's policies), and each
pair runs `replications` times. Replication r of every point and arm gets the same seed,
drawn from `numpy.random.SeedSequence(seed).spawn`: common random numbers, so differences
between plans or parameter values are not blurred by different luck.

See experiments/specs/ for annotated examples (built-in sweep specs, named without a path:
`load_sweep("small")`). `eachcustomer.experiments.loading.sweep_spec` reads
the file's tables; `eachcustomer.experiments.loading.sweep_factors` and
`eachcustomer.experiments.loading.sweep_checks` check a spec against the model;
`eachcustomer.experiments.running.sweep_runs.RunContext.execute` is what one run does.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import ValidationError

from eachcustomer.experiments.calibration.posterior import Posterior, draw_parameters
from eachcustomer.experiments.loading import catalogue, sweep_factors
from eachcustomer.experiments.loading import sweep_checks as checks
from eachcustomer.experiments.loading.files import read_toml
from eachcustomer.experiments.loading.plans import NO_PLAN, resolve_plan
from eachcustomer.experiments.loading.scenario_files import RunSetup
from eachcustomer.experiments.loading.sweep_factors import Factor, SweepSpecError
from eachcustomer.experiments.loading.sweep_spec import OutcomeSpec, SweepFile
from eachcustomer.experiments.running.sweep_runs import RunContext
from eachcustomer.sim.interventions import Intervention
from eachcustomer.sim.limits import DEFAULT_LIMITS, Limits
from eachcustomer.sim.params import ParamsError, describe_validation_error, make_params
from eachcustomer.sim.replications import replication_seeds

DESIGN_STREAM = 0x5EED
"""Mixed with the master seed for the design sampler, so it never shares a stream with runs."""


@dataclass(frozen=True)
class Sweep:
    """A validated sweep: the file, its base scenario, and what varies."""

    spec: SweepFile
    path: Path | None
    setup: RunSetup
    constants: dict[str, Any]
    ranges: tuple[Factor, ...]
    lists: tuple[Factor, ...]
    summaries: tuple[str, ...]
    outcome_columns: tuple[str, ...]
    scenario_digest: str
    text: str = ""
    posterior: Posterior | None = None
    drawn: tuple[Factor, ...] = ()
    """The parameters drawn from the posterior, one value per replication."""

    @property
    def weeks(self) -> int:
        return self.spec.weeks if self.spec.weeks is not None else self.setup.params.horizon_weeks

    @property
    def factors(self) -> tuple[Factor, ...]:
        return self.ranges + self.lists + self.drawn

    @property
    def runs(self) -> int:
        """Runs of the sweep, counted from the spec (the design's length, without building it)."""
        return checks.count_runs(self.spec, self.ranges, self.lists)

    def problem(self) -> dict[str, Any]:
        """The SALib problem: the ranges and their bounds."""
        return {
            "num_vars": len(self.ranges),
            "names": [f.name for f in self.ranges],
            "bounds": [[f.low, f.high] for f in self.ranges],
        }

    def sample(self) -> np.ndarray:
        """(points, ranges) matrix of sampled range values, before integer rounding."""
        design = self.spec.design
        if design.kind == "full_factorial":
            grids = [f.grid() for f in self.ranges]
            points = list(itertools.product(*grids))  # one empty point when nothing ranges
            return np.array(points, dtype=float).reshape(len(points), len(grids))
        rng = np.random.default_rng([self.spec.seed, DESIGN_STREAM])
        if design.kind == "latin_hypercube":
            from SALib.sample import latin

            return latin.sample(self.problem(), design.samples, seed=rng)
        if design.kind == "sobol":
            from SALib.sample import sobol

            return sobol.sample(
                self.problem(),
                design.samples,
                calc_second_order=design.second_order,
                scramble=True,
                seed=rng,
            )
        from SALib.sample import morris

        return morris.sample(self.problem(), design.samples, num_levels=design.levels, seed=rng)

    def arms(self) -> list[tuple[Any, ...]]:
        """Every combination of the list values and levers, in a fixed order."""
        return list(itertools.product(*(f.values for f in self.lists)))

    def replication_seeds(self) -> list[int]:
        """One seed per replication, from the master seed (`eachcustomer.sim.replications`)."""
        return replication_seeds(self.spec.seed, self.spec.replications)

    def design(self) -> pd.DataFrame:
        """One row per run: run_id, point, arm, replication, seed and every factor's value.

        Run ids are (point * arms + arm) * replications + replication, so they follow from
        the design alone; a resumed sweep finds the same ids.
        """
        sample, arms, seeds = self.sample(), self.arms(), self.replication_seeds()
        points, reps = len(sample), len(seeds)
        point, arm, rep = np.indices((points, len(arms), reps)).reshape(3, -1)
        table = pd.DataFrame(
            {
                "run_id": np.arange(len(point), dtype=np.int64),
                "point": point,
                "arm": arm,
                "replication": rep,
                "seed": np.asarray(seeds, dtype=np.int64)[rep],
            }
        )
        for column, factor in enumerate(self.ranges):
            table[factor.name] = sample[point, column]
        for column, factor in enumerate(self.lists):
            values = [combination[column] for combination in arms]
            table[factor.name] = pd.Series(values, dtype=_dtype(factor)).to_numpy()[arm]
        if self.posterior is not None:
            # Replication r runs with the parameter set drawn with its own seed, at every
            # point and arm: plans are compared under the same parameters and the same luck.
            draws = [draw_parameters(self.posterior, seed) for seed in seeds]
            for factor in self.drawn:
                table[factor.name] = np.array([d[factor.name] for d in draws])[rep]
        return table

    def context(self) -> RunContext:
        """What every run shares, for the executors to ship to workers once."""
        base = self.setup.params.model_dump()
        base.update(self.constants, horizon_weeks=self.weeks)
        # With a plan lever, each run's interventions are exactly its plan's (as with
        # `eachcustomer run --plan`); without one, the scenario's own.
        own = () if self.spec.levers.plan is not None else self.setup.interventions
        price = self.spec.levers.price_multiplier
        strength = self.spec.levers.strength_multiplier
        return RunContext(
            base=base,
            org=self.setup.org,
            interventions=own,
            individuals=self.setup.individuals,
            plans=self.plans(),
            scale_by=self.spec.levers.scale_by,
            priced_plan=price.plan if price is not None else None,
            strengthened_plan=strength.plan if strength is not None else None,
            weeks=self.weeks,
            integers=tuple(f.name for f in self.factors if f.integer),
            outcomes=self.spec.outcomes,
            summaries=self.summaries,
            outcome_columns=self.outcome_columns,
            key=hashlib.sha256(json.dumps(self.identity(), sort_keys=True).encode()).hexdigest(),
        )

    def plans(self) -> dict[str, tuple[Intervention, ...]]:
        """The plans the runs name: the sweep file's own, the scenario's, or the library's."""
        own = {**self.setup.plans, **self.spec.plans}
        return {name: resolve_plan(name, own) for name in self.spec.levers.plan or ()}

    def identity(self) -> dict[str, Any]:
        """What must match for a results folder to be resumed with this sweep.

        The spec, the scenario file and the model's code: resuming after any of them
        changed would mix two models' results in one table.
        """
        identity = {
            "spec": self.spec.model_dump(mode="json"),
            "scenario_sha256": self.scenario_digest,
            "model_sha256": model_digest(),
        }
        if self.posterior is not None:
            identity["posterior_sha256"] = self.posterior.digest
        return identity


def model_digest() -> str:
    """A digest of the model's source (sim/ and experiments/running/runs.py)."""
    import eachcustomer.experiments.running.runs
    import eachcustomer.sim

    digest = hashlib.sha256()
    files = sorted(Path(eachcustomer.sim.__file__).parent.rglob("*.py")) + [
        Path(eachcustomer.experiments.running.runs.__file__)
    ]
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _dtype(factor: Factor) -> str:
    if factor.name == "plan":
        return "object"
    return "int64" if factor.integer else "float64"


def load_sweep(
    path: str | Path, *, limits: Limits = DEFAULT_LIMITS, posterior: str | Path | None = None
) -> Sweep:
    """Read and validate a sweep file; every problem names the file and the key.

    Args:
        path: the sweep spec TOML file, or the name of a built-in one (`eachcustomer list`).
        limits: the largest sweep allowed (`eachcustomer.sim.limits`); checked before anything
            is built.
        posterior: a calibration folder (or a built-in posterior's name) to draw the fitted
            parameters from, replacing the spec's own `posterior` key (`eachcustomer sweep
            --posterior`).
    """
    path = catalogue.resolve("sweep", path, SweepSpecError)
    data, text = read_toml(path, SweepSpecError)
    return parse_sweep(data, path=path, text=text, limits=limits, posterior=posterior)


def parse_sweep(
    data: dict[str, Any],
    *,
    path: Path | None = None,
    text: str = "",
    limits: Limits = DEFAULT_LIMITS,
    posterior: str | Path | None = None,
) -> Sweep:
    """Validate a sweep given as a dict (a parsed TOML file); `path` anchors relative files.

    Its size (runs, weeks, employees, customers) is counted from the spec and checked
    against `limits` before any design or model is built.

    Raises:
        SweepSpecError: a mistake in the spec, named with the file and the key.
        LimitError: the sweep is bigger than `limits`.
    """
    where = str(path) if path is not None else "sweep"
    catalogue.check_kind("sweep", data, where, SweepSpecError)
    try:
        spec = SweepFile(**data)
    except ValidationError as error:
        raise SweepSpecError(describe_validation_error(error, where)) from None
    setup = checks.base_setup(spec, path, where, limits)
    constants, ranges, lists = sweep_factors.split_parameters(spec, setup, where)
    lists += sweep_factors.lever_factors(spec, setup, where)
    checks.check_design(spec, ranges, where)
    checks.check_size(spec, setup, constants, (ranges, lists), limits, where)
    try:
        make_params({**setup.params.model_dump(), **constants})
    except ParamsError as error:
        raise SweepSpecError(
            "\n".join(f"{where}: parameters.{line}" for line in str(error).splitlines())
        ) from None
    checks.check_plans(spec, setup, where)
    summaries, columns = checks.outcome_columns(spec, setup, constants, where)
    checks.check_budgets(spec, setup, constants, where)
    digest = hashlib.sha256(setup.path.read_bytes()).hexdigest() if setup.path else ""
    drawn_from = checks.sweep_posterior(spec, path, posterior, where)
    drawn = checks.check_posterior(drawn_from, setup, constants, ranges + lists, where)
    return Sweep(
        spec=spec,
        path=path,
        setup=setup,
        constants=constants,
        ranges=ranges,
        lists=lists,
        summaries=summaries,
        outcome_columns=columns,
        scenario_digest=digest,
        text=text,
        posterior=drawn_from,
        drawn=drawn,
    )


__all__ = [
    "NO_PLAN",
    "Factor",
    "OutcomeSpec",
    "RunContext",
    "Sweep",
    "SweepFile",
    "SweepSpecError",
    "load_sweep",
    "parse_sweep",
]
