"""The label of a calibration's last population, the predictive check, and what the
command line says when the posterior is not usable."""

from __future__ import annotations

import json
import textwrap

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from eachcustomer.cli import app
from eachcustomer.experiments.calibration.posterior import read_manifest
from eachcustomer.experiments.calibration.statistics import STATISTICS
from eachcustomer.experiments.calibration.target_spec import Target
from eachcustomer.experiments.calibration.verdict import (
    ESS_SHARE,
    NOT_USABLE,
    USABLE,
    WARNING_FILE,
    folder_warning,
    judge,
    predictive_check,
    verdict_of,
)
from eachcustomer.experiments.loading import catalogue


def populations(ess: float, epsilon: float, particles: int = 60) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "population": [0, 1],
            "epsilon": [3.0, epsilon],
            "particles": [particles, particles],
            "evaluations": [120, 300],
            "acceptance_rate": [0.5, particles / 300],
            "effective_sample_size": [particles, ess],
        }
    )


def test_a_collapsed_effective_sample_size_is_not_a_posterior():
    verdict = judge(populations(ess=1.25, epsilon=0.9))
    assert verdict.label == NOT_USABLE and not verdict.usable
    assert "effective sample size fell to 1.25 of 60" in verdict.warning()
    assert verdict.acceptance_rate == pytest.approx(0.2)


def test_the_ess_rule_sits_at_the_stated_share():
    edge = ESS_SHARE * 60
    assert judge(populations(ess=edge, epsilon=1.0)).label == USABLE
    assert judge(populations(ess=edge - 0.01, epsilon=1.0)).label == NOT_USABLE


def test_a_tolerance_not_reached_is_not_a_posterior():
    verdict = judge(populations(ess=50, epsilon=1.3))
    assert not verdict.usable
    assert "final epsilon 1.3 did not reach 1" in verdict.warning()
    assert judge(populations(ess=50, epsilon=0.7)).warning() == ""


def target(key: str, value: float) -> Target:
    statistic = STATISTICS["annual_customer_loss"]
    return Target(key, statistic, value, value - 0.05, value + 0.05, "", "fit", 2, None)


def test_the_predictive_check_places_the_observed_value_in_the_draws():
    checks = pd.DataFrame({"draw": [-1, *range(100)], "a": [9.0, *np.linspace(0, 1, 100)]})
    checks["b"] = checks["a"]
    table = predictive_check((target("a", 0.5), target("b", 0.99)), checks).set_index("target")
    assert table.loc["a", "inside"] and not table.loc["b", "inside"]
    assert table.loc["a", "model_q05"] == pytest.approx(0.05)
    assert table.loc["a", "draws"] == 100  # the "before" row (-1) is not a posterior draw


@pytest.mark.parametrize("name", ["published", "published_units", "published_levers"])
def test_shipped_calibrations_without_a_recorded_verdict_are_judged_from_their_diagnostics(name):
    folder = catalogue.resolve("posterior", name, ValueError)
    per_population = pd.read_csv(folder / "diagnostics.csv")
    verdict = verdict_of(read_manifest(folder), per_population)
    last = per_population.iloc[-1]
    assert verdict.effective_sample_size == pytest.approx(last["effective_sample_size"])
    expected = last["effective_sample_size"] >= ESS_SHARE * last["particles"] and (
        last["epsilon"] <= 1
    )
    assert verdict.usable == expected
    assert (folder_warning(folder) == "") == expected


IMPOSSIBLE = """
title = "impossible"
seed = 5
[parameters]
n_employees = 20
customers_per_employee = 6
[priors.base_churn]
distribution = "log_uniform"
low = 0.0005
high = 0.01
[targets.annual_customer_loss]
value = 0.15
tolerance = 0.00001
replications = 1
[abc]
population_size = 6
populations = 1
check_draws = 2
"""


def test_an_unreachable_tolerance_is_labelled_in_the_folder_and_the_command_line(tmp_path):
    targets = tmp_path / "impossible.toml"
    targets.write_text(textwrap.dedent(IMPOSSIBLE), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["calibrate", str(targets), "--out", str(out), "--workers", "1"]
    )
    said = " ".join(result.output.split())
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert "WARNING: this is not a usable posterior" in said
    assert "did not reach 1" in said
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["verdict"]["label"] == NOT_USABLE
    assert (out / WARNING_FILE).is_file()
    assert NOT_USABLE.upper() in (out / "summary.html").read_text()
    ran = CliRunner().invoke(app, ["run", "--posterior", str(out), "--steps", "2"])
    assert ran.exit_code == 0, ran.output
    assert "not a usable posterior" in " ".join(ran.output.split())
    check = pd.read_csv(out / "predictive_check.csv")
    assert list(check["target"]) == ["annual_customer_loss"] and list(check["draws"]) == [2]
