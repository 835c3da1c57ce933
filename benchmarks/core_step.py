"""Time one full step of the compiled core, the agent-by-agent reference and a sparse product.

One run measures, on one core (BLAS and OpenMP pinned to one thread below, before numpy
is imported), CPU time (`time.process_time`, which other jobs on a shared machine do not
inflate) beside wall time:

- `OrgModel.step()` (every process and the week's outputs) at each size, and
  `ReferenceModel.step()` (sim/reference.py) at the sizes up to `--reference-max`, on the
  same organization, the two timed in turn (core, reference, core, ...) so that a change
  in the machine's load hits both alike;
- the contagion stage (`eachcustomer.sim.processes.contagion.spread_attitudes`, what the step calls)
  against the bare sparse product `P @ a` over the same network (P from
  `eachcustomer.sim.organization.influence_matrix`, scipy CSR), also in turn;
- a default run: `OrgModel(Params())` built, stepped for the horizon (104 weeks) and its
  output table made, timed from after the imports (kernels loaded);
- in fresh processes (`--probe`): building and stepping at the largest size, with peak
  memory; with `--scaling`, every size from 1,000 to 1,000,000 employees (10 customers
  each), with a fitted exponent; with `--compile`, the kernels' compile time with a cold
  and a warm cache (a temporary NUMBA_CACHE_DIR, so the real cache is left alone) and the
  first `eachcustomer run` with a cold cache;
- with `--profile`, each stage of the step timed where it runs, and cProfile of the
  largest size's step and of the default run.

Run from the repository root:

    python benchmarks/core_step.py --profile --scaling --compile --write   # RESULTS.md
    python benchmarks/core_step.py --quick             # tiny sizes, a few seconds

`--write` replaces the "## Core step" section of benchmarks/RESULTS.md and keeps the rest.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # the siblings bench_setup, results_file
import bench_setup  # noqa: E402

ROOT = bench_setup.prepare()  # before numpy is imported

import argparse  # noqa: E402
import cProfile  # noqa: E402
import datetime  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import pstats  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from typing import Any  # noqa: E402

import mesa  # noqa: E402
import numba  # noqa: E402
import numpy as np  # noqa: E402
import scipy  # noqa: E402
from results_file import replace_section  # noqa: E402

from eachcustomer.sim.model import OrgModel  # noqa: E402
from eachcustomer.sim.organization import influence_matrix  # noqa: E402
from eachcustomer.sim.params import Params  # noqa: E402
from eachcustomer.sim.processes.contagion import spread_attitudes  # noqa: E402
from eachcustomer.sim.reference import ReferenceModel  # noqa: E402
from eachcustomer.sim.warmup import compile_kernels  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
SECTION = "## Core step"
DEFAULT_SIZES = (500, 10_000, 100_000)
SCALING_SIZES = (1_000, 3_000, 10_000, 30_000, 100_000, 300_000, 1_000_000)
QUICK_SIZES = (60, 200)
WARMUP_STEPS = 2
TARGET_SPEEDUP_AT_10K = 150.0
TARGET_STEP_MS_AT_100K = 15.0
TARGET_DEFAULT_RUN_MS = 25.0
TARGET_PRODUCT_SHARE = 0.6
TARGET_BUILD_CPU_S_AT_100K = 1.5
TARGET_PEAK_MB_AT_100K = 250.0
TARGET_STEP_MS_AT_1M = 200.0
TARGET_PEAK_MB_AT_1M = 3000.0
TARGET_FIRST_RUN_S = 10.0
COLUMNS = (
    "employees",
    "customers",
    "influence ties",
    "core ms/step",
    "core CPU ms/step",
    "reference CPU ms/step",
    "reference / core",
    "contagion CPU ms",
    "sparse product CPU ms",
    "product / contagion",
)


# --- measuring ---------------------------------------------------------------------------
@dataclass
class Timing:
    """Wall and CPU times of repeated calls, in seconds."""

    seconds: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    @property
    def best_ms(self) -> float:
        return 1e3 * min(self.seconds)

    @property
    def median_ms(self) -> float:
        return 1e3 * statistics.median(self.seconds)

    @property
    def best_cpu_ms(self) -> float:
        return 1e3 * min(self.cpu)

    @property
    def count(self) -> int:
        return len(self.seconds)

    def add(self, wall: float, cpu: float) -> None:
        self.seconds.append(wall)
        self.cpu.append(cpu)


def timed(call: Callable[[], object], timing: Timing, loops: int = 1) -> None:
    """Run `call` `loops` times and add the wall and CPU time per call to `timing`."""
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(loops):
        call()
    timing.add((time.perf_counter() - wall) / loops, (time.process_time() - cpu) / loops)


def time_calls(call: Callable[[], object], repeats: int, budget: float | None = None) -> Timing:
    """Time `repeats` calls one by one; stop early (after at least one) past `budget` seconds."""
    timing = Timing()
    started = time.perf_counter()
    for _ in range(repeats):
        timed(call, timing)
        if budget is not None and time.perf_counter() - started > budget:
            break
    return timing


def loops_for(call: Callable[[], object], min_seconds: float = 0.005) -> int:
    """How many calls of a short `call` take at least `min_seconds` (CPU time is coarse)."""
    loops = 1
    while True:
        before = time.perf_counter()
        for _ in range(loops):
            call()
        if time.perf_counter() - before >= min_seconds:
            return loops
        loops *= 2


@dataclass
class SizeResult:
    """One size: core, reference, contagion and sparse product over one organization."""

    employees: int
    customers: int
    ties: int
    core: Timing
    contagion: Timing
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
            _number(self.core.best_cpu_ms),
            _number(ref.best_cpu_ms) if ref else "-",
            _ratio(ref.best_cpu_ms / self.core.best_cpu_ms) if ref else "-",
            _number(self.contagion.best_cpu_ms),
            _number(self.product.best_cpu_ms),
            f"{self.product.best_cpu_ms / self.contagion.best_cpu_ms:.0%}",
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
    """Core and (optionally) reference steps in turn, then contagion and `P @ a` in turn.

    With `stages`, the core's stages are then timed over `repeats` more steps; with
    `profile_steps`, that many more steps run under cProfile.
    """
    params = Params(n_employees=employees)
    model = OrgModel(params, rng=seed)
    reference_model = ReferenceModel(params, org=model.org, rng=seed) if with_reference else None
    for _ in range(WARMUP_STEPS):
        model.step()
    if reference_model is not None:
        reference_model.step()
    gc.collect()
    core, reference = Timing(), (Timing() if reference_model is not None else None)
    reference_spent = 0.0
    for _ in range(repeats):
        timed(model.step, core)
        if reference_model is not None and (
            not reference.count or reference_spent < reference_budget
        ):
            timed(reference_model.step, reference)
            reference_spent += reference.seconds[-1]
    del reference_model
    gc.collect()
    matrix = influence_matrix(
        model.org, params.boss_weight, params.peer_weight, params.report_weight
    )
    attitude = model.employees.attitude.copy()
    influence = model.batch.influence

    def contagion_step() -> object:
        return spread_attitudes(attitude, influence, params.contagion_rate, params.negativity_bias)

    def product_step() -> object:
        return matrix @ attitude

    loops = max(loops_for(contagion_step), loops_for(product_step))
    contagion, product = Timing(), Timing()
    for _ in range(repeats):
        timed(contagion_step, contagion, loops)
        timed(product_step, product, loops)
    stage_timings = time_stages(model, repeats) if stages else None
    profile = profile_model_steps(model, profile_steps) if profile_steps else None
    result = SizeResult(
        employees,
        int(model.customers.base_size.sum()),
        matrix.nnz,
        core,
        contagion,
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
    """Whole default runs (build, 104 steps, output table): wall and CPU seconds each."""

    build: list[float]
    steps: list[float]
    table: list[float]
    cpu: list[float]

    @property
    def totals_ms(self) -> list[float]:
        return [
            1e3 * (b + s + t) for b, s, t in zip(self.build, self.steps, self.table, strict=True)
        ]


def measure_default_run(runs: int, seed: int) -> DefaultRun:
    """`OrgModel(Params())` built, stepped for the horizon, and its table made, `runs` times.

    The first run is the first model of the process (kernels loaded, nothing else warm).
    """
    result = DefaultRun([], [], [], [])
    params = Params()
    for run in range(runs):
        gc.collect()
        cpu = time.process_time()
        started = time.perf_counter()
        model = OrgModel(params, rng=seed + run)
        built = time.perf_counter()
        for _ in range(params.horizon_weeks):
            model.step()
        stepped = time.perf_counter()
        table = model.outputs()
        done = time.perf_counter()
        result.cpu.append(time.process_time() - cpu)
        assert len(table) == params.horizon_weeks + 1
        result.build.append(built - started)
        result.steps.append(stepped - built)
        result.table.append(done - stepped)
    return result


# --- fresh processes -----------------------------------------------------------------------
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


def probe_size(employees: int, seed: int, steps: int, trace: bool) -> dict[str, Any]:
    """Build and step one model; meant to run in a fresh process (`--probe`).

    Peak RSS is read after the imports and kernels (the process's fixed cost), after
    building and after stepping. With `trace`, a second model is then built under
    tracemalloc to say what holds the memory (tracing costs memory of its own).
    """
    compile_kernels()
    gc.collect()
    baseline = _peak_rss_mb()
    params = Params(n_employees=employees)
    wall, cpu = time.perf_counter(), time.process_time()
    model = OrgModel(params, rng=seed)
    build_cpu, build_wall = time.process_time() - cpu, time.perf_counter() - wall
    after_build = _peak_rss_mb()
    for _ in range(WARMUP_STEPS):
        model.step()
    steps_timing = time_calls(model.step, steps)
    probe = {
        "employees": employees,
        "customers": int(model.customers.base_size.sum()),
        "build_cpu_s": build_cpu,
        "build_wall_s": build_wall,
        "step_cpu_ms": steps_timing.best_cpu_ms,
        "step_wall_ms": steps_timing.best_ms,
        "rss_baseline_mb": baseline,
        "rss_after_build_mb": after_build,
        "peak_rss_mb": _peak_rss_mb(),
    }
    if trace:
        del model
        gc.collect()
        tracemalloc.start()
        traced = OrgModel(params, rng=seed)
        held, build_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        for _ in range(3):
            traced.step()
        step_peak = tracemalloc.get_traced_memory()[1]
        snapshot = tracemalloc.take_snapshot()
        tracemalloc.stop()
        by_place: dict[str, float] = {}
        for stat in snapshot.statistics("filename"):
            place = _package(stat.traceback[0].filename)
            by_place[place] = by_place.get(place, 0.0) + stat.size / 1e6
        probe.update(
            traced_model_mb=held / 1e6,
            traced_build_peak_mb=build_peak / 1e6,
            traced_step_extra_mb=(step_peak - held) / 1e6,
            held_by_place_mb=dict(sorted(by_place.items(), key=lambda kv: -kv[1])[:6]),
        )
    return probe


def _package(filename: str) -> str:
    """Where an allocation was made: 'sim/state.py', 'numba', ..."""
    path = Path(filename)
    if ROOT in path.parents:
        return path.relative_to(ROOT).as_posix()
    if "site-packages" in path.parts:
        return path.parts[path.parts.index("site-packages") + 1]
    return path.name


def _json_of_last_line(out: str) -> dict[str, Any]:
    return json.loads(out.strip().splitlines()[-1])


def measure_probe(employees: int, seed: int, steps: int, trace: bool = False) -> dict[str, Any]:
    """`probe_size` in a fresh interpreter, so its memory is this model's alone."""
    command = [sys.executable, __file__, "--probe", str(employees), "--seed", str(seed)]
    command += ["--repeats", str(steps)] + (["--trace"] if trace else [])
    out = subprocess.run(command, capture_output=True, text=True, check=True)
    return _json_of_last_line(out.stdout)


def measure_scaling(sizes: tuple[int, ...], seed: int, steps: int) -> list[dict[str, Any]]:
    """`measure_probe` at every size, smallest first."""
    results = []
    for size in sizes:
        results.append(measure_probe(size, seed, steps))
        print(f"probed {size:,} employees", file=sys.stderr)
    return results


def fitted_exponent(sizes: list[float], values: list[float]) -> float:
    """b of values ~ a sizes^b, least squares on logs."""
    return float(np.polyfit(np.log(sizes), np.log(values), 1)[0])


COMPILE_PROBE = """
import json, time
cpu, wall = time.process_time(), time.perf_counter()
import eachcustomer.sim.batch
imported = time.process_time() - cpu, time.perf_counter() - wall
from eachcustomer.sim.warmup import compile_kernels, kernels_cached
cached = kernels_cached()
cpu, wall = time.process_time(), time.perf_counter()
compile_kernels()
print(json.dumps({"cached": cached, "import_cpu_s": imported[0], "import_wall_s": imported[1],
                  "cpu_s": time.process_time() - cpu, "wall_s": time.perf_counter() - wall}))
"""


def measure_compile() -> dict[str, Any]:
    """Compiling every kernel with a cold cache, then loading them from the warm cache, and
    the first `eachcustomer run` (default scenario) with a cold cache; fresh processes, a
    temporary NUMBA_CACHE_DIR."""
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="numba-cache-") as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        for label in ("cold", "cached"):
            out = subprocess.run(
                [sys.executable, "-c", COMPILE_PROBE],
                capture_output=True,
                text=True,
                check=True,
                env=env,
                cwd=ROOT,
            )
            results[label] = _json_of_last_line(out.stdout)
    with tempfile.TemporaryDirectory(prefix="numba-cache-") as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-m", "eachcustomer.cli", "run"],
            capture_output=True,
            text=True,
            check=True,
            env={**env, "COLUMNS": "100"},
            cwd=ROOT,
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        results["first_run"] = {
            "wall_s": time.perf_counter() - wall,
            "cpu_s": (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime),
            "announced": "compiling the simulation kernels" in out.stdout,
        }
    return results


