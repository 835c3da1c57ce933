"""The command line as a user types it: run, scenarios, errors without tracebacks."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from eachcustomer.cli import app

runner = CliRunner()


def test_run_prints_summary_and_writes_outputs(tmp_path):
    out = tmp_path / "weekly.parquet"
    result = runner.invoke(
        app, ["run", "--steps", "12", "--seed", "4", "--employees", "120", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "Mean attitude by distance" in result.output
    assert "customers lost per year" in result.output
    table = pd.read_parquet(out)
    assert list(table["week"]) == list(range(13))
    again = tmp_path / "weekly.csv"
    runner.invoke(
        app, ["run", "--steps", "12", "--seed", "4", "--employees", "120", "--out", str(again)]
    )
    pd.testing.assert_series_equal(
        pd.read_csv(again)["mean_attitude"], table["mean_attitude"], check_exact=False, rtol=1e-12
    )


def test_bad_output_suffix_is_a_clear_error_and_nothing_runs(tmp_path):
    result = runner.invoke(app, ["run", "--out", str(tmp_path / "weekly.txt")])
    assert result.exit_code == 2
    assert "use a .csv or .parquet" in result.output
    assert "Traceback" not in result.output
    assert not list(tmp_path.iterdir())


def test_unknown_scenario_lists_the_built_in_ones():
    result = runner.invoke(app, ["run", "no_such_scenario"])
    assert result.exit_code == 2
    assert "baseline" in result.output


def test_scenarios_lists_titles():
    result = runner.invoke(app, ["scenarios"])
    assert result.exit_code == 0
    assert "Baseline" in result.output


def test_run_a_scenario_plan_spends_its_budget(tmp_path):
    out = tmp_path / "weekly.csv"
    result = runner.invoke(
        app, ["run", "equal_budget", "--plan", "training_day", "--steps", "30", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    # 8 hours at the default wage cost of $45.65 plus $304 direct, for all 500 employees.
    assert table["intervention_spend_total"].iloc[-1] == pytest.approx(500 * (8 * 45.65 + 304))
    none = runner.invoke(
        app, ["run", "equal_budget", "--plan", "none", "--steps", "30", "--out", str(out)]
    )
    assert none.exit_code == 0
    assert pd.read_csv(out)["intervention_spend_total"].iloc[-1] == 0.0


# --- no user mistake ends in a traceback ------------------------------------------------------


@pytest.fixture
def wide(monkeypatch):
    """Messages on one line (rich wraps at the terminal's width, 80 without one)."""
    monkeypatch.setenv("COLUMNS", "1000")


@pytest.fixture
def nothing_runs(monkeypatch):
    """Fail the test if a simulation starts: the mistake must be caught before."""
    import eachcustomer.run

    def refuse(*args, **kwargs):
        raise AssertionError("a simulation started")

    monkeypatch.setattr(eachcustomer.run, "simulate", refuse)


def refused(arguments: list[str]) -> str:
    """Run a command that must be refused as a user's mistake; return what it said."""
    result = runner.invoke(app, arguments)
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)  # not an exception that escaped
    assert "Traceback" not in result.output
    return result.output


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--steps", "1000000000"], "--steps: 1,000,000,000 weeks is more than the limit of 5,200"),
        (["--steps", "5201", "--allow-large"], "5,201 weeks is more than the limit of 5,200"),
        (
            ["--employees", "2000000"],
            "--employees: 2,000,000 employees is more than the limit of 200,000; "
            "--allow-large raises it to 2,000,000",
        ),
        (["--employees", "3000000", "--allow-large"], "less than or equal to 2000000"),
        (["--seed", "-1"], "'--seed'"),
        (["--steps", "0"], "'--steps'"),
        (["--departments", "d.csv"], "(--org-chart); without one it would be ignored"),
        (["krackhardt", "--employees", "300"], "--employees 300: the organization comes from"),
        (["--org-chart", "no_such_chart.csv"], "no_such_chart.csv"),
    ],
)
def test_run_refuses_mistakes_with_a_message_before_simulating(
    wide, nothing_runs, arguments, message
):
    assert message in refused(["run", *arguments])


def test_allow_large_lets_a_big_organization_through(wide, monkeypatch):
    import eachcustomer.run

    asked = []

    class ReachedError(Exception):
        pass

    def record(setup, *args, **kwargs):
        asked.append(setup.params.n_employees)
        raise ReachedError

    monkeypatch.setattr(eachcustomer.run, "simulate", record)
    result = runner.invoke(app, ["run", "--employees", "250000", "--allow-large", "--steps", "1"])
    assert isinstance(result.exception, ReachedError) and asked == [250_000]


