"""How long a calibration will take, estimated before it starts from the user's settings.

    minutes = (evaluations x CPU seconds per evaluation) / workers

The CPU seconds of one evaluation are measured: `probe` times one evaluation of the fit
targets at the middle of the priors (after a short warm-up run that loads the compiled
kernels), with `time.process_time`, so other jobs on the machine do not inflate it. The
number of evaluations follows the measured behaviour of ABC-SMC on this model
(docs/CALIBRATION.md 4.5): the prior sample that sets the first epsilon costs one
evaluation per particle, and each population about `EVALUATIONS_PER_PARTICLE` (acceptance
near 45%; measured 41-55% on the published targets), up to `HIGH_EVALUATIONS_PER_PARTICLE`
when acceptance falls in late populations (the Harbour Supply fit: 42% down to 6%). Both
are for the most populations allowed: a search that reaches its epsilon earlier costs
less, and `max_minutes` caps the search whatever the estimate. The probe leaves out
pyabc's and the process pool's own work: on Harbour Supply the whole cost per evaluation
was a third above it (benchmarks/RESULTS.md, "Issue 23").
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

from eachcustomer.experiments.calibration.simulate import RunCounts, Simulator, measure_at
from eachcustomer.experiments.calibration.target_spec import Calibration, Target
from eachcustomer.sim.params import make_params

EVALUATIONS_PER_PARTICLE = 2.2
"""Evaluations per accepted particle in a population at a typical acceptance of 45%."""
HIGH_EVALUATIONS_PER_PARTICLE = 7.0
"""A hard fit: Harbour Supply's six fit targets took 6,958 evaluations for 10 populations of
100 (acceptance 42% falling to 6%; benchmarks/RESULTS.md, "Issue 23")."""
PYABC_SECONDS = 0.01
"""pyabc's own work per evaluation (proposal, weight), measured in docs/CALIBRATION.md 4.5."""


def simulator_for(calibration: Calibration, targets: tuple[Target, ...], stream: str) -> Simulator:
    """A simulator that measures `targets` on the calibration's organization."""
    setup = calibration.setup
    return Simulator(
        base=calibration.base,
        org=setup.org,
        interventions=setup.interventions,
        requests=tuple(t.request() for t in targets),
        seed=calibration.spec.seed,
        unit_employees=calibration.spec.abc.unit_employees,
        stream=stream,
        drawn_from=calibration.drawn_from,
    )


def probe(calibration: Calibration) -> float:
    """CPU seconds of one evaluation of the fit targets at the middle of every prior."""
    middle = {name: prior.from_sampler(0.0) for name, prior in calibration.priors.items()}
    simulator = simulator_for(calibration, calibration.fitted, "probe")
    warm = RunCounts.of(simulator.requests)
    if warm.baseline:  # load the compiled kernels outside the timing
        from eachcustomer.experiments.calibration.simulate import run_organization

        params = make_params({**calibration.base, "n_employees": 10})
        run_organization(params, 0, None, (), history=False)
    started = time.process_time()
    measure_at(simulator, middle)
    return time.process_time() - started


@dataclass(frozen=True)
class Estimate:
    """Expected evaluations and minutes of a calibration, typical and high."""

    evaluations: int
    evaluations_high: int
    seconds_per_evaluation: float
    checks_seconds: float
    workers: int
    cores: int
    load: float

    def minutes(self, evaluations: int) -> float:
        """Wall minutes on idle cores for this many evaluations, with the checks."""
        cpu = evaluations * (self.seconds_per_evaluation + PYABC_SECONDS) + self.checks_seconds
        return cpu / max(min(self.workers, self.cores), 1) / 60.0

    def sentence(self) -> str:
        """What the command line prints before a calibration starts."""
        busy = self.load > self.cores - 0.5
        return (
            f"Estimated cost: one evaluation takes {self.seconds_per_evaluation:.2g} s of CPU "
            f"(measured now); about {self.evaluations:,} evaluations (up to "
            f"{self.evaluations_high:,}) on {self.workers} worker(s): about "
            f"{self.minutes(self.evaluations):.1f} minutes (up to "
            f"{self.minutes(self.evaluations_high):.1f}) on idle cores"
            + (
                f"; the machine is busy (load {self.load:.1f} on {self.cores} cores), expect "
                "longer."
                if busy
                else "."
            )
        )


def estimate(
    calibration: Calibration,
    seconds_per_evaluation: float,
    *,
    workers: int | None = None,
    populations: int | None = None,
    population_size: int | None = None,
) -> Estimate:
    """The cost of a calibration at these settings (the file's where not given)."""
    settings = calibration.spec.abc
    size = population_size or settings.population_size
    most = populations or settings.populations
    cores = os.cpu_count() or 1
    fitted = RunCounts.of(tuple(t.request() for t in calibration.fitted))
    every = RunCounts.of(tuple(t.request() for t in calibration.targets))
    org = calibration.setup.org
    employees = org.size if org is not None else make_params(calibration.base).n_employees
    unit = settings.unit_employees
    # The checks measure every target: scale the probe by the employee-weeks they need.
    ratio = every.weeks(unit, employees) / max(fitted.weeks(unit, employees), 1.0)
    checks = (settings.check_draws + 1) * seconds_per_evaluation * ratio
    return Estimate(
        evaluations=round(size * (1 + EVALUATIONS_PER_PARTICLE * most)),
        evaluations_high=round(size * (1 + HIGH_EVALUATIONS_PER_PARTICLE * most)),
        seconds_per_evaluation=seconds_per_evaluation,
        checks_seconds=checks,
        workers=workers or cores,
        cores=cores,
        load=os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0,
    )
