"""Plans restricted to departments and levels: on the Compare page, in its exported spec,
and in Explore's intervention form."""

from __future__ import annotations

import tomllib

import pytest
from typer.testing import CliRunner

from dashboard.compare import chosen_plans, run_comparison
from dashboard.explore_changes import form_coverage
from dashboard.plan_coverage import coverage_words, restrict_plan, restricted_name
from dashboard.settings import SettingsError, build_setup, default_settings
from eachcustomer.cli import app
from experiments.store import read_runs
from sim.budget import cost_basis, intervention_cost
from sim.interventions import Intervention

TRAINING = Intervention(kind="training_day", start=5, cost_per_participant_week=100.0)
HIRING = Intervention(kind="hiring_for_attitude", start=5)
TONE = Intervention(kind="leadership_tone", start=5)  # levels 1 and 2 by default


def test_a_restriction_narrows_every_intervention_but_hiring():
    training, hiring, tone = restrict_plan(
        (TRAINING, HIRING, TONE), ["customer service", "sales"], [2, 3]
    )
    assert training.coverage.departments == ("customer service", "sales")
    assert training.coverage.levels == (2, 3)
    assert hiring == HIRING  # every hire: coverage does not restrict it
    assert tone.coverage.levels == (2,)  # its own levels 1, 2 narrowed to the chosen 2, 3
    assert restrict_plan((TRAINING,), [], []) == (TRAINING,)


def test_restricted_plans_are_named_and_described_by_whom_they_reach():
    assert restricted_name("training_day", ["customer service"], [3]) == (
        "training_day_in_customer_service_level_3"
    )
    assert restricted_name("training_day", [], []) == "training_day"
    (narrow,) = restrict_plan((TRAINING,), ["sales"], [])
    assert coverage_words(narrow) == "100% of sales"
    (nobody,) = restrict_plan(restrict_plan((TONE,), [], [1]), [], [3])
    assert coverage_words(nobody).startswith("nobody")


SETTINGS = {**default_settings(), "overrides": {"n_employees": 120, "horizon_weeks": 30}}


def test_compare_runs_a_plan_for_one_department_at_its_cost():
    restrictions = {"plan:training_day": {"departments": ["customer service"], "levels": []}}
    plans = chosen_plans(["plan:none", "plan:training_day"], SETTINGS, restrictions)
    assert list(plans) == ["Do nothing", "One-off training day (customer service)"]
    name, (training,) = plans["One-off training day (customer service)"]
    assert name == "training_day_in_customer_service"
    result = run_comparison(
        SETTINGS, ["plan:none", "plan:training_day"], 2, "as specified", None, None, restrictions
    )
    assert result["error"] is None
    setup = build_setup(SETTINGS)
    org = cost_basis(setup.params, setup.org)
    serving = int((org.department == org.department_names.index("customer service")).sum())
    cost = {plan["name"]: plan["cost"] for plan in result["plans"]}
    assert cost["One-off training day (customer service)"] == pytest.approx(
        serving * training.price_per_participant_week(setup.params.wage_cost_per_hour)
    )
    assert cost["One-off training day (customer service)"] == intervention_cost(
        training, org, setup.params
    )
    assert "customer service" in result["plans"][1]["description"]


def test_an_unknown_department_is_a_message_not_a_crash():
    restrictions = {"plan:training_day": {"departments": ["nowhere"], "levels": []}}
    result = run_comparison(
        SETTINGS, ["plan:none", "plan:training_day"], 2, "as specified", None, None, restrictions
    )
    assert "no department 'nowhere'" in result["error"]


def test_the_spec_of_a_restricted_comparison_reproduces_it(tmp_path):
    restrictions = {"plan:culture_change": {"departments": ["sales"], "levels": [3, 4]}}
    result = run_comparison(
        SETTINGS,
        ["plan:none", "plan:training_day", "plan:culture_change"],
        2,
        "coverage",
        None,
        None,
        restrictions,
    )
    assert result["error"] is None and result["spec"]
    spec = tomllib.loads(result["spec"])
    assert spec["levers"]["plan"] == [
        "none",
        "training_day",
        "culture_change_in_sales_levels_3_4",
    ]
    written = spec["plans"]["culture_change_in_sales_levels_3_4"]
    assert all(item["coverage"]["departments"] == ["sales"] for item in written)
    path = tmp_path / "compare.toml"
    path.write_text(result["spec"])
    outcome = CliRunner().invoke(
        app, ["sweep", str(path), "--out", str(tmp_path / "out"), "--workers", "1"]
    )
    assert outcome.exit_code == 0, outcome.output
    runs = read_runs(tmp_path / "out").set_index(["plan", "replication"]).sort_index()
    names = dict(zip([p["name"] for p in result["plans"]], spec["levers"]["plan"], strict=True))
    for shown, values in result["finals"]["mean_satisfaction"].items():
        found = runs.loc[names[shown], "final_mean_satisfaction"].tolist()
        assert found == values, shown


def test_explores_form_covers_departments_and_levels():
    assert form_coverage(0.5, ["sales"], [3, 2]) == {
        "share": 0.5,
        "departments": ["sales"],
        "levels": [2, 3],
    }
    assert form_coverage(None, [], None) == {"share": 1.0}
    settings = {
        **SETTINGS,
        "interventions": [
            {"kind": "training_day", "start": 5, "coverage": {"departments": ["nowhere"]}}
        ],
    }
    with pytest.raises(SettingsError, match="added intervention.0.coverage.departments"):
        build_setup(settings)


def test_the_form_coverage_reaches_only_that_department():
    from sim.model import OrgModel

    settings = {
        **SETTINGS,
        "interventions": [
            {
                "kind": "training_day",
                "start": 2,
                "strength": 0.8,
                "coverage": form_coverage(1, ["customer service"], []),
            }
        ],
    }
    setup = build_setup(settings)
    model = OrgModel(setup.params, rng=0, interventions=setup.interventions)
    covered = model.interventions[0].participants
    service = model.org.department == model.org.department_names.index("customer service")
    assert covered.any() and (covered == service).all()
