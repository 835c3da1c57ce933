"""Time one full step of the vectorized core, the agent-by-agent reference and a sparse product.

One run measures, on one core (BLAS and OpenMP pinned to one thread below, before numpy
is imported):

- `OrgModel.step()` (every process and the week's outputs) at each size;
- `ReferenceModel.step()` (sim/reference.py) at the sizes up to `--reference-max`, on the
  same organization;
- the ceiling: the contagion matrix P of `sim.organization.influence_matrix` times the
  attitude vector, one scipy CSR product over the same network;
- a default run: `OrgModel(Params())` built, stepped for the horizon (104 weeks) and its
  output table made, timed from after the imports;
- memory at the largest size (peak RSS and tracemalloc, in a fresh subprocess);
- with `--profile`, each stage of the step timed where it runs at every size, and cProfile
  of the largest size's step and of the default run.

Run from the repository root:

    python benchmarks/core_step.py --profile --write   # what RESULTS.md records
    python benchmarks/core_step.py --quick             # tiny sizes, a few seconds

`--write` replaces the "## Core step" section of benchmarks/RESULTS.md and keeps the rest.
"""

from __future__ import annotations

import os

for _variable in (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
):
    os.environ[_variable] = "1"  # "one core": must be set before numpy is imported

import argparse  # noqa: E402
import cProfile  # noqa: E402
import datetime  # noqa: E402
import gc  # noqa: E402
import inspect  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import pstats  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))  # the sibling results_file module
from typing import Any  # noqa: E402

from results_file import replace_section  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import mesa  # noqa: E402
import numpy as np  # noqa: E402
import scipy  # noqa: E402

from sim.model import OrgModel  # noqa: E402
from sim.organization import influence_matrix  # noqa: E402
from sim.params import Params  # noqa: E402
from sim.reference import ReferenceModel  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
SECTION = "## Core step"
DEFAULT_SIZES = (500, 10_000, 100_000)
QUICK_SIZES = (60, 200)
WARMUP_STEPS = 2
TARGET_SPEEDUP_AT_10K = 100.0
TARGET_STEP_MS_AT_100K = 20.0
TARGET_DEFAULT_RUN_MS = 50.0
COLUMNS = (
    "employees",
    "customers",
    "influence ties",
    "core ms/step",
    "reference ms/step",
    "sparse product ms",
    "reference / core",
    "core / sparse product",
)


# --- measuring ---------------------------------------------------------------------------
@dataclass
class Timing:
    """Wall times of repeated calls, in seconds."""

    seconds: list[float]

    @property
    def best_ms(self) -> float:
        return 1e3 * min(self.seconds)

    @property
    def median_ms(self) -> float:
        return 1e3 * statistics.median(self.seconds)

    @property
    def count(self) -> int:
        return len(self.seconds)


def time_calls(call: Callable[[], object], repeats: int, budget: float | None = None) -> Timing:
    """Time `repeats` calls one by one; stop early (after at least one) past `budget` seconds."""
    seconds: list[float] = []
    started = time.perf_counter()
    for _ in range(repeats):
        before = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - before)
        if budget is not None and time.perf_counter() - started > budget:
            break
    return Timing(seconds)


def time_fast_call(call: Callable[[], object], repeats: int, min_seconds: float = 0.002) -> Timing:
    """Per-call times of a sub-millisecond call: each repetition loops until `min_seconds`."""
    loops = 1
    while True:
        before = time.perf_counter()
        for _ in range(loops):
            call()
        if time.perf_counter() - before >= min_seconds:
            break
        loops *= 2
    seconds = []
    for _ in range(repeats):
        before = time.perf_counter()
        for _ in range(loops):
            call()
        seconds.append((time.perf_counter() - before) / loops)
    return Timing(seconds)


