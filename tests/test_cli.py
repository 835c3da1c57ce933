"""The command line as a user types it: run, scenarios, errors without tracebacks."""

from __future__ import annotations

import pandas as pd
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
    assert table["intervention_spend_total"].iloc[-1] == 500 * 150.0
    none = runner.invoke(
        app, ["run", "equal_budget", "--plan", "none", "--steps", "30", "--out", str(out)]
    )
    assert none.exit_code == 0
    assert pd.read_csv(out)["intervention_spend_total"].iloc[-1] == 0.0
