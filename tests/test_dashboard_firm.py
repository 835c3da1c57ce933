"""The Your organization page without a browser: uploads checked with the loaders' own
messages next to each file, targets derived as `eachcustomer fit-firm` derives them, a fit
at the smallest size returning a verdict, a predictive check and a folder `run` accepts."""

from __future__ import annotations

import base64
import io
import zipfile

import pytest

from eachcustomer.dashboard.firm.files import (
    EXAMPLE,
    ROLES,
    check_files,
    example_files,
    upload_entry,
    write_folder,
)
from eachcustomer.dashboard.firm.fit import fit_files, progress_of, size_problem
from eachcustomer.experiments.calibration.fit import Progress
from eachcustomer.experiments.firmdata.fitting import firm_table, scenario_of


@pytest.fixture(scope="module")
def page():
    """The page's module: the app registers it (Dash wants the app before its pages)."""
    from eachcustomer.dashboard.app import create_app

    create_app()
    from eachcustomer.dashboard.firm import page

    return page


def upload(text: str) -> str:
    return "data:text/csv;base64," + base64.b64encode(text.encode()).decode()


def values(trigger_role: str | None, contents: str | None, name: str, stored: dict) -> tuple:
    """The `collect` callback's arguments after the example button: uploads, refusals,
    file names (each in ROLES order), the store."""
    uploads = [contents if role == trigger_role else None for role in ROLES]
    names = [name if role == trigger_role else None for role in ROLES]
    return (*uploads, *[None] * len(ROLES), *names, stored)


def text_of(component) -> str:
    return str(component)


def test_the_example_gives_the_targets_fit_firm_derives(page):
    stored = page.collected("firm-example", values(None, None, "", {}))
    assert set(stored) == {*ROLES, "scenario"}
    *messages, table, summary = page.show_files(stored)
    assert all("cannot be used" not in text_of(m) for m in messages)
    assert "180 employees in 6 departments" in text_of(messages[0])
    expected = firm_table(EXAMPLE, scenario_of(EXAMPLE))
    check = check_files(stored)
    assert list(check.targets["key"]) == list(expected["key"])
    assert list(check.targets["use"]) == list(expected["use"])
    assert check.targets["value"].tolist() == pytest.approx(expected["value"].tolist())
    shown = text_of(table)
    for key in expected["key"]:
        assert key in shown
    assert "drift_rate" in summary and check.ready


def test_a_bad_survey_upload_names_its_file_line_and_cell_and_blocks_the_targets(page):
    stored = example_files()
    lines = stored["survey"]["text"].splitlines()
    lines[2] = lines[2].replace("customer service", "customer servise")
    bad = "\n".join(lines) + "\n"
    stored = page.collected(
        "firm-upload-survey", values("survey", upload(bad), "my survey.csv", stored)
    )
    assert stored["survey"]["filename"] == "my survey.csv"
    *messages, table, summary = page.show_files(stored)
    survey = text_of(messages[list(ROLES).index("survey")])
    assert "my survey.csv cannot be used" in survey
    assert "my survey.csv: line 3: " in survey
    assert "'customer servise' is not a department of the org chart" in survey
    assert lines[2] in survey  # the offending line, shown under the message
    assert "cannot be used" not in text_of(messages[0])  # the chart itself is fine
    assert "No targets yet" in text_of(table) and "Correct the files" in summary


def test_a_file_that_is_not_text_or_not_csv_is_refused_next_to_its_upload():
    entry = upload_entry(
        "data:text/csv;base64," + base64.b64encode(b"\x00\x01").decode(), "t.csv", "turnover"
    )
    assert "NUL bytes" in entry["problem"]
    assert "unknown file type" in upload_entry(upload("a,b\n"), "t.xlsx", "turnover")["problem"]
    check = check_files({"turnover": entry})
    assert check.problems["turnover"][0].problem == entry["problem"] and not check.ready


def test_survey_departments_are_checked_once_the_chart_is_read():
    stored = example_files()
    del stored["chart"], stored["departments"], stored["scenario"]
    check = check_files(stored)
    assert not check.problems and "departments not yet checked" in check.read["survey"]
    assert check.missing == "Upload the org chart." and not check.ready


def test_an_uploaded_chart_drops_the_examples_scenario_and_names_its_own(tmp_path, page):
    stored = example_files()
    chart = stored["chart"]["text"]
    stored = page.collected(
        "firm-upload-chart", values("chart", upload(chart), "staff.csv", stored)
    )
    assert "scenario" not in stored
    write_folder(stored, tmp_path)
    scenario = (tmp_path / "scenario.toml").read_text()
    assert (
        'chart = "org_chart.csv"' in scenario
        and 'departments_table = "departments.csv"' in scenario
    )
    assert (tmp_path / "org_chart.csv").read_text() == chart
    assert firm_table(tmp_path, scenario_of(tmp_path))["key"].tolist() == (
        check_files(stored).targets["key"].tolist()
    )


def test_fit_sizes_and_progress():
    assert size_problem({"population_size": 20, "populations": 3, "max_minutes": 3}) is None
    assert "whole number" in size_problem(
        {"population_size": 20.5, "populations": 3, "max_minutes": 3}
    )
    assert "from 1 to 10" in size_problem(
        {"population_size": 20, "populations": 11, "max_minutes": 3}
    )
    first = progress_of(Progress("abc", 3, 20, generation=-1, accepted=10, evaluations=10))
    last = progress_of(Progress("abc", 3, 20, generation=2, accepted=20, evaluations=99))
    check = progress_of(Progress("checks", 3, 20, done=5, total=10))
    assert 0 < first[0] < last[0] <= 0.9 < check[0] < 1
    assert "population 3 of at most 3" in last[1] and "5 of 10" in check[1]


