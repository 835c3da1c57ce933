"""The statistics a calibration target can name, and how each is measured on the model's runs.

A statistic is measured at the level its published figure was measured (docs/CALIBRATION.md,
section 1), on one of three kinds of runs of one parameter set (`Runs`):

- `organization`: the calibration's organization (its scenario) for `HORIZON_WEEKS`;
  statistics are taken over the settled second year, weeks `MEASURED_WEEKS`;
- `training`: the same runs paired, by seed, with runs in which everyone attends a training
  day in week `TRAINING_WEEK`; lifts are measured on the employees present from the
  training day to the end of the run in both runs of a pair (Saks & Belcourt asked about
  trainees, not their replacements);
- `units`: many small generated organizations (Harter et al.'s business units, about 25
  employees), one value each, correlated across units;
- `surveyed_units`: the `units` again (same seeds, so the same organizations), each
  surveyed once at the end of the run as a firm would survey it (`eachcustomer.sim.survey`:
  respondents' Likert scores, a sample of customers' ratings), for correlations at the
  observed level;
- `observed`: the calibration's organization observed as a firm observes itself (surveys
  at the weeks targets ask for, leavers and customers lost by quarter), for the statistics
  of a firm's own files (`firm_statistics`);
- `practices`: as many small organizations, each practising the library's culture change
  from week 1 for a share of its staff drawn uniformly from [0, 1] (the spread of adoption
  across firms in the organization-level studies of docs/CALIBRATION.md 1.10), one
  performance figure each, correlated with that share across organizations.

Every statistic has the range a target may state (a correlation is in [-1, 1], a share in
[0, 1]) and a default number of replications (runs, pairs or units), chosen so that its
replication standard error stays well inside its accepted range (docs/CALIBRATION.md,
"How to calibrate").
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from eachcustomer.experiments.calibration.firm_statistics import FIRM_STATISTICS

# The run kinds and the Statistic type live in `run_kinds`; the names written `X as X` are
# imported from here by the simulator, the targets file and the tests.
from eachcustomer.experiments.calibration.run_kinds import (
    HORIZON_WEEKS as HORIZON_WEEKS,
)
from eachcustomer.experiments.calibration.run_kinds import (
    MEASURED_WEEKS,
    TRAINING_WEEK,
    WEEKS_PER_YEAR,
    Measure,
    OrganizationRun,
    Runs,
    Statistic,
)
from eachcustomer.experiments.calibration.run_kinds import (
    TRAINING_STRENGTH as TRAINING_STRENGTH,
)
from eachcustomer.experiments.calibration.run_kinds import (
    UNIT_EMPLOYEES as UNIT_EMPLOYEES,
)
from eachcustomer.experiments.calibration.run_kinds import (
    RunKind as RunKind,
)
from eachcustomer.experiments.calibration.weekly import (
    Weekly,
    at_week,
    in_measured_year,
    mean,
    total,
)


def _mean_over_runs(runs: tuple[OrganizationRun, ...], value: Callable[[Weekly], float]) -> float:
    values = [value(run.series) for run in runs]
    return float(np.mean(values)) if values else float("nan")


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else float("nan")


def _year_total(outputs: Weekly, name: str) -> float:
    return total(in_measured_year(outputs, name))


def _window_mean(name: str) -> Measure:
    """The mean of a weekly output over the measured year, averaged over runs."""

    def measure(runs: Runs, option: str | None) -> float:
        return _mean_over_runs(runs.baseline, lambda s: mean(in_measured_year(s, name)))

    return measure


def annual_attitude_change(runs: Runs, option: str | None = None) -> float:
    """Mean attitude at the end of the measured year minus at its start, with no intervention.

    An organization without an unusual event keeps its culture about where it is from one
    year to the next (docs/CALIBRATION.md 1.9); the model's defaults should too.
    """
    first, last = MEASURED_WEEKS

    def change(outputs: Weekly) -> float:
        return at_week(outputs, "mean_attitude", last) - at_week(
            outputs, "mean_attitude", first - 1
        )

    return _mean_over_runs(runs.baseline, change)


def customer_loss(outputs: Weekly) -> float:
    """One run's customers lost in the measured year / its active customers before it."""
    before = at_week(outputs, "active_customers", MEASURED_WEEKS[0] - 1)
    return _ratio(_year_total(outputs, "customers_lost"), before)


def annual_customer_loss(runs: Runs, option: str | None = None) -> float:
    """Customers lost (walk-outs and churn) in the measured year / active customers before it."""
    return _mean_over_runs(runs.baseline, customer_loss)


def walkouts_per_bad_interaction(runs: Runs, option: str | None = None) -> float:
    """Customers a very bad interaction lost / interactions of quality below 0 (PwC 2018)."""
    return _mean_over_runs(
        runs.baseline,
        lambda s: _ratio(_year_total(s, "walkouts"), _year_total(s, "bad_interactions")),
    )


