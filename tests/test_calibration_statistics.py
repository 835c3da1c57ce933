"""Each statistic on hand-made outputs with exact values, and on tiny models by property."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from eachcustomer.experiments.calibration.fit import UNDEFINED_DISTANCE, TargetDistance
from eachcustomer.experiments.calibration.simulate import Request, RunCounts, Simulator, run_seeds
from eachcustomer.experiments.calibration.statistics import (
    STATISTICS,
    TRAINING_WEEK,
    OrganizationRun,
    Runs,
    training_lift,
)
from eachcustomer.experiments.calibration.target_spec import Target
from eachcustomer.sim.params import Params

OFF = {
    "encounter_impact": 0.0,
    "contagion_rate": 0.0,
    "drift_rate": 0.0,
    "turnover_rate": 0.0,
    "lasting_share": 0.0,
}
"""Nothing moves attitudes but the training day and the pull toward one's disposition (and
the lift leaves dispositions alone: lasting learning is tested in
tests/test_calibration_mechanisms.py)."""


def weekly(**columns: object) -> pd.DataFrame:
    """105 weeks (0..104) of outputs; each column a constant or a function of the week."""
    weeks = np.arange(105)
    table = {"week": weeks}
    for name, value in columns.items():
        table[name] = np.array([value(w) if callable(value) else value for w in weeks], float)
    return pd.DataFrame(table)


def organization(series: pd.DataFrame, employees: int = 10) -> Runs:
    return Runs(baseline=(OrganizationRun(series, employees),))


def measure(name: str, runs: Runs, option: str | None = None) -> float:
    return STATISTICS[name].measure(runs, option)


def test_annual_customer_loss_is_the_years_losses_over_the_base_before_it():
    # 200 active at week 52, one customer lost each week of weeks 53..104: 52 / 200.
    series = weekly(
        active_customers=lambda w: 200 if w == 52 else 999,
        customers_lost=lambda w: 1 if w > 52 else 50,
    )
    assert measure("annual_customer_loss", organization(series)) == pytest.approx(52 / 200)


def test_walkouts_complaints_and_turnover_are_ratios_over_the_measured_year():
    series = weekly(
        walkouts=lambda w: 2 if w > 52 else 100,
        bad_interactions=lambda w: 8 if w > 52 else 1,
        complaints=3,
        contacts=12,
        active_customers=50,
        hires=lambda w: 1 if w in (60, 70, 80) else 0,
    )
    runs = organization(series, employees=30)
    assert measure("walkouts_per_bad_interaction", runs) == pytest.approx(0.25)
    assert measure("complaints_per_contact", runs) == pytest.approx(0.25)
    assert measure("complaints_per_customer_year", runs) == pytest.approx(3 * 52 / 50)
    assert measure("annual_staff_turnover", runs) == pytest.approx(3 / 30)


def test_window_means_and_department_attitude_average_weeks_53_to_104_and_runs():
    first = weekly(
        net_promoter_score=lambda w: 10.0 if w > 52 else -90.0, attitude_dept_customer_service=0.2
    )
    second = weekly(net_promoter_score=20.0, attitude_dept_customer_service=-0.4)
    runs = Runs(baseline=(OrganizationRun(first, 5), OrganizationRun(second, 5)))
    assert measure("net_promoter_score", runs) == pytest.approx(15.0)
    assert measure("department_attitude", runs, "customer service") == pytest.approx(-0.1)


def history(lift_at: dict[int, float], employees: int = 3) -> np.ndarray:
    """Attitudes of `employees` over 105 weeks: `lift_at[w]` from week w on."""
    attitude = np.zeros((105, employees))
    for week, value in sorted(lift_at.items()):
        attitude[week:] = value
    return attitude


def test_training_lift_keeps_only_employees_present_since_the_training_day():
    in_post = np.array([104, 104, 10])  # the third was hired after the training day
    base = OrganizationRun(weekly(), 3, history({}), in_post)
    trained_attitude = history(
        {TRAINING_WEEK: 0.4, TRAINING_WEEK + 26: 0.2, TRAINING_WEEK + 52: 0.1}
    )
    trained_attitude[:, 2] = 5.0  # a replacement's attitude must not count
    trained = OrganizationRun(weekly(), 3, trained_attitude, in_post)
    runs = Runs(baseline=(base,), trained=(trained,))
    assert training_lift(runs, 26) == pytest.approx(0.5)
    assert training_lift(runs, 52) == pytest.approx(0.25)
    assert measure("training_lift_retained_26w", runs) == pytest.approx(0.5)


def test_unit_correlation_is_pearson_r_over_units():
    def unit(x: float, y: float) -> pd.DataFrame:
        return weekly(mean_attitude=x, mean_satisfaction=y)

    rising = Runs(units=tuple(unit(x, 2 * x + 0.1) for x in (0.1, 0.2, 0.4, 0.3)))
    falling = Runs(units=tuple(unit(x, -x) for x in (0.1, 0.2, 0.4)))
    assert measure("unit_attitude_satisfaction_r", rising) == pytest.approx(1.0)
    assert measure("unit_attitude_satisfaction_r", falling) == pytest.approx(-1.0)
    assert math.isnan(measure("unit_attitude_satisfaction_r", Runs(units=rising.units[:2])))


def simulator(params: Params, *requests: Request, unit_employees: int = 12) -> Simulator:
    return Simulator(
        base=params.model_dump(),
        org=None,
        interventions=(),
        requests=requests,
        seed=7,
        unit_employees=unit_employees,
    )


@pytest.mark.parametrize("pull", [0.0, 0.02])
def test_training_lift_fades_exactly_by_the_disposition_pull_when_nothing_else_moves(pull):
    # With encounters, contagion, drift and turnover off, only the pull moves attitudes:
    # the lift shrinks by (1 - pull) a week, and the ratio is 1 without a pull.
    params = Params(n_employees=20, customers_per_employee=2, disposition_pull=pull, **OFF)
    values = simulator(
        params,
        Request("r26", "training_lift_retained_26w", 1),
        Request("r52", "training_lift_retained_52w", 1),
    )({})
    assert values["r26"] == pytest.approx((1 - pull) ** 26, rel=1e-5)
    assert values["r52"] == pytest.approx((1 - pull) ** 52, rel=1e-5)


def test_a_stronger_disposition_pull_keeps_less_of_the_lift_in_the_full_model():
    def retained(pull: float) -> float:
        params = Params(n_employees=60, disposition_pull=pull)
        return simulator(params, Request("r", "training_lift_retained_26w", 2))({})["r"]

    weak, strong = retained(0.01), retained(0.08)
    assert weak - strong > 0.3  # (0.99^26 = 0.77 against 0.92^26 = 0.11 for the pull alone)


def test_the_same_parameter_values_get_the_same_runs_and_others_get_other_luck():
    params = Params(n_employees=30, customers_per_employee=4)
    model = simulator(params, Request("loss", "annual_customer_loss", 2))
    assert model({"base_churn": 0.002}) == model({"base_churn": 0.002})
    assert run_seeds(7, {"base_churn": 0.002}, "abc:organization", 2) != run_seeds(
        7, {"base_churn": 0.0020001}, "abc:organization", 2
    )
    assert run_seeds(7, {"a": 0.1}, "abc:units", 3)[:2] == run_seeds(7, {"a": 0.1}, "abc:units", 2)


def test_requests_share_runs_by_kind():
    counts = RunCounts.of(
        (
            Request("a", "annual_customer_loss", 3),
            Request("b", "net_promoter_score", 1),
            Request("c", "training_lift_retained_26w", 2),
            Request("d", "unit_attitude_satisfaction_r", 50),
        )
    )
    assert (counts.organization, counts.training, counts.units, counts.baseline) == (3, 2, 50, 3)
    assert counts.weeks(unit_employees=25, employees=100) == (5 * 100 + 50 * 25) * 104


def test_units_are_small_organizations_of_their_own_size():
    params = Params(n_employees=500, customers_per_employee=3)
    model = simulator(params, Request("r", "unit_attitude_satisfaction_r", 4), unit_employees=15)
    runs = model.runs(params, {})
    assert len(runs.units) == 4 and not runs.baseline
    r = model({})["r"]
    assert -1.0 <= r <= 1.0


def target(value: float, low: float, high: float) -> Target:
    return Target("t", STATISTICS["annual_customer_loss"], value, low, high, "", "fit", 1, None)


def test_deviations_are_scaled_by_the_accepted_range_on_their_side():
    loss = target(0.15, 0.08, 0.30)
    assert loss.scaled_deviation(0.30) == pytest.approx(1.0)
    assert loss.scaled_deviation(0.08) == pytest.approx(-1.0)
    assert loss.scaled_deviation(0.225) == pytest.approx(0.5)
    assert loss.scaled_deviation(0.115) == pytest.approx(-0.5)
    other = Target("u", STATISTICS["mean_satisfaction"], 0.0, -0.1, 0.1, "", "fit", 1, None)
    distance = TargetDistance((loss, other))
    assert distance({"t": 0.225, "u": -0.08}) == pytest.approx(0.8)
    assert distance({"t": 0.15, "u": float("nan")}) == UNDEFINED_DISTANCE


def test_priors_are_sampled_as_logistic_variables_the_exact_image_of_the_uniform_prior():
    from scipy.stats import logistic

    from eachcustomer.experiments.calibration.target_spec import Prior

    uniform = Prior(low=-0.8, high=0.0)
    log_uniform = Prior(distribution="log_uniform", low=0.001, high=0.1)
    for q in (0.1, 0.5, 0.9):
        z = logistic.ppf(q)
        assert uniform.from_sampler(z) == pytest.approx(-0.8 + 0.8 * q)
        assert log_uniform.from_sampler(z) == pytest.approx(10 ** (-3 + 2 * q))
    assert log_uniform.from_sampler(log_uniform.to_sampler(0.02)) == pytest.approx(0.02)
    assert uniform.from_sampler(-1e6) == -0.8 and uniform.from_sampler(1e6) == 0.0


def in_year(series: pd.DataFrame) -> pd.DataFrame:
    """The measured year's rows, selected in pandas (as the statistics once did)."""
    return series[(series["week"] >= 53) & (series["week"] <= 104)]


