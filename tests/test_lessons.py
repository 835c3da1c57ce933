"""Each lesson's text holds on the lesson's own run: every claim in dashboard/learn/lessons.toml is
checked on the run the Learn page draws (the scenario as built in, seed 0, to its horizon).
"""

from __future__ import annotations

import pandas as pd
import pytest
from pydantic import TypeAdapter, ValidationError

from eachcustomer.dashboard.learn.claims import Claim, LessonRun, check_claim
from eachcustomer.dashboard.learn.lessons import load_lessons, scenario_params, scenario_run

LESSONS = load_lessons()
CLAIMS = [
    pytest.param(lesson, claim, id=f"{lesson.id}-{number}")
    for lesson in LESSONS
    for number, claim in enumerate(lesson.claims, start=1)
]


def claim(**fields: object) -> object:
    """A claim from TOML-like fields."""
    return TypeAdapter(Claim).validate_python({"says": "a test claim", **fields})


@pytest.mark.parametrize(("lesson", "lesson_claim"), CLAIMS)
def test_every_claim_of_every_lesson_holds_on_its_run(lesson, lesson_claim):
    verdict = check_claim(lesson_claim, scenario_run(lesson.scenario))
    assert verdict.holds, (
        f"lesson {lesson.id!r} says {lesson_claim.says!r}, but its run measures {verdict.measured}"
    )


def test_every_lesson_checks_its_look_at_items_that_state_facts():
    for lesson in LESSONS:
        checked = {c.item for c in lesson.claims if c.item is not None}
        # Items that only ask the class to try something ("Then open it in Explore ...",
        # "Nobody decided this.") carry no claim; every other item does.
        unchecked = [
            text
            for number, text in enumerate(lesson.look_at, start=1)
            if number not in checked and not text.startswith(("Then ", "Nobody decided"))
        ]
        assert not unchecked, f"lesson {lesson.id}: no claim checks {unchecked}"


LESSON = """
[[lessons]]
id = "bias"
title = "Bias"
scenario = "hey_buddy"
seed = "S000"
quote = "a quote"
narrative = "weighs {negativity_bias:g} times as much"
question = "Is {lasting_share:.0%} lasting?"
look_at = ["loses {loss_on_very_bad:.0%}"]
charts = ["band"]
[[lessons.claims]]
says = "weighs more"
kind = "setting"
name = "negativity_bias"
above = 1
"""


def test_a_lessons_placeholders_are_filled_from_its_scenarios_parameters():
    params = scenario_params("hey_buddy")
    (lesson,) = load_lessons(LESSON)
    assert lesson.narrative == f"weighs {params.negativity_bias:g} times as much"
    assert lesson.question == f"Is {params.lasting_share:.0%} lasting?"
    assert lesson.look_at == ("loses 100%",)  # the scenario sets loss_on_very_bad = 1


@pytest.mark.parametrize(
    ("placeholder", "message"),
    [("{negativity:g}", "{negativity} is not a parameter"), ("{negativity_bias:d}", "code 'd'")],
)
def test_a_placeholder_naming_no_parameter_or_a_wrong_format_is_refused(placeholder, message):
    with pytest.raises(ValueError, match="lesson bias: ") as refused:
        load_lessons(LESSON.replace("{negativity_bias:g}", placeholder))
    assert message in str(refused.value)


def test_the_complaint_desk_claims_fail_on_the_wrong_department_or_mechanism():
    run = scenario_run("service_burnout")
    right = claim(
        kind="mechanism",
        by="department",
        group="customer service",
        mechanism="encounters",
        **{"is": "largest push down"},
    )
    assert check_claim(right, run).holds
    wrong_department = right.model_copy(update={"group": "marketing"})
    wrong_mechanism = right.model_copy(update={"mechanism": "drift"})
    assert not check_claim(wrong_department, run).holds
    assert not check_claim(wrong_mechanism, run).holds
    # The lesson's old text ("encounters, not distance, push attitudes down") read on its old
    # chart, the whole organization: there encounters are not the largest push down.
    old = claim(kind="mechanism", by="all", mechanism="encounters", **{"is": "largest push down"})
    assert not check_claim(old, run).holds


