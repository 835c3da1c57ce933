"""Analysis: exact intervals on hand-made results, known Sobol and Morris indices, the report."""

from __future__ import annotations

import re
from dataclasses import astuple
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample
from scipy import stats
from test_sweeps import TINY, said, write_spec
from typer.testing import CliRunner

from eachcustomer.cli import app
from eachcustomer.experiments.analysis import plan_effects
from eachcustomer.experiments.analysis import tables as analysis
from eachcustomer.experiments.analysis.statistics import t_interval
from eachcustomer.experiments.analysis.tables import AnalysisError, Results
from eachcustomer.experiments.loading.sweeps import load_sweep
from eachcustomer.experiments.reports.report import write_report
from eachcustomer.experiments.running.executors import SerialExecutor, run_sweep


def made_up(
    design: pd.DataFrame,
    outcome: np.ndarray,
    kind: str,
    ranges: list[dict],
    lists: list[dict] | None = None,
    **design_extra,
) -> Results:
    """Results of a sweep that never ran: the design's runs with the given outcome."""
    runs = design.assign(status="ok", error=None, y=outcome)
    manifest = {
        "design": {
            "kind": kind,
            "points": int(design["point"].max()) + 1,
            "second_order": False,
            "levels": 4,
            **design_extra,
        },
        "ranges": ranges,
        "lists": lists or [],
        "outcomes": ["y"],
        "master_seed": 3,
        "series": [],
    }
    return Results(Path("."), manifest, design, runs)


def frame(points: int, **columns) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "run_id": np.arange(points),
            "point": np.arange(points),
            "arm": 0,
            "replication": 0,
            "seed": 1,
            **columns,
        }
    )


def test_outcome_means_per_level_over_everything_else():
    design = frame(6, a=[1.0, 1.0, 1.0, 2.0, 2.0, 2.0])
    results = made_up(
        design,
        np.array([1.0, 2.0, 3.0, 10.0, 10.0, 13.0]),
        "full_factorial",
        [],
        [{"name": "a", "values": [1.0, 2.0]}],
    )
    means = analysis.outcome_means(results)
    assert list(means["level"]) == ["1", "2"]
    assert list(means["mean"]) == [2.0, 11.0]
    assert list(means["n"]) == [3, 3]
    half = stats.t.ppf(0.975, 2) * np.sqrt(3.0) / np.sqrt(3)
    assert means["ci_high"].iloc[1] == pytest.approx(11.0 + half)


def test_a_sampled_range_is_cut_into_quantile_bins():
    values = np.linspace(0.0, 1.0, 40)
    results = made_up(
        frame(40, a=values),
        values * 2,
        "latin_hypercube",
        [{"name": "a", "low": 0.0, "high": 1.0, "integer": False}],
    )
    means = analysis.outcome_means(results, bins=4)
    assert list(means["n"]) == [10, 10, 10, 10]
    assert means["mean"].is_monotonic_increasing


def test_plan_differences_are_paired_by_point_and_replication():
    design = pd.DataFrame(
        {
            "run_id": range(6),
            "point": 0,
            "arm": [0, 0, 0, 1, 1, 1],
            "replication": [0, 1, 2, 0, 1, 2],
            "seed": [7, 8, 9, 7, 8, 9],
            "plan": ["none"] * 3 + ["program"] * 3,
        }
    )
    outcome = np.array([1.0, 5.0, 9.0, 2.0, 6.5, 10.0])  # luck varies, the effect hardly
    results = made_up(
        design, outcome, "full_factorial", [], [{"name": "plan", "values": ["none", "program"]}]
    )
    table = plan_effects.plan_comparison(results).set_index("plan")
    differences = np.array([1.0, 1.5, 1.0])
    n, mean, _, low, high = astuple(t_interval(differences))
    assert table.loc["program", "difference"] == pytest.approx(mean)
    assert (
        table.loc["program", "difference_ci_low"],
        table.loc["program", "difference_ci_high"],
    ) == pytest.approx((low, high))
    assert low > 0  # paired: clearly positive, though the plain means overlap
    assert table.loc["program", "ci_low"] < table.loc["none", "ci_high"]
    assert np.isnan(table.loc["none", "difference"])


def ishigami(x: np.ndarray) -> np.ndarray:
    return np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_sobol_indices_recover_the_ishigami_function():
    ranges = [
        {"name": n, "low": -np.pi, "high": np.pi, "integer": False} for n in ("x1", "x2", "x3")
    ]
    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}
    x = sobol_sample.sample(problem, 1024, calc_second_order=False, seed=4)
    design = frame(len(x), x1=x[:, 0], x2=x[:, 1], x3=x[:, 2])
    results = made_up(design, ishigami(x), "sobol", ranges)
    # Runs arrive in any order; the analysis must put them back in design order.
    shuffled = Results(
        results.folder, results.manifest, design, results.runs.sample(frac=1.0, random_state=1)
    )
    found = analysis.sobol_indices(shuffled).set_index("parameter")
    np.testing.assert_allclose(found["S1"], [0.314, 0.442, 0.0], atol=0.06)
    np.testing.assert_allclose(found["ST"], [0.558, 0.442, 0.244], atol=0.06)
    assert (found["S1_conf"] > 0).all()


