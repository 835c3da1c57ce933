"""What every benchmark does first: one BLAS/OpenMP thread per process, the repository importable.

Import it and call `prepare()` before anything imports numpy: the thread counts are read once,
when numpy loads. Benchmarks run as scripts (`python benchmarks/NAME.py`), so this sibling
module is on the path already.
"""

from __future__ import annotations

import argparse
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


def add_tree_argument(parser: argparse.ArgumentParser) -> None:
    """`--tree LABEL=PATH`, repeatable: the source trees a benchmark compares in turn."""
    parser.add_argument(
        "--tree",
        action="append",
        metavar="LABEL=PATH",
        help="a source tree to measure (repeatable); default: this checkout",
    )


def trees_of(args: argparse.Namespace) -> dict[str, Path]:
    """The trees `--tree` named, by label, in order; this checkout alone when none."""
    pairs = args.tree or [f"this={Path(__file__).resolve().parents[1]}"]
    return {label: Path(path).resolve() for label, path in (p.split("=", 1) for p in pairs)}
