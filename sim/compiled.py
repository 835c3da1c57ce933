"""Compiled kernels: numba's `njit` with the project's options, and compiling them ahead of use.

A kernel is a small function over plain arrays and scalars that the process modules call
for their loops (STYLE.md, "Compiled kernels stay readable"). Kernels are compiled the
first time they are called and cached on disk (`cache=True`), so only the first run after
an install or an upgrade pays for compiling.

The cache lives in a folder of its own, named by a digest of every module that defines
kernels (`kernel_cache_dir`): numba checks a cached kernel against its own file only, so a
kernel that calls a changed kernel of another module would otherwise keep the old one.

Options, and why:
- `cache=True`: compile once per install, not once per process.
- `nogil=True`: a kernel does not hold the GIL, so a thread (the dashboard's background
  jobs, a progress bar) keeps running while it computes.
- `error_model="numpy"`: a division by zero gives inf or NaN as in numpy, and the loops
  need no zero checks.
- no `fastmath`: floating-point sums keep their order, so a replication gives the same
  numbers bit for bit whether it runs alone or in a batch (`eachcustomer.sim.batch`).
"""

from __future__ import annotations

import functools
import hashlib
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

import numba

Function = TypeVar("Function", bound=Callable[..., Any])

KERNELS: list[Any] = []
"""Every kernel, in the order their modules define them."""

COMPILING = "compiling the simulation kernels (once after install)..."
"""What to tell a user who waits for `compile_kernels` on a cold cache."""


def kernel(function: Function) -> Function:
    """Compile `function` with numba (the options of this module's docstring) and list it."""
    # numba picks a kernel's cache folder when it wraps the function, from its config:
    # point it at ours for that moment only, so that other numba code is left alone.
    config = numba.config  # CACHE_DIR is set from the environment: not in the type stubs
    previous = getattr(config, "CACHE_DIR")  # noqa: B009
    setattr(config, "CACHE_DIR", kernel_cache_dir())  # noqa: B010
    try:
        compiled = numba.njit(cache=True, nogil=True, error_model="numpy")(function)
    finally:
        setattr(config, "CACHE_DIR", previous)  # noqa: B010
    KERNELS.append(compiled)
    return cast(Function, compiled)


@functools.cache
def kernel_cache_dir() -> str:
    """The folder of the compiled kernels: one per version of the modules that define them.

    Under NUMBA_CACHE_DIR if it is set, else the user's cache folder; numba falls back to
    its own places if this one cannot be written.
    """
    package = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        source = path.read_bytes()
        if b"@kernel" in source or path.name == "compiled.py":
            digest.update(path.relative_to(package).as_posix().encode() + b"\0" + source)
    base = os.environ.get("NUMBA_CACHE_DIR") or _user_cache()
    return os.path.join(base, "eachcustomer", f"kernels-{digest.hexdigest()[:16]}")


def _user_cache() -> str:
    if sys.platform == "win32":
        return os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
    if sys.platform == "darwin":
        return str(Path.home() / "Library" / "Caches")
    return os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")


def kernels_cached() -> bool:
    """Whether every kernel has a fresh compiled version on disk (False if it cannot tell).

    Numba keeps one index file per kernel; it reads as empty when it is missing, stale (the
    source changed) or from another numba version. The index is not public API, so any
    surprise reads as "not cached", which only makes a caller announce compiling.
    """
    _import_every_process()
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
        _run_tiny_model()
        return time.perf_counter() - started
    if not kernels_cached():
        announce()
        _run_tiny_model()
        return time.perf_counter() - started
    worker = threading.Thread(target=_run_tiny_model, name="compile-kernels", daemon=True)
    worker.start()
    worker.join(patience_s)
    if worker.is_alive():
        announce()
        worker.join()
    return time.perf_counter() - started


def _import_every_process() -> None:
    """Import the modules that define kernels, so that `KERNELS` lists them all."""
    import eachcustomer.sim.batch  # noqa: F401 - imports every process and the recorder


def _run_tiny_model() -> None:
    """Two weeks of a small model with every mechanism and an intervention of each kind.

    Every kernel runs at least once with the argument types of a real run, so each is
    compiled or loaded here rather than in the middle of someone's first run.
    """
    from eachcustomer.sim.batch import Batch, start_replication
    from eachcustomer.sim.interventions import KINDS
    from eachcustomer.sim.params import Params

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
        batch.step()
    batch.recorder.tables()
