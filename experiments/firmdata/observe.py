"""A model run as a firm would see it: survey waves, customer metrics and turnover, as tables.

`observe_run` steps one organization week by week and takes what `eachcustomer.sim.survey`
observes: an employee survey at each wave's week (department and team means of the
respondents' 1-5 scores), a customer survey and the customer records at the end of each
period, and leavers by department and period. The tables have the columns of the files a
firm fills in (docs/FIRM_DATA.md), plus the true state beside each observed figure
(`true_attitude`, `true_satisfaction`), so the measurement's error can be read off.

The surveys draw from their own stream (`eachcustomer.sim.survey.survey_generator`): a
run observed here has the same weekly outputs as the same seed run alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from eachcustomer.sim.interventions import Intervention
from eachcustomer.sim.model import OrgModel
from eachcustomer.sim.organization import Organization
from eachcustomer.sim.params import Params
from eachcustomer.sim.survey import (
    DETRACTOR_RATING,
    PROMOTER_RATING,
    CustomerSurveyDesign,
    EmployeeSurveyDesign,
    likert_to_attitude,
    rating_to_satisfaction,
    survey_customers,
    survey_employees,
    survey_generator,
    team_of,
)


@dataclass(frozen=True)
class Observed:
    """What a firm observes of one run, in the shape of its files.

    Attributes:
        survey: per wave, department and team (team "" for the department's row):
            headcount, respondents, mean and sd of the 1-5 scores, true_attitude.
        customers: per period: weeks, surveyed, satisfaction (mean 0-10 rating) and its
            sd, promoters and detractors (shares of the sample), customers_start,
            customers_lost, complaints, true_satisfaction.
        turnover: per department and period: weeks, headcount, leavers.
        series: the run's weekly outputs.
    """

    survey: pd.DataFrame
    customers: pd.DataFrame
    turnover: pd.DataFrame
    series: pd.DataFrame


def _score_rows(
    wave: str,
    scores: np.ndarray,
    attitude: np.ndarray,
    names: list[tuple[str, str]],
    group: np.ndarray,
) -> list[dict]:
    rows = []
    for g, (department, team) in enumerate(names):
        members = group == g
        answered = scores[members & ~np.isnan(scores)]
        rows.append(
            {
                "wave": wave,
                "department": department,
                "team": team,
                "headcount": int(members.sum()),
                "respondents": len(answered),
                "mean": float(answered.mean()) if len(answered) else float("nan"),
                "sd": float(answered.std(ddof=1)) if len(answered) > 1 else float("nan"),
                "true_attitude": float(attitude[members].mean()),
            }
        )
    return rows


def survey_rows(
    org: Organization, wave: str, scores: np.ndarray, attitude: np.ndarray, teams: bool
) -> list[dict]:
    """One wave's rows: each department, then (if `teams`) each team by its manager's id."""
    names = [(name, "") for name in org.department_names]
    rows = _score_rows(wave, scores, attitude, names, org.department)
    if teams:
        team = team_of(org)
        leaders, group = np.unique(team, return_inverse=True)
        names = [
            (org.department_names[org.department[leader]], org.employee_ids[leader])
            for leader in leaders
        ]
        rows += _score_rows(wave, scores, attitude, names, group)
    return rows


def observe_run(
    params: Params,
    seed: int,
    *,
    waves: Mapping[str, int],
    periods: Sequence[str],
    period_weeks: int = 13,
    org: Organization | None = None,
    interventions: Sequence[Intervention] = (),
    employee_design: EmployeeSurveyDesign | None = None,
    customer_design: CustomerSurveyDesign | None = None,
    teams: bool = False,
) -> Observed:
    """Run `len(periods) * period_weeks` weeks and observe them as a firm would.

    Args:
        params: the parameters.
        seed: the run's seed (the model's; the surveys draw from its survey stream).
        waves: employee survey waves, name -> week (1 .. the run's length).
        periods: names of the consecutive periods of `period_weeks` weeks.
        period_weeks: weeks per period (13: a quarter).
        org: the organization; generated from `params` if None.
        interventions: the intervention schedule.
        employee_design, customer_design: the surveys (defaults: docs/CALIBRATION.md 3.2).
        teams: also report each team (a manager's direct reports) in the survey table.
    """
    weeks = len(periods) * period_weeks
    late = {name: week for name, week in waves.items() if not 1 <= week <= weeks}
    if late:
        raise ValueError(f"survey waves outside weeks 1-{weeks}: {late}")
    employee_design = employee_design or EmployeeSurveyDesign()
    customer_design = customer_design or CustomerSurveyDesign()
    model = OrgModel(params, org=org, rng=seed, interventions=list(interventions))
    org, rng = model.org, survey_generator(seed)
    departments = len(org.department_names)
    survey: list[dict] = []
    customers: list[dict] = []
    leavers = np.zeros((len(periods), departments), dtype=np.int64)
    by_week = {week: name for name, week in waves.items()}
    for week in range(1, weeks + 1):
        model.step()
        period = (week - 1) // period_weeks
        hired = model.employees.weeks_in_post == 0  # each hire replaced a leaver this week
        leavers[period] += np.bincount(org.department[hired], minlength=departments)
        if week in by_week:
            attitude = model.employees.attitude
            scores = survey_employees(attitude, employee_design, rng)
            survey += survey_rows(org, by_week[week], scores, attitude, teams)
        if week % period_weeks == 0:
            customers.append(_customer_row(model, periods[period], customer_design, rng))
    series = model.outputs()
    customers_frame = _with_records(pd.DataFrame(customers), series, period_weeks)
    headcount = np.bincount(org.department, minlength=departments)
    turnover = pd.DataFrame(
        [
            {
                "department": org.department_names[d],
                "period": name,
                "weeks": period_weeks,
                "headcount": int(headcount[d]),
                "leavers": int(leavers[p, d]),
            }
            for p, name in enumerate(periods)
            for d in range(departments)
        ]
    )
    return Observed(pd.DataFrame(survey), customers_frame, turnover, series)


def _customer_row(
    model: OrgModel, period: str, design: CustomerSurveyDesign, rng: np.random.Generator
) -> dict:
    customers = model.customers
    ratings = survey_customers(customers.satisfaction, customers.active, design, rng)
    return {
        "period": period,
        "surveyed": len(ratings),
        "satisfaction": float(ratings.mean()),
        "satisfaction_sd": float(ratings.std(ddof=1)) if len(ratings) > 1 else float("nan"),
        "promoters": float(np.mean(ratings >= PROMOTER_RATING)),
        "detractors": float(np.mean(ratings <= DETRACTOR_RATING)),
        "true_satisfaction": float(
            customers.satisfaction[customers.active].mean() if customers.active.any() else np.nan
        ),
    }


def _with_records(frame: pd.DataFrame, series: pd.DataFrame, period_weeks: int) -> pd.DataFrame:
    """Add each period's weeks, customers at its start, customers lost and complaints."""
    weekly = series.set_index("week")
    starts = np.arange(len(frame)) * period_weeks
    lost, complaints, start = [], [], []
    for first in starts:
        inside = weekly.loc[first + 1 : first + period_weeks]
        lost.append(int(inside["customers_lost"].sum()))
        complaints.append(int(inside["complaints"].sum()))
        start.append(int(weekly.loc[first, "active_customers"]))
    frame.insert(1, "weeks", period_weeks)
    frame["customers_start"] = start
    frame["customers_lost"] = lost
    frame["complaints"] = complaints
    return frame


@dataclass(frozen=True)
class UnitSurvey:
    """One small organization surveyed once, on the model's scales [-1, 1].

    Attributes:
        attitude: the respondents' mean score (`likert_to_attitude`); NaN if none responded.
        satisfaction: the sampled customers' mean rating (`rating_to_satisfaction`).
        true_attitude: every employee's mean attitude at the survey.
        true_satisfaction: every active customer's mean satisfaction at the survey.
    """

    attitude: float
    satisfaction: float
    true_attitude: float
    true_satisfaction: float


def survey_unit(
    params: Params,
    seed: int,
    weeks: int,
    employee_design: EmployeeSurveyDesign | None = None,
    customer_design: CustomerSurveyDesign | None = None,
) -> UnitSurvey:
    """Run a generated organization `weeks` weeks, then survey its staff and customers."""
    model = OrgModel(params, rng=seed)
    model.run(weeks)
    rng = survey_generator(seed)
    staff, customers = model.employees, model.customers
    scores = survey_employees(staff.attitude, employee_design or EmployeeSurveyDesign(), rng)
    ratings = survey_customers(
        customers.satisfaction, customers.active, customer_design or CustomerSurveyDesign(), rng
    )
    answered = scores[~np.isnan(scores)]
    return UnitSurvey(
        float(likert_to_attitude(answered.mean())) if len(answered) else float("nan"),
        float(rating_to_satisfaction(ratings.mean())) if len(ratings) else float("nan"),
        float(staff.attitude.mean()),
        float(customers.satisfaction[customers.active].mean()),
    )
