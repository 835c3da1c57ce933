"""EachCustomer: how attitudes toward customers form and spread inside an organization.

The public API in one place::

    from eachcustomer import OrgModel, Params, load_scenario, run_model, run_sweep

    setup = load_scenario("equal_budget", plan="culture")       # a built-in scenario
    result = run_model(setup.params, seed=1, interventions=setup.interventions)
    result.series                                                # one row per week
    run_sweep("experiments/specs/small.toml", "results/small")   # a batch of runs
    calibrate("experiments/specs/published_targets.toml", "results/calibration")
    draw_parameters(load_posterior("results/calibration"), seed=3)   # a fitted parameter set

`python -m eachcustomer --help` (or the `eachcustomer` command) is the command line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from experiments.calibration.posterior import draw_parameters, load_posterior
from experiments.calibration.targets import load_targets
from experiments.runs import RunResult, run_model
from experiments.scenario_files import RunSetup, load_scenario
from experiments.sweeps import Sweep, load_sweep
from sim.interventions import Intervention
from sim.model import OrgModel
from sim.params import Params

__version__ = "0.1.0"


def run_sweep(
    spec: str | Path | Sweep,
    out: str | Path,
    *,
    workers: int | None = None,
    dask_scheduler: str | None = None,
    dask_local: bool = False,
    retry_failed: bool = False,
    on_progress: Any = None,
) -> Any:
    """Run a sweep spec into the results folder `out` (resuming it if it was interrupted).

    Args:
        spec: a sweep spec TOML file, or a sweep from `load_sweep`.
        out: the results folder.
        workers: worker processes (all cores when None; 1 runs in this process).
        dask_scheduler: run on the Dask cluster at this address instead.
        dask_local: start a local Dask cluster with `workers` workers.
        retry_failed: on resume, run again the runs recorded as failed.
        on_progress: called with an `experiments.executors.SweepProgress` after each run.

    Returns:
        The sweep's progress at the end (runs done, failed, finished before).
    """
    from experiments.executors import make_executor
    from experiments.executors import run_sweep as execute

    sweep = spec if isinstance(spec, Sweep) else load_sweep(spec)
    executor = make_executor(workers, dask_scheduler, dask_local)
    return execute(sweep, out, executor, retry_failed=retry_failed, on_progress=on_progress)


def calibrate(targets: str | Path, out: str | Path, **options: Any) -> dict[str, Any]:
    """Fit a targets file's priors to its targets (ABC-SMC) and write the folder `out`.

    Args:
        targets: a targets TOML file (docs/CALIBRATION.md, section 4).
        out: a new folder for the posterior, diagnostics and summary.
        **options: `workers`, `dask_scheduler`, `dask_local`, `populations`,
            `population_size`, `on_progress`, as in
            `experiments.calibration.runner.calibrate`.

    Returns:
        The calibration's manifest (what was fitted, the cost, the final epsilon).
    """
    from experiments.calibration.runner import calibrate as run_calibration

    return run_calibration(load_targets(targets), out, **options)


__all__ = [
    "Intervention",
    "OrgModel",
    "Params",
    "RunResult",
    "RunSetup",
    "Sweep",
    "calibrate",
    "draw_parameters",
    "load_posterior",
    "load_scenario",
    "load_sweep",
    "load_targets",
    "run_model",
    "run_sweep",
]
