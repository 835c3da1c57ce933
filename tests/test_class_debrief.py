"""The Class page's debrief: its charts, the lever table and the exports, on hand-built
sessions whose numbers are written out here (the replay of a played session is in
tests/test_class_replay.py)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from statistics import mean
from typing import Any

import pandas as pd
import pytest
from dash import dcc, html
from dash.exceptions import PreventUpdate

from eachcustomer.dashboard.classroom import debrief
from eachcustomer.dashboard.classroom.effects import (
    QUESTION,
    bonus_business_sentence,
    lever_effects,
)
from eachcustomer.dashboard.classroom.figures import (
    DEBRIEF_FIGURES,
    attitude_by_distance_figure,
    bonus_business_figure,
    choices_figure,
    debrief_figures,
)
from eachcustomer.dashboard.classroom.game import (
    LEVERS,
    GameError,
    PlayerReport,
    Role,
    RoundSummary,
)
from eachcustomer.dashboard.classroom.sessions import ClassError
from eachcustomer.experiments.analysis.statistics import paired_difference


def summary(round_: int, levers: tuple[str, ...] = (), **values: Any) -> RoundSummary:
    """A round's summary; `values` override the fields that matter to a test."""
    fields: dict[str, Any] = {
        "round": round_,
        "first_week": 4 * round_ - 3,
        "last_week": 4 * round_,
        "levers": levers,
        "students": 2,
        "customer_share": 0.5,
        "student_focus": 0.5,
        "simulated_focus": 0.4,
        "mean_bonus": 500.0,
        "mean_evaluation": 0.5,
        "mean_attitude": 0.1,
        "attitude_by_distance": {"1": 0.3, "2": 0.1, "3+": -0.1},
        "active_customers": 900.0,
        "customers_lost": 3.0,
        "satisfaction": 0.2,
        "revenue": 1e5,
    }
    return RoundSummary(**{**fields, **values})


def report(
    round_: int, name: str, effort: str, bonus: float, satisfaction: float | None
) -> PlayerReport:
    """A student's round: the fields the debrief reads, the rest plain."""
    return PlayerReport(
        round=round_,
        name=name,
        effort=effort,
        language="each_customer",
        encounters=0 if satisfaction is None else 3,
        good_encounters=0,
        hostile_encounters=0,
        customers_lost=0,
        customer_satisfaction=satisfaction,
        boss_approval=0.5,
        evaluation=bonus / 1000,
        bonus=bonus,
        attitude_before=0.0,
        attitude_after=0.0,
        neighbours_before=0.0,
        neighbours_after=0.0,
        focus=0.5,
    )


# Four rounds; "customer outcomes in every evaluation" pulled before round 3.
HISTORY = [
    summary(1, customer_share=0.5, student_focus=0.5, mean_attitude=0.10, customers_lost=5.0),
    summary(2, customer_share=0.0, student_focus=0.2, mean_attitude=0.20, customers_lost=4.0),
    summary(
        3,
        ("aligned_incentives",),
        customer_share=1.0,
        student_focus=0.9,
        simulated_focus=0.6,
        mean_attitude=0.30,
        customers_lost=2.0,
        attitude_by_distance={"1": 0.4, "2": 0.3, "3+": 0.0},
    ),
    summary(4, customer_share=1.0, student_focus=0.9, simulated_focus=0.7, mean_attitude=0.35),
]
REPORTS = [
    report(1, "Ann", "boss", 700.0, 0.1),
    report(1, "Bo", "customer", 400.0, 0.5),
    report(2, "Ann", "boss", 650.0, None),
    report(2, "Bo", "boss", 600.0, 0.0),
    report(3, "Ann", "customer", 800.0, 0.6),
    report(3, "Bo", "customer", 750.0, 0.4),
    report(4, "Ann", "customer", 820.0, 0.7),
    report(4, "Bo", "balanced", 500.0, 0.3),
]


