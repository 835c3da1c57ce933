"""The survey layer: Likert answers, the survey's own stream, attenuation, ICC(2), waves."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eachcustomer.experiments.calibration.statistics import Runs, unit_survey_satisfaction_r
from eachcustomer.experiments.firmdata.observe import UnitSurvey, observe_run
from eachcustomer.sim.interventions import Intervention
from eachcustomer.sim.model import OrgModel
from eachcustomer.sim.params import Params
from eachcustomer.sim.survey import (
    CustomerSurveyDesign,
    EmployeeSurveyDesign,
    intraclass_correlations,
    likert_answers,
    likert_to_attitude,
    net_promoter_score,
    survey_customers,
    survey_employees,
    unit_mean_reliability,
)


def test_answers_without_noise_fall_in_the_five_bins_of_the_attitude_scale():
    attitude = np.array([-0.9, -0.4, 0.0, 0.4, 0.9])
    answers = likert_answers(attitude, 3, 0.0, np.random.default_rng(0))
    np.testing.assert_array_equal(answers, np.repeat([[1], [2], [3], [4], [5]], 3, axis=1))
    np.testing.assert_allclose(likert_to_attitude(answers.mean(axis=1)), [-1, -0.5, 0, 0.5, 1])


def test_net_promoter_score_counts_nine_and_ten_against_zero_to_six():
    assert net_promoter_score(np.array([10, 9, 8, 7, 6, 0])) == pytest.approx(100 * (2 - 2) / 6)
    assert net_promoter_score(np.array([10, 9, 9, 3])) == pytest.approx(50.0)
    assert np.isnan(net_promoter_score(np.array([], dtype=int)))


def test_only_respondents_have_scores_and_the_rate_is_kept():
    scores = survey_employees(
        np.zeros(20_000), EmployeeSurveyDesign(response_rate=0.3), np.random.default_rng(1)
    )
    assert abs(np.mean(~np.isnan(scores)) - 0.3) < 0.01
    assert np.nanmin(scores) >= 1 and np.nanmax(scores) <= 5


def test_a_customer_survey_samples_only_active_customers_without_replacement():
    satisfaction = np.where(np.arange(100) < 10, 1.0, -1.0)
    active = np.arange(100) < 10
    ratings = survey_customers(
        satisfaction, active, CustomerSurveyDesign(50, 0.0), np.random.default_rng(2)
    )
    np.testing.assert_array_equal(ratings, np.full(10, 10))


def test_taking_surveys_leaves_the_run_as_it_is_alone():
    params = Params(n_employees=60)
    observed = observe_run(params, 5, waves={"a": 3, "b": 8}, periods=["p1", "p2"], period_weeks=5)
    alone = OrgModel(params, rng=5).run(10)
    pd.testing.assert_frame_equal(observed.series, alone)


def _units(rng, tau, sigma, size, count):
    """Individual values of `count` units: unit means N(0, tau^2), people N(mean, sigma^2)."""
    means = rng.normal(0.0, tau, count)
    return means, means[:, None] + rng.normal(0.0, sigma, (count, size))


def test_the_reliability_of_unit_means_follows_the_icc2_formula():
    rng = np.random.default_rng(3)
    tau, sigma, size = 0.15, 0.3, 20
    expected = tau**2 / (tau**2 + sigma**2 / size)  # 0.833
    found = []
    for _ in range(40):
        _, values = _units(rng, tau, sigma, size, 100)
        groups = np.repeat(np.arange(100), size)
        icc1, icc2 = intraclass_correlations(values.ravel(), groups)
        assert unit_mean_reliability(icc1, size) == pytest.approx(icc2)  # equal groups: exact
        found.append(icc2)
    assert np.mean(found) == pytest.approx(expected, abs=0.02)
    assert unit_mean_reliability(0.0, 25) == 0.0 and unit_mean_reliability(1.0, 25) == 1.0


def test_survey_noise_attenuates_a_unit_level_correlation_as_reliabilities_predict():
    rng = np.random.default_rng(4)
    design = EmployeeSurveyDesign(items=5, item_noise_sd=0.5, response_rate=0.6)
    customers = CustomerSurveyDesign(sample_size=20, answer_noise_sd=0.3)
    true_r, observed_r, predicted = [], [], []
    for _ in range(30):
        attitude_means, attitude = _units(rng, 0.12, 0.3, 25, 150)
        satisfaction_means = 0.5 * attitude_means + rng.normal(0.0, 0.1, 150)
        satisfaction = np.clip(satisfaction_means[:, None] + rng.normal(0, 0.4, (150, 200)), -1, 1)
        scores = np.array([survey_employees(a, design, rng) for a in attitude])
        ratings = np.array(
            [survey_customers(s, np.ones(200, bool), customers, rng) for s in satisfaction]
        )
        x, y = np.nanmean(scores, axis=1), ratings.mean(axis=1)
        groups = np.repeat(np.arange(150), 25)
        rel_x = intraclass_correlations(scores.ravel(), groups)[1]
        rel_y = intraclass_correlations(
            ratings.ravel().astype(float), np.repeat(np.arange(150), 20)
        )[1]
        r = np.corrcoef(attitude.mean(axis=1), satisfaction.mean(axis=1))[0, 1]
        true_r.append(r)
        observed_r.append(np.corrcoef(x, y)[0, 1])
        predicted.append(r * np.sqrt(rel_x * rel_y))
    assert np.mean(observed_r) < np.mean(true_r) - 0.1
    assert np.mean(observed_r) == pytest.approx(np.mean(predicted), abs=0.04)


def test_the_observed_statistic_is_the_correlation_of_the_survey_means():
    units = tuple(
        UnitSurvey(x, y, 0.0, 0.0) for x, y in [(0.1, 0.2), (0.2, 0.1), (0.3, 0.5), (0.4, 0.4)]
    )
    expected = np.corrcoef([0.1, 0.2, 0.3, 0.4], [0.2, 0.1, 0.5, 0.4])[0, 1]
    assert unit_survey_satisfaction_r(Runs(surveyed=units)) == pytest.approx(expected)
    assert np.isnan(unit_survey_satisfaction_r(Runs(surveyed=units[:2])))


def test_a_wave_after_a_training_day_sees_the_lift_a_wave_without_it_does_not():
    params = Params(n_employees=120)
    waves, periods = {"before": 9, "after": 12}, ["p1", "p2", "p3"]
    lifts = {}
    for name, plan in (
        ("trained", [Intervention(kind="training_day", start=10, strength=0.5)]),
        ("alone", []),
    ):
        changes = []
        for seed in (1, 2, 3):
            survey = observe_run(
                params, seed, waves=waves, periods=periods, period_weeks=4, interventions=plan
            ).survey
            means = survey.groupby("wave")["mean"].mean()
            changes.append(means["after"] - means["before"])
        lifts[name] = np.mean(changes)
    # A lift of strength 0.5 moves attitudes by about a third of the scale: over 0.3 points on 1-5.
    assert lifts["trained"] > 0.3
    assert abs(lifts["alone"]) < 0.1
