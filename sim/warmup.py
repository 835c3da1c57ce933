"""Compile every kernel ahead of a run, by running a tiny model; tell a user who waits.

The command line and the dashboard call `compile_kernels` before their first run, so that
no run stops midway to compile. It imports the batch model, and through it every module
that defines a kernel (`eachcustomer.sim.compiled.KERNELS` then lists them all), which is
why it lives here and not beside the kernels' options in `eachcustomer.sim.compiled`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import numpy as np

from eachcustomer.sim.batch import Batch, start_replication
from eachcustomer.sim.compiled import KERNELS
from eachcustomer.sim.interventions import KINDS
from eachcustomer.sim.metrics import evaluations
from eachcustomer.sim.params import Params
from eachcustomer.sim.processes.sampling import bernoulli_slots

COMPILING = "compiling the simulation kernels (once after install)..."
"""What to tell a user who waits for `compile_kernels` on a cold cache."""


def kernels_cached() -> bool:
    """Whether every kernel has a fresh compiled version on disk (False if it cannot tell).

    Numba keeps one index file per kernel; it reads as empty when it is missing, stale (the
    source changed) or from another numba version. The index is not public API, so any
    surprise reads as "not cached", which only makes a caller announce compiling.
    """
    try:
        return all(bool(k._cache._cache_file._load_index()) for k in KERNELS)
    except Exception:
        return False


def compile_kernels(announce: Callable[[], None] | None = None, patience_s: float = 0.5) -> float:
    """Compile (or load from the disk cache) every kernel by running a tiny model.

    Args:
        announce: called once, before compiling starts, when the kernels are not cached;
            also called if loading takes longer than `patience_s` (e.g. a slow disk).
        patience_s: seconds to wait before announcing a load that was expected to be quick.

    Returns:
        The seconds it took.
    """
    started = time.perf_counter()
    if announce is None:
        run_tiny_model()
        return time.perf_counter() - started
    if not kernels_cached():
        announce()
        run_tiny_model()
        return time.perf_counter() - started
    worker = threading.Thread(target=run_tiny_model, name="compile-kernels", daemon=True)
    worker.start()
    worker.join(patience_s)
    if worker.is_alive():
        announce()
        worker.join()
    return time.perf_counter() - started


def run_tiny_model() -> None:
    """Two weeks of a small model with every mechanism and an intervention of each kind.

    Every kernel runs at least once with the argument types of a real run, so each is
    compiled or loaded here rather than in the middle of someone's first run.
    """
    params = Params(n_employees=40, customers_per_employee=5, turnover_rate=0.05)
    plan = [
        {"kind": kind, "start": 1, "duration": 2, "strength": 0.3, "coverage": {"share": 0.5}}
        for kind in KINDS
    ]
    replications = [
        start_replication(params, None, seed, plan if seed else None, None) for seed in (1, 2)
    ]
    batch = Batch(replications, params, keep_history=True)
    for _ in range(2):
        batch.step()  # records the weeks too; building a table calls no kernel, only pandas
    # Kernels that a step does not call, only their users: slots drawn from Python, and
    # every employee's evaluation (a class session's students see theirs).
    bernoulli_slots(10, 0.5, replications[0].rng)
    levers = batch.lever_arrays
    evaluations(
        batch.employees.customer_focus,
        batch.boss,
        levers.customer_weight,
        levers.outcome_visibility,
        np.zeros(batch.size),
        levers.shareholder_pressure,
        levers.orientation_shift,
        batch.employee_start,
    )
