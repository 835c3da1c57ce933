"""Changes during a run: the model's set_params and add_interventions, a scenario's seed and
[[timeline]], `eachcustomer run` honouring them, and the dashboard's settings timeline
reproducing exactly what `eachcustomer run` does with the exported file."""

from __future__ import annotations

import tomllib

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from eachcustomer.cli import app
from eachcustomer.dashboard.explore.live import (
    add_intervention,
    change_parameters,
    kept_weeks,
    pending_note,
)
from eachcustomer.dashboard.exports import scenario_toml
from eachcustomer.dashboard.runs import advance, payload_frame
from eachcustomer.dashboard.settings import (
    default_settings,
    normalize,
    scenario_values,
    settings_key,
)
from eachcustomer.experiments.loading.scenario_files import ScenarioError, load_scenario
from eachcustomer.experiments.loading.timeline import TimelineEntry
from eachcustomer.experiments.running.runs import run_model
from eachcustomer.sim.model import OrgModel
from eachcustomer.sim.params import Params, ParamsError

SMALL = Params(n_employees=80, customers_per_employee=4, horizon_weeks=30)
LEVER_CHANGES = {
    "drift_rate": 0.03,
    "strain_recovery": 0.2,
    "shareholder_pressure": 0.2,
    "hire_attitude_mean": 0.4,
    "visibility_decay": 0.5,
    "boss_weight": 2.5,
    "negativity_bias": 1.5,
}
"""Parameters that levers, lever factors or the influence network are built from."""


# --- the model ---------------------------------------------------------------------------------


def test_set_params_before_the_first_week_equals_building_with_them():
    # Exact equality shows set_params rebuilds everything derived from the parameters:
    # the levers, their factors (drift retention, outcome visibility) and the influence
    # network. (Week 0's row was recorded when the model was built, before the change.)
    changed = OrgModel(SMALL, rng=4)
    changed.set_params(**LEVER_CHANGES)
    built = OrgModel(SMALL.replace(**LEVER_CHANGES), rng=4)
    pd.testing.assert_frame_equal(changed.run(20).iloc[1:], built.run(20).iloc[1:])


def test_set_params_keeps_the_running_interventions_applied():
    language = {"kind": "language", "start": 2, "strength": 0.5}
    model = OrgModel(SMALL, rng=1, interventions=[language])
    model.run(5)
    np.testing.assert_allclose(model.levers.drift_rate, SMALL.drift_rate * 0.5)
    model.set_params(drift_rate=0.04)
    np.testing.assert_allclose(model.levers.drift_rate, 0.04 * 0.5)
    np.testing.assert_allclose(model.base_levers.drift_rate, 0.04)


def test_a_change_acts_from_the_next_week_on_only():
    plain = OrgModel(SMALL, rng=2).run(25)
    model = OrgModel(SMALL, rng=2)
    model.run(10)
    model.set_params(negativity_bias=1.0, drift_rate=0.04)
    changed = model.run(15)
    pd.testing.assert_frame_equal(changed.iloc[:11], plain.iloc[:11])
    assert (changed["mean_attitude"].iloc[11:] != plain["mean_attitude"].iloc[11:]).all()


def test_set_params_refuses_what_cannot_change_during_a_run():
    model = OrgModel(SMALL, rng=0)
    with pytest.raises(ValueError, match="n_employees: set when the model is built"):
        model.set_params(n_employees=100)
    with pytest.raises(ParamsError, match="no_such"):
        model.set_params(no_such=1.0)
    with pytest.raises(ParamsError, match="drift_rate"):
        model.set_params(drift_rate=float("nan"))
    assert model.params == SMALL


def test_an_intervention_added_during_the_run_equals_one_scheduled_from_the_start():
    training = {"kind": "training_day", "start": 12, "strength": 0.6, "coverage": {"share": 0.5}}
    added = OrgModel(SMALL, rng=3)
    added.run(11)
    added.add_interventions([training])
    scheduled = OrgModel(SMALL, rng=3, interventions=[training])
    pd.testing.assert_frame_equal(added.run(10), scheduled.run(21))
    with pytest.raises(ValueError, match="must start in week 22 or later"):
        added.add_interventions([{**training, "start": 21}])


# --- scenario files and the command line ---------------------------------------------------------