def test_the_special_program_claims_fail_on_a_lift_that_fades_from_the_chart():
    run = scenario_run("training_day")
    fades = claim(
        kind="mechanism", by="all", mechanism="interventions", weeks=(27, 104), below=-0.1
    )
    assert not check_claim(fades, run).holds


# --- the checks themselves, on a table small enough to compute by hand ----------------------

TABLE = pd.DataFrame(
    {
        "week": [0, 1, 2, 3],
        "a": [0.0, 0.1, 0.3, 0.2],
        "b": [0.5, 0.4, 0.2, 0.1],
        "x_1": [0.0, 0.2, 0.2, 0.2],
        "x_2": [0.0, 0.0, 0.15, 0.3],
        "why_drift": [0.0, -0.1, -0.2, -0.1],
        "why_encounters": [0.0, 0.05, 0.05, 0.0],
    }
)
WHY = {
    "department": {
        "groups": ["sales", "finance"],
        "mechanisms": ["encounters", "drift"],
        "values": [[0.3, -0.1], [0.0, -0.4]],
    }
}


class _Params:
    negativity_bias = 3.0


RUN = LessonRun(TABLE, WHY, _Params(), reference=lambda name: RUN_B)
RUN_B = LessonRun(TABLE.assign(a=TABLE["a"] - 1.0), WHY, _Params())


