"""EachCustomer: how attitudes toward customers form and spread inside an organization.

The public API in one place::

    from eachcustomer import OrgModel, Params, load_scenario, run_model, run_sweep

    setup = load_scenario("equal_budget", plan="culture")       # a built-in scenario
    result = run_model(setup.params, seed=1, interventions=setup.interventions)
    result.series                                                # one row per week
    run_sweep("small", "results/small")                          # a built-in sweep spec
    calibrate("published_targets", "results/calibration")        # or a TOML file of yours
    draw_parameters(load_posterior("results/calibration"), seed=3)   # a fitted parameter set

Built-in names (`eachcustomer list`) work wherever a file or folder is asked for; they are
resolved, for every kind, by `eachcustomer.experiments.loading.catalogue.resolve`.

`python -m eachcustomer --help` (or the `eachcustomer` command) is the command line.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from eachcustomer.experiments.calibration.posterior import draw_parameters, load_posterior
    from eachcustomer.experiments.calibration.targets import load_targets
    from eachcustomer.experiments.loading.scenario_files import RunSetup, load_scenario
    from eachcustomer.experiments.loading.sweeps import Sweep, load_sweep
    from eachcustomer.experiments.running.runs import RunResult, run_model
    from eachcustomer.sim.interventions import Intervention
    from eachcustomer.sim.model import OrgModel
    from eachcustomer.sim.params import Params

_PUBLIC = {
    "draw_parameters": "eachcustomer.experiments.calibration.posterior",
    "load_posterior": "eachcustomer.experiments.calibration.posterior",
    "load_targets": "eachcustomer.experiments.calibration.targets",
    "RunSetup": "eachcustomer.experiments.loading.scenario_files",
    "load_scenario": "eachcustomer.experiments.loading.scenario_files",
    "Sweep": "eachcustomer.experiments.loading.sweeps",
    "load_sweep": "eachcustomer.experiments.loading.sweeps",
    "RunResult": "eachcustomer.experiments.running.runs",
    "run_model": "eachcustomer.experiments.running.runs",
    "Intervention": "eachcustomer.sim.interventions",
    "OrgModel": "eachcustomer.sim.model",
    "Params": "eachcustomer.sim.params",
}
"""Where each public name lives. They load on first use, so `import eachcustomer.sim`
(or the command line's --help) does not pay for pandas, Mesa and the kernels it does not need."""


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        value = getattr(importlib.import_module(_PUBLIC[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'eachcustomer' has no attribute {name!r}")


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
        spec: a sweep spec TOML file, the name of a built-in one (`eachcustomer list
            sweeps`), or a sweep from `load_sweep`.
        out: the results folder.
        workers: worker processes (all cores when None; 1 runs in this process).
        dask_scheduler: run on the Dask cluster at this address instead.
        dask_local: start a local Dask cluster with `workers` workers.
        retry_failed: on resume, run again the runs recorded as failed.
        on_progress: called with an `eachcustomer.experiments.running.executors.SweepProgress` after
        each run.

    Returns:
        The sweep's progress at the end (runs done, failed, finished before).
    """
    from eachcustomer.experiments.loading.sweeps import Sweep, load_sweep
    from eachcustomer.experiments.running.executors import make_executor
    from eachcustomer.experiments.running.executors import run_sweep as execute

    sweep = spec if isinstance(spec, Sweep) else load_sweep(spec)
    executor = make_executor(workers, dask_scheduler, dask_local)
    return execute(sweep, out, executor, retry_failed=retry_failed, on_progress=on_progress)


def calibrate(targets: str | Path, out: str | Path, **options: Any) -> dict[str, Any]:
    """Fit a targets file's priors to its targets (ABC-SMC) and write the folder `out`.

    Args:
        targets: a targets TOML file (docs/CALIBRATION.md, section 4), or the name of a
            built-in one ("published_targets").
        out: a new folder for the posterior, diagnostics and summary.
        **options: `workers`, `dask_scheduler`, `dask_local`, `populations`,
            `population_size`, `on_progress`, as in
            `eachcustomer.experiments.calibration.runner.calibrate`.

    Returns:
        The calibration's manifest (what was fitted, the cost, the final epsilon).
    """
    from eachcustomer.experiments.calibration.runner import calibrate as run_calibration
    from eachcustomer.experiments.calibration.targets import load_targets

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