SCENARIO = """
title = "Two changes"
seed = 7

[parameters]
horizon_weeks = 30

[organization]
employees = 80

[[timeline]]
week = 8
parameters = { negativity_bias = 1.5, drift_rate = 0.03 }

[[timeline]]
week = 15
[[timeline.interventions]]
kind = "language"
start = 16
coverage = { departments = ["sales"] }
"""


def test_a_scenarios_seed_and_timeline_are_read_and_run(tmp_path):
    path = tmp_path / "two.toml"
    path.write_text(SCENARIO)
    setup = load_scenario(path)
    assert setup.seed == 7 and [e.week for e in setup.timeline] == [8, 15]
    assert load_scenario(path, seed=3).seed == 3
    result = run_model(setup.params, setup.seed, interventions=(), timeline=setup.timeline)
    model = OrgModel(setup.params, rng=7)
    model.run(8)
    model.set_params(negativity_bias=1.5, drift_rate=0.03)
    model.run(7)
    model.add_interventions(
        [{"kind": "language", "start": 16, "coverage": {"departments": ["sales"]}}]
    )
    pd.testing.assert_frame_equal(result.series, model.run(15))


def test_eachcustomer_run_uses_the_scenarios_seed_unless_told_otherwise(tmp_path):
    path = tmp_path / "two.toml"
    path.write_text(SCENARIO)

    def weekly(*options: str) -> pd.DataFrame:
        out = tmp_path / f"out{len(options)}.csv"
        result = CliRunner().invoke(app, ["run", str(path), "--out", str(out), *options])
        assert result.exit_code == 0, result.output
        assert "Seed" in result.output and "Changes during the run: week 8" in result.output
        return pd.read_csv(out)

    setup = load_scenario(path)
    expected = run_model(setup.params, 7, timeline=setup.timeline).series
    own = weekly()
    np.testing.assert_allclose(own["mean_attitude"], expected["mean_attitude"], atol=1e-12)
    other = weekly("--seed", "8")
    assert not np.allclose(other["mean_attitude"], own["mean_attitude"])


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("week = 30\nparameters = { drift_rate = 0.02 }", "timeline.0.week: 30 is not within"),
        ("week = 5\nparameters = { no_such = 1.0 }", "no parameter 'no_such'"),
        ("week = 5\nparameters = { drift_rate = nan }", "drift_rate: Input should be a finite"),
        ("week = 5\nparameters = { n_employees = 90 }", "n_employees: set when the model"),
        ("week = 5\nparameters = { horizon_weeks = 90 }", "horizon_weeks: the run's length"),
        (
            "week = 5\nparameters = { drift_rate = 9.0 }",
            "timeline.0.parameters.drift_rate: Input should be less",
        ),
        (
            'week = 5\n[[timeline.interventions]]\nkind = "training_day"\nstart = 5',
            "timeline.0.interventions.0.start: training_day starts in week 5",
        ),
        (
            'week = 5\n[[timeline.interventions]]\nkind = "training_day"\nstart = 6\n'
            'coverage = { departments = ["nowhere"] }',
            "timeline.0.interventions.0.coverage.departments: no department 'nowhere'",
        ),
    ],
)
def test_a_bad_timeline_is_refused_naming_the_file_and_key(tmp_path, entry, message):
    path = tmp_path / "bad.toml"
    path.write_text('title = "t"\n[parameters]\nhorizon_weeks = 30\n[[timeline]]\n' + entry + "\n")
    with pytest.raises(ScenarioError) as error:
        load_scenario(path)
    assert str(path) in str(error.value) and message in str(error.value)


def test_timeline_weeks_must_come_in_order(tmp_path):
    path = tmp_path / "order.toml"
    path.write_text(
        'title = "t"\n[[timeline]]\nweek = 9\nparameters = { drift_rate = 0.02 }\n'
        "[[timeline]]\nweek = 4\nparameters = { drift_rate = 0.03 }\n"
    )
    with pytest.raises(ScenarioError, match="timeline.1.week: 4 comes after week 9"):
        load_scenario(path)


def test_an_entry_describes_itself():
    entry = TimelineEntry(
        week=3, parameters={"drift_rate": 0.02}, interventions=[{"kind": "language"}]
    )
    assert entry.describe() == "drift rate 0.02, + language"


# --- the dashboard's settings timeline ----------------------------------------------------------

BASE = scenario_values("baseline")


def settings_at_start() -> dict:
    return normalize({**default_settings(), "overrides": {"n_employees": 90, "horizon_weeks": 36}})


