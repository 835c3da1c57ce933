"""A step at scale against its floor, and what ordering the front line could still save.

At `--employees` (default 1,000,000; 10 customers each) one model is built and stepped a
few times; then, timed in turn (best CPU time of `--repeats`, wall beside it):

- the step (`OrgModel.step`, every process and the week's outputs);
- its floor: what any implementation of the same rules must do, each part done by numpy in
  bulk, at numpy's speed:
  - draw the step's random numbers: the contacts' gaps, three uniforms and a normal per
    contact, the churn's gaps and a uniform per churn candidate, and per employee a
    normal (focus noise) and a uniform (turnover); counted from the step itself;
  - read each customer array once (expectation, satisfaction, active) and write the
    satisfaction once; read each employee array once and write attitude, strain and
    focus once;
  - one product `P @ a` of the influence matrix (contagion);
  - one scattered read per contact of the employee it meets (the rules route a contact to
    a member of a pool drawn uniformly: no order of the staff makes that read local);
- the pool lookup alone: one scattered read per contact of a position in the front-line
  pools, which is what ordering the front line (each pool a contiguous range of
  positions) could save at most.

    python benchmarks/memory_floor.py                       # 1,000,000 employees, ~3 min
    python benchmarks/memory_floor.py --employees 100000
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # the siblings bench_setup, issue22
import bench_setup  # noqa: E402

bench_setup.prepare()  # before numpy is imported

import argparse  # noqa: E402
import os  # noqa: E402
from collections.abc import Callable  # noqa: E402

import numpy as np  # noqa: E402
from issue22 import best_in_turn  # noqa: E402

from eachcustomer.sim.model import OrgModel  # noqa: E402
from eachcustomer.sim.organization import influence_matrix  # noqa: E402
from eachcustomer.sim.params import Params  # noqa: E402
from eachcustomer.sim.warmup import compile_kernels  # noqa: E402


def random_numbers(model: OrgModel) -> Callable[[], object]:
    """Drawing the numbers of one step in bulk, counted from the last step."""
    params, batch = model.params, model.batch
    contacts = len(batch.encounters.customer)
    slots = len(batch.customers.satisfaction)
    staff = len(batch.employees.attitude)
    candidates = int(slots * params.dissatisfied_churn)
    gaps = contacts + int(slots * params.base_churn) + candidates
    rng = np.random.default_rng(0)
    buffers = {
        "exponential": np.empty(gaps),
        "uniform": np.empty(3 * contacts + candidates + staff),
        "normal": np.empty(contacts + staff),
    }

    def draw() -> None:
        rng.standard_exponential(out=buffers["exponential"])
        rng.random(out=buffers["uniform"])
        rng.standard_normal(out=buffers["normal"])

    return draw


def memory_traffic(model: OrgModel) -> Callable[[], object]:
    """Reading the customers' and employees' arrays once, writing the changed ones once."""
    customers, employees = model.batch.customers, model.batch.employees
    read_only = [customers.expectation, customers.active, employees.disposition]
    changed = [customers.satisfaction, employees.attitude, employees.strain]
    changed.append(employees.customer_focus)
    copies = [array.copy() for array in changed]

    def traffic() -> None:
        for array in read_only:
            array.sum()
        for source, target in zip(changed, copies, strict=True):
            np.copyto(target, source)  # read once, written once

    return traffic


def scattered_read(values: np.ndarray, count: int) -> Callable[[], object]:
    """`count` reads of `values` at uniformly drawn positions (a bare numpy gather)."""
    positions = np.random.default_rng(1).integers(0, len(values), size=count)
    out = np.empty(count, dtype=values.dtype)
    return lambda: np.take(values, positions, out=out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    compile_kernels()
    load = os.getloadavg()
    params = Params(n_employees=args.employees)
    model = OrgModel(params, rng=1)
    for _ in range(3):
        model.step()
    batch = model.batch
    contacts = len(batch.encounters.customer)
    matrix = influence_matrix(
        model.org, params.boss_weight, params.peer_weight, params.report_weight
    )
    attitude = batch.employees.attitude.copy()
    pools = np.concatenate([batch.front.complaint_desk, batch.front.sales_floor])
    floor_parts = {
        "random numbers": random_numbers(model),
        "memory traffic": memory_traffic(model),
        "P @ a": lambda: matrix @ attitude,
        "employee met": scattered_read(attitude, contacts),
    }
    best = best_in_turn(
        {"step": model.step, **floor_parts, "pool lookup": scattered_read(pools, contacts)},
        args.repeats,
    )
    after = os.getloadavg()
    floor_cpu = sum(best[name][0] for name in floor_parts)
    floor_wall = sum(best[name][1] for name in floor_parts)
    print(
        f"{args.employees:,} employees, {len(batch.customers.satisfaction):,} customer slots, "
        f"{contacts:,} contacts a week; load {load[0]:.2f} -> {after[0]:.2f}"
    )
    print("| part | ms CPU | ms wall |\n|---|---:|---:|")
    for name, (cpu, wall) in best.items():
        print(f"| {name} | {1e3 * cpu:.2f} | {1e3 * wall:.2f} |")
    print(
        f"| floor (the four parts above the pool lookup) | {1e3 * floor_cpu:.2f} | "
        f"{1e3 * floor_wall:.2f} |"
    )
    step_cpu = best["step"][0]
    print(
        f"step / floor: {step_cpu / floor_cpu:.2f} (CPU); the pool lookup is "
        f"{100 * best['pool lookup'][0] / step_cpu:.1f}% of the step"
    )


if __name__ == "__main__":
    main()