@pytest.mark.parametrize(
    ("fields", "holds", "measured"),
    [
        ({"kind": "value", "output": "a", "at": 2, "above": 0.29}, True, "+0.300"),
        ({"kind": "value", "output": "a", "at": 2, "above": 0.3}, False, "+0.300"),
        ({"kind": "value", "output": "a", "change": (1, 3), "below": 0.11}, True, "+0.100"),
        ({"kind": "value", "output": "a", "minus": "b", "at": 0, "below": -0.4}, True, "-0.500"),
        (
            {"kind": "value", "output": "a", "during": (1, 3), "above": 0.1},
            False,
            "+0.100, +0.300, +0.200",
        ),
        ({"kind": "value", "output": ["a", "b"], "at": 3, "below": 0.25}, True, "+0.200, +0.100"),
        ({"kind": "value", "output": "a", "against": "b", "at": 3, "above": 0.99}, True, "+1.000"),
        (
            {"kind": "ranking", "output": "x_1", "among": "x_", "is": "highest", "at": 3},
            False,
            "highest at 3: x_2",
        ),
        (
            {"kind": "ranking", "output": "x_1", "among": "x_", "is": "highest", "at": [1, 2]},
            True,
            "highest at 1: x_1; highest at 2: x_1",
        ),
        (
            {"kind": "ranking", "output": "x_2", "among": "x_", "is": "highest", "change": (1, 3)},
            True,
            "highest: x_2",
        ),
        (
            {"kind": "order", "outputs": ["b", "a"], "at": [0, 1]},
            True,
            "+0.500, +0.000; +0.400, +0.100",
        ),
        ({"kind": "order", "outputs": ["b", "a"], "at": 2}, False, "+0.200, +0.300"),
        (
            {"kind": "mechanism", "by": "all", "mechanism": "drift", "is": "largest push down"},
            True,
            "all: drift -0.400 (largest push down: drift)",
        ),
        (
            {
                "kind": "mechanism",
                "by": "all",
                "mechanism": "encounters",
                "weeks": (2, 3),
                "above": 0.04,
            },
            True,
            "all: encounters +0.050",
        ),
        (
            {
                "kind": "mechanism",
                "by": "department",
                "group": "sales",
                "mechanism": "encounters",
                "is": "largest push up",
            },
            True,
            "sales: encounters +0.300 (largest push up: encounters)",
        ),
        (
            {
                "kind": "mechanism",
                "by": "department",
                "group": ["sales", "finance"],
                "mechanism": "encounters",
                "is": "push up",
            },
            False,
            "sales: encounters +0.300; finance: encounters +0.000",
        ),
        (
            {"kind": "sequence", "outputs": ["x_1", "x_2"], "after": 0, "rise": 0.15},
            True,
            "weeks 1, 2",
        ),
        (
            {"kind": "sequence", "outputs": ["x_2", "x_1"], "after": 0, "rise": 0.15},
            False,
            "weeks 2, 1",
        ),
        (
            {"kind": "sequence", "outputs": ["x_1", "a"], "after": 0, "rise": 0.5},
            False,
            "weeks never, never",
        ),
        ({"kind": "setting", "name": "negativity_bias", "equals": 3}, True, "negativity_bias = 3"),
        (
            {"kind": "setting", "name": "negativity_bias", "above": 1, "below": 2.5},
            False,
            "negativity_bias = 3",
        ),
        ({"kind": "setting", "name": "negativity_bias", "above": 1}, True, "negativity_bias = 3"),
    ],
)
def test_a_claim_measures_what_it_names(fields, holds, measured):
    verdict = check_claim(claim(**fields), RUN)
    assert (verdict.holds, verdict.measured) == (holds, measured)


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "value", "output": "nope", "at": 1, "above": 0},
        {"kind": "value", "output": "a", "at": 9, "above": 0},
        {
            "kind": "mechanism",
            "by": "department",
            "group": "legal",
            "mechanism": "drift",
            "is": "push down",
        },
        {"kind": "ranking", "output": "a", "among": "x_", "is": "lowest", "at": 1},
    ],
)
def test_a_claim_naming_what_the_run_lacks_is_an_error(fields):
    with pytest.raises(ValueError):
        check_claim(claim(**fields), RUN)


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "value", "output": "a", "at": 1},  # no bound
        {"kind": "value", "output": "a", "at": 1, "change": (0, 1), "above": 0},  # two readings
        {"kind": "mechanism", "by": "band", "mechanism": "drift", "is": "push down"},  # no group
        {
            "kind": "mechanism",
            "by": "band",
            "group": "1",
            "mechanism": "drift",
            "weeks": (1, 2),
            "above": 0,
        },
        {"kind": "mechanism", "by": "all", "mechanism": "gossip", "is": "push down"},
        {"kind": "order", "outputs": ["a"], "at": 1},
        {"kind": "setting", "name": "negativity_bias"},  # neither a value nor bounds
        {"kind": "setting", "name": "negativity_bias", "equals": 3, "above": 1},  # both
    ],
)
def test_a_malformed_claim_is_refused_when_the_lessons_are_read(fields):
    with pytest.raises(ValidationError):
        claim(**fields)


# --- what the charts draw: the runs the text compares with, and the events it explains ----


def lesson_drawn(lesson):
    """The lesson's charts as the Learn page draws them at the end of its run."""
    from eachcustomer.dashboard.learn.lessons import run_scenario
    from eachcustomer.dashboard.learn.references import lesson_figure, reference_runs

    state = {**run_scenario(lesson.scenario), "references": reference_runs(lesson)}
    return {name: lesson_figure(lesson, name, state, False) for name in lesson.charts}


def drawn_claims(lesson, drawn):
    """(claim, chart) for each comparison with another run whose outputs a chart draws."""
    from eachcustomer.dashboard.learn.claims import ValueClaim
    from eachcustomer.dashboard.learn.references import drawn_values

    pairs = []
    for lesson_claim in lesson.claims:
        if not isinstance(lesson_claim, ValueClaim) or lesson_claim.against is None:
            continue
        outputs = (
            (lesson_claim.output,)
            if isinstance(lesson_claim.output, str)
            else tuple(lesson_claim.output)
        )
        for name, figure in drawn.items():
            own, references = drawn_values(figure)
            if all(o in own for o in outputs) and lesson_claim.against in references:
                pairs.append((lesson_claim, name))
    return pairs