PANDAS_STATISTICS = {
    "annual_customer_loss": lambda s: (
        in_year(s)["customers_lost"].sum() / s.loc[s["week"] == 52, "active_customers"].iloc[0]
    ),
    "annual_attitude_change": lambda s: (
        s.set_index("week")["mean_attitude"].loc[104] - s.set_index("week")["mean_attitude"].loc[52]
    ),
    "walkouts_per_bad_interaction": lambda s: (
        in_year(s)["walkouts"].sum() / in_year(s)["bad_interactions"].sum()
    ),
    "complaints_per_contact": lambda s: (
        in_year(s)["complaints"].sum() / in_year(s)["contacts"].sum()
    ),
    "complaints_per_customer_year": lambda s: (
        in_year(s)["complaints"].sum() / in_year(s)["active_customers"].mean()
    ),
    "net_promoter_score": lambda s: in_year(s)["net_promoter_score"].mean(),
    "mean_satisfaction": lambda s: in_year(s)["mean_satisfaction"].mean(),
    "mean_attitude": lambda s: in_year(s)["mean_attitude"].mean(),
    "share_negative_employees": lambda s: in_year(s)["share_negative"].mean(),
    "annual_staff_turnover": lambda s: in_year(s)["hires"].sum() / 30,
}
"""Each organization-level statistic of one run, as pandas computed it from the table."""


