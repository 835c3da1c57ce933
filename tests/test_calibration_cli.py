"""`eachcustomer calibrate` end to end on a tiny problem, and runs and sweeps drawing from it."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from eachcustomer.cli import app
from eachcustomer.experiments.calibration import CalibrationError
from eachcustomer.experiments.calibration.posterior import (
    Posterior,
    draw_many,
    draw_parameters,
    load_posterior,
)
from eachcustomer.experiments.calibration.runner import calibrate
from eachcustomer.experiments.calibration.targets import load_targets
from eachcustomer.experiments.loading.sweeps import load_sweep

runner = CliRunner()


def said(result) -> str:
    """What the command printed, with rich's line wrapping undone."""
    return " ".join(result.output.split())


TINY = """
title = "tiny"
seed = 11
[parameters]
n_employees = 20
customers_per_employee = 6
[priors.base_churn]
distribution = "log_uniform"
low = 0.0005
high = 0.01
[priors.loss_on_very_bad]
low = 0.0
high = 1.0
[targets.annual_customer_loss]
value = 0.15
accepted = [0.08, 0.30]
replications = 1
[targets.mean_satisfaction]
value = 0.3
tolerance = 0.2
use = "check"
replications = 1
[abc]
population_size = 12
populations = 2
min_epsilon = 0  # run both populations however close the first one gets
check_draws = 3
"""


@pytest.fixture(scope="module")
def calibrated(tmp_path_factory) -> tuple[Path, Path]:
    """The tiny problem calibrated through the command line on two worker processes."""
    folder = tmp_path_factory.mktemp("calibration")
    targets = folder / "tiny.toml"
    targets.write_text(textwrap.dedent(TINY), encoding="utf-8")
    out = folder / "out"
    result = runner.invoke(app, ["calibrate", str(targets), "--out", str(out), "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert "annual_customer_loss" in said(result)
    return targets, out


def test_calibrate_writes_the_posterior_diagnostics_and_summary(calibrated):
    _, out = calibrated
    for name in (
        "posterior.parquet",
        "populations.parquet",
        "diagnostics.csv",
        "target_diagnostics.csv",
        "targets.csv",
        "parameters.csv",
        "checks.parquet",
        "summary.html",
        "abc_history.db",
        "manifest.json",
    ):
        assert (out / name).is_file(), name
    assert not list(out.glob(".*")), "no temporary files are left"
    posterior = pd.read_parquet(out / "posterior.parquet")
    assert list(posterior.columns) == ["base_churn", "loss_on_very_bad", "weight", "distance"]
    assert len(posterior) == 12
    assert posterior["weight"].sum() == pytest.approx(1.0)
    assert posterior["base_churn"].between(0.0005, 0.01).all()
    diagnostics = pd.read_csv(out / "diagnostics.csv")
    assert list(diagnostics["population"]) == [0, 1]
    assert (diagnostics["epsilon"].diff().dropna() <= 0).all()
    assert diagnostics["acceptance_rate"].between(0, 1).all()
    assert (diagnostics["effective_sample_size"] <= 12 + 1e-9).all()
    targets = pd.read_csv(out / "targets.csv").set_index("target")
    assert targets.loc["mean_satisfaction", "use"] == "check"
    assert not np.isnan(targets.loc["annual_customer_loss", "before"])
    checks = pd.read_parquet(out / "checks.parquet")
    assert list(checks["draw"]) == [-1, 0, 1, 2]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 11 and manifest["fit_targets"] == ["annual_customer_loss"]
    assert manifest["evaluations"] == int(diagnostics["evaluations"].sum()) + 12
    assert manifest["runs_per_evaluation"] == {
        "organization": 1,
        "training": 0,
        "units": 0,
        "surveyed_units": 0,
        "practices": 0,
        "observed": 0,
    }
    assert "plotly" in (out / "summary.html").read_text()


def test_the_posterior_does_not_depend_on_the_number_of_workers(calibrated, tmp_path):
    targets, out = calibrated
    again = calibrate(load_targets(targets), tmp_path / "again", workers=1)
    assert again["evaluations"] == json.loads((out / "manifest.json").read_text())["evaluations"]
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "again" / "posterior.parquet"),
        pd.read_parquet(out / "posterior.parquet"),
    )