def test_output_paths_are_checked_before_the_run_and_named_as_given(wide, nothing_runs, tmp_path):
    a_file = tmp_path / "a_file"
    a_file.write_text("")
    cases = {
        str(a_file / "x.csv"): f"{a_file / 'x.csv'}: cannot create it: {a_file} is a file",
        str(a_file / "deeper" / "x.csv"): f"{a_file} is a file, not a folder",
        str(tmp_path): f"{tmp_path}: is a folder; give a file name ending in .csv",
        str(tmp_path / "x.xlsx"): "unknown output format '.xlsx'",
        str(tmp_path / "x"): "unknown output format ''",
    }
    if Path("/proc").is_dir():
        cases["/proc/x.csv"] = "/proc/x.csv: cannot write in /proc"
    for out, message in cases.items():
        assert message in refused(["run", "--out", out]), out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_file"]


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root writes in read-only folders"
)
def test_a_read_only_folder_is_refused_before_the_run(wide, nothing_runs, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    try:
        said = refused(["run", "--out", str(locked / "sub" / "x.csv")])
    finally:
        locked.chmod(0o755)
    assert f"{locked / 'sub' / 'x.csv'}: cannot write in {locked}" in said


def test_a_failed_write_names_the_users_path(wide, tmp_path, monkeypatch):
    def fail(self, *args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_text", fail)  # the CSV's temporary file (no pandas)
    out = tmp_path / "weekly.csv"
    said = refused(["run", "--steps", "2", "--employees", "40", "--out", str(out)])
    assert f"error: {out}: cannot write it (No space left on device)" in said
    assert ".tmp" not in said and list(tmp_path.iterdir()) == []


def test_deeply_nested_toml_is_a_message_not_a_recursion_error(wide, tmp_path):
    for name, text in (
        ("arrays.toml", 'title = "x"\nx = ' + "[" * 2000 + "]" * 2000 + "\n"),
        ("tables.toml", 'title = "x"\nx = ' + "{a=" * 2000 + "1" + "}" * 2000 + "\n"),
    ):
        path = tmp_path / name
        path.write_text(text)
        # Refused before parsing (eachcustomer.experiments.loading.files.MAX_TOML_DEPTH).
        assert f"{path}: keys nested 2,001 levels deep" in refused(["run", str(path)])
        said = refused(["sweep", str(path), "--out", str(tmp_path / "out"), "--dry-run"])
        assert "levels deep" in said


def test_ctrl_c_during_a_run_is_a_short_message(monkeypatch):
    import eachcustomer.run

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(eachcustomer.run, "simulate", interrupted)
    result = runner.invoke(app, ["run", "--steps", "2"])
    assert result.exit_code == 130 and "Interrupted." in result.output


SPEC = 'title = "t"\nseed = 1\nweeks = 3\n[parameters]\nn_employees = 40\n'


def test_sweep_dry_run_counts_without_building_the_design(wide, tmp_path, monkeypatch):
    from eachcustomer.experiments.loading.sweeps import Sweep

    def refuse(self):
        raise AssertionError("the design was built")

    monkeypatch.setattr(Sweep, "design", refuse)
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC + "negativity_bias = { low = 1, high = 3, steps = 7 }\n")
    result = runner.invoke(app, ["sweep", str(spec), "--out", str(tmp_path / "o"), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "full_factorial, 7 runs of 3 weeks" in result.output
    huge = tmp_path / "huge.toml"
    huge.write_text(
        "replications = 100000\n" + SPEC + "negativity_bias = ["
        f"{', '.join(str(1 + i / 20) for i in range(100))}]\n"
    )
    assert "10,000,000 runs is more than the limit of 1,000,000; --allow-large raises" in (
        refused(["sweep", str(huge), "--out", str(tmp_path / "o"), "--dry-run"])
    )
    allowed = runner.invoke(
        app, ["sweep", str(huge), "--out", str(tmp_path / "o"), "--dry-run", "--allow-large"]
    )
    assert allowed.exit_code == 0 and "10,000,000 runs of 3 weeks" in allowed.output
    assert not (tmp_path / "o").exists()


def test_sweep_and_analyze_refuse_mistakes_with_a_message(wide, tmp_path):
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC)
    a_file = tmp_path / "a_file"
    a_file.write_text("")
    out = str(tmp_path / "o")
    for arguments, message in (
        (["sweep", str(spec), "--out", str(a_file)], f"{a_file}: is a file, not a folder"),
        (["sweep", str(spec), "--out", str(a_file / "o")], f"{a_file} is a file, not a folder"),
        (
            ["sweep", str(tmp_path / "none.toml"), "--out", out],
            "none.toml: no such sweep spec file",
        ),
        (["sweep", str(tmp_path), "--out", out], f"{tmp_path}: a folder, not a sweep spec file"),
        (
            ["sweep", str(spec), "--out", out, "--dask-local", "--dask-scheduler", "tcp://x:1"],
            "choose one",
        ),
        (["analyze", str(tmp_path / "none")], "not a sweep's results folder"),
        (["analyze", out, "--confidence", "nan"], "'--confidence'"),
        (["analyze", out, "--confidence", "inf"], "'--confidence'"),
        (["analyze", out, "--report", str(a_file / "r")], f"{a_file} is a file, not a folder"),
    ):
        assert message in refused(arguments), arguments


# --- what the help and the summary say ----------------------------------------------------

COMMANDS = [[], *([name] for name in typer.main.get_command(app).commands)]  # app, commands


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "eachcustomer")
def test_every_help_shows_options_without_odd_type_labels(wide, command):
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "--help" in result.output
    # A flag takes no value, so it has no type; typer 0.29 labels every option by type.
    assert "<bool>" not in result.output and "BOOLEAN" not in result.output


def test_run_help_keeps_its_bracketed_words(wide):
    text = " ".join(runner.invoke(app, ["run", "--help"]).output.split())
    assert "Weeks to simulate (default: the scenario's horizon)." in text
    assert "one of the scenario's own plans or of the plan library" in text
    assert "--steps WEEKS [x>=1]" in text and "--org-chart FILE" in text


def chart_file(tmp_path: Path) -> Path:
    """A small chart whose departments come in no particular order."""
    rows = ["employee_id,manager_id,department,customer_facing", "1,,Zeta,no"]
    rows += [f"{i},1,dept 10,yes" for i in range(2, 6)]
    rows += [f"{i},1,dept 2,no" for i in range(6, 9)]
    rows += [f"{i},1,alpha,yes" for i in range(9, 12)]
    path = tmp_path / "our_chart.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_a_run_on_an_org_chart_is_announced_by_the_chart(wide, tmp_path):
    result = runner.invoke(app, ["run", "--org-chart", str(chart_file(tmp_path)), "--steps", "2"])
    assert result.exit_code == 0, result.output
    first = result.output.strip().splitlines()[0]
    assert first.startswith("our_chart.csv (your org chart), with the settings of scenario ")
    assert "Baseline: an ordinary organization" not in result.output


def test_departments_are_listed_by_name_whatever_the_chart_order(wide, tmp_path):
    result = runner.invoke(app, ["run", "--org-chart", str(chart_file(tmp_path)), "--steps", "2"])
    table = result.output.split("Mean attitude by department")[1].split("Customers")[0]
    listed = [line.split("│")[1].strip() for line in table.splitlines() if line.count("│") == 4]
    assert listed == ["alpha", "dept 2", "dept 10", "Zeta"]


def test_a_run_with_a_plan_says_which_plan_ran(wide):
    result = runner.invoke(app, ["run", "wrong_customer", "--plan", "aligned", "--steps", "2"])
    assert "Plan 'aligned' (the scenario's own plan): incentive_alignment" in result.output
    library = runner.invoke(app, ["run", "equal_budget", "--plan", "training_day", "--steps", "2"])
    assert "Plan 'training_day' (plan library: " in library.output
    plain = runner.invoke(app, ["run", "--steps", "2"])
    assert "Plan " not in plain.output


def test_money_in_the_summary_carries_its_unit(wide):
    result = runner.invoke(app, ["run", "--steps", "2", "--employees", "60"])
    assert "revenue, total (currency units)" in result.output
    assert "revenue net of spend (currency units)" in result.output
    assert "US dollars at the shipped defaults" in " ".join(result.output.split())


def test_a_chart_without_customer_facing_flags_points_to_a_departments_table(
    wide, nothing_runs, tmp_path
):
    chart = tmp_path / "flagless.csv"
    chart.write_text("employee_id,manager_id,department\n1,,hq\n2,1,shop\n", encoding="utf-8")
    message = refused(["run", "--org-chart", str(chart)])
    assert "flagless.csv: line 1: missing required column 'customer_facing'" in message
    assert "give it with --departments FILE" in message
    assert "krackhardt_departments.csv" in message
    assert "department,customer_facing,handles_complaints,customer_weight" in message


def test_every_bad_row_of_an_org_chart_is_listed(wide, nothing_runs, tmp_path):
    chart = tmp_path / "rows.csv"
    chart.write_text(
        "employee_id,manager_id,department,customer_facing\n"
        "1,,hq,no\n2,9,shop,yes\n3,1,shop,sometimes\n3,1,shop,yes\n",
        encoding="utf-8",
    )
    message = refused(["run", "--org-chart", str(chart)])
    assert "rows.csv: line 3: manager_id 9 does not exist" in message
    assert "rows.csv: line 4: customer_facing 'sometimes' is not a flag" in message
    assert "rows.csv: line 5: employee_id 3 duplicates line 4" in message
