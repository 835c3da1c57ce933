"""Plan finder: the shipped example search, timed, and checked against the plan library.

    python benchmarks/plan_finder.py --write          # what RESULTS.md records
    python benchmarks/plan_finder.py --spec SPEC --workers 2

Runs `experiments/specs/plan_finder.toml` (or `--spec`) as `eachcustomer plan SPEC --out DIR
--workers N` does (`eachcustomer.experiments.planfinder.finder.find_plan` on a process pool) into a
fresh folder, and reports: wall time; CPU time of this process and of the evaluations (each
evaluation records the CPU time it took where it ran, which the parent's accounts never see
when that is a worker); the CPU time of everything, per run too: this process, the
forkserver and every worker from its start to its end, loading the kernels included
(`process_cpu.py`), which is what a user pays; the load
average before and after (other jobs on a shared machine stretch the wall time, not the CPU
time); plans evaluated and runs; the hypervolume per generation; the recommended plan and
its effects on fresh seeds; and the check against the plan library at the same budget.

`--write` replaces the "## Plan finder" section of benchmarks/RESULTS.md and keeps the rest.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # the siblings bench_setup, results_file
import bench_setup  # noqa: E402

ROOT = bench_setup.prepare()  # before numpy is imported

import argparse  # noqa: E402
import datetime  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

from process_cpu import total_cpu_s, wait_for_reaped_children  # noqa: E402
from results_file import RESULTS, replace_section  # noqa: E402

from eachcustomer.experiments.planfinder.checks import load_plan_search  # noqa: E402
from eachcustomer.experiments.planfinder.finder import find_plan  # noqa: E402
from eachcustomer.experiments.planfinder.report import explanation  # noqa: E402
from eachcustomer.experiments.running.executors import ProcessExecutor  # noqa: E402

HEADING = "## Plan finder"
SPEC = ROOT / "experiments" / "specs" / "plan_finder.toml"


def evaluation_totals(folder: Path) -> tuple[float, int]:
    """CPU seconds the workers spent on the folder's evaluations, and their runs."""
    cpu, runs = 0.0, 0
    for path in (folder / "evaluations").glob("*.json"):
        record = json.loads(path.read_text())
        cpu += record.get("cpu_s") or 0.0
        runs += len(record["seeds"])
    return cpu, runs


def measure(spec: Path, workers: int, folder: Path) -> dict:
    problem = load_plan_search(spec)
    load_before = os.getloadavg()
    wall, cpu, everything = time.perf_counter(), time.process_time(), total_cpu_s()
    report = find_plan(problem, folder, ProcessExecutor(workers))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    wait_for_reaped_children()
    everything = total_cpu_s() - everything
    return {
        "all_cpu": everything,
        "problem": problem,
        "report": report,
        "wall": wall,
        "parent_cpu": cpu,
        "worker_cpu": evaluation_totals(folder)[0],
        "all_runs": evaluation_totals(folder)[1],
        "load_before": load_before,
        "load_after": os.getloadavg(),
    }