def test_without_the_calibrate_extra_a_fit_says_what_to_install(monkeypatch, page):
    from eachcustomer.experiments.calibration import runner
    from eachcustomer.extras import MissingExtraError

    def missing() -> None:
        raise MissingExtraError("pyabc", "calibrate", "calibration (ABC-SMC with pyabc)")

    monkeypatch.setattr(runner, "require_pyabc", missing)
    reports = []
    result = fit_files(
        example_files(),
        {"population_size": 10, "populations": 1, "max_minutes": 1},
        lambda share, line: reports.append((share, line)),
    )
    assert "pip install 'eachcustomer[calibrate]'" in result["error"]
    assert reports == []  # refused before any work


def test_a_tiny_fit_returns_a_verdict_a_check_by_department_and_a_runnable_folder(tmp_path, page):
    from eachcustomer.experiments.calibration.verdict import NOT_USABLE, USABLE

    reports = []
    result = fit_files(
        example_files(),
        {"population_size": 10, "populations": 1, "max_minutes": 1},
        lambda share, line: reports.append((share, line)),
    )
    assert "error" not in result, result.get("error")
    assert reports[1][1].startswith("Estimated cost: one evaluation takes")
    assert [share for share, _ in reports] == sorted(share for share, _ in reports)
    assert result["verdict"]["label"] in (USABLE, NOT_USABLE)
    departments = {row["department"] for row in result["check"]}
    assert {"sales", "warehouse", "finance"} <= departments
    figure = page.check_figure(result["check"])
    shown = {label for trace in figure.data for label in trace.y}
    assert "sales, week 39" in shown and "whole firm" in shown
    with zipfile.ZipFile(io.BytesIO(base64.b64decode(result["zip"]))) as archive:
        archive.extractall(tmp_path)
    folder = tmp_path / "fitted_organization"
    for name in ("scenario.toml", "org_chart.csv", "targets.toml", "sweep.toml", "plan.toml"):
        assert (folder / name).is_file(), name
    assert (folder / "posterior" / "predictive_check.csv").is_file()
    assert set(result["means"]) == set(result["fitted"])
    from typer.testing import CliRunner

    from eachcustomer.cli import app

    ran = CliRunner().invoke(
        app,
        [
            "run",
            str(folder / "scenario.toml"),
            "--posterior",
            str(folder / "posterior"),
            "--steps",
            "2",
            "--out",
            str(tmp_path / "run.csv"),
        ],
    )
    assert ran.exit_code == 0, ran.output
    assert (tmp_path / "run.csv").stat().st_size > 0


def test_the_fitted_organization_becomes_the_sessions_scenario(page):
    from eachcustomer.dashboard.settings import build_setup, default_settings

    means = {"disposition_mean": -0.07, "base_churn": 0.0021, "turnover_rate": 0.0035}
    settings, message = page.fitted_settings(example_files(), means, default_settings())
    assert settings["chart"]["filename"] == "org_chart.csv"
    assert settings["chart"]["departments_filename"] == "departments.csv"
    setup = build_setup(settings)
    assert setup.org.size == 180
    assert setup.params.disposition_mean == -0.07 and setup.params.base_churn == 0.0021
    assert "180 employees" in message and "disposition_mean = -0.07" in message
    stored = example_files()
    del stored["chart"]
    settings, message = page.fitted_settings(stored, means, default_settings())
    assert settings is None and "upload it again" in message


def test_a_file_the_browser_refused_as_too_large_is_said_next_to_its_upload(page):
    from eachcustomer.dashboard.settings import MAX_CHART_BYTES

    refusal = {"filename": "huge.csv", "size": MAX_CHART_BYTES * 2, "at": 1}
    arguments = list(values(None, None, "", example_files()))
    arguments[len(ROLES) + list(ROLES).index("turnover")] = refusal
    arguments[2 * len(ROLES) + list(ROLES).index("turnover")] = "huge.csv"
    stored = page.collected("firm-upload-turnover-refused", tuple(arguments))
    *messages, table, _summary = page.show_files(stored)
    said = text_of(messages[list(ROLES).index("turnover")])
    assert "huge.csv: the file is 4.0 MB; the limit is 2 MB" in said
    assert "No targets yet" in text_of(table)


def test_the_estimate_before_a_fit_is_the_one_the_fit_prints_when_it_starts(page):
    from eachcustomer.experiments.calibration.budget import EVALUATIONS_PER_PARTICLE

    sizes = {"population_size": 20, "populations": 3, "max_minutes": 2}
    said = page.estimate_fit(1, example_files(), 20, 3, 2)
    assert said.startswith("Estimated cost: one evaluation takes"), said
    # about size x (1 + evaluations per particle x populations) evaluations, on one worker
    assert f"about {round(20 * (1 + EVALUATIONS_PER_PARTICLE * 3)):,} evaluations" in said
    assert "on 1 worker(s)" in said
    assert "from 1 to 10" in page.estimate_fit(1, example_files(), 20, 11, 2).children
    stored = example_files()
    del stored["chart"]
    assert "chart" in page.estimate_fit(1, stored, *sizes.values()).children.lower()
