"""A firm's data files: checks naming file, line and column; targets and their tolerances."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from eachcustomer.experiments.calibration.targets import load_targets
from eachcustomer.experiments.firmdata.derive import (
    derive_targets,
    mean_standard_error,
    nps_standard_error,
)
from eachcustomer.experiments.firmdata.example import write_example
from eachcustomer.experiments.firmdata.files import (
    FirmDataError,
    load_customer_metrics,
    load_survey_results,
    load_turnover,
)

DATA = Path(__file__).resolve().parents[1] / "scenarios" / "data"
EXAMPLE = DATA / "harbour_supply"
TEMPLATES = DATA / "firm_templates"
SURVEY_HEADER = "wave,department,team,headcount,respondents,mean,sd\n"
CUSTOMER_HEADER = (
    "unit,period,weeks,surveyed,satisfaction,satisfaction_sd,promoters,detractors,"
    "customers_start,customers_lost,complaints\n"
)


def test_the_templates_load():
    assert len(load_survey_results(TEMPLATES / "survey_results.csv")) == 3
    assert len(load_customer_metrics(TEMPLATES / "customer_metrics.csv")) == 2
    assert len(load_turnover(TEMPLATES / "turnover.csv")) == 2


def test_the_example_is_what_its_script_writes(tmp_path):
    write_example(tmp_path)
    for name in sorted(p.name for p in EXAMPLE.iterdir() if p.suffix in {".csv", ".toml"}):
        assert (tmp_path / name).read_text() == (EXAMPLE / name).read_text(), name


def test_the_example_derived_targets_load_as_a_targets_file():
    calibration = load_targets(EXAMPLE / "derived_targets.toml")
    keys = {t.key for t in calibration.fitted + calibration.checked}
    assert {"survey_2025_spring_sales", "observed_customer_loss", "staff_turnover"} <= keys
    assert {"survey_2024_autumn_sales", "turnover_sales"} <= keys  # every dated wave, by department


BAD = [
    (SURVEY_HEADER + "w,sales,,10,5,six,0.5\n", ["line 2", "column 'mean'", "'six' is not"]),
    (SURVEY_HEADER + "w,sales,,10,5,5.5,0.5\n", ["line 2", "column 'mean'", "from 1 to 5"]),
    (SURVEY_HEADER + "w,sales,,10,12,3,0.5\n", ["line 2", "column 'respondents'", "headcount"]),
    (SURVEY_HEADER + "w,sales,,10,5,3,0.5\nw,Sales,,10,5,3,0.5\n", ["line 3", "as line 2"]),
    (SURVEY_HEADER + "w,,,10,5,3,0.5\n", ["line 2", "column 'department' is empty"]),
    (SURVEY_HEADER + "w,marketing,,10,5,3,0.5\n", ["line 2", "'marketing' is not a department"]),
    ("wave,department,respondents,mean\nw,sales,5,3\n", ["line 1", "missing required column 'sd'"]),
    (
        SURVEY_HEADER.strip() + ",colour\nw,sales,,10,5,3,0.5,red\n",
        ["line 1", "unknown column 'colour'"],
    ),
]


@pytest.mark.parametrize(("text", "fragments"), BAD)
def test_a_bad_survey_file_is_refused_naming_file_line_and_column(tmp_path, text, fragments):
    path = tmp_path / "survey.csv"
    path.write_text(text)
    with pytest.raises(FirmDataError) as error:
        load_survey_results(path, departments=("sales", "Sales"))
    message = str(error.value)
    assert message.startswith("survey.csv: ")
    for fragment in fragments:
        assert fragment in message


BAD_CUSTOMERS = [
    ("u,q1,13,50,7,1.5,0.7,0.4,100,5,3\n", ["line 2", "'promoters' and 'detractors'"]),
    ("u,q1,13,,7,1.5,,,100,5,3\n", ["line 2", "column 'surveyed' is empty"]),
    ("u,q1,13,50,7,1.5,,,100,500,3\n", ["line 2", "column 'customers_lost'", "more than"]),
    ("u,q1,13,50,7,1.5,,,,5,\n", ["line 2", "column 'customers_start' is empty"]),
    ("u,q1,0,50,7,1.5,,,100,5,3\n", ["line 2", "column 'weeks'", "from 1 to 520"]),
    ("u,q1,13,50,11,1.5,,,100,5,3\n", ["line 2", "column 'satisfaction'", "from 0 to 10"]),
]


@pytest.mark.parametrize(("row", "fragments"), BAD_CUSTOMERS)
def test_a_bad_customer_file_is_refused_naming_file_line_and_column(tmp_path, row, fragments):
    path = tmp_path / "customers.csv"
    path.write_text(CUSTOMER_HEADER + row)
    with pytest.raises(FirmDataError) as error:
        load_customer_metrics(path)
    for fragment in ["customers.csv: ", *fragments]:
        assert fragment in str(error.value)


def test_every_bad_row_is_reported_at_once(tmp_path):
    path = tmp_path / "turnover.csv"
    path.write_text(
        "department,period,weeks,headcount,leavers\n"
        "sales,q1,13,0,1\nsales,q2,13,10,-1\nsales,q3,13,10,2\n"
    )
    with pytest.raises(FirmDataError) as error:
        load_turnover(path)
    lines = str(error.value).splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("turnover.csv: line 2: column 'headcount'")
    assert lines[1].startswith("turnover.csv: line 3: column 'leavers'")


def _survey(respondents: int, headcount: float | None) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "line": 2,
                "wave": "w",
                "department": "sales",
                "team": "",
                "headcount": headcount,
                "respondents": respondents,
                "mean": 3.5,
                "sd": 0.8,
            }
        ]
    )


def test_a_survey_mean_tolerance_falls_with_the_square_root_of_respondents():
    small = derive_targets(_survey(16, None)).iloc[0]
    large = derive_targets(_survey(64, None)).iloc[0]
    assert small["value"] == pytest.approx(0.25)
    assert small["tolerance"] == pytest.approx(2 * 0.8 / 4 / 2)
    assert small["tolerance"] / large["tolerance"] == pytest.approx(2.0)
    # Answers from most of a department leave little to sample: finite-population correction.
    census = derive_targets(_survey(64, 64)).iloc[0]
    assert census["tolerance"] == pytest.approx(0.0)
    assert mean_standard_error(0.8, 16, 32) == pytest.approx(0.2 * (0.5**0.5))


def _customers(lost: int, start: int) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "line": 2,
                "unit": "u",
                "period": "q1",
                "weeks": 52,
                "surveyed": 100,
                "satisfaction": 7.0,
                "satisfaction_sd": 2.0,
                "promoters": 0.3,
                "detractors": 0.2,
                "customers_start": start,
                "customers_lost": lost,
                "complaints": None,
            }
        ]
    )


def test_count_and_share_tolerances_follow_their_sampling_error():
    few = derive_targets(customers=_customers(25, 100)).set_index("key")
    many = derive_targets(customers=_customers(100, 400)).set_index("key")
    assert few.loc["observed_customer_loss", "value"] == pytest.approx(0.25)
    assert few.loc["observed_customer_loss", "tolerance"] == pytest.approx(2 * 5 / 100)
    assert many.loc["observed_customer_loss", "tolerance"] == pytest.approx(2 * 10 / 400)
    assert few.loc["net_promoter_score", "value"] == pytest.approx(10.0)
    assert few.loc["net_promoter_score", "standard_error"] == pytest.approx(
        100 * ((0.5 - 0.01) / 100) ** 0.5
    )
    assert nps_standard_error(0.3, 0.2, 400) == pytest.approx(nps_standard_error(0.3, 0.2, 100) / 2)
    assert few.loc["mean_satisfaction", "tolerance"] == pytest.approx(2 * 2.0 / 10 / 5)
    assert "complaints_per_customer_year" not in few.index  # not measured
