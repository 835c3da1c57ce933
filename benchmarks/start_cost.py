"""What starting a command costs: CPU, wall time and memory of fresh `eachcustomer` processes.

For each source tree given (default: this checkout), in turn (tree A, tree B, A, B, ... so
that a change in the machine's load hits all alike), best of `--repeats`:

- `eachcustomer --help`;
- `eachcustomer run` (the embedded baseline, 104 weeks) with a warm kernel cache, from
  process start to the printed summary: CPU (user + system, `os.wait4`), wall, peak RSS;
- in the same command, measured inside it: resident memory (VmRSS) and CPU time once the
  kernels are loaded (`compile_kernels` returns), before the model is built;
- and which heavy packages that run has imported by then;
- with `--outputs`, `eachcustomer run --out FILE.csv` and `--out FILE.parquet` too (CPU,
  wall, peak RSS), and whether the trees wrote the same bytes.

Each tree gets a kernel cache and a bytecode cache of its own (NUMBA_CACHE_DIR and
PYTHONPYCACHEPREFIX under the temporary folder, warmed by one run first; bytecode is written
even if PYTHONDONTWRITEBYTECODE is set, as on a user's machine), so trees do not evict each
other's kernels and your own caches are left alone. A tree is put first on PYTHONPATH, so
an older checkout (e.g. a `git archive` of main) is measured with the same interpreter and
packages.

    python benchmarks/start_cost.py --repeats 5
    python benchmarks/start_cost.py --tree before=/tmp/main-copy --tree after=. --repeats 5
    python benchmarks/start_cost.py --tree before=/tmp/main-copy --tree after=. --outputs
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_setup import add_tree_argument, trees_of

HEAVY = (
    "mesa",
    "pandas",
    "pyarrow",
    "scipy.spatial",
    "scipy.stats",
    "networkx",
    "numba",
    "pydantic",
    "dash",
    "plotly",
    "dask",
    "SALib",
    "pymoo",
    "defusedxml",
    "tqdm",
)

# Runs the real command in-process; notes memory and CPU when the kernels are loaded (the
# command calls `compile_kernels` just before it builds the model).
PROBE = """
import json, sys, time
import eachcustomer.sim.warmup as warmup

seen = {}
compile_kernels = warmup.compile_kernels

def noted(*args, **kwargs):
    took = compile_kernels(*args, **kwargs)
    with open("/proc/self/status") as status:
        rss = next(int(l.split()[1]) for l in status if l.startswith("VmRSS"))
    seen.update(rss_mb=rss / 1024, cpu_s=time.process_time())
    seen["imported"] = [m for m in sys.argv[1:] if m in sys.modules]
    return took

warmup.compile_kernels = noted
from eachcustomer.cli import app

try:
    app(["run"])
except SystemExit as stop:
    assert not stop.code, stop.code
print(json.dumps(seen))
"""


STAGES = """
import importlib, sys, time

def rss_mb():
    with open("/proc/self/status") as status:
        return next(int(l.split()[1]) for l in status if l.startswith("VmRSS")) / 1024

rows, memory, cpu = [], rss_mb(), time.process_time()

def stage(name):
    global memory, cpu
    now_memory, now_cpu = rss_mb(), time.process_time()
    rows.append(f"| {name} | {now_cpu - cpu:.2f} | {now_memory - memory:+.0f} | {now_memory:.0f} |")
    memory, cpu = now_memory, now_cpu

rows.append(f"| Python itself | {cpu:.2f} | | {memory:.0f} |")
for module in ("numpy", "numba", "scipy.sparse", "pydantic", "typer",
               "rich.progress", "eachcustomer.cli",
               "eachcustomer.experiments.loading.scenario_files", "eachcustomer.sim.batch",
               "eachcustomer.experiments.running.runs"):
    importlib.import_module(module)
    stage(f"import {module}")