# --- where the time goes ----------------------------------------------------------------
def _stage_owners(model: OrgModel) -> list[tuple[str, str, object]]:
    """The calls of a step (`Batch.step`), found by name: methods of the batch or its recorder.

    Returns (label, method name, object owning the method) triples.
    """
    batch = model.batch  # OrgModel.step steps its batch of one
    owners = [("", batch), ("recorder.", batch.recorder)]
    stages = []
    for name in type(batch).step.__code__.co_names:
        for prefix, owner in owners:
            if callable(getattr(owner, name, None)) and hasattr(type(owner), name):
                stages.append((prefix + name, name, owner))
                break
    return stages


def time_stages(model: OrgModel, steps: int) -> dict[str, Timing]:
    """Wall and CPU time of each call a step makes, over `steps` steps of `model`.

    Each stage is timed where it runs, on the real state; the wrappers cost four clock
    reads per stage and are removed afterwards. "whole step" is timed around `model.step()`.
    """
    timings: dict[str, Timing] = {}

    def wrapped(label: str, method: Callable[..., object]) -> Callable[..., object]:
        def call(*args: object, **kwargs: object) -> object:
            wall, cpu = time.perf_counter(), time.process_time()
            result = method(*args, **kwargs)
            timings[label].add(time.perf_counter() - wall, time.process_time() - cpu)
            return result

        return call

    stages = _stage_owners(model)
    for label, name, owner in stages:
        timings[label] = Timing()
        setattr(owner, name, wrapped(label, getattr(owner, name)))
    gc.collect()
    try:
        timings["whole step"] = time_calls(model.step, steps)
    finally:
        for _, name, owner in stages:
            delattr(owner, name)
    return timings


