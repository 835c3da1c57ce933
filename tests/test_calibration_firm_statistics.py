"""Statistics of a firm's own files, measured on observed runs as the files are derived."""

from __future__ import annotations

import pandas as pd
import pytest

from eachcustomer.experiments.calibration import CalibrationError
from eachcustomer.experiments.calibration.firm_statistics import wave_name
from eachcustomer.experiments.calibration.statistics import STATISTICS, Runs
from eachcustomer.experiments.calibration.targets import parse_targets
from eachcustomer.experiments.firmdata.observe import Observed


def observed(score: float, leavers: int) -> Observed:
    survey = pd.DataFrame(
        {
            "wave": [wave_name(10), wave_name(10), wave_name(20)],
            "department": ["sales", "sales", "sales"],
            "team": ["", "E1", ""],
            "headcount": [10, 4, 10],
            "respondents": [8, 3, 7],
            "mean": [score, 1.0, 5.0],
            "sd": [0.5, 0.5, 0.5],
        }
    )
    turnover = pd.DataFrame(
        {
            "department": ["sales", "sales", "finance", "finance"],
            "period": ["Q1", "Q2", "Q1", "Q2"],
            "weeks": [26, 26, 26, 26],
            "headcount": [10, 10, 30, 30],
            "leavers": [leavers, 0, 3, 3],
        }
    )
    customers = pd.DataFrame(
        {
            "period": ["Q1", "Q2"],
            "weeks": [26, 26],
            "surveyed": [None, None],
            "satisfaction": [None, None],
            "satisfaction_sd": [None, None],
            "promoters": [None, None],
            "detractors": [None, None],
            "customers_start": [100, 300],
            "customers_lost": [10, 30],
            "complaints": [0, 0],
        }
    )
    return Observed(survey, customers, turnover, pd.DataFrame())


def value(name: str, runs: Runs, department: str | None = None, week: int | None = None):
    return STATISTICS[name].value(runs, department, week)


def test_each_firm_statistic_is_read_off_the_observed_tables_and_averaged_over_runs():
    runs = Runs(observed=(observed(4.0, 2), observed(3.0, 4)))
    # The department's own row (not a team's) of the wave at that week, (score - 3) / 2.
    assert value("department_survey_score", runs, "sales", 10) == pytest.approx(0.25)
    assert value("department_survey_score", runs, "sales", 20) == pytest.approx(1.0)
    # Leavers per head per year: (2 or 4) leavers of 10 over 52 weeks.
    assert value("department_staff_turnover", runs, "sales") == pytest.approx(0.3)
    assert value("observed_staff_turnover", runs) == pytest.approx((8 + 10) / 2 / 40)
    # 40 lost over 52 weeks from a mean base of 200.
    assert value("observed_customer_loss", runs) == pytest.approx(0.2)


TARGETS = """
title = "firm"
seed = 1
[parameters]
n_employees = 40
[priors.disposition_mean]
low = -0.5
high = 0.5
[targets.sales_wave]
statistic = "department_survey_score"
department = "sales"
value = 0.1
tolerance = 0.05
"""


def test_a_survey_score_needs_its_week_and_other_statistics_refuse_one():
    import tomllib

    assert parse_targets(tomllib.loads(TARGETS + "week = 30\n")).targets[0].week == 30
    with pytest.raises(CalibrationError, match="needs week = N"):
        parse_targets(tomllib.loads(TARGETS))
    wrong = TARGETS.replace('"department_survey_score"', '"department_attitude"') + "week = 3\n"
    with pytest.raises(CalibrationError, match="not measured at a week"):
        parse_targets(tomllib.loads(wrong))
