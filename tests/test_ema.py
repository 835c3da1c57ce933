"""The EMA Workbench adapter, driven by EMA's own `perform_experiments` and evaluators.

Written against what EMA Workbench 2.5 (Python 3.11) and 3.x (3.12 and newer) share; the
README's test command runs this module on both (tests/on_newest_python.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

ema = pytest.importorskip("ema_workbench")

from eachcustomer.experiments.ema import EMAAdapterError, EMARun, ema_model  # noqa: E402
from eachcustomer.experiments.running.runs import run_replications  # noqa: E402
from eachcustomer.extras import MissingExtraError  # noqa: E402
from eachcustomer.sim.params import make_params  # noqa: E402
from eachcustomer.sim.replications import replication_seeds  # noqa: E402

SMALL = {"n_employees": 60, "weeks": 20, "replications": 2, "seed": 7}
PLANS = {
    "none": [],
    # "0 does nothing" (eachcustomer.sim.interventions): the same runs as no plan at all.
    "zero": [{"kind": "training_day", "start": 2, "strength": 0.0, "coverage": {"share": 1.0}}],
    "training": [
        {"kind": "training_day", "start": 2, "strength": 0.8, "hours_per_participant_week": 8.0}
    ],
}
OUTCOMES = ("final_mean_attitude", "recent_annual_customer_loss", "plan_cost")


@pytest.fixture(scope="module")
def model():
    return ema_model({"negativity_bias": (1.0, 4.0)}, plans=PLANS, outcomes=OUTCOMES, **SMALL)


@pytest.fixture(scope="module")
def sequential(model):
    """Six scenarios (Latin hypercube) under each of the three plans, in this process."""
    with ema.SequentialEvaluator(model) as evaluator:
        return ema.perform_experiments(
            model, scenarios=6, policies=3, evaluator=evaluator, lever_sampling=ema.Samplers.FF
        )


def by_plan(experiments: pd.DataFrame, outcomes: dict, name: str) -> pd.DataFrame:
    """One plan's experiments with their outcomes, in order of negativity bias."""
    table = experiments.assign(**outcomes)
    table["plan"] = table["plan"].astype(str)
    return table[table["plan"] == name].sort_values("negativity_bias").reset_index(drop=True)


def test_the_model_has_the_uncertainties_levers_and_outcomes_asked_for(model):
    assert [u.name for u in model.uncertainties] == ["negativity_bias"]
    assert [lever.name for lever in model.levers] == ["plan"]
    assert [o.name for o in model.outcomes] == list(OUTCOMES)
    kinds = {o.name: o.kind for o in model.outcomes}
    # The outcome catalogue's direction, so `optimize` reads it right.
    assert kinds["final_mean_attitude"] == ema.ScalarOutcome.MAXIMIZE
    assert kinds["recent_annual_customer_loss"] == ema.ScalarOutcome.MINIMIZE
    assert kinds["plan_cost"] == ema.ScalarOutcome.INFO
    assert isinstance(model.function, EMARun)


def test_perform_experiments_runs_the_design_with_outcomes_of_the_right_shape(sequential):
    experiments, outcomes = sequential
    assert len(experiments) == 18
    assert {"negativity_bias", "plan"} <= set(experiments.columns)
    assert sorted(outcomes) == sorted(OUTCOMES)
    for values in outcomes.values():
        assert values.shape == (18,) and np.isfinite(values).all()
    assert sorted(set(experiments["plan"].astype(str))) == ["none", "training", "zero"]


def test_a_higher_negativity_bias_gives_a_lower_mean_attitude_across_the_design(sequential):
    nothing = by_plan(*sequential, "none")
    assert len(nothing) == 6
    # Common random numbers: the same seeds in every experiment, so the trend is clean.
    assert nothing["final_mean_attitude"].is_monotonic_decreasing
    assert nothing["final_mean_attitude"].iloc[0] > nothing["final_mean_attitude"].iloc[-1] + 0.05


def test_a_plan_of_strength_zero_makes_no_difference_and_a_real_one_does(sequential):
    nothing, zero, training = (by_plan(*sequential, p) for p in ("none", "zero", "training"))
    for outcome in ("final_mean_attitude", "recent_annual_customer_loss"):
        np.testing.assert_array_equal(zero[outcome], nothing[outcome])
    assert (training["final_mean_attitude"] > nothing["final_mean_attitude"]).all()
    assert (nothing["plan_cost"] == 0).all() and (training["plan_cost"] > 0).all()