def stage_table(results: list[SizeResult]) -> str:
    """Best wall ms per stage at each size, with its share of the best whole step."""
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


def _verdict(met: bool) -> str:
    return "met" if met else "**not met**"


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


def targets(
    results: list[SizeResult],
    default_run: DefaultRun | None,
    probes: dict[int, dict[str, Any]] | None = None,
    compiled: dict[str, Any] | None = None,
) -> list[str]:
    """One line per target of issue 10's table that this run measured, with what was reached."""
    by_size = {result.employees: result for result in results}
    probes = probes or {}
    lines = []
    if default_run is not None:
        best, cpu = min(default_run.totals_ms), 1e3 * min(default_run.cpu)
        lines.append(
            f"- Default run (500 employees, 104 weeks, outputs included) at most "
            f"{TARGET_DEFAULT_RUN_MS:.0f} ms after import: {_number(best)} ms wall, "
            f"{_number(cpu)} ms CPU ({_verdict(min(best, cpu) <= TARGET_DEFAULT_RUN_MS)})."
        )
    at_100k = by_size.get(100_000)
    if at_100k is not None:
        cpu = at_100k.core.best_cpu_ms
        lines.append(
            f"- 100,000 employees, {at_100k.customers:,} customers, one step at most "
            f"{TARGET_STEP_MS_AT_100K:.0f} ms on one core: {_number(cpu)} ms CPU, "
            f"{_number(at_100k.core.best_ms)} ms wall ({_verdict(cpu <= TARGET_STEP_MS_AT_100K)})."
        )
        share = at_100k.product.best_cpu_ms / at_100k.contagion.best_cpu_ms
        lines.append(
            f"- Contagion at 100,000 employees at least {TARGET_PRODUCT_SHARE:.0%} of the "
            f"sparse product's speed: {share:.0%} ({_verdict(share >= TARGET_PRODUCT_SHARE)})."
        )
    at_10k = by_size.get(10_000)
    if at_10k is not None and at_10k.reference is not None:
        speedup = at_10k.reference.best_cpu_ms / at_10k.core.best_cpu_ms
        lines.append(
            f"- 10,000 employees, core at least {TARGET_SPEEDUP_AT_10K:.0f}x faster than the "
            f"reference (CPU, timed in turn): {speedup:.0f}x "
            f"({_verdict(speedup >= TARGET_SPEEDUP_AT_10K)})."
        )
    probe = probes.get(100_000)
    if probe is not None:
        lines.append(
            f"- Building the model at 100,000 employees at most "
            f"{TARGET_BUILD_CPU_S_AT_100K} s CPU: {probe['build_cpu_s']:.2f} s "
            f"({_verdict(probe['build_cpu_s'] <= TARGET_BUILD_CPU_S_AT_100K)})."
        )
        lines.append(
            f"- Peak memory at 100,000 employees at most {TARGET_PEAK_MB_AT_100K:.0f} MB: "
            f"{probe['peak_rss_mb']:,.0f} MB peak RSS "
            f"({_verdict(probe['peak_rss_mb'] <= TARGET_PEAK_MB_AT_100K)}), of which "
            f"{probe['rss_baseline_mb']:,.0f} MB is the process before any model (Python, "
            f"numpy, pandas, Mesa, numba and its loaded kernels) and "
            f"{probe['peak_rss_mb'] - probe['rss_baseline_mb']:,.0f} MB the model."
        )
    probe = probes.get(1_000_000)
    if probe is not None:
        lines.append(
            f"- 1,000,000 employees, {probe['customers']:,} customers: one step "
            f"{_number(probe['step_cpu_ms'])} ms CPU ({_number(probe['step_wall_ms'])} ms "
            f"wall), target {TARGET_STEP_MS_AT_1M:.0f} ms "
            f"({_verdict(probe['step_cpu_ms'] <= TARGET_STEP_MS_AT_1M)}); peak RSS "
            f"{probe['peak_rss_mb']:,.0f} MB, target {TARGET_PEAK_MB_AT_1M:,.0f} MB "
            f"({_verdict(probe['peak_rss_mb'] <= TARGET_PEAK_MB_AT_1M)}); building "
            f"{probe['build_cpu_s']:.1f} s CPU."
        )
    if compiled is not None:
        first = compiled["first_run"]
        lines.append(
            f"- First `eachcustomer run` after install (cold kernel cache), compiling "
            f"included, at most {TARGET_FIRST_RUN_S:.0f} s: {first['wall_s']:.1f} s wall, "
            f"{first['cpu_s']:.1f} s CPU ({_verdict(first['cpu_s'] <= TARGET_FIRST_RUN_S)}"
            f" on CPU time); it said it was compiling: {'yes' if first['announced'] else 'no'}."
        )
    return lines


