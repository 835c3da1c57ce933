"""Statistics of a firm's own files, measured on the model as the firm measures them.

A firm's figures (docs/FIRM_DATA.md) are survey means of the staff who answered, leavers
per department and customers lost over the quarters its files cover. The `observed` runs
of a parameter set are the calibration's organization observed by
`eachcustomer.experiments.firmdata.observe.observe_run` over the run's `HORIZON_WEEKS`
(eight quarters, the files' periods in order: week 1 is the first period's first week),
with an employee survey at each week a target asks for; each statistic is then computed
from the observed tables as the firm's files are turned into targets (turnover and
customer loss by the same functions of `eachcustomer.experiments.firmdata.derive`; a survey
score rescaled from 1-5 as there), so the model's figure and the firm's differ only by
the model, not by arithmetic. A survey score carries the survey layer's noise
(docs/CALIBRATION.md 3.2) in the model as in the data; averaging over the replications
shrinks the model's share of it.
"""

from __future__ import annotations

import numpy as np

from eachcustomer.experiments.calibration.run_kinds import WEEKS_PER_YEAR, Runs, Statistic
from eachcustomer.experiments.firmdata.derive import customer_targets, turnover_targets
from eachcustomer.experiments.firmdata.observe import Observed
from eachcustomer.sim.survey import likert_to_attitude

PERIOD_WEEKS = 13
"""The observed runs report quarters, as the shipped files do."""


def wave_name(week: int) -> str:
    """The observed runs' name of the survey wave taken at `week`."""
    return f"week {week}"


def _mean(values: list[float]) -> float:
    finite = [v for v in values if np.isfinite(v)]
    return float(np.mean(finite)) if finite else float("nan")


def _value(rows: list[dict], statistic: str, department: str = "") -> float:
    found = [
        r["value"] for r in rows if r["statistic"] == statistic and r["department"] == department
    ]
    return float(found[0]) if found else float("nan")


def department_survey_score(runs: Runs, department: str | None, week: int | None) -> float:
    """A department's mean survey score in the wave at `week`, rescaled to [-1, 1]."""
    assert department is not None and week is not None

    def score(observed: Observed) -> float:
        survey = observed.survey
        row = survey[
            (survey["wave"] == wave_name(week))
            & (survey["team"] == "")
            & (survey["department"] == department)
        ]
        return float(likert_to_attitude(row["mean"].iloc[0])) if len(row) else float("nan")

    return _mean([score(run) for run in runs.observed])


def department_staff_turnover(runs: Runs, department: str | None) -> float:
    """Leavers per head per year in one department, over all the observed quarters."""
    assert department is not None

    def turnover(observed: Observed) -> float:
        rows = turnover_targets(observed.turnover)
        return _value(rows, "department_staff_turnover", department)

    return _mean([turnover(run) for run in runs.observed])


def observed_staff_turnover(runs: Runs, option: str | None = None) -> float:
    """Leavers per head per year in the whole organization, over all the observed quarters."""
    return _mean(
        [_value(turnover_targets(run.turnover), "observed_staff_turnover") for run in runs.observed]
    )


def observed_customer_loss(runs: Runs, option: str | None = None) -> float:
    """Customers lost per customer (at the quarters' starts) per year, all quarters."""
    return _mean(
        [_value(customer_targets(run.customers), "observed_customer_loss") for run in runs.observed]
    )


FIRM_STATISTICS = (
    Statistic(
        "department_survey_score",
        "a department's mean employee survey score in the wave at `week`, rescaled from "
        "1-5 to -1..1, surveyed as a firm surveys (docs/FIRM_DATA.md)",
        "-1 to 1",
        -1.0,
        1.0,
        "observed",
        2,
        department_survey_score,
        takes_department=True,
        takes_week=True,
    ),
    Statistic(
        "department_staff_turnover",
        "leavers per head per year in one department, weeks 1-104 (docs/FIRM_DATA.md)",
        "share per year",
        0.0,
        float(WEEKS_PER_YEAR),
        "observed",
        2,
        department_staff_turnover,
        takes_department=True,
    ),
    Statistic(
        "observed_staff_turnover",
        "leavers per head per year in the whole organization, weeks 1-104",
        "share per year",
        0.0,
        float(WEEKS_PER_YEAR),
        "observed",
        2,
        observed_staff_turnover,
    ),
    Statistic(
        "observed_customer_loss",
        "customers lost per customer at the quarters' starts per year, weeks 1-104",
        "share per year",
        0.0,
        float(WEEKS_PER_YEAR),
        "observed",
        2,
        observed_customer_loss,
    ),
)
"""The statistics of a firm's own files, all measured on `observed` runs."""
