"""Issue 22's six targets, each in units that a shared machine's load hits alike.

- a default run (500 employees, 104 weeks, table) in per-agent reference steps at 500,
  the two timed in turn;
- the reference step against the core step at 10,000 employees, in turn;
- one step at 100,000 employees (1,000,000 customers) in bare sparse products `P @ a` of
  its influence matrix, in turn;
- one step at 1,000,000 employees, ms CPU (`--million`; a fresh process, core_step's probe);
- default runs batched as sweeps run them (`run_replications`, 48 runs), runs per CPU-second;
- one stage-2 calibration particle, CPU seconds: the evaluation the calibration makes, with
  its own code (`measure_at` on the simulator of experiments/specs/published_units.toml's
  fit target, at the middle of its priors, the stage-1 parameters drawn from the shipped
  posterior): 200 organizations of 25 employees for 104 weeks and their
  `unit_attitude_satisfaction_r`; and at the file's own 500 organizations.

Every figure is the best CPU time of the repeats (wall beside it).

    python benchmarks/issue22.py --repeats 5 --million
    python benchmarks/issue22.py --repeats 7 --particle-only
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # the siblings bench_setup, core_step
import bench_setup  # noqa: E402

ROOT = bench_setup.prepare()  # before numpy is imported

import argparse  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402

from eachcustomer.experiments.running.runs import run_replications  # noqa: E402
from eachcustomer.sim.model import OrgModel  # noqa: E402
from eachcustomer.sim.organization import influence_matrix  # noqa: E402
from eachcustomer.sim.params import Params  # noqa: E402
from eachcustomer.sim.reference import ReferenceModel  # noqa: E402
from eachcustomer.sim.replications import replication_seeds  # noqa: E402
from eachcustomer.sim.warmup import compile_kernels  # noqa: E402


def timed(call: Callable[[], object]) -> tuple[float, float]:
    """CPU and wall seconds of one call."""
    gc.collect()
    cpu, wall = time.process_time(), time.perf_counter()
    call()
    return time.process_time() - cpu, time.perf_counter() - wall


def best_in_turn(calls: dict[str, Callable[[], object]], repeats: int) -> dict[str, tuple]:
    """Best (CPU, wall) seconds of each call, the calls timed in turn in each repeat."""
    best = {name: (float("inf"), float("inf")) for name in calls}
    for _ in range(repeats):
        for name, call in calls.items():
            cpu, wall = timed(call)
            best[name] = (min(best[name][0], cpu), min(best[name][1], wall))
    return best


def default_run() -> None:
    params = Params()
    model = OrgModel(params, rng=1)
    for _ in range(params.horizon_weeks):
        model.step()
    model.outputs()


def stepping(model: object) -> Callable[[], object]:
    return model.step  # type: ignore[attr-defined]


def steps_against_reference(employees: int, repeats: int) -> dict[str, tuple]:
    params = Params(n_employees=employees)
    model = OrgModel(params, rng=1)
    reference = ReferenceModel(params, org=model.org, rng=1)
    model.step()
    reference.step()
    return best_in_turn({"core": model.step, "reference": reference.step}, repeats)


def step_against_product(employees: int, repeats: int) -> dict[str, tuple]:
    params = Params(n_employees=employees)
    model = OrgModel(params, rng=1)
    matrix = influence_matrix(
        model.org, params.boss_weight, params.peer_weight, params.report_weight
    )
    attitude = model.employees.attitude.copy()
    for _ in range(2):
        model.step()
    return best_in_turn({"step": model.step, "product": lambda: matrix @ attitude}, repeats)


def batched_runs(count: int = 48) -> None:
    run_replications(Params(), replication_seeds(7, count))


def stage2_particle(units: int | None) -> Callable[[], float]:
    """One stage-2 evaluation as the calibration makes it, `units` organizations (the
    targets file's 500 when None); the call returns the statistic."""
    from dataclasses import replace

    from eachcustomer.experiments.calibration.budget import simulator_for
    from eachcustomer.experiments.calibration.simulate import measure_at
    from eachcustomer.experiments.calibration.targets import load_targets

    calibration = load_targets("published_units")
    simulator = simulator_for(calibration, calibration.fitted, "abc")
    if units is not None:
        requests = tuple(replace(r, replications=units) for r in simulator.requests)
        simulator = replace(simulator, requests=requests)
    middle = {name: prior.from_sampler(0.0) for name, prior in calibration.priors.items()}
    return lambda: measure_at(simulator, middle)["unit_attitude_satisfaction_r"]


def million_step() -> dict:
    command = [sys.executable, str(ROOT / "benchmarks" / "core_step.py"), "--probe", "1000000"]
    out = subprocess.run(command + ["--repeats", "5"], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--million", action="store_true", help="probe 1,000,000 employees")
    parser.add_argument("--particle-only", action="store_true", help="only the stage-2 rows")
    args = parser.parse_args()
    compile_kernels()
    load = os.getloadavg()
    lines = [] if args.particle_only else other_targets(args.repeats)
    particles = {"200": stage2_particle(200), "500": stage2_particle(None)}
    r = {units: particle() for units, particle in particles.items()}  # and a warm-up
    best = best_in_turn(
        particles, args.repeats if args.particle_only else max(2, args.repeats // 2)
    )
    for units in particles:
        lines.append(
            f"stage-2 particle ({units} x 25 employees, 104 weeks, r = {r[units]:.4f}): "
            f"{best[units][0]:.3f} s CPU ({best[units][1]:.3f} s wall)"
        )
    if args.million:
        probe = million_step()
        lines.append(
            f"1,000,000: step {probe['step_cpu_ms']:.0f} ms CPU ({probe['step_wall_ms']:.0f} wall)"
        )
    after = os.getloadavg()
    print(f"load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} -> {after[0]:.2f} {after[1]:.2f}")
    print("\n".join(lines))


def other_targets(repeats: int) -> list[str]:
    """The rows of the first five targets."""
    lines = []
    at500 = steps_against_reference(500, 3)
    run = best_in_turn({"run": default_run, "reference": ReferenceModel(Params(), rng=2).step}, 1)
    runs = best_in_turn({"run": default_run}, repeats)["run"]
    ref500 = min(at500["reference"][0], run["reference"][0])
    lines.append(
        f"default run: {1e3 * runs[0]:.1f} ms CPU ({1e3 * runs[1]:.1f} wall), reference step at "
        f"500: {1e3 * ref500:.2f} ms CPU -> {runs[0] / ref500:.2f} reference steps"
    )
    at10k = steps_against_reference(10_000, repeats)
    core, ref = at10k["core"], at10k["reference"]
    lines.append(
        f"10,000: core {1e3 * core[0]:.2f} ms CPU ({1e3 * core[1]:.2f} wall), reference "
        f"{1e3 * ref[0]:.0f} ms CPU -> {ref[0] / core[0]:.0f}x"
    )
    at100k = step_against_product(100_000, 4 * repeats)
    step, product = at100k["step"], at100k["product"]
    lines.append(
        f"100,000: step {1e3 * step[0]:.2f} ms CPU ({1e3 * step[1]:.2f} wall), P@a "
        f"{1e3 * product[0]:.3f} ms CPU -> {step[0] / product[0]:.1f} products"
    )
    batched = best_in_turn({"batched": batched_runs}, max(2, repeats // 2))["batched"]
    lines.append(
        f"run_replications, 48 default runs: {1e3 * batched[0] / 48:.2f} ms CPU per run "
        f"({1e3 * batched[1] / 48:.2f} wall) -> {48 / batched[0]:.0f} runs per CPU-second"
    )
    return lines


if __name__ == "__main__":
    main()