@dataclass
class SizeResult:
    """One size: the three implementations over one organization."""

    employees: int
    customers: int
    ties: int
    core: Timing
    product: Timing
    reference: Timing | None
    stages: dict[str, Timing] | None = None
    profile: dict[str, Any] | None = None

    def row(self) -> list[str]:
        ref = self.reference
        return [
            f"{self.employees:,}",
            f"{self.customers:,}",
            f"{self.ties:,}",
            _cell(self.core),
            _cell(ref) if ref else "-",
            _cell(self.product),
            _ratio(ref.best_ms / self.core.best_ms) if ref else "-",
            _ratio(self.core.best_ms / self.product.best_ms),
        ]


def measure_size(
    employees: int,
    repeats: int,
    seed: int,
    with_reference: bool,
    reference_budget: float,
    stages: bool = False,
    profile_steps: int = 0,
) -> SizeResult:
    """Core, sparse product and (optionally) reference steps at one size.

    With `stages`, the core's stages are then timed over `repeats` more steps; with
    `profile_steps`, that many more steps run under cProfile.
    """
    params = Params(n_employees=employees)
    model = OrgModel(params, rng=seed)
    for _ in range(WARMUP_STEPS):
        model.step()
    gc.collect()
    core = time_calls(model.step, repeats)
    stage_timings = time_stages(model, repeats) if stages else None
    profile = profile_model_steps(model, profile_steps) if profile_steps else None
    matrix = influence_matrix(
        model.org, params.boss_weight, params.peer_weight, params.report_weight
    )
    attitude = model.employees.attitude.copy()
    product = time_fast_call(lambda: matrix @ attitude, repeats)
    reference = None
    if with_reference:
        reference_model = ReferenceModel(params, org=model.org, rng=seed)
        reference_model.step()  # warm-up
        gc.collect()
        reference = time_calls(reference_model.step, repeats, budget=reference_budget)
        del reference_model
    result = SizeResult(
        employees,
        int(model.customers.base_size.sum()),
        matrix.nnz,
        core,
        product,
        reference,
        stage_timings,
        profile,
    )
    del model
    gc.collect()
    return result


@dataclass
class DefaultRun:
    """Whole default runs (build, 104 steps, output table), in seconds each."""

    build: list[float]
    steps: list[float]
    table: list[float]

    @property
    def totals_ms(self) -> list[float]:
        return [
            1e3 * (b + s + t) for b, s, t in zip(self.build, self.steps, self.table, strict=True)
        ]


def measure_default_run(runs: int, seed: int) -> DefaultRun:
    """`OrgModel(Params())` built, stepped for the horizon, and its table made, `runs` times.

    The first run is the first model of the process (the cold run after import).
    """
    result = DefaultRun([], [], [])
    params = Params()
    for _ in range(runs):
        gc.collect()
        started = time.perf_counter()
        model = OrgModel(params, rng=seed)
        built = time.perf_counter()
        for _ in range(params.horizon_weeks):
            model.step()
        stepped = time.perf_counter()
        table = model.outputs()
        done = time.perf_counter()
        assert len(table) == params.horizon_weeks + 1
        result.build.append(built - started)
        result.steps.append(stepped - built)
        result.table.append(done - stepped)
    return result


