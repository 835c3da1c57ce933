"""What a lever did, tested as the Compare page tests plans: the session with and without it
on fresh seeds, same seats and choices, paired, and judged by the one verdict vocabulary.

Known answers: a lever of strength 0 does nothing (no clear effect on either outcome); the
library's training day lifts attitude right after it (better)."""

from __future__ import annotations

import dataclasses

import pytest

from eachcustomer.dashboard.classroom import game as game_module
from eachcustomer.dashboard.classroom.counterfactual import compare_lever, lever_tests, verdict_cell
from eachcustomer.dashboard.classroom.debrief import render
from eachcustomer.dashboard.classroom.game import ClassGame
from eachcustomer.experiments.analysis.verdicts import BETTER, NO_CLEAR_EFFECT
from eachcustomer.experiments.loading.plans import plan_library


def session(monkeypatch: pytest.MonkeyPatch | None = None, strength: float | None = None):
    if monkeypatch is not None:
        library = dict(plan_library())
        plan = library["training_day"]
        library["training_day"] = dataclasses.replace(
            plan,
            interventions=tuple(
                i.model_copy(update={"strength": strength}) for i in plan.interventions
            ),
        )
        monkeypatch.setattr(game_module, "plan_library", lambda: library)
    played = ClassGame.start("baseline", seed=21, employees=80)
    for name in ("A", "B", "C"):
        played.join(name)
        played.choose(name, "balanced", "each_customer")
    played.play_round()
    played.pull_lever("training_day")
    played.play_round()
    played.play_round()
    return played


def test_a_lever_that_does_nothing_has_no_clear_effect(monkeypatch):
    useless = compare_lever(session(monkeypatch, strength=0.0), "training_day")
    assert useless.customers_lost.word == NO_CLEAR_EFFECT
    assert useless.attitude.word == NO_CLEAR_EFFECT
    assert useless.attitude.interval.mean == 0  # the same runs, seed for seed


def test_the_training_day_lifts_attitude_right_after_it():
    played = session()
    tested = compare_lever(played, "training_day")
    assert (tested.first_week, tested.last_week) == (5, 12)
    assert tested.attitude.word == BETTER
    assert tested.attitude.interval.low > 0.05  # a lift of 0.5 for everyone, some of it left
    assert lever_tests(played)["training_day"] is lever_tests(played)["training_day"]  # kept
    cell = verdict_cell(tested.attitude, "+.3f")
    assert cell.endswith(": better") and cell.startswith(f"{tested.attitude.interval.mean:+.3f}")


def test_the_debrief_table_shows_the_comparison():
    played = session()
    table = str(render(played, False))
    tested = lever_tests(played)["training_day"]
    assert verdict_cell(tested.attitude, "+.3f") in table
    assert verdict_cell(tested.customers_lost, "+.1f") in table
