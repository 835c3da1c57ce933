"""The run-time estimate printed before a calibration starts."""

from __future__ import annotations

import textwrap

import pytest
from typer.testing import CliRunner

from eachcustomer.cli import app
from eachcustomer.experiments.calibration.budget import (
    EVALUATIONS_PER_PARTICLE,
    HIGH_EVALUATIONS_PER_PARTICLE,
    PYABC_SECONDS,
    estimate,
    probe,
)
from eachcustomer.experiments.calibration.targets import parse_targets

SMALL = """
title = "small"
seed = 3
[parameters]
n_employees = 30
[priors.base_churn]
distribution = "log_uniform"
low = 0.0005
high = 0.01
[targets.annual_customer_loss]
value = 0.15
tolerance = 0.05
replications = 2
[targets.mean_satisfaction]
value = 0.3
tolerance = 0.2
use = "check"
replications = 4
[abc]
population_size = 40
populations = 3
check_draws = 9
"""


@pytest.fixture
def calibration():
    import tomllib

    return parse_targets(tomllib.loads(textwrap.dedent(SMALL)))


def test_the_estimate_multiplies_evaluations_by_the_measured_cost(calibration):
    cost = estimate(calibration, 0.5, workers=2, population_size=10)
    assert cost.evaluations == round(10 * (1 + EVALUATIONS_PER_PARTICLE * 3))
    assert cost.evaluations_high == round(10 * (1 + HIGH_EVALUATIONS_PER_PARTICLE * 3))
    # The checks measure every target: 4 runs where the fit needs 2, so twice the cost.
    assert cost.checks_seconds == pytest.approx(10 * 0.5 * 2)
    cpu = cost.evaluations * (0.5 + PYABC_SECONDS) + cost.checks_seconds
    assert cost.minutes(cost.evaluations) == pytest.approx(cpu / min(2, cost.cores) / 60)
    assert f"about {cost.evaluations:,} evaluations" in cost.sentence()


def test_the_probe_measures_one_evaluation(calibration):
    seconds = probe(calibration)
    assert 0 < seconds < 60


def test_the_dry_run_prints_the_estimate(tmp_path):
    targets = tmp_path / "small.toml"
    targets.write_text(textwrap.dedent(SMALL), encoding="utf-8")
    result = CliRunner().invoke(
        app, ["calibrate", str(targets), "--out", str(tmp_path / "out"), "--dry-run"]
    )
    said = " ".join(result.output.split())
    assert result.exit_code == 0, result.output
    assert "Estimated cost: one evaluation takes" in said
    assert "about 304 evaluations" in said  # 40 x (1 + 2.2 x 3) = 304
    assert not (tmp_path / "out").exists()