def complaints_per_contact(runs: Runs, option: str | None = None) -> float:
    """Complaints / contacts in the measured year."""
    return _mean_over_runs(
        runs.baseline, lambda s: _ratio(_year_total(s, "complaints"), _year_total(s, "contacts"))
    )


def complaints_per_customer_year(runs: Runs, option: str | None = None) -> float:
    """Complaints in the measured year per active customer (the year's mean base)."""
    return _mean_over_runs(
        runs.baseline,
        lambda s: _ratio(
            _year_total(s, "complaints"), mean(in_measured_year(s, "active_customers"))
        ),
    )


def annual_staff_turnover(runs: Runs, option: str | None = None) -> float:
    """Hires (each replaces a leaver) in the measured year / head count."""
    values = [_year_total(run.series, "hires") / run.employees for run in runs.baseline]
    return float(np.mean(values)) if values else float("nan")


def department_column(department: str) -> str:
    """The weekly output column of a department's mean attitude."""
    from eachcustomer.sim.output_columns import slug

    return f"attitude_dept_{slug(department)}"


def department_attitude(runs: Runs, option: str | None) -> float:
    """Mean attitude of one department over the measured year."""
    if option is None:
        raise ValueError("department_attitude needs a department")
    return _window_mean(department_column(option))(runs, None)


def training_lift(runs: Runs, weeks_after: int) -> float:
    """The share of a training day's lift left `weeks_after` weeks later.

    Per pair of runs (same seed, with and without the training day), the lift L(t) is the
    mean difference in attitude over the employees present from the training week to the
    end of both runs; the statistic is mean L(s + weeks_after) / mean L(s), s the training
    week, means over pairs (a ratio of means: steadier than a mean of ratios).
    """
    later, right_after = [], []
    for base, trained in zip(runs.baseline, runs.trained, strict=False):
        assert base.attitude is not None and trained.attitude is not None
        assert base.weeks_in_post is not None and trained.weeks_in_post is not None
        end = len(base.attitude) - 1
        stayed = (base.weeks_in_post >= end - TRAINING_WEEK) & (
            trained.weeks_in_post >= end - TRAINING_WEEK
        )
        if not stayed.any():
            continue
        difference = trained.attitude[:, stayed] - base.attitude[:, stayed]
        right_after.append(float(difference[TRAINING_WEEK].mean()))
        later.append(float(difference[TRAINING_WEEK + weeks_after].mean()))
    if not right_after:
        return float("nan")
    return _ratio(float(np.mean(later)), float(np.mean(right_after)))


def unit_attitude_satisfaction_r(runs: Runs, option: str | None = None) -> float:
    """Pearson r across small organizations of mean attitude and mean satisfaction.

    Each unit's x is its employees' mean attitude and y its active customers' mean
    satisfaction, both averaged over the measured year. NaN below 3 units or without
    variation.
    """
    if len(runs.units) < 3:
        return float("nan")
    x = np.array([mean(in_measured_year(unit, "mean_attitude")) for unit in runs.units])
    y = np.array([mean(in_measured_year(unit, "mean_satisfaction")) for unit in runs.units])
    if np.ptp(x) == 0 or np.ptp(y) == 0 or np.isnan(x).any() or np.isnan(y).any():
        return float("nan")
    return float(np.corrcoef(x, y)[0, 1])


def unit_survey_satisfaction_r(runs: Runs, option: str | None = None) -> float:
    """Pearson r across small organizations of survey scores and customer ratings.

    Harter et al.'s observed (uncorrected) correlation: each unit's x is its responding
    employees' mean Likert score and y its sampled customers' mean rating, one survey each
    at the end of the run, with the noise of docs/CALIBRATION.md 3.2. NaN below 3 units or
    without variation.
    """
    x = np.array([unit.attitude for unit in runs.surveyed])
    y = np.array([unit.satisfaction for unit in runs.surveyed])
    if len(x) < 3 or np.isnan(x).any() or np.isnan(y).any() or np.ptp(x) == 0 or np.ptp(y) == 0:
        return float("nan")
    return float(np.corrcoef(x, y)[0, 1])


def practice_performance_r(runs: Runs, option: str | None = None) -> float:
    """Pearson r across small organizations of how widely they practise culture change and
    the share of their customers they kept in the measured year.

    Combs et al. (2006) and Saridakis et al. (2017) correlate how much of a bundle of
    practices firms use with their later performance; here x is the share of staff the
    library's culture change covers (in place from week 1) and y is 1 - the customers lost
    in weeks 53-104. NaN below 3 organizations or without variation.
    """
    if len(runs.practices) < 3:
        return float("nan")
    x = np.array([share for share, _ in runs.practices])
    y = np.array([1.0 - customer_loss(outputs) for _, outputs in runs.practices])
    if np.ptp(x) == 0 or np.ptp(y) == 0 or np.isnan(y).any():
        return float("nan")
    return float(np.corrcoef(x, y)[0, 1])