def default_run_text(run: DefaultRun) -> str:
    totals = run.totals_ms
    best = int(np.argmin(totals))
    return (
        f"Default run (`OrgModel(Params(), rng=seed)`, 104 steps, `outputs()`), "
        f"{len(totals)} runs: best {_number(totals[best])} ms wall (build "
        f"{_number(1e3 * run.build[best])}, steps {_number(1e3 * run.steps[best])}, "
        f"table {_number(1e3 * run.table[best])}), best {_number(1e3 * min(run.cpu))} ms CPU, "
        f"median {_number(statistics.median(totals))} ms wall, first run of the process "
        f"(kernels loaded, nothing else warm) {_number(totals[0])} ms."
    )


def memory_text(probe: dict[str, Any]) -> str:
    held = ", ".join(f"{name} {mb:,.0f}" for name, mb in probe["held_by_place_mb"].items())
    return (
        f"Memory at {probe['employees']:,} employees (fresh process): peak RSS "
        f"{probe['peak_rss_mb']:,.0f} MB after building and stepping "
        f"({probe['rss_baseline_mb']:,.0f} MB after imports and loading the kernels, "
        f"{probe['rss_after_build_mb']:,.0f} MB after building); building took "
        f"{probe['build_cpu_s']:.2f} s CPU ({probe['build_wall_s']:.2f} s wall). "
        f"tracemalloc: the built model holds {probe['traced_model_mb']:,.0f} MB; by where it "
        f"was allocated (MB): {held}. Building peaks at "
        f"{probe['traced_build_peak_mb']:,.0f} MB; a step allocates at most "
        f"{probe['traced_step_extra_mb']:,.0f} MB on top."
    )


