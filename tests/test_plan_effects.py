"""Plans per factor level: paired differences from doing nothing at each level, and the
report that answers a factorial spec's own question with them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_analysis import made_up
from test_sweeps import TINY, write_spec

from eachcustomer.experiments.analysis import plan_effects
from eachcustomer.experiments.analysis.multiplicity import widen
from eachcustomer.experiments.analysis.statistics import Interval, paired_difference
from eachcustomer.experiments.analysis.tables import AnalysisError, Results
from eachcustomer.experiments.analysis.verdicts import WORDS, judge
from eachcustomer.experiments.loading.sweeps import load_sweep
from eachcustomer.experiments.reports.plan_report import effects_figure, level_answer
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


# --- the report's first section: the spec's question per level, in bars and in words --------


@pytest.fixture
def attitude_by_plan(bias_by_plan):
    """The same runs, the outcome being mean attitude (higher is better)."""
    runs = bias_by_plan.runs.rename(columns={"y": "final_mean_attitude"})
    manifest = {**bias_by_plan.manifest, "outcomes": ["final_mean_attitude"]}
    return Results(bias_by_plan.folder, manifest, bias_by_plan.design, runs)


def test_each_level_gets_its_verdict_from_the_verdicts_module(attitude_by_plan):
    effects = plan_effects.plan_effects(attitude_by_plan)
    judged = plan_effects.level_verdicts(effects, "none").set_index("level")
    assert list(judged["plan"]) == ["program", "program"]  # the baseline is not judged
    assert (judged["comparisons"] == 2).all()  # one plan x two levels, stated together
    low_bias = judged.loc["1"]
    raw = Interval(3, low_bias["difference"], np.nan, low_bias["ci_low"], low_bias["ci_high"])
    adjusted = widen(raw, 0.95, 2)
    assert (low_bias["adjusted_ci_low"], low_bias["adjusted_ci_high"]) == pytest.approx(
        (adjusted.low, adjusted.high)
    )
    assert adjusted.low < low_bias["ci_low"]  # Bonferroni widens it
    assert low_bias["verdict"] == judge(adjusted, True, "nothing").word == "better"
    assert judged.loc["4", "verdict"] == "no clear effect"  # the program does nothing there


def test_the_first_figure_has_one_bar_per_level_and_the_words_say_each_levels_verdict(
    attitude_by_plan,
):
    effects = plan_effects.plan_effects(attitude_by_plan)
    judged = plan_effects.level_verdicts(effects, "none")
    figure = effects_figure(judged, "final_mean_attitude", "none")
    (bars,) = figure.data
    assert bars.type == "bar" and list(bars.x) == ["1", "4"]  # one bar per level
    assert list(bars.y) == pytest.approx(list(judged["difference"]))
    answer = level_answer(judged, "final_mean_attitude", "negativity_bias", "none")
    assert answer.startswith("On mean attitude at the horizon, against Do nothing")
    assert "program: better at 1 (+1.100;" in answer
    assert "no clear effect at 4 (0;" in answer
    said = [word for word in WORDS if word in answer]
    assert said == ["better", "no clear effect"]


def test_the_reports_first_section_answers_the_specs_question_per_level(tmp_path):
    import html
    import json
    import re

    run_sweep(load_sweep(write_spec(tmp_path, TINY)), tmp_path / "out", SerialExecutor())
    page = write_report(tmp_path / "out", tmp_path / "report").read_text()
    sections = re.split(r"<h2>", page)
    first = sections[1]
    assert first.startswith("What each plan does at each level of negativity_bias")
    assert re.search(r"<h2>Plans compared[^<]*pooled over negativity_bias", page)
    # Its first figure: mean attitude, one bar per level of the negativity bias.
    spec = json.loads(
        re.search(r"Plotly\.newPlot\(\s*\"[^\"]+\",\s*(\[.*?\]),\s*\{", first, re.S)[1]
    )
    assert [trace["type"] for trace in spec] == ["bar"]
    assert spec[0]["x"] == ["1", "4"]
    # Its sentence: each level's verdict, as verdicts.judge states it from the CSV's numbers.
    effects = pd.read_csv(tmp_path / "report" / "plan_effects.csv", dtype={"level": str})
    rows = effects[
        (effects["plan"] == "training") & (effects["outcome"] == "final_mean_attitude")
    ].set_index("level")
    sentence = next(
        html.unescape(text)
        for text in re.findall(r"<p>([^<]*)</p>", first)
        if text.startswith("On mean attitude at the horizon")
    )
    for level, row in rows.iterrows():
        interval = Interval(
            int(row["n"]),
            row["difference"],
            np.nan,
            row["adjusted_ci_low"],
            row["adjusted_ci_high"],
        )
        word = judge(interval, True, "nothing").word
        assert row["verdict"] == word
        # "better at 1 (...)", or "no clear effect at 1 (...), 3 (...) and 4 (...)"
        listed = rf"{word} at (?:[^()]+ \([^()]*\)(?:, | and ))*{level} \("
        assert re.search(listed, sentence), (word, level, sentence)
