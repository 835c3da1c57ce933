"""The scenario library: every scenario runs; every kind of mistake is named precisely."""

from __future__ import annotations

import numpy as np
import pytest

from eachcustomer.experiments.loading.catalogue import builtins
from eachcustomer.experiments.loading.plans import plan_library
from eachcustomer.experiments.loading.scenario_files import (
    ScenarioError,
    load_scenario,
    read_scenario,
)
from eachcustomer.experiments.running.runs import run_model

EXPECTED = {
    "baseline",
    "hey_buddy",
    "service_burnout",
    "wrong_customer",
    "large_deep",
    "training_day",
    "culture_woven",
    "equal_budget",
    "leadership_change",
    "bad_reputation",
    "krackhardt",
}


def test_library_has_the_scenarios_a_leader_or_teacher_recognises():
    assert set(builtins("scenario")) >= EXPECTED


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_scenario_loads_cites_a_seed_and_runs(name):
    setup = load_scenario(name, seed=1)
    spec = read_scenario(builtins("scenario")[name])
    assert spec.title and (
        "S000" in spec.description or "S003" in spec.description or "Krackhardt" in spec.description
    )
    result = run_model(
        setup.params,
        1,
        org=setup.org,
        interventions=setup.interventions,
        individuals=setup.individuals,
        weeks=8,
    )
    assert len(result.series) == 9
    assert not result.series["mean_attitude"].isna().any()


def test_krackhardt_uses_the_real_chart_with_stated_staff():
    setup = load_scenario("krackhardt", seed=0)
    assert setup.org is not None and setup.org.size == 101
    assert setup.org.employee_ids[int(np.flatnonzero(setup.org.boss < 0)[0])] == "7"


def test_scenarios_name_plans_of_the_library():
    library = plan_library()
    woven = load_scenario("culture_woven")
    assert woven.interventions == library["culture_change"].interventions
    assert load_scenario("training_day").interventions == library["training_day"].interventions
    chosen = load_scenario("equal_budget", plan="culture_change")
    assert chosen.interventions == library["culture_change"].interventions
    assert load_scenario("equal_budget", plan="none").interventions == ()
    own = load_scenario("wrong_customer", plan="aligned").interventions
    assert [item.kind for item in own] == ["incentive_alignment"]


def test_an_unknown_plan_or_two_default_plans_are_refused_with_the_key(tmp_path):
    with pytest.raises(ScenarioError, match=r"--plan: no plan 'nope'; plans: .*culture_change"):
        load_scenario("equal_budget", plan="nope")
    unknown = write(tmp_path, 'title = "t"\nplan = "nope"\n')
    with pytest.raises(ScenarioError, match=r"mine\.toml: plan: no plan 'nope'"):
        load_scenario(unknown)
    both = write(
        tmp_path,
        'title = "t"\nplan = "training_day"\n[[interventions]]\nkind = "language"\n',
        "both.toml",
    )
    with pytest.raises(ScenarioError, match="either `plan`.*or \\[\\[interventions\\]\\]"):
        load_scenario(both)


def write(tmp_path, text: str, name: str = "mine.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    "text, message",
    [
        ('title = "x"\ncolour = "red"\n', r"mine\.toml: colour: unknown key"),
        (
            'title = "x"\n[parameters]\nnegativity_bias = 0.2\n',
            r"mine\.toml: parameters\.negativity_bias: .*greater than or equal to 1",
        ),
        (
            'title = "x"\n[parameters]\nnegativty_bias = 2\n',
            r"mine\.toml: parameters\.negativty_bias: unknown key",
        ),
        (
            'title = "x"\n[[interventions]]\nkind = "training_day"\n'
            'coverage = { departments = ["legal"] }\n',
            r"mine\.toml: interventions\.0\.coverage\.departments: no department 'legal'; "
            r"the organization has 'sales'",
        ),
        (
            'title = "x"\n[[interventions]]\nkind = "pizza_party"\n',
            r"mine\.toml: interventions\.0\.kind: Input should be 'training_day'",
        ),
        (
            'title = "x"\n[[interventions]]\nkind = "training_day"\nstrength = 3\n',
            r"mine\.toml: interventions\.0\.strength: .*less than or equal to 1",
        ),
        (
            'title = "x"\n[organization]\nchart = "missing.csv"\n',
            r"mine\.toml: organization\.chart: file .*missing\.csv does not exist",
        ),
        (
            'title = "x"\n[[individuals]]\ndepartment = "legal"\nattitude = -1\n',
            r"mine\.toml: individuals\.0\.department: no department 'legal'",
        ),
        ('title = "x"\n[parameters\n', r"mine\.toml: not valid TOML"),
        ('description = "no title"\n', r"mine\.toml: title: Field required"),
    ],
)
def test_bad_scenarios_name_file_key_and_what_is_allowed(tmp_path, text, message):
    with pytest.raises(ScenarioError, match=message):
        load_scenario(write(tmp_path, text))


def test_missing_scenario_file_is_named(tmp_path):
    with pytest.raises(ScenarioError, match="no such scenario file"):
        load_scenario(tmp_path / "nope.toml")
