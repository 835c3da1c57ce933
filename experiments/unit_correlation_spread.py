"""How much the unit-level correlation (Harter et al.) varies from one batch of units to the next.

`eachcustomer.experiments.calibration.statistics.unit_attitude_satisfaction_r` correlates, over
K small organizations (`UNIT_EMPLOYEES` each, Harter et al.'s units), their mean attitude and
their customers' mean satisfaction over the settled year. One evaluation's value carries the
luck of its K units; this runs B batches of K units with independent seeds (batch b's units
get `replication_seeds(seed + b, K)`) at the shipped defaults and reports the mean and the
standard deviation of r across batches, for each K asked for. docs/CALIBRATION.md 1.1 records
the result.

    python -m eachcustomer.experiments.unit_correlation_spread                  # K = 200, 500
    python -m eachcustomer.experiments.unit_correlation_spread --units 500 --batches 4
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import numpy as np

from eachcustomer.experiments.calibration.statistics import (
    HORIZON_WEEKS,
    UNIT_EMPLOYEES,
    Runs,
    unit_attitude_satisfaction_r,
)
from eachcustomer.experiments.running.runs import run_replications
from eachcustomer.sim.params import Params
from eachcustomer.sim.replications import replication_seeds

MASTER_SEED = 2026
"""Stage 2's calibration seed (experiments/specs/published_units.toml)."""


def unit_r(params: Params, units: int, seed: int) -> float:
    """The statistic over `units` organizations of `UNIT_EMPLOYEES` with seeds from `seed`."""
    unit_params = params.replace(n_employees=UNIT_EMPLOYEES)
    seeds = replication_seeds(seed, units)
    [runs] = run_replications(unit_params, seeds, weeks=HORIZON_WEEKS, batch_size=50).values()
    return unit_attitude_satisfaction_r(Runs(units=tuple(runs)))


def batch_values(params: Params, units: int, batches: int, seed: int) -> np.ndarray:
    """r of each of `batches` independent batches of `units` organizations."""
    return np.array([unit_r(params, units, seed + batch) for batch in range(batches)])


def main(argv: Sequence[str] | None = None) -> int:
    """Print r's mean and spread across batches for each unit count."""
    parser = argparse.ArgumentParser(
        prog="python -m eachcustomer.experiments.unit_correlation_spread",
        description="The unit-level correlation's mean and SD across independent batches "
        "of small organizations, at the shipped defaults.",
    )
    parser.add_argument("--units", type=int, nargs="+", default=[200, 500], help="K per batch")
    parser.add_argument("--batches", type=int, default=10, help="independent batches (>= 2)")
    parser.add_argument("--seed", type=int, default=MASTER_SEED, help="master seed (>= 0)")
    args = parser.parse_args(argv)
    if args.batches < 2:
        parser.error(f"--batches must be at least 2, not {args.batches}")
    if min(args.units) < 3:
        parser.error(f"--units must each be at least 3, not {min(args.units)}")
    if args.seed < 0:
        parser.error(f"--seed must be a non-negative integer, not {args.seed}")
    print("| units per batch | batches | mean r | SD across batches | min | max |")
    print("|---|---|---|---|---|---|")
    for units in args.units:
        values = batch_values(Params(), units, args.batches, args.seed)
        print(
            f"| {units} | {args.batches} | {values.mean():.3f} | {values.std(ddof=1):.3f} "
            f"| {values.min():.3f} | {values.max():.3f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