@dataclass
class FakeSession:
    """What the debrief reads of a game, hand-built."""

    history: list[RoundSummary]
    reports_: list[PlayerReport]
    pending_levers: tuple[str, ...] = ()
    csv: str = "name,round\nAnn,1\n"
    players: dict[str, Role] = field(default_factory=dict)

    def __post_init__(self) -> None:
        role = Role("front_line", 0, "sales", 3, 1, 0, "You sell.")
        self.players = {r.name: role for r in self.reports_}

    @property
    def rounds_played(self) -> int:
        return len(self.history)

    def reports(self, name: str) -> list[PlayerReport]:
        return [r for r in self.reports_ if r.name == name]

    def choices_csv(self) -> str:
        return self.csv

    def scenario_text(self) -> str:
        return 'title = "class"\n'


def trace(figure: Any, name: str) -> Any:
    """The figure's trace whose legend name starts with `name` (legend names may wrap)."""
    (found,) = [t for t in figure.data if t.name.replace("<br>", " ").startswith(name)]
    return found


# --- the lever marks -------------------------------------------------------------------------


@pytest.mark.parametrize("name", DEBRIEF_FIGURES)
def test_a_lever_pulled_before_round_3_is_marked_at_round_3_on_every_chart(name):
    figure = debrief_figures(HISTORY, REPORTS)[name]
    assert [shape.x0 for shape in figure.layout.shapes] == [3]
    (label,) = figure.layout.annotations
    assert label.text == f"month 3: {LEVERS['aligned_incentives']}"
    assert list(figure.layout.xaxis.range) == [0.5, 4.5]


@pytest.mark.parametrize("name", DEBRIEF_FIGURES)
def test_no_lever_no_mark(name):
    quiet = [summary(1), summary(2)]
    figure = debrief_figures(quiet, REPORTS[:4])[name]
    assert not figure.layout.shapes and not figure.layout.annotations


def test_two_levers_before_the_same_round_share_one_mark_and_two_before_others_two():
    history = [
        summary(1, ("training_day", "leadership_tone")),
        summary(2),
        summary(3, ("aligned_incentives",)),
    ]
    figure = choices_figure(history)
    assert [shape.x0 for shape in figure.layout.shapes] == [1, 3]
    first = figure.layout.annotations[0].text
    assert LEVERS["training_day"] in first and LEVERS["leadership_tone"] in first


# --- the charts' data ------------------------------------------------------------------------


def test_the_choices_chart_draws_the_share_and_both_focuses_round_by_round():
    figure = choices_figure(HISTORY)
    assert list(trace(figure, "students choosing").y) == [0.5, 0.0, 1.0, 1.0]
    assert list(trace(figure, "students' customer focus").y) == [0.5, 0.2, 0.9, 0.9]
    assert list(trace(figure, "simulated employees'").y) == [0.4, 0.4, 0.6, 0.7]
    assert list(trace(figure, "students choosing").x) == [1, 2, 3, 4]


def test_the_bonus_chart_splits_bonus_and_customers_by_the_way_students_chose():
    figure = bonus_business_figure(HISTORY, REPORTS)
    bonus = [t for t in figure.data if t.yaxis == "y"]
    mood = [t for t in figure.data if t.yaxis == "y2"]
    by_name = {t.name: list(t.y) for t in bonus}
    # Round 2: both served the boss (650, 600); round 4: Ann the customer, Bo half and half.
    assert by_name["served the boss"] == [700.0, 625.0, None, None]
    assert by_name["served the customer"] == [400.0, None, 775.0, 820.0]
    assert by_name["half and half"] == [None, None, None, 500.0]
    satisfaction = {t.name: list(t.y) for t in mood}
    # Ann met no customer in round 2: only Bo's 0.0 counts.
    assert satisfaction["served the boss"] == [0.1, 0.0, None, None]
    assert satisfaction["served the customer"] == [0.5, None, 0.5, 0.7]
    assert satisfaction["all customers"] == [0.2, 0.2, 0.2, 0.2]


