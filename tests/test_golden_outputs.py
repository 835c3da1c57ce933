"""Today's weekly outputs, pinned: a change that alters the random streams or the rules fails here.

Speed work (issue 22) may reorder loops, fuse kernels and move where random numbers are
drawn, but a replication must keep its numbers. This test reruns a few scenarios, plans and
seeds and compares every weekly output with tests/golden/weekly_outputs.csv, written by

    .venv/bin/python tests/test_golden_outputs.py --write

A deliberate change of the model's numbers rewrites that file in the same commit and
regenerates every shipped result that depends on them (benchmarks/RESULTS.md says which).
The tolerance (relative 1e-9) admits the last-bit differences of a summation order or
another machine's floating point and nothing a changed random number would make.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from eachcustomer.experiments.loading.plans import resolve_plan
from eachcustomer.experiments.loading.scenario_files import load_scenario
from eachcustomer.experiments.running.runs import run_replications
from eachcustomer.sim.params import make_params

GOLDEN = Path(__file__).parent / "golden" / "weekly_outputs.csv"
WEEKS = 52
CASES: dict[str, dict[str, Any]] = {
    "baseline": {"plans": ("none", "training_day", "culture_change", "leadership_tone")},
    "krackhardt": {"plans": ("none", "hiring_for_attitude")},
    "small": {
        "overrides": {"n_employees": 60},
        "plans": ("slogan_campaign", "aligned_incentives", "customer_exposure", "language"),
    },
}
SEEDS = (11, 12, 13)


def weekly_outputs() -> list[dict[str, Any]]:
    """Every case's weekly outputs, one row per case, plan, seed and week."""
    rows: list[dict[str, Any]] = []
    for case, spec in CASES.items():
        setup = load_scenario("baseline" if case == "small" else case)
        params = setup.params
        if spec.get("overrides"):
            params = make_params({**params.model_dump(), **spec["overrides"]})
        plans = {name: resolve_plan(name) for name in spec["plans"]}
        # A batch of two mixes plans and seeds across batches: the numbers must not care.
        results = run_replications(
            params, list(SEEDS), plans, org=setup.org, weeks=WEEKS, batch_size=2
        )
        for plan, runs in results.items():
            for seed, result in zip(SEEDS, runs, strict=True):
                series = result.series.select_dtypes("number")
                for week, values in enumerate(series.to_dict("records")):
                    rows.append({"case": case, "plan": plan, "seed": seed, "week": week, **values})
    return rows


def _key(row: dict[str, Any]) -> tuple[str, str, int, int]:
    return (str(row["case"]), str(row["plan"]), int(row["seed"]), int(row["week"]))


def test_weekly_outputs_match_the_pinned_ones() -> None:
    with GOLDEN.open(newline="", encoding="utf-8") as handle:
        pinned = {
            _key(row): {k: v for k, v in row.items() if v != ""} for row in csv.DictReader(handle)
        }
    now = weekly_outputs()
    assert {_key(row) for row in now} == set(pinned), "the cases, plans, seeds or weeks changed"
    for row in now:
        old = pinned[_key(row)]
        assert set(row) == set(old), f"{_key(row)}: output columns changed"
        for column, value in row.items():
            if column in ("case", "plan"):
                continue
            if not np.isclose(
                float(value), float(old[column]), rtol=1e-9, atol=1e-12, equal_nan=True
            ):
                pytest.fail(
                    f"{_key(row)} {column}: {value!r} now, {old[column]} pinned "
                    "(tests/test_golden_outputs.py says what to do on a deliberate change)"
                )


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python tests/test_golden_outputs.py --write")
    table = weekly_outputs()
    columns = list(dict.fromkeys(column for row in table for column in row))
    GOLDEN.parent.mkdir(exist_ok=True)
    with GOLDEN.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, restval="")
        writer.writeheader()
        writer.writerows(
            {k: repr(v) if isinstance(v, float) else v for k, v in r.items()} for r in table
        )
    print(f"wrote {len(table)} rows to {GOLDEN}")