def scaling_text(probes: list[dict[str, Any]]) -> str:
    rows = [
        [
            f"{p['employees']:,}",
            f"{p['customers']:,}",
            _number(p["step_cpu_ms"]),
            _number(p["step_wall_ms"]),
            f"{p['build_cpu_s']:.2f}",
            f"{p['peak_rss_mb']:,.0f}",
            f"{p['peak_rss_mb'] - p['rss_baseline_mb']:,.0f}",
        ]
        for p in probes
    ]
    sizes = [p["employees"] for p in probes]
    large = [p for p in probes if p["employees"] >= 10_000]
    time_exponent = fitted_exponent(
        [p["employees"] for p in large], [p["step_cpu_ms"] for p in large]
    )
    model_mb = [max(p["peak_rss_mb"] - p["rss_baseline_mb"], 1.0) for p in large]
    memory_exponent = fitted_exponent([p["employees"] for p in large], model_mb)
    return (
        f"Scaling from {min(sizes):,} to {max(sizes):,} employees (10 customers each), each "
        "size in a fresh process: best CPU and wall ms of one step (after 2 warm-up steps), "
        "CPU seconds to build, peak RSS, and the model's share of it (peak RSS minus the "
        "process before any model).\n\n"
        + markdown_table(
            [
                "employees",
                "customers",
                "step CPU ms",
                "step wall ms",
                "build CPU s",
                "peak RSS MB",
                "model MB",
            ],
            rows,
        )
        + f"\n\nFitted from 10,000 employees up (least squares on logs): step time grows "
        f"as N^{time_exponent:.2f} and the model's memory as N^{memory_exponent:.2f}."
    )