def test_the_bonus_chart_title_compares_each_student_who_tried_both_ways_with_themselves():
    # Ann: boss in rounds 1-2, customer in 3-4; Bo: customer, boss, customer, balanced.
    # Ann met no customer in round 2: her boss rounds' satisfaction is round 1's alone.
    bonus = paired_difference([mean([700.0, 650.0]), 600.0], [mean([800.0, 820.0]), 575.0])
    mood = paired_difference([0.1, 0.0], [mean([0.6, 0.7]), mean([0.5, 0.4])])
    assert bonus.low < 0 < bonus.high and mood.low < 0 < mood.high  # two pairs: wide
    expected = (
        "Bonus: too close to call (2 students tried both); customers' satisfaction: too "
        "close to call (2 students tried both)."
    )
    assert bonus_business_sentence(REPORTS) == expected
    assert bonus_business_figure(HISTORY, REPORTS).layout.title.text == expected
    # Rounds 1-2: only Bo tried both ways: one pair tells nothing.
    before = [r for r in REPORTS if r.round <= 2]
    assert bonus_business_sentence(before) == (
        "Bonus: not enough replications (1 student tried both); customers' satisfaction: "
        "not enough replications (1 student tried both)."
    )


def test_a_clear_difference_is_stated_with_its_paired_interval():
    boss = [500.0 + 3 * i for i in range(8)]
    customer = [700.0 + 5 * (i % 3) for i in range(8)]
    reports = [report(1, f"S{i}", "boss", b, 0.1) for i, b in enumerate(boss)]
    reports += [report(2, f"S{i}", "customer", c, 0.4) for i, c in enumerate(customer)]
    interval = paired_difference(boss, customer)
    assert interval.high < 0
    low, high = sorted(abs(x) for x in (interval.low, interval.high))
    assert bonus_business_sentence(reports) == (
        f"Serving the customer paid more by ${abs(interval.mean):,.0f} (${low:,.0f} to "
        f"${high:,.0f}; 8 students tried both); the customer's way kept customers happier "
        "by 0.30 (0.30 to 0.30; 8 students tried both)."
    )


def test_a_seat_with_unhappier_customers_does_not_decide_the_title():
    # The complaint desk served the customer, sales the boss: across students the boss's
    # way looks happier, but each of them had happier customers serving the customer.
    reports = [
        report(1, "Desk", "customer", 500.0, -0.2),
        report(2, "Desk", "boss", 600.0, -0.4),
        report(1, "Sales", "boss", 600.0, 0.4),
        report(2, "Sales", "customer", 500.0, 0.6),
    ]
    assert bonus_business_sentence(reports) == (
        "Serving the boss paid more by $100 ($100 to $100; 2 students tried both); the "
        "customer's way kept customers happier by 0.20 (0.20 to 0.20; 2 students tried both)."
    )


def test_the_bonus_title_asks_the_question_until_a_student_tried_both_ways():
    one_way_each = [report(1, "A", "boss", 700.0, 0.1), report(1, "B", "customer", 400.0, 0.5)]
    assert bonus_business_sentence(one_way_each) == QUESTION
    no_customers_met = [
        report(1, "A", "boss", 700.0, None),
        report(2, "A", "customer", 400.0, None),
    ]
    assert bonus_business_sentence(no_customers_met) == (
        "Bonus: not enough replications (1 student tried both)."
    )


def test_attitude_by_distance_draws_a_line_per_band_from_the_summaries():
    figure = attitude_by_distance_figure(HISTORY)
    assert [t.name for t in figure.data] == [
        "1: serves customers",
        "2: one step away",
        "3+: two or more steps away",
    ]
    assert list(figure.data[0].y) == [0.3, 0.3, 0.4, 0.3]
    assert list(figure.data[2].y) == [-0.1, -0.1, 0.0, -0.1]


def test_presentation_mode_sets_bigger_type():
    small = choices_figure(HISTORY).layout.font.size
    large = choices_figure(HISTORY, large=True).layout.font.size
    assert large > small


# --- what changed after each lever -----------------------------------------------------------