def test_a_change_before_the_run_or_after_it_goes_to_week_0():
    settings = settings_at_start()
    at_start = change_parameters(settings, BASE, 0, {"drift_rate": 0.03})
    assert at_start["overrides"]["drift_rate"] == 0.03 and at_start["timeline"] == []
    during = change_parameters(settings, BASE, 12, {"drift_rate": 0.03})
    assert during["timeline"] == [
        {"week": 12, "overrides": {"drift_rate": 0.03}, "interventions": []}
    ]
    # A finished run starts over: the change is made at week 0 and replaces later ones.
    finished = change_parameters(during, BASE, 36, {"drift_rate": 0.02})
    assert finished["overrides"]["drift_rate"] == 0.02 and finished["timeline"] == []
    # What a run cannot change as it goes is set at week 0, and restarts the run.
    shaped = change_parameters(settings, BASE, 12, {"n_employees": 120, "horizon_weeks": 50})
    assert shaped["overrides"]["n_employees"] == 120 and shaped["timeline"] == []
    # Back to the value in force before the week: no change is recorded.
    undone = change_parameters(during, BASE, 12, {"drift_rate": BASE["drift_rate"]})
    assert undone["timeline"] == []


def test_an_intervention_added_during_the_run_starts_after_the_week_shown():
    settings = settings_at_start()
    item = {"kind": "training_day", "start": 3, "coverage": {"share": 1.0}}
    during = add_intervention(settings, 20, 36, item)
    assert during["timeline"][0]["week"] == 20
    assert during["timeline"][0]["interventions"][0]["start"] == 21
    assert add_intervention(settings, 0, 36, item)["interventions"] == [item]


def step_to(settings: dict, state: dict | None, week: int) -> dict:
    while state is None or state["week"] < week:
        state = advance(settings, state, "step")
    return state


def test_two_changes_during_a_dashboard_run_equal_eachcustomer_run_on_its_export(tmp_path):
    settings = {**settings_at_start(), "seed": 11}
    state = step_to(settings, None, 9)
    settings = change_parameters(settings, BASE, 9, {"negativity_bias": 1.5})
    assert kept_weeks(state, settings) == 9
    assert "act from week 10" in pending_note(settings, state, settings_key(settings))
    state = step_to(settings, state, 20)
    settings = change_parameters(settings, BASE, 20, {"shareholder_pressure": 0.1})
    settings = add_intervention(
        settings,
        20,
        36,
        {"kind": "frontline_support", "start": 22, "coverage": {"departments": ["sales"]}},
    )
    shown = advance(settings, state, "run")
    assert shown["week"] == 36
    assert [m["week"] for m in shown["marks"]] == [9, 20]
    # The run shown is the replay from the seed: paused, changed and continued, it equals
    # a run of the whole timeline from week 0...
    assert shown["table"] == advance(settings, None, "run")["table"]
    # ...and the changes did change it, from the week after each.
    plain = payload_frame(advance(settings_at_start() | {"seed": 11}, None, "run")["table"])
    frame = payload_frame(shown["table"])
    pd.testing.assert_frame_equal(frame.iloc[:10], plain.iloc[:10])
    assert frame["mean_attitude"].iloc[10] != plain["mean_attitude"].iloc[10]
    # The exported scenario carries the seed and the timeline: `eachcustomer run FILE`,
    # without --seed, reproduces the dashboard's run week for week.
    text = scenario_toml(settings)
    exported = tomllib.loads(text)
    assert exported["seed"] == 11 and [e["week"] for e in exported["timeline"]] == [9, 20]
    path = tmp_path / "exported.toml"
    path.write_text(text)
    out = tmp_path / "weekly.csv"
    result = CliRunner().invoke(app, ["run", str(path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    cli = pd.read_csv(out)
    assert list(cli["week"]) == list(frame["week"])
    for column in frame.columns:
        np.testing.assert_allclose(cli[column], frame[column], atol=1e-8, err_msg=column)


def test_a_change_earlier_than_the_run_shown_replays_from_its_week():
    settings = settings_at_start()
    state = step_to(settings, None, 15)
    changed = change_parameters(settings, BASE, 6, {"drift_rate": 0.04})
    assert kept_weeks(state, changed) == 6
    assert "replays the run from there" in pending_note(changed, state, settings_key(changed))
    assert advance(changed, state, "step")["week"] == 7
    other_start = change_parameters(settings, BASE, 0, {"drift_rate": 0.04})
    assert kept_weeks(state, other_start) == 0
