"""The runs one parameter set needs, and the statistics measured on them.

`Simulator` is what the calibration evaluates for each candidate parameter set (pyabc's
"model"): it makes the runs the requested statistics need, once each however many
statistics share them, and returns each target's value. Runs go through the model's
public run function (`OrgModel(...).run()`), so a faster engine speeds calibration up
without a change here.

Seeds. Each simulation's seed comes from the calibration's seed, the parameter values and
a counter (`run_seeds`): the same parameter set always gets the same runs, whatever worker
evaluates it and in whatever order, and different parameter sets get independent luck.
Run r of the `training` pairs and of the `organization` runs share a seed (common random
numbers for the lift); the units and the practising organizations get seeds of their own,
and each practising organization's share of staff covered is drawn from its own seed. The
surveyed units reuse the units' seeds: unit r surveyed is the same organization as unit r,
so observed and true-state correlations of one evaluation differ only by measurement.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from eachcustomer.experiments.calibration.firm_statistics import PERIOD_WEEKS, wave_name
from eachcustomer.experiments.calibration.lever_priors import (
    lever_values,
    model_values,
    practice_plan,
)
from eachcustomer.experiments.calibration.posterior import Posterior, draw_parameters
from eachcustomer.experiments.calibration.statistics import (
    HORIZON_WEEKS,
    STATISTICS,
    TRAINING_STRENGTH,
    TRAINING_WEEK,
    OrganizationRun,
    RunKind,
    Runs,
)
from eachcustomer.experiments.firmdata.observe import observe_run, survey_unit
from eachcustomer.experiments.running.runs import BATCH_SIZE, run_batch, run_replications
from eachcustomer.sim.interventions import Intervention
from eachcustomer.sim.model import OrgModel
from eachcustomer.sim.organization import Organization
from eachcustomer.sim.params import Params, make_params
from eachcustomer.sim.replications import replication_seeds

DRAWN_PREFIX = "drawn:"
"""Results name the parameters drawn from an earlier calibration with this prefix."""

TRAINING_DAY = Intervention(kind="training_day", start=TRAINING_WEEK, strength=TRAINING_STRENGTH)
"""Everyone attends; coverage "everyone" draws no random numbers, so pairs stay in step."""


@dataclass(frozen=True)
class Request:
    """One target's statistic, as the simulator measures it.

    Attributes:
        key: the target's key (its name in the targets file).
        statistic: the statistic's name (`STATISTICS`).
        replications: runs, pairs or units it asks for.
        department: the department of a by-department statistic.
        week: the week of a survey wave's statistic.
    """

    key: str
    statistic: str
    replications: int
    department: str | None = None
    week: int | None = None


@dataclass(frozen=True)
class RunCounts:
    """How many runs of each kind a set of requests needs."""

    organization: int = 0
    training: int = 0
    units: int = 0
    practices: int = 0
    surveyed_units: int = 0
    observed: int = 0

    @classmethod
    def of(cls, requests: tuple[Request, ...]) -> RunCounts:
        """The most any request of each kind asks for (requests share runs)."""
        counts: dict[RunKind, int] = {
            "organization": 0,
            "training": 0,
            "units": 0,
            "surveyed_units": 0,
            "practices": 0,
            "observed": 0,
        }
        for request in requests:
            kind = STATISTICS[request.statistic].runs
            counts[kind] = max(counts[kind], request.replications)
        return cls(**counts)

    @property
    def baseline(self) -> int:
        """Runs of the organization without training: organization runs and training pairs."""
        return max(self.organization, self.training)

    def weeks(self, unit_employees: int, employees: int) -> float:
        """Employee-weeks simulated, the cost measure of docs/CALIBRATION.md's budget."""
        organization = (self.baseline + self.training + self.observed) * employees
        small = (self.units + self.surveyed_units + self.practices) * unit_employees
        return float((organization + small) * HORIZON_WEEKS)


UNIT_BATCH_EMPLOYEES = 2_500
"""Employees of small organizations stepped together in one batch. A week of a batch costs
a fixed ~0.1 ms of calls besides its work per employee, which for 16 organizations of 25
(`BATCH_SIZE`) is most of it: 100 a batch made a stage-2 evaluation's runs about a fifth
cheaper (benchmarks/RESULTS.md, "Issue 22"); a run's numbers do not depend on its batch."""