def test_an_experiments_outcomes_are_the_mean_of_run_replications_on_its_seeds(sequential):
    experiments, outcomes = sequential
    row = by_plan(experiments, outcomes, "training").iloc[2]
    params = make_params({"n_employees": 60, "negativity_bias": float(row["negativity_bias"])})
    runs = run_replications(
        params,
        replication_seeds(7, 2),
        {"training": [PLANS["training"][0]]},
        weeks=20,
    )["training"]
    expected = np.mean([run.record["final_mean_attitude"] for run in runs])
    assert row["final_mean_attitude"] == pytest.approx(expected, rel=1e-12)


def test_the_multiprocessing_evaluator_gives_the_same_numbers(model):
    with ema.MultiprocessingEvaluator(model, n_processes=2) as evaluator:
        experiments, outcomes = ema.perform_experiments(
            model, scenarios=2, policies=3, evaluator=evaluator, lever_sampling=ema.Samplers.FF
        )
    assert len(experiments) == 6 and all(v.shape == (6,) for v in outcomes.values())
    for index, row in experiments.iterrows():
        again = model.function(negativity_bias=row["negativity_bias"], plan=str(row["plan"]))
        for name, values in outcomes.items():
            assert values[index] == again[name], (index, name)


def test_the_library_and_a_budget_are_levers(tmp_path):
    model = ema_model(
        {"negativity_bias": (1.0, 3.0), "disposition_pull": [0.01, 0.02]},
        budget=(1_000, 5_000),
        outcomes=("plan_cost", "net_revenue"),
        **{**SMALL, "weeks": 40},  # the library's plans start in week 26
    )
    assert [u.name for u in model.uncertainties] == ["negativity_bias", "disposition_pull"]
    levers = {lever.name: lever for lever in model.levers}
    assert set(levers) == {"plan", "budget"}
    assert {"none", "training_day", "culture_change"} <= set(levers["plan"].categories.keys())
    # Every plan is scaled to the budget by the one budget rule.
    cost = model.function(
        negativity_bias=2.0, disposition_pull=0.02, plan="training_day", budget=3_000.0
    )["plan_cost"]
    assert cost == pytest.approx(3_000.0, rel=1e-3)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"uncertainties": {"negativity_bais": (1.0, 2.0)}}, "did you mean negativity_bias"),
        ({"uncertainties": {"negativity_bias": (0.0, 2.0)}}, r"allowed range \[1.0, 10.0\]"),
        ({"uncertainties": {"horizon_weeks": (10, 20)}}, "set the sweep's `weeks`"),
        ({"plans": ["training_dya"]}, "no plan 'training_dya'"),
        ({"outcomes": ["annual_customer_los"]}, "did you mean annual_customer_loss"),
        ({"uncertainties": ["negativity_bias"], "levers": ["negativity_bias"]}, "more than once"),
        ({"budget": (5, 1)}, "0 <= low < high"),
        ({"budget": (5, 10), "weeks": 20}, "aligned_incentives: costs nothing within the 20 weeks"),
        ({"replications": 0}, "at least 1"),
        ({"scale_by": "money"}, "one of coverage, duration"),
    ],
)
def test_mistakes_are_named(arguments, message):
    with pytest.raises(EMAAdapterError, match=message):
        ema_model(**arguments)


def test_without_ema_workbench_it_names_the_extra(monkeypatch):
    import sys

    for name in [n for n in sys.modules if n == "ema_workbench" or n.startswith("ema_workbench.")]:
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(MissingExtraError, match=r"\[discovery\] extra.*pip install"):
        ema_model({"negativity_bias": (1.0, 2.0)})


def test_the_readmes_example_runs_as_written_at_a_smaller_size():
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    (block,) = [b for b in re.findall(r"```python\n(.+?)\n```", readme, re.S) if "ema_model" in b]
    smaller = block.replace("replications=10", "replications=1")
    smaller = smaller.replace("scenarios=50, policies=6", "scenarios=2, policies=2")
    assert smaller.count("=1,") == 1 and "scenarios=2" in smaller  # the sizes were found
    namespace: dict = {}
    exec(compile(smaller, "README.md", "exec"), namespace)
    experiments, outcomes = namespace["experiments"], namespace["outcomes"]
    assert len(experiments) == 4
    assert {"negativity_bias", "disposition_pull", "plan", "budget"} <= set(experiments.columns)
    assert all(values.shape == (4,) and np.isfinite(values).all() for values in outcomes.values())
