"""What compiling the kernels costs on a cold cache: CPU and wall time in fresh processes.

For each source tree given (default: this checkout), in turn (tree A, tree B, A, B, ... so
that a change in the machine's load hits all alike), `--repeats` times:

- `compile_kernels()` with an empty kernel cache, timed inside the process (the imports
  before it excluded): CPU (`time.process_time`) and wall;
- `eachcustomer run SCENARIO` (default `scenarios/baseline.toml`) with an empty kernel
  cache, the first run after an install: CPU of the whole process (user + system) and wall;
- the same command again, on the cache the first one filled: a warm start.

Each measurement gets a temporary NUMBA_CACHE_DIR (your own cache is left alone). A tree is
put first on PYTHONPATH and is the working directory, so an older checkout (a `git
archive` of main) is measured with the same interpreter and packages. Prints one JSON line
per measurement, with the load average, then the best and the median of each.

    python benchmarks/cold_compile.py --repeats 3
    python benchmarks/cold_compile.py --tree before=/tmp/main-copy --tree after=. --repeats 5
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_setup import add_tree_argument, trees_of

COMPILE_PROBE = """
import json, time
import eachcustomer.sim.batch
from eachcustomer.sim.warmup import compile_kernels
cpu, wall = time.process_time(), time.perf_counter()
compile_kernels()
print(json.dumps({"cpu_s": time.process_time() - cpu, "wall_s": time.perf_counter() - wall}))
"""

MEASURES = ("compile_cpu_s", "compile_wall_s", "first_cpu_s", "first_wall_s")
WARM = ("warm_cpu_s", "warm_wall_s")


def child(command: list[str], tree: Path, cache: str) -> tuple[str, float, float]:
    """Stdout, CPU seconds (user + system) and wall seconds of `command` run in `tree`."""
    env = {**os.environ, "NUMBA_CACHE_DIR": cache, "PYTHONPATH": str(tree), "COLUMNS": "100"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter()
    out = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tree, check=True)
    wall = time.perf_counter() - wall
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return out.stdout, cpu, wall


def measure(tree: Path, scenario: str) -> dict[str, float]:
    """One cold `compile_kernels()`, one first run on an empty cache and one warm run."""
    row = {"load": os.getloadavg()[0]}
    with tempfile.TemporaryDirectory(prefix="numba-cache-") as cache:
        out, _, _ = child([sys.executable, "-c", COMPILE_PROBE], tree, cache)
        inner = json.loads(out.strip().splitlines()[-1])
        row |= {"compile_cpu_s": inner["cpu_s"], "compile_wall_s": inner["wall_s"]}
    run = [sys.executable, "-m", "eachcustomer.cli", "run", scenario]
    with tempfile.TemporaryDirectory(prefix="numba-cache-") as cache:
        out, row["first_cpu_s"], row["first_wall_s"] = child(run, tree, cache)
        if "compiling the simulation kernels" not in out:
            raise SystemExit(f"{tree}: the first run did not compile (a cache was found?)")
        _, row["warm_cpu_s"], row["warm_wall_s"] = child(run, tree, cache)
    return {key: round(value, 2) for key, value in row.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_tree_argument(parser)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--scenario", default="scenarios/baseline.toml")
    args = parser.parse_args(argv)
    trees = list(trees_of(args).items())
    rows: dict[str, list[dict[str, float]]] = {label: [] for label, _ in trees}
    for _ in range(args.repeats):
        for label, path in trees:
            row = measure(path, args.scenario)
            rows[label].append(row)
            print(json.dumps({"tree": label, **row}), flush=True)
    for label, measured in rows.items():
        summary = {
            key: (min(r[key] for r in measured), statistics.median(r[key] for r in measured))
            for key in MEASURES + WARM
        }
        print(label, "best / median:", json.dumps(summary))


if __name__ == "__main__":
    main()
