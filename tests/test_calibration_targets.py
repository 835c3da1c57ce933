"""Targets files: valid ones load, every mistake is named with the file and the key."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from eachcustomer.experiments.calibration import CalibrationError
from eachcustomer.experiments.calibration.target_checks import missing_outputs
from eachcustomer.experiments.calibration.targets import DEFAULT_PRIORS, load_targets

PUBLISHED = Path(__file__).resolve().parents[1] / "experiments" / "specs" / "published_targets.toml"

GOOD = """
title = "mine"
seed = 1
[parameters]
n_employees = 40
[priors.base_churn]
distribution = "log_uniform"
low = 0.0005
high = 0.01
[targets.annual_customer_loss]
value = 0.15
accepted = [0.08, 0.30]
[targets.sales_attitude]
statistic = "department_attitude"
department = "sales"
value = 0.1
tolerance = 0.05
use = "check"
"""


def write(tmp_path: Path, text: str, name: str = "targets.toml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def error_of(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, text)
    with pytest.raises(CalibrationError) as caught:
        load_targets(path)
    message = str(caught.value)
    assert str(path) in message
    return message


def test_a_good_file_loads_with_its_ranges_statistics_and_fixed_values(tmp_path):
    calibration = load_targets(write(tmp_path, GOOD))
    loss, sales = calibration.targets
    assert (loss.low, loss.value, loss.high) == (0.08, 0.15, 0.30)
    assert (sales.low, sales.high) == pytest.approx((0.05, 0.15))
    assert sales.statistic.name == "department_attitude" and sales.department == "sales"
    assert loss.replications == loss.statistic.replications
    assert [t.key for t in calibration.fitted] == ["annual_customer_loss"]
    assert [t.key for t in calibration.checked] == ["sales_attitude"]
    assert calibration.base["n_employees"] == 40
    assert list(calibration.priors) == ["base_churn"]


def test_without_priors_the_default_priors_are_fitted(tmp_path):
    text = GOOD.split("[priors.base_churn]")[0] + GOOD.split("high = 0.01")[1]
    assert load_targets(write(tmp_path, text)).priors == DEFAULT_PRIORS


def test_the_published_targets_file_is_valid():
    calibration = load_targets(PUBLISHED)
    assert {t.key for t in calibration.fitted} >= {
        "annual_customer_loss",
        "training_lift_retained_26w",
        "training_lift_retained_52w",
    }


MISTAKES = [
    ("[targets.annual_customer_loss]", "[targets.churn]", "targets.churn", "unknown statistic"),
    (
        "accepted = [0.08, 0.30]",
        "tolerance = -0.1",
        "targets.annual_customer_loss.tolerance",
        "greater than 0",
    ),
    (
        "accepted = [0.08, 0.30]",
        "tolerance = 0",
        "targets.annual_customer_loss.tolerance",
        "greater than 0",
    ),
    (
        "value = 0.15\naccepted = [0.08, 0.30]",
        "value = 1.5\ntolerance = 0.1",
        "targets.annual_customer_loss.value",
        "impossible",
    ),
    ("value = 0.15", "value = nan", "targets.annual_customer_loss.value", "finite number"),
    (
        "accepted = [0.08, 0.30]",
        "accepted = [0.2, 0.3]",
        "targets.annual_customer_loss.accepted",
        "strictly inside",
    ),
    ("accepted = [0.08, 0.30]", "", "targets.annual_customer_loss", "either tolerance"),
    (
        'department = "sales"',
        'department = "cafeteria"',
        "targets.sales_attitude.department",
        "no department",
    ),
    ('department = "sales"', "", "targets.sales_attitude", "needs department"),
    ("high = 0.01", "high = 0.5", "priors.base_churn", "allowed range"),
    ("low = 0.0005", "low = 0", "priors.base_churn", "low > 0"),
    ("[priors.base_churn]", "[priors.base_churm]", "priors.base_churm", "did you mean base_churn"),
    ("n_employees = 40", "n_employees = 40\nbase_churn = 0.002", "priors.base_churn", "also fixed"),
    ("n_employees = 40", "n_employees = 1", "parameters.n_employees", "greater than or equal"),
    ("n_employees = 40", "horizon_weeks = 50", "parameters.horizon_weeks", "cannot be set"),
    ("seed = 1", "", "seed", "Field required"),
    ('use = "check"', 'use = "maybe"', "targets.sales_attitude.use", "'fit' or 'check'"),
]
"""(text to replace in GOOD, its replacement, the key named, the problem named)."""


@pytest.mark.parametrize(("old", "new", "key", "problem"), MISTAKES)
def test_each_mistake_names_the_file_and_the_key(tmp_path, old, new, key, problem):
    assert old in GOOD
    message = error_of(tmp_path, GOOD.replace(old, new, 1))
    assert key in message
    assert problem in message


def test_a_correlation_above_one_is_impossible(tmp_path):
    message = error_of(
        tmp_path,
        GOOD + "[targets.unit_attitude_satisfaction_r]\nvalue = 1.2\ntolerance = 0.1\n",
    )
    assert "targets.unit_attitude_satisfaction_r.value" in message
    assert "[-1, 1]" in message


def test_priors_that_allow_an_invalid_combination_are_refused(tmp_path):
    # contagion_rate * negativity_bias must stay at most 1 at every corner of the priors.
    text = GOOD.replace("n_employees = 40", "n_employees = 40\ncontagion_rate = 0.3")
    text += "[priors.negativity_bias]\nlow = 1.5\nhigh = 4\n"
    message = error_of(tmp_path, text)
    assert "priors" in message and "contagion_rate * negativity_bias" in message


def test_an_integer_parameter_cannot_be_fitted(tmp_path):
    text = GOOD + "[priors.n_employees]\nlow = 10\nhigh = 20\n"
    assert "only real-valued" in error_of(tmp_path, text.replace("n_employees = 40", ""))


def test_a_file_with_only_check_targets_has_nothing_to_fit(tmp_path):
    text = GOOD.replace("accepted = [0.08, 0.30]", 'accepted = [0.08, 0.30]\nuse = "check"')
    assert "none has use" in error_of(tmp_path, text)


def test_invalid_toml_names_the_file(tmp_path):
    assert "not valid TOML" in error_of(tmp_path, "title = ")


def test_statistics_that_need_unrecorded_outputs_are_named(tmp_path):
    text = GOOD + "[targets.walkouts_per_bad_interaction]\nvalue = 0.17\naccepted = [0.06, 0.22]\n"
    calibration = load_targets(write(tmp_path, text))
    problems = missing_outputs(calibration, ("week", "customers_lost", "active_customers"))
    assert len(problems) == 2
    walkouts = next(p for p in problems if "walkouts_per_bad_interaction" in p)
    assert "walkouts, bad_interactions" in walkouts
    sales = next(p for p in problems if "sales_attitude" in p)
    assert "attitude_dept_sales" in sales
    full = ("customers_lost", "active_customers", "walkouts", "bad_interactions")
    assert missing_outputs(calibration, (*full, "attitude_dept_sales")) == []


def fake_calibration(folder: Path, **columns: list[float]) -> Path:
    """A calibration folder holding only a posterior (what drawing from it needs)."""
    import pandas as pd

    folder.mkdir()
    table = pd.DataFrame(columns)
    table["weight"] = 1.0 / len(table)
    table.to_parquet(folder / "posterior.parquet")
    (folder / "manifest.json").write_text("{}")
    return folder


def test_a_staged_file_fits_the_rest_and_fits_again_what_it_names_in_priors(tmp_path):
    fake_calibration(tmp_path / "earlier", base_churn=[0.001, 0.002])
    staged = GOOD.replace('title = "mine"', 'title = "mine"\nposterior = "earlier"')
    calibration = load_targets(
        write(tmp_path, staged.replace("[priors.base_churn]", "[priors.dissatisfied_churn]"))
    )
    assert calibration.drawn_from is not None
    assert calibration.drawn_from.parameters == ("base_churn",)
    # A prior on a drawn parameter fits it again: the data inform it; it is drawn no more.
    again = load_targets(write(tmp_path, staged))
    assert "base_churn" in again.priors
    assert again.drawn_from is not None and again.drawn_from.parameters == ()
    fixed = staged.replace("[priors.base_churn]", "[priors.dissatisfied_churn]").replace(
        "n_employees = 40", "n_employees = 40\nbase_churn = 0.002"
    )
    assert "parameters.base_churn: drawn from the posterior" in error_of(tmp_path, fixed)
    without_priors = staged.split("[priors.base_churn]")[0] + staged.split("high = 0.01")[1]
    assert "base_churn" not in load_targets(write(tmp_path, without_priors)).priors


def test_a_staged_file_names_a_missing_or_outside_calibration(tmp_path):
    missing = GOOD.replace('title = "mine"', 'title = "mine"\nposterior = "nowhere"')
    assert "posterior: " in error_of(tmp_path, missing)
    assert "neither a calibration folder nor a built-in one" in error_of(tmp_path, missing)
    builtin = GOOD.replace('title = "mine"', 'title = "mine"\nposterior = "published_units"')
    assert load_targets(write(tmp_path, builtin)).drawn_from is not None
    outside = GOOD.replace('title = "mine"', 'title = "mine"\nposterior = "../x"')
    assert "outside the folder" in error_of(tmp_path, outside)