def test_a_levers_effect_is_its_rounds_mean_minus_the_rounds_before_recomputed():
    (effect,) = lever_effects(HISTORY)
    assert (effect.lever, effect.round, effect.before, effect.after) == (
        "aligned_incentives",
        3,
        (1, 2),
        (3, 4),
    )
    assert effect.attitude == pytest.approx(mean([0.30, 0.35]) - mean([0.10, 0.20]))
    assert effect.class_focus == pytest.approx(mean([0.9, 0.9]) - mean([0.5, 0.2]))
    assert effect.simulated_focus == pytest.approx(mean([0.6, 0.7]) - mean([0.4, 0.4]))
    assert effect.customers_lost == pytest.approx(mean([2.0, 3.0]) - mean([5.0, 4.0]))


def test_each_lever_is_compared_with_the_rounds_since_the_previous_one():
    attitudes = [0.0, 0.1, 0.5, 0.6, 0.2, 0.3]
    history = [
        summary(r, levers, mean_attitude=a)
        for r, levers, a in zip(
            range(1, 7),
            [("training_day",), (), ("aligned_incentives",), (), ("leadership_tone",), ()],
            attitudes,
            strict=True,
        )
    ]
    first, second, third = lever_effects(history)
    assert first.before is None and first.attitude is None  # pulled before round 1
    assert first.after == (1, 2)
    assert (second.before, second.after) == ((1, 2), (3, 4))
    assert second.attitude == pytest.approx(mean([0.5, 0.6]) - mean([0.0, 0.1]))
    assert (third.before, third.after) == ((3, 4), (5, 6))
    assert third.attitude == pytest.approx(mean([0.2, 0.3]) - mean([0.5, 0.6]))


def test_the_lever_table_shows_the_recomputed_numbers():
    section = debrief.lever_section(FakeSession(HISTORY, REPORTS, pending_levers=("training_day",)))
    (table,) = [c for c in section.children if isinstance(c, html.Table)]
    (row,) = table.children[1].children
    cells = [cell.children for cell in row.children]
    assert cells[:3] == [LEVERS["aligned_incentives"], "3", "1\u20132 \u2192 3\u20134"]
    assert cells[3] == format(mean([0.30, 0.35]) - mean([0.10, 0.20]), "+.3f")
    assert cells[6] == format(mean([2.0, 3.0]) - mean([5.0, 4.0]), "+.1f")
    notes = [c.children for c in section.children if isinstance(c, html.P)]
    assert f"Pulled for month 5: {LEVERS['training_day']}." in notes


# --- the section -----------------------------------------------------------------------------


def components(parts: Any) -> list[Any]:
    """Every component in a tree."""
    found = []
    stack = list(parts) if isinstance(parts, list) else [parts]
    while stack:
        part = stack.pop(0)  # breadth first: siblings in order
        found.append(part)
        children = getattr(part, "children", None)
        if isinstance(children, list):
            stack.extend(children)
        elif children is not None and not isinstance(children, str):
            stack.append(children)
    return found


def test_before_the_first_round_the_debrief_says_so_and_draws_nothing():
    parts = components(debrief.render(FakeSession([], []), False))
    assert not [p for p in parts if isinstance(p, dcc.Graph)]
    assert any(getattr(p, "id", None) == "class-debrief-empty" for p in parts)
    assert {getattr(p, "id", None) for p in parts} >= {
        "class-download-choices",
        "class-download-scenario",
        "class-choices-file",
        "class-scenario-file",
    }


def test_after_rounds_the_debrief_draws_every_chart_larger_in_presentation_mode():
    for large in (False, True):
        parts = components(debrief.render(FakeSession(HISTORY, REPORTS), large))
        graphs = [p for p in parts if isinstance(p, dcc.Graph)]
        assert [g.id for g in graphs] == [f"class-debrief-{n}" for n in DEBRIEF_FIGURES]
        sizes = {g.figure.layout.font.size for g in graphs}
        assert sizes == {20 if large else 13}
        assert not any(getattr(p, "id", None) == "class-debrief-empty" for p in parts)