import numpy as np
from eachcustomer.sim.processes.bounds import push_attitude
push_attitude(np.zeros(2), np.zeros(2))
stage("first kernel loaded (numba's compiler set up)")
from eachcustomer.sim.warmup import compile_kernels
compile_kernels()
stage("every other kernel (compile_kernels)")
from eachcustomer.experiments.loading.scenario_files import load_scenario
from eachcustomer.experiments.running.runs import run_batch
setup = load_scenario(None)
(result,) = run_batch(setup.params, [(setup.seed, setup.interventions)], org=setup.org)
stage("the run: 500 employees, 104 weeks")
result.series
stage("its table (`RunResult.series`; pandas with pyarrow, unless imported before)")
print("\\n".join(rows))
"""


def child(command: list[str], env: dict[str, str]) -> tuple[float, float, float, str]:
    """CPU seconds, wall seconds, peak RSS (MB) and stdout of one fresh process.

    It runs in the kernel cache's folder: a checkout as the working directory would come
    before PYTHONPATH on `sys.path`.
    """
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, cwd=env["NUMBA_CACHE_DIR"], stdout=subprocess.PIPE, text=True
    )
    out = process.stdout.read() if process.stdout else ""
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise RuntimeError(f"{command} exited {process.returncode}")
    return usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss / 1024, out


def measure(
    trees: dict[str, Path], repeats: int, outputs: bool = False
) -> dict[str, dict[str, float | list[str]]]:
    """Best (lowest) of `repeats` of each measurement, per tree; with `outputs`, the runs
    that write a CSV and a Parquet file too, and whether every tree wrote the same bytes."""
    scratch = Path(tempfile.mkdtemp(prefix="start-cost-"))
    envs = {}
    for label, tree in trees.items():
        env = dict(os.environ, PYTHONPATH=str(tree.resolve()), COLUMNS="100")
        env["NUMBA_CACHE_DIR"] = str(scratch / label)
        (scratch / label).mkdir()
        # Bytecode cached as on a user's machine, in the scratch folder (not in the trees).
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(scratch / label / "pycache")
        envs[label] = env
        child([sys.executable, "-m", "eachcustomer.cli", "run"], env)  # warm its cache
    best: dict[str, dict[str, float | list[str]]] = {label: {} for label in trees}

    def keep(label: str, key: str, value: float) -> None:
        old = best[label].get(key)
        best[label][key] = value if not isinstance(old, float) else min(old, value)

    for _ in range(repeats):
        for label, env in envs.items():
            cpu, wall, _, _ = child([sys.executable, "-m", "eachcustomer.cli", "--help"], env)
            keep(label, "help_cpu_s", cpu)
            keep(label, "help_wall_s", wall)
            cpu, wall, peak, _ = child([sys.executable, "-m", "eachcustomer.cli", "run"], env)
            keep(label, "run_cpu_s", cpu)
            keep(label, "run_wall_s", wall)
            keep(label, "run_peak_rss_mb", peak)
            _, _, _, out = child([sys.executable, "-c", PROBE, *HEAVY], env)
            seen = json.loads(out.strip().splitlines()[-1])
            keep(label, "before_model_rss_mb", seen["rss_mb"])
            keep(label, "before_model_cpu_s", seen["cpu_s"])
            best[label]["imported"] = seen["imported"]
            for suffix in ("csv", "parquet") if outputs else ():
                out = scratch / label / f"weekly.{suffix}"
                command = [sys.executable, "-m", "eachcustomer.cli", "run", "--out", str(out)]
                cpu, wall, peak, _ = child(command, env)
                keep(label, f"{suffix}_cpu_s", cpu)
                keep(label, f"{suffix}_wall_s", wall)
                keep(label, f"{suffix}_peak_rss_mb", peak)
    for suffix in ("csv", "parquet") if outputs else ():
        written = {(scratch / label / f"weekly.{suffix}").read_bytes() for label in trees}
        for label in trees:
            best[label][f"{suffix}_same_bytes"] = ["yes" if len(written) == 1 else "NO"]
    return best


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_tree_argument(parser)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--outputs",
        action="store_true",
        help="also time `eachcustomer run --out FILE.csv` and `--out FILE.parquet`",
    )
    parser.add_argument(
        "--stages",
        action="store_true",
        help="also print, for each tree, CPU and memory stage by stage in one process",
    )
    args = parser.parse_args(argv)
    trees = trees_of(args)
    load_at_start = os.getloadavg()
    results = measure(trees, args.repeats, args.outputs)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores")
    print(
        "load average at start / end: "
        + " / ".join(
            ", ".join(f"{v:.2f}" for v in load) for load in (load_at_start, os.getloadavg())
        )
    )
    for label, numbers in results.items():
        print(f"\n{label} ({trees[label]}), best of {args.repeats}:")
        for key, value in numbers.items():
            shown = ", ".join(value) if isinstance(value, list) else f"{value:.2f}"
            print(f"  {key:22s} {shown}")
    for label, tree in trees.items() if args.stages else ():
        env = dict(os.environ, PYTHONPATH=str(tree.resolve()))
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["NUMBA_CACHE_DIR"] = env["PYTHONPYCACHEPREFIX"] = tempfile.mkdtemp()
        child([sys.executable, "-c", STAGES], env)  # caches warmed
        print(f"\n{label}, stage by stage (CPU s, resident memory MB):\n")
        print("| stage | CPU s | memory MB | total MB |\n|---|---:|---:|---:|")
        print(child([sys.executable, "-c", STAGES], env)[3].strip())


if __name__ == "__main__":
    main()