def compile_text(compiled: dict[str, Any]) -> str:
    cold, cached, first = compiled["cold"], compiled["cached"], compiled["first_run"]
    return (
        "Compiling the kernels (`eachcustomer.sim.warmup.compile_kernels`, fresh processes, a "
        f"temporary NUMBA_CACHE_DIR): with a cold cache {cold['cpu_s']:.1f} s CPU "
        f"({cold['wall_s']:.1f} s wall); with the cache warm, loading them "
        f"{cached['cpu_s']:.2f} s CPU ({cached['wall_s']:.2f} s wall). Importing the "
        f"simulation takes {cached['import_cpu_s']:.2f} s CPU before that. The first "
        f"`eachcustomer run` (default scenario) with a cold cache took {first['wall_s']:.1f} s "
        f"wall, {first['cpu_s']:.1f} s CPU, and "
        f"{'said' if first['announced'] else 'did not say'} it was compiling."
    )


def profile_text(title: str, profile: dict[str, Any], unit: str) -> str:
    rows = [
        [f"`{label}`", _number(ms), f"{100 * share:.0f}%"]
        for label, ms, share in profile["functions"]
    ]
    return (
        f"{title}: top functions by own time (cProfile: {_number(profile['total_ms'])} ms "
        f"{unit} under the profiler, {profile['calls']:,.0f} function calls {unit}; a "
        "kernel's time is its own, a draw's is its caller's).\n\n"
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
        f"{platform.python_version()}, numpy {np.__version__}, numba {numba.__version__}, "
        f"scipy {scipy.__version__}, mesa {mesa.__version__}; BLAS/OpenMP threads pinned to "
        f"1; load average (1, 5, 15 min) {load_at_start} at the start, {_load()} at the end"
    )