def test_morris_finds_the_one_parameter_that_matters():
    ranges = [
        {"name": "a", "low": 0.0, "high": 10.0, "integer": False},
        {"name": "b", "low": 0.0, "high": 1.0, "integer": False},
    ]
    problem = {"num_vars": 2, "names": ["a", "b"], "bounds": [[0, 10], [0, 1]]}
    x = morris_sample.sample(problem, 6, num_levels=4, seed=1)
    results = made_up(frame(len(x), a=x[:, 0], b=x[:, 1]), 2 * x[:, 0], "morris", ranges)
    found = analysis.morris_indices(results).set_index("parameter")
    assert found.loc["a", "mu_star"] == pytest.approx(20.0)  # 2 per unit x a range of 10
    assert found.loc["b", "mu_star"] == 0.0 and found.loc["a", "sigma"] == pytest.approx(0.0)


@pytest.fixture(scope="module")
def tiny_results(tmp_path_factory):
    folder = tmp_path_factory.mktemp("analysis")
    text = TINY.replace(
        'plan = ["none", "training"]', 'plan = ["none", "training"]\nbudget = 200.0'
    )
    run_sweep(load_sweep(write_spec(folder, text)), folder / "out", SerialExecutor())
    return folder / "out"


def test_a_real_sweep_analyzes_into_tables(tiny_results):
    means = analysis.outcome_means(tiny_results)
    assert set(means["factor"]) == {"negativity_bias", "plan", "budget"}
    assert (means["n"] == 4).all() or set(means["n"]) == {4, 8}
    plans = plan_effects.plan_comparison(tiny_results)
    spent = plans[plans["outcome"] == "final_mean_attitude"].set_index("plan")
    assert spent.loc["training", "expected_cost"] == pytest.approx(200.0)
    assert spent.loc["training", "difference"] > 0  # a training day lifts attitude
    weekly = analysis.series_means(tiny_results, "mean_attitude", by="plan")
    assert set(weekly["group"]) == {"none", "training"}
    assert sorted(weekly["week"].unique()) == list(range(13))
    with pytest.raises(AnalysisError, match="sobol indices need a sobol design"):
        analysis.sobol_indices(tiny_results)
    with pytest.raises(AnalysisError, match="no weekly series of 'share_negative'"):
        analysis.series_means(tiny_results, "share_negative")


def test_report_page_and_tables(tiny_results, tmp_path):
    page = write_report(tiny_results, tmp_path / "report")
    text = page.read_text()
    assert "Plans compared at equal budget" in text and "Outcomes by parameter value" in text
    assert text.count("Plotly.newPlot") >= 5  # plans, means and series figures
    assert len(re.findall(r"plotly\.js v\d", text)) == 1  # the library embedded once
    names = {p.name for p in (tmp_path / "report").glob("*.csv")}
    assert names == {
        "runs.csv",
        "outcome_means.csv",
        "plan_comparison.csv",
        "plan_effects.csv",
        "series_means.csv",
        "failures.csv",
    }
    assert len(pd.read_csv(tmp_path / "report" / "runs.csv")) == 8


def test_report_of_an_unfinished_sobol_sweep_says_what_is_missing(tmp_path):
    text = (
        'title = "s"\nseed = 2\nweeks = 4\n[design]\nkind = "sobol"\nsamples = 2\n'
        "[parameters]\nn_employees = 40\nboss_weight = { low = 0.5, high = 3.0 }\n"
        "drift_rate = { low = 0.0, high = 0.02 }\n"
    )
    sweep = load_sweep(write_spec(tmp_path, text))
    out = tmp_path / "out"
    run_sweep(sweep, out, SerialExecutor())
    assert not analysis.sobol_indices(out).empty
    (out / "runs" / "part-00000003.parquet").unlink()
    assert analysis.sobol_indices(out).empty  # a missing point: no indices, no wrong ones
    assert analysis.progress(out)["missing"] == 1
    page = write_report(out).read_text()
    assert "1 not yet run" in page and "need every point" in page


def test_cli_analyze(tiny_results):
    result = CliRunner().invoke(app, ["analyze", str(tiny_results)])
    assert result.exit_code == 0, result.output
    assert "8 runs ok, 0 failed, 0 missing" in said(result)
    assert (tiny_results / "report" / "index.html").stat().st_size > 100_000


def test_cli_analyze_of_a_folder_that_is_no_sweep(tmp_path):
    result = CliRunner().invoke(app, ["analyze", str(tmp_path)])
    assert result.exit_code == 2
    assert "not a sweep's results folder" in said(result)
