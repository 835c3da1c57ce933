"""The Compare page's numbers: its bands, net revenue and the verdict at the boundary."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from eachcustomer.dashboard.compare.comparison import outcome_series, run_comparison
from eachcustomer.dashboard.compare.verdict import (
    OUTCOME_BY_COLUMN,
    against_reference,
    outcome_verdict,
)
from eachcustomer.dashboard.settings import default_settings
from eachcustomer.experiments.loading.scenario_files import load_scenario
from eachcustomer.experiments.running.runs import run_model, summarize

SMALL = {"n_employees": 80, "horizon_weeks": 40}


@pytest.fixture(scope="module")
def comparison():
    settings = {**default_settings("baseline"), "seed": 5, "overrides": SMALL}
    result = run_comparison(settings, ["plan:none", "plan:training_day"], 4, "as specified")
    assert result["error"] is None
    return result


def test_a_band_is_the_t_interval_over_replications_every_week(comparison):
    band = comparison["bands"]["mean_satisfaction"]["One-off training day"]
    finals = np.array(comparison["finals"]["mean_satisfaction"]["One-off training day"])
    half = stats.t.ppf(0.975, 3) * finals.std(ddof=1) / 2  # n = 4
    assert band["mean"][-1] == pytest.approx(finals.mean(), abs=1e-6)
    assert (band["high"][-1] - band["low"][-1]) / 2 == pytest.approx(half, abs=1e-6)


def test_net_revenue_is_revenue_of_the_weeks_minus_all_spend():
    setup = load_scenario("training_day", employees=60)
    result = run_model(setup.params, 3, interventions=setup.interventions, weeks=30)
    series = result.series
    assert series["intervention_spend_total"].iloc[-1] > 0
    shown = outcome_series(series)["net_revenue"].to_numpy()
    expected = series["revenue"].iloc[1:].cumsum() - series["intervention_spend_total"].iloc[1:]
    np.testing.assert_allclose(shown[1:], expected.to_numpy())
    assert shown[0] == 0.0
    assert shown[-1] == pytest.approx(summarize(series)["net_revenue"])


def verdict_for(gap: float) -> dict:
    """Two plans whose paired differences are gap + (-1, 0, +1) x 0.01: an interval of
    half-width t(0.975, 2) * 0.01 / sqrt(3) around `gap`."""
    base = np.array([0.30, 0.10, 0.20])
    other = base + gap + np.array([-0.01, 0.0, 0.01])
    return outcome_verdict(OUTCOME_BY_COLUMN["mean_satisfaction"], {"a": other, "b": base}, 52)


HALF = stats.t.ppf(0.975, 2) * 0.01 / np.sqrt(3)


def test_the_verdict_is_clear_only_when_the_interval_leaves_zero():
    inside = verdict_for(0.9 * HALF)  # the interval straddles zero
    assert not inside["clear"] and inside["low"] < 0 < inside["high"]
    assert "too close to call" in inside["text"]
    outside = verdict_for(1.1 * HALF)
    assert outside["clear"] and outside["low"] > 0 and "a wins" in outside["text"]


def test_each_plan_is_stated_against_doing_nothing():
    finals = {"nothing": [0.1, 0.2, 0.3], "up": [0.2, 0.31, 0.39], "same": [0.1, 0.21, 0.29]}
    line = against_reference(OUTCOME_BY_COLUMN["mean_satisfaction"], finals, "nothing")
    assert set(line["effects"]) == {"up", "same"}
    assert line["effects"]["up"]["difference"] == pytest.approx(0.1)
    assert "up +0.100 (better" in line["text"] and "same +0.000 (no clear effect" in line["text"]
    lost = against_reference(
        OUTCOME_BY_COLUMN["customers_lost_total"], {"n": [10, 12, 11], "p": [14, 16, 15]}, "n"
    )
    assert "(worse" in lost["text"]


def test_batched_replications_give_each_run_its_numbers_alone(comparison):
    from eachcustomer.dashboard.settings import build_setup, normalize

    settings = normalize({**default_settings("baseline"), "seed": 5, "overrides": SMALL})
    setup = build_setup(settings)
    nothing = comparison["finals"]["mean_attitude"][comparison["reference"]]
    for seed, final in zip(comparison["seeds"], nothing, strict=True):
        alone = run_model(setup.params, int(seed), org=setup.org, individuals=setup.individuals)
        assert final == alone.record["final_mean_attitude"]
    assert len(set(nothing)) == 4
