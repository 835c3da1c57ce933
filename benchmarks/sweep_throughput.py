"""Sweep throughput: runs per second of the default scenario on 1 and 2 workers and on Dask.

    python benchmarks/sweep_throughput.py --write        # what RESULTS.md records, ~3 min
    python benchmarks/sweep_throughput.py --runs 20 --weeks 20 --repeats 1 --no-dask

Every configuration runs the same sweep (the baseline scenario, 500 employees, `--weeks`
weeks, `--runs` runs) into a fresh results folder, so the numbers include what a user pays:
writing every run to Parquet and (under "wall") starting the workers. "steady" is the rate
between the 10th and the 90th percent of runs finished, which is what a long sweep
approaches. Each configuration is measured `--repeats` times, interleaved with the others,
and the best is kept (on a shared machine the best is the least disturbed; the median is
shown too). Parallel efficiency is the best steady rate over the number of workers times
the best steady rate of the process pool with one worker (the same machinery: the parent
process writes results while the worker computes, so one worker is a little more than
one core, and serial, computing and writing in turn, a little less). The bare model
(`run_model` in a loop, and `run_replications` in batches, no sweep machinery) gives the
ceiling per core, and its CPU time per run (which other load on the machine does not
inflate) the ceiling on idle cores.
BLAS and OpenMP are pinned to one thread per process, as in core_step.py.

`--write` replaces the "## Sweep throughput" section of benchmarks/RESULTS.md and keeps the
rest.

    python benchmarks/sweep_throughput.py --spec small --repeats 5

With `--spec`, the command a user types instead, `eachcustomer sweep SPEC --out DIR
--workers N` for N in `--compare-workers` (1 and 2 by default), each repeat running every N
in turn into a fresh folder: wall time of the whole command (Python's start, imports,
loading the kernels, the pool's start if it starts one) and the CPU time of the command
and of every process it started (`process_cpu.command_cost`), best and median.
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
import shutil  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

from process_cpu import command_cost  # noqa: E402
from results_file import replace_section  # noqa: E402

from eachcustomer.experiments.loading.sweeps import Sweep, parse_sweep  # noqa: E402
from eachcustomer.experiments.running.executors import (  # noqa: E402
    DaskExecutor,
    ProcessExecutor,
    SerialExecutor,
    auto_chunk_size,
    run_sweep,
)
from eachcustomer.experiments.running.runs import BATCH_SIZE, run_model, run_replications  # noqa: E402
from eachcustomer.sim.warmup import compile_kernels  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
SECTION = "## Sweep throughput"


def default_sweep(runs: int, weeks: int) -> Sweep:
    """The baseline scenario, replicated: every run is the default scenario, new seed."""
    return parse_sweep(
        {
            "title": "throughput",
            "scenario": "baseline",
            "seed": 1,
            "weeks": weeks,
            "replications": runs,
        }
    )


def bare_rate(sweep: Sweep, runs: int) -> tuple[float, float]:
    """Runs per second of the model alone, and CPU seconds per run."""
    params = sweep.setup.params.replace(horizon_weeks=sweep.weeks)
    run_model(params, 0)  # warm up imports and caches
    start, cpu = time.perf_counter(), time.process_time()
    for seed in range(runs):
        run_model(params, seed)
    return runs / (time.perf_counter() - start), (time.process_time() - cpu) / runs


def batched_rate(sweep: Sweep, runs: int) -> tuple[float, float]:
    """Runs per second of `run_replications` (batches of BATCH_SIZE), and CPU s per run."""
    params = sweep.setup.params.replace(horizon_weeks=sweep.weeks)
    start, cpu = time.perf_counter(), time.process_time()
    run_replications(params, list(range(runs)))
    return runs / (time.perf_counter() - start), (time.process_time() - cpu) / runs


def sweep_rate(sweep: Sweep, executor, folder: Path) -> tuple[float, float]:
    """Runs per second over the whole call, and from 10% to 90% of the runs finished."""
    stamps: list[float] = []
    start = time.perf_counter()
    progress = run_sweep(
        sweep,
        folder,
        executor,
        on_progress=lambda p: stamps.append(time.perf_counter()) if p.done else None,
    )
    wall = time.perf_counter() - start
    shutil.rmtree(folder)
    assert progress.failed == 0, progress.last_error
    first, last = len(stamps) // 10, len(stamps) * 9 // 10
    return progress.done / wall, (last - first) / (stamps[last] - stamps[first])


def measure(runs: int, weeks: int, dask: bool, repeats: int, command: str) -> str:
    """Run every configuration `repeats` times; the Markdown section for RESULTS.md."""
    compile_kernels()  # the parent, as `eachcustomer sweep` does: workers load them
    load = os.getloadavg()[0]
    sweep = default_sweep(runs, weeks)
    scratch = Path(tempfile.mkdtemp(prefix="sweep-throughput-"))
    configurations = [
        ("serial (`--workers 1`)", 1, SerialExecutor),
        ("process pool, 1 worker", 1, lambda: ProcessExecutor(1)),
        ("process pool, 2 workers (`--workers 2`)", 2, lambda: ProcessExecutor(2)),
    ]
    if dask:
        configurations.append(
            (
                "Dask LocalCluster, 2 workers (`--dask-local --workers 2`)",
                2,
                lambda: DaskExecutor(workers=2),
            )
        )
    bare: list[float] = []
    cpu: list[float] = []
    batched: list[float] = []
    batched_cpu: list[float] = []
    measured: dict[str, list[tuple[float, float]]] = {name: [] for name, _, _ in configurations}
    for _ in range(repeats):
        rate, seconds = bare_rate(sweep, min(runs, 40))
        bare.append(rate)
        cpu.append(seconds)
        rate, seconds = batched_rate(sweep, min(runs, 4 * BATCH_SIZE))
        batched.append(rate)
        batched_cpu.append(seconds)
        for index, (name, _, make) in enumerate(configurations):
            measured[name].append(sweep_rate(sweep, make(), scratch / str(index)))
    shutil.rmtree(scratch, ignore_errors=True)
    rows = [
        ("bare model (`run_model` in a loop)", 1, None, [(rate, rate) for rate in bare]),
        (
            f"bare model, batched (`run_replications`, {BATCH_SIZE} a batch)",
            1,
            None,
            [(rate, rate) for rate in batched],
        ),
    ]
    rows += [(name, workers, True, measured[name]) for name, workers, _ in configurations]
    one = max(steady for _, steady in measured[configurations[1][0]])
    cores = os.cpu_count() or 1
    lines = [
        SECTION,
        "",
        f"`{command}`, "
        f"{datetime.date.today().isoformat()}: {runs} runs of the baseline scenario "
        f"({sweep.setup.params.n_employees} employees, {sweep.weeks} weeks), {cores} cores, "
        f"Python {platform.python_version()}, load average {load:.2f} before and "
        f"{os.getloadavg()[0]:.2f} after (other jobs on the machine slow every row).",
        "",
        "| configuration | runs/s, wall (best) | runs/s, steady (best / median) "
        "| parallel efficiency |",
        "|---|---|---|---|",
    ]
    for name, workers, sweeping, rates in rows:
        steady = [rate for _, rate in rates]
        best = max(steady)
        efficiency = f"{best / (workers * one):.2f}" if sweeping else ""
        wall = f"{max(rate for rate, _ in rates):.1f}" if sweeping else ""
        lines.append(
            f"| {name} | {wall} | {best:.1f} / {statistics.median(steady):.1f} | {efficiency} |"
        )
    least, least_batched = min(cpu), min(batched_cpu)
    lines += [
        "",
        f"CPU time per run of the bare model: {least * 1000:.0f} ms one at a time, "
        f"{least_batched * 1000:.0f} ms in batches, so at most {cores / least_batched:.1f} "
        f"runs/s on {cores} idle cores, whatever the executor. Sweeps run a point's "
        "replications in batches (`eachcustomer.experiments.running.executors.point_chunks`, "
        "chunks of "
        f"{auto_chunk_size(runs, 2)} runs here on 2 workers).",
        "",
    ]
    return "\n".join(lines)


def command_comparison(spec: str, workers: list[int], repeats: int) -> str:
    """`eachcustomer sweep SPEC` on each number of workers in turn, `repeats` times."""
    # `python -m` from the repository root: the code of the checkout this script is in.
    program = [sys.executable, "-m", "eachcustomer.cli"]
    measured: dict[int, list[tuple[float, float]]] = {n: [] for n in workers}
    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="sweep-command-") as scratch:
        for repeat in range(repeats):
            for n in workers:
                out = Path(scratch) / f"{n}-{repeat}"
                argv = [*program, "sweep", spec, "--out", str(out), "--workers", str(n)]
                measured[n].append(command_cost(argv, cwd=ROOT))
                shutil.rmtree(out)
    lines = [
        f"`eachcustomer sweep {spec} --out DIR --workers N`, {repeats} repeats, N in turn, "
        f"{datetime.date.today().isoformat()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; load average {' '.join(f'{x:.2f}' for x in load)} "
        f"before, {' '.join(f'{x:.2f}' for x in os.getloadavg())} after.",
        "",
        "| workers | wall s, best / median | CPU s (every process), best / median |",
        "|---|---|---|",
    ]
    for n, costs in measured.items():
        walls, cpus = [w for w, _ in costs], [c for _, c in costs]
        lines.append(
            f"| {n} | {min(walls):.2f} / {statistics.median(walls):.2f} "
            f"| {min(cpus):.2f} / {statistics.median(cpus):.2f} |"
        )
    return "\n".join(lines)


def write_section(path: Path, section: str) -> None:
    """Put `section` in place of the file's "## Sweep throughput" section; keep the rest."""
    replace_section(path, SECTION, section)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--weeks", type=int, default=104)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-dask", action="store_true")
    parser.add_argument(
        "--write", action="store_true", help=f"update the '{SECTION}' section of {RESULTS.name}"
    )
    parser.add_argument("--spec", help="time `eachcustomer sweep SPEC` instead (see above)")
    parser.add_argument("--compare-workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    if args.spec:
        print(command_comparison(args.spec, args.compare_workers, args.repeats))
        return
    command = "python " + " ".join(sys.argv)
    section = measure(args.runs, args.weeks, not args.no_dask, args.repeats, command)
    print(section)
    if args.write:
        write_section(RESULTS, section)
        print(f"wrote the '{SECTION}' section of {RESULTS}", file=sys.stderr)


if __name__ == "__main__":
    main()