def _peak_rss_mb() -> float:
    """Peak resident set size of this process so far, MB.

    Linux's VmHWM, which starts afresh at exec; `ru_maxrss` would carry the parent's peak
    over into the subprocess.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024 / 1e6
    except OSError:
        pass
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 1e6


def probe_memory(employees: int, seed: int, steps: int = 3) -> dict[str, Any]:
    """Memory of building and stepping one model; meant to run in a fresh process.

    Peak RSS is read first, untraced; then a second model is built under tracemalloc to
    say what holds the memory (tracing and its snapshot cost memory of their own).
    """
    after_import = _peak_rss_mb()
    model = OrgModel(Params(n_employees=employees), rng=seed)
    after_build = _peak_rss_mb()
    for _ in range(steps):
        model.step()
    after_steps = _peak_rss_mb()
    arrays = [
        value
        for part in (model.employees, model.customers)
        for value in vars(part).values()
        if isinstance(value, np.ndarray)
    ]
    tracemalloc.start()
    traced = OrgModel(Params(n_employees=employees), rng=seed)
    held, build_peak = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    for _ in range(steps):
        traced.step()
    step_peak = tracemalloc.get_traced_memory()[1]
    snapshot = tracemalloc.take_snapshot()
    tracemalloc.stop()
    by_package: dict[str, float] = {}
    for stat in snapshot.statistics("filename"):
        package = _package(stat.traceback[0].filename)
        by_package[package] = by_package.get(package, 0.0) + stat.size / 1e6
    return {
        "employees": employees,
        "rss_after_import_mb": after_import,
        "rss_after_build_mb": after_build,
        "peak_rss_mb": after_steps,
        "traced_model_mb": held / 1e6,
        "traced_build_peak_mb": build_peak / 1e6,
        "traced_step_extra_mb": (step_peak - held) / 1e6,
        "state_arrays_mb": sum(a.nbytes for a in arrays) / 1e6,
        "held_by_package_mb": dict(sorted(by_package.items(), key=lambda kv: -kv[1])[:6]),
    }


def _package(filename: str) -> str:
    """Where an allocation was made: 'sim/state.py', 'mesa', 'networkx', ..."""
    path = Path(filename)
    if ROOT in path.parents:
        return path.relative_to(ROOT).as_posix()
    if "site-packages" in path.parts:
        return path.parts[path.parts.index("site-packages") + 1]
    return path.name


def measure_memory(employees: int, seed: int) -> dict[str, Any]:
    """`probe_memory` in a fresh interpreter, so its peak RSS is this model's alone."""
    out = subprocess.run(
        [sys.executable, __file__, "--memory-probe", str(employees), "--seed", str(seed)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- where the time goes ----------------------------------------------------------------
def _stage_owners(model: OrgModel) -> list[tuple[str, str, object]]:
    """The calls `OrgModel.step` makes, found by name: methods of the model or its recorder.

    Returns (label, method name, object owning the method) triples.
    """
    batch = model.batch  # OrgModel.step steps its batch of one
    owners = [("", batch), ("recorder.", batch.recorder)]
    stages = []
    for name in type(batch).step.__code__.co_names:
        for prefix, owner in owners:
            if inspect.ismethod(getattr(owner, name, None)):
                stages.append((prefix + name, name, owner))
                break
    return stages


def time_stages(model: OrgModel, steps: int) -> dict[str, Timing]:
    """Wall time of each call `OrgModel.step` makes, over `steps` steps of `model`.

    Each stage is timed where it runs, on the real state; the wrappers cost two clock reads
    per stage and are removed afterwards. "whole step" is timed around `model.step()`.
    """
    timings: dict[str, Timing] = {}

    def timed(label: str, method: Callable[..., object]) -> Callable[..., object]:
        def call(*args: object, **kwargs: object) -> object:
            before = time.perf_counter()
            result = method(*args, **kwargs)
            timings[label].seconds.append(time.perf_counter() - before)
            return result

        return call

    stages = _stage_owners(model)
    for label, name, owner in stages:
        timings[label] = Timing([])
        setattr(owner, name, timed(label, getattr(owner, name)))
    gc.collect()
    try:
        timings["whole step"] = time_calls(model.step, steps)
    finally:
        for _, name, owner in stages:
            delattr(owner, name)
    return timings


def stage_table(results: list[SizeResult]) -> str:
    """Best ms per stage at each size, with its share of the best whole step."""
    measured = [r for r in results if r.stages]
    labels = list(dict.fromkeys(label for r in measured for label in r.stages))
    rows = []
    for label in labels:
        row = [f"`{label}`" if label != "whole step" else "whole step"]
        for result in measured:
            timing, whole = result.stages.get(label), result.stages["whole step"].best_ms
            row.append(
                f"{_number(timing.best_ms)} ({100 * timing.best_ms / whole:.0f}%)"
                if timing and timing.seconds
                else "-"
            )
        rows.append(row)
    return markdown_table(["stage"] + [f"{r.employees:,} employees" for r in measured], rows)


# --- profiles ----------------------------------------------------------------------------
def _label(key: tuple[str, int, str]) -> str:
    path, line, name = key
    if path == "~":
        return name
    for prefix in (str(ROOT) + os.sep, "site-packages" + os.sep):
        if prefix in path:
            path = path.split(prefix, 1)[1]
    return f"{path}:{line}({name})"


def summarize_profile(profiler: cProfile.Profile, per: int, top: int = 12) -> dict[str, Any]:
    """Top functions by own time, ms per `per` calls of what was profiled, and call counts."""
    stats = pstats.Stats(profiler).stats  # key -> (calls, ncalls, own, cumulative, callers)
    total = sum(entry[2] for entry in stats.values())
    functions = sorted(
        ((key, entry[2]) for key, entry in stats.items()), key=lambda item: -item[1]
    )[:top]
    return {
        "total_ms": 1e3 * total / per,
        "calls": sum(entry[1] for entry in stats.values()) / per,
        "functions": [(_label(k), 1e3 * t / per, t / total) for k, t in functions],
    }


def profile_model_steps(model: OrgModel, steps: int) -> dict[str, Any]:
    """cProfile of `steps` steps of `model`, per step."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(steps):
        model.step()
    profiler.disable()
    return summarize_profile(profiler, steps)


def profile_default_run(seed: int, runs: int = 3) -> dict[str, Any]:
    """cProfile of whole default runs (build, horizon, table), per run."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(runs):
        OrgModel(Params(), rng=seed).run()
    profiler.disable()
    return summarize_profile(profiler, runs)


# --- reporting ---------------------------------------------------------------------------
def _number(ms: float) -> str:
    if ms >= 100:
        return f"{ms:,.0f}"
    if ms >= 10:
        return f"{ms:.1f}"
    if ms >= 1:
        return f"{ms:.2f}"
    return f"{ms:.3f}"


def _cell(timing: Timing) -> str:
    return f"{_number(timing.best_ms)} ({_number(timing.median_ms)})"


def _ratio(value: float) -> str:
    return f"{value:,.0f}x" if value >= 10 else f"{value:.1f}x"


def markdown_table(header: tuple[str, ...] | list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def step_table(results: list[SizeResult]) -> str:
    """The main table: one row per size."""
    return markdown_table(COLUMNS, [result.row() for result in results])


def parse_table(text: str) -> list[dict[str, str]]:
    """Rows of the first markdown table in `text` as dicts (for the smoke test)."""
    lines = [line for line in text.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    return [
        dict(zip(header, [cell.strip() for cell in line.strip("|").split("|")], strict=True))
        for line in lines[2:]
    ]


def targets(results: list[SizeResult], default_run: DefaultRun | None) -> list[str]:
    """One line per target of issue 3's "Speed", with what was reached."""
    by_size = {result.employees: result for result in results}
    lines = []
    at_10k = by_size.get(10_000)
    if at_10k is not None and at_10k.reference is not None:
        speedup = at_10k.reference.best_ms / at_10k.core.best_ms
        lines.append(
            f"- 10,000 employees, core at least {TARGET_SPEEDUP_AT_10K:.0f}x faster "
            f"than the reference: {speedup:.0f}x "
            f"({'met' if speedup >= TARGET_SPEEDUP_AT_10K else 'not met'})."
        )
    at_100k = by_size.get(100_000)
    if at_100k is not None:
        best = at_100k.core.best_ms
        lines.append(
            f"- 100,000 employees, {at_100k.customers:,} customers, one step at most "
            f"{TARGET_STEP_MS_AT_100K:.0f} ms on one core: {_number(best)} ms "
            f"({'met' if best <= TARGET_STEP_MS_AT_100K else 'not met'})."
        )
    if default_run is not None:
        best = min(default_run.totals_ms)
        lines.append(
            f"- Default run (500 employees, 104 weeks, outputs included) at most "
            f"{TARGET_DEFAULT_RUN_MS:.0f} ms after import: {_number(best)} ms "
            f"({'met' if best <= TARGET_DEFAULT_RUN_MS else 'not met'})."
        )
    return lines


def default_run_text(run: DefaultRun) -> str:
    totals = run.totals_ms
    best = int(np.argmin(totals))
    return (
        f"Default run (`OrgModel(Params(), rng=seed)`, 104 steps, `outputs()`), "
        f"{len(totals)} runs: best {_number(totals[best])} ms (build "
        f"{_number(1e3 * run.build[best])}, steps {_number(1e3 * run.steps[best])}, "
        f"table {_number(1e3 * run.table[best])}), median "
        f"{_number(statistics.median(totals))} ms, first run of the process (cold) "
        f"{_number(totals[0])} ms."
    )


def memory_text(memory: dict[str, Any]) -> str:
    held = ", ".join(f"{name} {mb:,.0f}" for name, mb in memory["held_by_package_mb"].items())
    return (
        f"Memory at {memory['employees']:,} employees (fresh process): peak RSS "
        f"{memory['peak_rss_mb']:,.0f} MB after building and stepping "
        f"({memory['rss_after_import_mb']:,.0f} MB after imports, "
        f"{memory['rss_after_build_mb']:,.0f} MB after building). tracemalloc: the built "
        f"model holds "
        f"{memory['traced_model_mb']:,.0f} MB, {memory['state_arrays_mb']:,.0f} MB of it the "
        f"employee and customer arrays; by where it was allocated (MB): {held}. Building "
        f"peaks at {memory['traced_build_peak_mb']:,.0f} MB; a step allocates at most "
        f"{memory['traced_step_extra_mb']:,.0f} MB on top."
    )


def profile_text(title: str, profile: dict[str, Any], unit: str) -> str:
    rows = [
        [f"`{label}`", _number(ms), f"{100 * share:.0f}%"]
        for label, ms, share in profile["functions"]
    ]
    return (
        f"{title}: top functions by own time (cProfile: {_number(profile['total_ms'])} ms "
        f"{unit} under the profiler, {profile['calls']:,.0f} function calls {unit}).\n\n"
        + markdown_table(["function", f"ms {unit}", "share"], rows)
    )


def _load() -> str:
    return ", ".join(f"{value:.1f}" for value in os.getloadavg())


def environment(load_at_start: str) -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(
                line.split(":", 1)[1].strip() for line in info if line.startswith("model name")
            )
    except (OSError, StopIteration):
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores, {platform.system()}; Python "
        f"{platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, "
        f"mesa {mesa.__version__}; BLAS/OpenMP threads pinned to 1; load average (1, 5, 15 "
        f"min) {load_at_start} at the start, {_load()} at the end"
    )


def report(
    command: str,
    results: list[SizeResult],
    default_run: DefaultRun | None,
    memory: dict[str, Any] | None,
    profiles: list[str],
    repeats: int,
    load_at_start: str,
) -> str:
    """The whole "## Core step" section."""
    ref_counts = [f"{r.reference.count} at {r.employees:,}" for r in results if r.reference]
    parts = [
        SECTION,
        f"Command (from the repository root): `{command}`",
        f"Measured {datetime.date.today().isoformat()} on {environment(load_at_start)}.",
        f"Milliseconds per step, best of {repeats} (median in parentheses), after "
        f"{WARMUP_STEPS} warm-up steps; one step is every process and the week's outputs. "
        f"The reference runs on the same organization (steps timed: "
        f"{', '.join(ref_counts) or 'none'}). The sparse product is `P @ attitude` with P "
        f"from `sim.organization.influence_matrix` (CSR), the ceiling for one pass over the "
        f"network. Ratios use the best times.",
        step_table(results),
    ]
    goals = targets(results, default_run)
    if goals:
        parts.append("Targets (issue 3, Speed):\n\n" + "\n".join(goals))
    if default_run is not None:
        parts.append(default_run_text(default_run))
    if memory is not None:
        parts.append(memory_text(memory))
    parts += profiles
    return "\n\n".join(parts) + "\n"


def write_section(path: Path, section: str) -> None:
    """Put `section` in place of the file's "## Core step" section; keep every other section."""
    replace_section(path, SECTION, section)


# --- command line ------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=None, help="head counts (default: 500 10000 100000)"
    )
    parser.add_argument("--repeats", type=int, default=None, help="timed steps per size (20)")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="tiny sizes and few repeats, no memory probe (a smoke run)",
    )
    parser.add_argument(
        "--reference-max",
        type=int,
        default=None,
        help="largest size at which the reference is timed (10000; with --quick, every size)",
    )
    parser.add_argument(
        "--reference-budget",
        type=float,
        default=60.0,
        help="seconds of reference steps per size; at least one is timed",
    )
    parser.add_argument(
        "--default-runs", type=int, default=None, help="default runs timed (10; 0 skips)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--profile",
        action="store_true",
        help="time each stage of the step at every size; cProfile the "
        "largest size's step and the default run",
    )
    parser.add_argument("--no-memory", action="store_true", help="skip the memory probe")
    parser.add_argument(
        "--write", action="store_true", help=f"update the '{SECTION}' section of {RESULTS.name}"
    )
    parser.add_argument("--memory-probe", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_probe is not None:
        text = json.dumps(probe_memory(args.memory_probe, args.seed))
        print(text)
        return text

    sizes = args.sizes or (QUICK_SIZES if args.quick else DEFAULT_SIZES)
    repeats = args.repeats or (3 if args.quick else 20)
    default_runs = args.default_runs if args.default_runs is not None else (2 if args.quick else 10)
    reference_max = args.reference_max
    if reference_max is None:
        reference_max = max(sizes) if args.quick else 10_000
    command = "python benchmarks/core_step.py " + " ".join(sys.argv[1:] if argv is None else argv)

    load_at_start = _load()
    # The default run first, so that its first run is the process's first model.
    default_run = measure_default_run(default_runs, args.seed) if default_runs else None
    results = []
    for size in sizes:
        results.append(
            measure_size(
                size,
                repeats,
                args.seed,
                size <= reference_max,
                args.reference_budget,
                stages=args.profile,
                profile_steps=10 if args.profile and size == max(sizes) else 0,
            )
        )
        print(f"measured {size:,} employees", file=sys.stderr)
    memory = None
    if not (args.quick or args.no_memory):
        memory = measure_memory(max(sizes), args.seed)
    profiles = []
    if args.profile:
        profiles.append(
            f"Where a step's time goes: best ms per stage over {repeats} steps "
            "(share of the best whole step), each stage timed where it runs.\n\n"
            + stage_table(results)
        )
        profiles += [
            profile_text(f"One step at {r.employees:,} employees", r.profile, "per step")
            for r in results
            if r.profile
        ]
        profiles.append(
            profile_text(
                "One default run (build, 104 steps, table)",
                profile_default_run(args.seed),
                "per run",
            )
        )
    section = report(
        command.strip(), results, default_run, memory, profiles, repeats, load_at_start
    )
    print(section)
    if args.write:
        write_section(RESULTS, section)
        print(f"wrote the '{SECTION}' section of {RESULTS}", file=sys.stderr)
    return section


if __name__ == "__main__":
    main()
