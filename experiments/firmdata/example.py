"""Write the shipped fictional firm, Harbour Supply, from the model at known parameters.

    python -m eachcustomer.experiments.firmdata.example OUT_FOLDER

writes its org chart and departments table, a scenario file, two employee survey waves
(by department and team) around a past training day, customer metrics by quarter and
turnover by department and quarter: the files of docs/FIRM_DATA.md, as the firm would fill
them in. Because they come from the model at `TRUE_PARAMETERS` and `SEED`, a calibration
on them knows the answer it should recover (the folder's README says so). The shipped copy
is scenarios/data/harbour_supply/; running this again writes the same files.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from eachcustomer.experiments.firmdata.derive import derive_targets, targets_toml
from eachcustomer.experiments.firmdata.files import (
    load_customer_metrics,
    load_survey_results,
    load_turnover,
)
from eachcustomer.experiments.firmdata.observe import observe_run
from eachcustomer.sim.interventions import Intervention
from eachcustomer.sim.organization import generate_organization
from eachcustomer.sim.orgchart import write_org_chart_csv
from eachcustomer.sim.params import Department, Params

SEED = 23
EMPLOYEES = 180
DEPARTMENTS = (
    Department(name="sales", share=0.35, customer_facing=True, customer_weight=0.5),
    Department(
        name="customer service",
        share=0.15,
        customer_facing=True,
        handles_complaints=True,
        customer_weight=0.5,
    ),
    Department(name="warehouse", share=0.3, customer_facing=False),
    Department(name="finance", share=0.1, customer_facing=False),
    Department(name="purchasing", share=0.1, customer_facing=False),
)
TRUE_PARAMETERS = {
    "disposition_mean": -0.05,
    "drift_rate": 0.002,
    "base_churn": 0.002,
    "turnover_rate": 0.004,
}
"""The values a calibration on the firm's files should recover; the rest are defaults."""
TRAINING_WEEK = 40
WAVES = {"2024-autumn": 39, "2025-spring": 65}
"""The survey a week before the training day and half a year after it."""
PERIODS = tuple(f"{year}-Q{q}" for year in (2024, 2025) for q in (1, 2, 3, 4))
MIN_REPORTED = 5
"""Smallest group a survey report shows (an assumption: a common anonymity threshold)."""
PROGRAM = Intervention(kind="training_day", start=TRAINING_WEEK, strength=0.5)


def true_params() -> Params:
    """The firm's parameters: the defaults with `TRUE_PARAMETERS` and its departments."""
    return Params(n_employees=EMPLOYEES, departments=DEPARTMENTS, **TRUE_PARAMETERS)


SCENARIO = f'''title = "Harbour Supply: a fictional firm's own data"
description = """
A fictional wholesaler of {EMPLOYEES} staff whose figures were written by the model
(experiments/firmdata/example.py); README.md gives the parameters that made them.
It ran a training day for everyone in week {TRAINING_WEEK}.
"""

[parameters]

[organization]
chart = "org_chart.csv"
departments_table = "departments.csv"

[[interventions]]
kind = "training_day"
start = {TRAINING_WEEK}
strength = 0.5
'''


def write_example(out: Path) -> None:
    """Write every file of the example into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    params = true_params()
    org = generate_organization(params, np.random.default_rng(SEED))
    write_org_chart_csv(org, out / "org_chart.csv", departments=out / "departments.csv")
    observed = observe_run(
        params,
        SEED,
        waves=WAVES,
        periods=PERIODS,
        org=org,
        interventions=(PROGRAM,),
        teams=True,
    )
    survey = observed.survey.drop(columns="true_attitude").round({"mean": 3, "sd": 3})
    survey["week"] = survey["wave"].map(WAVES)  # the run's week of each wave
    # Firms report no group with fewer than a handful of respondents (anonymity).
    survey = survey[survey["respondents"] >= MIN_REPORTED]
    survey.to_csv(out / "survey_results.csv", index=False)
    customers = observed.customers.drop(columns="true_satisfaction")
    customers.insert(0, "unit", "Harbour Supply")
    customers.round(3).to_csv(out / "customer_metrics.csv", index=False)
    observed.turnover.to_csv(out / "turnover.csv", index=False)
    (out / "harbour_supply.toml").write_text(SCENARIO, encoding="utf-8")
    # Read back as a user's files are (every check), then derive the targets from them.
    names = org.department_names
    targets = derive_targets(
        load_survey_results(out / "survey_results.csv", names),
        load_customer_metrics(out / "customer_metrics.csv"),
        load_turnover(out / "turnover.csv", names),
    )
    text = targets_toml(targets, title="Harbour Supply, 2024-2025", scenario="harbour_supply.toml")
    (out / "derived_targets.toml").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    write_example(Path(sys.argv[1]))
