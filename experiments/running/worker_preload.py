"""Imported by a local pool's forkserver before it forks any worker: the model, kernels loaded.

`eachcustomer.experiments.running.executors.ProcessExecutor` names this module in
`set_forkserver_preload`. The forkserver imports it once; every worker forked from it then
starts with the model imported and every compiled kernel loaded from numba's disk cache (or
compiled, after an install), instead of each worker loading them again.
"""

from __future__ import annotations

from eachcustomer.experiments.running import executors, runs  # noqa: F401  (imported to be inherited)
from eachcustomer.sim.warmup import compile_kernels

compile_kernels()
