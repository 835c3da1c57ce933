"""The class registry: join codes, tokens, bounds, expiry, isolation, rounds in the background.

A small stand-in game keeps these tests to the registry's own rules (the real game has its
own tests); its round can be held open, so a test sees what the registry answers while a
month is being played.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest

from eachcustomer.dashboard.classroom.game import EFFORTS, GameError, PlayerReport, Role
from eachcustomer.dashboard.classroom.sessions import (
    CODE_ALPHABET,
    CODE_LENGTH,
    ENDED,
    RUNNING,
    WAITING,
    ClassError,
    ClassRegistry,
)


class FakeGame:
    """The `ClassGame` methods the registry calls, with a round that can be held open."""

    def __init__(self, scenario: str, seed: int) -> None:
        if scenario == "nowhere":
            raise GameError("There is no built-in scenario called nowhere.")
        self.scenario, self.seed = scenario, seed
        self.players: dict[str, Role] = {}
        self.choices: dict[str, tuple[str, str]] = {}
        self.played: dict[str, list[PlayerReport]] = {}
        self.levers: list[str] = []
        self.rounds_played = 0
        self.max_rounds = 24
        self.hold = threading.Event()
        self.hold.set()
        self.playing = threading.Event()

    def join(self, name: str) -> Role:
        name = " ".join(name.split())  # the game's own spelling of a name
        if not name or name.casefold() in {n.casefold() for n in self.players}:
            raise GameError(f"The name {name!r} is taken or empty: pick another.")
        role = Role("front_line", len(self.players), "Sales", 3, 1, 0, f"{name} sells.")
        self.players[name] = role
        self.played[name] = []
        return role

    def choice(self, name: str) -> tuple[str, str] | None:
        return self.choices.get(name)

    def choose(self, name: str, effort: str, language: str) -> None:
        self.choices[name] = (effort, language)

    def pull_lever(self, lever: str) -> None:
        if lever in self.levers:
            raise GameError("That lever was pulled already.")
        self.levers.append(lever)

    def play_round(self) -> None:
        self.playing.set()
        assert self.hold.wait(30)
        self.rounds_played += 1
        for index, name in enumerate(self.players):
            effort, language = self.choices.get(name, ("model", "model"))
            self.played[name].append(report(self.rounds_played, name, effort, language, index))

    def reports(self, name: str) -> list[PlayerReport]:
        return list(self.played[name])


def report(round_: int, name: str, effort: str, language: str, index: int) -> PlayerReport:
    bonus = 100.0 * (index + 1) * round_
    return PlayerReport(
        round_, name, effort, language, 3, 2, 1, 0, 0.25, 0.5, 0.6, bonus, 0.1, 0.2, 0.0, -0.1, 0.8
    )


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def registry(**options: Any) -> ClassRegistry:
    return ClassRegistry(new_game=FakeGame, **options)


def wait_for(condition: Any, message: str) -> None:
    """Wait on the registry's state (the round's thread publishes it)."""
    done = threading.Event()
    for _ in range(600):
        if condition():
            return
        done.wait(0.05)
    raise AssertionError(f"timed out waiting for {message}")


def test_codes_are_short_unambiguous_and_unique():
    classes = registry(max_sessions=40)
    codes = [classes.start("baseline", seed=1)[0] for _ in range(40)]
    assert len(set(codes)) == 40
    for code in codes:
        assert len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET)
        assert not set(code) & set("0O1I")
    assert sorted(classes.codes()) == sorted(codes)


def test_a_code_is_read_whatever_its_case_and_spaces():
    classes = registry()
    code, _ = classes.start("baseline", seed=0)
    token, role = classes.join(f"  {code.lower()} ", "Ada")
    assert classes.student_state(code, token)["role"]["description"] == role.description


def test_tokens_are_checked_for_the_teacher_and_for_each_student():
    classes = registry()
    code, teacher = classes.start("baseline", seed=0)
    ada, _ = classes.join(code, "Ada")
    bob, _ = classes.join(code, "Bob")
    for wrong in ("", "x" * 32, None, 5, ada):
        with pytest.raises(ClassError, match="not the teacher's") as refused:
            classes.advance(code, wrong)
        assert refused.value.status == 403
    with pytest.raises(ClassError, match="has not joined session"):
        classes.student_state(code, teacher)
    with pytest.raises(ClassError, match="has not joined session"):
        classes.choose(code, "forged", "customer", "each_customer")
    # A student changes their own choice only: Bob's stays his.
    classes.choose(code, ada, "customer", "each_customer")
    assert classes.student_state(code, ada)["choice"] == {
        "effort": "customer",
        "language": "each_customer",
    }
    assert classes.student_state(code, bob)["choice"] == {"effort": None, "language": None}
    with pytest.raises(ClassError, match="No class session has the code ZZZZZ") as missing:
        classes.student_state("ZZZZZ", ada)
    assert missing.value.status == 404


def test_bad_names_and_choices_are_refused_with_the_games_sentence():
    classes = registry()
    code, _ = classes.start("baseline", seed=0)
    classes.join(code, "Ada")
    with pytest.raises(GameError, match="taken or empty"):
        classes.join(code, "ada")
    with pytest.raises(GameError, match="taken or empty"):
        classes.join(code, "   ")
    with pytest.raises(ClassError, match="first name"):
        classes.join(code, None)
    token, _ = classes.join(code, "Bob")
    with pytest.raises(ClassError, match="spend your effort: " + EFFORTS["boss"]):
        classes.choose(code, token, "nap", "each_customer")
    with pytest.raises(ClassError, match="speak of customers"):
        classes.choose(code, token, "boss", "the client")


def test_session_and_student_bounds_are_refused_with_clear_text():
    classes = registry(max_sessions=2, max_students=3)
    code, _ = classes.start("baseline", seed=0)
    classes.start("baseline", seed=0)
    with pytest.raises(ClassError, match="already runs 2 class sessions") as full:
        classes.start("baseline", seed=0)
    assert full.value.status == 409
    for name in ("Ada", "Bob", "Cy"):
        classes.join(code, name)
    with pytest.raises(ClassError, match="This session is full: 3 students"):
        classes.join(code, "Dee")
    with pytest.raises(ClassError, match="could not start: There is no built-in scenario"):
        registry().start("nowhere")


def test_an_ended_session_frees_its_slot_and_tells_its_students():
    classes = registry(max_sessions=1)
    code, teacher = classes.start("baseline", seed=0)
    token, _ = classes.join(code, "Ada")
    classes.end(code, teacher)
    state = classes.student_state(code, token)
    assert state["status"] == ENDED and "ended" in state["message"]
    with pytest.raises(ClassError, match="has ended"):
        classes.join(code, "Bob")
    with pytest.raises(ClassError, match="has ended"):
        classes.advance(code, teacher)
    other, _ = classes.start("baseline", seed=0)
    assert other != code


def test_a_session_whose_teacher_left_ends_by_itself():
    clock = Clock()
    classes = registry(clock=clock, teacher_timeout=600, max_sessions=1)
    code, teacher = classes.start("baseline", seed=0)
    token, _ = classes.join(code, "Ada")
    clock.now += 590
    classes.heartbeat(code, teacher)  # the teacher's page is open: the clock restarts
    clock.now += 590
    assert classes.student_state(code, token)["status"] == WAITING
    clock.now += 20  # 610 s since the teacher's page last called
    state = classes.student_state(code, token)
    assert state["status"] == ENDED and "teacher's page was closed" in state["message"]
    classes.start("baseline", seed=0)  # its slot is free
    clock.now += 3600  # long after: forgotten
    with pytest.raises(ClassError, match="No class session"):
        classes.student_state(code, token)


def test_a_student_is_known_by_the_games_spelling_of_their_name():
    classes = registry()
    code, teacher = classes.start("baseline", seed=0)
    token, _ = classes.join(code, "  Ada   Lovelace ")
    assert classes.student_state(code, token)["name"] == "Ada Lovelace"
    classes.choose(code, token, "customer", "each_customer")
    classes.advance(code, teacher)  # the choice reaches the game under its name
    wait_for(lambda: classes.student_state(code, token)["round"] == 1, "the month")
    assert classes.teacher_game(code, teacher).choices["Ada Lovelace"][0] == "customer"


def test_the_token_keeps_the_role_across_reloads():
    """A reload asks again with the stored code and token: same name, role and choice."""
    classes = registry()
    code, _ = classes.start("baseline", seed=0)
    token, role = classes.join(code, "Ada")
    classes.choose(code, token, "balanced", "each_customer")
    again = classes.student_state(code, token)
    assert again["name"] == "Ada" and again["role"]["position"] == role.position
    assert again["choice"]["effort"] == "balanced" and again["answered"] is True


def test_two_sessions_are_isolated():
    classes = registry()
    first, teacher_first = classes.start("baseline", seed=0)
    second, teacher_second = classes.start("baseline", seed=0)
    ada, _ = classes.join(first, "Ada")
    ada_too, _ = classes.join(second, "Ada")  # the same name in another class is fine
    with pytest.raises(ClassError):
        classes.student_state(second, ada)  # a token is good in its own session only
    with pytest.raises(ClassError):
        classes.advance(second, teacher_first)
    classes.pull_lever(first, teacher_first, "training_day")
    assert classes.teacher_state(second, teacher_second)["levers"]["training_day"] == "available"
    classes.advance(first, teacher_first)
    wait_for(lambda: classes.student_state(first, ada)["round"] == 1, "the first class's month")
    assert classes.student_state(second, ada_too)["round"] == 0
    assert classes.student_state(second, ada_too)["report"] is None
    assert classes.teacher_game(first, teacher_first) is not classes.teacher_game(
        second, teacher_second
    )


def test_a_round_runs_in_the_background_and_reads_answer_meanwhile():
    classes = registry()
    code, teacher = classes.start("baseline", seed=0)
    game = classes.teacher_game(code, teacher)
    ada, _ = classes.join(code, "Ada")
    bob, _ = classes.join(code, "Bob")
    classes.choose(code, ada, "customer", "each_customer")
    classes.pull_lever(code, teacher, "aligned_incentives")
    assert classes.teacher_state(code, teacher)["levers"]["aligned_incentives"] == "pending"
    game.hold.clear()  # the month will wait until the test lets it finish
    classes.advance(code, teacher)
    assert game.playing.wait(10)
    # While it runs: reads answer from the last finished state; what would touch the game
    # is refused for a moment; a choice is kept for the next month.
    state = classes.student_state(code, ada)
    assert state["status"] == RUNNING and state["round"] == 0 and state["report"] is None
    assert classes.teacher_state(code, teacher)["status"] == RUNNING
    with pytest.raises(ClassError, match="playing a month right now") as busy:
        classes.join(code, "Cy")
    assert busy.value.status == 409
    with pytest.raises(ClassError, match="playing a month right now"):
        classes.advance(code, teacher)
    with pytest.raises(ClassError, match="playing a month right now"):
        classes.pull_lever(code, teacher, "training_day")
    classes.choose(code, bob, "balanced", "the_customer")
    with pytest.raises(ClassError, match="still being played"):  # after a short wait
        classes.read_game(code, teacher, lambda game: game.rounds_played)
    game.hold.set()
    wait_for(lambda: classes.student_state(code, ada)["status"] == WAITING, "the month's end")
    state = classes.student_state(code, ada)
    assert state["round"] == 1 and state["answered"] is False
    assert state["report"]["effort"] == "customer" and state["report"]["bonus"] == 100.0
    assert state["report"]["sentences"][0] == (
        "New this month: Customer outcomes in every evaluation."
    )
    assert "Bob" not in game.choices  # Bob's choice came too late for month 1...
    assert classes.student_state(code, bob)["report"]["sentences"][1].startswith(
        "Month 1: you sent no choice"
    )
    assert classes.student_state(code, bob)["answered"] is True  # ... for month 2
    assert classes.read_game(code, teacher, lambda game: game.rounds_played) == 1
    teacher_view = classes.teacher_state(code, teacher)
    assert teacher_view["levers"]["aligned_incentives"] == "round 1"
    with pytest.raises(GameError, match="pulled already"):
        classes.pull_lever(code, teacher, "aligned_incentives")
    classes.advance(code, teacher)
    wait_for(lambda: classes.student_state(code, bob)["round"] == 2, "the second month")
    assert classes.student_state(code, bob)["report"]["effort"] == "balanced"