def test_a_folder_with_a_calibration_is_not_overwritten(calibrated):
    targets, out = calibrated
    result = runner.invoke(app, ["calibrate", str(targets), "--out", str(out)])
    assert result.exit_code == 2
    assert "already holds a calibration" in said(result)
    assert "Traceback" not in result.output


def test_a_bad_targets_file_is_an_error_naming_the_key_and_nothing_is_written(tmp_path):
    targets = tmp_path / "bad.toml"
    targets.write_text(textwrap.dedent(TINY).replace("value = 0.15", "value = -0.2"))
    result = runner.invoke(app, ["calibrate", str(targets), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "targets.annual_customer_loss.value" in said(result)
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_statistics_the_model_cannot_measure_are_refused_before_anything_runs(
    tmp_path, monkeypatch
):
    # A model that records no walk-outs (as before they were added to the outputs).
    monkeypatch.setattr(
        "eachcustomer.experiments.calibration.runner.model_columns", lambda calibration: ("week",)
    )
    targets = tmp_path / "tiny.toml"
    targets.write_text(textwrap.dedent(TINY))
    result = runner.invoke(app, ["calibrate", str(targets), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "targets.annual_customer_loss: annual_customer_loss needs the weekly outputs" in said(
        result
    )
    assert "does not record" in said(result)
    assert not (tmp_path / "out").exists()


def test_dask_options_cannot_be_combined(tmp_path):
    result = runner.invoke(
        app,
        ["calibrate", "x.toml", "--out", str(tmp_path), "--dask-local", "--dask-scheduler", "a"],
    )
    assert result.exit_code == 2
    assert "choose one" in said(result)


def test_dry_run_says_what_one_evaluation_runs_and_writes_nothing(tmp_path):
    targets = tmp_path / "tiny.toml"
    targets.write_text(textwrap.dedent(TINY))
    result = runner.invoke(
        app, ["calibrate", str(targets), "--out", str(tmp_path / "out"), "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    assert "1 organization runs" in said(result)
    assert not (tmp_path / "out").exists()


# --- drawing from the posterior ---------------------------------------------------------


def posterior_of(weights: list[float]) -> Posterior:
    table = pd.DataFrame({"base_churn": [0.001 * (i + 1) for i in range(len(weights))]})
    table["weight"] = weights
    return Posterior(Path("."), table, ("base_churn",), "")


def test_draws_are_reproduced_by_their_seed_and_follow_the_weights():
    posterior = posterior_of([0.25, 0.75])
    assert draw_parameters(posterior, 3) == draw_parameters(posterior, 3)
    draws = [d["base_churn"] for d in draw_many(posterior, 1, 2000)]
    share = np.mean(np.isclose(draws, 0.002))
    assert abs(share - 0.75) < 4 * np.sqrt(0.75 * 0.25 / 2000)
    assert draw_many(posterior, 1, 5) == draw_many(posterior, 1, 8)[:5]
    assert {draw_parameters(posterior_of([0.0, 1.0]), s)["base_churn"] for s in range(20)} == {
        0.002
    }


def test_run_with_a_posterior_draws_the_same_parameters_for_the_same_seed(calibrated):
    _, out = calibrated
    outputs = [
        runner.invoke(
            app,
            [
                "run",
                "--steps",
                "3",
                "--employees",
                "20",
                "--seed",
                str(seed),
                "--posterior",
                str(out),
            ],
        ).output
        for seed in (4, 4, 5)
    ]
    drawn = [line for output in outputs for line in output.splitlines() if "drawn from" in line]
    assert len(drawn) == 3 and drawn[0] == drawn[1]
    expected = draw_parameters(load_posterior(out), 4)
    assert f"base_churn = {expected['base_churn']:.4g}" in " ".join(outputs[0].split())


def test_a_sweep_draws_one_parameter_set_per_replication_shared_by_its_arms(calibrated, tmp_path):
    _, out = calibrated
    spec = tmp_path / "spec.toml"
    spec.write_text(
        textwrap.dedent(
            """
            title = "with a posterior"
            seed = 3
            replications = 3
            weeks = 4
            posterior = "calibration"
            [parameters]
            n_employees = 20
            negativity_bias = [1, 2]
            """
        )
    )
    shutil.copytree(out, tmp_path / "calibration")
    sweep = load_sweep(spec)
    design = sweep.design()
    assert {"base_churn", "loss_on_very_bad"} <= set(design.columns)
    per_replication = design.groupby("replication")["base_churn"].nunique()
    assert (per_replication == 1).all()
    posterior = load_posterior(out)
    for replication, seed in enumerate(sweep.replication_seeds()):
        row = design[design["replication"] == replication].iloc[0]
        assert row["base_churn"] == draw_parameters(posterior, seed)["base_churn"]
    assert sweep.identity()["posterior_sha256"] == posterior.digest


def test_a_sweep_cannot_both_set_and_draw_a_parameter(calibrated, tmp_path):
    _, out = calibrated
    spec = tmp_path / "spec.toml"
    spec.write_text('title = "x"\nseed = 1\n[parameters]\nbase_churn = 0.002\n')
    result = runner.invoke(
        app, ["sweep", str(spec), "--out", str(tmp_path / "o"), "--posterior", str(out)]
    )
    assert result.exit_code == 2
    assert "parameters.base_churn: drawn from the posterior" in said(result)


def test_a_posterior_outside_the_spec_folder_or_missing_is_refused(tmp_path):
    spec = tmp_path / "spec.toml"
    spec.write_text('title = "x"\nseed = 1\nposterior = "../elsewhere"\n')
    with pytest.raises(Exception, match="outside the folder"):
        load_sweep(spec)
    with pytest.raises(CalibrationError, match="no such calibration folder"):
        load_posterior(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(CalibrationError, match="not a finished calibration"):
        load_posterior(tmp_path / "empty")


def test_a_staged_calibration_records_the_earlier_parameters_each_particle_ran_with(
    calibrated, tmp_path
):
    _, out = calibrated
    shutil.copytree(out, tmp_path / "stage1")
    targets = tmp_path / "stage2.toml"
    targets.write_text(
        textwrap.dedent(
            """
            title = "stage 2"
            seed = 5
            posterior = "stage1"
            [parameters]
            n_employees = 20
            customers_per_employee = 6
            [priors.dissatisfied_churn]
            low = 0.001
            high = 0.05
            [targets.mean_satisfaction]
            value = 0.3
            tolerance = 0.2
            replications = 1
            [abc]
            population_size = 6
            populations = 1
            check_draws = 1
            """
        )
    )
    manifest = calibrate(load_targets(targets), tmp_path / "stage2", workers=1)
    assert manifest["drawn_from"]["parameters"] == ["base_churn", "loss_on_very_bad"]
    staged = pd.read_parquet(tmp_path / "stage2" / "posterior.parquet")
    assert list(staged.columns) == [
        "dissatisfied_churn",
        "base_churn",
        "loss_on_very_bad",
        "weight",
        "distance",
    ]
    earlier = pd.read_parquet(out / "posterior.parquet")
    pairs = set(zip(earlier["base_churn"], earlier["loss_on_very_bad"], strict=True))
    assert set(zip(staged["base_churn"], staged["loss_on_very_bad"], strict=True)) <= pairs


def test_a_dask_cluster_gives_the_same_posterior_as_this_process(calibrated, tmp_path):
    distributed = pytest.importorskip("distributed")
    targets, _ = calibrated
    calibration = load_targets(targets)
    small = {"populations": 1, "population_size": 6}
    calibrate(calibration, tmp_path / "here", workers=1, **small)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, host="127.0.0.1"
    ) as cluster:
        calibrate(calibration, tmp_path / "dask", dask_scheduler=cluster.scheduler_address, **small)
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "dask" / "posterior.parquet"),
        pd.read_parquet(tmp_path / "here" / "posterior.parquet"),
    )
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "dask" / "checks.parquet"),
        pd.read_parquet(tmp_path / "here" / "checks.parquet"),
    )