def section(spec: Path, workers: int, measured: dict) -> str:
    problem, report = measured["problem"], measured["report"]
    search = problem.spec.search
    convergence = report.result.convergence
    runs = problem.spec.replications * len(report.result.candidates)
    checks = measured["all_runs"] - runs
    cpu = measured["all_cpu"]
    today = datetime.date.today().isoformat()
    load = " ".join(f"{x:.1f}" for x in measured["load_before"])
    load_after = " ".join(f"{x:.1f}" for x in measured["load_after"])
    command = f"python benchmarks/plan_finder.py --workers {workers} --write"
    if spec != SPEC:
        command += f" --spec {spec}"
    lines = [
        HEADING,
        "",
        f"Command: `{command}` (the same search as `eachcustomer plan {spec.relative_to(ROOT)} "
        f"--out DIR --workers {workers}`), {today}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; load average (1, 5, 15 min) {load} before, {load_after} "
        "after (other jobs on the machine stretch the wall time, not the CPU time).",
        "",
        f"{problem.spec.title}: {problem.params.n_employees} employees, {problem.weeks} weeks, "
        f"{len(problem.encoding.levers)} levers; NSGA-II, population {search.population}, "
        f"{search.generations} generations, {problem.spec.replications} replications per plan.",
        "",
        "| measure | value |",
        "|---|---|",
        f"| plans evaluated (distinct) | {len(report.result.candidates)} |",
        f"| runs of the search | {runs:,} |",
        f"| runs of the checks (library on the search's seeds, fresh seeds) | {checks:,} |",
        f"| wall time | {measured['wall']:.0f} s |",
        f"| CPU time: this process; the evaluations, wherever they ran | "
        f"{measured['parent_cpu']:.0f} s; {measured['worker_cpu']:.0f} s |",
        f"| CPU time per run (evaluations) | "
        f"{measured['worker_cpu'] / max(measured['all_runs'], 1) * 1000:.1f} ms |",
        f"| CPU time, everything (this process, forkserver, workers) | "
        f"{measured['all_cpu']:.1f} s |",
        f"| CPU time per run, everything | "
        f"{measured['all_cpu'] / max(measured['all_runs'], 1) * 1000:.1f} ms |",
        f"| wall time on {workers} idle cores, at most (CPU / {workers}) | {cpu / workers:.0f} s |",
        f"| hypervolume, first and last generation | {convergence['hypervolume'].iloc[0]:.4f}, "
        f"{convergence['hypervolume'].iloc[-1]:.4f} |",
        f"| front size | {int(convergence['front_size'].iloc[-1])} |",
        "",
        "Hypervolume per generation (objectives scaled to the first generation's ranges, "
        "reference 10% beyond its worst values):",
        "",
        "| generation | plans evaluated so far | front size | hypervolume |",
        "|---|---|---|---|",
        *[
            f"| {row.generation} | {row.evaluations} | {row.front_size} | {row.hypervolume:.4f} |"
            for row in convergence.itertuples()
        ],
        "",
        f"{report.heading}:",
        "",
        *[line for paragraph in report.paragraphs for line in (paragraph, "")],
        f"On {len(problem.validation_seeds)} fresh replications (95% intervals, paired by seed):",
        "",
        *[f"- {line}" for line in report.effect_lines()],
        *[f"- {line}" for line in explanation(report)],
        "",
        "Against the plan library at the same budget (each library plan scaled to it by "
        "`eachcustomer.sim.budget.scale_plan`, on the search's seeds; the library's front re-run "
        "on fresh "
        "seeds beside its match):",
        "",
        *library_table(problem, report),
        "",
        *[f"- {note}" for note in report.library_notes],
        "",
    ]
    return "\n".join(lines)


def library_table(problem, report) -> list[str]:
    if report.library.empty:
        return ["(no library check)"]
    names = [o.name for o in problem.objectives]
    header = (
        "| plan | on the library's front | matched by a front plan | " + " | ".join(names) + " |"
    )
    rows = [header, "|" + "---|" * (3 + len(names))]
    for _, row in report.library.iterrows():
        values = " | ".join(f"{row[name]:,.4g}" for name in names)
        rows.append(
            f"| {row['plan']} | {'yes' if row['library_front'] else 'no'} | "
            f"{'yes' if row['matched_by'] else 'no'} | {values} |"
        )
    front = report.front
    best = " | ".join(
        f"{(front[f'search_{n}'].min() if o.minimize else front[f'search_{n}'].max()):,.4g}"
        for n, o in zip(names, problem.objectives, strict=True)
    )
    rows.append(f"| (the finalists on the search's seeds, best on each) | | | {best} |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=Path, default=SPEC)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=None, help="keep the results folder here")
    parser.add_argument("--write", action="store_true", help=f"replace {HEADING} in RESULTS.md")
    arguments = parser.parse_args()
    spec = arguments.spec.resolve()
    with tempfile.TemporaryDirectory(prefix="plan-finder-bench-") as scratch:
        folder = arguments.out or Path(scratch) / "search"
        measured = measure(spec, arguments.workers, folder)
        text = section(spec, arguments.workers, measured)
    print(text)
    if arguments.write:
        replace_section(RESULTS, HEADING, text)


if __name__ == "__main__":
    main()