def report(
    command: str,
    results: list[SizeResult],
    default_run: DefaultRun | None,
    probes: dict[int, dict[str, Any]] | None,
    scaling: list[dict[str, Any]] | None,
    compiled: dict[str, Any] | None,
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
        f"Milliseconds per step: wall, best of {repeats} (median in parentheses), and CPU "
        f"(best), after {WARMUP_STEPS} warm-up steps; one step is every process and the "
        "week's outputs. The reference runs on the same organization, its steps in turn "
        f"with the core's (steps timed: {', '.join(ref_counts) or 'none'}). Contagion is the "
        "stage's call (`eachcustomer.sim.processes.contagion.spread_attitudes`) and the sparse "
        "product `P @ attitude` (P from `eachcustomer.sim.organization.influence_matrix`, scipy "
        "CSR) over the "
        "same network, timed in turn; product / contagion is the contagion's speed as a "
        "share of the product's. Ratios use the best CPU times.",
        step_table(results),
    ]
    goals = targets(results, default_run, probes, compiled)
    if goals:
        parts.append("Targets (issue 10):\n\n" + "\n".join(goals))
    if default_run is not None:
        parts.append(default_run_text(default_run))
    traced = next((p for p in (probes or {}).values() if "traced_model_mb" in p), None)
    if traced is not None:
        parts.append(memory_text(traced))
    if scaling:
        parts.append(scaling_text(scaling))
    if compiled is not None:
        parts.append(compile_text(compiled))
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
        help="tiny sizes and few repeats, no fresh-process probes (a smoke run)",
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
    parser.add_argument("--scaling", action="store_true", help="probe 1,000 to 1,000,000 employees")
    parser.add_argument("--compile", action="store_true", help="time compiling the kernels")
    parser.add_argument("--no-memory", action="store_true", help="skip the fresh-process probes")
    parser.add_argument(
        "--write", action="store_true", help=f"update the '{SECTION}' section of {RESULTS.name}"
    )
    parser.add_argument("--probe", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.probe is not None:
        text = json.dumps(probe_size(args.probe, args.seed, args.repeats or 5, args.trace))
        print(text)
        return text

    sizes = args.sizes or (QUICK_SIZES if args.quick else DEFAULT_SIZES)
    repeats = args.repeats or (3 if args.quick else 20)
    default_runs = args.default_runs if args.default_runs is not None else (2 if args.quick else 10)
    reference_max = args.reference_max
    if reference_max is None:
        reference_max = max(sizes) if args.quick else 10_000
    command = "python benchmarks/core_step.py " + " ".join(sys.argv[1:] if argv is None else argv)

    compile_kernels()
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
    probes: dict[int, dict[str, Any]] = {}
    scaling = None
    if not (args.quick or args.no_memory):
        probes[max(sizes)] = measure_probe(max(sizes), args.seed, 5, trace=True)
        if args.scaling:
            scaling = measure_scaling(SCALING_SIZES, args.seed, 5)
            probes.update((p["employees"], p) for p in scaling if p["employees"] not in probes)
    compiled = measure_compile() if args.compile else None
    profiles = []
    if args.profile:
        profiles.append(
            f"Where a step's time goes: best wall ms per stage over {repeats} steps "
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
        command.strip(),
        results,
        default_run,
        probes,
        scaling,
        compiled,
        profiles,
        repeats,
        load_at_start,
    )
    print(section)
    if args.write:
        write_section(RESULTS, section)
        print(f"wrote the '{SECTION}' section of {RESULTS}", file=sys.stderr)
    return section


if __name__ == "__main__":
    main()
