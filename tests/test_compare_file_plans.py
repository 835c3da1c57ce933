"""Plans from an uploaded scenario file on the Compare page: read, resolved, re-run."""

from __future__ import annotations

import base64
import tomllib

import pytest
import tomli_w
from typer.testing import CliRunner

from eachcustomer.dashboard.compare import uploads as plan_uploads
from eachcustomer.dashboard.compare.comparison import chosen_plans, run_comparison
from eachcustomer.dashboard.settings import build_setup, default_settings, normalize
from eachcustomer.experiments.loading.scenario_files import load_scenario
from eachcustomer.experiments.running.runs import run_replications
from eachcustomer.sim.replications import replication_seeds

SMALL = {"n_employees": 80, "horizon_weeks": 30}
SCENARIO = """title = "A plan found elsewhere"
[parameters]
horizon_weeks = 30

[[interventions]]
kind = "leadership_tone"
start = 2
coverage = { share = 0.5 }

[[plans.recommended]]
kind = "training_day"
start = 3
coverage = { share = 0.4 }

[[plans.recommended]]
kind = "incentive_alignment"
start = 5
coverage = { share = 0.25, departments = ["sales"] }
"""
RECOMMENDED = "file:recommended.toml/recommended"
SCHEDULE = "file:recommended.toml#schedule"


def upload(text: str) -> str:
    """A file as the browser sends it."""
    return "data:application/octet-stream;base64," + base64.b64encode(text.encode()).decode()


def read(text: str, name: str = "recommended.toml") -> tuple:
    return plan_uploads.read_plans(upload(text), name)


@pytest.fixture
def settings() -> dict:
    return {**default_settings("baseline"), "seed": 7, "overrides": SMALL}


def test_the_files_plans_resolve_to_what_the_scenario_loader_reads(settings, tmp_path):
    path = tmp_path / "recommended.toml"
    path.write_text(SCENARIO)
    loaded = load_scenario(path)
    stored, message = read(SCENARIO)
    assert message == (
        "Added to the plans: the file's schedule (recommended.toml), "
        "recommended (from recommended.toml)."
    )
    extra = plan_uploads.entries(stored)
    chosen = chosen_plans([SCHEDULE, RECOMMENDED, "plan:none"], settings, extra=extra)
    assert chosen == {
        "the file's schedule (recommended.toml)": (
            "recommended:schedule",
            loaded.interventions,
        ),
        "recommended (from recommended.toml)": (
            "recommended:recommended",
            loaded.plans["recommended"],
        ),
        "Do nothing": ("none", ()),
    }


def test_a_schedule_that_is_one_of_the_plans_is_listed_once():
    # The plan finder writes its recommended plan as the schedule and as [plans.recommended].
    data = tomllib.loads(SCENARIO)
    data["interventions"] = data["plans"]["recommended"]
    stored, _ = read(tomli_w.dumps(data))
    assert [entry["value"] for entry in stored["plans"]] == [RECOMMENDED]


def test_a_file_plan_re_runs_to_the_numbers_of_run_replications(settings):
    stored, _ = read(SCENARIO)
    extra = plan_uploads.entries(stored)
    result = run_comparison(settings, ["plan:none", RECOMMENDED], 3, "as specified", extra=extra)
    assert result["error"] is None
    setup = build_setup(normalize(settings))
    seeds = replication_seeds(7, 3)
    assert result["seeds"] == [str(seed) for seed in seeds]
    plan = extra[RECOMMENDED][2]
    alone = run_replications(
        setup.params, seeds, {"it": plan}, org=setup.org, individuals=setup.individuals
    )["it"]
    shown = "recommended (from recommended.toml)"
    for column in ("mean_satisfaction", "customers_lost_total"):
        expected = [float(run.series[column].iloc[-1]) for run in alone]
        assert result["finals"][column][shown] == expected
    net = [run.record["net_revenue"] for run in alone]
    assert result["finals"]["net_revenue"][shown] == pytest.approx(net, rel=1e-12)
    assert len(set(result["finals"]["mean_satisfaction"][shown])) == 3


def test_the_exported_sweep_spec_carries_the_file_plan_and_reproduces_it(settings, tmp_path):
    from eachcustomer.cli import app
    from eachcustomer.experiments.running.store import read_runs

    stored, _ = read(SCENARIO)
    extra = plan_uploads.entries(stored)
    result = run_comparison(settings, ["plan:none", RECOMMENDED], 2, "as specified", extra=extra)
    spec = tomllib.loads(result["spec"])
    assert spec["levers"]["plan"] == ["none", "recommended:recommended"]
    assert len(spec["plans"]["recommended:recommended"]) == 2
    path = tmp_path / "spec.toml"
    path.write_text(result["spec"])
    out = tmp_path / "sweep"
    done = CliRunner().invoke(app, ["sweep", str(path), "--out", str(out), "--workers", "1"])
    assert done.exit_code == 0, done.output
    runs = read_runs(out).set_index(["plan", "replication"]).sort_index()
    found = runs.loc["recommended:recommended", "final_mean_satisfaction"].tolist()
    assert found == result["finals"]["mean_satisfaction"]["recommended (from recommended.toml)"]


@pytest.mark.parametrize(
    ("text", "name", "problem"),
    [
        ("title = ", "x.toml", "x.toml: not valid TOML"),
        (
            'title = "t"\n[[plans.a]]\nkind = "magic"\nstart = 1\n',
            "x.toml",
            "x.toml: plans.a.0.kind: Input should be",
        ),
        ('title = "t"\n', "x.toml", "x.toml: no plans"),
        ('title = "t"\nplan = "no_such_plan"\n', "x.toml", "x.toml: plan: no plan 'no_such_plan'"),
        ('title = "t"\n', "x.csv", "x.csv: unknown file type"),
        ("", "x.toml", "x.toml: the upload arrived empty"),
        (" \n", "x.toml", "x.toml: the file is empty; expected a title and plans"),
    ],
)
def test_a_bad_file_gets_a_message_naming_the_problem(text, name, problem):
    contents = upload(text) if text else None
    stored, message = plan_uploads.read_plans(contents, name)
    assert stored is None
    assert message.startswith(problem), message
    assert "/tmp" not in message and "eachcustomer-plans" not in message


def test_a_file_plan_for_a_department_the_organization_lacks_is_refused_by_name(settings):
    stored, _ = read(SCENARIO.replace('"sales"', '"finance dept"'))
    result = run_comparison(
        settings, ["plan:none", RECOMMENDED], 2, extra=plan_uploads.entries(stored)
    )
    assert result["error"].startswith(
        "recommended (from recommended.toml).1.coverage.departments: no department 'finance dept'"
    )


def test_a_tampered_store_is_checked_again():
    stored, _ = read(SCENARIO)
    stored["plans"][1]["interventions"][0]["kind"] = "magic"
    with pytest.raises(ValueError, match=r"recommended.toml: plans.recommended.0.kind"):
        plan_uploads.entries(stored)
    assert plan_uploads.entries({"plans": "nonsense"}) == {}
    assert plan_uploads.menu_options(None) == []