# --- the exports -----------------------------------------------------------------------------

TEACHER = {"code": "ABCD", "token": "secret"}


class FakeRegistry:
    """The registry's `read_game` on one hand-built session; `busy`: a month is being
    played (the registry's refusal after its wait)."""

    def __init__(self, session: FakeSession, busy: bool = False):
        self.session = session
        self.busy = busy

    def read_game(self, code: Any, token: Any, read: Any) -> Any:
        if (code, token) != ("ABCD", "secret"):
            raise ClassError("This page is not the teacher's of session ABCD.", 403)
        if self.busy:
            raise ClassError("The month is still being played: try again in a moment.", 409)
        return read(self.session)


def finder(session: FakeSession) -> FakeRegistry:
    return FakeRegistry(session)


def test_the_choices_export_is_the_games_csv_with_formula_names_neutralized():
    session = FakeSession(HISTORY, REPORTS, csv="name,round,bonus\n=cmd|' /C calc'!A0,1,700.5\n")
    data, message = debrief.export_file("choices", TEACHER, finder(session))
    assert message == "" and data is not None
    assert data["filename"] == "class-abcd-choices.csv"
    frame = pd.read_csv(io.StringIO(data["content"]), dtype=str)
    assert list(frame["name"]) == ["'=cmd|' /C calc'!A0"]
    assert list(frame["bonus"]) == ["700.5"]


def test_the_scenario_export_is_the_games_scenario_text():
    data, message = debrief.export_file("scenario", TEACHER, finder(FakeSession(HISTORY, REPORTS)))
    assert message == "" and data is not None
    assert data["content"] == 'title = "class"\n'
    assert data["filename"] == "class-abcd-replay.toml"


@pytest.mark.parametrize(
    "teacher", [None, {}, {"code": "ABCD"}, {"code": "ABCD", "token": "wrong"}, "ABCD"]
)
def test_a_wrong_or_ended_session_gets_a_sentence_not_a_file(teacher):
    data, message = debrief.export_file("choices", teacher, finder(FakeSession(HISTORY, REPORTS)))
    assert data is None and message == debrief.NO_SESSION


def test_while_a_month_is_played_the_registrys_sentence_is_shown():
    busy = FakeRegistry(FakeSession(HISTORY, REPORTS), busy=True)
    assert debrief.export_file("choices", TEACHER, busy) == (
        None,
        "The month is still being played: try again in a moment.",
    )


def test_a_refusal_of_the_game_is_shown_as_it_is():
    class Refusing(FakeSession):
        def scenario_text(self) -> str:
            raise GameError("No round has been played yet.")

    refusing = FakeRegistry(Refusing(HISTORY, REPORTS))
    assert debrief.export_file("scenario", TEACHER, refusing) == (
        None,
        "No round has been played yet.",
    )


def test_presentation_mode_sets_the_sections_large_type_and_its_button_switches_it():
    (small,) = debrief.render(FakeSession(HISTORY, REPORTS), False)
    (large,) = debrief.render(FakeSession(HISTORY, REPORTS), True)
    assert small.className == "" and large.className == "presentation"

    def button(section: Any) -> Any:
        (found,) = [
            p for p in components(section) if getattr(p, "id", None) == "class-presentation"
        ]
        return found

    assert button(small).children == "Presentation mode"
    assert button(large).children == "Leave presentation mode"
    assert debrief.toggle_presentation(1, False) is True
    assert debrief.toggle_presentation(2, True) is False
    with pytest.raises(PreventUpdate):
        debrief.toggle_presentation(None, False)


def test_the_replay_command_runs_the_weeks_played():
    parts = components(debrief.render(FakeSession(HISTORY, REPORTS), False))
    (note,) = [p for p in parts if getattr(p, "id", None) == "class-export-note"]
    (command,) = [c for c in note.children if isinstance(c, html.Code)]
    assert command.children == "eachcustomer run FILE --steps 16 --out outputs.csv"
