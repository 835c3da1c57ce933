"""Plans per factor level: paired differences from doing nothing at each level, and the
report that answers a factorial spec's own question with them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_analysis import made_up
from test_sweeps import TINY, write_spec

from eachcustomer.experiments.analysis import plan_effects
from eachcustomer.experiments.analysis.statistics import paired_difference
from eachcustomer.experiments.analysis.tables import AnalysisError
from eachcustomer.experiments.loading.sweeps import load_sweep
from eachcustomer.experiments.reports.report import write_report
from eachcustomer.experiments.running.executors import SerialExecutor, run_sweep


@pytest.fixture
def bias_by_plan():
    """Two plans x two biases x three replications; the program helps only at bias 1."""
    rows = []
    luck = {0: 1.0, 1: 5.0, 2: 9.0}
    for arm, (bias, plan) in enumerate(
        [(1.0, "none"), (1.0, "program"), (4.0, "none"), (4.0, "program")]
    ):
        for replication in range(3):
            effect = {(1.0, "program"): 1.0 + 0.1 * replication}.get((bias, plan), 0.0)
            rows.append(
                {
                    "point": 0,
                    "arm": arm,
                    "replication": replication,
                    "seed": 10 + replication,
                    "negativity_bias": bias,
                    "plan": plan,
                    "y": luck[replication] + effect,
                }
            )
    design = pd.DataFrame(rows).assign(run_id=lambda f: np.arange(len(f)))
    return made_up(
        design.drop(columns="y"),
        design["y"].to_numpy(),
        "full_factorial",
        [],
        [
            {"name": "negativity_bias", "values": [1.0, 4.0]},
            {"name": "plan", "values": ["none", "program"]},
        ],
    )


def test_each_level_has_its_own_paired_difference(bias_by_plan):
    effects = plan_effects.plan_effects(bias_by_plan).set_index(["level", "plan"])
    expected = paired_difference([2.0, 6.1, 10.2], [1.0, 5.0, 9.0])
    low_bias = effects.loc[("1", "program")]
    assert low_bias["difference"] == pytest.approx(1.1)
    assert (low_bias["ci_low"], low_bias["ci_high"]) == pytest.approx((expected.low, expected.high))
    assert low_bias["n"] == 3 and low_bias["ci_low"] > 0  # luck cancels in the pairs
    high_bias = effects.loc[("4", "program")]
    assert high_bias["difference"] == 0.0 and high_bias["ci_low"] == 0.0
    baseline = effects.loc[("4", "none")]
    assert np.isnan(baseline["difference"]) and baseline["mean"] == pytest.approx(5.0)
    # Pooled over the biases the effect is halved: the per-level table keeps the answer.
    pooled = plan_effects.plan_comparison(bias_by_plan).set_index("plan")
    assert pooled.loc["program", "difference"] == pytest.approx(0.55)


def test_splitting_by_an_unknown_factor_names_the_factors(bias_by_plan):
    with pytest.raises(AnalysisError, match="no factor 'luck'.*negativity_bias"):
        plan_effects.plan_effects(bias_by_plan, factors=["luck"])


def test_the_report_of_a_factorial_spec_shows_plans_per_level(tmp_path):
    run_sweep(load_sweep(write_spec(tmp_path, TINY)), tmp_path / "out", SerialExecutor())
    page = write_report(tmp_path / "out", tmp_path / "report")
    text = page.read_text()
    assert "What each plan does at each level of negativity_bias" in text
    assert "plan x factor" in text and "each plan minus Do nothing" in text
    effects = pd.read_csv(tmp_path / "report" / "plan_effects.csv")
    training = effects[
        (effects["plan"] == "training") & (effects["outcome"] == "final_mean_attitude")
    ]
    assert sorted(training["level"].astype(str)) == ["1", "4"]
    assert (training["n"] == 2).all()  # two replications paired at each bias
    asked = {
        "final_mean_attitude",
        "final_share_negative",
        "mean_mean_attitude",
        "spend_total",
        "net_revenue",
    }
    assert set(effects["outcome"]) == asked - {"spend_total"}  # costs are not outcomes
    assert "mean attitude at the horizon (-1 to +1)" in text  # human names with units
