"""Compiled kernels: numba's `njit` with the project's options, and where they are cached.

A kernel is a small function over plain arrays and scalars that the process modules call
for their loops (STYLE.md, "Compiled kernels stay readable"); the kernels of a process
also draw its random numbers, from the replications' numpy Generators, which numba draws
from exactly as numpy does (`eachcustomer.sim.processes.sampling`). Kernels are compiled the
first time they are called and cached on disk (`cache=True`), so only the first run after
an install or an upgrade pays for compiling; `eachcustomer.sim.warmup` compiles them ahead
of a run. This module imports no other module of the model: every module that defines a
kernel imports it.

The cache lives in a folder of its own, named by a digest of every module that defines
kernels (`kernel_cache_dir`): numba checks a cached kernel against its own file only, so a
kernel that calls (or copies, `inlined_kernel`) a changed kernel of another module would
otherwise keep the old one.

Options, and why:
- `cache=True`: compile once per install, not once per process.
- small helpers that only kernels call are `inlined_kernel`s (numba's `inline="always"`):
  fewer functions to compile on a cold cache (see its docstring).
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
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, TypeVar, cast

import numba

Function = TypeVar("Function", bound=Callable[..., Any])

KERNELS: list[Any] = []
"""Every kernel of the modules imported so far, in the order they define them."""


def kernel(function: Function) -> Function:
    """Compile `function` with numba (the options of this module's docstring) and list it."""
    compiled = _compiled(function, inline="never")
    KERNELS.append(compiled)
    return cast(Function, compiled)


def inlined_kernel(function: Function) -> Function:
    """A helper kernel that numba copies into each kernel calling it (`inline="always"`).

    For helpers that a run calls only from other kernels: a few lines over scalars, or a
    loop that a single kernel calls. Compiled on its own, each costs a cold cache its own
    pass through numba and LLVM, and is linked into and optimized again in every caller
    (0.05-0.3 s each); copied, its lines are typed inside the callers. A loop called from
    several places (`eachcustomer.sim.state.copy_of`) compiles faster as a kernel of its
    own, measured (benchmarks/RESULTS.md, issue 22, cold compile). Called from Python
    (tests, the reference), it compiles on its own and is cached like any kernel. It is not
    in `KERNELS`: a run never calls it from Python, so `kernels_cached` does not wait for it.
    """
    return cast(Function, _compiled(function, inline="always"))


def _compiled(function: Callable[..., Any], inline: Literal["never", "always"]) -> Any:
    # numba picks a kernel's cache folder when it wraps the function, from its config:
    # point it at ours for that moment only, so that other numba code is left alone.
    config = numba.config  # CACHE_DIR is set from the environment: not in the type stubs
    previous = getattr(config, "CACHE_DIR")  # noqa: B009
    setattr(config, "CACHE_DIR", kernel_cache_dir())  # noqa: B010
    try:
        return numba.njit(cache=True, nogil=True, error_model="numpy", inline=inline)(function)
    finally:
        setattr(config, "CACHE_DIR", previous)  # noqa: B010


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
        if b"@kernel" in source or b"@inlined_kernel" in source or path.name == "compiled.py":
            digest.update(path.relative_to(package).as_posix().encode() + b"\0" + source)
    base = os.environ.get("NUMBA_CACHE_DIR") or _user_cache()
    return os.path.join(base, "eachcustomer", f"kernels-{digest.hexdigest()[:16]}")


def _user_cache() -> str:
    if sys.platform == "win32":
        return os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
    if sys.platform == "darwin":
        return str(Path.home() / "Library" / "Caches")
    return os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
