"""Time per run of the default scenario against the number of replications in a batch.

`eachcustomer.experiments.running.runs.run_batch` steps R replications of one parameter set as one
flattened model (`eachcustomer.sim.batch`). This measures the CPU time per run (build, 104 weeks,
output tables and summaries, divided by R) for each R, the sizes interleaved and each the best of
`--repeats`, so that the choice of `eachcustomer.experiments.running.runs.BATCH_SIZE` rests on a
measurement. BLAS and OpenMP are pinned to one thread, as in core_step.py.

    python benchmarks/batch_size.py --write      # what RESULTS.md records
    python benchmarks/batch_size.py --sizes 1 8 --repeats 2

`--write` replaces the "## Batched replications" section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # the siblings bench_setup, results_file
import bench_setup  # noqa: E402

ROOT = bench_setup.prepare()  # before numpy is imported

import argparse  # noqa: E402
import datetime  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402

from results_file import replace_section  # noqa: E402

from eachcustomer.experiments.running.runs import BATCH_SIZE, run_batch  # noqa: E402
from eachcustomer.sim.params import Params  # noqa: E402
from eachcustomer.sim.replications import replication_seeds  # noqa: E402
from eachcustomer.sim.warmup import compile_kernels  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
SECTION = "## Batched replications"
SIZES = (1, 2, 4, 8, 12, 16, 24, 32, 48)


def cpu_ms_per_run(size: int, params: Params, seed: int) -> tuple[float, float]:
    """CPU and wall milliseconds per run of one batch of `size` default runs."""
    runs = [(s, None) for s in replication_seeds(seed, size)]
    wall, cpu = time.perf_counter(), time.process_time()
    run_batch(params, runs)
    return (
        1e3 * (time.process_time() - cpu) / size,
        1e3 * (time.perf_counter() - wall) / size,
    )


def measure(sizes: list[int], repeats: int) -> dict[int, tuple[float, float]]:
    """Best CPU and wall ms per run of each size, the sizes interleaved in each repeat."""
    params = Params()
    best: dict[int, tuple[float, float]] = {}
    for repeat in range(repeats):
        for size in sizes:
            cpu, wall = cpu_ms_per_run(size, params, seed=1000 * repeat + size)
            old = best.get(size, (float("inf"), float("inf")))
            best[size] = (min(old[0], cpu), min(old[1], wall))
    return best


def section(best: dict[int, tuple[float, float]], command: str, load: tuple, after: tuple) -> str:
    single = best[min(best)][0]
    rows = "\n".join(
        f"| {size} | {cpu:.2f} | {wall:.2f} | {single / cpu:.2f}x |"
        for size, (cpu, wall) in sorted(best.items())
    )
    return (
        f"{SECTION}\n\n"
        f"Command: `{command}`\n\n"
        f"Measured {datetime.date.today()} on {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; load average {load[0]:.2f}, {load[1]:.2f}, "
        f"{load[2]:.2f} at the start and {after[0]:.2f}, {after[1]:.2f}, {after[2]:.2f} at "
        "the end (other jobs on the machine).\n\n"
        "Default scenario (500 employees, 104 weeks, output tables and summaries), CPU and "
        "wall milliseconds per run when R replications are stepped together "
        "(`eachcustomer.experiments.running.runs.run_batch`), best of the repeats, "
        "sizes interleaved.\n\n"
        "| replications per batch | CPU ms per run | wall ms per run | speed-up over one |\n"
        "|---|---|---|---|\n"
        f"{rows}\n\n"
        f"`eachcustomer.experiments.running.runs.BATCH_SIZE` is {BATCH_SIZE}.\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--write", action="store_true", help="record it in RESULTS.md")
    args = parser.parse_args()
    compile_kernels()
    load = os.getloadavg()
    best = measure(args.sizes, args.repeats)
    text = section(best, "python " + " ".join(sys.argv), load, os.getloadavg())
    print(text)
    if args.write:
        replace_section(RESULTS, SECTION, text)


if __name__ == "__main__":
    main()
