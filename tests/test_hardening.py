"""A hostile or careless user: sizes, non-numbers, files outside, formulas in CSV cells.

Each class of issue 12 has several cases here; the command line's own messages are in
tests/test_cli.py.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eachcustomer.experiments.loading.files import (
    OutputPathError,
    columns_csv_text,
    csv_text,
    safe_csv_frame,
    write_columns,
    write_table,
)
from eachcustomer.experiments.loading.scenario_files import (
    DATA_FOLDER,
    ScenarioError,
    load_scenario,
)
from eachcustomer.experiments.loading.sweeps import Sweep, SweepSpecError, load_sweep, parse_sweep
from eachcustomer.sim.interventions import Coverage, Intervention
from eachcustomer.sim.limits import (
    DASHBOARD_SWEEP_LIMITS,
    DEFAULT_LIMITS,
    LARGE_LIMITS,
    LimitError,
    Limits,
)
from eachcustomer.sim.params import Department, ParamsError, make_params

SPEC = 'title = "t"\nseed = 1\nweeks = 5\n'


def write(folder: Path, text: str, name: str = "file.toml") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture
def no_design(monkeypatch):
    """Building a design (or sampling one) fails the test: sizes must be counted."""

    def refuse(self):
        raise AssertionError("the design was built")

    monkeypatch.setattr(Sweep, "design", refuse)
    monkeypatch.setattr(Sweep, "sample", refuse)


# --- 1. sizes are counted from the spec, before anything is built -------------------------


@pytest.mark.parametrize(
    "body, runs",
    [
        (
            "[parameters]\nboss_weight = { low = 0.5, high = 4, steps = 100000 }\n"
            "peer_weight = { low = 0.5, high = 4, steps = 100000 }\n",
            "10,000,000,000 runs",
        ),
        (
            '[design]\nkind = "sobol"\nsamples = 1073741824\n'
            "[parameters]\nboss_weight = { low = 0.5, high = 4 }\n",
            "3,221,225,472 runs",  # N (D + 2) with N = 2**30, D = 1
        ),
        (
            '[design]\nkind = "sobol"\nsamples = 1048576\nsecond_order = true\n'
            "[parameters]\nboss_weight = { low = 0.5, high = 4 }\n"
            "peer_weight = { low = 0.5, high = 4 }\n",
            "6,291,456 runs",  # N (2D + 2)
        ),
        (
            '[design]\nkind = "morris"\nsamples = 500000\n'
            "[parameters]\nboss_weight = { low = 0.5, high = 4 }\n"
            "peer_weight = { low = 0.5, high = 4 }\n",
            "1,500,000 runs",  # trajectories x (D + 1)
        ),
        (
            '[design]\nkind = "latin_hypercube"\nsamples = 2000000\n'
            "[parameters]\nboss_weight = { low = 0.5, high = 4 }\n",
            "2,000,000 runs",
        ),
        (
            "replications = 100000\n[parameters]\nnegativity_bias = ["
            + ", ".join(str(1 + i / 20) for i in range(100))
            + "]\n",
            "10,000,000 runs",
        ),
    ],
)
def test_too_many_runs_are_refused_from_the_spec_alone(tmp_path, no_design, body, runs):
    # `no_design` fails the test if the design is built: the runs are counted from the spec.
    with pytest.raises(LimitError) as refusal:
        load_sweep(write(tmp_path, SPEC + body))
    assert runs in str(refusal.value) and "limit of 1,000,000" in str(refusal.value)
    assert "file.toml: design" in str(refusal.value)


def test_allow_large_raises_the_run_limit_but_not_without_end(tmp_path, no_design):
    values = ", ".join(str(1 + i / 20) for i in range(100))
    text = SPEC + f"replications = 100000\n[parameters]\nnegativity_bias = [{values}]\n"
    sweep = load_sweep(write(tmp_path, text), limits=LARGE_LIMITS)
    assert sweep.runs == 100 * 100_000
    sobol = SPEC + (
        '[design]\nkind = "sobol"\nsamples = 1073741824\n'
        "[parameters]\nboss_weight = { low = 0.5, high = 4 }\n"
    )
    with pytest.raises(LimitError, match="more than the limit of 10,000,000"):
        load_sweep(write(tmp_path, sobol, "sobol.toml"), limits=LARGE_LIMITS)


@pytest.mark.parametrize(
    "body, message",
    [
        ("[parameters]\nn_employees = 300000\n", "300,000 employees is more than the limit"),
        ("[parameters]\nn_employees = [100, 250000]\n", "250,000 employees"),
        (
            '[design]\nkind = "latin_hypercube"\nsamples = 4\n'
            "[parameters]\nn_employees = { low = 100, high = 400000 }\n",
            "400,000 employees",
        ),
        (
            "[parameters]\nn_employees = 20000\ncustomers_per_employee = [10, 1000]\n",
            "20,000,000 customers (20,000 employees x 1000 customers_per_employee)",
        ),
    ],
)
def test_a_sweep_too_big_for_one_run_is_refused_before_a_model_is_built(
    tmp_path, monkeypatch, body, message
):
    import eachcustomer.sim.model

    def refuse(*args, **kwargs):
        raise AssertionError("a model was built")

    monkeypatch.setattr(eachcustomer.sim.model.OrgModel, "__init__", refuse)
    with pytest.raises(LimitError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_sweep(write(tmp_path, SPEC + body))


@pytest.mark.parametrize(
    "kind, extra, ranges",
    [
        ("full_factorial", "", "{ low = 1, high = 2, steps = 3 }"),
        ("latin_hypercube", "samples = 7\n", "{ low = 1, high = 2 }"),
        ("sobol", "samples = 4\n", "{ low = 1, high = 2 }"),
        ("sobol", "samples = 4\nsecond_order = true\n", "{ low = 1, high = 2 }"),
        ("morris", "samples = 3\n", "{ low = 1, high = 2 }"),
    ],
)
def test_counted_runs_are_the_design_length(tmp_path, kind, extra, ranges):
    text = SPEC + (
        f'replications = 2\n[design]\nkind = "{kind}"\n{extra}'
        f"[parameters]\nn_employees = 40\nboss_weight = {ranges}\npeer_weight = {ranges}\n"
        "negativity_bias = [1, 2, 3]\n"
    )
    sweep = load_sweep(write(tmp_path, text))
    assert sweep.runs == len(sweep.design())


def test_the_dashboard_limits_apply_to_its_spec_check_without_building(no_design):
    from eachcustomer.dashboard.sweeps.runner import check_spec

    grid = SPEC + (
        "[parameters]\nboss_weight = { low = 0.5, high = 4, steps = 6000 }\n"
        "peer_weight = { low = 0.5, high = 4, steps = 6000 }\n"
    )
    sweep, message = check_spec(grid)
    assert sweep is None
    assert "36,000,000 runs is more than the limit of 400" in message
    assert "eachcustomer sweep" in message
    sweep, message = check_spec(SPEC + "[parameters]\nn_employees = 6000\n")
    assert sweep is None and "6,000 employees is more than the limit of 5,000" in message
    assert "keys nested 2,001 levels deep" in check_spec("x = " + "[" * 2000 + "]" * 2000)[1]


def test_limits_name_the_number_the_limit_and_the_way_up():
    with pytest.raises(LimitError) as refusal:
        DEFAULT_LIMITS.check("employees", 2_000_000, "--employees")
    assert str(refusal.value) == (
        "--employees: 2,000,000 employees is more than the limit of 200,000; "
        "limits=LARGE_LIMITS (on the command line, --allow-large) raises it to 2,000,000"
    )
    with pytest.raises(LimitError, match="the limits are in sim/limits.py"):
        LARGE_LIMITS.check("runs", 10_000_001, "spec")
    with pytest.raises(LimitError, match="5,201 weeks is more than the limit of 5,200 \\(100"):
        DEFAULT_LIMITS.check("weeks", 5201, "--steps")
    DASHBOARD_SWEEP_LIMITS.check("runs", 400, "spec")  # at the limit is allowed


TINY = Limits(weeks=52, employees=5, customers=100, runs=10)


def test_a_scenario_too_big_is_refused_by_load_scenario_naming_the_key(tmp_path):
    with pytest.raises(LimitError, match=r"--employees: 300,000 employees .* limit of 200,000"):
        load_scenario(employees=300_000)
    big = write(tmp_path, 'title = "x"\n[organization]\nemployees = 250000\n')
    with pytest.raises(LimitError, match=r"file\.toml: organization\.employees: 250,000"):
        load_scenario(big)
    crowd = write(
        tmp_path, 'title = "x"\n[parameters]\nn_employees = 20000\ncustomers_per_employee = 600\n'
    )
    with pytest.raises(LimitError, match=r"file\.toml: 12,000,000 customers"):
        load_scenario(crowd)
    assert load_scenario(crowd, limits=LARGE_LIMITS).params.n_employees == 20000
    with pytest.raises(LimitError, match="104 weeks is more than the limit of 52"):
        load_scenario(employees=4, limits=TINY)


def test_an_org_chart_over_the_limit_is_refused_while_it_is_read(tmp_path):
    rows = "".join(f"{i},{0 if i else ''},sales,true\n" for i in range(8))
    chart = write(tmp_path, "employee_id,manager_id,department,customer_facing\n" + rows, "c.csv")
    tiny = Limits(weeks=5200, employees=5, customers=100, runs=10)
    with pytest.raises(LimitError, match="c.csv: more than 5 employees listed"):
        load_scenario(org_chart=chart, limits=tiny)
    scenario = write(
        tmp_path, 'title = "x"\n[organization]\nchart = "c.csv"\nstaff_per_manager = 3\n'
    )
    with pytest.raises(LimitError, match=r"organization\.chart: c\.csv: more than 1 employees"):
        load_scenario(scenario, limits=tiny)
    assert load_scenario(org_chart=chart).org.size == 8


# --- 2. numbers that are not numbers -------------------------------------------------------


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("name", ["contagion_rate", "revenue_per_customer", "n_employees"])
def test_params_refuse_non_numbers_naming_the_key(name, value):
    with pytest.raises(ParamsError, match=f"^{name}: Input should be a finite number"):
        make_params({name: value})


@pytest.mark.parametrize(
    "make",
    [
        lambda: Intervention(kind="training_day", cost_per_participant_week=math.inf),
        lambda: Intervention(kind="training_day", strength=math.nan),
        lambda: Coverage(share=math.nan),
        lambda: Department(name="x", share=math.inf, customer_facing=True),
    ],
)
def test_interventions_and_departments_refuse_non_numbers(make):
    with pytest.raises(ValueError, match="finite number"):
        make()


@pytest.mark.parametrize(
    "text, key",
    [
        (
            '[[interventions]]\nkind = "training_day"\ncost_per_participant_week = inf\n',
            r"interventions\.0\.cost_per_participant_week",
        ),
        (
            '[[plans.a]]\nkind = "language"\ncoverage = { share = nan }\n',
            r"plans\.a\.0\.coverage\.share",
        ),
        ("[parameters]\nboss_weight = -inf\n", r"parameters\.boss_weight"),
        ('[[individuals]]\ndepartment = "sales"\nattitude = nan\n', r"individuals\.0\.attitude"),
    ],
)
def test_scenarios_refuse_non_numbers_naming_file_and_key(tmp_path, text, key):
    path = write(tmp_path, 'title = "x"\n' + text)
    with pytest.raises(ScenarioError, match=rf"file\.toml: {key}: Input should be"):
        load_scenario(path)


@pytest.mark.parametrize(
    "body, key",
    [
        ("[parameters]\nboss_weight = nan\n", r"parameters\.boss_weight: expected a finite"),
        ("[parameters]\nboss_weight = [1.0, inf]\n", r"parameters\.boss_weight\[1\]: expected"),
        (
            "[parameters]\nboss_weight = { low = -inf, high = 2, steps = 2 }\n",
            r"parameters\.boss_weight\.low: expected a finite",
        ),
        (
            '[levers]\nplan = ["none", "t"]\nbudget = nan\n[[plans.t]]\nkind = "training_day"\n',
            r"levers\.budget: a budget must be a finite number",
        ),
        (
            '[levers]\nplan = ["none", "t"]\nbudget = [100, inf]\n'
            '[[plans.t]]\nkind = "training_day"\n',
            r"levers\.budget: a budget must be a finite number",
        ),
        (
            '[levers]\nplan = ["none", "t"]\n[[plans.t]]\nkind = "training_day"\n'
            "cost_per_participant_week = inf\n",
            r"plans\.t\.0\.cost_per_participant_week: Input should be a finite number",
        ),
    ],
)
def test_sweeps_refuse_non_numbers_naming_the_key(tmp_path, body, key):
    with pytest.raises(SweepSpecError, match=rf"file\.toml: {key}"):
        load_sweep(write(tmp_path, SPEC + body))


# --- 4. silently ignored input --------------------------------------------------------------


CHART = "employee_id,manager_id,department,customer_facing\n1,,sales,true\n2,1,sales,true\n"


@pytest.mark.parametrize(
    "organization, message",
    [
        (
            'chart = "c.csv"\nemployees = 300\n',
            r"chart and employees are both given.*organization\.employees",
        ),
        ('chart = "c.csv"\nspan_of_control = 4\n', r"chart and span_of_control are both given"),
        ('departments_table = "d.csv"\n', r"departments_table applies to an org chart"),
        ("staff_per_manager = 3\n", r"staff_per_manager applies to an org chart"),
    ],
)
def test_a_scenario_cannot_give_an_org_chart_and_a_generated_shape(tmp_path, organization, message):
    write(tmp_path, CHART, "c.csv")
    path = write(tmp_path, 'title = "x"\n[organization]\n' + organization)
    with pytest.raises(ScenarioError, match=rf"file\.toml: organization: {message}"):
        load_scenario(path)


def test_a_head_count_next_to_an_org_chart_is_refused(tmp_path):
    chart = write(tmp_path, CHART, "c.csv")
    with pytest.raises(ScenarioError, match="--employees 300: the organization comes from"):
        load_scenario("krackhardt", employees=300)
    with pytest.raises(ScenarioError, match="--employees 300: the organization comes from"):
        load_scenario(org_chart=chart, employees=300)
    path = write(tmp_path, 'title = "x"\n[organization]\nchart = "c.csv"\n[parameters]\n')
    path.write_text(path.read_text() + "n_employees = 50\n")
    with pytest.raises(ScenarioError, match=r"parameters\.n_employees: the organization comes"):
        load_scenario(path)
    with pytest.raises(ScenarioError, match="span_of_control: an org chart fixes it"):
        load_scenario(org_chart=chart, span_of_control=3)


def test_a_departments_table_without_an_org_chart_is_refused(tmp_path):
    table = write(tmp_path, "department,customer_facing\nsales,true\n", "d.csv")
    with pytest.raises(ScenarioError, match=r"departments table .*d\.csv.*--org-chart"):
        load_scenario(departments=table)
    with pytest.raises(ScenarioError, match=r"departments table"):
        load_scenario("krackhardt", departments=table)


# --- 5. files named inside a scenario or a spec stay in its folder --------------------------


@pytest.mark.parametrize(
    "organization, key",
    [
        ('chart = "../outside.csv"', "organization.chart"),
        ('chart = "../../../../../../../../etc/passwd"', "organization.chart"),
        ('chart = "/etc/passwd"', "organization.chart"),
        ('chart = "c.csv"\ndepartments_table = "../outside.csv"', "organization.departments_table"),
        ('chart = "link.csv"', "organization.chart"),
    ],
)
def test_a_scenario_cannot_read_files_outside_its_folder(tmp_path, organization, key):
    write(tmp_path, CHART, "outside.csv")
    write(tmp_path, CHART, "scenario/c.csv")
    (tmp_path / "scenario" / "link.csv").symlink_to(tmp_path / "outside.csv")
    path = write(tmp_path, f'title = "x"\n[organization]\n{organization}\n', "scenario/s.toml")
    with pytest.raises(ScenarioError) as refusal:
        load_scenario(path)
    assert str(refusal.value).startswith(f"{path}: {key}: ")
    assert "is outside the folder" in str(refusal.value)


def test_a_scenario_may_name_files_below_it_and_the_shipped_data(tmp_path):
    write(tmp_path, CHART, "scenario/charts/c.csv")
    below = write(
        tmp_path, 'title = "x"\n[organization]\nchart = "charts/c.csv"\n', "scenario/s.toml"
    )
    assert load_scenario(below).org.size == 2
    shipped = DATA_FOLDER / "krackhardt_high_tech.csv"
    table = DATA_FOLDER / "krackhardt_departments.csv"
    named = write(
        tmp_path,
        f'title = "x"\n[organization]\nchart = "{shipped}"\ndepartments_table = "{table}"\n',
        "elsewhere/s.toml",
    )
    assert load_scenario(named).org.size == 21


@pytest.mark.parametrize("scenario", ["../s.toml", "/etc/passwd", "../../../../../etc/passwd"])
def test_a_sweep_cannot_read_a_scenario_outside_its_folder(tmp_path, scenario):
    write(tmp_path, 'title = "x"\n', "s.toml")
    spec = write(tmp_path, SPEC + f'scenario = "{scenario}"\n', "specs/spec.toml")
    with pytest.raises(SweepSpecError, match=r"spec\.toml: scenario: .* is outside the folder"):
        load_sweep(spec)


def test_a_sweep_reads_a_scenario_next_to_it_and_refuses_unknown_names(tmp_path):
    write(tmp_path, 'title = "mine"\n[parameters]\nn_employees = 40\n', "specs/s.toml")
    spec = write(tmp_path, SPEC + 'scenario = "s.toml"\n', "specs/spec.toml")
    assert load_sweep(spec).setup.params.n_employees == 40
    typo = write(tmp_path, SPEC + 'scenario = "baselin"\n', "specs/typo.toml")
    with pytest.raises(SweepSpecError, match="'baselin' is neither a built-in scenario"):
        load_sweep(typo)
    with pytest.raises(SweepSpecError, match=r"^sweep: scenario: .* is outside the folder"):
        parse_sweep({"title": "t", "seed": 1, "scenario": "/etc/passwd"})


# --- 6. spreadsheet formulas in CSV cells ----------------------------------------------------


def test_text_cells_that_start_a_formula_get_a_quote_and_numbers_stay():
    frame = pd.DataFrame(
        {
            "employee_id": ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "ok"],
            "text_number": ["-3.5", "+2", "-1e-3", "7", "-.5", "=1", None],
            "value": [-1.5, 0.0, 2.25, -0.0, 1e-300, -7e10, np.nan],
            "count": np.arange(-3, 4),
        }
    )
    safe = safe_csv_frame(frame)
    assert list(safe["employee_id"]) == [
        "'=cmd|' /C calc'!A0",
        "'+1+1",
        "'-2+3",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        "ok",
    ]
    assert list(safe["text_number"][:5]) == ["-3.5", "+2", "-1e-3", "7", "-.5"]
    assert safe["text_number"][5] == "'=1" and pd.isna(safe["text_number"][6])
    pd.testing.assert_series_equal(safe["value"], frame["value"])
    pd.testing.assert_series_equal(safe["count"], frame["count"])
    assert frame["employee_id"][0] == "=cmd|' /C calc'!A0"  # the caller's frame is untouched


def test_written_csv_keeps_numbers_exact_and_neutralizes_text(tmp_path):
    frame = pd.DataFrame(
        {
            "plan": pd.Categorical(["=evil()", "none"]),
            "-week": [1, 2],
            "value": [-0.1234567890123, -5.0],
        }
    )
    path = write_table(frame, tmp_path / "t.csv")
    back = pd.read_csv(path)
    assert list(back.columns) == ["plan", "'-week", "value"]
    assert list(back["plan"]) == ["'=evil()", "none"]
    assert back["value"].tolist() == [-0.1234567890123, -5.0]
    parquet = write_table(frame, tmp_path / "t.parquet")
    assert pd.read_parquet(parquet)["plan"].tolist() == ["=evil()", "none"]  # typed, not text


def test_numeric_columns_are_written_as_pandas_writes_them_byte_for_byte(tmp_path):
    """`write_columns` (a run's weekly CSV, without pandas) gives `write_table`'s bytes."""
    floats = np.array(
        [np.nan, np.inf, -np.inf, -0.0, 0.0, 1e-300, 5e-324, -1e-7, 1e-05, 1e-4, 0.1, 1 / 3]
        + [
            0.30000000000000004,
            2.5,
            -7e10,
            1e15,
            1e16,
            1.2345678901234567e17,
            1.7976931348623157e308,
        ]
    )
    count = len(floats)
    columns = {
        "week": np.arange(count, dtype=np.int64),
        "-big": np.array([2**63 - 1, -(2**63), 2**53 + 1] + [10**15] * (count - 3)),
        "value": floats,
        "shuffled": np.random.default_rng(1).permutation(floats) * 1e-200,
        # numpy's shortest float32 text (0.1, not 0.10000000149011612), as pandas writes
        "single": np.arange(count, dtype=np.float32) / np.float32(3) - np.float32(0.1),
        "unsigned": np.arange(count, dtype=np.uint32) * 7,
    }
    assert np.signbit(columns["value"][3])  # -0.0 is in, and must come out as 0.0
    frame = pd.DataFrame(columns)
    for suffix in (".csv", ".parquet"):
        by_pandas = write_table(frame, tmp_path / f"pandas{suffix}").read_bytes()
        written = write_columns(columns, tmp_path / f"columns{suffix}").read_bytes()
        assert written == by_pandas, suffix
    assert columns_csv_text(columns) == csv_text(frame)
    text = columns_csv_text(columns).splitlines()
    assert text[0] == "week,'-big,value,shuffled,single,unsigned"
    rows = [line.split(",")[:3] for line in text[1:]]
    assert rows[0] == ["0", "9223372036854775807", ""]  # NaN is an empty cell
    assert rows[1][2] == "inf" and rows[3] == ["3", "1000000000000000", "0.0"]
    assert [row[2] for row in rows[5:9]] == ["1e-300", "5e-324", "-1e-07", "1e-05"]
    with pytest.raises(TypeError, match="'plan' holds"):
        columns_csv_text({"plan": np.array(["none"])})


def test_a_sweep_report_neutralizes_plan_names(tmp_path):
    from eachcustomer.experiments.reports.report import write_report
    from eachcustomer.experiments.running.executors import SerialExecutor, run_sweep

    text = SPEC + (
        '[parameters]\nn_employees = 40\n[levers]\nplan = ["none", "=HYPERLINK(1)"]\n'
        '[[plans."=HYPERLINK(1)"]]\nkind = "training_day"\n'
    )
    sweep = load_sweep(write(tmp_path, text))
    run_sweep(sweep, tmp_path / "out", SerialExecutor())
    page = write_report(tmp_path / "out")
    runs = pd.read_csv(page.parent / "runs.csv")
    assert sorted(runs["plan"]) == ["'=HYPERLINK(1)", "none"]
    comparison = pd.read_csv(page.parent / "plan_comparison.csv")
    cells = [cell for column in comparison for cell in comparison[column]]
    assert "'=HYPERLINK(1)" in cells and "=HYPERLINK(1)" not in cells
    assert (runs["final_mean_attitude"].abs() <= 1).all()


def test_a_write_that_fails_names_the_users_path_not_a_temporary_file(tmp_path, monkeypatch):
    def fail(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "write_text", fail)  # writing the temporary file fails
    target = tmp_path / "weekly.csv"
    for write in (
        lambda: write_table(pd.DataFrame({"a": [1]}), target),
        lambda: write_columns({"a": np.array([1.5])}, target),
    ):
        with pytest.raises(OutputPathError) as refusal:
            write()
        assert str(refusal.value).startswith(f"{target}: cannot write it (Permission denied); ")
        assert list(tmp_path.iterdir()) == []  # the temporary file is gone
