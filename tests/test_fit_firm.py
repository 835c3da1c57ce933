"""`eachcustomer fit-firm`: a folder of a firm's files in, a fitted organization that `run`
and `sweep` accept out."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from eachcustomer.cli import app
from eachcustomer.experiments.calibration.targets import load_targets
from eachcustomer.experiments.firmdata.fitting import MIN_FIT_RESPONDENTS, choose, priors_for

runner = CliRunner()
EXAMPLE = Path(__file__).resolve().parents[1] / "scenarios" / "data" / "harbour_supply"


def said(result) -> str:
    return " ".join(result.output.split())


def test_only_what_the_files_inform_is_fitted_and_large_departments_are_fit_targets():
    derived = load_targets(EXAMPLE / "derived_targets.toml")
    table = pd.DataFrame(
        [
            {
                "key": t.key,
                "statistic": t.statistic.name,
                "week": t.week,
                "n": int(t.source.split("n = ")[1].split(";")[0]),
            }
            for t in derived.targets
        ]
    )
    chosen = choose(table).set_index("key")
    assert "net_promoter_score" not in chosen.index  # no like-for-like statistic yet
    survey = chosen[chosen["statistic"] == "department_survey_score"]
    assert ((survey["use"] == "fit") == (survey["n"] >= MIN_FIT_RESPONDENTS)).all()
    assert chosen.loc["staff_turnover", "use"] == "fit"
    assert chosen.loc["turnover_sales", "use"] == "check"
    assert set(priors_for(chosen.reset_index())) == {
        "disposition_mean",
        "drift_rate",
        "turnover_rate",
        "base_churn",
    }
    one_wave = chosen[chosen["week"].isna() | (chosen["week"] == 65)].reset_index()
    assert "drift_rate" not in priors_for(one_wave)


def test_fit_firm_writes_a_fitted_organization_that_run_and_sweep_accept(tmp_path):
    pytest.importorskip("pyabc")
    out = tmp_path / "fitted"
    result = runner.invoke(
        app,
        [
            "fit-firm",
            str(EXAMPLE),
            "--out",
            str(out),
            "--workers",
            "1",
            "--population-size",
            "10",
            "--populations",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Estimated cost" in said(result)
    assert "effective sample size" in said(result)
    for name in ("scenario.toml", "org_chart.csv", "targets.toml", "sweep.toml", "plan.toml"):
        assert (out / name).is_file(), name
    manifest = json.loads((out / "posterior" / "manifest.json").read_text())
    assert manifest["drawn_from"]["parameters"] and "base_churn" in manifest["priors"]
    ran = runner.invoke(
        app,
        ["run", str(out / "scenario.toml"), "--posterior", str(out / "posterior"), "--steps", "3"],
    )
    assert ran.exit_code == 0, ran.output
    assert "Parameters drawn from the posterior" in said(ran)
    swept = runner.invoke(
        app, ["sweep", str(out / "sweep.toml"), "--out", str(tmp_path / "s"), "--dry-run"]
    )
    assert swept.exit_code == 0, swept.output
    planned = runner.invoke(
        app, ["plan", str(out / "plan.toml"), "--out", str(tmp_path / "p"), "--dry-run"]
    )
    assert planned.exit_code == 0, planned.output
    assert "fitted parameters drawn for its seed from the posterior" in said(planned)


def test_a_folder_without_a_scenario_is_refused_with_what_it_needs(tmp_path):
    folder = tmp_path / "firm"
    shutil.copytree(EXAMPLE, folder)
    (folder / "harbour_supply.toml").unlink()
    result = runner.invoke(app, ["fit-firm", str(folder), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "needs exactly one scenario file with an [organization] table" in said(result)
    assert "Traceback" not in result.output