_STATISTICS = (
    Statistic(
        "annual_customer_loss",
        "customers lost in the measured year / active customers at its start",
        "share per year",
        0.0,
        1.0,
        "organization",
        2,
        annual_customer_loss,
        ("customers_lost", "active_customers"),
    ),
    Statistic(
        "annual_attitude_change",
        "change in mean employee attitude over the measured year, no intervention",
        "attitude per year",
        -2.0,
        2.0,
        "organization",
        2,
        annual_attitude_change,
        ("week", "mean_attitude"),
    ),
    Statistic(
        "walkouts_per_bad_interaction",
        "customers lost to a very bad interaction / interactions of quality below 0",
        "share",
        0.0,
        1.0,
        "organization",
        2,
        walkouts_per_bad_interaction,
        ("walkouts", "bad_interactions"),
    ),
    Statistic(
        "training_lift_retained_26w",
        "share of a training day's lift in attitude left 26 weeks later (paired runs)",
        "share",
        0.0,
        1.0,
        "training",
        2,
        lambda runs, option: training_lift(runs, 26),
        ("week",),
    ),
    Statistic(
        "training_lift_retained_52w",
        "share of a training day's lift in attitude left 52 weeks later (paired runs)",
        "share",
        0.0,
        1.0,
        "training",
        2,
        lambda runs, option: training_lift(runs, 52),
        ("week",),
    ),
    Statistic(
        "unit_attitude_satisfaction_r",
        "correlation across small organizations of mean attitude and customer satisfaction",
        "correlation",
        -1.0,
        1.0,
        "units",
        200,
        unit_attitude_satisfaction_r,
        ("mean_attitude", "mean_satisfaction"),
    ),
    Statistic(
        "unit_survey_satisfaction_r",
        "correlation across small organizations of their employee survey's mean score and "
        "their customer survey's mean rating (observed, with measurement noise)",
        "correlation",
        -1.0,
        1.0,
        "surveyed_units",
        200,
        unit_survey_satisfaction_r,
    ),
    Statistic(
        "practice_performance_r",
        "correlation across small organizations of how widely they practise the library's "
        "culture change and the share of customers they kept a year later",
        "correlation",
        -1.0,
        1.0,
        "practices",
        500,
        practice_performance_r,
        ("customers_lost", "active_customers"),
    ),
    Statistic(
        "net_promoter_score",
        "net-promoter-style score of active customers, mean over the measured year",
        "points",
        -100.0,
        100.0,
        "organization",
        2,
        _window_mean("net_promoter_score"),
        ("net_promoter_score",),
    ),
    Statistic(
        "mean_satisfaction",
        "mean satisfaction of active customers over the measured year",
        "-1 to 1",
        -1.0,
        1.0,
        "organization",
        2,
        _window_mean("mean_satisfaction"),
        ("mean_satisfaction",),
    ),
    Statistic(
        "complaints_per_contact",
        "complaints / contacts over the measured year",
        "share",
        0.0,
        1.0,
        "organization",
        2,
        complaints_per_contact,
        ("complaints", "contacts"),
    ),
    Statistic(
        "complaints_per_customer_year",
        "complaints in the measured year per active customer",
        "complaints per customer per year",
        0.0,
        float(WEEKS_PER_YEAR),
        "organization",
        2,
        complaints_per_customer_year,
        ("complaints", "active_customers"),
    ),
    Statistic(
        "mean_attitude",
        "mean attitude of all employees over the measured year",
        "-1 to 1",
        -1.0,
        1.0,
        "organization",
        2,
        _window_mean("mean_attitude"),
        ("mean_attitude",),
    ),
    Statistic(
        "department_attitude",
        "mean attitude of one department's employees over the measured year",
        "-1 to 1",
        -1.0,
        1.0,
        "organization",
        2,
        department_attitude,
        takes_department=True,
    ),
    Statistic(
        "share_negative_employees",
        "share of employees who see 'the customer' (attitude below -0.2), measured year",
        "share",
        0.0,
        1.0,
        "organization",
        2,
        _window_mean("share_negative"),
        ("share_negative",),
    ),
    Statistic(
        "annual_staff_turnover",
        "employees replaced in the measured year / head count",
        "share per year",
        0.0,
        float(WEEKS_PER_YEAR),
        "organization",
        2,
        annual_staff_turnover,
        ("hires",),
    ),
)

STATISTICS: dict[str, Statistic] = {
    statistic.name: statistic for statistic in (*_STATISTICS, *FIRM_STATISTICS)
}
"""Every statistic a target can name, by name."""