def unit_batch_size(unit_employees: int) -> int:
    """Small organizations a batch steps together: `UNIT_BATCH_EMPLOYEES` employees' worth,
    at least `BATCH_SIZE` organizations."""
    return max(BATCH_SIZE, UNIT_BATCH_EMPLOYEES // max(unit_employees, 1))


def run_seeds(seed: int, values: Mapping[str, float], kind: str, count: int) -> list[int]:
    """Seeds of `count` runs of one kind for one parameter set.

    A digest of the calibration seed, the kind and the values (in key order, floats written
    exactly) is the master seed of `eachcustomer.sim.replications.replication_seeds`.
    """
    text = json.dumps([seed, kind, sorted((k, float(v)) for k, v in values.items())])
    master = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big") >> 1
    return replication_seeds(master, count)


def run_organization(
    params: Params,
    seed: int,
    org: Organization | None,
    interventions: tuple[Intervention, ...],
    history: bool,
) -> OrganizationRun:
    """One run of `HORIZON_WEEKS` weeks, with attitudes kept each week if `history`."""
    model = OrgModel(params, org=org, rng=seed, interventions=interventions, keep_history=history)
    series = model.run(HORIZON_WEEKS)
    if not history:
        return OrganizationRun(series, model.org.size)
    weeks_in_post = model.employee_table()["weeks_in_post"].to_numpy()
    return OrganizationRun(series, model.org.size, model.attitude_history(), weeks_in_post)


@dataclass(frozen=True)
class Simulator:
    """Parameter values in, each target's value out: what ABC evaluates, picklable.

    Attributes:
        base: the fixed parameter values (the scenario's, with the targets file's own).
        org: the scenario's organization, or None to generate one from the parameters.
        interventions: the scenario's interventions (every run has them).
        requests: the statistics to measure.
        seed: the calibration's seed.
        unit_employees: head count of each small organization of the `units` runs.
        stream: names the purpose of the runs ("abc", "checks"), so that the fit and the
            checks of the same parameter values get independent luck.
        drawn_from: an earlier calibration's posterior; parameters it holds and the values
            do not give are drawn from it (seeded by the values) and returned too, as
            `DRAWN_PREFIX + name`, so each result carries the whole parameter set.
    """

    base: dict[str, Any]
    org: Organization | None
    interventions: tuple[Intervention, ...]
    requests: tuple[Request, ...]
    seed: int
    unit_employees: int
    stream: str = "abc"
    drawn_from: Posterior | None = None

    def __call__(self, values: Mapping[str, float]) -> dict[str, float]:
        """Each request's value at these parameter values (NaN where it is undefined)."""
        drawn = self.draw(values)
        params = make_params({**self.base, **drawn, **model_values(values)})
        runs = self.runs(params, values)
        measured = {
            request.key: STATISTICS[request.statistic].value(runs, request.department, request.week)
            for request in self.requests
        }
        return {**measured, **{DRAWN_PREFIX + name: value for name, value in drawn.items()}}

    def draw(self, values: Mapping[str, float]) -> dict[str, float]:
        """The earlier calibration's parameters for these values (none without one)."""
        if self.drawn_from is None:
            return {}
        missing = [name for name in self.drawn_from.parameters if name not in values]
        if not missing:
            return {}
        seed = run_seeds(self.seed, values, f"{self.stream}:posterior", 1)[0]
        drawn = draw_parameters(self.drawn_from, seed)
        return {name: drawn[name] for name in missing}

    def runs(self, params: Params, values: Mapping[str, float]) -> Runs:
        """The runs the requests need, each made once."""
        counts = RunCounts.of(self.requests)
        seeds = run_seeds(self.seed, values, f"{self.stream}:organization", counts.baseline)
        # Attitudes are kept week by week only in the runs a training pair uses.
        baseline = tuple(
            run_organization(params, seed, self.org, self.interventions, r < counts.training)
            for r, seed in enumerate(seeds)
        )
        trained = tuple(
            run_organization(
                params, seed, self.org, (*self.interventions, TRAINING_DAY), history=True
            )
            for seed in seeds[: counts.training]
        )
        units: tuple = ()
        if counts.units:
            unit_params = params.replace(n_employees=self.unit_employees)
            # Many small organizations: stepped together in batches, each exactly as alone.
            unit_seeds = run_seeds(self.seed, values, f"{self.stream}:units", counts.units)
            [unit_runs] = run_replications(
                unit_params,
                unit_seeds,
                weeks=HORIZON_WEEKS,
                batch_size=unit_batch_size(self.unit_employees),
            ).values()
            units = tuple(unit_runs)  # their outputs as arrays: no table per unit
        practices = self.practices(params, values, counts.practices) if counts.practices else ()
        surveyed = tuple(
            survey_unit(params.replace(n_employees=self.unit_employees), seed, HORIZON_WEEKS)
            for seed in run_seeds(self.seed, values, f"{self.stream}:units", counts.surveyed_units)
        )
        observed = self.observed(params, values, counts.observed) if counts.observed else ()
        return Runs(baseline, trained, units, practices, surveyed, observed)

    def observed(self, params: Params, values: Mapping[str, float], count: int) -> tuple:
        """`count` runs of the organization observed as the firm observes itself, with a
        survey at every week a request names (`firm_statistics`)."""
        weeks = sorted({r.week for r in self.requests if r.week is not None})
        seeds = run_seeds(self.seed, values, f"{self.stream}:observed", count)
        return tuple(
            observe_run(
                params,
                seed,
                waves={wave_name(week): week for week in weeks},
                periods=[f"Q{q + 1}" for q in range(HORIZON_WEEKS // PERIOD_WEEKS)],
                period_weeks=PERIOD_WEEKS,
                org=self.org,
                interventions=self.interventions,
            )
            for seed in seeds
        )

    def practices(
        self, params: Params, values: Mapping[str, float], count: int
    ) -> tuple[tuple[float, Any], ...]:
        """`count` small organizations practising culture change for a uniform share of staff."""
        unit_params = params.replace(n_employees=self.unit_employees)
        seeds = run_seeds(self.seed, values, f"{self.stream}:practices", count)
        shares = [float(np.random.default_rng(seed).random()) for seed in seeds]
        levers = lever_values(values)
        plans = [practice_plan(levers, share) for share in shares]
        results = run_batch(unit_params, list(zip(seeds, plans, strict=True)), weeks=HORIZON_WEEKS)
        return tuple(zip(shares, results, strict=True))


def measure_at(simulator: Simulator, values: Mapping[str, float]) -> dict[str, float]:
    """`simulator(values)`, NaN for every request if the values are not a valid Params."""
    from eachcustomer.sim.params import ParamsError

    try:
        return simulator(values)
    except ParamsError:
        nan = float("nan")
        drawn = simulator.drawn_from.parameters if simulator.drawn_from is not None else ()
        return {
            **{request.key: nan for request in simulator.requests},
            **{DRAWN_PREFIX + name: nan for name in drawn},
        }