COMPARING = [
    lesson for lesson in LESSONS if any(getattr(c, "against", None) for c in lesson.claims)
]


@pytest.mark.parametrize("lesson", COMPARING, ids=[lesson.id for lesson in COMPARING])
def test_a_lessons_comparison_holds_between_the_lines_its_charts_draw(lesson):
    """A lesson that compares with another run draws that run as a grey line, and what it
    says holds between the drawn lines (the class reads it off the chart)."""
    from eachcustomer.dashboard.chart_style import REFERENCE_COLOR
    from eachcustomer.dashboard.learn.references import REFERENCE_META, drawn_values

    drawn = lesson_drawn(lesson)
    greys = [
        trace
        for figure in drawn.values()
        for trace in figure.data
        if str(trace.meta).startswith(REFERENCE_META)
    ]
    assert greys, f"lesson {lesson.id} compares with another run but draws none"
    assert all(trace.line.color == REFERENCE_COLOR for trace in greys)
    pairs = drawn_claims(lesson, drawn)
    assert pairs, f"lesson {lesson.id}: no comparison of its text can be read off its charts"
    for lesson_claim, name in pairs:
        own, references = drawn_values(drawn[name])
        run = LessonRun(
            table=own,
            why={},
            params=scenario_params(lesson.scenario),
            reference=lambda scenario, refs=references: LessonRun(
                table=refs[scenario], why={}, params=None
            ),
        )
        verdict = check_claim(lesson_claim, run)
        assert verdict.holds, (
            f"lesson {lesson.id} says {lesson_claim.says!r}; between the lines of its chart "
            f"{name!r} it measures {verdict.measured}"
        )


def test_the_first_lessons_customers_are_drawn_where_the_negativity_lesson_compares():
    """'ends some 650 customers below the ordinary company of the first lesson': the grey
    line is the first lesson's run, and the gap at week 104 is on the chart."""
    from eachcustomer.dashboard.learn.references import drawn_values

    (lesson,) = [lesson for lesson in LESSONS if lesson.id == "negativity"]
    own, references = drawn_values(lesson_drawn(lesson)["customers"])
    first = scenario_run("baseline").table.set_index("week")["active_customers"]
    reference = references["baseline"].set_index("week")["active_customers"]
    assert reference.tolist() == first.tolist()
    gap = own.set_index("week")["active_customers"][104] - reference[104]
    assert -700 < gap < -600


def test_the_chiefs_jumps_are_marked_where_turnover_replaces_the_chief():
    """The chief's lines jump in weeks 49 and 82: turnover replaces the chief (the post's
    weeks in post start again), and the lesson marks both weeks on its charts."""
    import numpy as np

    from eachcustomer.dashboard.runs import make_model
    from eachcustomer.dashboard.settings import build_setup, default_settings
    from eachcustomer.experiments.loading.timeline import step_with_timeline

    (lesson,) = [lesson for lesson in LESSONS if lesson.id == "top"]
    settings = default_settings(lesson.scenario)
    setup = build_setup(settings)
    model = make_model(setup, settings["seed"])
    chief = int(np.flatnonzero(np.asarray(model.org.level) == 1)[0])
    replaced, before = [], 0
    for week in range(1, setup.params.horizon_weeks + 1):
        step_with_timeline(model, setup.timeline, week)
        in_post = int(model.batch.employees.weeks_in_post[chief])
        if in_post < before:
            replaced.append(week)
        before = in_post
    assert replaced == [event.week for event in lesson.events] == [49, 82]
    for figure in lesson_drawn(lesson).values():
        marked = [shape.x0 for shape in figure.layout.shapes]
        assert marked == [49, 82]