def test_statistics_of_the_runs_arrays_are_those_pandas_took_from_their_tables():
    from eachcustomer.experiments.running.runs import run_replications
    from eachcustomer.sim.replications import replication_seeds

    params = Params(n_employees=30, customers_per_employee=4)
    [results] = run_replications(params, replication_seeds(3, 5), weeks=104).values()
    tables = [result.series for result in results]
    for name, per_run in PANDAS_STATISTICS.items():
        for result, table in zip(results, tables, strict=True):
            expected = float(per_run(table))
            assert measure(name, Runs(baseline=(OrganizationRun(result, 30),))) == expected, name
    # The units' correlation and the practices': the same bits as from the tables.
    x = np.array([in_year(t)["mean_attitude"].mean() for t in tables])
    y = np.array([in_year(t)["mean_satisfaction"].mean() for t in tables])
    r = float(np.corrcoef(x, y)[0, 1])
    assert measure("unit_attitude_satisfaction_r", Runs(units=tuple(results))) == r
    assert measure("unit_attitude_satisfaction_r", Runs(units=tuple(tables))) == r
    shares = (0.1, 0.7, 0.3, 0.9, 0.5)
    kept = [1.0 - PANDAS_STATISTICS["annual_customer_loss"](t) for t in tables]
    practised = Runs(practices=tuple(zip(shares, results, strict=True)))
    assert measure("practice_performance_r", practised) == float(np.corrcoef(shares, kept)[0, 1])


def test_means_and_totals_skip_missing_weeks_to_the_last_bit_as_pandas_does():
    from eachcustomer.experiments.calibration.weekly import mean, total

    rng = np.random.default_rng(8)
    for length in (1, 7, 52, 130, 300):
        values = rng.normal(size=length) * 10.0 ** rng.integers(-3, 4, size=length)
        values[rng.random(length) < 0.2] = np.nan
        series = pd.Series(values)
        assert total(values) == series.sum()
        if series.notna().any():
            assert mean(values) == series.mean()
        else:
            assert math.isnan(mean(values))
    assert math.isnan(mean(np.full(5, np.nan))) and total(np.full(5, np.nan)) == 0.0


def test_units_stepped_in_large_batches_are_the_units_of_the_default_batches():
    from eachcustomer.experiments.calibration.simulate import unit_batch_size
    from eachcustomer.experiments.running.runs import BATCH_SIZE, run_replications

    assert unit_batch_size(25) > BATCH_SIZE and unit_batch_size(5_000) == BATCH_SIZE
    params = Params(n_employees=200, customers_per_employee=3)
    model = simulator(params, Request("r", "unit_attitude_satisfaction_r", 20), unit_employees=10)
    runs = model.runs(params, {})
    seeds = run_seeds(7, {}, "abc:units", 20)
    [alone] = run_replications(params.replace(n_employees=10), seeds, weeks=104).values()
    assert unit_batch_size(10) >= 20  # the simulator stepped all 20 together
    for unit, reference in zip(runs.units, alone, strict=True):
        np.testing.assert_array_equal(unit.values, reference.values)
