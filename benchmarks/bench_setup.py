"""What every benchmark does first: one BLAS/OpenMP thread per process, the repository importable.

Import it and call `prepare()` before anything imports numpy: the thread counts are read once,
when numpy loads. Benchmarks run as scripts (`python benchmarks/NAME.py`), so this sibling
module is on the path already.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)


def prepare() -> Path:
    """Pin every numeric library to one thread ("one core", one per worker); return the root."""
    for variable in THREAD_VARIABLES:
        os.environ[variable] = "1"
    root = Path(__file__).resolve().parent.parent
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    return root
