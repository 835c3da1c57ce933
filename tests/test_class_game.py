"""A class session without the web (`eachcustomer.dashboard.classroom.game`): roles, choices,
levers, what each student sees, and the choices' CSV (the replay: tests/test_class_replay.py)."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest

from eachcustomer.dashboard.classroom.game import (
    BONUS_POOL,
    LEVERS,
    ROLE_KINDS,
    ROUND_WEEKS,
    ClassGame,
    GameError,
)


@pytest.fixture(scope="module")
def session() -> ClassGame:
    """Three rounds: two students choose before round 1, one joins late, a lever each round
    after the first, one student changes their mind."""
    game = ClassGame.start("baseline", seed=11, employees=120)
    for name in ("Ana", "Bo", "Cy", "Di"):
        game.join(name)
    game.choose("Ana", "customer", "each_customer")
    game.choose("Bo", "boss", "the_customer")
    game.play_round()
    game.pull_lever("aligned_incentives")
    game.join("Ed")
    game.choose("Ed", "balanced", "each_customer")
    game.play_round()
    game.choose("Ana", "boss", "the_customer")
    game.pull_lever("training_day")
    game.play_round()
    return game


def test_students_get_the_roles_in_turn_on_distinct_positions(session: ClassGame) -> None:
    kinds = [role.kind for role in session.players.values()]
    assert kinds == [*ROLE_KINDS, next(iter(ROLE_KINDS))]
    assert len({role.position for role in session.players.values()}) == len(kinds)
    org = session.org
    for role in session.players.values():
        assert bool(org.customer_facing[role.position]) == (role.distance == 1)
        assert (role.kind in ("front_line", "customer_service")) == (role.distance == 1)
        assert role.reports == int((org.boss == role.position).sum())
        assert (role.reports > 0) == (role.kind == "manager")
        if role.distance > 1:  # the same steps the student's report says (sentences.py)
            assert f"{role.distance} steps away from any customer" in role.description


def test_what_students_see_follows_from_their_seat_and_choice(session: ClassGame) -> None:
    ana = session.reports("Ana")
    assert [r.round for r in ana] == [1, 2, 3]
    assert [r.effort for r in ana] == ["customer", "customer", "boss"]
    assert [r.focus for r in ana] == [0.9, 0.9, 0.1]
    assert ana[0].attitude_after == ana[1].attitude_before
    back_office = session.reports("Cy")
    assert all(r.encounters == 0 and r.customer_satisfaction is None for r in back_office)
    assert all(r.effort == "model" for r in back_office)  # never chose: the model decides
    front = session.reports("Ana") + session.reports("Bo")
    assert all(r.good_encounters + r.hostile_encounters <= r.encounters for r in front)
    assert sum(r.encounters for r in front) > 0
    for report in front:
        assert report.bonus == pytest.approx(report.evaluation * BONUS_POOL, abs=0.005)
        assert 0 <= report.boss_approval <= 1
    assert len(session.reports("Ed")) == 2  # joined before round 2


def test_the_rounds_summaries_are_the_models_outputs(session: ClassGame) -> None:
    table = session.weekly_outputs()
    assert len(table) == 1 + 3 * ROUND_WEEKS
    for summary in session.history:
        month = table[(table.week >= summary.first_week) & (table.week <= summary.last_week)]
        assert summary.customers_lost == month.customers_lost.sum()
        assert summary.revenue == pytest.approx(month.revenue.sum())
        # One evaluation: the students' is the one whose mean is the bonus_success output.
        assert summary.mean_evaluation == pytest.approx(month.bonus_success.mean(), rel=1e-12)
    assert [s.levers for s in session.history] == [(), ("aligned_incentives",), ("training_day",)]
    assert session.history[1].customer_share == pytest.approx(1 / 3)  # Ana of Ana, Bo, Ed


def test_the_choices_csv_has_a_row_per_student_per_round(session: ClassGame) -> None:
    rows = list(csv.DictReader(io.StringIO(session.choices_csv())))
    assert len(rows) == sum(len(session.reports(n)) for n in session.players)
    first = next(r for r in rows if r["name"] == "Bo" and r["round"] == "1")
    assert (first["role"], first["effort"]) == ("customer_service", "boss")
    assert int(first["position"]) == session.role("Bo").position


def test_mistakes_are_refused_with_a_sentence() -> None:
    game = ClassGame.start("baseline", seed=0, employees=60)
    game.join("Zoe")
    for bad in ("", " ", "<script>", "x" * 25):
        with pytest.raises(GameError, match="A name is 1 to 24"):
            game.join(bad)
    with pytest.raises(GameError, match="already joined"):
        game.join("zoe")
    with pytest.raises(GameError, match="Pick how to spend your effort"):
        game.choose("Zoe", "nap", "the_customer")
    with pytest.raises(GameError, match="No student named"):
        game.choose("Max", "boss", "the_customer")
    game.pull_lever("training_day")
    with pytest.raises(GameError, match="already been pulled"):
        game.pull_lever("training_day")
    with pytest.raises(GameError, match="No lever"):
        game.pull_lever("bonus_for_all")
    assert set(LEVERS) == {"aligned_incentives", "leadership_tone", "training_day"}
    with pytest.raises(GameError, match="a generated organization"):
        ClassGame.start("krackhardt")
    with pytest.raises(GameError, match="No round"):
        game.weekly_outputs()


def test_a_session_stops_at_its_last_round() -> None:
    game = ClassGame.start("baseline", seed=0, employees=40)
    game.max_rounds = 2
    game.play_round()
    game.play_round()
    assert game.finished
    with pytest.raises(GameError, match="played its 2 rounds"):
        game.play_round()
    assert np.isnan(game.history[0].student_focus)  # no students: nothing to average
